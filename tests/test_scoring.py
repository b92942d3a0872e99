"""The scoring engine on a small inline questionnaire worked out by hand, and profiles."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from assessment_kit.areas import AREA_IDS
from assessment_kit.errors import AssessmentKitError, Code
from assessment_kit.questionnaire import builtin, loads
from assessment_kit.scoring import (
    MissionScores,
    ProfileError,
    ScoringProfile,
    default_profile,
    load_profile,
    loads_profile,
    score_answers,
    score_mission,
)


def question_yaml(qid: str, text: str, **fields: str) -> str:
    """One question in block style, with the guidance and recommendation the loader wants."""
    kind = fields.pop("type", "scale")
    lines = [f"      - id: {qid}", f"        type: {kind}", f"        text: {text!r}",
             "        guidance: Ask for documents."]  # fmt: skip
    if kind == "scale":
        lines += ["        scale: ypn", "        recommendation: Improve it."]
    lines += [f"        {key}: {value}" for key, value in fields.items()]
    return "\n".join(lines) + "\n"


def section_yaml(sid: str, *questions: str) -> str:
    return f"  - id: {sid}\n    title: {sid.title()}\n    questions:\n" + "".join(questions)


HAND_HEAD = """\
id: hand
version: 1.0.0
title: Worked by hand
languages: [en]
scales:
  ypn:
    label: Yes, partly or no
    choices:
      - {value: "yes", label: "Yes", score: 1}
      - {value: partly, label: Partly, score: 0.5}
      - {value: "no", label: "No", score: 0}
