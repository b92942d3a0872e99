"""The scoring engine: answers and consolidated answers in, tidy score frames out.

The method is the one in the README ("The scoring method"), implemented exactly:

* a scored answer has a score s in [0, 1] (``Question.score_of``); the non-scored states
  (unknown, not applicable, not assessed, declined) have none and are never a zero;
* the mission's value for a question is the consolidated answer when the team set one,
  otherwise the mean of the respondents' scores (non-scored answers ignored);
* only relevant questions count: ``relevant`` is evaluated over the mission's answers
  (see :func:`_relevance`);
* area score = 100 * sum(w a s) / sum(w a) over scored questions, null when none;
  coverage = sum(w a) over scored / sum(w a) over relevant, applicable questions;
  low / high count every unknown, not-assessed or declined question as 0 / 1;
* disagreement: respondents' scores lie at least the profile's ``min_steps`` levels of
  the question's own scale apart (``min_span`` for ``multiple`` questions);
* "no cases in the period" (``no_cases``), offered only where the question declares it,
  is out of the coverage (``no_cases: not_applicable``) or scored with the declared
  score; caps never fire on it;
* a partial assessment leaves out the sections the mission does not assess entirely.

Decisions the method leaves open, made here and documented in the README:

* A question answered only by respondents is *scored* when at least one respondent gave
  a scored answer. Otherwise its state is ``not_applicable`` only when every respondent
  said so (one respondent cannot take a question out of the denominator while others say
  it is unknown), else the most common of unknown, not assessed, declined (ties in that
  order). A relevant question nobody answered is ``not_assessed``.
* Skip logic before consolidation: relevance is evaluated by the form logic
  (:mod:`assessment_kit.questionnaire.form_logic`, the interview form's own), per
  questionnaire and once per question, each after the questions it reads (questionnaire
  order otherwise), over a map holding the consolidated value where set and otherwise
  a *representative* respondents' value (:func:`_representative`); a question found not
  relevant is removed from the map, as forms clear non-relevant answers. A non-scored
  state is a plain string there, as in the form: ``${q} = 'yes'`` is false when q is
  unknown, so the follow-up the form hides is left out too (q itself widens the range).
* A value that is not a choice of its question (for example after a questionnaire
  change) is ignored; a choice without a score counts as unknown.

Everything per answer is vectorised (``pandas.factorize`` and ``numpy.bincount``); Python
loops run per question or per distinct (question, value) pair, never per answer.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from assessment_kit.areas import AREA_IDS
from assessment_kit.errors import Code, Problem, ProblemsError
from assessment_kit.questionnaire.form_logic import FormState, form_graph
from assessment_kit.questionnaire.model import (
    NO_CASES,
    NON_SCORED_STATES,
    NOT_APPLICABLE,
    AnswerValue,
    Question,
    Questionnaire,
    per_questionnaire,
)
from assessment_kit.scoring.build import (
    AnswerTables,
    AreaTables,
    QuestionTables,
    area_records,
    link_records,
    overall_score,
    question_records,
    respondent_records,
)
from assessment_kit.scoring.profile import ProfileError, ScoringProfile, default_profile
from assessment_kit.scoring.result import LeftOutSection, MissionScores

if TYPE_CHECKING:
    from assessment_kit.store import Mission

__all__ = ["STATES", "score_answers", "score_mission"]

#: Question states, in code order: 0 is scored, then the non-scored states, then
#: ``no_cases`` when it takes the question out of the coverage (a scored ``no_cases`` is
#: simply scored).
STATES: tuple[str, ...] = ("scored", *NON_SCORED_STATES, NO_CASES)
_SCORED = 0
_CODE = {state: code for code, state in enumerate(STATES)}
_UNKNOWN = _CODE["unknown"]
_NA = _CODE[NOT_APPLICABLE]
_NOT_ASSESSED = _CODE["not_assessed"]
_NO_CASES = _CODE[NO_CASES]
_INVALID = -1
# States out of the coverage: not applicable, and no cases declared not applicable.
_OUT = (_NA, _NO_CASES)
# States that widen the uncertainty range (unknown, not assessed, declined).
_UNCERTAIN = np.array([code for code in range(len(STATES)) if code not in (_SCORED, *_OUT)])
# Comparing spreads and steps: 0.5 computed as 0.75 - 0.25 must still count as 0.5.
_EPSILON = 1e-9

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


# --------------------------------------------------------------------------- static tables


@dataclass(frozen=True, eq=False)
class _Static:
    """Per-questionnaire tables built once: answerable questions and their area weights."""

    questions: tuple[Question, ...]  # answerable questions, in questionnaire order
    position: Mapping[str, int]  # question id -> index in ``questions``
    scored: BoolArray
    weight: FloatArray  # the questionnaire's own weights
    area_question: IntArray  # rows of the (question, area) table: local question index
    area_code: IntArray  # index into AREA_IDS
    area_weight: FloatArray
    primary_area: tuple[str | None, ...]
    referenced: frozenset[str]  # question ids read by some ``relevant`` expression
    # Per answerable question, its scores in ascending order (choices and a scored "no
    # cases"), for counting steps of disagreement; None for ``multiple`` and unscored.
    levels: tuple[FloatArray | None, ...]


# Keyed by id(): Questionnaire holds mappings, so it is not hashable, and it has slots, so
# it takes no weak reference. The cache holds the questionnaire itself, so its id cannot be
# reused while cached; it is bounded, oldest out first.
@per_questionnaire
def _static(questionnaire: Questionnaire) -> _Static:
    return _build_static(questionnaire)


def _build_static(questionnaire: Questionnaire) -> _Static:
    questions = tuple(q for q in questionnaire.iter_questions() if q.answerable)
    area_question: list[int] = []
    area_code: list[int] = []
    area_weight: list[float] = []
    primary: list[str | None] = []
    for index, question in enumerate(questions):
        best: str | None = None
        if question.scored:
            for area, weight in question.areas.items():
                if area in AREA_IDS:
                    area_question.append(index)
                    area_code.append(AREA_IDS.index(area))
                    area_weight.append(float(weight))
                    if best is None or weight > question.areas[best]:
                        best = area
        primary.append(best)
    return _Static(
        questions=questions,
        position={q.id: i for i, q in enumerate(questions)},
        scored=np.array([q.scored for q in questions], dtype=bool),
        weight=np.array([float(q.weight) for q in questions], dtype=np.float64),
        area_question=np.array(area_question, dtype=np.int64),
        area_code=np.array(area_code, dtype=np.int64),
        area_weight=np.array(area_weight, dtype=np.float64),
        primary_area=tuple(primary),
        referenced=form_graph(questionnaire).relevance_inputs,
        levels=tuple(_levels(q) for q in questions),
    )


def _levels(question: Question) -> FloatArray | None:
    if not question.scored or question.type == "multiple":
        return None
    scores = {c.score for c in question.choices if c.score is not None}
    if question.no_cases_score is not None:
        scores.add(question.no_cases_score)
    return np.array(sorted(scores), dtype=np.float64)


# --------------------------------------------------------------------------- values


def _state_and_score(question: Question, value: Any) -> tuple[int, float]:
    """State code and score of one value of a scored question (NaN when not scored)."""
    if isinstance(value, list):  # a frame built by hand may hold lists for `multiple`
        value = tuple(value)
    if isinstance(value, tuple) and len(value) == 1 and value[0] in (*NON_SCORED_STATES, NO_CASES):
        value = value[0]  # ('unknown',) is the state, not a selection scoring 0
    if value == NO_CASES:
        if not question.offers_no_cases:
            return _INVALID, math.nan  # refused when answering; ignored if it got in anyway
        score = question.no_cases_score
        return (_NO_CASES, math.nan) if score is None else (_SCORED, score)
    if isinstance(value, str) and value in NON_SCORED_STATES:
        return _CODE[value], math.nan
    if question.type == "multiple":
        if isinstance(value, str):
            value = tuple(value.split())
        if not isinstance(value, tuple):
            return _INVALID, math.nan
        score = question.score_of(value)
        return (_SCORED, float(score)) if score is not None else (_INVALID, math.nan)
    if not isinstance(value, str):
        return _INVALID, math.nan
    choice = question.choice(value)
    if choice is None:
        return _INVALID, math.nan
    if choice.score is None:
        return _UNKNOWN, math.nan
    return _SCORED, float(choice.score)


def _representative(question: Question, values: Sequence[Any]) -> AnswerValue | None:
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
        states = Counter(str(v) for v in values)
        if not states:
            return None
        if states[NO_CASES] == len(values):
            return NO_CASES
        if states[NOT_APPLICABLE] + states[NO_CASES] == len(values):
            return NOT_APPLICABLE
        others = [s for s in NON_SCORED_STATES if s != NOT_APPLICABLE]
        return max(others, key=lambda s: (states[s], -others.index(s)))
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


# --------------------------------------------------------------------------- the engine


def score_answers(
    questionnaires: Mapping[str, Questionnaire],
    answers: pd.DataFrame,
    consolidated: pd.DataFrame,
    profile: ScoringProfile | None = None,
    sections: Mapping[str, Collection[str]] | None = None,
) -> MissionScores:
    """Score a mission's answers across the seven areas.

    Parameters
    ----------
    questionnaires
        The questionnaires to score, by id; answers to other questionnaires are ignored,
        so passing one instrument scores that instrument alone.
    answers
        Respondents' answers as ``Mission.answers_frame()`` gives them (columns
        respondent, institution_type, sector, questionnaire, question, value; others are
        ignored).
    consolidated
        Consolidated answers as ``Mission.consolidated_frame()`` gives them (columns
        questionnaire, question, value).
    profile
        Bands, weight overrides, caps and the disagreement threshold; the default profile
        when None.
    sections
        A partial assessment: the ids of the sections assessed, by questionnaire id
        (``Mission.sections``). The questions of the other sections are left out entirely:
        not scored, not gaps, not in the coverage or the range. A questionnaire absent
        from the mapping, or None, is assessed whole.

    Returns
    -------
    MissionScores
        Area, question, question-area and respondent frames and the overall score.
    """
    profile = default_profile() if profile is None else profile
    statics = [_static(questionnaires[name]) for name in questionnaires]
    names = [questionnaires[name].id for name in questionnaires]
    offsets = np.cumsum([0] + [len(s.questions) for s in statics])
    n_questions = int(offsets[-1])
    questions: list[Question] = [q for s in statics for q in s.questions]
    questionnaire_of = np.repeat(np.arange(len(statics)), [len(s.questions) for s in statics])
    scored_q = np.concatenate([s.scored for s in statics]) if statics else np.zeros(0, dtype=bool)
    weight = _weights(profile, names, statics)
    warnings: list[str] = []
    assessed_q, left_out = _assessed(questionnaires, statics, sections)

    # 1. Each answer row -> global question index (-1: not in scope / not answerable, or
    #    in a section the mission does not assess).
    qidx = _question_index(answers, names, statics, offsets)
    if not assessed_q.all():
        hit = np.flatnonzero(qidx >= 0)
        qidx[hit[~assessed_q[qidx[hit]]]] = -1
    rows = np.flatnonzero(qidx >= 0)
    row_q = qidx[rows]
    values = answers["value"].to_numpy(dtype=object)[rows] if len(rows) else np.empty(0, object)

    # 2. State and score of every answer to a scored question, through the distinct
    #    (question, value) pairs: one Python call per pair, not per answer.
    on_scored = scored_q[row_q] if len(rows) else np.zeros(0, dtype=bool)
    s_rows = rows[on_scored]
    s_q = row_q[on_scored]
    state, score = _score_values(s_q, values[on_scored], questions)

    # 3. Per question: counts, mean, spread of the respondents' scored answers.
    valid = state >= 0
    vq, vstate, vscore = s_q[valid], state[valid], score[valid]
    n_states = len(STATES)
    counts = np.bincount(vq * n_states + vstate, minlength=n_questions * n_states).reshape(
        n_questions, n_states
    )
    n_answers = counts.sum(axis=1)
    is_scored = vstate == _SCORED
    n_scored = counts[:, _SCORED]
    total = np.bincount(vq[is_scored], weights=vscore[is_scored], minlength=n_questions)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n_scored > 0, total / np.maximum(n_scored, 1), np.nan)
    low, high = _extremes(vq[is_scored], vscore[is_scored], n_questions)
    spread = high - low
    disagreement = _disagreement(statics, low, high, profile)

    resp_state = np.full(n_questions, _NOT_ASSESSED, dtype=np.int64)
    resp_state[n_scored > 0] = _SCORED
    only_states = (n_scored == 0) & (n_answers > 0)
    # Out of the coverage only when every respondent said so: "no cases" when all said
    # that, else not applicable (a mix of the two).
    all_out = only_states & (counts[:, _NA] + counts[:, _NO_CASES] == n_answers)
    all_no_cases = only_states & (counts[:, _NO_CASES] == n_answers)
    resp_state[all_out] = _NA
    resp_state[all_no_cases] = _NO_CASES
    others = [_CODE[s] for s in NON_SCORED_STATES if s != NOT_APPLICABLE]
    most = np.array(others)[np.argmax(counts[:, others], axis=1)]  # argmax: first of ties
    pick = only_states & ~all_out
    resp_state[pick] = most[pick]

    # 4. Consolidated answers override (one row per question at most: a Python loop).
    cons_value: list[AnswerValue | None] = [None] * n_questions
    has_cons = np.zeros(n_questions, dtype=bool)
    final_state = resp_state.copy()
    final_score = np.where(resp_state == _SCORED, mean, np.nan)
    for questionnaire, question, value in _consolidated_rows(consolidated, names):
        static = statics[names.index(questionnaire)]
        local = static.position.get(question)
        if local is None or value is None:
            continue
        g = int(offsets[names.index(questionnaire)]) + local
        if not assessed_q[g]:
            continue
        cons_value[g] = value
        has_cons[g] = True
        if scored_q[g]:
            code, s = _state_and_score(questions[g], value)
            if code == _INVALID:
                warnings.append(
                    f"consolidated answer {value!r} to {questionnaire}.{question} is not one "
                    "of its choices; it is ignored"
                )
                has_cons[g] = False
                cons_value[g] = None
                continue
            final_state[g], final_score[g] = code, s

    # 5. Relevance, per questionnaire, over the mission's answers (consolidated first).
    relevant = np.ones(n_questions, dtype=bool)
    mission_values: list[dict[str, AnswerValue | None]] = []
    for i, instrument in enumerate(questionnaires.values()):
        start = int(offsets[i])
        answer_map = _answer_map(
            statics[i], start, profile, names[i], cons_value, has_cons, rows, row_q, values
        )
        _relevance(instrument, statics[i], start, answer_map, relevant, warnings)
        mission_values.append(answer_map)
    relevant &= assessed_q

    # 6. Areas: sums over the (question, area) table.
    area_rows = _area_rows(statics, offsets)
    scores = _areas(area_rows, weight, relevant, final_state, final_score)
    caps = _apply_caps(
        profile, names, statics, offsets, relevant, final_score, mission_values, scores
    )

    # 7. Typed records (frames are views of them).
    in_frame = scored_q & assessed_q
    tables = QuestionTables(
        questions=questions,
        questionnaire=[names[i] for i in questionnaire_of],
        primary_area=[p for s in statics for p in s.primary_area],
        relevant=relevant,
        value=cons_value,
        consolidated=has_cons,
        state=[STATES[code] for code in final_state],
        score=final_score,
        n_answers=n_answers,
        spread=spread,
        disagreement=disagreement,
        weight=weight,
    )
    area_tables = AreaTables(
        score=scores.score,
        low=scores.low,
        high=scores.high,
        coverage=scores.coverage,
        n_scored=scores.n_scored,
        n_relevant=scores.n_relevant,
        caps=caps,
        link_question=area_rows.question,
        link_area=area_rows.area,
        link_weight=area_rows.weight,
    )
    question_scores = question_records(tables, in_frame)
    answer_tables = AnswerTables(answers, rows, row_q, s_rows[valid], vq, vscore, is_scored)
    return MissionScores(
        area_scores=tuple(area_records(area_tables, profile, question_scores, in_frame, relevant)),
        question_scores=tuple(question_scores),
        links=tuple(link_records(tables, area_tables)),
        respondent_scores=tuple(
            respondent_records(answer_tables, names, questionnaire_of, relevant)
        ),
        overall=overall_score(area_tables, profile),
        profile=profile.name,
        questionnaires=tuple(names),
        warnings=tuple(warnings),
        left_out=left_out,
    )


def score_mission(
    mission: Mission,
    *,
    questionnaires: Sequence[str] | None = None,
    profile: ScoringProfile | None = None,
) -> MissionScores:
    """Score a mission file's answers (all its questionnaires, or the ones named).

    Raises
    ------
    ProblemsError
        When a named questionnaire is not one of the mission's (``UNKNOWN_QUESTIONNAIRE``).
    """
    available = mission.questionnaires
    if questionnaires is None:
        selected = dict(available)
    else:
        unknown = [name for name in questionnaires if name not in available]
        if unknown:
            problem = Problem.make(
                Code.UNKNOWN_QUESTIONNAIRE,
                file=mission.location,
                questionnaire=unknown[0],
                known=", ".join(available),
            )
            raise ProblemsError([problem])
        selected = {name: available[name] for name in questionnaires}
    return score_answers(
        selected,
        mission.answers_frame(),
        mission.consolidated_frame(),
        profile=profile,
        sections=mission.sections,
    )


# --------------------------------------------------------------------------- steps


def _weights(profile: ScoringProfile, names: list[str], statics: list[_Static]) -> FloatArray:
    """Question weights with the profile's overrides (which must name real questions)."""
    parts = [s.weight.copy() for s in statics]
    problems: list[Problem] = []
    by_name = dict(zip(names, range(len(names)), strict=True))
    for key, value in profile.question_weights.items():
        questionnaire, _, question = key.partition(".")
        if questionnaire not in by_name:
            continue  # a profile may cover instruments this mission does not use
        local = statics[by_name[questionnaire]].position.get(question)
        if local is None:
            problems.append(_profile_problem(profile, f"question_weights.{key}", questionnaire))
            continue
        parts[by_name[questionnaire]][local] = value
    for i, cap in enumerate(profile.caps):
        if cap.questionnaire in by_name:
            static = statics[by_name[cap.questionnaire]]
            local = static.position.get(cap.question)
            if local is None or (not static.scored[local] and cap.score_below is not None):
                problems.append(_profile_problem(profile, f"caps[{i}].when", cap.questionnaire))
            elif cap.value == NO_CASES:
                problems.append(_no_cases_cap(profile, i, static.questions[local]))
    if problems:
        raise ProfileError(problems, summary=f"{profile.file or profile.name}: invalid profile")
    return np.concatenate(parts) if parts else np.zeros(0)


