"""What an answer is: the one place that parses, checks, scores and words an answer value.

Every way in and out of a mission calls this module: the interview form's boxes, the store
before it writes, the CSV and XLSX import (and the Kobo and ODK imports to come), the
scoring engine, the briefing and the demo. Pure functions, no I/O.

One rule set for text, wherever it was typed or read from:

========== ===============================================================================
scale,     a choice value (its code), or its label in any of the questionnaire's
single     languages, ignoring case; a code wins over another choice's label
multiple   a list of choices, or a cell of choices separated by semicolons (codes or
           labels) or by spaces (codes), or one label; normalized to a tuple in the questionnaire's
           order, without duplicates
integer    digits with an optional sign ("12", "-4"); an integral float (12.0 from a
           spreadsheet) is accepted as a value, "12.0" as text is not
decimal    a number with a decimal point or a decimal comma ("12.5", "12,5", ".5"),
           an exponent allowed ("1e-05", as Python and spreadsheets write small numbers);
           finite; stored as a float
date       an ISO date YYYY-MM-DD (or a :class:`datetime.date`)
text       any text that is not blank, kept as typed
note,      refused: they take no answer
calculate
========== ===============================================================================

Thousands separators are refused, never guessed: "1 000", "1'000", "1,000.5" and
"1.000,5" are refused, and so is "1,000" (one thousand, or one with a decimal comma?).
A non-scored state (``unknown``, ``not_applicable``, ``not_assessed``, ``declined``) is
accepted by its code for every answerable question, and by its label ("Not applicable")
for every one but a text question, whose text is taken as typed; ``no_cases`` only where
the question declares it. Blank text is no answer: :func:`parse_text` returns None for it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime

from assessment_kit.errors import AnswerError, Code, ExpressionError, Problem
from assessment_kit.questionnaire.model import (
    NO_CASES,
    NON_SCORED_LABELS,
    NON_SCORED_STATES,
    RESERVED_VALUES,
    UNKNOWN,
    AnswerValue,
    Choice,
    Question,
)

__all__ = [
    "INVALID",
    "SCORED",
    "TEXT_LIMIT",
    "agreed_choice",
    "check",
    "check_text",
    "coerce",
    "counts_as",
    "label",
    "parse_text",
    "score_of",
    "state_label",
    "to_text",
    "validate",
]

#: The most characters a text answer, note, evidence or rationale may hold. Far above any
#: real note, and low enough that every export (CSV, and XLSX up to its own cell limit) and
#: the briefing can still be made from what a mission accepts.
TEXT_LIMIT = 100_000

_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")
# Digits in groups of three after a separator: a space (plain, no-break or narrow), an
# apostrophe, an underscore, or a comma or dot when the other mark ends the number.
_GROUPED = re.compile(
    r"[+-]?\d{1,3}([ \u00a0\u202f'’_]\d{3})+([.,]\d*)?"
    r"|[+-]?\d{1,3}(,\d{3})+\.\d*|[+-]?\d{1,3}(\.\d{3})+,\d*"
    r"|[+-]?\d{1,3}(,\d{3}){2,}|[+-]?\d{1,3}(\.\d{3}){2,}"
)
# "1,000": a thousand with a separator, or one with a decimal comma. "0,125" is not in
# doubt: a group of thousands never follows a lone zero.
_AMBIGUOUS = re.compile(r"[+-]?(0*[1-9]\d{0,2}),\d{3}")
# In a whole number a comma or dot before three digits can only separate thousands.
_ONE_GROUP = re.compile(r"[+-]?[1-9]\d{0,2}[.,]\d{3}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# -- text


def check_text(field: str, text: str, *, path: str = "") -> None:
    """Refuse text a mission would keep but could not give back: too long, or not Unicode.

    ``field`` names what the text is (``answer``, ``note``, ``evidence``...); ``path``
    the question.

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


# -- parsing and coercion


