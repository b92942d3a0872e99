"""What the mission store holds, as frozen records: the mission, respondents, answers and
consolidated answers; and the text forms of times and dates the store writes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import Final

from assessment_kit.questionnaire.model import AnswerValue

__all__ = [
    "CONSOLIDATED",
    "Answer",
    "ConsolidatedAnswer",
    "MissionInfo",
    "Respondent",
    "date_text",
    "now",
    "parse_date",
]

#: The respondent code that stands for the mission's consolidated answer in answer files.
CONSOLIDATED: Final = "consolidated"


def _no_sections() -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class MissionInfo:
    """The mission's description and the instruments (id, version) it uses.

    ``sections`` holds, for each instrument assessed in part, the ids of the sections
    assessed; an instrument absent from it is assessed whole. ``uuid`` is the mission's
    identity: a copy of the file keeps it.
    """

    country: str
    title: str
    start_date: date | None
    end_date: date | None
    created_at: str
    instruments: tuple[tuple[str, str], ...]
    sections: Mapping[str, tuple[str, ...]] = field(default_factory=_no_sections)
    #: The mission's identity, shared by its copies.
    uuid: str = ""


@dataclass(frozen=True, slots=True)
class Respondent:
    """A pseudonymous respondent."""

    code: str
    institution_type: str
    sector: str = ""
    interview_date: date | None = None
    interviewer: str = ""
    consent: bool = False


@dataclass(frozen=True, slots=True)
class Answer:
    """A respondent's answer to one question; ``updated_at`` is UTC ISO 8601."""

    respondent: str
    questionnaire: str
    question: str
    value: AnswerValue
    note: str
    evidence: str
    confidential: bool
    updated_by: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class ConsolidatedAnswer:
    """The mission's consolidated answer to one question."""

    questionnaire: str
    question: str
    value: AnswerValue
    rationale: str
    updated_by: str
    updated_at: str


def now() -> str:
    """The current UTC time as the store writes it (ISO 8601)."""
    # Microseconds keep the order of quick successive changes readable.
    return datetime.now(UTC).isoformat(timespec="microseconds")


def date_text(value: date | None) -> str | None:
    """A date as the store writes it (YYYY-MM-DD), None for None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    return value.isoformat()


def parse_date(text: str | None) -> date | None:
    """A date the store wrote, None for None."""
    return None if text is None else date.fromisoformat(text)
