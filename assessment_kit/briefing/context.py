"""The briefing context: everything the briefing says, as plain frozen data.

Built from a mission and its scores, before any HTML, chart or PDF. This is where
respondents are protected, once, for every output:

- no respondent code, interviewer name or respondent-level answer ever enters the context
  (answers are summarised as counts per choice; respondents as counts per institution type
  and sector);
- answers marked confidential, answers declined, and every answer to a question marked
  ``sensitive`` contribute no note and no evidence;
- notes, evidence, free-text answers and scoring warnings that still name a respondent code
  or an interviewer (in full, or by a part of the name, in any case, Unicode form, accent,
  dash or space kind: see :mod:`assessment_kit.briefing.text`) have the name replaced by
  "[a respondent]" / "[the interviewer]".

Text stays raw here; escaping is the renderer's job (Jinja autoescape).
This module imports neither plotly nor nbconvert.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assessment_kit.areas import AREAS, get_area, is_area
from assessment_kit.briefing.text import NameScrubber, printable, shorten
from assessment_kit.questionnaire.model import (
    NON_SCORED_LABELS,
    RESERVED_VALUES,
    Question,
    Questionnaire,
)
from assessment_kit.scoring.result import number_or_none

if TYPE_CHECKING:
    import pandas as pd

    from assessment_kit.scoring import MissionScores, ScoringProfile
    from assessment_kit.store import Mission, MissionInfo, Respondent

__all__ = [
    "AnnexRow",
    "AreaSection",
    "BriefingContext",
    "Disagreement",
    "Finding",
    "Methodology",
    "Observation",
    "RecommendationGroup",
    "RecommendationItem",
    "Reference",
    "ScoreSummary",
    "briefing_context",
    "briefing_date",
    "build_context",
]

#: A scored answer (0..1) at or above STRONG is a strength; below WEAK a weakness, and its
#: question's recommendation goes into the briefing. "Partly" (0.5) is neither.
STRONG = 0.75
WEAK = 0.5
#: How many findings, disagreements, notes and evidence items an area page shows, so that
#: an area fits on one page; the data annex has every question.
MAX_FINDINGS = 3
MAX_OBSERVATIONS = 3
#: How much of the country's name the running footer shows.
FOOTER_COUNTRY_LIMIT = 60


@dataclass(frozen=True, slots=True)
class ScoreSummary:
    """A score on 0..100 (None when null) with its range, coverage (0..1) and band."""

    score: float | None
    low: float | None
    high: float | None
    coverage: float | None
    band: str | None

    @property
    def has_score(self) -> bool:
        """Whether there is a score (False when nothing relevant has a scored answer)."""
        return self.score is not None

    def text(self) -> str:
        """The score as ``score --json`` rounds it (one decimal), or an em dash."""
        return "—" if self.score is None else f"{round(self.score, 1):.1f}"

    def range_text(self) -> str:
        """``low–high`` to one decimal, or an em dash."""
        if self.low is None or self.high is None or self.score is None:
            return "—"
        return f"{round(self.low, 1):.1f}–{round(self.high, 1):.1f}"

    def coverage_text(self) -> str:
        """Coverage as a whole percentage, or an em dash."""
        return "—" if self.coverage is None else f"{100 * round(self.coverage, 3):.0f}%"


@dataclass(frozen=True, slots=True)
class Finding:
    """How the mission answered one scored question."""

    questionnaire: str
    question: str
    text: str
    answer: str
    score: float | None  # 0..100
    source: str  # "consolidated", "respondents" or ""


@dataclass(frozen=True, slots=True)
class Disagreement:
    """A question on which respondents disagree substantively (counts only, no codes)."""

    questionnaire: str
    question: str
    text: str
    spread: float
    answers: tuple[tuple[str, int], ...]  # (answer label, how many respondents)
    consolidated: str  # the team's consolidated answer, or ""

    def answers_text(self) -> str:
        """``Yes (3); No (2)``: each answer with how many respondents gave it."""
        return "; ".join(f"{label} ({count})" for label, count in self.answers)


@dataclass(frozen=True, slots=True)
class Observation:
    """A non-confidential note or piece of evidence, tied to its question."""

    questionnaire: str
    question: str
    question_text: str
    text: str


@dataclass(frozen=True, slots=True)
class Reference:
    """A standard tool a recommendation points to; ``label`` (T1, T2...) numbers it."""

    id: str
    title: str
    url: str = ""
    label: str = ""


@dataclass(frozen=True, slots=True)
class RecommendationItem:
    """A recommendation drawn from weak answers, with its priority (weight times gap)."""

    rank: int
    area: str
    area_name: str
    text: str
    priority: float
    questions: tuple[tuple[str, str], ...]  # (questionnaire, question) it comes from
    question_texts: tuple[str, ...]
    score: float | None  # the lowest score (0..100) among its questions
    references: tuple[Reference, ...]

    @property
    def label(self) -> str:
        """``R1``, ``R2``...: the number the briefing cites the recommendation by."""
        return f"R{self.rank}"

    def questions_text(self) -> str:
        """The ids of the questions it comes from, comma-separated."""
        return ", ".join(question for _, question in self.questions)

    def priority_text(self) -> str:
        """The priority to two decimals."""
        return f"{self.priority:.2f}"


@dataclass(frozen=True, slots=True)
class RecommendationGroup:
    """The recommendations of one area, highest priority first."""

    area: str
    area_name: str
    items: tuple[RecommendationItem, ...]


@dataclass(frozen=True, slots=True)
class AreaSection:
    """One area's page."""

    id: str
    name: str
    short_name: str
    description: str
    colour: str
    score: ScoreSummary
    questions_scored: int
    questions_relevant: int
    strengths: tuple[Finding, ...]
    weaknesses: tuple[Finding, ...]
    disagreements: tuple[Disagreement, ...]
    evidence: tuple[Observation, ...]
    notes: tuple[Observation, ...]
    recommendations: tuple[RecommendationItem, ...]
    more_evidence: int = 0
    more_notes: int = 0
    more_disagreements: int = 0

    @property
    def anchor(self) -> str:
        """The element id of the area's heading (``area-criminal-justice``)."""
        return f"area-{self.id.replace('_', '-')}"


