"""The engine's last step: its per-question and per-area arrays become typed records.

Kept apart from :mod:`assessment_kit.scoring.engine` (which computes the arrays) so that
the records are built in one place, with every null cleaned to ``None`` once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from assessment_kit.areas import AREA_IDS, AREAS
from assessment_kit.columns import cells, factorize
from assessment_kit.questionnaire.model import AnswerValue, Question
from assessment_kit.scoring.explain import answer_label, explain_area
from assessment_kit.scoring.layout import AreaLinks
from assessment_kit.scoring.profile import ScoringProfile
from assessment_kit.scoring.records import (
    AreaScore,
    QuestionArea,
    QuestionScore,
    RespondentScore,
    clean_number,
)
from assessment_kit.scoring.result import OverallScore

if TYPE_CHECKING:
    from assessment_kit.scoring.layout import AnswerTable

__all__ = [
    "AreaTables",
    "QuestionTables",
    "area_records",
    "link_records",
    "overall_score",
    "question_records",
    "respondent_records",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class QuestionTables:
    """Per-question arrays of the engine, indexed by global question index."""

    questions: Sequence[Question]
    questionnaire: Sequence[str]  # each question's questionnaire id
    primary_area: Sequence[str | None]
    relevant: BoolArray
    value: Sequence[AnswerValue | None]  # the consolidated value, or None
    consolidated: BoolArray
    state: Sequence[str]  # each question's state name
    score: FloatArray  # 0..1, NaN unless scored
    n_answers: IntArray
    spread: FloatArray
    disagreement: BoolArray
    weight: FloatArray


@dataclass(frozen=True, eq=False)
class AreaTables:
    """Per-area arrays (in ``AREAS`` order), the reasons of their caps, and the (question,
    area) table they were summed over."""

    score: FloatArray
    low: FloatArray
    high: FloatArray
    coverage: FloatArray
    n_scored: IntArray
    n_relevant: IntArray
    links: AreaLinks
    caps: Sequence[Sequence[str]] = ((),) * len(AREA_IDS)


def question_records(tables: QuestionTables, in_frame: BoolArray) -> list[QuestionScore]:
    """One record per question where ``in_frame`` (scored and assessed), in order."""
    records = []
    for g in np.flatnonzero(in_frame).tolist():
        scored = tables.state[g] == "scored"
        score = clean_number(tables.score[g])
        weight = float(tables.weight[g])
        gap = weight * (1.0 - float(tables.score[g])) if tables.relevant[g] and scored else None
        n_answers = int(tables.n_answers[g])
        has_cons = bool(tables.consolidated[g])
        question = tables.questions[g]
        records.append(
            QuestionScore(
                questionnaire=tables.questionnaire[g],
                question=question.id,
                section=question.section,
                text=question.text.en,
                relevant=bool(tables.relevant[g]),
                value=tables.value[g],
                state=tables.state[g],
                score=score,
                source="consolidated" if has_cons else ("respondents" if n_answers else None),
                n_answers=n_answers,
                spread=clean_number(tables.spread[g]),
                disagreement=bool(tables.disagreement[g]),
                weight=weight,
                gap=gap,
                primary_area=tables.primary_area[g],
                answer=answer_label(
                    question, tables.value[g], tables.state[g], tables.score[g], tables.spread[g]
                ),
            )
        )
    return records


def link_records(tables: QuestionTables, areas: AreaTables) -> list[QuestionArea]:
    """One record per row of the (question, area) table."""
    return [
        QuestionArea(
            questionnaire=tables.questionnaire[q],
            question=tables.questions[q].id,
            area=AREA_IDS[a],
            area_weight=float(w),
        )
        for q, a, w in zip(
            areas.links.question.tolist(),
            areas.links.area.tolist(),
            areas.links.weight.tolist(),
            strict=True,
        )
    ]


def area_records(
    areas: AreaTables,
    profile: ScoringProfile,
    questions: Sequence[QuestionScore],
    in_frame: BoolArray,
    relevant: BoolArray,
) -> list[AreaScore]:
    """One record per area in ``AREAS`` order, with its plain-language explanation."""
    row_of = np.cumsum(in_frame) - 1  # global question index -> index in ``questions``
    records = []
    for a, spec in enumerate(AREAS):
        links = areas.links
        picked = (links.area == a) & relevant[links.question]
        members = [
            (questions[int(row_of[g])], float(w))
            for g, w in zip(links.question[picked], links.weight[picked], strict=True)
        ]
        records.append(
            AreaScore(
                area=spec.id,
                name=spec.name,
                score=clean_number(areas.score[a]),
                coverage=clean_number(areas.coverage[a]),
                low=clean_number(areas.low[a]),
                high=clean_number(areas.high[a]),
                band=profile.band(float(areas.score[a])),
                questions_scored=int(areas.n_scored[a]),
                questions_relevant=int(areas.n_relevant[a]),
                explanation=explain_area(
                    score=float(areas.score[a]),
                    coverage=float(areas.coverage[a]),
                    n_scored=int(areas.n_scored[a]),
                    n_relevant=int(areas.n_relevant[a]),
                    members=members,
                    caps=areas.caps[a],
                ),
                caps="; ".join(areas.caps[a]),
            )
        )
    return records


@dataclass(frozen=True, eq=False)
class AnswerTables:
    """The answer rows the engine kept, for the per-respondent summary.

    ``rows``/``row_q``: answer rows in scope and their global question index;
    ``scored_rows``/``scored_q``/``scored_values``/``is_scored``: the valid answers to
    scored questions, their question, score and whether the state is scored.
    """

    answers: AnswerTable
    rows: IntArray
    row_q: IntArray
    scored_rows: IntArray
    scored_q: IntArray
    scored_values: FloatArray
    is_scored: BoolArray


def respondent_records(
    data: AnswerTables,
    names: Sequence[str],
    questionnaire_of: IntArray,
    relevant: BoolArray,
) -> list[RespondentScore]:
    """One record per (respondent, questionnaire): answers given, scored, mean score."""
    if len(data.rows) == 0:
        return []
    answers = data.answers
    r_codes_all, r_uniques = factorize(answers["respondent"])
    named = r_codes_all[data.rows] >= 0  # a row without a respondent code cannot be attributed
    rows, row_q = data.rows[named], data.row_q[named]
    scored_rows, scored_q = data.scored_rows, data.scored_q
    scored_values, is_scored = data.scored_values, data.is_scored
    if not named.all():
        keep_scored = r_codes_all[scored_rows] >= 0
        scored_rows, scored_q = scored_rows[keep_scored], scored_q[keep_scored]
        scored_values, is_scored = scored_values[keep_scored], is_scored[keep_scored]
    n_n = len(names)
    size = len(r_uniques) * n_n
    answered = np.bincount(r_codes_all[rows] * n_n + questionnaire_of[row_q], minlength=size)
    keep = is_scored & relevant[scored_q]
    s_key = r_codes_all[scored_rows[keep]] * n_n + questionnaire_of[scored_q[keep]]
    n_scored = np.bincount(s_key, minlength=size)
    total = np.bincount(s_key, weights=scored_values[keep], minlength=size)
    present = np.flatnonzero(answered > 0)
    respondent, questionnaire = np.divmod(present, n_n)
    first = np.zeros(len(r_uniques), dtype=np.int64)
    seen, first_at = np.unique(r_codes_all[rows], return_index=True)
    first[seen] = rows[first_at]  # each respondent's first answer row, for its attributes

    def attribute(column: str) -> list[Any]:
        if column not in answers:
            return [""] * len(present)
        values = cells(answers[column])
        return [values[first[r]] for r in respondent.tolist()]

    kinds, sectors = attribute("institution_type"), attribute("sector")
    records = [
        RespondentScore(
            respondent=r_uniques[r],
            institution_type=kinds[i],
            sector=sectors[i],
            questionnaire=names[n],
            answered=int(answered[p]),
            scored=int(n_scored[p]),
            mean_score=float(total[p] / n_scored[p]) if n_scored[p] > 0 else None,
        )
        for i, (p, r, n) in enumerate(zip(present, respondent, questionnaire, strict=True))
    ]
    # Stable: the order of ``present`` breaks ties, as the frame's sort always did.
    return sorted(records, key=lambda record: (record.respondent, record.questionnaire))


def overall_score(areas: AreaTables, profile: ScoringProfile) -> OverallScore:
    """Weighted (by default plain) mean of the non-null area scores, lows, highs, coverage."""
    weights = np.array([profile.area_weight(a) for a in AREA_IDS])

    def mean(values: FloatArray) -> float | None:
        ok = ~np.isnan(values) & (weights > 0)
        if not ok.any():
            return None
        return float(np.average(values[ok], weights=weights[ok]))

    score = mean(areas.score)
    return OverallScore(
        score=score,
        low=mean(areas.low),
        high=mean(areas.high),
        coverage=mean(areas.coverage),
        band=profile.band(score),
    )
