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
    NON_SCORED_LABELS,
    NON_SCORED_STATES,
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

__all__ = [
    "NON_SCORED_LABELS",
    "NON_SCORED_STATES",
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
    "load",
    "loads",
    "validate_files",
]
