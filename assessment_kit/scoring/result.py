"""Score results: tidy frames, the overall score, JSON for the CLI and a text table."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = ["LeftOutSection", "MissionScores", "OverallScore", "number_or_none"]


def number_or_none(value: Any) -> float | None:
    """A cell of a scores frame as a float, or None for a null (None, NaN, not a number)."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


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


@dataclass(frozen=True, slots=True)
class LeftOutSection:
    """A section a partial assessment does not cover (left out of the scores entirely)."""

    questionnaire: str
    section: str
    title: str


@dataclass(frozen=True)
class MissionScores:
    """The scores of a mission.

    Attributes
    ----------
    areas
        One row per area in the order of ``AREAS``: area, name, score, coverage, low, high,
        band, questions_scored, questions_relevant, explanation, caps. Scores are on 0..100
        and NaN when null (never 0 for "no data"); coverage is 0..1.
    questions
        One row per scored question of the scored questionnaires: questionnaire, question,
        section, text, relevant, value (consolidated value or None), state, score (0..1 or
        NaN), source ('consolidated', 'respondents' or None), n_answers, spread,
        disagreement, weight, gap (weight * (1 - score), NaN unless relevant and scored),
        primary_area, answer (the mission's answer in words, for explanations and briefings).
    question_areas
        questionnaire, question, area, area_weight.
    respondents
        One row per respondent and questionnaire: respondent, institution_type, sector,
        questionnaire, answered, scored (relevant questions), mean_score.
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
    """

    areas: pd.DataFrame
    questions: pd.DataFrame
    question_areas: pd.DataFrame
    respondents: pd.DataFrame
    overall: OverallScore
    profile: str = "default"
    questionnaires: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    left_out: tuple[LeftOutSection, ...] = ()

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
                    "id": str(row["area"]),
                    "name": str(row["name"]),
                    "score": _round(row["score"]),
                    "coverage": _round(row["coverage"], 3),
                    "low": _round(row["low"]),
                    "high": _round(row["high"]),
                    "band": None if row["band"] is None else str(row["band"]),
                    "questions_scored": int(row["questions_scored"]),
                    "questions_relevant": int(row["questions_relevant"]),
                }
                for row in self._area_records()
            ],
            "sections_left_out": [
                {"questionnaire": s.questionnaire, "section": s.section, "title": s.title}
                for s in self.left_out
            ],
        }

    def to_table(self) -> str:
        """A plain-text table of the area scores and the overall score, for a terminal."""

        def number(value: float | None) -> str:
            rounded = _round(value)
            return "—" if rounded is None else f"{rounded:.1f}"

        def percent(value: float | None) -> str:
            rounded = _round(value, 3)
            return "—" if rounded is None else f"{100 * rounded:.0f}%"

        header = ("Area", "Score", "Range", "Coverage", "Band", "Scored")
        lines: list[tuple[str, ...]] = []
        for row in self._area_records():
            score = _round(row["score"])
            lines.append(
                (
                    str(row["name"]),
                    number(row["score"]),
                    "" if score is None else f"{number(row['low'])}–{number(row['high'])}",
                    percent(row["coverage"]),
                    "" if row["band"] is None else str(row["band"]),
                    f"{int(row['questions_scored'])}/{int(row['questions_relevant'])}",
                )
            )
        o = self.overall
        footer = (
            "Overall",
            number(o.score),
            "" if o.score is None else f"{number(o.low)}–{number(o.high)}",
            percent(o.coverage),
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

    def _area_records(self) -> list[dict[str, Any]]:
        return [{str(k): v for k, v in row.items()} for row in self.areas.to_dict("records")]

    def area(self, area_id: str) -> dict[str, Any]:
        """One area's row as a dict (``KeyError`` for an unknown area)."""
        match = self.areas[self.areas["area"] == area_id]
        if match.empty:
            raise KeyError(area_id)
        return {str(k): v for k, v in match.iloc[0].to_dict().items()}