sections:
"""
HAND_YAML = HAND_HEAD + "".join(
    [
        section_yaml(
            "law",
            question_yaml("offence", "Is there an offence?", weight="2",
                          areas="{legislation: 1}"),
            question_yaml("consent", "Is consent irrelevant?", relevant="\"${offence} != 'no'\"",
                          areas="{legislation: 1, criminal_justice: 0.5}"),
            question_yaml("penalties", "Are penalties proportionate?", areas="{legislation: 1}"),
        ),
        section_yaml(
            "justice",
            question_yaml("unit", "Is there a specialised prosecution unit?", weight="2",
                          areas="{criminal_justice: 1}"),
            question_yaml("complicity", "Is official complicity prosecuted?",
                          areas="{criminal_justice: 1}"),
            question_yaml("training", "Are judges trained?", areas="{criminal_justice: 1}"),
            question_yaml("cases", "How many cases last year?", type="integer"),
        ),
        section_yaml(
            "victims",
            question_yaml("shelters", "Are there shelters?", areas="{protection: 1}"),
            question_yaml("compensation", "Is compensation paid?", areas="{protection: 1}"),
            question_yaml("referral", "Is there a fallback referral?",
                          relevant="\"${offence} = 'no'\"", areas="{protection: 1}"),
            question_yaml("hotline", "Is there a hotline?", areas="{protection: 1}"),
        ),
    ]
)  # fmt: skip

SERVICES_YAML = question_yaml(
    "services",
    "Which services?",
    type="multiple",
    areas="{protection: 1}",
    recommendation="Offer them.",
    choices="[{value: shelter, label: Shelter, score: 0.5}, "
    "{value: legal, label: Legal aid, score: 0.5}, "
    "{value: medical, label: Medical care, score: 0.5}]",
)

# respondent -> question -> value (three respondents A, B, C)
HAND_ANSWERS: dict[str, dict[str, Any]] = {
    "A": {
        "offence": "yes", "consent": "partly", "penalties": "no", "unit": "yes",
        "complicity": "yes", "shelters": "unknown", "compensation": "not_applicable",
        "referral": "no", "hotline": "yes", "cases": 12,
    },
    "B": {
        "offence": "yes", "consent": "unknown", "penalties": "no", "unit": "no",
        "complicity": "yes", "shelters": "unknown", "compensation": "not_applicable",
        "referral": "no", "hotline": "not_applicable",
    },
    "C": {
        "offence": "partly", "consent": "partly", "penalties": "declined", "unit": "partly",
        "complicity": "yes", "shelters": "declined", "compensation": "not_applicable",
        "referral": "no", "cases": 3,
    },
}  # fmt: skip
HAND_CONSOLIDATED = {"complicity": "no"}

ANSWER_COLUMNS = [
    "respondent", "institution_type", "sector", "questionnaire", "question", "value", "note",
    "evidence", "confidential", "updated_by", "updated_at",
]  # fmt: skip


def answers_frame(answers: dict[str, dict[str, Any]], questionnaire: str = "hand") -> pd.DataFrame:
    """A frame in the shape of ``Mission.answers_frame()``."""
    rows = [
        (r, "prosecutor", "justice", questionnaire, q, v, "", "", False, "t", "2026-11-25")
        for r, given in answers.items()
        for q, v in given.items()
    ]
    frame = pd.DataFrame.from_records(rows, columns=ANSWER_COLUMNS)
    frame["value"] = frame["value"].astype(object)
    return frame


def consolidated_frame(values: dict[str, Any], questionnaire: str = "hand") -> pd.DataFrame:
    """A frame in the shape of ``Mission.consolidated_frame()``."""
    frame = pd.DataFrame.from_records(
        [(questionnaire, q, v, "team view", "t", "2026-11-25") for q, v in values.items()],
        columns=["questionnaire", "question", "value", "rationale", "updated_by", "updated_at"],
    )
    frame["value"] = frame["value"].astype(object)
    return frame


@pytest.fixture(scope="module")
def hand() -> Any:
    return loads(HAND_YAML, file="hand.yaml")


def score_hand(hand: Any, profile: ScoringProfile | None = None) -> MissionScores:
    return score_answers(
        {"hand": hand},
        answers_frame(HAND_ANSWERS),
        consolidated_frame(HAND_CONSOLIDATED),
        profile=profile,
    )


# Worked by hand (w = question weight, a = area weight, s = score):
#
# offence     A yes, B yes, C partly -> s = 2.5/3 = 0.8333; representative (mode) 'yes'
# consent     relevant ('yes' != 'no'); A partly, B unknown, C partly -> s = 0.5 (unknown
#             ignored since others scored); spread 0
# penalties   A no, B no, C declined -> s = 0
# unit        A yes, B no, C partly -> s = 0.5; spread 1 -> disagreement
# complicity  respondents all 'yes' but consolidated 'no' -> s = 0, source consolidated
# training    nobody answered -> not_assessed (uncertain)
# shelters    unknown, unknown, declined -> state unknown (uncertain)
# compensation  all three not_applicable -> not_applicable (left out of everything)
# referral    relevant only when offence = 'no': not relevant, its 'no' answers are ignored
# hotline     A yes, B not_applicable -> scored s = 1 (one scored answer suffices)
#
# legislation: offence 2*1*0.8333 + consent 1*1*0.5 + penalties 1*1*0 = 2.1667 over w.a 4
#   score = 54.17, no uncertain -> low = high = 54.17, coverage 4/4 = 1; 3 of 3; Developing
# criminal_justice: consent 1*0.5*0.5 = 0.25 + unit 2*1*0.5 = 1 + complicity 0 = 1.25 over
#   w.a 0.5 + 2 + 1 = 3.5 -> score 35.71; training uncertain w.a 1:
#   low = 125/4.5 = 27.78, high = 225/4.5 = 50.00, coverage 3.5/4.5 = 0.7778; 3 of 4; Initial
# protection: hotline 1 over 1 -> score 100; shelters uncertain 1 -> low 50, high 100,
#   coverage 0.5; 1 of 2 (compensation n/a, referral not relevant); Advanced
# other areas: no question -> null score, null coverage
# overall = mean(54.17, 35.71, 100) = 63.29 Established; low = mean(54.17, 27.78, 50) = 43.98;
#   high = mean(54.17, 50, 100) = 68.06; coverage = mean(1, 0.7778, 0.5) = 0.7593
EXPECTED = {
    "legislation": (100 * (2 * 2.5 / 3 + 0.5) / 4, 1.0, None, None, "Developing", 3, 3),
    "criminal_justice": (100 * 1.25 / 3.5, 3.5 / 4.5, 100 * 1.25 / 4.5, 50.0, "Initial", 3, 4),
    "protection": (100.0, 0.5, 50.0, 100.0, "Advanced", 1, 2),
}


def approx(value: float) -> Any:
    return pytest.approx(value, abs=0.005)


def test_hand_computed_areas(hand: Any) -> None:
    scores = score_hand(hand)
    areas = scores.areas.set_index("area")
    assert list(scores.areas["area"]) == list(AREA_IDS)
    for area, (score, coverage, low, high, band, n_scored, n_relevant) in EXPECTED.items():
        row = areas.loc[area]
        assert row["score"] == approx(score), area
        assert row["coverage"] == approx(coverage), area
        assert row["low"] == approx(score if low is None else low), area
        assert row["high"] == approx(score if high is None else high), area
        assert row["band"] == band
        assert (row["questions_scored"], row["questions_relevant"]) == (n_scored, n_relevant)
    assert areas.loc["legislation", "score"] == approx(54.17)
    assert areas.loc["criminal_justice", "low"] == approx(27.78)
    for area in ("prevention", "data", "policy", "cooperation"):
        assert math.isnan(areas.loc[area, "score"])  # null, never 0
        assert math.isnan(areas.loc[area, "coverage"])
        assert areas.loc[area, "band"] is None


def test_hand_computed_overall(hand: Any) -> None:
    overall = score_hand(hand).overall
    assert overall.score == approx((54.1667 + 35.7143 + 100) / 3)
    assert overall.score == approx(63.29)
    assert overall.low == approx(43.98)
    assert overall.high == approx(68.06)
    assert overall.coverage == approx(0.7593)
    assert overall.band == "Established"


def test_hand_computed_questions(hand: Any) -> None:
    questions = score_hand(hand).questions.set_index("question")
    assert "cases" not in questions.index  # not scored: no row
    assert questions.loc["offence", "score"] == approx(0.8333)
    assert questions.loc["consent", "state"] == "scored"
    assert questions.loc["consent", "n_answers"] == 3
    assert questions.loc["unit", "disagreement"]
    assert questions.loc["unit", "spread"] == 1.0
    assert not questions.loc["consent", "disagreement"]
    assert questions.loc["complicity", "source"] == "consolidated"
    assert questions.loc["complicity", "value"] == "no"
    assert questions.loc["complicity", "score"] == 0.0
    assert questions.loc["offence", "source"] == "respondents"
    assert questions.loc["training", "state"] == "not_assessed"
    assert questions.loc["training", "source"] is None
    assert questions.loc["shelters", "state"] == "unknown"
    assert questions.loc["compensation", "state"] == "not_applicable"
    assert not questions.loc["referral", "relevant"]
    assert questions.loc["hotline", "score"] == 1.0
    assert questions.loc["unit", "gap"] == approx(2 * 0.5)
    assert questions.loc["unit", "primary_area"] == "criminal_justice"
    assert questions.loc["complicity", "answer"] == "no"
    assert questions.loc["penalties", "answer"] == "no"  # respondents agree
    assert questions.loc["unit", "answer"] == "respondents differ, mean 0.50"


def test_hand_computed_respondents_and_question_areas(hand: Any) -> None:
    scores = score_hand(hand)
    respondents = scores.respondents.set_index("respondent")
    assert list(respondents.index) == ["A", "B", "C"]
    # A answered 10 questions (cases included); scored 6 relevant ones (referral is not)
    assert respondents.loc["A", "answered"] == 10
    assert respondents.loc["A", "scored"] == 6
    assert respondents.loc["A", "mean_score"] == approx((1 + 0.5 + 0 + 1 + 1 + 1) / 6)
    assert respondents.loc["B", "institution_type"] == "prosecutor"
    qa = scores.question_areas
    consent = qa[qa["question"] == "consent"].set_index("area")["area_weight"]
    assert consent.to_dict() == {"legislation": 1.0, "criminal_justice": 0.5}


def test_explanations_are_plain_sentences(hand: Any) -> None:
    areas = score_hand(hand).areas.set_index("area")
    cj = areas.loc["criminal_justice", "explanation"]
    assert cj.startswith("Scored on 3 of 4 relevant questions (coverage 78%).")
    assert "Weakest: 'Is official complicity prosecuted?' (no)" in cj
    assert "1 not assessed question widens the range." in cj
    assert "Respondents disagree on 1 question." in cj
    assert areas.loc["protection", "explanation"] == (
        "Scored on 1 of 2 relevant questions (coverage 50%). 1 unknown question widens the range."
    )
    assert "No relevant question" in areas.loc["data", "explanation"]


def test_to_json_shape_and_rounding(hand: Any) -> None:
    data = score_hand(hand).to_json()
    assert set(data) == {"overall", "areas", "sections_left_out"}
    assert data["sections_left_out"] == []  # assessed whole
    assert set(data["overall"]) == {"score", "low", "high", "coverage", "band"}
    assert data["overall"]["score"] == 63.3
    assert [a["id"] for a in data["areas"]] == list(AREA_IDS)
    keys = {"id", "name", "score", "coverage", "low", "high", "band", "questions_scored",
            "questions_relevant"}  # fmt: skip
    assert all(set(a) == keys for a in data["areas"])
    cj = next(a for a in data["areas"] if a["id"] == "criminal_justice")
    assert cj == {
        "id": "criminal_justice",
        "name": "Criminal justice system response",
        "score": 35.7,
        "coverage": 0.778,
        "low": 27.8,
        "high": 50.0,
        "band": "Initial",
        "questions_scored": 3,
        "questions_relevant": 4,
    }
    data_area = next(a for a in data["areas"] if a["id"] == "data")
    assert data_area["score"] is None
    assert data_area["band"] is None
    json.dumps(data, allow_nan=False)  # real JSON: no NaN anywhere


def test_to_table_lists_every_area_and_overall(hand: Any) -> None:
    table = score_hand(hand).to_table()
    lines = table.splitlines()
    assert len(lines) == 1 + 1 + 7 + 1 + 1
    assert "Criminal justice system response" in table
    cj = next(line for line in lines if line.startswith("Criminal justice"))
    assert cj.split()[-5:] == ["35.7", "27.8–50.0", "78%", "Initial", "3/4"]
    assert lines[-1].startswith("Overall")
    assert "63.3" in lines[-1]


def test_consolidated_state_overrides_respondents(hand: Any) -> None:
    scores = score_answers(
        {"hand": hand},
        answers_frame(HAND_ANSWERS),
        consolidated_frame({**HAND_CONSOLIDATED, "hotline": "not_applicable"}),
    )
    questions = scores.questions.set_index("question")
    assert questions.loc["hotline", "state"] == "not_applicable"
    assert math.isnan(questions.loc["hotline", "score"])
    protection = scores.areas.set_index("area").loc["protection"]
    assert math.isnan(protection["score"])  # only shelters (unknown) is left
    assert math.isnan(protection["low"])
    assert protection["coverage"] == 0.0


def test_consolidated_value_drives_skip_logic(hand: Any) -> None:
    scores = score_answers(
        {"hand": hand}, answers_frame(HAND_ANSWERS), consolidated_frame({"offence": "no"})
    )
    questions = scores.questions.set_index("question")
    assert not questions.loc["consent", "relevant"]
    assert questions.loc["referral", "relevant"]
    assert questions.loc["referral", "score"] == 0.0


def test_a_gate_consolidated_to_a_state_follows_the_expression(hand: Any) -> None:
    # Respondents said yes/partly, the team says unknown: the team wins. consent asks
    # offence != 'no' (kept), referral offence = 'no' (left out, as the form hides it).
    scores = score_answers(
        {"hand": hand}, answers_frame(HAND_ANSWERS), consolidated_frame({"offence": "unknown"})
    )
    questions = scores.questions.set_index("question")
    assert questions.loc["offence", "state"] == "unknown"
    assert math.isnan(questions.loc["offence", "score"])
    assert questions.loc["consent", "relevant"]
    assert not questions.loc["referral", "relevant"]
    legislation = scores.area("legislation")  # offence (w.a 2) widens the range
    assert legislation["score"] == approx(100 * 0.5 / 2)
    assert legislation["low"] == approx(100 * 0.5 / 4)
    assert legislation["high"] == approx(100 * 2.5 / 4)


def test_non_scored_state_rules(hand: Any) -> None:
    answers = {
        "A": {"shelters": "not_applicable", "hotline": "declined", "unit": "not_assessed"},
        "B": {"shelters": "unknown", "hotline": "declined", "unit": "not_applicable"},
        "C": {"shelters": "not_applicable", "hotline": "unknown", "unit": "declined"},
    }
    scores = score_answers({"hand": hand}, answers_frame(answers), consolidated_frame({}))
    states = scores.questions.set_index("question")["state"]
    assert states["shelters"] == "unknown"  # n/a only when everyone says so
    assert states["hotline"] == "declined"  # the most common
    assert states["unit"] == "not_assessed"  # tie between not_assessed and declined: order


def test_empty_mission_is_all_null(hand: Any) -> None:
    scores = score_answers({"hand": hand}, answers_frame({}), consolidated_frame({}))
    assert scores.areas["score"].isna().all()
    assert scores.overall.score is None
    assert scores.overall.band is None
    # every relevant question is not assessed: coverage 0 where there are questions
    assert scores.areas.set_index("area").loc["legislation", "coverage"] == 0.0
    assert scores.respondents.empty
    assert scores.to_json()["overall"]["score"] is None


def test_subset_of_questionnaires_ignores_other_answers(hand: Any) -> None:
    other = loads(HAND_YAML.replace("id: hand", "id: other"), file="other.yaml")
    frame = pd.concat(
        [
            answers_frame(HAND_ANSWERS),
            answers_frame({"Z": {"offence": "no", "unit": "no", "hotline": "no"}}, "other"),
        ],
        ignore_index=True,
    )
    only_hand = score_answers({"hand": hand}, frame, consolidated_frame(HAND_CONSOLIDATED))
    reference = score_hand(hand)
    pd.testing.assert_frame_equal(only_hand.areas, reference.areas)
    both = score_answers(
        {"hand": hand, "other": other}, frame, consolidated_frame(HAND_CONSOLIDATED)
    )
    assert set(both.questions["questionnaire"]) == {"hand", "other"}
    assert set(both.respondents["questionnaire"]) == {"hand", "other"}
    legislation = both.areas.set_index("area").loc["legislation"]
    # other adds offence (w 2, s 0) and penalties/consent not answered -> lower score
    assert legislation["score"] < reference.areas.set_index("area").loc["legislation", "score"]


def test_multiple_question_scores_capped_sum() -> None:
    text = HAND_YAML + SERVICES_YAML
    q = loads(text, file="multi.yaml")
    answers = {
        "A": {"services": ("shelter",)},
        "B": {"services": ("shelter", "legal", "medical")},
        "C": {"services": "unknown"},
    }
    scores = score_answers({"hand": q}, answers_frame(answers), consolidated_frame({}))
    services = scores.questions.set_index("question").loc["services"]
    assert services["score"] == approx((0.5 + 1.0) / 2)
    assert services["spread"] == approx(0.5)
    assert services["disagreement"]  # 0.5 counts as disagreement


# ---------------------------------------------------------------------------- profiles


def test_default_profile_bands() -> None:
    profile = default_profile()
    assert [b.label for b in profile.bands] == [
        "Absent", "Initial", "Developing", "Established", "Advanced"
    ]  # fmt: skip
    cases = {0: "Absent", 19.99: "Absent", 20: "Initial", 59.9: "Developing", 60: "Established",
             80: "Advanced", 100: "Advanced"}  # fmt: skip
    for score, label in cases.items():
        assert profile.band(score) == label
    assert profile.band(None) is None
    assert profile.band(math.nan) is None


def test_profile_bands_weights_and_caps(hand: Any) -> None:
    profile = loads_profile(
        """
