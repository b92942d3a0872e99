"""Answer values as the store keeps them: the JSON text they are stored as.

What a value may be for a question (parsing, coercion, the constraint, the text limits) is
decided in one place, :mod:`assessment_kit.questionnaire.answers`; the names below that
come from it are kept for the store's callers and say nothing of their own.
"""

from __future__ import annotations

import json
from typing import Any

from assessment_kit.questionnaire.answers import TEXT_LIMIT, check_text
from assessment_kit.questionnaire.answers import check as validate_value
from assessment_kit.questionnaire.answers import coerce as coerce_value
from assessment_kit.questionnaire.answers import to_text as format_value
from assessment_kit.questionnaire.answers import validate as check_constraint
from assessment_kit.questionnaire.model import AnswerValue

__all__ = [
    "TEXT_LIMIT",
    "check_constraint",
    "check_text",
    "coerce_value",
    "decode_value",
    "encode_value",
    "format_value",
    "validate_value",
]


def encode_value(value: AnswerValue) -> str:
    """The JSON text a value is stored as (a ``multiple`` tuple becomes a JSON list)."""
    if isinstance(value, tuple):
        return json.dumps(list(value), ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False)


def decode_value(text: str) -> AnswerValue:
    """The value from its stored JSON text (a JSON list comes back as a tuple)."""
    loaded: Any = json.loads(text)
    if isinstance(loaded, list):
        return tuple(str(item) for item in loaded)
    if isinstance(loaded, bool) or not isinstance(loaded, str | int | float):
        raise ValueError(f"not an answer value: {text!r}")
    return loaded
