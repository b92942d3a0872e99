"""The output guard: an export never writes over a mission, its own input, or (without
--force) any existing file."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from store_support import SURVEY_YAML

from assessment_kit.cli import main
from assessment_kit.errors import Code, StoreError
from assessment_kit.files import export_answers, export_scores
from assessment_kit.questionnaire import loads
from assessment_kit.store import Mission
from assessment_kit.store.outputs import check_output, is_mission_file


@pytest.fixture
def mission_path(tmp_path: Path) -> Path:
    path = tmp_path / "m.db"
    survey = loads(SURVEY_YAML, file="survey.yaml")
    with Mission.create(path, country="Freedonia", title="T", questionnaires=[survey]) as m:
        m.add_respondent("P1", institution_type="police")
        m.set_answer("P1", "survey", "law", "yes", note="kept")
    return path


def _intact(path: Path) -> None:
    with Mission.open(path) as mission:
        answer = mission.answer("P1", "survey", "law")
        assert answer is not None
        assert answer.note == "kept"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_over_its_own_mission_is_refused_and_the_mission_kept(
    mission_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    # The reproduction: export m.db --format csv --out m.db said "wrote" and
    # destroyed the mission. The name's suffix is not what protects it: its content is.
    code = main(["export", str(mission_path), "--format", fmt, "--out", str(mission_path)])
    assert code == 1
    err = capsys.readouterr().err
    assert str(mission_path) in err
    assert "Traceback" not in err
    _intact(mission_path)
    # Not even --force writes over the mission.
    args = ["export", str(mission_path), "--format", fmt, "--out", str(mission_path), "--force"]
    assert main(args) == 1
    _intact(mission_path)
    with pytest.raises(StoreError) as caught:
        export_answers(mission_path, "csv", mission_path, force=True)
    assert caught.value.code is Code.OUTPUT_IS_INPUT
    # Another spelling of the same file is the same file.
    other_spelling = mission_path.parent / "." / mission_path.name
    with pytest.raises(StoreError) as caught:
        export_answers(mission_path, "csv", other_spelling, force=True)
    assert caught.value.code is Code.OUTPUT_IS_INPUT
    _intact(mission_path)


def test_another_mission_is_recognised_by_content_whatever_its_name(
    mission_path: Path, tmp_path: Path
) -> None:
    other = tmp_path / "answers.csv"  # a mission under an export's name
    shutil.copy(mission_path, other)
    assert is_mission_file(other)
    with pytest.raises(StoreError) as caught:
        export_answers(mission_path, "csv", other, force=True)
    assert caught.value.code is Code.OUTPUT_IS_MISSION
    _intact(other)
    # A mission whose application id was lost is still known by its tables.
    with sqlite3.connect(other) as conn:
        conn.execute("PRAGMA application_id = 0")
    conn.close()
    assert is_mission_file(other)
    # The write-ahead log beside a mission is part of it.
    wal = tmp_path / "m.db-wal"
    with pytest.raises(StoreError) as caught:
        check_output(wal, force=True)
    assert caught.value.code in (Code.OUTPUT_IS_MISSION, Code.OUTPUT_IS_INPUT)
    # An ordinary SQLite file, or a text file, is not a mission.
    plain = tmp_path / "plain.sqlite"
    with sqlite3.connect(plain) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    assert not is_mission_file(plain)
    assert not is_mission_file(tmp_path / "nothing-here")


def test_an_existing_file_is_replaced_only_with_force(
    mission_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "answers.csv"
    out.write_text("someone's work\n", encoding="utf-8")
    assert main(["export", str(mission_path), "--format", "csv", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "--force" in err
    assert str(out) in err
    assert out.read_text(encoding="utf-8") == "someone's work\n"
    with pytest.raises(StoreError) as caught:
        export_answers(mission_path, "csv", out)
    assert caught.value.code is Code.OUTPUT_EXISTS
    assert main(["export", str(mission_path), "--format", "csv", "--out", str(out), "--force"]) == 0
    assert "P1" in out.read_text(encoding="utf-8")
    # The scores' second file is guarded too.
    beside = tmp_path / "scores-questions.csv"
    beside.write_text("keep\n", encoding="utf-8")
    with pytest.raises(StoreError) as caught:
        export_scores(mission_path, "csv", tmp_path / "scores.csv")
    assert caught.value.code is Code.OUTPUT_EXISTS
    assert not (tmp_path / "scores.csv").exists()
    assert beside.read_text(encoding="utf-8") == "keep\n"


def test_brief_follows_the_same_rule_before_any_work(
    mission_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("nbconvert")
    copy = tmp_path / "briefing.html"
    shutil.copy(mission_path, copy)  # a mission named like a briefing
    assert main(["brief", str(mission_path), "--out", str(copy), "--quiet", "--force"]) == 1
    assert "mission file" in capsys.readouterr().err
    _intact(copy)
    out = tmp_path / "kept.html"
    out.write_text("<p>an earlier briefing</p>", encoding="utf-8")
    assert main(["brief", str(mission_path), "--out", str(out), "--quiet"]) == 1
    assert "--force" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "<p>an earlier briefing</p>"
    from assessment_kit.briefing import export_briefing

    with pytest.raises(StoreError) as caught:
        export_briefing(mission_path, tmp_path / "m.db", force=True)
    assert caught.value.code in (Code.OUTPUT_IS_INPUT, Code.OUTPUT_IS_MISSION)
    _intact(mission_path)


def test_export_refuses_a_name_of_the_other_format(
    mission_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.xlsx"
    assert main(["export", str(mission_path), "--format", "csv", "--out", str(out)]) == 1
    assert "--format xlsx" in capsys.readouterr().err
    assert not out.exists()
    with pytest.raises(StoreError) as caught:
        export_answers(mission_path, "xlsx", tmp_path / "x.csv")
    assert caught.value.code is Code.OUTPUT_FORMAT
    # A name without a known suffix is taken as given.
    assert export_answers(mission_path, "csv", tmp_path / "answers.txt").rows == 1
