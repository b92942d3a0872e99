"""Invariants of the scoring method, checked on random answers (hypothesis)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from test_scoring import HAND_YAML, answers_frame, consolidated_frame

from assessment_kit.questionnaire import loads
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
