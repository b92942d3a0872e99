"""Score results: typed records, their frame views, the overall score, JSON and a text table."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from assessment_kit.scoring.records import (
    AreaScore,
    QuestionArea,
    QuestionScore,
    RespondentScore,
    clean_number,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LeftOutSection", "MissionScores", "Overall", "OverallScore", "number_or_none"]

#: A cell of a scores frame as a float, or None for a null (None, NaN, not a number).
#: The typed records hold clean values already; this stays for frame users.
number_or_none = clean_number


def _round(value: Any, digits: int = 1) -> float | None:
    """A JSON number rounded to ``digits``, or None for a null (None or NaN)."""
    number = number_or_none(value)
    return None if number is None else round(number, digits)


@dataclass(frozen=True, slots=True)
class OverallScore:
    """The overall score: the mean of the non-null area scores (None when there are none).

    ``low`` and ``high`` are the means of the areas' lows and highs, ``coverage`` (0..1)
    the mean of the areas' coverage.
    """

    score: float | None
    low: float | None
    high: float | None
    coverage: float | None
    band: str | None


#: The overall score (the name the typed results use).
Overall = OverallScore


@dataclass(frozen=True, slots=True)
class LeftOutSection:
    """A section a partial assessment does not cover (left out of the scores entirely)."""

    questionnaire: str
    section: str
    title: str


@dataclass(frozen=True)
class MissionScores:
    """The scores of a mission, as typed records with frame views.

    Attributes
    ----------
    area_scores
        One :class:`AreaScore` per area in the order of ``AREAS``.
    question_scores
        One :class:`QuestionScore` per scored question of the scored questionnaires, in
        questionnaire order.
    links
        One :class:`QuestionArea` per (question, area) weight.
    respondent_scores
        One :class:`RespondentScore` per respondent and questionnaire.
    overall
        The overall score.
    profile
        The name of the scoring profile used.
    questionnaires
        The ids of the questionnaires scored.
    warnings
        Things the engine worked around (an expression that failed, a consolidated value
        that is not a choice).
    left_out
        The sections a partial assessment does not cover: their questions are neither
        scored nor counted as gaps, and are out of the coverage and the range.

    The frames ``areas``, ``questions``, ``question_areas`` and ``respondents`` are views
    of the records (``to_frame``), with NaN for null numbers:

    areas
        area, name, score, coverage, low, high, band, questions_scored,
        questions_relevant, explanation, caps. Scores are on 0..100 and NaN when null
        (never 0 for "no data"); coverage is 0..1.
    questions
        questionnaire, question, section, text, relevant, value (consolidated value or
        None), state, score (0..1 or NaN), source ('consolidated', 'respondents' or None),
        n_answers, spread, disagreement, weight, gap (weight * (1 - score), NaN unless
        relevant and scored), primary_area, answer (the mission's answer in words).
    question_areas
        questionnaire, question, area, area_weight.
    respondents
        respondent, institution_type, sector, questionnaire, answered, scored (relevant
        questions), mean_score.
    """

    area_scores: tuple[AreaScore, ...]
    question_scores: tuple[QuestionScore, ...]
    links: tuple[QuestionArea, ...]
    respondent_scores: tuple[RespondentScore, ...]
    overall: OverallScore
    profile: str = "default"
    questionnaires: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    left_out: tuple[LeftOutSection, ...] = ()

    @cached_property
    def areas(self) -> pd.DataFrame:
        """The area scores as a frame (one row per area)."""
        return AreaScore.to_frame(self.area_scores)

    @cached_property
    def questions(self) -> pd.DataFrame:
        """The question scores as a frame (one row per scored question)."""
        return QuestionScore.to_frame(self.question_scores)

    @cached_property
    def question_areas(self) -> pd.DataFrame:
        """The question-area weights as a frame."""
        return QuestionArea.to_frame(self.links)

    @cached_property
    def respondents(self) -> pd.DataFrame:
        """The respondent summaries as a frame."""
        return RespondentScore.to_frame(self.respondent_scores)

    def area_score(self, area_id: str) -> AreaScore:
        """One area's record (``KeyError`` for an unknown area)."""
        for record in self.area_scores:
            if record.area == area_id:
                return record
        raise KeyError(area_id)

    def to_json(self) -> dict[str, Any]:
        """The scores as ``assessment-kit score --json`` prints them.

        Scores, lows and highs on 0..100 rounded to one decimal, coverage 0..1 rounded to
        three decimals, None for null.
        """
        overall = self.overall
        return {
            "overall": {
                "score": _round(overall.score),
                "low": _round(overall.low),
                "high": _round(overall.high),
                "coverage": _round(overall.coverage, 3),
                "band": overall.band,
            },
            "areas": [
                {
                    "id": area.area,
                    "name": area.name,
                    "score": _round(area.score),
                    "coverage": _round(area.coverage, 3),
                    "low": _round(area.low),
                    "high": _round(area.high),
                    "band": area.band,
                    "questions_scored": area.questions_scored,
                    "questions_relevant": area.questions_relevant,
                }
                for area in self.area_scores
            ],
            "sections_left_out": [
                {"questionnaire": s.questionnaire, "section": s.section, "title": s.title}
                for s in self.left_out
            ],
        }

    def to_table(self) -> str:
        """A plain-text table of the area scores and the overall score, for a terminal."""
        header = ("Area", "Score", "Range", "Coverage", "Band", "Scored")
        lines = [
            (
                area.name,
                _number(area.score),
                "" if _round(area.score) is None else f"{_number(area.low)}–{_number(area.high)}",
                _percent(area.coverage),
                area.band or "",
                f"{area.questions_scored}/{area.questions_relevant}",
            )
            for area in self.area_scores
        ]
        o = self.overall
        footer = (
            "Overall",
            _number(o.score),
            "" if o.score is None else f"{_number(o.low)}–{_number(o.high)}",
            _percent(o.coverage),
            o.band or "",
            "",
        )
        widths = [max(len(r[i]) for r in [header, *lines, footer]) for i in range(len(header))]

        def render(cells: tuple[str, ...]) -> str:
            out = [cells[0].ljust(widths[0])]
            out += [cell.rjust(width) for cell, width in zip(cells[1:4], widths[1:4], strict=True)]
            out += [cells[4].ljust(widths[4]), cells[5].rjust(widths[5])]
            return "  ".join(out).rstrip()

        rule = "  ".join("-" * w for w in widths)
        return "\n".join([render(header), rule, *map(render, lines), rule, render(footer)])

    def area(self, area_id: str) -> dict[str, Any]:
        """One area's row of the ``areas`` frame as a dict (``KeyError`` for an unknown area)."""
        match = self.areas[self.areas["area"] == area_id]
        if match.empty:
            raise KeyError(area_id)
        return {str(k): v for k, v in match.iloc[0].to_dict().items()}


def _number(value: float | None) -> str:
    rounded = _round(value)
    return "—" if rounded is None else f"{rounded:.1f}"


def _percent(value: float | None) -> str:
    rounded = _round(value, 3)
    return "—" if rounded is None else f"{100 * rounded:.0f}%"
