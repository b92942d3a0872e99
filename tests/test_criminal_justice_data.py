"""The data rules of the criminal justice instrument (version 2.0.0 and later)."""

from __future__ import annotations

import pytest

from assessment_kit.questionnaire import Questionnaire, builtin, cites_provision


@pytest.fixture(scope="module")
def cj() -> Questionnaire:
    return builtin("criminal_justice")


def test_every_source_cites_a_provision_or_says_assessment_kit(cj: Questionnaire) -> None:
    bad = {q.id: q.source for q in cj.iter_questions() if not cites_provision(q.source)}
    assert bad == {}


def test_practice_questions_say_how_no_cases_counts(cj: Questionnaire) -> None:
    # The guidance tells the assessor when to choose "No cases in the period"; the
    # question must then offer it, and every practice question must say how it counts.
    told = {q.id for q in cj.iter_questions() if "No cases in the period" in q.guidance.get("en")}
    offered = {q.id for q in cj.iter_questions() if q.offers_no_cases}
    practice = {q.id for q in cj.iter_questions() if q.practice and q.scored}
    assert told == offered == practice


@pytest.mark.parametrize(
    "qid",
    [
        "ic_extradition_practice",
        "ic_jit_used",
        "le_complicity_investigated",
        "pr_complicity_prosecuted",
        "le_assets_seized",
        "vp_compensation_received",
    ],
)
def test_no_cases_leaves_the_named_questions_out_of_the_coverage(
    cj: Questionnaire, qid: str
) -> None:
    assert cj.question(qid).no_cases == "not_applicable"


def test_no_prosecution_while_victims_are_identified_scores_zero(cj: Questionnaire) -> None:
    question = cj.question("pr_charging_practice")
    assert question.no_cases_score == 0.0
    assert question.relevant is not None
    assert "sd_victims_identified_year" in question.relevant


def test_at_most_fifteen_per_cent_of_scored_questions_weigh_more_than_one(
    cj: Questionnaire,
) -> None:
    scored = [q for q in cj.iter_questions() if q.scored]
    heavy = [q.id for q in scored if q.weight > 1]
    assert len(heavy) <= 0.15 * len(scored), heavy


def test_every_catalogue_entry_is_cited(cj: Questionnaire) -> None:
    cited = {
        ref for q in cj.iter_questions() if q.recommendation for ref in q.recommendation.references
    }
    assert set(cj.references) - cited == set()


@pytest.mark.parametrize("qid", ["lf_untoc_ratified", "lf_protocol_ratified"])
def test_treaty_status_scores_as_agreed_for_both_instruments(cj: Questionnaire, qid: str) -> None:
    question = cj.question(qid)
    assert question.scale == "treaty_status"
    assert {c.value: c.score for c in question.choices} == {"ratified": 1, "signed": 0.25, "no": 0}


# What became of the 1.0.0 questions the issue named (merged or split).
REPLACED = [
    ("sd_victim_service_data", {"sd_victim_statistics", "vp_service_data"}),
    ("sd_police_recording", {"sd_police_statistics", "le_case_management"}),
    ("sd_court_data", {"sd_court_statistics", "pr_sentencing_data"}),
    ("le_screening_migrants", {"le_border_screening", "le_screening_before_removal"}),
    ("vp_safe_return", {"vp_return_risk_assessment", "ic_return_cooperation"}),
    ("pv_prevention_evidence", {"pv_campaigns", "pv_evidence_based"}),
    ("pc_nap_evaluated", {"pc_nap_evaluation"}),
    ("pc_nap_evaluation_used", {"pc_nap_evaluation"}),
    ("pc_coordination_frequency", {"pc_coordination_meetings"}),
    ("pc_coordination_seniority", {"pc_coordination_meetings"}),
    ("ic_extraditable", {"ic_extradition_law"}),
    ("ic_extradite_or_prosecute", {"ic_extradition_law"}),
    ("lf_smuggling_offence_distinct", {"lf_smuggling_distinct"}),
    ("lf_smuggled_not_punished", {"lf_smuggling_distinct"}),
]


@pytest.mark.parametrize(("qid", "old"), REPLACED)
def test_merged_and_split_questions_record_what_they_replace(
    cj: Questionnaire, qid: str, old: set[str]
) -> None:
    assert set(cj.question(qid).replaces) == old


@pytest.mark.parametrize(
    ("qid", "scale"),
    [
        ("lf_penalties", "penalty_level"),
        ("pr_sentences_adequate", "sentence_level"),
        ("pr_case_duration", "case_duration"),
        ("ic_mla_timeliness", "request_duration"),
    ],
)
def test_penalties_sentences_and_durations_have_anchored_scales(
    cj: Questionnaire, qid: str, scale: str
) -> None:
    assert cj.question(qid).scale == scale


def test_reflection_period_cites_the_council_of_europe_standard(cj: Questionnaire) -> None:
    question = cj.question("vp_reflection_period")
    assert "CETS 197 art. 13" in question.source
    assert "30 days" in question.text.get("en")


def test_state_imposed_forced_labour_is_a_negative_finding_a_cap_can_key_on(
    cj: Questionnaire,
) -> None:
    question = cj.question("pc_state_imposed_forced_labour")
    assert question.score_of("systematic") == 0.0
    assert not question.offers_no_cases
