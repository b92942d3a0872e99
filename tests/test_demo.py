"""The seeded demo mission is realistic and reproducible."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from assessment_kit.demo import create_demo_mission
from assessment_kit.questionnaire import builtin
from assessment_kit.scoring import score_mission
from assessment_kit.store import Mission, Respondent

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


def _changed_demo(path: Path) -> bytes:
    """A demo mission in which someone has since recorded an answer of their own."""
    with create_demo_mission(path) as mission:
        mission.add_respondent("REAL-1", institution_type="ngo_shelter", by="assessor")
        respondent = mission.respondent("REAL-1")
        assert respondent.code == "REAL-1"
    return path.read_bytes()


def test_demo_names_never_point_at_an_earlier_demo(tmp_path: Path) -> None:
    from assessment_kit.briefing.demo_run import demo_paths

    mission, pdf, html, kept = demo_paths(tmp_path)
    assert (mission.name, pdf.name, html.name, kept) == (
        "freedonia-demo.db",
        "freedonia-briefing.pdf",
        "freedonia-briefing.html",
        (),
    )
    _changed_demo(mission)
    mission2, pdf2, html2, kept = demo_paths(tmp_path)
    assert (mission2.name, pdf2.name, html2.name) == (
        "freedonia-demo-2.db",
        "freedonia-briefing-2.pdf",
        "freedonia-briefing-2.html",
    )
    assert mission in kept
    # A briefing left alone counts too: the set of names moves on together.
    (tmp_path / "freedonia-briefing-2.html").write_text("mine", encoding="utf-8")
    assert demo_paths(tmp_path)[0].name == "freedonia-demo-3.db"


@pytest.mark.slow
def test_demo_run_keeps_an_earlier_demo_mission_with_its_answers(tmp_path: Path) -> None:
    # The issue: `demo --out DIR` deleted DIR/freedonia-demo.db and its WAL files, real
    # answers included.
    pytest.importorskip("nbconvert")
    from assessment_kit.briefing.browser import find_browser
    from assessment_kit.errors import BrowserNotFoundError

    try:
        find_browser()
    except BrowserNotFoundError:
        pytest.skip("no Chromium to print the demo's PDF")
    from assessment_kit.cli import main

    earlier = tmp_path / "freedonia-demo.db"
    content = _changed_demo(earlier)
    assert main(["demo", "--out", str(tmp_path), "--quiet"]) == 0
    assert earlier.read_bytes() == content
    with Mission.open(earlier) as mission:
        assert mission.respondent("REAL-1").institution_type == "ngo_shelter"
    assert (tmp_path / "freedonia-demo-2.db").exists()
    assert (tmp_path / "freedonia-briefing-2.pdf").read_bytes().startswith(b"%PDF")
