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

from assessment_kit import i18n
from assessment_kit.areas import AREAS
from assessment_kit.i18n import _, ngettext
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
    return "" if when is None else i18n.format_month(when)


def _score(value: float | None) -> str:
    rounded = round_score(value)
    return "—" if rounded is None else i18n.format_decimal(rounded, 1)


def _question(value: float | None) -> str:
    """A question's score (0..1 to three decimals in the JSON) on 0..100: the same number."""
    rounded = round_question(value)
    return "—" if rounded is None else i18n.format_decimal(100 * rounded, 1)


def _signed(value: float | None, scale: float = 1.0) -> str:
    return "—" if value is None else f"{scale * value:+.1f}"


def _range(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return "—"
    return f"{_score(low)}–{_score(high)}"


def _percent(value: float | None) -> str:
    rounded = round_score(value, 3)
    return "—" if rounded is None else i18n.format_percent(100 * rounded)


def _versions(comparison: Comparison) -> str:
    """What the instruments' versions mean for the comparison, in a sentence ("" if same)."""
    changed = [i for i in comparison.instruments if i.baseline_version != i.followup_version]
    if not changed:
        return ""
    named = "; ".join(
        _("{instrument} {then} then, {now} now").format(
            instrument=_(i.id.replace("_", " ").capitalize()),
            then=i.baseline_version,
            now=i.followup_version,
        )
        for i in changed
    )
    return _(
        "The instruments were revised in between ({named}): a renamed question is compared "
        "with its old self, each part of a split question with the question it came from, "
        "and a merged question with the mean of those it merged; questions new or dropped "
        "are not counted as change."
    ).format(named=named)


def _area_row(change: AreaChange) -> ProgressArea:
    return ProgressArea(
        name=_(change.name),
        then=_score(change.then.score),
        now=_score(change.now.score),
        change=_signed(change.printed_change),
        verdict=_(WORDS[change.verdict]),
        then_range=_range(change.then.low, change.then.high),
        now_range=_range(change.now.low, change.now.high),
        coverage=f"{_percent(change.then.coverage)} → {_percent(change.now.coverage)}",
    )


def progress_section(comparison: Comparison, language: str = "en") -> ProgressSection:
    """The progress section of a follow-up's briefing, in ``language``."""
    with i18n.language(language):
        return _progress_section(comparison)


def _progress_section(comparison: Comparison) -> ProgressSection:
    month = _month(comparison)
    ref = comparison.baseline
    period = ""
    if ref is not None and ref.start_date is not None:
        start = i18n.format_date(ref.start_date)
        period = start
        if ref.end_date is not None:
            period = _("{start} to {end}").format(start=start, end=i18n.format_date(ref.end_date))
    json = comparison.to_json()
    overall = json["overall"]
    recs = comparison.recommendation_counts()
    questions = comparison.question_counts()
    worsened = comparison.worsened()
    return ProgressSection(
        heading=_("Progress since the baseline") + (f" ({month})" if month else ""),
        baseline_title="" if ref is None else ref.title,
        baseline_period=period,
        versions=_versions(comparison),
        areas=tuple(_area_row(change) for change in comparison.areas),
        overall=ProgressArea(
            name=_("Overall"),
            then=_score(overall["then"]),
            now=_score(overall["now"]),
            change=_signed(overall["change"]),
            verdict="",
            then_range="",
            now_range="",
            coverage="",
        ),
        real_changes=tuple(
            f"{_(change.name)} ({_signed(change.printed_change)})"
            for change in comparison.areas
            if change.real
        ),
        recommendations=tuple(
            ProgressRecommendation(
                number=index,
                area_name=_(_AREA_NAMES.get(status.area, status.area)),
                text=status.text,
                then=_question(status.then_score),
                now=_question(status.now_score),
                status=_(WORDS[status.status]),
                status_id=status.status.replace("_", "-"),
            )
            for index, status in enumerate(comparison.recommendations, start=1)
        ),
        recommendation_summary=ngettext(
            "Of the {count} recommendation of the baseline, {acted_on} acted on, {partly} "
            "partly, {not_yet} not yet; cannot tell for {cannot_tell}.",
            "Of the {count} recommendations of the baseline, {acted_on} acted on, {partly} "
            "partly, {not_yet} not yet; cannot tell for {cannot_tell}.",
            len(comparison.recommendations),
        ).format(count=len(comparison.recommendations), **recs),
        questions_summary=_questions_summary(comparison, questions),
        worsened=tuple(
            ProgressQuestion(
                text=question.text,
                area_name=_(_AREA_NAMES[question.area]) if question.area in _AREA_NAMES else "",
                then=_question(question.then.score),
                now=_question(question.now.score),
                change=_signed(question.printed_change, 100.0),
            )
            for question in worsened[:MAX_WORSENED]
        ),
        worsened_more=max(0, len(worsened) - MAX_WORSENED),
    )


def _questions_summary(comparison: Comparison, questions: Any) -> str:
    compared = ngettext(
        "Of the {count} question compared, {improved} improved, {worsened} worsened and "
        "{unchanged} are unchanged; {now_scored} have a score now and had none then, "
        "{no_longer_scored} had one then and have none now (unknown, not assessed, not "
        "applicable, no cases in the period or not asked), and {not_scored} have none "
        "either time.",
        "Of the {count} questions compared, {improved} improved, {worsened} worsened and "
        "{unchanged} are unchanged; {now_scored} have a score now and had none then, "
        "{no_longer_scored} had one then and have none now (unknown, not assessed, not "
        "applicable, no cases in the period or not asked), and {not_scored} have none "
        "either time.",
        len(comparison.questions),
    ).format(count=len(comparison.questions), **questions)
    new = ngettext(
        "{count} question is new in the follow-up",
        "{count} questions are new in the follow-up",
        len(comparison.new),
    ).format(count=len(comparison.new))
    dropped = ngettext(
        "and {count} was dropped from it: neither is counted as change.",
        "and {count} were dropped from it: neither is counted as change.",
        len(comparison.dropped),
    ).format(count=len(comparison.dropped))
    return f"{compared} {new} {dropped}"


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
    language = mission.info.language
    with i18n.language(language):
        spec = charts.progress_spec(comparison)
    spec["layout"] = charts.updated(spec["layout"], {"width": 820})
    return progress_section(comparison, language), spec
