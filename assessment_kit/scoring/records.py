"""Typed score results: one frozen record per area, question, question-area link, respondent.

The engine builds these records; everything else (the briefing, charts, the dashboard,
the CLI) reads them. Values are already clean: a null score is ``None``, never NaN, so no
consumer needs to clean a cell again. Each record type has a ``to_frame`` view (a pandas
DataFrame with the columns and dtypes the scores have always had, for notebooks and CSV)
and ``from_frame``, its inverse.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from assessment_kit.questionnaire.model import AnswerValue

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "AreaScore",
    "QuestionArea",
    "QuestionDisagreement",
    "QuestionScore",
    "Recommendation",
    "RespondentScore",
    "SectionAreaMean",
    "clean_number",
]

Key = tuple[str, str]  # (questionnaire id, question id)
_R = TypeVar("_R", bound="_Record")


def clean_number(value: Any) -> float | None:
    """A number as a float, or None for a null (None, NaN, not a number)."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


class _Record:
    """Shared ``to_frame``/``from_frame`` for the records below.

    ``_DTYPES`` maps a column to its dtype; a column not listed is built from a plain list
    and its dtype inferred by pandas (text columns), as the frames always were.
    """

    __slots__ = ()
    _DTYPES: ClassVar[dict[str, str]] = {}
    _EMPTY_OBJECT: ClassVar[tuple[str, ...]] = ()  # text columns of object dtype when empty

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        """The frame's columns, in order."""
        return tuple(f.name for f in fields(cls))  # type: ignore[arg-type]

    @classmethod
    def to_frame(cls, records: Sequence[Any]) -> pd.DataFrame:
        """The records as a DataFrame: one row each, nulls as NaN in number columns."""
        import pandas as pd  # only here: scoring itself never needs it

        data: dict[str, Any] = {}
        for name in cls.columns():
            values = [getattr(record, name) for record in records]
            dtype = cls._DTYPES.get(name)
            if dtype is None and not records and name in cls._EMPTY_OBJECT:
                dtype = "object"
            data[name] = values if dtype is None else pd.Series(values, dtype=dtype)
        return pd.DataFrame(data)

    @classmethod
    def from_frame(cls: type[_R], frame: pd.DataFrame) -> tuple[_R, ...]:
        """Records from a frame of :meth:`to_frame`'s shape (NaN back to None)."""
        names = cls.columns()
        records = []
        for row in frame.to_dict("records"):
            values = {name: _python(row[name], cls._DTYPES.get(name)) for name in names}
            records.append(cls(**values))
        return tuple(records)


def _python(value: Any, dtype: str | None) -> Any:
    """A frame cell back as the record holds it."""
    if dtype == "float64":
        return clean_number(value)
    if dtype == "int64":
        return int(value)
    if dtype == "bool":
        return bool(value)
    if dtype is None and isinstance(value, float) and math.isnan(value):
        return None
    return value


@dataclass(frozen=True, slots=True)
class AreaScore(_Record):
    """One area's score on 0..100 (None when nothing relevant has a score).

    ``coverage`` is 0..1; ``low``/``high`` the uncertainty range; ``caps`` the reasons a
    cap applied, joined by "; " ("" when none).
    """

    area: str
    name: str
    score: float | None
    coverage: float | None
    low: float | None
    high: float | None
    band: str | None
    questions_scored: int
    questions_relevant: int
    explanation: str
    caps: str

    _DTYPES: ClassVar[dict[str, str]] = {
        "score": "float64",
        "coverage": "float64",
        "low": "float64",
        "high": "float64",
        "band": "object",
        "questions_scored": "int64",
        "questions_relevant": "int64",
    }


@dataclass(frozen=True, slots=True)
class QuestionScore(_Record):
    """How the mission answered one scored question.

    ``score`` is 0..1 (None unless scored); ``gap`` is the question's priority,
    weight × (1 − score), None unless relevant and scored; ``answer`` the mission's answer
    in words.
    """

    questionnaire: str
    question: str
    section: str
    text: str
    relevant: bool
    value: AnswerValue | None
    state: str
    score: float | None
    source: str | None  # "consolidated", "respondents" or None
    n_answers: int
    spread: float | None
    disagreement: bool
    weight: float
    gap: float | None
    primary_area: str | None
    answer: str

    _DTYPES: ClassVar[dict[str, str]] = {
        "relevant": "bool",
        "value": "object",
        "score": "float64",
        "source": "object",
        "n_answers": "int64",
        "spread": "float64",
        "disagreement": "bool",
        "weight": "float64",
        "gap": "float64",
        "primary_area": "object",
    }

    @property
    def key(self) -> Key:
        """``(questionnaire, question)``."""
        return (self.questionnaire, self.question)

    @property
    def counts(self) -> bool:
        """Whether the question counts: relevant and with a score."""
        return self.relevant and self.score is not None


@dataclass(frozen=True, slots=True)
class QuestionArea(_Record):
    """A question's weight for one area."""

    questionnaire: str
    question: str
    area: str
    area_weight: float

    _DTYPES: ClassVar[dict[str, str]] = {"area_weight": "float64"}

    @property
    def key(self) -> Key:
        """``(questionnaire, question)``."""
        return (self.questionnaire, self.question)


@dataclass(frozen=True, slots=True)
class RespondentScore(_Record):
    """One respondent's answers to one questionnaire: how many, how many scored, the mean."""

    respondent: str
    institution_type: str | None
    sector: str | None
    questionnaire: str
    answered: int
    scored: int
    mean_score: float | None

    _DTYPES: ClassVar[dict[str, str]] = {
        "answered": "int64",
        "scored": "int64",
        "mean_score": "float64",
    }

    # The engine always gave an empty respondents frame object text columns.
    _EMPTY_OBJECT: ClassVar[tuple[str, ...]] = (
        "respondent",
        "institution_type",
        "sector",
        "questionnaire",
    )


@dataclass(frozen=True, slots=True)
class QuestionDisagreement:
    """A question on which respondents disagree: the spread of their scores (0..1)."""

    questionnaire: str
    question: str
    text: str
    spread: float
    n_answers: int
    primary_area: str | None

    @property
    def key(self) -> Key:
        """``(questionnaire, question)``."""
        return (self.questionnaire, self.question)


@dataclass(frozen=True, slots=True)
class Recommendation:
    """A recommendation drawn from weak answers, with its priority.

    Questions sharing one area and one recommendation text are merged: ``priority`` is
    their largest weight × (1 − score) (the questions' ``gap``), ``score`` (0..1) their
    lowest score. ``references`` are (questionnaire, reference id) pairs in first-use order.
    """

    area: str
    text: str
    priority: float
    questions: tuple[Key, ...]
    score: float
    references: tuple[Key, ...]


@dataclass(frozen=True, slots=True)
class SectionAreaMean:
    """The mean score (0..100) of a section's scored relevant questions for one area.

    Weighted by question weight × area weight; ``weight`` is that sum.
    """

    questionnaire: str
    section: str
    area: str
    score: float
    weight: float


def records_by_key(records: Iterable[QuestionScore]) -> dict[Key, QuestionScore]:
    """Question records by ``(questionnaire, question)``."""
    return {record.key: record for record in records}