def _no_cases_cap(profile: ScoringProfile, index: int, question: Question) -> Problem:
    """A cap on "no cases": refused, as caps never fire on the absence of cases."""
    where = f"caps[{index}].value"
    if not question.offers_no_cases:
        return Problem.make(
            Code.NO_CASES_NOT_DECLARED,
            file=profile.file or profile.name,
            path=where,
            field=where,
            ref=question.id,
        )
    return Problem.make(
        Code.PROFILE_FIELD,
        file=profile.file or profile.name,
        path=where,
        field=where,
        detail="a cap never fires on 'no_cases': the absence of cases is not a failure",
        fix="cap on a choice that is a negative finding, or give the question a low "
        "no_cases score instead",
    )


def _profile_problem(profile: ScoringProfile, field: str, questionnaire: str) -> Problem:
    return Problem.make(
        Code.PROFILE_FIELD,
        file=profile.file or profile.name,
        path=field,
        field=field,
        detail=f"no such (scored) question in questionnaire {questionnaire!r}",
        fix="check the question id",
    )


def _question_index(
    answers: pd.DataFrame, names: list[str], statics: list[_Static], offsets: IntArray
) -> IntArray:
    """Global question index of every answer row (-1 when out of scope or unknown)."""
    if answers.empty or not names:
        return np.full(len(answers), -1, dtype=np.int64)
    n_codes, n_uniques = pd.factorize(answers["questionnaire"].to_numpy(dtype=object))
    q_codes, q_uniques = pd.factorize(answers["question"].to_numpy(dtype=object))
    # A small (questionnaire x question) lookup table instead of a string merge.
    table = np.full((len(n_uniques) + 1, len(q_uniques) + 1), -1, dtype=np.int64)
    for i, name in enumerate(n_uniques):
        if name not in names:
            continue
        k = names.index(name)
        position = statics[k].position
        for j, question in enumerate(q_uniques):
            local = position.get(question)
            if local is not None:
                table[i, j] = int(offsets[k]) + local
    # factorize codes missing values as -1, which indexes the spare last row/column.
    return cast(IntArray, table[n_codes, q_codes].astype(np.int64))