def parse_text(question: Question, text: str) -> AnswerValue | None:
    """The answer to ``question`` that ``text`` gives (a CSV cell, a form's box, a Kobo cell).

    Blank text is no answer and gives None; anything else is read by the rules of the
    module docstring and comes back as it would be stored.

    Raises
    ------
    AnswerError
        One catalogued problem whose ``path`` is the question id, saying what was wrong
        with the text and how to write it.
    """
    if not question.answerable:
        raise _not_answerable(question)
    if not text.strip():
        return None
    return coerce(question, text)


def coerce(question: Question, value: object) -> AnswerValue:
    """``value`` checked against the question's type and returned as it is stored.

    Text is read as :func:`parse_text` reads it, except that blank text is refused. The
    question's constraint is not evaluated here (see :func:`validate`).

    Raises
    ------
    AnswerError
        One catalogued problem whose ``path`` is the question id.
    """
    if not question.answerable:
        raise _not_answerable(question)
    if value is None:
        raise _bad(question, "no answer given", "give a value, or clear the answer instead")
    if isinstance(value, str):
        if not value.strip():
            raise _bad(question, "the answer is empty", "give a value, or clear the answer instead")
        state = _state(question, value)
        if state is not None:
            return state
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


def _not_answerable(question: Question) -> AnswerError:
    return AnswerError([Problem.make(Code.NOT_ANSWERABLE, path=question.id, question=question.id)])


def _bad(question: Question, detail: str, fix: str) -> AnswerError:
    return AnswerError([Problem.make(Code.BAD_VALUE, path=question.id, detail=detail, fix=fix)])


def _shown(value: object) -> str:
    """A value as a message quotes it: typed text between quotes as typed."""
    return f"“{value.strip()}”" if isinstance(value, str) else repr(value)


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


_STATE_LABELS: Mapping[str, str] = {_folded(t): state for state, t in NON_SCORED_LABELS.items()}


def _state(question: Question, text: str) -> str | None:
    """The reserved state ``text`` names (by code or label), or None when it names none."""
    stripped = text.strip()
    state = stripped if stripped in RESERVED_VALUES else None
    # A text answer is taken as typed: only a state's code makes it that state.
    if state is None and question.type != "text" and question.choice(stripped) is None:
        state = _STATE_LABELS.get(_folded(stripped))
        if state is not None and _choice_by_label(question, stripped) is not None:
            state = None  # a choice labelled like a state is that choice
    if state == NO_CASES and not question.offers_no_cases:
        raise AnswerError(
            [Problem.make(Code.NO_CASES_NOT_OFFERED, path=question.id, question=question.id)]
        )
    return state


def _choice_by_label(question: Question, text: str) -> Choice | None:
    wanted = _folded(text)
    for choice in question.choices:
        labels = (choice.label.en, *choice.label.translations.values())
        if any(_folded(label) == wanted for label in labels):
            return choice
    return None


def _find_choice(question: Question, item: object) -> Choice | None:
    """The choice ``item`` names: its code first, then its label in any language."""
    if not isinstance(item, str):
        return None
    stripped = item.strip()
    return question.choice(stripped) or _choice_by_label(question, stripped)


def _known_choices(question: Question) -> str:
    return ", ".join([choice.value for choice in question.choices] + list(question.states))


def _coerce_choice(question: Question, value: object) -> str:
    choice = _find_choice(question, value)
    if choice is None:
        raise _bad(
            question,
            f"{_shown(value)} is not one of the answer choices",
            f"use one of: {_known_choices(question)}",
        )
    return choice.value


def _items(question: Question, value: object) -> list[object]:
    if isinstance(value, str):
        if _find_choice(question, value) is not None:
            return [value]  # one choice, named by a label with spaces ("Legal aid")
        # Semicolons let labels with spaces through; without one, spaces separate codes.
        if ";" in value:
            return [part for part in value.split(";") if part.strip()]
        return list(value.split())
    if isinstance(value, tuple | list):
        return list(value)
    raise _bad(
        question,
        f"expected a list of choice values, got {value!r}",
        "give the selected values as a list, or separated by semicolons or spaces",
    )