name: strict
bands:
  - {from: 0, label: Weak}
  - {from: 50, label: Strong}
question_weights:
  hand.offence: 1
area_weights:
  protection: 2
caps:
  - when: hand.complicity
    value: "no"
    area: criminal_justice
    max: 30
    reason: officials complicit in trafficking are not prosecuted
  - when: hand.unit
    score_below: 0.4
    area: criminal_justice
    max: 10
    reason: never applies here (unit scores 0.5)
""",
        file="strict.yaml",
    )
    scores = score_hand(hand, profile)
    areas = scores.areas.set_index("area")
    # offence weight 1: (0.8333 + 0.5 + 0) / 3
    assert areas.loc["legislation", "score"] == approx(100 * (2.5 / 3 + 0.5) / 3)
    assert areas.loc["legislation", "band"] == "Weak"
    cj = areas.loc["criminal_justice"]
    assert cj["score"] == approx(30.0)
    assert cj["low"] == approx(27.78)  # below the cap already
    assert cj["high"] == approx(30.0)
    assert cj["caps"] == "capped at 30: officials complicit in trafficking are not prosecuted"
    assert "Capped at 30: officials complicit" in cj["explanation"]
    assert areas.loc["protection", "band"] == "Strong"
    # overall weights protection twice: (44.44 + 30 + 2 * 100) / 4
    expected = (100 * (2.5 / 3 + 0.5) / 3 + 30 + 200) / 4
    assert scores.overall.score == approx(expected)
    assert scores.profile == "strict"


def test_cap_by_score_below_and_not_when_irrelevant(hand: Any) -> None:
    profile = loads_profile(
        """
