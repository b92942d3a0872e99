"""The newer rules of the method worked out by hand: "no cases in the period" (both kinds),
caps that never fire on it, the disagreement threshold and partial assessments."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest

from assessment_kit.errors import Code
from assessment_kit.questionnaire import Questionnaire, loads
from assessment_kit.scoring import (
    Disagreement,
    MissionScores,
    ProfileError,
    ScoringProfile,
    loads_profile,
    score_answers,
)

YAML = """\
id: hand
version: 1.0.0
title: Worked by hand
scales:
  ypn:
    choices:
      - {value: "yes", label: "Yes", score: 1}
      - {value: partly, label: Partly, score: 0.5}
      - {value: "no", label: "No", score: 0}
  five:
    choices:
      - {value: none, label: None, score: 0}
      - {value: little, label: Little, score: 0.25}
      - {value: some, label: Some, score: 0.5}
      - {value: most, label: Most, score: 0.75}
      - {value: full, label: Full, score: 1}
sections:
  - id: law
    title: Law
    questions:
      - {id: offence, type: scale, scale: ypn, text: Offence?, guidance: Code.,
         areas: {legislation: 1}, recommendation: Adopt.}
  - id: practice
    title: Practice
    questions:
      - {id: prosecuted, type: scale, scale: ypn, text: Prosecuted?, guidance: Cases.,
         practice: true, no_cases: not_applicable,
         areas: {criminal_justice: 1}, recommendation: Prosecute.}
      - {id: seized, type: scale, scale: ypn, text: Seized?, guidance: Orders.,
         practice: true, no_cases: 0.5,
         areas: {criminal_justice: 1}, recommendation: Seize.}
      - {id: compensated, type: scale, scale: ypn, text: Compensated?, guidance: Awards.,
         practice: true, no_cases: not_applicable,
         areas: {protection: 1}, recommendation: Compensate.}
      - {id: investigated, type: scale, scale: ypn, text: Investigated?, guidance: Files.,
         practice: true, no_cases: 0, weight: 2,
         areas: {criminal_justice: 1}, recommendation: Investigate.}
  - id: care
    title: Care
    questions:
      - {id: shelters, type: scale, scale: ypn, text: Shelters?, guidance: Visit.,
         areas: {protection: 1}, recommendation: Open shelters.}
      - {id: hotline, type: scale, scale: five, text: Hotline?, guidance: Call it.,
         areas: {protection: 1}, recommendation: Staff the hotline.}