@dataclass(frozen=True, slots=True)
class Methodology:
    """How the scores were made and from whom (counts only)."""

    profile: str
    bands: tuple[tuple[str, float, float], ...]  # (label, from, to)
    instruments: tuple[tuple[str, str, str], ...]  # (id, title, version)
    respondents: int
    by_institution: tuple[tuple[str, str, int], ...]  # (institution label, sector, count)
    by_sector: tuple[tuple[str, int], ...]
    questions_relevant: int
    questions_scored: int
    questions_consolidated: int
    disagreements: int
    coverage: float | None
    # A partial assessment: (instrument, section title) of each section left out.
    left_out: tuple[tuple[str, str], ...] = ()
    # The profile's disagreement threshold, in steps of a question's scale.
    disagreement_steps: int = 2


@dataclass(frozen=True, slots=True)
class AnnexRow:
    """One row of the data annex: one scored question."""

    questionnaire: str
    question: str
    section: str
    text: str
    area: str
    answer: str
    state: str
    score: float | None  # 0..100
    n_answers: int
    disagreement: bool
    weight: float

    def score_text(self) -> str:
        """The score as a whole number, or an em dash."""
        return "—" if self.score is None else f"{self.score:.0f}"


@dataclass(frozen=True, slots=True)
class BriefingContext:
    """Everything the briefing shows."""

    country: str
    mission_title: str
    start_date: dt.date | None
    end_date: dt.date | None
    date: dt.date
    instruments: tuple[tuple[str, str, str], ...]
    overall: ScoreSummary
    areas: tuple[AreaSection, ...]
    recommendations: tuple[RecommendationItem, ...]
    recommendation_groups: tuple[RecommendationGroup, ...]
    tools: tuple[Reference, ...]
    key_messages: tuple[str, ...]
    methodology: Methodology
    annex: tuple[AnnexRow, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def title(self) -> str:
        """The briefing's title (the same for every mission)."""
        return "Needs assessment of the national response to trafficking in persons"

    @property
    def instrument_titles(self) -> dict[str, str]:
        """Instrument titles by questionnaire id."""
        return {qid: title for qid, title, _ in self.instruments}

    @property
    def date_text(self) -> str:
        """The briefing date in words (``20 March 2026``)."""
        return format_date(self.date)

    @property
    def period_text(self) -> str:
        """The mission's dates in words, or "" when no start date was set."""
        if self.start_date and self.end_date:
            return f"{format_date(self.start_date)} to {format_date(self.end_date)}"
        if self.start_date:
            return f"from {format_date(self.start_date)}"
        return ""

    @property
    def footer(self) -> str:
        """The text of every page's footer: country, briefing, date.

        A long country name is cut with an ellipsis to keep the footer on one line.
        """
        country = shorten(printable(self.country), FOOTER_COUNTRY_LIMIT)
        return f"{country} · Needs assessment briefing · {self.date_text}"


def format_date(value: dt.date) -> str:
    """``25 November 2026`` (no locale, no leading zero)."""
    return f"{value.day} {value.strftime('%B')} {value.year}"


def briefing_date(date: dt.date | None = None, env: Mapping[str, str] | None = None) -> dt.date:
    """The date printed on the briefing: ``date``, else ``SOURCE_DATE_EPOCH``, else today."""
    if date is not None:
        return date
    env = os.environ if env is None else env
    epoch = env.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            pass
    return dt.date.today()


# ---------------------------------------------------------------------------- helpers


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value).strip()