def _coerce_multiple(question: Question, value: object) -> tuple[str, ...]:
    items = _items(question, value)
    if not items:
        raise _bad(question, "no choice selected", "select at least one, or clear the answer")
    selected: set[str] = set()
    for item in items:
        choice = _find_choice(question, item)
        if choice is None:
            if isinstance(item, str) and item.strip() in RESERVED_VALUES:
                raise _bad(
                    question,
                    f"{_shown(item)} cannot be combined with other choices",
                    f"give {item.strip()!r} alone",
                )
            raise _bad(
                question,
                f"{_shown(item)} is not one of the answer choices",
                f"use values among: {_known_choices(question)}",
            )
        selected.add(choice.value)
    # Questionnaire order makes equal selections compare equal whatever order they came in.
    return tuple(choice.value for choice in question.choices if choice.value in selected)


def _refuse_grouped(question: Question, text: str) -> None:
    """Refuse a number written with thousands separators, which are never guessed."""
    grouped = _GROUPED.fullmatch(text) or (
        question.type == "integer" and _ONE_GROUP.fullmatch(text)
    )
    if grouped:
        raise AnswerError(
            [
                Problem.make(
                    Code.NUMBER_GROUPED, path=question.id, text=_shown(text), plain=_plain(text)
                )
            ]
        )
    if question.type == "decimal" and _AMBIGUOUS.fullmatch(text):
        whole, decimals = text.lstrip("+-").split(",")
        raise AnswerError(
            [
                Problem.make(
                    Code.NUMBER_AMBIGUOUS,
                    path=question.id,
                    text=_shown(text),
                    plain=f"{whole}{decimals}",
                    decimal=f"{whole}.{decimals}",
                )
            ]
        )


def _plain(grouped: str) -> str:
    """The number without its thousands separators (the mark that ends it is the decimal)."""
    text = re.sub(r"[ \u00a0\u202f'’_]", "", grouped)
    marks = [mark for mark in text if mark in ".,"]
    if len(set(marks)) == 2:
        return text.replace(marks[0], "")
    return text.replace(",", "").replace(".", "") if marks else text


