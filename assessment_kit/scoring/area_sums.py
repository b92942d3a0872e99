"""The seven areas: weighted sums over the (question, area) table, then the profile's caps.

area score = 100 * sum(w a s) / sum(w a) over scored questions, null when none;
coverage = sum(w a) over scored / sum(w a) over relevant, applicable questions;
low / high count every unknown, not-assessed or declined question as 0 / 1. A cap lowers
an area's score, low and high when its condition holds, and says why.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import numpy.typing as npt

from assessment_kit.areas import AREA_IDS
from assessment_kit.questionnaire.model import NO_CASES, AnswerValue
from assessment_kit.scoring.build import AreaTables
from assessment_kit.scoring.layout import Layout
from assessment_kit.scoring.profile import ScoringProfile
from assessment_kit.scoring.relevance import MissionValues
from assessment_kit.scoring.responses import OUT, SCORED_CODE, UNCERTAIN

__all__ = ["apply_caps", "area_sums"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def area_sums(plan: Layout, relevant: BoolArray, state: IntArray, score: FloatArray) -> AreaTables:
    """Score, range, coverage and question counts of every area (no cap applied)."""
    n = len(AREA_IDS)
    links = plan.links
    q = links.question
    wa = plan.weight[q] * links.weight
    rel = relevant[q]
    st = state[q]
    scored = rel & (st == SCORED_CODE)
    uncertain = rel & np.isin(st, UNCERTAIN)
    applicable = rel & ~np.isin(st, OUT)
    s = np.where(scored, score[q], 0.0)
    num = np.bincount(links.area, weights=wa * s, minlength=n)
    den = np.bincount(links.area, weights=np.where(scored, wa, 0.0), minlength=n)
    unc = np.bincount(links.area, weights=np.where(uncertain, wa, 0.0), minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        has = den > 0
        value = np.where(has, 100.0 * num / den, np.nan)
        low = np.where(has, 100.0 * num / (den + unc), np.nan)
        high = np.where(has, 100.0 * (num + unc) / (den + unc), np.nan)
        coverage = np.where(den + unc > 0, den / (den + unc), np.nan)
    return AreaTables(
        score=np.clip(value, 0.0, 100.0),
        low=np.clip(low, 0.0, 100.0),
        high=np.clip(high, 0.0, 100.0),
        coverage=coverage,
        n_scored=np.bincount(links.area[scored], minlength=n),
        n_relevant=np.bincount(links.area[applicable], minlength=n),
        links=links,
    )


def apply_caps(
    profile: ScoringProfile,
    plan: Layout,
    relevant: BoolArray,
    score: FloatArray,
    mission_values: list[MissionValues],
    areas: AreaTables,
) -> AreaTables:
    """The areas with the profile's caps applied: score, low and high lowered, and why."""
    capped = {name: getattr(areas, name).copy() for name in ("score", "low", "high")}
    reasons: list[list[str]] = [[] for _ in AREA_IDS]
    for cap in profile.caps:
        g = plan.index(cap.questionnaire, cap.question)
        if g is None or not relevant[g]:
            continue
        value = mission_values[plan.names.index(cap.questionnaire)].get(cap.question)
        if value == NO_CASES or value == (NO_CASES,):
            continue  # the absence of cases is never a negative finding
        if cap.value is not None:
            hit = _value_matches(value, cap.value)
        else:
            assert cap.score_below is not None
            hit = not math.isnan(score[g]) and score[g] < cap.score_below
        a = AREA_IDS.index(cap.area)
        if not hit or math.isnan(capped["score"][a]):
            continue  # a null score stays null, and the area says "not scored", not "capped"
        for array in capped.values():
            array[a] = min(array[a], cap.max)
        reasons[a].append(f"capped at {cap.max:g}: {cap.reason}")
    return dataclasses.replace(areas, **capped, caps=tuple(reasons))


def _value_matches(value: AnswerValue | None, wanted: str) -> bool:
    """Whether a mission value is a cap's ``value``.

    It is when it is that choice or state, has it among the selected choices of a
    ``multiple`` answer, or is that number (the profile keeps ``value: 0`` as the text "0").
    """
    if isinstance(value, tuple):
        return wanted in value
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return float(wanted) == value
        except ValueError:
            return False
    return value == wanted
