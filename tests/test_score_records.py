"""Typed score results: records, their frame views, and the one ranking every output uses."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from test_scoring import HAND_HEAD, answers_frame, consolidated_frame
from test_scoring_properties import PROPERTY, missions, score

from assessment_kit import charts
from assessment_kit.briefing.context import briefing_context
from assessment_kit.demo import create_demo_mission
from assessment_kit.questionnaire import loads
from assessment_kit.scoring import (
    AreaScore,
    MissionScores,
    QuestionArea,
    QuestionScore,
    RespondentScore,
    ScoringProfile,
    is_weak,
    priorities,
    recommendations,
    score_answers,
    score_mission,
    section_area_means,
    weakest_in,
)
from assessment_kit.store import Mission

# The frames' columns and dtypes, as notebooks, CSV exports and tests have always read them.
STR = "str"
DTYPES: dict[str, dict[str, str]] = {
    "areas": {
        "area": STR, "name": STR, "score": "float64", "coverage": "float64", "low": "float64",
        "high": "float64", "band": "object", "questions_scored": "int64",
        "questions_relevant": "int64", "explanation": STR, "caps": STR,
    },
    "questions": {
        "questionnaire": STR, "question": STR, "section": STR, "text": STR, "relevant": "bool",
        "value": "object", "state": STR, "score": "float64", "source": "object",
        "n_answers": "int64", "spread": "float64", "disagreement": "bool", "weight": "float64",
        "gap": "float64", "primary_area": "object", "answer": STR,
    },
    "question_areas": {
        "questionnaire": STR, "question": STR, "area": STR, "area_weight": "float64",
    },
    "respondents": {
        "respondent": STR, "institution_type": STR, "sector": STR, "questionnaire": STR,
        "answered": "int64", "scored": "int64", "mean_score": "float64",
    },
}  # fmt: skip
RECORDS = {
    "areas": (AreaScore, "area_scores"),
    "questions": (QuestionScore, "question_scores"),
    "question_areas": (QuestionArea, "links"),
    "respondents": (RespondentScore, "respondent_scores"),
}


def _dtype(series: pd.Series) -> str:
    return STR if isinstance(series.dtype, pd.StringDtype) else str(series.dtype)


def _no_nan(record: Any) -> None:
    for item in dataclasses.fields(record):
        value = getattr(record, item.name)
        assert not (isinstance(value, float) and math.isnan(value)), (record, item.name)


@PROPERTY
@given(missions)
def test_frames_are_views_of_clean_records(mission: tuple[Any, Any]) -> None:
    scores = score(*mission)
    for frame_name, (kind, field_name) in RECORDS.items():
        frame = getattr(scores, frame_name)
        records = getattr(scores, field_name)
        assert list(frame.columns) == list(DTYPES[frame_name]) == list(kind.columns())
        if len(frame):  # an empty text column has no inferred dtype
            assert {c: _dtype(frame[c]) for c in frame.columns} == DTYPES[frame_name]
        for record in records:
            _no_nan(record)
        assert kind.from_frame(frame) == records
        pd.testing.assert_frame_equal(kind.to_frame(kind.from_frame(frame)), frame)


# --------------------------------------------------------------------------- the demo
# score --json and the briefing HTML of the demo are pinned by tests/test_golden.py.


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("records") / "demo.db"
    create_demo_mission(path).close()
    return path


def test_briefing_weaknesses_are_scorings_weakest(demo: Path) -> None:
    with Mission.open(demo) as mission:
        scores = score_mission(mission)
        context = briefing_context(mission, scores)
    for area in context.areas:
        weak = [q.question for q in weakest_in(scores, area.id) if is_weak(q.score)]
        assert [finding.question for finding in area.weaknesses] == weak[:3]
        explained = scores.area_score(area.id).explanation
        for question in weakest_in(scores, area.id)[:2]:
            assert question.answer in explained


# --------------------------------------------------------------------------- one ranking


def _question(qid: str, section_weight: str, areas: str, recommendation: str) -> str:
    return (
        f"      - id: {qid}\n        type: scale\n        scale: ypn\n"
        f"        text: Question {qid}?\n        guidance: Ask.\n"
        f"        weight: {section_weight}\n        areas: {areas}\n"
        f"        recommendation: {recommendation}\n"
    )


# Question weight w, area weight a, the consolidated answer's score s; gap = w (1 - s).
RANK_YAML = HAND_HEAD + (
    "  - id: one\n    title: One\n    questions:\n"
    + _question("a", "1", "{criminal_justice: 1}", "Do a.")  # s 0,   a 1,   gap 1
    + _question("b", "2", "{criminal_justice: 0.5, legislation: 1}", "Do b.")  # s 0, gap 2
    + _question("c", "1", "{criminal_justice: 1}", "Do a.")  # s 0.5, a 1,   gap 0.5
    + "  - id: two\n    title: Two\n    questions:\n"
    + _question("d", "1", "{criminal_justice: 2}", "Do d.")  # s 0.5, a 2,   gap 0.5
    + _question("e", "1", "{criminal_justice: 1}", "Do e.")  # s 1: nothing to gain
    + _question("f", "1", "{criminal_justice: 1}", "Do a.")  # s 0,   a 1,   gap 1
)
RANK_ANSWERS = {"a": "no", "b": "no", "c": "partly", "d": "partly", "e": "yes", "f": "no"}


@pytest.fixture(scope="module")
def ranked() -> tuple[Any, MissionScores]:
    questionnaire = loads(RANK_YAML, file="rank.yaml")
    scores = score_answers(
        {"hand": questionnaire}, answers_frame({}), consolidated_frame(RANK_ANSWERS)
    )
    return questionnaire, scores


def test_weakest_is_lowest_score_then_area_weight_then_order(
    ranked: tuple[Any, MissionScores],
) -> None:
    _, scores = ranked
    # score 0: a (a 1), f (a 1), b (a 0.5); score 0.5: d (a 2), c (a 1); e has no gap.
    assert [q.question for q in weakest_in(scores, "criminal_justice")] == list("afbdc")
    explanation = scores.area_score("criminal_justice").explanation
    assert "Weakest: 'Question a?' (no); 'Question f?' (no)." in explanation


def test_priority_is_the_engines_gap(ranked: tuple[Any, MissionScores]) -> None:
    _, scores = ranked
    # gap 2: b; gap 1: a, f (questionnaire order); gap 0.5: c (score 0.5), d.
    assert [q.question for q in priorities(scores.question_scores)] == list("bafcd")
    table = charts.weakest_questions_table(scores, n=3)
    assert list(table["question"]) == list("baf")
    assert list(table["gap"]) == [2.0, 1.0, 1.0]


def test_recommendations_merge_weak_questions_and_keep_the_largest_gap(
    ranked: tuple[Any, MissionScores],
) -> None:
    questionnaire, scores = ranked
    found = {(r.area, r.text): r for r in recommendations(scores, {"hand": questionnaire})}
    # a and f share "Do a." (c does too but is not weak: 0.5); b's area is legislation.
    assert set(found) == {("criminal_justice", "Do a."), ("legislation", "Do b.")}
    merged = found[("criminal_justice", "Do a.")]
    assert merged.questions == (("hand", "a"), ("hand", "f"))
    assert (merged.priority, merged.score) == (1.0, 0.0)
    assert found[("legislation", "Do b.")].priority == 2.0


def test_section_area_means_are_weighted_by_question_and_area_weight(
    ranked: tuple[Any, MissionScores],
) -> None:
    _, scores = ranked
    means = {(m.section, m.area): m.score for m in section_area_means(scores)}
    assert means == pytest.approx(
        {
            # one: a (w a 1, s 0), b (2 x 0.5 = 1, s 0), c (1, s 0.5) -> 100 * 0.5 / 3
            ("one", "criminal_justice"): 100 * 0.5 / 3,
            ("one", "legislation"): 0.0,  # b alone
            # two: d (2, s 0.5), e (1, s 1), f (1, s 0) -> 100 * 2 / 4
            ("two", "criminal_justice"): 50.0,
        }
    )
    heatmap = charts.section_heatmap_figure(scores)
    assert heatmap.data[0].z[1][list(heatmap.data[0].x).index("Criminal justice")] == 50.0


def test_a_question_weighing_nothing_has_no_priority(ranked: tuple[Any, MissionScores]) -> None:
    questionnaire, _ = ranked
    profile = ScoringProfile(question_weights={"hand.b": 0})
    scores = score_answers(
        {"hand": questionnaire}, answers_frame({}), consolidated_frame(RANK_ANSWERS), profile
    )
    assert "b" not in [q.question for q in priorities(scores.question_scores)]
    found = {r.text: r for r in recommendations(scores, {"hand": questionnaire})}
    assert found["Do b."].priority == 0.0  # still weak, so still recommended, but last
    assert list(found) == ["Do a.", "Do b."]
    means = {(m.section, m.area) for m in section_area_means(scores)}
    assert ("one", "legislation") not in means  # b was its only question
