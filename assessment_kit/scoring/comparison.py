"""The comparison of a follow-up with its baseline, as frozen records, JSON and a table.

:func:`assessment_kit.scoring.compare.compare` builds a :class:`Comparison`; its parts are
:class:`AreaChange`, :class:`QuestionChange`, :class:`ListedQuestion` (new or dropped
questions) and :class:`RecommendationStatus`.

``Comparison.to_json()`` is what ``assessment-kit compare --json`` prints; its shape::

    {
      "baseline": {"uuid", "title", "country", "start_date", "end_date"} | null,
      "followup": {... the same ...} | null,
      "instruments": [{"id", "baseline_version", "followup_version"}],
      "overall": {"then", "now", "change"},
      "areas": [{"id", "name",
                 "then": {"score", "low", "high", "coverage"},
                 "now": {"score", "low", "high", "coverage"},
                 "change", "verdict"}],           # verdict: real | within_uncertainty
                                                  #          | not_comparable
      "questions": [{"questionnaire", "question", "text", "area", "match",
                     "baseline_questions": [...], "followup_questions": [...],
                     "then": {"score", "state"}, "now": {"score", "state"},
                     "change", "status"}],
      "new": [{"questionnaire", "question", "text", "area"}],
      "dropped": [{"questionnaire", "question", "text", "area"}],
      "recommendations": [{"area", "text", "priority", "questions": [[q, id], ...],
                           "followup_questions": [[q, id], ...],
                           "then_score", "now_score", "status"}],
      "counts": {"questions": {status: n}, "recommendations": {status: n}}
    }

Area scores, ranges and changes are on 0..100 with one decimal, coverage 0..1 with three;
question scores and changes 0..1 with three decimals; null where there is none. A change
is the difference of the rounded scores, so the numbers add up as printed. ``match`` is
``same``, ``renamed``, ``split`` or ``merged``; ``question`` and ``text`` are those of the
newer version's question. Swapping baseline and follow-up negates every change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assessment_kit.i18n import N_
from assessment_kit.scoring.records import Key

if TYPE_CHECKING:
    from assessment_kit.store.records import MissionRef

__all__ = [
    "AREA_VERDICTS",
    "QUESTION_STATUSES",
    "RECOMMENDATION_STATUSES",
    "WORDS",
    "AreaChange",
    "AreaReading",
    "Comparison",
    "InstrumentVersions",
    "ListedQuestion",
    "QuestionChange",
    "QuestionReading",
    "RecommendationStatus",
    "change_as_printed",
    "round_question",
    "round_score",
]

QUESTION_STATUSES = (
    "improved",
    "worsened",
    "unchanged",
    "now_scored",
    "no_longer_scored",
    "not_scored",
)
RECOMMENDATION_STATUSES = ("acted_on", "partly", "not_yet", "cannot_tell")
AREA_VERDICTS = ("real", "within_uncertainty", "not_comparable")

#: Words for the statuses and verdicts, as tables print them.
WORDS: Mapping[str, str] = {
    "improved": N_("improved"),
    "worsened": N_("worsened"),
    "unchanged": N_("unchanged"),
    "now_scored": N_("now scored"),
    "no_longer_scored": N_("no longer scored"),
    "not_scored": N_("not scored"),
    "acted_on": N_("acted on"),
    "partly": N_("partly"),
    "not_yet": N_("not yet"),
    "cannot_tell": N_("cannot tell"),
    "real": N_("real change"),
    "within_uncertainty": N_("within the uncertainty"),
    "not_comparable": N_("not comparable"),
}


def round_score(value: float | None, digits: int = 1) -> float | None:
    """A score (0..100) as the comparison prints it: one decimal, None for None."""
    return None if value is None else round(value, digits) + 0.0  # no -0.0


def round_question(value: float | None) -> float | None:
    """A question's score or change (0..1) as the comparison prints it: three decimals."""
    return round_score(value, 3)


def change_as_printed(now: float | None, then: float | None, digits: int) -> float | None:
    """A change as printed: the difference of the rounded numbers (``digits``), rounded."""
    if now is None or then is None:
        return None
    return round_score(round(now, digits) - round(then, digits), digits)


# -- records ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AreaReading:
    """One side of an area: its score and range (0..100) and coverage (0..1), None if none."""

    score: float | None
    low: float | None
    high: float | None
    coverage: float | None

    def to_json(self) -> dict[str, float | None]:
        """Rounded as documented in the module."""
        return {
            "score": round_score(self.score),
            "low": round_score(self.low),
            "high": round_score(self.high),
            "coverage": round_score(self.coverage, 3),
        }


