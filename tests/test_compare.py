"""Follow-up against baseline, worked by hand across two versions of an inline instrument.

Version 1.0.0 (the baseline's) and 2.0.0 (the follow-up's) of one small instrument. 2.0.0
keeps some questions, renames one, splits one in two, merges two into one, drops one and
adds one; its lineage is checked by the loader against 1.0.0 written in ``previous/``.
Then properties on random answers: a mission compared with itself, and the swap.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment_kit.errors import Code, ComparisonError
from assessment_kit.questionnaire import Questionnaire, loads
from assessment_kit.scoring import MissionScores, score_answers
from assessment_kit.scoring.compare import (
    QUESTION_STATUSES,
    RECOMMENDATION_STATUSES,
    Comparison,
    compare,
)

SCALE = """\
languages: [en]
scales:
  ypn:
    label: Yes, partly or no
    choices:
      - {value: "yes", label: "Yes", score: 1}
      - {value: partly, label: Partly, score: 0.5}
      - {value: "no", label: "No", score: 0}
"""


def question(qid: str, area: str, recommendation: str = "", **extra: str) -> str:
    """One scale question feeding one area with weight 1."""
    lines = [
        f"      - id: {qid}",
        "        type: scale",
        "        scale: ypn",
        f"        text: Question {qid}?",
        "        guidance: Ask for documents.",
        f"        areas: {{{area}: 1}}",
        f"        recommendation: {recommendation or f'Improve {qid}.'}",
    ]
    lines += [f"        {key}: {value}" for key, value in extra.items()]
    return "\n".join(lines) + "\n"


def instrument(version: str, head: str, *questions: str) -> str:
    return (
        f"id: hand\nversion: {version}\ntitle: Worked by hand\n{head}{SCALE}"
        "sections:\n  - id: all\n    title: All\n    questions:\n" + "".join(questions)
    )


NOCASE = {"practice": "true", "no_cases": "not_applicable"}

V1 = instrument(
    "1.0.0",
    "",
    question("offence", "legislation"),
    question("penalties", "legislation"),
    question("old_name", "legislation", "Amend the old law."),
    question("broad", "protection", "Regulate broadly."),
    question("m1", "protection"),
    question("m2", "protection", "Train on m2."),
    question("hotline", "protection", "Open a hotline."),
    question("shelter", "protection", "Build shelters."),
    question("gone", "prevention"),
    question("nocase", "criminal_justice", **NOCASE),
)
V2 = instrument(
    "2.0.0",
    "previous: 1.0.0\ndropped: [gone]\n",
    question("offence", "legislation"),
    question("penalties", "legislation"),
    question("new_name", "legislation", replaces="[old_name]"),
    question("part_a", "protection", replaces="[broad]"),
    question("part_b", "protection", replaces="[broad]"),
    question("merged", "protection", replaces="[m1, m2]"),
    question("hotline", "protection", "Open a hotline."),
    question("shelter", "protection", "Build shelters."),
    question("fresh", "prevention"),
    question("nocase", "criminal_justice", **NOCASE),
)

# One respondent's answers; the mission's value is the respondent's score.
BASELINE = {
    "offence": "partly", "penalties": "unknown", "old_name": "no", "broad": "no",
    "m1": "yes", "m2": "no", "hotline": "no", "shelter": "no", "gone": "yes",
    "nocase": "yes",
}  # fmt: skip
FOLLOWUP = {
    "offence": "yes", "penalties": "unknown", "new_name": "partly", "part_a": "yes",
    "part_b": "no", "merged": "partly", "hotline": "yes", "shelter": "unknown",
    "fresh": "yes", "nocase": "no_cases",
}  # fmt: skip


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Questionnaire, Questionnaire]:
    folder = tmp_path_factory.mktemp("hand")
    (folder / "previous").mkdir()
    (folder / "previous" / "hand-1.0.0.yaml").write_text(V1, encoding="utf-8")
    # Loaded with its folder: the loader checks 2.0.0's replaces and dropped against 1.0.0.
    return loads(V1, "hand-1.0.0.yaml"), loads(V2, "hand.yaml", folder=folder)


def scores(questionnaire: Questionnaire, answers: dict[str, Any]) -> MissionScores:
    rows = [("A", "prosecutor", "", "hand", q, v) for q, v in answers.items()]
    frame = pd.DataFrame.from_records(
        rows,
        columns=["respondent", "institution_type", "sector", "questionnaire", "question", "value"],
    )
    frame["value"] = frame["value"].astype(object)
    consolidated = pd.DataFrame(columns=["questionnaire", "question", "value"])
    return score_answers({"hand": questionnaire}, frame, consolidated)


def comparison(
    versions: tuple[Questionnaire, Questionnaire],
    before: dict[str, Any] = BASELINE,
    after: dict[str, Any] = FOLLOWUP,
) -> Comparison:
    v1, v2 = versions
    return compare(scores(v1, before), scores(v2, after), {"hand": v1}, {"hand": v2})


# Per question (newer id): match, ids compared then and now, score then, score now, status.
#   offence    0.5 -> 1                                      +0.5 improved
#   new_name   old_name 0 -> 0.5 (renamed)                   +0.5 improved
#   part_a     broad 0 -> 1 (split: each part against broad) +1   improved
#   part_b     broad 0 -> 0                                        unchanged
#   merged     mean(m1 1, m2 0) = 0.5 -> 0.5                       unchanged
#   hotline    0 -> 1                                        +1   improved
#   shelter    0 -> unknown                                        no longer scored
#   penalties  unknown -> unknown                                  not scored
#   nocase     1 -> no_cases (declared not applicable)             no longer scored
EXPECTED_QUESTIONS = {
    "offence": ("same", ("offence",), ("offence",), 0.5, 1.0, "improved"),
    "penalties": ("same", ("penalties",), ("penalties",), None, None, "not_scored"),
    "new_name": ("renamed", ("old_name",), ("new_name",), 0.0, 0.5, "improved"),
    "part_a": ("split", ("broad",), ("part_a",), 0.0, 1.0, "improved"),
    "part_b": ("split", ("broad",), ("part_b",), 0.0, 0.0, "unchanged"),
    "merged": ("merged", ("m1", "m2"), ("merged",), 0.5, 0.5, "unchanged"),
    "hotline": ("same", ("hotline",), ("hotline",), 0.0, 1.0, "improved"),
    "shelter": ("same", ("shelter",), ("shelter",), 0.0, None, "no_longer_scored"),
    "nocase": ("same", ("nocase",), ("nocase",), 1.0, None, "no_longer_scored"),
}

# Per area: score then, now, verdict (weights all 1, one respondent).
#   legislation  then offence 0.5, old_name 0 (penalties unknown): 25.0, range 16.7..50.0
#                now  offence 1, new_name 0.5:                      75.0, range 50.0..83.3
#                the ranges touch at 50: they overlap, so within the uncertainty
#   protection   then broad 0, m1 1, m2 0, hotline 0, shelter 0:    20.0, range 20..20
#                now  part_a 1, part_b 0, merged 0.5, hotline 1 (shelter unknown):
#                     2.5 / 4 = 62.5, range 50..70:                  real
#   prevention   then gone 100, now fresh 100: no change, ranges 100..100 overlap
#   criminal_justice  then nocase 100; now no_cases (not applicable): no score, not comparable
EXPECTED_AREAS = {
    "legislation": (25.0, 75.0, 50.0, "within_uncertainty"),
    "protection": (20.0, 62.5, 42.5, "real"),
    "prevention": (100.0, 100.0, 0.0, "within_uncertainty"),
    "criminal_justice": (100.0, None, None, "not_comparable"),
    "data": (None, None, None, "not_comparable"),
}

# The baseline's recommendations (weak answers: below 0.5), by priority (all 1 here), then
# area order, then text; the follow-up's lowest score of the matched questions decides.
EXPECTED_RECOMMENDATIONS = [
    ("legislation", "Amend the old law.", 0.5, "partly"),  # new_name 0.5
    ("protection", "Build shelters.", None, "cannot_tell"),  # shelter unknown
    ("protection", "Open a hotline.", 1.0, "acted_on"),  # hotline 1
    ("protection", "Regulate broadly.", 0.0, "not_yet"),  # part_a 1, part_b 0: lowest 0
    ("protection", "Train on m2.", 0.5, "partly"),  # merged 0.5
]


def test_questions_match_across_versions_as_worked_by_hand(
    versions: tuple[Questionnaire, Questionnaire],
) -> None:
    result = comparison(versions)
    got = {
        q.question: (
            q.match,
            q.baseline_questions,
            q.followup_questions,
            q.then.score,
            q.now.score,
            q.status,
        )
        for q in result.questions
    }
    assert got == EXPECTED_QUESTIONS  # halves and wholes: exact in binary
    by_id = {q.question: q for q in result.questions}
    assert by_id["nocase"].now.state == "no_cases"
    assert by_id["shelter"].now.state == "unknown"
    assert by_id["part_a"].change == pytest.approx(1.0)
    # New and dropped questions are listed and never counted as change.
    assert [(q.question, q.area) for q in result.new] == [("fresh", "prevention")]
    assert [(q.question, q.area) for q in result.dropped] == [("gone", "prevention")]
    assert {"fresh", "gone"}.isdisjoint(by_id)


def test_areas_as_worked_by_hand(versions: tuple[Questionnaire, Questionnaire]) -> None:
    result = comparison(versions)
    by_area = {a.area: a for a in result.areas}
    for area, (then, now, change, verdict) in EXPECTED_AREAS.items():
        got = by_area[area]
        assert (got.then.score, got.now.score, got.change, got.verdict) == (
            then,
            now,
            change,
            verdict,
        ), area
    legislation = by_area["legislation"]
    assert (legislation.then.low, legislation.then.high) == pytest.approx((50 / 3, 50.0))
    assert (legislation.now.low, legislation.now.high) == pytest.approx((50.0, 250 / 3))
    assert legislation.then.coverage == pytest.approx(2 / 3)
    assert by_area["protection"].now.coverage == pytest.approx(0.8)
    assert by_area["protection"].real
    assert not legislation.real
    # Overall: then mean(25, 20, 100, 100) = 61.25; now mean(75, 62.5, 100) = 79.17.
    assert result.overall_then == pytest.approx(61.25)
    assert result.overall_now == pytest.approx(237.5 / 3)


def test_recommendations_as_worked_by_hand(
    versions: tuple[Questionnaire, Questionnaire],
) -> None:
    result = comparison(versions)
    got = [(r.area, r.text, r.now_score, r.status) for r in result.recommendations]
    assert got == EXPECTED_RECOMMENDATIONS
    regulate = result.recommendations[3]
    assert regulate.questions == (("hand", "broad"),)
    assert regulate.followup_questions == (("hand", "part_a"), ("hand", "part_b"))
    assert result.recommendation_counts() == {
        "acted_on": 1,
        "partly": 2,
        "not_yet": 1,
        "cannot_tell": 1,
    }


def test_json_has_the_documented_shape(versions: tuple[Questionnaire, Questionnaire]) -> None:
    data = comparison(versions).to_json()
    assert set(data) == {
        "baseline", "followup", "instruments", "overall", "areas", "questions", "new",
        "dropped", "recommendations", "counts",
    }  # fmt: skip
    assert data["instruments"] == [
        {"id": "hand", "baseline_version": "1.0.0", "followup_version": "2.0.0"}
    ]
    assert set(data["overall"]) == {"then", "now", "change"}
    # The change is the difference of the printed scores: 79.2 - 61.2.
    assert data["overall"] == {"then": 61.2, "now": 79.2, "change": 18.0}
    area = data["areas"][0]
    assert set(area) == {"id", "name", "then", "now", "change", "verdict"}
    assert set(area["then"]) == set(area["now"]) == {"score", "low", "high", "coverage"}
    question = data["questions"][0]
    assert set(question) == {
        "questionnaire", "question", "text", "area", "match", "baseline_questions",
        "followup_questions", "then", "now", "change", "status",
    }  # fmt: skip
    assert set(question["then"]) == {"score", "state"}
    assert set(data["new"][0]) == {"questionnaire", "question", "text", "area"}
    assert set(data["recommendations"][0]) == {
        "area", "text", "priority", "questions", "followup_questions", "then_score",
        "now_score", "status",
    }  # fmt: skip
    assert set(data["counts"]["questions"]) == set(QUESTION_STATUSES)
    assert set(data["counts"]["recommendations"]) == set(RECOMMENDATION_STATUSES)
    protection = next(a for a in data["areas"] if a["id"] == "protection")
    assert protection["then"] == {"score": 20.0, "low": 20.0, "high": 20.0, "coverage": 1.0}
    assert protection["change"] == 42.5


def test_other_instruments_are_refused(versions: tuple[Questionnaire, Questionnaire]) -> None:
    v1, v2 = versions
    before, after = scores(v1, BASELINE), scores(v2, FOLLOWUP)
    with pytest.raises(ComparisonError) as caught:
        compare(before, after, {"hand": v1}, {"other": v2})
    assert caught.value.codes == [Code.COMPARE_INSTRUMENTS]


def test_versions_more_than_one_revision_apart_are_refused(
    versions: tuple[Questionnaire, Questionnaire],
) -> None:
    v1, _ = versions
    v3 = loads(
        instrument("3.0.0", "previous: 2.0.0\n", question("offence", "legislation")), "v3.yaml"
    )
    with pytest.raises(ComparisonError) as caught:
        compare(scores(v1, BASELINE), scores(v3, {}), {"hand": v1}, {"hand": v3})
    assert caught.value.codes == [Code.COMPARE_LINEAGE]


# -- properties ---------------------------------------------------------------------------

VALUES = st.sampled_from(["yes", "partly", "no", "unknown", "not_applicable", None])


def answers_for(questionnaire: Questionnaire) -> st.SearchStrategy[dict[str, Any]]:
    ids = [q.id for q in questionnaire.iter_questions()]
    return st.fixed_dictionaries(dict.fromkeys(ids, VALUES)).map(
        lambda given: {k: v for k, v in given.items() if v is not None}
    )


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_a_mission_compared_with_itself_has_no_change(
    versions: tuple[Questionnaire, Questionnaire], data: st.DataObject
) -> None:
    v1, v2 = versions
    for questionnaire in (v1, v2):
        answers = data.draw(answers_for(questionnaire))
        own = scores(questionnaire, answers)
        result = compare(own, own, {"hand": questionnaire}, {"hand": questionnaire})
        assert all(a.change in (None, 0.0) for a in result.areas)
        assert all(a.verdict != "real" for a in result.areas)
        assert all(q.status in ("unchanged", "not_scored") for q in result.questions)
        assert all(q.match == "same" for q in result.questions)
        assert not result.new
        assert not result.dropped
        assert {r.status for r in result.recommendations} <= {"cannot_tell", "not_yet"}
        assert result.to_json()["overall"]["change"] in (None, 0.0)


SWAPPED = {
    "improved": "worsened",
    "worsened": "improved",
    "unchanged": "unchanged",
    "now_scored": "no_longer_scored",
    "no_longer_scored": "now_scored",
    "not_scored": "not_scored",
}


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_swapping_baseline_and_followup_negates_every_change(
    versions: tuple[Questionnaire, Questionnaire], data: st.DataObject
) -> None:
    v1, v2 = versions
    old, new = scores(v1, data.draw(answers_for(v1))), scores(v2, data.draw(answers_for(v2)))
    forward = compare(old, new, {"hand": v1}, {"hand": v2})
    backward = compare(new, old, {"hand": v2}, {"hand": v1})
    for there, back in zip(forward.areas, backward.areas, strict=True):
        assert (back.change is None) == (there.change is None)
        if there.change is not None:
            assert back.change == -there.change
            assert back.printed_change == -(there.printed_change or 0.0)
        assert back.verdict == there.verdict
    back_by_pair = {(q.followup_questions, q.baseline_questions): q for q in backward.questions}
    assert len(back_by_pair) == len(forward.questions)
    for q in forward.questions:
        back = back_by_pair[(q.baseline_questions, q.followup_questions)]
        assert (back.then, back.now) == (q.now, q.then)
        assert back.change == (None if q.change is None else -q.change)
        assert back.status == SWAPPED[q.status]
        assert back.match == q.match
    assert backward.new == forward.dropped
    assert backward.dropped == forward.new
    json_forward, json_backward = forward.to_json(), backward.to_json()
    change = json_forward["overall"]["change"]
    assert json_backward["overall"]["change"] == (None if change is None else -change)


def test_the_shipped_revision_matches_through_replaces() -> None:
    """The shipped 2.0.0 instruments against their 1.0.0: a merge, a split, a rename."""
    from assessment_kit.demo import baseline_questionnaires
    from assessment_kit.questionnaire import builtin

    old = {q.id: q for q in baseline_questionnaires()}
    new = {qid: builtin(qid) for qid in old}
    result = compare(unanswered(old), unanswered(new), old, new)
    pairs = {(q.questionnaire, q.question): q for q in result.questions}
    merged = pairs[("criminal_justice", "sd_police_recording")]
    assert (merged.match, merged.baseline_questions) == (
        "merged",
        ("sd_police_statistics", "le_case_management"),
    )
    for part in ("lf_smuggling_offence_distinct", "lf_smuggled_not_punished"):
        split = pairs[("criminal_justice", part)]
        assert (split.match, split.baseline_questions) == ("split", ("lf_smuggling_distinct",))
    renamed = pairs[("organ_removal", "cl_coe_status")]
    assert (renamed.match, renamed.baseline_questions) == ("renamed", ("cl_coe_convention",))
    # Every old scored question is compared with something, or listed as dropped.
    compared = {(q.questionnaire, b) for q in result.questions for b in q.baseline_questions}
    for questionnaire in old.values():
        for question in questionnaire.iter_questions():
            if question.scored:
                key = (questionnaire.id, question.id)
                assert key in compared or key in {
                    (d.questionnaire, d.question) for d in result.dropped
                }


def unanswered(questionnaires: dict[str, Questionnaire]) -> MissionScores:
    frame = pd.DataFrame(
        columns=["respondent", "institution_type", "sector", "questionnaire", "question", "value"]
    )
    frame["value"] = frame["value"].astype(object)
    consolidated = pd.DataFrame(columns=["questionnaire", "question", "value"])
    return score_answers(questionnaires, frame, consolidated)