def _score_values(
    q: IntArray, values: npt.NDArray[Any], questions: list[Question]
) -> tuple[IntArray, FloatArray]:
    """State codes and scores of answers, computed once per distinct (question, value)."""
    if len(q) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    try:
        v_codes, v_uniques = pd.factorize(values)
    except TypeError:  # lists for `multiple` in a hand-built frame: make them hashable
        hashable = np.empty(len(values), dtype=object)  # np.array() would nest the tuples
        hashable[:] = [tuple(v) if isinstance(v, list) else v for v in values]
        v_codes, v_uniques = pd.factorize(hashable)
    pair = q * (len(v_uniques) + 1) + v_codes
    p_codes, p_uniques = pd.factorize(pair)
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
    if len(q):
        grouped = pd.Series(s).groupby(q)
        hi, lo = grouped.max(), grouped.min()
        low[lo.index.to_numpy()] = lo.to_numpy()
        high[hi.index.to_numpy()] = hi.to_numpy()
    return low, high


def _disagreement(
    statics: list[_Static], low: FloatArray, high: FloatArray, profile: ScoringProfile
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


def _assessed(
    questionnaires: Mapping[str, Questionnaire],
    statics: list[_Static],
    sections: Mapping[str, Collection[str]] | None,
) -> tuple[BoolArray, tuple[LeftOutSection, ...]]:
    """Which answerable questions are in assessed sections, and the sections left out."""
    parts: list[BoolArray] = []
    left_out: list[LeftOutSection] = []
    for instrument, static in zip(questionnaires.values(), statics, strict=True):
        chosen = None if sections is None else sections.get(instrument.id)
        if chosen is None:
            parts.append(np.ones(len(static.questions), dtype=bool))
            continue
        kept = set(chosen)
        parts.append(np.array([q.section in kept for q in static.questions], dtype=bool))
        left_out += [
            LeftOutSection(instrument.id, section.id, section.title.en)
            for section in instrument.sections
            if section.id not in kept
        ]
    mask = np.concatenate(parts) if parts else np.zeros(0, dtype=bool)
    return mask, tuple(left_out)


def _consolidated_rows(
    consolidated: pd.DataFrame, names: list[str]
) -> list[tuple[str, str, AnswerValue | None]]:
    if consolidated.empty:
        return []
    frame = consolidated[consolidated["questionnaire"].isin(names)]
    return [
        (str(n), str(q), _clean(v))
        for n, q, v in zip(frame["questionnaire"], frame["question"], frame["value"], strict=True)
    ]


def _clean(value: Any) -> AnswerValue | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return cast(AnswerValue, value)


def _answer_map(
    static: _Static,
    start: int,
    profile: ScoringProfile,
    name: str,
    cons_value: list[AnswerValue | None],
    has_cons: BoolArray,
    rows: IntArray,
    row_q: IntArray,
    values: npt.NDArray[Any],
) -> dict[str, AnswerValue | None]:
    """Consolidated values where set, else representatives for the questions that matter.

    Representatives are needed only for questions read by skip logic or by a cap's
    ``value`` condition, so only their answers are gathered.
    """
    answer_map: dict[str, AnswerValue | None] = {
        q.id: cons_value[start + i] for i, q in enumerate(static.questions)
    }
    needed = set(static.referenced)
    # Every capped question: a cap never fires on "no cases", which only the value shows.
    needed |= {c.question for c in profile.caps if c.questionnaire == name}
    wanted = [
        start + static.position[qid]
        for qid in needed
        if qid in static.position and not has_cons[start + static.position[qid]]
    ]
    if not wanted or len(rows) == 0:
        return answer_map
    mask = np.isin(row_q, np.array(wanted, dtype=np.int64))
    picked_q, picked_v = row_q[mask], values[mask]
    order = np.argsort(picked_q, kind="stable")
    picked_q, picked_v = picked_q[order], picked_v[order]
    bounds = np.flatnonzero(np.diff(picked_q)) + 1
    for group_q, group_v in zip(
        np.split(picked_q, bounds), np.split(picked_v, bounds), strict=True
    ):
        if len(group_q):
            question = static.questions[int(group_q[0]) - start]
            answer_map[question.id] = _representative(question, list(group_v))
    return answer_map


def _relevance(
    questionnaire: Questionnaire,
    static: _Static,
    start: int,
    answer_map: dict[str, AnswerValue | None],
    relevant: BoolArray,
    warnings: list[str],
) -> None:
    """Evaluate skip logic once per question (the form logic), pruning non-relevant answers."""
    state = FormState(questionnaire, answer_map, checks=False)
    for problem in state.problems:
        warnings.append(
            f"{questionnaire.id}.{problem.question}: {problem.field} failed: {problem.message}"
        )
    for question in map(questionnaire.question, state.graph.with_logic):
        if question.calculate_expr is not None:
            answer_map[question.id] = state.calculated(question.id)
        if not state.relevant(question.id):
            answer_map[question.id] = None
            local = static.position.get(question.id)
            if local is not None:
                relevant[start + local] = False


@dataclass(frozen=True)
class _AreaRows:
    question: IntArray
    area: IntArray
    weight: FloatArray


def _area_rows(statics: list[_Static], offsets: IntArray) -> _AreaRows:
    if not statics:
        empty = np.zeros(0, dtype=np.int64)
        return _AreaRows(empty, empty, np.zeros(0))
    return _AreaRows(
        np.concatenate([s.area_question + int(o) for s, o in zip(statics, offsets, strict=False)]),
        np.concatenate([s.area_code for s in statics]),
        np.concatenate([s.area_weight for s in statics]),
    )


@dataclass
class _AreaScores:
    score: FloatArray
    low: FloatArray
    high: FloatArray
    coverage: FloatArray
    n_scored: IntArray
    n_relevant: IntArray


def _areas(
    rows: _AreaRows,
    weight: FloatArray,
    relevant: BoolArray,
    state: IntArray,
    score: FloatArray,
) -> _AreaScores:
    """Sums over the (question, area) table: score, range, coverage and question counts."""
    n = len(AREA_IDS)
    q = rows.question
    wa = weight[q] * rows.weight
    rel = relevant[q]
    st = state[q]
    scored = rel & (st == _SCORED)
    uncertain = rel & np.isin(st, _UNCERTAIN)
    applicable = rel & ~np.isin(st, _OUT)
    s = np.where(scored, score[q], 0.0)
    num = np.bincount(rows.area, weights=wa * s, minlength=n)
    den = np.bincount(rows.area, weights=np.where(scored, wa, 0.0), minlength=n)
    unc = np.bincount(rows.area, weights=np.where(uncertain, wa, 0.0), minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        has = den > 0
        value = np.where(has, 100.0 * num / den, np.nan)
        low = np.where(has, 100.0 * num / (den + unc), np.nan)
        high = np.where(has, 100.0 * (num + unc) / (den + unc), np.nan)
        coverage = np.where(den + unc > 0, den / (den + unc), np.nan)
    return _AreaScores(
        score=np.clip(value, 0.0, 100.0),
        low=np.clip(low, 0.0, 100.0),
        high=np.clip(high, 0.0, 100.0),
        coverage=coverage,
        n_scored=np.bincount(rows.area[scored], minlength=n),
        n_relevant=np.bincount(rows.area[applicable], minlength=n),
    )


def _apply_caps(
    profile: ScoringProfile,
    names: list[str],
    statics: list[_Static],
    offsets: IntArray,
    relevant: BoolArray,
    score: FloatArray,
    mission_values: list[dict[str, AnswerValue | None]],
    scores: _AreaScores,
) -> list[list[str]]:
    """Lower capped areas' score, low and high to the cap; return the reasons per area."""
    reasons: list[list[str]] = [[] for _ in AREA_IDS]
    for cap in profile.caps:
        if cap.questionnaire not in names:
            continue
        k = names.index(cap.questionnaire)
        local = statics[k].position.get(cap.question)
        if local is None:
            continue
        g = int(offsets[k]) + local
        if not relevant[g]:
            continue
        value = mission_values[k].get(cap.question)
        if value == NO_CASES or value == (NO_CASES,):
            continue  # the absence of cases is never a negative finding
        if cap.value is not None:
            hit = _value_matches(value, cap.value)
        else:
            assert cap.score_below is not None
            hit = not math.isnan(score[g]) and score[g] < cap.score_below
        a = AREA_IDS.index(cap.area)
        if not hit or math.isnan(scores.score[a]):
            continue  # a null score stays null, and the area says "not scored", not "capped"
        for array in (scores.score, scores.low, scores.high):
            array[a] = min(array[a], cap.max)
        reasons[a].append(f"capped at {cap.max:g}: {cap.reason}")
    return reasons


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
