"""The seeded demo mission is realistic and reproducible."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from assessment_kit.demo import create_demo_mission
from assessment_kit.questionnaire import builtin
from assessment_kit.scoring import score_mission
from assessment_kit.store import Respondent

STABLE_COLUMNS = ["respondent", "institution_type", "questionnaire", "question", "value", "note"]


def _demo(path: Path) -> tuple[pd.DataFrame, pd.DataFrame, list[Respondent]]:
    with create_demo_mission(path) as mission:
        return mission.answers_frame(), mission.consolidated_frame(), mission.respondents()


def test_demo_mission_is_realistic_and_reproducible(tmp_path: Path) -> None:
    first, consolidated, respondents = _demo(tmp_path / "a.db")
    second, _, _ = _demo(tmp_path / "b.db")
    pd.testing.assert_frame_equal(
        first[STABLE_COLUMNS].astype(str), second[STABLE_COLUMNS].astype(str)
    )

    assert len(respondents) >= 12
    assert len({r.institution_type for r in respondents}) >= 10
    assert all(r.consent for r in respondents)
    assert set(first["questionnaire"]) == {"criminal_justice", "organ_removal"}
    assert len(first) > 500
    values = set(first["value"].map(str))
    assert {"unknown", "not_applicable"} <= values
    assert first["note"].str.len().gt(0).sum() >= 7
    assert first["evidence"].str.len().gt(0).sum() >= 7
    assert first["confidential"].sum() == 1
    assert len(consolidated) >= 10
    assert consolidated["rationale"].str.len().gt(0).all()


def test_demo_is_a_partial_assessment_with_no_cases(tmp_path: Path) -> None:
    organ = builtin("organ_removal")
    left_out = organ.sections[-1]
    with create_demo_mission(tmp_path / "m.db") as mission:
        assert dict(mission.info.sections) == {
            "organ_removal": tuple(s.id for s in organ.sections[:-1])
        }
        answers = mission.answers_frame()
        scores = score_mission(mission)
    asked = answers[answers["questionnaire"] == "organ_removal"]["question"]
    assert not {q.id for q in left_out.questions} & set(asked)
    assert [(s.questionnaire, s.section) for s in scores.left_out] == [
        ("organ_removal", left_out.id)
    ]
    # "No cases in the period" is given on practice questions that declare it, and only there.
    no_cases = answers[answers["value"].map(str) == "no_cases"]
    assert len(no_cases) > 0
    for row in no_cases.itertuples():
        assert builtin(str(row.questionnaire)).question(str(row.question)).offers_no_cases