def _value_label(question: Question | None, value: Any) -> str:
    """A respondent's answer in words (choice labels, or the non-scored state)."""
    if value is None:
        return "no answer"
    if isinstance(value, str) and value in RESERVED_VALUES:  # "no_cases" included
        return NON_SCORED_LABELS[value]
    if question is None:
        return str(value)
    items = value if isinstance(value, tuple) else (value,)
    labels = []
    for item in items:
        choice = question.choice(str(item))
        labels.append(str(item) if choice is None else choice.label.en)
    return ", ".join(labels) if labels else "none selected"


def _mission_answer(question: Question | None, row: Mapping[str, Any]) -> str:
    """How the mission answered: the consolidated value, the agreed answer or the mean."""
    state = str(row.get("state") or "")
    if state and state != "scored":
        return NON_SCORED_LABELS.get(state, state)
    value = row.get("value")
    if value is not None and not (isinstance(value, float) and math.isnan(value)):
        return _value_label(question, value)
    score = number_or_none(row.get("score"))
    spread = number_or_none(row.get("spread"))
    if question is not None and score is not None and spread == 0 and question.type != "multiple":
        same = [c for c in question.choices if c.score is not None and c.score == score]
        if len(same) == 1:
            return same[0].label.en
    if score is None:
        return "not assessed"
    return "mixed"


def _percent(value: Any) -> float | None:
    """A score on 0..1 (or NaN, None) as 0..100, or None."""
    number = number_or_none(value)
    return None if number is None else 100 * number


def _summary(record: Mapping[str, Any]) -> ScoreSummary:
    band = record.get("band")
    return ScoreSummary(
        score=number_or_none(record.get("score")),
        low=number_or_none(record.get("low")),
        high=number_or_none(record.get("high")),
        coverage=number_or_none(record.get("coverage")),
        band=None if band is None or (isinstance(band, float) and math.isnan(band)) else str(band),
    )


def _records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    if frame is None or len(frame) == 0:
        return []
    return [{str(key): value for key, value in row.items()} for row in frame.to_dict("records")]


# ---------------------------------------------------------------------------- builder


