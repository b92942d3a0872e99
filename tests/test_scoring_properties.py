"""Invariants of the scoring method, checked on random answers (hypothesis)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_scoring import HAND_YAML, answers_frame, consolidated_frame

from assessment_kit.areas import AREA_IDS
from assessment_kit.questionnaire import loads
from assessment_kit.questionnaire.expressions import evaluate_bool
from assessment_kit.questionnaire.model import NON_SCORED_STATES
from assessment_kit.scoring import MissionScores, score_answers

HAND = loads(HAND_YAML, file="hand.yaml")
SCORED = [q.id for q in HAND.iter_questions() if q.scored]
VALUES = ["yes", "partly", "no", *NON_SCORED_STATES]

respondent_answers = st.dictionaries(
    st.sampled_from([*SCORED, "cases"]),
    st.sampled_from(VALUES),
    max_size=len(SCORED) + 1,
).map(lambda given: {q: (7 if q == "cases" else v) for q, v in given.items()})
missions = st.tuples(
    st.dictionaries(st.from_regex(r"R[0-9]{1,3}", fullmatch=True), respondent_answers, max_size=6),
    st.dictionaries(st.sampled_from(SCORED), st.sampled_from(VALUES), max_size=4),
)
PROPERTY = settings(max_examples=60, deadline=None)


def score(answers: dict[str, dict[str, Any]], consolidated: dict[str, Any]) -> MissionScores:
    return score_answers({"hand": HAND}, answers_frame(answers), consolidated_frame(consolidated))


def assert_same_areas(left: MissionScores, right: MissionScores) -> None:
    # Sums may add up in another order when rows are shuffled: equal to rounding error.
    columns = ["score", "coverage", "low", "high"]
    np.testing.assert_allclose(
        left.areas[columns].to_numpy(float), right.areas[columns].to_numpy(float), atol=1e-9
    )
    for column in ["band", "questions_scored", "questions_relevant"]:
        assert left.areas[column].tolist() == right.areas[column].tolist()


@PROPERTY
@given(missions)
def test_scores_are_bounded_and_ordered(mission: tuple[Any, Any]) -> None:
    scores = score(*mission)
    for row in scores.areas.to_dict("records"):
        if math.isnan(row["score"]):
            assert math.isnan(row["low"])
            assert math.isnan(row["high"])
            continue
        assert 0 <= row["low"] <= row["score"] <= row["high"] <= 100
        assert 0 <= row["coverage"] <= 1
    overall = scores.overall
    if overall.score is not None:
        assert overall.low is not None
        assert overall.high is not None
        assert 0 <= overall.low <= overall.score <= overall.high <= 100
    question_scores = scores.questions["score"].dropna()
    assert question_scores.between(0, 1).all()


@PROPERTY
@given(missions)
def test_an_area_without_scored_questions_is_null_never_zero(mission: tuple[Any, Any]) -> None:
    scores = score(*mission)
    for row in scores.areas.to_dict("records"):
        assert (row["questions_scored"] == 0) == math.isnan(row["score"])
        assert (row["band"] is None) == math.isnan(row["score"])
    for area in scores.to_json()["areas"]:
        assert (area["questions_scored"] == 0) == (area["score"] is None)


@PROPERTY
@given(missions, st.lists(st.sampled_from(SCORED), min_size=1, unique=True))
def test_a_new_not_applicable_respondent_changes_no_score(
    mission: tuple[Any, Any], questions: list[str]
) -> None:
    answers, consolidated = mission
    before = score(answers, consolidated)
    extra = {**answers, "NEW": dict.fromkeys(questions, "not_applicable")}
    after = score(extra, consolidated)
    np.testing.assert_allclose(
        before.areas["score"].to_numpy(float), after.areas["score"].to_numpy(float), atol=1e-9
    )
    assert before.overall.score == after.overall.score or (
        before.overall.score is not None
        and after.overall.score is not None
        and math.isclose(before.overall.score, after.overall.score, abs_tol=1e-9)
    )
    pd.testing.assert_series_equal(before.questions["score"], after.questions["score"])


@PROPERTY
@given(missions, st.randoms(use_true_random=False))
def test_permuting_respondents_changes_nothing(mission: tuple[Any, Any], rng: Any) -> None:
    answers, consolidated = mission
    codes = list(answers)
    renamed = [f"X{n}" for n in range(len(codes))]
    rng.shuffle(renamed)
    relabelled = dict(zip(renamed, (answers[c] for c in codes), strict=True))
    frame = answers_frame(relabelled)
    shuffled = frame.sample(frac=1.0, random_state=rng.randrange(2**31)).reset_index(drop=True)
    left = score(answers, consolidated)
    right = score_answers({"hand": HAND}, shuffled, consolidated_frame(consolidated))
    assert_same_areas(left, right)
    columns = ["question", "relevant", "state", "source", "n_answers", "disagreement"]
    pd.testing.assert_frame_equal(left.questions[columns], right.questions[columns])
    np.testing.assert_allclose(
        left.questions["score"].to_numpy(float), right.questions["score"].to_numpy(float)
    )
    assert sorted(left.respondents["answered"]) == sorted(right.respondents["answered"])


# An independent reading of the method (README, "The scoring method"), written plainly,
# question by question, for the hand questionnaire (yes/partly/no scale questions only).
CHOICE_SCORES = {"yes": 1.0, "partly": 0.5, "no": 0.0}
UNCERTAIN = ("unknown", "not_assessed", "declined")


def reference_state(values: list[Any]) -> tuple[str, float]:
    """A question's state and score from its respondents' answers alone."""
    scores = [CHOICE_SCORES[v] for v in values if v in CHOICE_SCORES]
    if scores:
        return "scored", sum(scores) / len(scores)
    if not values:
        return "not_assessed", math.nan
    if all(v == "not_applicable" for v in values):
        return "not_applicable", math.nan
    return max(UNCERTAIN, key=lambda s: (values.count(s), -UNCERTAIN.index(s))), math.nan


def reference_value(values: list[Any]) -> Any:
    """The respondents' value standing for the mission's in skip logic."""
    choices = [v for v in values if v in CHOICE_SCORES]
    if choices:  # the most common choice, ties to the earlier one in the scale
        return max(CHOICE_SCORES, key=lambda c: (choices.count(c), -list(CHOICE_SCORES).index(c)))
    state = reference_state(values)[0]
    return None if not values else state


def reference(
    answers: dict[str, dict[str, Any]], consolidated: dict[str, Any]
) -> tuple[dict[str, tuple[float, ...]], float | None, dict[str, bool]]:
    def given(qid: str) -> list[Any]:
        return [a[qid] for a in answers.values() if qid in a]

    gate = consolidated.get("offence", reference_value(given("offence")))
    sums = {area: [0.0, 0.0, 0.0] for area in AREA_IDS}  # sum w.a.s, scored w.a, uncertain w.a
    disagreement = {}
    for question in HAND.iter_questions():
        if not question.scored:
            continue
        scores = [CHOICE_SCORES[v] for v in given(question.id) if v in CHOICE_SCORES]
        # The default threshold, two steps: on yes/partly/no only yes against no.
        disagreement[question.id] = bool(scores) and max(scores) - min(scores) == 1.0
        if question.relevant_expr is not None and not evaluate_bool(
            question.relevant_expr, {"offence": gate}
        ):
            continue
        if question.id in consolidated:
            value = consolidated[question.id]
            state = "scored" if value in CHOICE_SCORES else value
            score = CHOICE_SCORES.get(value, math.nan)
        else:
            state, score = reference_state(given(question.id))
        for area, a in question.areas.items():
            wa = question.weight * a
            if state == "scored":
                sums[area][0] += wa * score
                sums[area][1] += wa
            elif state in UNCERTAIN:
                sums[area][2] += wa
    areas = {}
    for area, (num, den, unc) in sums.items():
        if den == 0:
            areas[area] = (math.nan, math.nan, math.nan, den / (den + unc) if unc else math.nan)
        else:
            total = den + unc
            areas[area] = (
                100 * num / den,
                100 * num / total,
                100 * (num + unc) / total,
                den / total,
            )
    present = [score for score, *_ in areas.values() if not math.isnan(score)]
    overall = sum(present) / len(present) if present else None
    return areas, overall, disagreement


@PROPERTY
@given(missions)
def test_the_engine_agrees_with_a_plain_reading_of_the_method(mission: tuple[Any, Any]) -> None:
    scores = score(*mission)
    areas, overall, disagreement = reference(*mission)
    columns = ["score", "low", "high", "coverage"]
    engine = scores.areas.set_index("area")[columns]
    for area, expected in areas.items():
        np.testing.assert_allclose(engine.loc[area].to_numpy(float), expected, atol=1e-9)
    if overall is None:
        assert scores.overall.score is None
    else:
        assert scores.overall.score == pytest.approx(overall, abs=1e-9)
    flagged = dict(zip(scores.questions["question"], scores.questions["disagreement"], strict=True))
    assert flagged == disagreement
