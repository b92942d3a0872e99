"""The briefing context: everything the briefing says, as plain frozen data.

Built from a mission and its scores, before any HTML, chart or PDF, by job:

- :mod:`~assessment_kit.briefing.privacy`: what may be said of respondents' answers
  (counts per answer; notes and evidence neither confidential, declined nor sensitive;
  every respondent code and interviewer name scrubbed, see
  :mod:`assessment_kit.briefing.text`);
- :mod:`~assessment_kit.briefing.facts`: each question's text, area and answer in words;
- :mod:`~assessment_kit.briefing.recommendations`: scoring's recommendations, numbered;
- :mod:`~assessment_kit.briefing.area_pages`: one page per area;
- :mod:`~assessment_kit.briefing.methodology`: the methodology and data annexes;
- :mod:`~assessment_kit.briefing.parts`: the records the templates read.

What is weak, weakest or a priority is scoring's one definition
(:mod:`assessment_kit.scoring.rank`); nothing here recomputes it.
Text stays raw here; escaping is the renderer's job (Jinja autoescape).
This module imports neither plotly nor nbconvert.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assessment_kit import i18n
from assessment_kit.briefing.area_pages import MAX_FINDINGS as MAX_FINDINGS
from assessment_kit.briefing.area_pages import MAX_OBSERVATIONS as MAX_OBSERVATIONS
from assessment_kit.briefing.area_pages import area_pages
from assessment_kit.briefing.facts import MissionFacts, shown, summary
from assessment_kit.briefing.methodology import annex, methodology
from assessment_kit.briefing.parts import (
    AnnexRow,
    AreaSection,
    Disagreement,
    Finding,
    Methodology,
    Observation,
    RecommendationGroup,
    RecommendationItem,
    Reference,
    ScoreSummary,
)
from assessment_kit.briefing.privacy import records, respondent_text, scrubber
from assessment_kit.briefing.recommendations import briefing_recommendations, groups, tools
from assessment_kit.briefing.text import printable, shorten
from assessment_kit.questionnaire.model import Questionnaire
from assessment_kit.scoring.rank import STRONG as STRONG
from assessment_kit.scoring.rank import WEAK as WEAK

if TYPE_CHECKING:
    from assessment_kit.briefing.progress import ProgressSection
    from assessment_kit.scoring import MissionScores, ScoringProfile
    from assessment_kit.scoring.layout import AnswerTable
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

#: How much of the country's name the running footer shows.
FOOTER_COUNTRY_LIMIT = 60


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
    #: A follow-up's progress since its baseline (None unless the baseline was given).
    progress: ProgressSection | None = None
    #: The language the briefing is written in (the mission's).
    language: str = "en"

    @property
    def title(self) -> str:
        """The briefing's title (the same for every mission)."""
        with i18n.language(self.language):
            return i18n._("Needs assessment of the national response to trafficking in persons")

    @property
    def instrument_titles(self) -> dict[str, str]:
        """Instrument titles by questionnaire id."""
        return {qid: title for qid, title, _ in self.instruments}

    @property
    def date_text(self) -> str:
        """The briefing date in words (``20 March 2026``)."""
        return i18n.format_date(self.date, self.language)

    @property
    def period_text(self) -> str:
        """The mission's dates in words, or "" when no start date was set."""
        with i18n.language(self.language):
            if self.start_date and self.end_date:
                return i18n._("{start} to {end}").format(
                    start=i18n.format_date(self.start_date), end=i18n.format_date(self.end_date)
                )
            if self.start_date:
                return i18n._("from {start}").format(start=i18n.format_date(self.start_date))
        return ""

    @property
    def footer(self) -> str:
        """The text of every page's footer: country, briefing, date.

        A long country name is cut with an ellipsis to keep the footer on one line.
        """
        country = shorten(printable(self.country), FOOTER_COUNTRY_LIMIT)
        with i18n.language(self.language):
            briefing = i18n._("Needs assessment briefing")
        return f"{country} · {briefing} · {self.date_text}"


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


def build_context(
    *,
    info: MissionInfo,
    questionnaires: Mapping[str, Questionnaire],
    scores: MissionScores,
    answers: AnswerTable,
    consolidated: AnswerTable | None,
    respondents: Sequence[Respondent],
    date: dt.date | None = None,
    profile: ScoringProfile | None = None,
) -> BriefingContext:
    """Build the briefing context from a mission's parts (pure: no I/O).

    Parameters
    ----------
    info, questionnaires, answers, consolidated, respondents
        As the mission store gives them (``answers_table()`` and ``consolidated_table()``,
        or their frames).
    scores
        The mission's scores (``score_mission``).
    date
        The briefing date; by default ``SOURCE_DATE_EPOCH`` or today.
    profile
        The scoring profile the scores were made with, for its bands.
    """
    # Everything the context says in words is said in the mission's language.
    with i18n.language(info.language):
        return _build_context(
            info=info,
            questionnaires=questionnaires,
            scores=scores,
            answers=answers,
            consolidated=consolidated,
            respondents=respondents,
            date=date,
            profile=profile,
        )