caps:
  - {when: hand.penalties, score_below: 0.5, area: legislation, max: 20, reason: weak penalties}
  - {when: hand.referral, value: "no", area: protection, max: 5, reason: not relevant here}
""",
    )
    areas = score_hand(hand, profile).areas.set_index("area")
    assert areas.loc["legislation", "score"] == approx(20.0)
    assert areas.loc["legislation", "low"] == approx(20.0)
    assert areas.loc["protection", "score"] == approx(100.0)  # referral is not relevant


def test_cap_leaves_a_null_score_null(hand: Any) -> None:
    profile = loads_profile(
        "caps: [{when: hand.complicity, value: 'no', area: data, max: 10, reason: r}]"
    )
    scores = score_hand(hand, profile)
    data = scores.to_json()["areas"][1]
    assert data["id"] == "data"
    assert data["score"] is None
    # nothing was capped, so neither the caps column nor the explanation says so
    assert scores.area("data")["caps"] == ""
    assert "apped" not in scores.area("data")["explanation"]


@pytest.mark.parametrize(
    ("cap_value", "consolidated", "capped"),
    [(3, {}, True), ("3", {"cases": 3.0}, True), (12, {}, False), (0, {"cases": 0}, True)],
)
def test_cap_on_a_number(
    hand: Any, cap_value: Any, consolidated: dict[str, Any], capped: bool
) -> None:
    # cases: A 12, C 3 -> representative (lower median) 3 without a consolidated value
    profile = loads_profile(
        f"caps: [{{when: hand.cases, value: {cap_value!r}, area: protection, max: 10, "
        "reason: few cases}]"
    )
    scores = score_answers(
        {"hand": hand}, answers_frame(HAND_ANSWERS), consolidated_frame(consolidated), profile
    )
    assert scores.area("protection")["score"] == approx(10.0 if capped else 100.0)


def test_profile_naming_an_unknown_question_is_refused(hand: Any) -> None:
    profile = loads_profile("question_weights: {hand.nope: 2}", file="mine.yaml")
    with pytest.raises(ProfileError) as caught:
        score_hand(hand, profile)
    assert "mine.yaml" in str(caught.value)
    assert "question_weights.hand.nope" in str(caught.value)
    # a questionnaire the mission does not score is not an error
    loose = loads_profile("question_weights: {organ_removal.x: 2}")
    score_hand(hand, loose)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("bands: [{from: 10, label: A}]", "bands[0].from"),
        ("bands: [{from: 0, label: A}, {from: 0, label: B}]", "bands[1].from"),
        ("bands: [{from: 0, label: A}, {from: 120, label: B}]", "bands[1].from"),
        ("bands: [{from: 0}]", "bands[0]"),
        ("question_weights: {offence: 2}", "question_weights.offence"),
        ("question_weights: {hand.offence: heavy}", "question_weights.hand.offence"),
        ("area_weights: {justice: 2}", "area_weights.justice"),
        ("caps: [{when: hand.q, area: data, max: 10, reason: r}]", "caps[0]"),
        ("caps: [{when: hand.q, value: x, area: nowhere, max: 10, reason: r}]", "caps[0].area"),
        ("caps: [{when: hand.q, value: x, area: data, max: 200, reason: r}]", "caps[0].max"),
        ("caps: [{when: hand.q, value: x, area: data, max: 10}]", "caps[0].reason"),
        ("caps: [{when: q, value: x, area: data, max: 10, reason: r}]", "caps[0].when"),
        ("caps: [{when: hand.q, score_below: 2, area: data, max: 10, reason: r}]",
         "caps[0].score_below"),
        ("colour: red", "colour"),
    ],
)  # fmt: skip
def test_bad_profile_names_file_and_field(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "bad_profile.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    problems = caught.value.problems
    assert [p.code for p in problems] == [Code.PROFILE_FIELD]
    assert problems[0].file == str(path)
    assert problems[0].path == field
    assert str(path) in str(caught.value)
    assert isinstance(caught.value, AssessmentKitError)


def test_bad_profile_lists_every_problem() -> None:
    with pytest.raises(ProfileError) as caught:
        loads_profile("bands: 3\narea_weights: {x: 1}\ncaps: [{when: a.b}]", file="p.yaml")
    fields = [p.path for p in caught.value.problems]
    assert "bands" in fields
    assert "area_weights.x" in fields
    assert "caps[0].area" in fields


def test_profile_yaml_syntax_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProfileError) as caught:
        loads_profile("bands: [", file="broken.yaml")
    assert caught.value.codes == [Code.YAML_SYNTAX]
    assert caught.value.problems[0].file == "broken.yaml"
    with pytest.raises(ProfileError) as missing:
        load_profile(tmp_path / "absent.yaml")
    assert missing.value.codes == [Code.FILE_NOT_FOUND]


# ---------------------------------------------------------------------------- real data


def test_builtin_instruments_score_without_warnings() -> None:
    questionnaires = {}
    for name in ("criminal_justice", "organ_removal"):
        try:
            questionnaires[name] = builtin(name)
        except AssessmentKitError:  # an instrument being written may not load yet
            continue
    assert questionnaires
    rows = []
    for name, questionnaire in questionnaires.items():
        for i, question in enumerate(q for q in questionnaire.iter_questions() if q.scored):
            choice = question.choices[i % len(question.choices)].value
            value: Any = (choice,) if question.type == "multiple" else choice
            rows.append(("R1", "judge", "justice", name, question.id, value, "", "", False,
                         "t", "2026-11-25"))  # fmt: skip
    frame = pd.DataFrame.from_records(rows, columns=ANSWER_COLUMNS)
    frame["value"] = frame["value"].astype(object)
    scores = score_answers(questionnaires, frame, consolidated_frame({}))
    assert scores.warnings == ()
    assert scores.overall.score is not None
    assert (scores.areas["score"].dropna().between(0, 100)).all()


def test_score_mission_on_a_real_mission_file(tmp_path: Path, hand: Any) -> None:
    from assessment_kit.store import Mission

    with Mission.create(
        tmp_path / "m.db", country="Freedonia", title="Test", questionnaires=[hand]
    ) as mission:
        for code, given in HAND_ANSWERS.items():
            mission.add_respondent(code, institution_type="prosecutor", sector="justice")
            for question, value in given.items():
                mission.set_answer(code, "hand", question, value, by="t")
        for question, value in HAND_CONSOLIDATED.items():
            mission.consolidate("hand", question, value, rationale="seen the files", by="t")
    with Mission.open(tmp_path / "m.db") as mission:
        from_file = score_mission(mission)
        assert from_file.to_json() == score_hand(hand).to_json()
        assert score_mission(mission, questionnaires=["hand"]).overall == from_file.overall
        with pytest.raises(AssessmentKitError, match="unknown questionnaire 'organ_removal'"):
            score_mission(mission, questionnaires=["organ_removal"])


# ------------------------------------------------------------------ skip-logic stand-ins


@pytest.mark.parametrize(
    ("question", "values", "expected"),
    [
        ("offence", ["no", "yes", "no"], "no"),  # the most common value
        ("offence", ["no", "yes"], "yes"),  # a tie goes to the earlier choice
        ("offence", ["unknown", "unknown", "partly"], "partly"),  # values beat states
        ("offence", ["unknown", "declined", "declined"], "declined"),  # states: as scored
        ("offence", ["not_applicable", "unknown"], "unknown"),  # n/a only when unanimous
        ("offence", ["not_applicable", "not_applicable"], "not_applicable"),
        ("offence", [], None),
        ("cases", [12, 3, 40, 7], 7),  # the lower median: a value someone gave
        ("services", [("legal", "shelter"), ("shelter",), ("medical",)], ("shelter",)),
        ("services", [("legal",), ("shelter",)], ("shelter", "legal")),  # half is enough
    ],
)
def test_representative_value_for_skip_logic(
    question: str, values: list[Any], expected: Any
) -> None:
    from assessment_kit.scoring.relevance import representative

    text = HAND_YAML + SERVICES_YAML
    q = loads(text, file="multi.yaml")
    assert representative(q.question(question), values) == expected


def test_respondents_drive_skip_logic_before_consolidation(hand: Any) -> None:
    answers = {"A": {"offence": "no"}, "B": {"offence": "no"}, "C": {"offence": "yes"}}
    scores = score_answers({"hand": hand}, answers_frame(answers), consolidated_frame({}))
    relevant = scores.questions.set_index("question")["relevant"]
    assert not relevant["consent"]  # two of three said no
    assert relevant["referral"]


def test_stray_values_are_ignored_with_a_warning(hand: Any) -> None:
    answers = {**HAND_ANSWERS, "D": {"offence": "maybe"}}  # not a choice: ignored
    scores = score_answers(
        {"hand": hand}, answers_frame(answers), consolidated_frame({"complicity": "perhaps"})
    )
    questions = scores.questions.set_index("question")
    assert questions.loc["offence", "n_answers"] == 3
    assert questions.loc["complicity", "source"] == "respondents"
    assert questions.loc["complicity", "score"] == 1.0
    assert len(scores.warnings) == 1
    assert "hand.complicity" in scores.warnings[0]


def test_cap_naming_an_unknown_question_is_refused(hand: Any) -> None:
    profile = loads_profile(
        "caps: [{when: hand.nope, value: 'no', area: data, max: 10, reason: r}]", file="c.yaml"
    )
    with pytest.raises(ProfileError, match=r"c\.yaml: caps\[0\]\.when"):
        score_hand(hand, profile)


def test_zero_weights_give_a_null_score_that_says_why(hand: Any) -> None:
    zero = {f"hand.{q}": 0 for q in ("consent", "unit", "complicity", "training")}
    profile = ScoringProfile(question_weights=zero, area_weights={"protection": 0})
    scores = score_hand(hand, profile)
    justice = scores.area("criminal_justice")
    assert math.isnan(justice["score"])
    assert justice["band"] is None
    assert justice["questions_scored"] == 3
    assert "Not scored: its 3 scored questions carry a weight of 0." in justice["explanation"]
    # protection (100) weighs nothing overall: only legislation counts
    assert scores.overall.score == approx(scores.area("legislation")["score"])


def test_a_lone_state_in_a_multiple_answer_is_that_state() -> None:
    services = loads(HAND_HEAD + section_yaml("victims", SERVICES_YAML), file="services.yaml")
    answers = answers_frame({"A": {"services": ("unknown",)}, "B": {"services": ["declined"]}})
    row = score_answers({"hand": services}, answers, consolidated_frame({})).questions.iloc[0]
    assert row["state"] == "unknown"
    assert math.isnan(row["score"])


def test_lists_for_multiple_answers_are_accepted() -> None:
    q = loads(HAND_YAML + SERVICES_YAML, file="multi.yaml")
    frame = answers_frame({"A": {"services": ("shelter",)}, "B": {"services": ["legal", "x"]}})
    frame.loc[1, "value"] = ["legal", "medical"]  # a hand-built frame may hold a list
    scores = score_answers({"hand": q}, frame, consolidated_frame({}))
    assert scores.questions.set_index("question").loc["services", "score"] == approx(0.75)
