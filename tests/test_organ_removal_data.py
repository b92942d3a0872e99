"""Rules the organ-removal instrument's data keeps: weights, tools, treaties and respondents."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from assessment_kit.questionnaire import Questionnaire, builtin_path, load
from assessment_kit.scoring import score_answers

ANSWER_COLUMNS = [
    "respondent", "institution_type", "sector", "questionnaire", "question", "value", "note",
    "evidence", "confidential", "updated_by", "updated_at",
]  # fmt: skip
COLUMNS = ["questionnaire", "question", "value", "rationale", "updated_by", "updated_at"]

# The questions on CETS 216 itself (not on standards it shares with universal instruments).
CETS_216_QUESTIONS = ("cl_coe_status", "ic_coe_contact_point")
GATE = "cl_coe_open"


@pytest.fixture(scope="module")
def organ_removal() -> Questionnaire:
    return load(builtin_path("organ_removal"))


def test_at_most_fifteen_percent_of_scored_questions_weigh_more(
    organ_removal: Questionnaire,
) -> None:
    scored = [q for q in organ_removal.iter_questions() if q.scored]
    heavy = [q.id for q in scored if q.weight > 1]
    assert heavy, "the core questions should still weigh more"
    assert len(heavy) <= 0.15 * len(scored), heavy


def test_every_catalogued_tool_is_cited_by_a_recommendation(
    organ_removal: Questionnaire,
) -> None:
    cited = {
        ref
        for q in organ_removal.iter_questions()
        if q.recommendation
        for ref in q.recommendation.references
    }
    assert cited == set(organ_removal.references)


def test_treaty_status_scores_as_in_criminal_justice(organ_removal: Questionnaire) -> None:
    # Ratified or acceded 1, signed only 0.25, neither 0: the lead's rule for both instruments.
    for qid in ("cl_protocol_status", "cl_coe_status"):
        scores = {c.value: c.score for c in organ_removal.question(qid).choices}
        assert scores == {"ratified": 1.0, "signed": 0.25, "no": 0.0}, qid


def test_cets_216_questions_are_asked_only_where_it_is_open(
    organ_removal: Questionnaire,
) -> None:
    gate = organ_removal.question(GATE)
    assert not gate.scored
    for qid in CETS_216_QUESTIONS:
        relevant = organ_removal.question(qid).relevant or ""
        assert f"${{{GATE}}} = 'yes'" in relevant, qid
    named = {
        q.id
        for q in organ_removal.iter_questions()
        if "CETS 216" in str(q.text) or "Trafficking in Human Organs" in str(q.text)
    }
    assert named == {GATE, *CETS_216_QUESTIONS}


def _scores(consolidated: dict[str, Any], organ_removal: Questionnaire) -> pd.DataFrame:
    answers = pd.DataFrame.from_records([], columns=ANSWER_COLUMNS)
    frame = pd.DataFrame.from_records(
        [("organ_removal", q, v, "team view", "t", "2026-11-25") for q, v in consolidated.items()],
        columns=COLUMNS,
    )
    frame["value"] = frame["value"].astype(object)
    result = score_answers({"organ_removal": organ_removal}, answers, frame)
    assert result.warnings == ()
    return result.areas.set_index("area")


@pytest.mark.parametrize(
    ("open_to_state", "legislation", "cooperation"),
    [
        # Not open: CETS 216 is left out. Protocol ratified (w 2): legislation 2*1*1 / 2,
        # cooperation 2*0.5*1 / 1.
        ("no", 100.0, 100.0),
        # Open and not joined: legislation (2*1*1 + 1*1*0) / 3, cooperation (1 + 0) / 1.5.
        ("yes", 100 * 2 / 3, 100 * 1 / 1.5),
    ],
)
def test_not_joining_cets_216_lowers_a_score_only_where_it_is_open(
    organ_removal: Questionnaire, open_to_state: str, legislation: float, cooperation: float
) -> None:
    areas = _scores(
        {"cl_protocol_status": "ratified", GATE: open_to_state, "cl_coe_status": "no"},
        organ_removal,
    )
    assert areas.loc["legislation", "score"] == pytest.approx(legislation, abs=0.005)
    assert areas.loc["cooperation", "score"] == pytest.approx(cooperation, abs=0.005)


def test_courts_and_transplant_bodies_have_their_own_respondents(
    organ_removal: Questionnaire,
) -> None:
    types = organ_removal.respondent_types
    assert {"judge", "procurement_organisation", "transplant_authority"} <= set(types)
    court = ("di_charging_practice", "di_court_outcomes", "di_sentences", "di_judges_training")
    for qid in court:
        assert "judge" in organ_removal.question(qid).respondent_types, qid
    for qid in ("tg_waiting_list", "tg_allocation_rules"):
        assert "procurement_organisation" in organ_removal.question(qid).respondent_types, qid
    for question in organ_removal.iter_questions():
        meant_for = (
            question.respondent_types or organ_removal.section(question.section).respondent_types
        )
        assert meant_for, question.id
        assert set(meant_for) <= set(types), question.id
