"""The briefing's "Progress since the baseline" section, from a follow-up's comparison.

Pure data, as the rest of the briefing context: every number is the one ``assessment-kit
compare --json`` prints (area scores and changes on 0..100 with one decimal; question
scores, which the comparison keeps on 0..1 with three decimals, shown on 0..100 with one,
the same number), so the briefing and the command never disagree. Nothing here comes from
respondents: question and recommendation texts are the questionnaire's, the rest are
scores, so no code, name or note can reach this section.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assessment_kit.areas import AREAS
from assessment_kit.scoring.compare import (
    WORDS,
    AreaChange,
    Comparison,
    round_question,
    round_score,
)

if TYPE_CHECKING:
    from assessment_kit.scoring import MissionScores, ScoringProfile
    from assessment_kit.store import Mission

__all__ = [
    "MAX_WORSENED",
    "ProgressArea",
    "ProgressQuestion",
    "ProgressRecommendation",
    "ProgressSection",
    "baseline_progress",
    "progress_section",
]

#: How many of the questions that worsened the briefing lists (the largest falls first);
#: ``compare`` lists them all.
MAX_WORSENED = 15

_AREA_NAMES = {area.id: area.name for area in AREAS}


@dataclass(frozen=True, slots=True)
class ProgressArea:
    """One row of the then-and-now table, as printed."""

    name: str
    then: str
    now: str
    change: str
    verdict: str
    then_range: str
    now_range: str
    coverage: str


@dataclass(frozen=True, slots=True)
class ProgressRecommendation:
    """A baseline recommendation and its status, as printed."""

    number: int
    area_name: str
    text: str
    then: str
    now: str
    status: str
    status_id: str


@dataclass(frozen=True, slots=True)
class ProgressQuestion:
    """A question that worsened, as printed."""

    text: str
    area_name: str
    then: str
    now: str
    change: str


@dataclass(frozen=True, slots=True)
class ProgressSection:
    """Everything the progress section shows."""

    heading: str
    baseline_title: str
    baseline_period: str
    versions: str
    areas: tuple[ProgressArea, ...]
    overall: ProgressArea
    real_changes: tuple[str, ...]
    recommendations: tuple[ProgressRecommendation, ...]
    recommendation_summary: str
    questions_summary: str
    worsened: tuple[ProgressQuestion, ...]
    worsened_more: int


def _month(comparison: Comparison) -> str:
    ref = comparison.baseline
    when = None if ref is None else (ref.start_date or ref.end_date)
    return "" if when is None else f"{when.strftime('%B')} {when.year}"


def _score(value: float | None) -> str:
    rounded = round_score(value)
    return "—" if rounded is None else f"{rounded:.1f}"


def _question(value: float | None) -> str:
    """A question's score (0..1 to three decimals in the JSON) on 0..100: the same number."""
    rounded = round_question(value)
    return "—" if rounded is None else f"{100 * rounded:.1f}"


def _signed(value: float | None, scale: float = 1.0) -> str:
    return "—" if value is None else f"{scale * value:+.1f}"


