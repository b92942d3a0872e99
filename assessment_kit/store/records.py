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
    "CheckedAnswer",
    "CheckedAnswers",
    "ConsolidatedAnswer",
    "MissionInfo",
    "MissionRef",
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
class MissionRef:
    """Another mission named by a mission: a follow-up's baseline.

    ``uuid`` is that mission's identity (its copies share it); the title, country and dates
    are kept so a follow-up can say what it follows up even when the baseline file is not
    at hand.
    """

    uuid: str
    title: str
    country: str
    start_date: date | None = None
    end_date: date | None = None

    def to_json(self) -> dict[str, str | None]:
        """The record as the store keeps it (dates as YYYY-MM-DD, None when not set)."""
        return {
            "uuid": self.uuid,
            "title": self.title,
            "country": self.country,
            "start_date": date_text(self.start_date),
            "end_date": date_text(self.end_date),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> MissionRef:
        """The record from :meth:`to_json`'s form."""

        def text(key: str) -> str | None:
            value = data.get(key)
            return None if value is None else str(value)

        return cls(
            uuid=text("uuid") or "",
            title=text("title") or "",
            country=text("country") or "",
            start_date=parse_date(text("start_date")),
            end_date=parse_date(text("end_date")),
        )


@dataclass(frozen=True, slots=True)
class MissionInfo:
    """The mission's description and the instruments (id, version) it uses.

    ``sections`` holds, for each instrument assessed in part, the ids of the sections
    assessed; an instrument absent from it is assessed whole. ``uuid`` is the mission's
    identity: a copy of the file keeps it. ``baseline`` names the mission this one follows
    up (None for a baseline or a stand-alone mission).
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
    #: The baseline mission this one follows up, or None.
    baseline: MissionRef | None = None
    #: The mission's language (``en``, ``fr``, ``es``, ``ar``, ``ru`` or ``zh``).
    language: str = "en"

    def ref(self) -> MissionRef:
        """This mission as another names it (to record it as a follow-up's baseline)."""
        return MissionRef(
            uuid=self.uuid,
            title=self.title,
            country=self.country,
            start_date=self.start_date,
            end_date=self.end_date,
        )


@dataclass(frozen=True, slots=True)
class CheckedAnswer:
    """An answer its writer has checked already: its value is what the one answer parser
    (:func:`assessment_kit.questionnaire.answers.coerce`) gives for the question, and its
    constraint held against the answers the respondent has once the batch is written.

    An import checks every cell itself, to report each bad one with its row and column
    before anything is written; :meth:`Batch.write_checked
    <assessment_kit.store.batch.Batch.write_checked>` then writes these without reading
    each value a second time.
    """

    respondent: str
    questionnaire: str
    question: str
    value: AnswerValue
    note: str = ""
    evidence: str = ""
    confidential: bool = False


@dataclass(frozen=True, slots=True)
class CheckedAnswers:
    """A respondent's answers to one questionnaire, without notes, by question id, each
    checked already as a :class:`CheckedAnswer` is: one interview of an import."""

    respondent: str
    questionnaire: str
    values: Mapping[str, AnswerValue]


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