@dataclass(frozen=True, slots=True)
class AreaChange:
    """An area then and now. ``change`` is now − then (None unless both have a score)."""

    area: str
    name: str
    then: AreaReading
    now: AreaReading
    change: float | None
    verdict: str  # one of AREA_VERDICTS

    @property
    def real(self) -> bool:
        """Whether the change is real: the two uncertainty ranges do not overlap."""
        return self.verdict == "real"

    @property
    def printed_change(self) -> float | None:
        """The change as printed (the difference of the rounded scores)."""
        return change_as_printed(self.now.score, self.then.score, 1)


@dataclass(frozen=True, slots=True)
class QuestionReading:
    """One side of a question: its score (0..1, None unless scored and relevant), its state."""

    score: float | None
    state: str

    def to_json(self) -> dict[str, Any]:
        """Rounded as documented in the module."""
        return {"score": round_question(self.score), "state": self.state}


@dataclass(frozen=True, slots=True)
class QuestionChange:
    """A question then and now, across versions.

    ``questionnaire`` and ``question`` name the newer version's question (the follow-up's
    when the versions are the same), ``text`` its text and ``area`` its primary area;
    ``baseline_questions`` and ``followup_questions`` are the ids compared on each side.
    """

    questionnaire: str
    question: str
    text: str
    area: str | None
    match: str  # same, renamed, split or merged
    baseline_questions: tuple[str, ...]
    followup_questions: tuple[str, ...]
    then: QuestionReading
    now: QuestionReading
    change: float | None  # now − then (0..1), None unless scored both times
    status: str  # one of QUESTION_STATUSES

    @property
    def printed_change(self) -> float | None:
        """The change as printed (the difference of the rounded scores)."""
        return change_as_printed(self.now.score, self.then.score, 3)


@dataclass(frozen=True, slots=True)
class ListedQuestion:
    """A question new in the follow-up, or dropped from it."""

    questionnaire: str
    question: str
    text: str
    area: str | None


@dataclass(frozen=True, slots=True)
class RecommendationStatus:
    """A baseline recommendation and what became of it in the follow-up.

    ``questions`` are the baseline's questions that gave it; ``followup_questions`` the
    follow-up's questions they match. ``then_score`` is the baseline's lowest score of
    them (0..1), ``now_score`` the follow-up's lowest scored one (None when none is scored).
    """

    area: str
    text: str
    priority: float
    questions: tuple[Key, ...]
    followup_questions: tuple[Key, ...]
    then_score: float
    now_score: float | None
    status: str  # one of RECOMMENDATION_STATUSES


@dataclass(frozen=True, slots=True)
class InstrumentVersions:
    """An instrument both missions use, with the version each used."""

    id: str
    baseline_version: str
    followup_version: str


