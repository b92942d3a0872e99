"""What the answers say, per question: respondents' states and scores, then the team's.

:func:`read_answers` gives every answer to a scored question its state and score (once per
distinct question and value, through :func:`assessment_kit.questionnaire.answers.counts_as`)
and sums them per question: how many answered, the mean, the spread and whether the
respondents disagree. :func:`decide` then lets a consolidated answer override the
respondents'. Everything per answer is vectorised; Python loops run per distinct
(question, value) pair or per consolidated answer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt

from assessment_kit.columns import factorize, objects
from assessment_kit.questionnaire.answers import INVALID, SCORED, counts_as
from assessment_kit.questionnaire.model import (
    NO_CASES,
    NON_SCORED_STATES,
    NOT_APPLICABLE,
    NOT_ASSESSED,
    AnswerValue,
    Question,
)
from assessment_kit.scoring.layout import Layout, Static, question_index
from assessment_kit.scoring.profile import ScoringProfile

if TYPE_CHECKING:
    from assessment_kit.scoring.layout import AnswerTable

__all__ = [
    "OUT",
    "SCORED_CODE",
    "STATES",
    "UNCERTAIN",
    "Answers",
    "Decided",
    "decide",
    "read_answers",
]

#: Question states, in code order: 0 is scored, then the non-scored states, then
#: ``no_cases`` when it takes the question out of the coverage (a scored ``no_cases`` is
#: simply scored).
STATES: tuple[str, ...] = (SCORED, *NON_SCORED_STATES, NO_CASES)
SCORED_CODE = 0
_CODE = {state: code for code, state in enumerate(STATES)}
_NA = _CODE[NOT_APPLICABLE]
_NOT_ASSESSED = _CODE[NOT_ASSESSED]
_NO_CASES = _CODE[NO_CASES]
_INVALID = -1
#: States out of the coverage: not applicable, and no cases declared not applicable.
OUT = (_NA, _NO_CASES)
#: States that widen the uncertainty range (unknown, not assessed, declined).
UNCERTAIN = np.array([code for code in range(len(STATES)) if code not in (SCORED_CODE, *OUT)])
# Comparing spreads and steps: 0.5 computed as 0.75 - 0.25 must still count as 0.5.
_EPSILON = 1e-9

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class Answers:
    """The respondents' answers in scope and what they add up to per question.

    ``rows``/``row_q``/``values``: answer rows in scope, their global question index and
    value; ``scored_rows``/``scored_q``/``scored_values``/``is_scored``: the valid answers
    to scored questions, their question, score and whether the state is scored. Per
    question: ``n_answers``, ``mean``, ``spread``, ``disagreement`` and ``state`` (the
    respondents' state code).
    """

    rows: IntArray
    row_q: IntArray
    values: npt.NDArray[Any]
    scored_rows: IntArray
    scored_q: IntArray
    scored_values: FloatArray
    is_scored: BoolArray
    n_answers: IntArray
    mean: FloatArray
    spread: FloatArray
    disagreement: BoolArray
    state: IntArray


def read_answers(answers: AnswerTable, plan: Layout, profile: ScoringProfile) -> Answers:
    """Each answer's question, state and score, summed per question."""
    n = plan.size
    # Each answer row -> global question index (-1: not in scope, not answerable, or in a
    # section the mission does not assess).
    qidx = question_index(answers, plan)
    if not plan.assessed.all():
        hit = np.flatnonzero(qidx >= 0)
        qidx[hit[~plan.assessed[qidx[hit]]]] = -1
    rows = np.flatnonzero(qidx >= 0)
    row_q = qidx[rows]
    values = objects(answers["value"])[rows] if len(rows) else np.empty(0, object)

    on_scored = plan.scored[row_q] if len(rows) else np.zeros(0, dtype=bool)
    s_rows = rows[on_scored]
    s_q = row_q[on_scored]
    state, score = _score_values(s_q, values[on_scored], plan.questions)

    valid = state >= 0
    vq, vstate, vscore = s_q[valid], state[valid], score[valid]
    n_states = len(STATES)
    counts = np.bincount(vq * n_states + vstate, minlength=n * n_states).reshape(n, n_states)
    is_scored = vstate == SCORED_CODE
    n_scored = counts[:, SCORED_CODE]
    total = np.bincount(vq[is_scored], weights=vscore[is_scored], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n_scored > 0, total / np.maximum(n_scored, 1), np.nan)
    low, high = _extremes(vq[is_scored], vscore[is_scored], n)
    return Answers(
        rows=rows,
        row_q=row_q,
        values=values,
        scored_rows=s_rows[valid],
        scored_q=vq,
        scored_values=vscore,
        is_scored=is_scored,
        n_answers=counts.sum(axis=1),
        mean=mean,
        spread=high - low,
        disagreement=_disagreement(plan.statics, low, high, profile),
        state=_respondents_state(counts),
    )


def _respondents_state(counts: IntArray) -> IntArray:
    """Each question's state from its respondents' (the README's decisions).

    Scored when one respondent gave a score; out of the coverage only when every
    respondent said so ("no cases" when all said that, else not applicable); otherwise the
    most common of unknown, not assessed, declined; not assessed when nobody answered.
    """
    n_answers = counts.sum(axis=1)
    n_scored = counts[:, SCORED_CODE]
    state = np.full(len(counts), _NOT_ASSESSED, dtype=np.int64)
    state[n_scored > 0] = SCORED_CODE
    only_states = (n_scored == 0) & (n_answers > 0)
    all_out = only_states & (counts[:, _NA] + counts[:, _NO_CASES] == n_answers)
    all_no_cases = only_states & (counts[:, _NO_CASES] == n_answers)
    state[all_out] = _NA
    state[all_no_cases] = _NO_CASES
    others = [_CODE[s] for s in NON_SCORED_STATES if s != NOT_APPLICABLE]
    most = np.array(others)[np.argmax(counts[:, others], axis=1)]  # argmax: first of ties
    pick = only_states & ~all_out
    state[pick] = most[pick]
    return state


def _state_and_score(question: Question, value: Any) -> tuple[int, float]:
    """State code and score of one value of a scored question (NaN when not scored)."""
    state, score = counts_as(question, value)
    if state == INVALID:
        return _INVALID, math.nan
    return _CODE[state], math.nan if score is None else score


def _score_values(
    q: IntArray, values: npt.NDArray[Any], questions: Sequence[Question]
) -> tuple[IntArray, FloatArray]:
    """State codes and scores of answers, computed once per distinct (question, value)."""
    if len(q) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    try:
        v_codes, v_uniques = factorize(values)
    except TypeError:  # lists for `multiple` in a hand-built frame: make them hashable
        hashable = np.empty(len(values), dtype=object)  # np.array() would nest the tuples
        hashable[:] = [tuple(v) if isinstance(v, list) else v for v in values]
        v_codes, v_uniques = factorize(hashable)
    pair = q * (len(v_uniques) + 1) + v_codes
    p_codes, p_uniques = factorize(pair)
    pair_state = np.empty(len(p_uniques), dtype=np.int64)
    pair_score = np.empty(len(p_uniques), dtype=np.float64)
    width = len(v_uniques) + 1
    for k, code in enumerate(p_uniques):
        question, value_code = divmod(int(code), width)
        if value_code >= len(v_uniques):  # missing value (-1 wrapped): no answer
            pair_state[k], pair_score[k] = _INVALID, math.nan
            continue
        pair_state[k], pair_score[k] = _state_and_score(questions[question], v_uniques[value_code])
    return pair_state[p_codes], pair_score[p_codes]


def _extremes(q: IntArray, s: FloatArray, n: int) -> tuple[FloatArray, FloatArray]:
    """min and max of the respondents' scores per question (NaN without scored answers)."""
    low, high = np.full(n, np.nan), np.full(n, np.nan)
    # fmin/fmax skip NaN, as a grouped min and max do: a question keeps NaN only when
    # none of its scores is a number.
    np.fmin.at(low, q, s)
    np.fmax.at(high, q, s)
    return low, high


def _disagreement(
    statics: Sequence[Static], low: FloatArray, high: FloatArray, profile: ScoringProfile
) -> BoolArray:
    """Whether respondents disagree substantively on each question (see the README).

    On a question with ordered levels (a scale or scored single choices, plus a scored
    "no cases") the respondents' lowest and highest scores must be at least
    ``min_steps`` levels apart, or at the two ends of a scale shorter than that (yes
    against no on a two-point scale). On a ``multiple`` question, whose scores are sums,
    the spread must reach ``min_span``.
    """
    threshold = profile.disagreement
    levels = [lv for s in statics for lv in s.levels]
    flagged = np.zeros(len(low), dtype=bool)
    for g in np.flatnonzero(np.nan_to_num(high - low, nan=0.0) > _EPSILON):
        ladder = levels[g]
        if ladder is None:
            flagged[g] = high[g] - low[g] >= threshold.min_span - _EPSILON
            continue
        steps = int(np.searchsorted(ladder, high[g] - _EPSILON)) - int(
            np.searchsorted(ladder, low[g] - _EPSILON)
        )
        flagged[g] = steps >= min(threshold.min_steps, len(ladder) - 1)
    return flagged


@dataclass(frozen=True, eq=False)
class Decided:
    """The mission's answer per question: the team's where set, else the respondents'."""

    value: list[AnswerValue | None]  # the consolidated value, or None
    consolidated: BoolArray
    state: IntArray
    score: FloatArray  # 0..1, NaN unless scored

    @property
    def state_names(self) -> list[str]:
        """Each question's state by name."""
        return [STATES[code] for code in self.state]


def decide(consolidated: AnswerTable, plan: Layout, given: Answers, warnings: list[str]) -> Decided:
    """Let consolidated answers override the respondents' (one row per question at most).

    A consolidated value a scored question does not take is ignored, with a warning.
    """
    n = plan.size
    value: list[AnswerValue | None] = [None] * n
    has = np.zeros(n, dtype=bool)
    state = given.state.copy()
    score = np.where(given.state == SCORED_CODE, given.mean, np.nan)
    for questionnaire, question, cell in _consolidated_rows(consolidated, plan.names):
        g = plan.index(questionnaire, question)
        if g is None or cell is None or not plan.assessed[g]:
            continue
        if plan.scored[g]:
            code, s = _state_and_score(plan.questions[g], cell)
            if code == _INVALID:
                warnings.append(
                    f"consolidated answer {cell!r} to {questionnaire}.{question} is not one "
                    "of its choices; it is ignored"
                )
                continue
            state[g], score[g] = code, s
        value[g] = cell
        has[g] = True
    return Decided(value=value, consolidated=has, state=state, score=score)


def _consolidated_rows(
    consolidated: AnswerTable, names: Sequence[str]
) -> list[tuple[str, str, AnswerValue | None]]:
    if consolidated.empty:
        return []
    scored = set(names)
    columns = (consolidated[c] for c in ("questionnaire", "question", "value"))
    return [(str(n), str(q), _clean(v)) for n, q, v in zip(*columns, strict=True) if n in scored]


def _clean(value: Any) -> AnswerValue | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return cast(AnswerValue, value)