def build_context(
    *,
    info: MissionInfo,
    questionnaires: Mapping[str, Questionnaire],
    scores: MissionScores,
    answers: pd.DataFrame,
    consolidated: pd.DataFrame | None,
    respondents: Sequence[Respondent],
    date: dt.date | None = None,
    profile: ScoringProfile | None = None,
) -> BriefingContext:
    """Build the briefing context from a mission's parts (pure: no I/O).

    Parameters
    ----------
    info, questionnaires, answers, consolidated, respondents
        As the mission store gives them (``answers_frame()``, ``consolidated_frame()``).
    scores
        The mission's scores (``score_mission``).
    date
        The briefing date; by default ``SOURCE_DATE_EPOCH`` or today.
    profile
        The scoring profile the scores were made with, for its bands.
    """
    scrub = NameScrubber(
        [r.code for r in respondents], [r.interviewer for r in respondents if r.interviewer]
    )

    def question_of(questionnaire: str, question: str) -> Question | None:
        instrument = questionnaires.get(questionnaire)
        if instrument is None:
            return None
        return instrument.questions.get(question)

    question_rows = _records(scores.questions)
    by_key = {(str(r["questionnaire"]), str(r["question"])): r for r in question_rows}
    primary: dict[tuple[str, str], str] = {}
    for key, row in by_key.items():
        area = _text(row.get("primary_area"))
        if is_area(area):
            primary[key] = area
    area_members: dict[str, list[tuple[tuple[str, str], float]]] = {a.id: [] for a in AREAS}
    for link in _records(scores.question_areas):
        key = (str(link["questionnaire"]), str(link["question"]))
        area = str(link["area"])
        weight = number_or_none(link.get("area_weight")) or 0.0
        if key in by_key and area in area_members and weight > 0:
            area_members[area].append((key, weight))
            primary.setdefault(key, area)

    def question_text(key: tuple[str, str]) -> str:
        question = question_of(*key)
        if question is not None:
            return question.text.en
        return _text(by_key.get(key, {}).get("text")) or key[1]

    def finding(key: tuple[str, str]) -> Finding:
        row = by_key[key]
        return Finding(
            questionnaire=key[0],
            question=key[1],
            text=question_text(key),
            answer=scrub(_mission_answer(question_of(*key), row)),
            score=_percent(row.get("score")),
            source=_text(row.get("source")),
        )

    # Respondents' answers: counts per answer for disagreements; notes and evidence that
    # are neither confidential, declined nor about a sensitive question.
    answer_counts: dict[tuple[str, str], Counter[str]] = {}
    notes: dict[tuple[str, str], list[str]] = {}
    evidence: dict[tuple[str, str], list[str]] = {}
    for row in _records(answers):
        key = (str(row["questionnaire"]), str(row["question"]))
        question = question_of(*key)
        value = row.get("value")
        answer_counts.setdefault(key, Counter())[scrub(_value_label(question, value))] += 1
        if bool(row.get("confidential")) or question is None or question.sensitive:
            continue
        if isinstance(value, str) and value == "declined":
            continue
        for target, column in ((notes, "note"), (evidence, "evidence")):
            text = scrub(_text(row.get(column)))
            if text and text not in target.setdefault(key, []):
                target[key].append(text)
    consolidated_values: dict[tuple[str, str], str] = {}
    for row in _records(consolidated):
        key = (str(row["questionnaire"]), str(row["question"]))
        consolidated_values[key] = scrub(_value_label(question_of(*key), row.get("value")))

    # Recommendations from weak answers, merged when questions share the same text.
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for key, row in by_key.items():
        question = question_of(*key)
        score = number_or_none(row.get("score"))
        if question is None or question.recommendation is None or score is None:
            continue
        if score >= WEAK or not row.get("relevant", True):
            continue
        weight = number_or_none(row.get("weight")) or question.weight
        priority = weight * (1.0 - score)
        area = primary.get(key) or next(iter(question.areas), "")
        if not is_area(area):
            continue
        text = question.recommendation.text.en.strip()
        entry = merged.setdefault(
            (area, text),
            {"priority": 0.0, "questions": [], "texts": [], "score": 1.0, "refs": []},
        )
        entry["priority"] = max(entry["priority"], priority)
        entry["questions"].append(key)
        entry["texts"].append(question.text.en)
        entry["score"] = min(entry["score"], score)
        instrument = questionnaires[key[0]]
        for ref in question.recommendation.references:
            tool = instrument.references.get(ref)
            reference = Reference(ref, tool.title.en if tool else ref, tool.url if tool else "")
            if reference not in entry["refs"]:
                entry["refs"].append(reference)
    area_order = {area.id: index for index, area in enumerate(AREAS)}
    ordered = sorted(
        merged.items(),
        key=lambda item: (-item[1]["priority"], area_order[item[0][0]], item[0][1]),
    )
    tool_labels: dict[str, str] = {}
    for _, entry in ordered:
        for reference in entry["refs"]:
            tool_labels.setdefault(reference.id, f"T{len(tool_labels) + 1}")
    recommendations = tuple(
        RecommendationItem(
            rank=rank,
            area=area,
            area_name=get_area(area).name,
            text=text,
            priority=round(entry["priority"], 4),
            questions=tuple(entry["questions"]),
            question_texts=tuple(entry["texts"]),
            score=100 * entry["score"],
            references=tuple(
                Reference(ref.id, ref.title, ref.url, tool_labels[ref.id]) for ref in entry["refs"]
            ),
        )
        for rank, ((area, text), entry) in enumerate(ordered, start=1)
    )
    groups = tuple(
        RecommendationGroup(
            area.id, area.name, tuple(item for item in recommendations if item.area == area.id)
        )
        for area in AREAS
        if any(item.area == area.id for item in recommendations)
    )

    # One section per area.
    area_records = {str(r["area"]): r for r in _records(scores.areas)}
    sections: list[AreaSection] = []
    for spec in AREAS:
        record = area_records.get(spec.id, {})
        members = area_members[spec.id]
        scored = [
            (key, weight)
            for key, weight in members
            if number_or_none(by_key[key].get("score")) is not None
            and by_key[key].get("relevant", True) is not False
        ]

        def strength_order(item: tuple[tuple[str, str], float]) -> tuple[float, float]:
            return (-(number_or_none(by_key[item[0]]["score"]) or 0.0), -item[1])

        def weakness_order(item: tuple[tuple[str, str], float]) -> tuple[float, float]:
            return ((number_or_none(by_key[item[0]]["score"]) or 0.0), -item[1])

        strengths = tuple(
            finding(key)
            for key, _ in sorted(scored, key=strength_order)
            if (number_or_none(by_key[key]["score"]) or 0.0) >= STRONG
        )[:MAX_FINDINGS]
        weaknesses = tuple(
            finding(key)
            for key, _ in sorted(scored, key=weakness_order)
            if (number_or_none(by_key[key]["score"]) or 0.0) < WEAK
        )[:MAX_FINDINGS]
        own = [key for key, _ in members if primary.get(key) == spec.id]
        disagreements = sorted(
            (
                Disagreement(
                    questionnaire=key[0],
                    question=key[1],
                    text=question_text(key),
                    spread=number_or_none(by_key[key].get("spread")) or 0.0,
                    answers=tuple(
                        sorted(
                            answer_counts.get(key, Counter()).items(),
                            key=lambda pair: (-pair[1], pair[0]),
                        )
                    ),
                    consolidated=consolidated_values.get(key, ""),
                )
                for key in own
                if bool(by_key[key].get("disagreement"))
            ),
            key=lambda item: -item.spread,
        )
        cited: dict[str, list[tuple[str, str]]] = {}
        for key in own:
            for text in evidence.get(key, []):
                cited.setdefault(text, []).append(key)
        area_evidence = [
            Observation(
                keys[0][0],
                keys[0][1],
                question_text(keys[0])
                + (
                    f" (and {len(keys) - 1} more question{'s' if len(keys) > 2 else ''})"
                    if len(keys) > 1
                    else ""
                ),
                text,
            )
            for text, keys in cited.items()
        ]
        area_notes = [
            Observation(key[0], key[1], question_text(key), text)
            for key in own
            for text in notes.get(key, [])
        ]
        sections.append(
            AreaSection(
                id=spec.id,
                name=spec.name,
                short_name=spec.short_name,
                description=spec.description,
                colour=spec.colour,
                score=_summary(record),
                questions_scored=int(number_or_none(record.get("questions_scored")) or 0),
                questions_relevant=int(number_or_none(record.get("questions_relevant")) or 0),
                strengths=strengths,
                weaknesses=weaknesses,
                disagreements=tuple(disagreements[:MAX_FINDINGS]),
                more_disagreements=max(0, len(disagreements) - MAX_FINDINGS),
                evidence=tuple(area_evidence[:MAX_OBSERVATIONS]),
                notes=tuple(area_notes[:MAX_OBSERVATIONS]),
                recommendations=tuple(item for item in recommendations if item.area == spec.id),
                more_evidence=max(0, len(area_evidence) - MAX_OBSERVATIONS),
                more_notes=max(0, len(area_notes) - MAX_OBSERVATIONS),
            )
        )

    overall = ScoreSummary(
        score=number_or_none(scores.overall.score),
        low=number_or_none(scores.overall.low),
        high=number_or_none(scores.overall.high),
        coverage=number_or_none(scores.overall.coverage),
        band=scores.overall.band,
    )
    instruments = tuple(
        (qid, questionnaires[qid].title.en if qid in questionnaires else qid, version)
        for qid, version in info.instruments
        if not scores.questionnaires or qid in scores.questionnaires
    )
    methodology = _methodology(
        scores, questionnaires, respondents, instruments, by_key, consolidated_values, profile
    )
    annex = tuple(
        AnnexRow(
            questionnaire=key[0],
            question=key[1],
            section=_section_title(questionnaires, key),
            text=question_text(key),
            area=get_area(primary[key]).short_name if key in primary else "",
            answer=scrub(_mission_answer(question_of(*key), row)),
            state=NON_SCORED_LABELS.get(_text(row.get("state")), "Scored"),
            score=_percent(row.get("score")),
            n_answers=int(number_or_none(row.get("n_answers")) or 0),
            disagreement=bool(row.get("disagreement")),
            weight=number_or_none(row.get("weight")) or 1.0,
        )
        for key, row in by_key.items()
        if row.get("relevant", True) is not False
    )
    context_date = briefing_date(date)
    return BriefingContext(
        country=info.country,
        mission_title=info.title,
        start_date=info.start_date,
        end_date=info.end_date,
        date=context_date,
        instruments=instruments,
        overall=overall,
        areas=tuple(sections),
        recommendations=recommendations,
        recommendation_groups=groups,
        tools=_tools(recommendations),
        key_messages=_key_messages(overall, sections, recommendations, methodology),
        methodology=methodology,
        annex=annex,
        warnings=tuple(scrub(warning) for warning in scores.warnings),
    )