@dataclass(frozen=True, slots=True)
class Comparison:
    """A follow-up compared with its baseline; see the module for what each part means."""

    baseline: MissionRef | None
    followup: MissionRef | None
    instruments: tuple[InstrumentVersions, ...]
    overall_then: float | None
    overall_now: float | None
    areas: tuple[AreaChange, ...]
    questions: tuple[QuestionChange, ...]
    new: tuple[ListedQuestion, ...]
    dropped: tuple[ListedQuestion, ...]
    recommendations: tuple[RecommendationStatus, ...]

    @property
    def overall_change(self) -> float | None:
        """The overall score's change, now − then (None unless both have one)."""
        if self.overall_then is None or self.overall_now is None:
            return None
        return self.overall_now - self.overall_then

    def question_counts(self) -> dict[str, int]:
        """How many questions have each status (every status, zero included)."""
        counts = Counter(q.status for q in self.questions)
        return {status: counts[status] for status in QUESTION_STATUSES}

    def recommendation_counts(self) -> dict[str, int]:
        """How many baseline recommendations have each status (zero included)."""
        counts = Counter(r.status for r in self.recommendations)
        return {status: counts[status] for status in RECOMMENDATION_STATUSES}

    def worsened(self) -> tuple[QuestionChange, ...]:
        """The questions that worsened, the largest fall first (then questionnaire order).

        Ordered by the change as printed, so a reader of ``to_json`` finds the same order.
        """
        fallen = [q for q in self.questions if q.status == "worsened"]
        return tuple(sorted(fallen, key=lambda q: q.printed_change or 0.0))

    def to_json(self) -> dict[str, Any]:
        """The comparison in the shape documented in the module."""

        def listed(items: Iterable[ListedQuestion]) -> list[dict[str, Any]]:
            return [
                {
                    "questionnaire": q.questionnaire,
                    "question": q.question,
                    "text": q.text,
                    "area": q.area,
                }
                for q in items
            ]

        return {
            "baseline": None if self.baseline is None else self.baseline.to_json(),
            "followup": None if self.followup is None else self.followup.to_json(),
            "instruments": [
                {
                    "id": i.id,
                    "baseline_version": i.baseline_version,
                    "followup_version": i.followup_version,
                }
                for i in self.instruments
            ],
            "overall": {
                "then": round_score(self.overall_then),
                "now": round_score(self.overall_now),
                "change": change_as_printed(self.overall_now, self.overall_then, 1),
            },
            "areas": [
                {
                    "id": a.area,
                    "name": a.name,
                    "then": a.then.to_json(),
                    "now": a.now.to_json(),
                    "change": a.printed_change,
                    "verdict": a.verdict,
                }
                for a in self.areas
            ],
            "questions": [
                {
                    "questionnaire": q.questionnaire,
                    "question": q.question,
                    "text": q.text,
                    "area": q.area,
                    "match": q.match,
                    "baseline_questions": list(q.baseline_questions),
                    "followup_questions": list(q.followup_questions),
                    "then": q.then.to_json(),
                    "now": q.now.to_json(),
                    "change": q.printed_change,
                    "status": q.status,
                }
                for q in self.questions
            ],
            "new": listed(self.new),
            "dropped": listed(self.dropped),
            "recommendations": [
                {
                    "area": r.area,
                    "text": r.text,
                    "priority": round_question(r.priority),
                    "questions": [list(key) for key in r.questions],
                    "followup_questions": [list(key) for key in r.followup_questions],
                    "then_score": round_question(r.then_score),
                    "now_score": round_question(r.now_score),
                    "status": r.status,
                }
                for r in self.recommendations
            ],
            "counts": {
                "questions": self.question_counts(),
                "recommendations": self.recommendation_counts(),
            },
        }

    def to_table(self) -> str:
        """A plain-text summary for a terminal: areas, recommendations, questions."""
        rows = [("Area", "Then", "Now", "Change", "Coverage", "Verdict")]
        for a in self.areas:
            rows.append(
                (
                    a.name,
                    _number(a.then.score),
                    _number(a.now.score),
                    _signed(a.printed_change),
                    f"{_percent(a.then.coverage)} → {_percent(a.now.coverage)}",
                    WORDS[a.verdict],
                )
            )
        rows.append(
            (
                "Overall",
                _number(self.overall_then),
                _number(self.overall_now),
                _signed(change_as_printed(self.overall_now, self.overall_then, 1)),
                "",
                "",
            )
        )
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = []
        for index, row in enumerate(rows):
            cells = [row[0].ljust(widths[0])]
            cells += [cell.rjust(w) for cell, w in zip(row[1:5], widths[1:5], strict=True)]
            cells.append(row[5])
            lines.append("  ".join(cells).rstrip())
            if index in (0, len(rows) - 2):
                lines.append("  ".join("-" * w for w in widths))
        recs = self.recommendation_counts()
        questions = self.question_counts()
        lines += [
            "",
            f"Baseline recommendations ({len(self.recommendations)}): "
            + ", ".join(f"{WORDS[s]} {n}" for s, n in recs.items()),
            f"Questions ({len(self.questions)}): "
            + ", ".join(f"{WORDS[s]} {n}" for s, n in questions.items()),
            f"New in the follow-up: {len(self.new)}; dropped from it: {len(self.dropped)}",
        ]
        worsened = self.worsened()
        if worsened:
            lines += ["", "Worsened:"]
            lines += [
                f"  {q.questionnaire}.{q.question}  {_question(q.then.score)} → "
                f"{_question(q.now.score)}  {q.text}"
                for q in worsened
            ]
        return "\n".join(lines)


def _number(value: float | None) -> str:
    rounded = round_score(value)
    return "—" if rounded is None else f"{rounded:.1f}"


def _signed(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1f}"


def _percent(value: float | None) -> str:
    rounded = round_score(value, 3)
    return "—" if rounded is None else f"{100 * rounded:.0f}%"


def _question(value: float | None) -> str:
    rounded = round_question(value)
    return "—" if rounded is None else f"{rounded:.2f}"
