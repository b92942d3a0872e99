"""Data rules over the shipped instruments: what an assessor needs to sign them.

Each rule names the offending questions, so a failure reads as a to-do list.
"""

from __future__ import annotations

import pytest

from assessment_kit.questionnaire import (
    Question,
    Questionnaire,
    builtin,
    builtin_dir,
    cites_provision,
)
from assessment_kit.questionnaire.expressions import references
from assessment_kit.questionnaire.versions import previous_file, question_ids, version_key

INSTRUMENTS = ["criminal_justice", "organ_removal"]


def _answerable(q: Questionnaire) -> list[Question]:
    return [question for question in q.iter_questions() if question.type != "note"]


@pytest.mark.parametrize("qid", INSTRUMENTS)
def test_every_scored_practice_question_declares_no_cases(qid: str) -> None:
    q = builtin(qid)
    missing = [x.id for x in q.iter_questions() if x.practice and x.scored and x.no_cases is None]
    assert missing == []


# The practice questions issue 11 names: each (or what replaces it) is marked as practice
# and says how "No cases in the period" counts.
NAMED_PRACTICE = [
    ("criminal_justice", "ic_extradition_practice"),
    ("criminal_justice", "ic_jit_used"),
    ("criminal_justice", "le_complicity_investigated"),
    ("criminal_justice", "pr_complicity_prosecuted"),
    ("criminal_justice", "le_assets_seized"),
    ("criminal_justice", "vp_compensation_received"),
    ("organ_removal", "di_medical_evidence"),
]


@pytest.mark.parametrize(("qid", "old"), NAMED_PRACTICE)
def test_named_practice_questions_offer_no_cases(qid: str, old: str) -> None:
    q = builtin(qid)
    heirs = [x for x in q.iter_questions() if x.id == old or old in x.replaces]
    assert heirs, f"{old} is gone and nothing replaces it"
    assert [(x.id, x.practice, x.offers_no_cases) for x in heirs] == [
        (x.id, True, True) for x in heirs
    ]


@pytest.mark.parametrize("qid", INSTRUMENTS)
def test_every_question_cites_a_provision(qid: str) -> None:
    bad = {x.id: x.source for x in _answerable(builtin(qid)) if not cites_provision(x.source)}
    assert bad == {}


@pytest.mark.parametrize("qid", INSTRUMENTS)
def test_every_catalogue_entry_is_used(qid: str) -> None:
    q = builtin(qid)
    cited = {
        ref
        for question in q.iter_questions()
        if question.recommendation
        for ref in question.recommendation.references
    }
    assert sorted(set(q.references) - cited) == []


def test_every_organ_removal_question_has_someone_to_answer_it() -> None:
    q = builtin("organ_removal")
    orphans = {}
    for question in _answerable(q):
        types = question.respondent_types or q.section(question.section).respondent_types
        if not types or any(t not in q.respondent_types for t in types):
            orphans[question.id] = types
    assert orphans == {}


def _cites_only(source: str, treaty: str) -> bool:
    parts = [part.strip() for part in source.split("; ")]
    return bool(parts) and all(part.startswith(f"{treaty} ") for part in parts)


@pytest.mark.parametrize("qid", INSTRUMENTS)
def test_regional_treaty_questions_are_gated(qid: str) -> None:
    """A scored question resting on CETS 216 alone counts only where CETS 216 is open to the
    State: its ``relevant`` must read a question that itself cites CETS 216 (the gate)."""
    q = builtin(qid)
    cets = {x.id for x in q.iter_questions() if "CETS 216" in x.source}
    ungated = [
        x.id
        for x in q.iter_questions()
        if x.scored
        and _cites_only(x.source, "CETS 216")
        and (x.relevant_expr is None or not references(x.relevant_expr) & (cets - {x.id}))
    ]
    assert ungated == []


@pytest.mark.parametrize("qid", INSTRUMENTS)
def test_revised_instruments_are_checked_against_the_shipped_previous_version(qid: str) -> None:
    q = builtin(qid)
    folder = builtin_dir() / "previous"
    found, _ = previous_file(qid, q.version, q.previous, folder, folder)
    assert found is not None, f"{qid} {q.version} has no earlier version in previous/"
    old_version, _ = question_ids(found)
    new_key, old_key = version_key(q.version), version_key(old_version)
    assert new_key is not None
    assert old_key is not None
    assert new_key > old_key