def _tools(recommendations: Sequence[RecommendationItem]) -> tuple[Reference, ...]:
    """Every standard tool the recommendations point to, numbered T1, T2... by first use."""
    seen: dict[str, Reference] = {}
    for item in recommendations:
        for reference in item.references:
            seen.setdefault(reference.id, reference)
    return tuple(sorted(seen.values(), key=lambda ref: int(ref.label[1:] or 0)))


def _section_title(questionnaires: Mapping[str, Questionnaire], key: tuple[str, str]) -> str:
    instrument = questionnaires.get(key[0])
    if instrument is None or key[1] not in instrument.questions:
        return ""
    try:
        return instrument.section(instrument.question(key[1]).section).title.en
    except KeyError:
        return ""


def _methodology(
    scores: MissionScores,
    questionnaires: Mapping[str, Questionnaire],
    respondents: Sequence[Respondent],
    instruments: tuple[tuple[str, str, str], ...],
    by_key: Mapping[tuple[str, str], Mapping[str, Any]],
    consolidated: Mapping[tuple[str, str], str],
    profile: ScoringProfile | None,
) -> Methodology:
    labels: dict[str, str] = {}
    sectors: dict[str, str] = {}
    for instrument in questionnaires.values():
        for type_id, respondent_type in instrument.respondent_types.items():
            labels.setdefault(type_id, respondent_type.label.en)
            sectors.setdefault(type_id, respondent_type.sector)
    institution_counts: Counter[tuple[str, str]] = Counter()
    sector_counts: Counter[str] = Counter()
    for respondent in respondents:
        kind = respondent.institution_type
        sector = respondent.sector or sectors.get(kind, "") or "unspecified"
        institution_counts[(labels.get(kind, kind.replace("_", " ").capitalize()), sector)] += 1
        sector_counts[sector] += 1
    bands: list[tuple[str, float, float]] = []
    if profile is not None:
        lowers = [band.lower for band in profile.bands]
        for index, band in enumerate(profile.bands):
            upper = lowers[index + 1] if index + 1 < len(lowers) else 100.0
            bands.append((band.label, band.lower, upper))
    relevant = [row for row in by_key.values() if row.get("relevant", True) is not False]
    scored = [row for row in relevant if number_or_none(row.get("score")) is not None]
    return Methodology(
        profile=scores.profile,
        bands=tuple(bands),
        instruments=instruments,
        respondents=len(respondents),
        by_institution=tuple(
            (label, sector, count)
            for (label, sector), count in sorted(
                institution_counts.items(), key=lambda item: (item[0][1], item[0][0])
            )
        ),
        by_sector=tuple(sorted(sector_counts.items())),
        questions_relevant=len(relevant),
        questions_scored=len(scored),
        questions_consolidated=sum(1 for key in by_key if key in consolidated),
        disagreements=sum(1 for row in relevant if bool(row.get("disagreement"))),
        coverage=number_or_none(scores.overall.coverage),
        # The instrument by its id in words ("organ removal"): its title is too long to
        # repeat on pages that must fit.
        left_out=tuple((s.questionnaire.replace("_", " "), s.title) for s in scores.left_out),
        disagreement_steps=(profile.disagreement.min_steps if profile is not None else 2),
    )


