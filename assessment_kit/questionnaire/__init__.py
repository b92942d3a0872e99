"""Questionnaires: the model, the loader and validator, and the expression language.

The pipeline shows in the module names: ``yaml_source`` (text -> data with lines) ->
``validator`` (schema, then meaning) -> ``loader`` (data -> frozen ``model``).
"""

from __future__ import annotations

from assessment_kit.questionnaire.loader import (
    FileReport,
    ValidationReport,
    builtin,
    builtin_dir,
    builtin_ids,
    builtin_path,
    load,
    loads,
    validate_files,
)
from assessment_kit.questionnaire.model import (
    NO_CASES,
    NON_SCORED_LABELS,
    NON_SCORED_STATES,
    RESERVED_VALUES,
    AnswerValue,
    Choice,
    Question,
    Questionnaire,
    Recommendation,
    ReferenceTool,
    RespondentType,
    Scale,
    Section,
    Text,
)
from assessment_kit.questionnaire.sources import cites_provision

__all__ = [
    "NON_SCORED_LABELS",
    "NON_SCORED_STATES",
    "NO_CASES",
    "RESERVED_VALUES",
    "AnswerValue",
    "Choice",
    "FileReport",
    "Question",
    "Questionnaire",
    "Recommendation",
    "ReferenceTool",
    "RespondentType",
    "Scale",
    "Section",
    "Text",
    "ValidationReport",
    "builtin",
    "builtin_dir",
    "builtin_ids",
    "builtin_path",
    "cites_provision",
    "load",
    "loads",
    "validate_files",
]