def _coerce_integer(question: Question, value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if _INTEGER.fullmatch(text):
            try:
                return int(text)
            except ValueError:  # more digits than Python converts (4,300)
                raise _bad(question, "the number has too many digits", "type a number") from None
        _refuse_grouped(question, text)
        if _DECIMAL.fullmatch(text):
            raise _bad(
                question,
                f"{_shown(value)} is not a whole number",
                "type a whole number, without decimals, such as 12",
            )
    raise _bad(question, f"{_shown(value)} is not a whole number", "type digits only, such as 12")


def _coerce_decimal(question: Question, value: object) -> float:
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if _DECIMAL.fullmatch(text) and not _AMBIGUOUS.fullmatch(text):
            number = float(text.replace(",", "."))
        else:
            _refuse_grouped(question, text)
    if number is None:
        raise _bad(
            question,
            f"{_shown(value)} is not a number",
            "type digits with a decimal point or comma, such as 12.5",
        )
    if not math.isfinite(number):
        raise _bad(question, f"{_shown(value)} is too large or not a number", "type a number")
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
            pass  # month 13, 30 February...
    raise _bad(
        question,
        f"{_shown(value)} is not a date",
        "write year-month-day, such as 2024-03-01",
    )


# -- constraint


def validate(
    question: Question,
    value: AnswerValue,
    answers: Mapping[str, AnswerValue | None] | None = None,
) -> None:
    """Evaluate the question's constraint on a coerced ``value``.

    ``answers`` are the respondent's other answers in the same questionnaire (by question
    id). Non-scored states are never constrained.

    Raises
    ------
    AnswerError
        ``CONSTRAINT`` when the constraint is false or cannot be evaluated.
    """
    expr = question.constraint_expr
    if expr is None or (isinstance(value, str) and value in RESERVED_VALUES):
        return
    # Imported lazily: the expression module is only needed for constrained questions.
    from assessment_kit.questionnaire.expressions import evaluate_bool

    context: dict[str, AnswerValue | None] = dict(answers or {})
    context[question.id] = value
    message = str(question.constraint_message) or (
        f"the answer {to_text(value)!r} does not satisfy the constraint {question.constraint!r}"
    )
    try:
        ok = evaluate_bool(expr, context, current=value)
    except ExpressionError as error:
        message = f"{message} (the constraint could not be evaluated: {error})"
        ok = False
    if not ok:
        raise AnswerError([Problem.make(Code.CONSTRAINT, path=question.id, message=message)])


def check(
    question: Question,
    value: object,
    answers: Mapping[str, AnswerValue | None] | None = None,
) -> AnswerValue:
    """:func:`coerce` then :func:`validate`: the value as it will be stored, or an error."""
    coerced = coerce(question, value)
    validate(question, coerced, answers)
    return coerced


# -- scores


def score_of(question: Question, value: AnswerValue | None) -> float | None:
    """The score of an answer in [0, 1], or None (an unscored question, a state, no answer)."""
    return question.score_of(value)


#: How a stored value counts in scoring, besides the non-scored states and ``no_cases``:
SCORED = "scored"  # it has a score
INVALID = "invalid"  # the question does not take it (a frame made by hand); ignored


def counts_as(question: Question, value: object) -> tuple[str, float | None]:
    """How a stored value of a scored question counts: its state and its score.

    ``(SCORED, s)`` for an answer with a score; ``(state, None)`` for a non-scored state,
    for ``no_cases`` when it is out of the coverage, and for a choice without a score
    (it counts as unknown); ``(INVALID, None)`` for a value the question does not take.
    A one-item tuple of a state is that state, not a selection scoring 0.
    """
    if isinstance(value, list):  # a frame built by hand may hold lists for `multiple`
        value = tuple(value)
    if isinstance(value, tuple) and len(value) == 1 and value[0] in RESERVED_VALUES:
        value = value[0]
    if value == NO_CASES:
        if not question.offers_no_cases:
            return INVALID, None  # refused when answering; ignored if it got in anyway
        score = question.no_cases_score
        return (NO_CASES, None) if score is None else (SCORED, score)
    if isinstance(value, str) and value in NON_SCORED_STATES:
        return value, None
    if question.type == "multiple":
        if isinstance(value, str):
            value = tuple(value.split())
        if not isinstance(value, tuple):
            return INVALID, None
        total = question.score_of(value)
        return (SCORED, float(total)) if total is not None else (INVALID, None)
    choice = question.choice(value) if isinstance(value, str) else None
    if choice is None:
        return INVALID, None
    if choice.score is None:
        return UNKNOWN, None
    return SCORED, float(choice.score)


def agreed_choice(question: Question, score: float | None) -> Choice | None:
    """The one choice whose score is ``score``: what respondents who agree all answered.

    None for a ``multiple`` question (a score does not say which choices were ticked),
    and when no choice or several have that score.
    """
    if score is None or question.type == "multiple":
        return None
    same = [c for c in question.choices if c.score is not None and c.score == score]
    return same[0] if len(same) == 1 else None


# -- words


def state_label(state: str, language: str = "en") -> str:
    """How a non-scored state reads ("Not applicable"); an unknown code reads as itself.

    The states' labels are English until the instruments translate them.
    """
    del language  # one language so far; the parameter keeps callers ready for more
    return NON_SCORED_LABELS.get(state, state)


def label(question: Question | None, value: AnswerValue | None, language: str = "en") -> str:
    """An answer in words for any display: choice labels, states' labels, plain numbers.

    ``question`` may be None (a question the loaded questionnaire no longer has): codes
    are shown as they are. A ``multiple`` answer's labels are joined by semicolons, which
    :func:`parse_text` reads back.
    """
    if value is None:
        return "no answer"
    if isinstance(value, tuple):
        return "; ".join(_item_label(question, item, language) for item in value) or (
            "none selected"
        )
    return _item_label(question, value, language)


def _item_label(question: Question | None, value: str | int | float, language: str) -> str:
    if isinstance(value, str):
        if value in RESERVED_VALUES:
            return state_label(value, language)
        choice = None if question is None else question.choice(value)
        return value if choice is None else choice.label.get(language)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def to_text(value: AnswerValue) -> str:
    """A value as an answers file writes it (codes; a ``multiple``'s separated by spaces).

    :func:`parse_text` reads it back to the same value.
    """
    if isinstance(value, tuple):
        return " ".join(value)
    return str(value)