def _key_messages(
    overall: ScoreSummary,
    sections: Sequence[AreaSection],
    recommendations: Sequence[RecommendationItem],
    methodology: Methodology,
) -> tuple[str, ...]:
    messages: list[str] = []
    if overall.score is not None:
        messages.append(
            f"The overall score is {overall.text()} out of 100 ({overall.band}), within a "
            f"range of {overall.range_text()} depending on the questions not yet answered; "
            f"{overall.coverage_text()} of the weighted questions have a scored answer."
        )
    else:
        messages.append("No area has a score yet: no relevant question has a scored answer.")
    scored = [s for s in sections if s.score.score is not None]
    if len(scored) >= 2:
        best = max(scored, key=lambda s: s.score.score or 0.0)
        worst = min(scored, key=lambda s: s.score.score or 0.0)
        messages.append(
            f"The strongest area is {best.name} ({best.score.text()}, {best.score.band}); "
            f"the weakest is {worst.name} ({worst.score.text()}, {worst.score.band})."
        )
    unscored = [s.name for s in sections if s.score.score is None]
    if unscored:
        messages.append(f"No score yet for: {', '.join(unscored)}.")
    thin = [s.name for s in scored if s.score.coverage is not None and s.score.coverage < 0.5]
    if thin:
        messages.append(
            f"Coverage is below half in {', '.join(thin)}: these scores rest on few answers "
            "and should be read with their range."
        )
    if methodology.left_out:
        named = "; ".join(
            f"{section} ({instrument})" for instrument, section in methodology.left_out
        )
        # One line if it can: the summary page is full.
        messages.append(f"Partial assessment: {named} not assessed.")
    if methodology.disagreements:
        messages.append(
            f"Respondents disagreed on {methodology.disagreements} question"
            f"{'s' if methodology.disagreements != 1 else ''}; the team's consolidated answers "
            "are used where they were set."
        )
    if recommendations:
        top = ", ".join(f"{item.label} ({item.area_name})" for item in recommendations[:3])
        messages.append(
            f"{len(recommendations)} recommendation{'s' if len(recommendations) != 1 else ''} "
            f"follow from weak answers; the highest priorities are {top}."
        )
    return tuple(messages)


def briefing_context(
    mission: Mission,
    scores: MissionScores | None = None,
    *,
    date: dt.date | None = None,
    profile: ScoringProfile | None = None,
) -> BriefingContext:
    """The briefing context of an open mission (scored with ``profile`` if no scores given)."""
    from assessment_kit.scoring import default_profile, score_mission

    profile = profile or default_profile()
    if scores is None:
        scores = score_mission(mission, profile=profile)
    return build_context(
        info=mission.info,
        questionnaires=mission.questionnaires,
        scores=scores,
        answers=mission.answers_frame(),
        consolidated=mission.consolidated_frame(),
        respondents=mission.respondents(),
        date=date,
        profile=profile,
    )
