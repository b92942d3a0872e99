"""Which questions count: skip logic over the mission's answers, as the form applies it.

Per questionnaire, the mission's value of each question is its consolidated answer, or a
*representative* of the respondents' answers (:func:`representative`) for the questions
that skip logic or a cap reads. The form logic
(:class:`~assessment_kit.questionnaire.form_logic.FormState`, the interview form's own)
evaluates relevance and calculations once per question over those values; a question found
not relevant is dropped from them, as the form clears non-relevant answers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from assessment_kit.questionnaire.form_logic import FormState
from assessment_kit.questionnaire.model import (
    NO_CASES,
    NON_SCORED_STATES,
    NOT_APPLICABLE,
    AnswerValue,
    Question,
    Questionnaire,
)
from assessment_kit.scoring.layout import Layout, Static
from assessment_kit.scoring.profile import ScoringProfile
from assessment_kit.scoring.responses import Answers, Decided

__all__ = ["MissionValues", "relevance", "representative"]

BoolArray = npt.NDArray[np.bool_]
#: The mission's value of each question of one questionnaire, by question id.
MissionValues = dict[str, AnswerValue | None]


def relevance(
    plan: Layout,
    profile: ScoringProfile,
    decided: Decided,
    given: Answers,
    warnings: list[str],
) -> tuple[BoolArray, list[MissionValues]]:
    """Which questions are relevant (and assessed), and each questionnaire's values."""
    relevant = np.ones(plan.size, dtype=bool)
    mission_values: list[MissionValues] = []
    for i, instrument in enumerate(plan.instruments):
        start = int(plan.offsets[i])
        values = _mission_values(plan.statics[i], start, profile, plan.names[i], decided, given)
        _evaluate(instrument, plan.statics[i], start, values, relevant, warnings)
        mission_values.append(values)
    return relevant & plan.assessed, mission_values


def _mission_values(
    static: Static,
    start: int,
    profile: ScoringProfile,
    name: str,
    decided: Decided,
    given: Answers,
) -> MissionValues:
    """Consolidated values where set, else representatives for the questions that matter.

    Representatives are needed only for questions read by skip logic or by a cap's
    ``value`` condition, so only their answers are gathered.
    """
    values: MissionValues = {q.id: decided.value[start + i] for i, q in enumerate(static.questions)}
    needed = set(static.referenced)
    # Every capped question: a cap never fires on "no cases", which only the value shows.
    needed |= {c.question for c in profile.caps if c.questionnaire == name}
    wanted = [
        start + static.position[qid]
        for qid in needed
        if qid in static.position and not decided.consolidated[start + static.position[qid]]
    ]
    if not wanted or len(given.rows) == 0:
        return values
    mask = np.isin(given.row_q, np.array(wanted, dtype=np.int64))
    picked_q, picked_v = given.row_q[mask], given.values[mask]
    order = np.argsort(picked_q, kind="stable")
    picked_q, picked_v = picked_q[order], picked_v[order]
    bounds = np.flatnonzero(np.diff(picked_q)) + 1
    for group_q, group_v in zip(
        np.split(picked_q, bounds), np.split(picked_v, bounds), strict=True
    ):
        if len(group_q):
            question = static.questions[int(group_q[0]) - start]
            values[question.id] = representative(question, list(group_v))
    return values


def _evaluate(
    questionnaire: Questionnaire,
    static: Static,
    start: int,
    values: MissionValues,
    relevant: BoolArray,
    warnings: list[str],
) -> None:
    """Evaluate skip logic once per question (the form logic), pruning non-relevant values."""
    state = FormState(questionnaire, values, checks=False)
    for problem in state.problems:
        warnings.append(
            f"{questionnaire.id}.{problem.question}: {problem.field} failed: {problem.message}"
        )
    for question in map(questionnaire.question, state.graph.with_logic):
        if question.calculate_expr is not None:
            values[question.id] = state.calculated(question.id)
        if not state.relevant(question.id):
            values[question.id] = None
            local = static.position.get(question.id)
            if local is not None:
                relevant[start + local] = False


def representative(question: Question, values: Sequence[Any]) -> AnswerValue | None:
    """A respondents' value standing for the mission's answer in skip logic.

    Substantive values win over non-scored states: the most common one (ties: the earlier
    choice, else the smaller value); for numbers the lower median (a value someone gave);
    for ``multiple`` the choices selected by at least half of the respondents who
    answered. With only non-scored states, the state the question gets in scoring.
    """
    # "No cases" that takes the question out of the coverage is a state here; a scored
    # "no cases" is a substantive answer like a choice.
    non_scored = set(NON_SCORED_STATES)
    if question.offers_no_cases and question.no_cases_score is None:
        non_scored.add(NO_CASES)
    substantive = [v for v in values if not (isinstance(v, str) and v in non_scored)]
    if not substantive:
        return _representative_state(values)
    if question.type == "multiple":
        selections = [
            set(v.split()) if isinstance(v, str) else set(v)
            for v in substantive
            if isinstance(v, str | tuple | list)
        ]
        counts = Counter(item for selection in selections for item in selection)
        order = [c.value for c in question.choices]
        chosen = [c for c in counts if 2 * counts[c] >= len(selections)]
        chosen.sort(key=lambda c: (order.index(c) if c in order else len(order), c))
        return tuple(chosen)
    if question.type in ("integer", "decimal"):
        numbers = sorted(v for v in substantive if isinstance(v, int | float))
        if numbers:
            return numbers[(len(numbers) - 1) // 2]
    order = [c.value for c in question.choices]
    counts = Counter(
        tuple(v) if isinstance(v, list) else v for v in substantive
    )  # lists are unhashable
    return min(
        counts,
        key=lambda v: (-counts[v], order.index(v) if v in order else len(order), str(v)),
    )


def _representative_state(values: Sequence[Any]) -> str | None:
    """With only non-scored states: the state the question gets in scoring."""
    states = Counter(str(v) for v in values)
    if not states:
        return None
    if states[NO_CASES] == len(values):
        return NO_CASES
    if states[NOT_APPLICABLE] + states[NO_CASES] == len(values):
        return NOT_APPLICABLE
    others = [s for s in NON_SCORED_STATES if s != NOT_APPLICABLE]
    return max(others, key=lambda s: (states[s], -others.index(s)))