def _build_context(
    *,
    info: MissionInfo,
    questionnaires: Mapping[str, Questionnaire],
    scores: MissionScores,
    answers: AnswerTable,
    consolidated: AnswerTable | None,
    respondents: Sequence[Respondent],
    date: dt.date | None,
    profile: ScoringProfile | None,
) -> BriefingContext:
    scrub = scrubber(respondents)
    facts = MissionFacts.of(scores, questionnaires, scrub)
    said = respondent_text(facts, records(answers), records(consolidated))
    recommendations = briefing_recommendations(scores, facts)
    sections = area_pages(scores, facts, said, recommendations)
    overall = summary(scores.overall)
    instruments = tuple(
        (qid, shown(questionnaires[qid].title) if qid in questionnaires else qid, version)
        for qid, version in info.instruments
        if not scores.questionnaires or qid in scores.questionnaires
    )
    method = methodology(scores, facts, respondents, instruments, said.consolidated, profile)
    return BriefingContext(
        country=info.country,
        mission_title=info.title,
        start_date=info.start_date,
        end_date=info.end_date,
        date=briefing_date(date),
        instruments=instruments,
        overall=overall,
        areas=sections,
        recommendations=recommendations,
        recommendation_groups=groups(recommendations),
        tools=tools(recommendations),
        key_messages=_key_messages(overall, sections, recommendations, method),
        methodology=method,
        annex=annex(facts),
        warnings=tuple(scrub(warning) for warning in scores.warnings),
        language=info.language,
    )


def _band(band: str | None) -> str:
    """A band's label in the language in force ("" for none)."""
    return i18n._(band) if band else ""


def _key_messages(
    overall: ScoreSummary,
    sections: Sequence[AreaSection],
    recommendations: Sequence[RecommendationItem],
    methodology: Methodology,
) -> tuple[str, ...]:
    _ = i18n._
    messages: list[str] = []
    if overall.score is not None:
        messages.append(
            _(
                "The overall score is {score} out of 100 ({band}), within a range of {range} "
                "depending on the questions not yet answered; {coverage} of the weighted "
                "questions have a scored answer."
            ).format(
                score=overall.text(),
                band=_band(overall.band),
                range=overall.range_text(),
                coverage=overall.coverage_text(),
            )
        )
    else:
        messages.append(_("No area has a score yet: no relevant question has a scored answer."))
    scored = [s for s in sections if s.score.score is not None]
    if len(scored) >= 2:
        best = max(scored, key=lambda s: s.score.score or 0.0)
        worst = min(scored, key=lambda s: s.score.score or 0.0)
        messages.append(
            _(
                "The strongest area is {best} ({best_score}, {best_band}); "
                "the weakest is {worst} ({worst_score}, {worst_band})."
            ).format(
                best=best.name,
                best_score=best.score.text(),
                best_band=_band(best.score.band),
                worst=worst.name,
                worst_score=worst.score.text(),
                worst_band=_band(worst.score.band),
            )
        )
    unscored = [s.name for s in sections if s.score.score is None]
    if unscored:
        messages.append(_("No score yet for: {areas}.").format(areas=", ".join(unscored)))
    thin = [s.name for s in scored if s.score.coverage is not None and s.score.coverage < 0.5]
    if thin:
        messages.append(
            _(
                "Coverage is below half in {areas}: these scores rest on few answers "
                "and should be read with their range."
            ).format(areas=", ".join(thin))
        )
    if methodology.left_out:
        named = "; ".join(
            f"{section} ({instrument})" for instrument, section in methodology.left_out
        )
        # One line if it can: the summary page is full.
        messages.append(_("Partial assessment: {sections} not assessed.").format(sections=named))
    if methodology.disagreements:
        messages.append(
            i18n.ngettext(
                "Respondents disagreed on {count} question; the team's consolidated answers "
                "are used where they were set.",
                "Respondents disagreed on {count} questions; the team's consolidated answers "
                "are used where they were set.",
                methodology.disagreements,
            ).format(count=methodology.disagreements)
        )
    if recommendations:
        top = ", ".join(f"{item.label} ({item.area_name})" for item in recommendations[:3])
        messages.append(
            i18n.ngettext(
                "{count} recommendation follow from weak answers; the highest priorities "
                "are {top}.",
                "{count} recommendations follow from weak answers; the highest priorities "
                "are {top}.",
                len(recommendations),
            ).format(count=len(recommendations), top=top)
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
        answers=mission.answers_table(),  # no pandas on the export's path
        consolidated=mission.consolidated_table(),
        respondents=mission.respondents(),
        date=date,
        profile=profile,
    )