"""

ANSWERS = {
    "A": {"offence": "yes", "prosecuted": "no_cases", "seized": "no_cases",
          "compensated": "no_cases", "investigated": "yes", "shelters": "yes", "hotline": "full"},
    "B": {"offence": "partly", "prosecuted": "no_cases", "seized": "no",
          "compensated": "unknown", "investigated": "no_cases", "shelters": "no",
          "hotline": "some"},
}  # fmt: skip
CONSOLIDATED = {"investigated": "no_cases"}


@pytest.fixture(scope="module")
def hand() -> Questionnaire:
    return loads(YAML, file="hand.yaml")


def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    answers = pd.DataFrame(
        [
            {"respondent": r, "institution_type": "police", "sector": "", "questionnaire": "hand",
             "question": q, "value": v}
            for r, given in ANSWERS.items()
            for q, v in given.items()
        ]
    )  # fmt: skip
    consolidated = pd.DataFrame(
        [{"questionnaire": "hand", "question": q, "value": v} for q, v in CONSOLIDATED.items()]
    )
    return answers, consolidated


def score(
    hand: Questionnaire,
    profile: ScoringProfile | None = None,
    sections: dict[str, list[str]] | None = None,
) -> MissionScores:
    answers, consolidated = frames()
    return score_answers({"hand": hand}, answers, consolidated, profile=profile, sections=sections)


def approx(value: float) -> Any:
    return pytest.approx(value, abs=0.005)


# Worked by hand (w = weight, s = score):
#
# offence       A yes 1, B partly 0.5 -> s 0.75; one step apart on yes/partly/no: no flag
# prosecuted    both "no cases", declared not_applicable -> state no_cases, out of coverage
# seized        A "no cases" scored 0.5, B no 0 -> s 0.25; one step of {0, 0.5, 1}: no flag
# compensated   A "no cases" (not applicable), B unknown -> unknown: widens the range
# investigated  consolidated "no cases", declared 0 -> s 0 (w 2); respondents' answers
#               (yes, no cases scored 0) are overridden
# shelters      yes against no -> s 0.5; two steps: flagged
# hotline       full 1 against some 0.5 on five points -> s 0.75; two steps: flagged
#
# legislation       0.75 / 1 -> 75; coverage 1; 1 of 1
# criminal_justice  seized 1 * 0.25 + investigated 2 * 0 = 0.25 over 3 -> 8.33;
#                   prosecuted is out: coverage 3/3 = 1; 2 of 2 relevant
# protection        shelters 0.5 + hotline 0.75 = 1.25 over 2 -> 62.5; compensated
#                   uncertain (w 1): low 1.25/3 = 41.67, high 2.25/3 = 75, coverage 2/3;
#                   2 scored of 3 relevant
EXPECTED = {
    "legislation": (75.0, 75.0, 75.0, 1.0, 1, 1),
    "criminal_justice": (100 * 0.25 / 3, 100 * 0.25 / 3, 100 * 0.25 / 3, 1.0, 2, 2),
    "protection": (62.5, 100 * 1.25 / 3, 75.0, 2 / 3, 2, 3),
}


def test_no_cases_hand_computed_areas(hand: Questionnaire) -> None:
    areas = score(hand).areas.set_index("area")
    for area, (value, low, high, coverage, n_scored, n_relevant) in EXPECTED.items():
        row = areas.loc[area]
        assert (row["score"], row["low"], row["high"]) == (approx(value), approx(low),
                                                           approx(high)), area  # fmt: skip
        assert row["coverage"] == approx(coverage), area
        assert (row["questions_scored"], row["questions_relevant"]) == (n_scored, n_relevant)
    assert areas.loc["criminal_justice", "score"] == approx(8.33)


def test_no_cases_hand_computed_questions(hand: Questionnaire) -> None:
    questions = score(hand).questions.set_index("question")
    assert questions.loc["prosecuted", "state"] == "no_cases"
    assert math.isnan(questions.loc["prosecuted", "score"])
    assert math.isnan(questions.loc["prosecuted", "gap"])  # not a gap
    assert (questions.loc["seized", "state"], questions.loc["seized", "score"]) == ("scored", 0.25)
    assert questions.loc["compensated", "state"] == "unknown"
    assert (questions.loc["investigated", "state"], questions.loc["investigated", "score"]) == (
        "scored",
        0.0,
    )
    assert questions.loc["investigated", "value"] == "no_cases"
    assert questions.loc["investigated", "answer"] == "no cases in the period"
    assert questions.loc["prosecuted", "answer"] == "no cases in the period"
    # Respondents: investigated yes against "no cases" scored 0, shelters yes against no,
    # hotline full against some: two steps each. offence and seized differ by one step.
    flagged = questions.index[questions["disagreement"]].tolist()
    assert flagged == ["investigated", "shelters", "hotline"]


def test_explanation_names_no_cases(hand: Questionnaire) -> None:
    explanation = score(hand).areas.set_index("area").loc["criminal_justice", "explanation"]
    assert "1 question had no cases in the period (left out of coverage)." in explanation


CAPS = """\
name: caps
caps:
  - {when: hand.prosecuted, value: "no", area: criminal_justice, max: 1, reason: r1}
  - {when: hand.investigated, score_below: 0.5, area: criminal_justice, max: 2, reason: r2}
  - {when: hand.compensated, value: "no", area: protection, max: 3, reason: r3}
