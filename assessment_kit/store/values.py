"""Answer values: validation against the question, and the JSON text they are stored as.

Pure functions, no I/O: the widgets call :func:`validate_value` to check an answer before
saving it, the store calls it again when writing, and the importer calls it per row.

Accepted values by question type (a non-scored state such as ``"unknown"`` is always
accepted for an answerable question; ``"no_cases"`` only when the question declares it):

========== ===============================================================================
scale      a choice value of the question's scale (str)
single     a choice value (str)
multiple   a tuple/list of choice values or a space-separated string (as in XLSForm);
           normalized to a tuple in the questionnaire's choice order, without duplicates
integer    an int, an integral float (12.0 from a spreadsheet) or a string such as "12"
decimal    an int, a float or a numeric string; stored as a float (finite)
date       an ISO date string YYYY-MM-DD or a :class:`datetime.date`
text       a non-empty string
note,      refused: they take no answer
calculate
========== ===============================================================================
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from assessment_kit.errors import AnswerError, Code, ExpressionError, Problem
from assessment_kit.questionnaire.model import (
    NO_CASES,
    NON_SCORED_STATES,
    RESERVED_VALUES,
    AnswerValue,
    Question,
)

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

#: The most characters a text answer, note, evidence or rationale may hold. Far above any
#: real note, and low enough that every export (CSV, and XLSX up to its own cell limit) and
#: the briefing can still be made from what the store accepts.
TEXT_LIMIT = 100_000

_INTEGER = re.compile(r"[+-]?\d+")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def check_text(field: str, text: str, *, path: str = "") -> None:
    """Refuse text the store would keep but could not give back: too long, or not Unicode.

    ``field`` names what the text is (``note``, ``evidence``, ...); ``path`` the question.

    Raises
    ------
    AnswerError
        ``TEXT_TOO_LONG`` above :data:`TEXT_LIMIT` characters, ``TEXT_NOT_UNICODE`` for a
        lone surrogate (which no file can hold).
    """
    if len(text) > TEXT_LIMIT:
        raise AnswerError(
            [
                Problem.make(
                    Code.TEXT_TOO_LONG,
                    path=path or field,
                    field=field,
                    length=f"{len(text):,}",
                    limit=f"{TEXT_LIMIT:,}",
                )
            ]
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise AnswerError(
            [
                Problem.make(
                    Code.TEXT_NOT_UNICODE, path=path or field, field=field, position=error.start
                )
            ]
        ) from None


def _bad(question: Question, detail: str, fix: str) -> AnswerError:
    return AnswerError([Problem.make(Code.BAD_VALUE, path=question.id, detail=detail, fix=fix)])


def _known_choices(question: Question) -> str:
    values = [choice.value for choice in question.choices] + list(question.states)
    return ", ".join(values)


def coerce_value(question: Question, value: object) -> AnswerValue:
    """Check ``value`` against the question's type and return it normalized.

    The question's constraint is not evaluated here (see :func:`check_constraint`).

    Raises
    ------
    AnswerError
        With one catalogued problem (``path`` is the question id) when the value is refused.
    """
    if not question.answerable:
        raise AnswerError(
            [Problem.make(Code.NOT_ANSWERABLE, path=question.id, question=question.id)]
        )
    if value is None:
        raise _bad(question, "no answer given", "give a value, or clear the answer instead")
    if isinstance(value, str):
        stripped = value.strip()
        if not stripped:
            raise _bad(question, "the answer is empty", "give a value, or clear the answer instead")
        if stripped in NON_SCORED_STATES:
            return stripped
        if stripped == NO_CASES:
            if not question.offers_no_cases:
                raise AnswerError(
                    [
                        Problem.make(
                            Code.NO_CASES_NOT_OFFERED, path=question.id, question=question.id
                        )
                    ]
                )
            return stripped
    kind = question.type
    if kind in ("scale", "single"):
        return _coerce_choice(question, value)
    if kind == "multiple":
        return _coerce_multiple(question, value)
    if kind == "integer":
        return _coerce_integer(question, value)
    if kind == "decimal":
        return _coerce_decimal(question, value)
    if kind == "date":
        return _coerce_date(question, value)
    if kind == "text":
        if not isinstance(value, str):
            raise _bad(question, f"expected text, got {value!r}", "write the answer as text")
        check_text("answer", value, path=question.id)
        return value
    raise _bad(question, f"unknown question type {kind!r}", "fix the questionnaire")


def _coerce_choice(question: Question, value: object) -> str:
    if not isinstance(value, str):
        raise _bad(
            question,
            f"{value!r} is not one of the answer choices",
            f"use one of: {_known_choices(question)}",
        )
    stripped = value.strip()
    if question.choice(stripped) is None:
        raise _bad(
            question,
            f"{stripped!r} is not one of the answer choices",
            f"use one of: {_known_choices(question)}",
        )
    return stripped


def _coerce_multiple(question: Question, value: object) -> tuple[str, ...]:
    items: list[object]
    if isinstance(value, str):
        items = list(value.split())
    elif isinstance(value, tuple | list):
        items = list(value)
    else:
        raise _bad(
            question,
            f"expected a list of choice values, got {value!r}",
            "give the selected values as a list or separated by spaces",
        )
    if not items:
        raise _bad(question, "no choice selected", "select at least one, or clear the answer")
    selected: set[str] = set()
    for item in items:
        if not isinstance(item, str) or question.choice(item) is None:
            if isinstance(item, str) and item in RESERVED_VALUES:
                raise _bad(
                    question,
                    f"{item!r} cannot be combined with other choices",
                    f"give {item!r} alone",
                )
            raise _bad(
                question,
                f"{item!r} is not one of the answer choices",
                f"use values among: {_known_choices(question)}",
            )
        selected.add(item)
    # Questionnaire order makes equal selections compare equal whatever order they came in.
    return tuple(choice.value for choice in question.choices if choice.value in selected)


def _coerce_integer(question: Question, value: object) -> int:
    if isinstance(value, bool):
        raise _bad(question, f"expected a whole number, got {value!r}", "write a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value.strip())
    raise _bad(question, f"expected a whole number, got {value!r}", "write a whole number")


def _coerce_decimal(question: Question, value: object) -> float:
    number: float | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        raise _bad(question, f"expected a number, got {value!r}", "write a number such as 12.5")
    return number


def _coerce_date(question: Question, value: object) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise _bad(question, f"expected a date, got {value!r}", "write the date as YYYY-MM-DD")


def check_constraint(
    question: Question,
    value: AnswerValue,
    answers: Mapping[str, AnswerValue | None] | None = None,
) -> None:
    """Evaluate the question's constraint on a coerced ``value``.

    ``answers`` are the respondent's other answers in the same questionnaire (by question
    id). Non-scored states are never constrained. Raises :class:`AnswerError` with
    :attr:`Code.CONSTRAINT` when the constraint is false or cannot be evaluated.
    """
    expr = question.constraint_expr
    if expr is None or (isinstance(value, str) and value in RESERVED_VALUES):
        return
    # Imported lazily: the expression module is only needed for constrained questions.
    from assessment_kit.questionnaire.expressions import evaluate_bool

    context: dict[str, AnswerValue | None] = dict(answers or {})
    context[question.id] = value
    message = str(question.constraint_message) or (
        f"the answer {format_value(value)!r} does not satisfy the constraint "
        f"{question.constraint!r}"
    )
    try:
        ok = evaluate_bool(expr, context, current=value)
    except ExpressionError as error:
        message = f"{message} (the constraint could not be evaluated: {error})"
        ok = False
    if not ok:
        raise AnswerError([Problem.make(Code.CONSTRAINT, path=question.id, message=message)])


def validate_value(
    question: Question,
    value: object,
    answers: Mapping[str, AnswerValue | None] | None = None,
) -> AnswerValue:
    """Validate an answer to ``question`` and return the value as it will be stored.

    Parameters
    ----------
    question
        The question answered.
    value
        The answer as given (see the module docstring for what each type accepts).
    answers
        The respondent's other answers in the same questionnaire, for the constraint.

    Raises
    ------
    AnswerError
        With catalogued problems whose ``path`` is the question id; nothing is written.
    """
    coerced = coerce_value(question, value)
    check_constraint(question, coerced, answers)
    return coerced


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


def format_value(value: AnswerValue) -> str:
    """The value as written in an answers file: ``multiple`` values separated by spaces."""
    if isinstance(value, tuple):
        return " ".join(value)
    return str(value)
