"""The two shipped instruments: valid, complete and fast to load."""

from __future__ import annotations

from collections import Counter

import pytest

from assessment_kit.areas import AREA_IDS
from assessment_kit.questionnaire import builtin_path, load

# (instrument, sections in order, minimum questions, minimum scored questions per area)
INSTRUMENTS = [
    (
        "criminal_justice",
        [
            "situation_data",
            "legal_framework",
            "policy_coordination",
            "law_enforcement",
            "prosecution_courts",
            "victim_protection",
            "international_cooperation",
            "prevention",
        ],
        150,
        12,
    ),
    (
        "organ_removal",
        [
            "concepts_legal",
            "transplant_governance",
            "donor_screening",
            "detection_investigation",
            "victim_care",
            "prevention_awareness",
            "international_cooperation",
        ],
        80,
        5,
    ),
]


@pytest.mark.parametrize(("qid", "sections", "minimum", "per_area"), INSTRUMENTS)
def test_instrument_is_complete(qid: str, sections: list[str], minimum: int, per_area: int) -> None:
    q = load(builtin_path(qid))
    assert q.id == qid
    assert [s.id for s in q.sections] == sections
    assert len(q.questions) >= minimum
    fed: Counter[str] = Counter()
    for question in q.iter_questions():
        if question.type != "note":
            assert question.guidance, f"{question.id} has no guidance"
            types = question.respondent_types or q.section(question.section).respondent_types
            assert types, f"{question.id} names no respondent types"
        if question.scored:
            assert question.areas, question.id
            assert question.recommendation is not None, question.id
            assert question.recommendation.text, question.id
            fed.update(question.areas)
    assert {area: fed[area] >= per_area for area in AREA_IDS} == dict.fromkeys(AREA_IDS, True), fed
    assert sum(1 for question in q.iter_questions() if question.relevant) >= 5


@pytest.mark.parametrize("qid", ["criminal_justice", "organ_removal"])
def test_recommendations_point_to_catalogued_tools(qid: str) -> None:
    q = load(builtin_path(qid))
    cited = {
        ref
        for question in q.iter_questions()
        if question.recommendation
        for ref in question.recommendation.references
    }
    assert cited, "no recommendation points to a standard tool"
    assert cited <= set(q.references)


@pytest.mark.parametrize("qid", ["criminal_justice", "organ_removal"])
def test_shipped_text_loads_without_revalidation_to_the_same_model(qid: str) -> None:
    """A mission's unchanged shipped text skips validation, and must build the same model."""
    from assessment_kit.questionnaire.loader import loads, loads_known

    text = builtin_path(qid).read_text(encoding="utf-8")
    assert loads_known(text, "mission.db") == loads(text, "mission.db")


def test_edited_shipped_text_is_validated_in_full() -> None:
    """One changed character and the text is no longer trusted: its problems are found."""
    from assessment_kit.errors import Code, QuestionnaireError
    from assessment_kit.questionnaire.loader import loads_known

    text = builtin_path("criminal_justice").read_text(encoding="utf-8")
    edited = text.replace("areas: {legislation: ", "areas: {legislature: ", 1)
    assert edited != text
    with pytest.raises(QuestionnaireError) as caught:
        loads_known(edited, "mission.db")
    assert [p.code for p in caught.value.problems] == [Code.UNKNOWN_AREA]