def _range(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return "—"
    return f"{_score(low)}–{_score(high)}"


def _percent(value: float | None) -> str:
    rounded = round_score(value, 3)
    return "—" if rounded is None else f"{100 * rounded:.0f}%"


def _versions(comparison: Comparison) -> str:
    """What the instruments' versions mean for the comparison, in a sentence ("" if same)."""
    changed = [i for i in comparison.instruments if i.baseline_version != i.followup_version]
    if not changed:
        return ""
    named = "; ".join(
        f"{i.id.replace('_', ' ').capitalize()} {i.baseline_version} then, {i.followup_version} now"
        for i in changed
    )
    return (
        f"The instruments were revised in between ({named}): a renamed question is compared "
        "with its old self, each part of a split question with the question it came from, "
        "and a merged question with the mean of those it merged; questions new or dropped "
        "are not counted as change."
    )


def _area_row(change: AreaChange) -> ProgressArea:
    return ProgressArea(
        name=change.name,
        then=_score(change.then.score),
        now=_score(change.now.score),
        change=_signed(change.printed_change),
        verdict=WORDS[change.verdict],
        then_range=_range(change.then.low, change.then.high),
        now_range=_range(change.now.low, change.now.high),
        coverage=f"{_percent(change.then.coverage)} → {_percent(change.now.coverage)}",
    )


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def progress_section(comparison: Comparison) -> ProgressSection:
    """The progress section of a follow-up's briefing."""
    month = _month(comparison)
    ref = comparison.baseline
    period = ""
    if ref is not None and ref.start_date is not None:
        start = f"{ref.start_date.day} {ref.start_date.strftime('%B')} {ref.start_date.year}"
        period = start
        if ref.end_date is not None:
            end = ref.end_date
            period = f"{start} to {end.day} {end.strftime('%B')} {end.year}"
    json = comparison.to_json()
    overall = json["overall"]
    recs = comparison.recommendation_counts()
    questions = comparison.question_counts()
    worsened = comparison.worsened()
    return ProgressSection(
        heading="Progress since the baseline" + (f" ({month})" if month else ""),
        baseline_title="" if ref is None else ref.title,
        baseline_period=period,
        versions=_versions(comparison),
        areas=tuple(_area_row(change) for change in comparison.areas),
        overall=ProgressArea(
            name="Overall",
            then=_score(overall["then"]),
            now=_score(overall["now"]),
            change=_signed(overall["change"]),
            verdict="",
            then_range="",
            now_range="",
            coverage="",
        ),
        real_changes=tuple(
            f"{change.name} ({_signed(change.printed_change)})"
            for change in comparison.areas
            if change.real
        ),
        recommendations=tuple(
            ProgressRecommendation(
                number=index,
                area_name=_AREA_NAMES.get(status.area, status.area),
                text=status.text,
                then=_question(status.then_score),
                now=_question(status.now_score),
                status=WORDS[status.status],
                status_id=status.status.replace("_", "-"),
            )
            for index, status in enumerate(comparison.recommendations, start=1)
        ),
        recommendation_summary=(
            f"Of the {_count(len(comparison.recommendations), 'recommendation', 'recommendations')}"
            f" of the baseline, {recs['acted_on']} acted on, {recs['partly']} partly, "
            f"{recs['not_yet']} not yet; cannot tell for {recs['cannot_tell']}."
        ),
        questions_summary=(
            f"Of the {_count(len(comparison.questions), 'question', 'questions')} compared, "
            f"{questions['improved']} improved, {questions['worsened']} worsened and "
            f"{questions['unchanged']} are unchanged; {questions['now_scored']} have a score "
            f"now and had none then, {questions['no_longer_scored']} had one then and have "
            f"none now (unknown, not assessed, not applicable, no cases in the period or not "
            f"asked), and {questions['not_scored']} have none either time. "
            f"{_count(len(comparison.new), 'question is', 'questions are')} new in the "
            f"follow-up and {_count(len(comparison.dropped), 'was', 'were')} dropped from it: "
            "neither is counted as change."
        ),
        worsened=tuple(
            ProgressQuestion(
                text=question.text,
                area_name=_AREA_NAMES.get(question.area or "", ""),
                then=_question(question.then.score),
                now=_question(question.now.score),
                change=_signed(question.printed_change, 100.0),
            )
            for question in worsened[:MAX_WORSENED]
        ),
        worsened_more=max(0, len(worsened) - MAX_WORSENED),
    )


def baseline_progress(
    mission: Mission,
    baseline: str | Path,
    scores: MissionScores,
    profile: ScoringProfile | None,
) -> tuple[ProgressSection, dict[str, Any]]:
    """A follow-up's progress since ``baseline``: the briefing's section and its chart's spec.

    Raises
    ------
    ComparisonError
        The mission records no baseline, ``baseline`` is another mission, or the two use
        different instruments.
    """
    from assessment_kit import charts
    from assessment_kit.scoring.compare import compare_with_baseline

    comparison = compare_with_baseline(mission, baseline, profile=profile, scores=scores)
    spec = charts.progress_spec(comparison)
    spec["layout"] = charts.updated(spec["layout"], {"width": 820})
    return progress_section(comparison), spec