"""


def test_caps_never_fire_on_no_cases(hand: Questionnaire) -> None:
    # prosecuted is "no cases" (not "no"), investigated scores 0 from "no cases": no cap.
    areas = score(hand, loads_profile(CAPS)).areas.set_index("area")
    assert areas.loc["criminal_justice", "score"] == approx(8.33)
    assert areas.loc["criminal_justice", "caps"] == ""
    # seized scores 0.25 from "no cases" 0.5 and "no" 0; its representative answer is the
    # "no" (a tie goes to the questionnaire's choice), so a cap on it fires, fired by the "no".
    fired = loads_profile(
        "caps:\n  - {when: hand.seized, score_below: 0.5, area: criminal_justice, max: 5,"
        " reason: no seizures}\n"
    )
    areas = score(hand, fired).areas.set_index("area")
    assert areas.loc["criminal_justice", "score"] == 5.0


@pytest.mark.parametrize(
    ("question", "code"),
    [("offence", Code.NO_CASES_NOT_DECLARED), ("prosecuted", Code.PROFILE_FIELD)],
)
def test_a_cap_on_no_cases_is_refused(hand: Questionnaire, question: str, code: Code) -> None:
    profile = loads_profile(
        f"caps:\n  - {{when: hand.{question}, value: no_cases, area: legislation, max: 1,"
        " reason: r}\n",
        file="p.yaml",
    )
    with pytest.raises(ProfileError) as caught:
        score(hand, profile)
    assert caught.value.codes == [code]


def test_disagreement_threshold_is_a_profile_setting(hand: Questionnaire) -> None:
    strict = loads_profile("disagreement: {min_steps: 1}\n")
    assert strict.disagreement == Disagreement(min_steps=1, min_span=0.5)
    questions = score(hand, strict).questions.set_index("question")
    assert questions.index[questions["disagreement"]].tolist() == [
        "offence",
        "seized",
        "investigated",
        "shelters",
        "hotline",
    ]
    # Three steps: on yes/partly/no (two steps long) its two ends still count; on five
    # points some against full (two steps) no longer does.
    loose = loads_profile("disagreement: {min_steps: 3}\n")
    questions = score(hand, loose).questions.set_index("question")
    assert questions.index[questions["disagreement"]].tolist() == ["investigated", "shelters"]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("disagreement: {min_steps: 0}", "disagreement.min_steps"),
        ("disagreement: {min_steps: 1.5}", "disagreement.min_steps"),
        ("disagreement: {min_span: 2}", "disagreement.min_span"),
        ("disagreement: {steps: 2}", "disagreement.steps"),
        ("disagreement: 2", "disagreement"),
    ],
)
def test_bad_disagreement_setting(text: str, field: str) -> None:
    with pytest.raises(ProfileError) as caught:
        loads_profile(text + "\n", file="p.yaml")
    assert caught.value.codes == [Code.PROFILE_FIELD]
    assert caught.value.problems[0].path == field


# Partial assessment: the mission assesses law and care, not practice.
#
# legislation       unchanged: 75
# criminal_justice  every question is in practice: no question -> null score, null coverage
# protection        shelters 0.5 + hotline 0.75 over 2 -> 62.5; compensated is left out, so
#                   nothing widens the range: low = high = 62.5, coverage 1; 2 of 2
def test_partial_assessment_leaves_sections_out_entirely(hand: Questionnaire) -> None:
    scores = score(hand, sections={"hand": ["law", "care"]})
    areas = scores.areas.set_index("area")
    assert areas.loc["legislation", "score"] == 75.0
    assert math.isnan(areas.loc["criminal_justice", "score"])
    assert math.isnan(areas.loc["criminal_justice", "coverage"])
    assert areas.loc["criminal_justice", "questions_relevant"] == 0
    protection = areas.loc["protection"]
    assert (protection["score"], protection["low"], protection["high"]) == (62.5, 62.5, 62.5)
    assert (protection["coverage"], protection["questions_relevant"]) == (1.0, 2)
    assert "practice" not in set(scores.questions["section"])  # not even as a gap
    assert scores.respondents.set_index("respondent")["answered"].to_dict() == {"A": 3, "B": 3}
    assert [(s.questionnaire, s.section, s.title) for s in scores.left_out] == [
        ("hand", "practice", "Practice")
    ]
    assert scores.to_json()["sections_left_out"] == [
        {"questionnaire": "hand", "section": "practice", "title": "Practice"}
    ]
    whole = score(hand, sections={"other": ["x"]})  # another instrument's choice: all of hand
    assert whole.left_out == ()
    assert whole.areas.set_index("area").loc["criminal_justice", "score"] == approx(8.33)
