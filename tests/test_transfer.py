"""Import and export of answers: long format, all-or-nothing, every bad row listed."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest
from store_support import OTHER_YAML, SURVEY_YAML

from assessment_kit.areas import AREA_IDS
from assessment_kit.errors import Code, ImportProblems, StoreError
from assessment_kit.files import (
    ANSWER_COLUMNS,
    ExportResult,
    ImportResult,
    export_answers,
    export_scores,
    import_answers,
)
from assessment_kit.questionnaire import loads
from assessment_kit.store import Mission

HEADER = "respondent,institution_type,questionnaire,question,answer,note,evidence,confidential"

GOOD = f"""\
{HEADER}
P1,police,survey,law,yes,seen the act,Act 12,no
P1,police,survey,roles,origin transit,,,
P1,police,survey,year,2024,,,
P1,police,survey,victims,10,,,
P1,police,survey,convicted,4,,,
N1,ngo,survey,law,partly,,,yes
N1,ngo,other,ok,no,,,0
consolidated,,survey,law,partly,two of three,,
"""


@pytest.fixture
def mission_path(tmp_path: Path) -> Path:
    path = tmp_path / "mission.db"
    survey = loads(SURVEY_YAML, file="survey.yaml")
    other = loads(OTHER_YAML, file="other.yaml")
    with Mission.create(path, country="Freedonia", title="T", questionnaires=[survey, other]):
        pass
    return path


def write(tmp_path: Path, text: str, name: str = "answers.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(path: Path) -> tuple[list[tuple[object, ...]], ...]:
    with sqlite3.connect(path) as conn:
        return tuple(
            conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3").fetchall()
            for table in ("respondents", "answers", "consolidated", "history")
        )


def test_import_good_file(tmp_path: Path, mission_path: Path) -> None:
    result = import_answers(mission_path, write(tmp_path, GOOD), by="importer")
    assert result == ImportResult(
        rows=8, respondents_added=2, answers_written=7, consolidated_written=1
    )
    with Mission.open(mission_path) as mission:
        p1 = mission.answers_for("P1", "survey")
        assert p1["roles"].value == ("origin", "transit")
        assert p1["year"].value == 2024
        assert p1["law"].note == "seen the act"
        assert p1["law"].evidence == "Act 12"
        assert p1["law"].confidential is False
        assert mission.answers_for("N1", "survey")["law"].confidential is True
        assert mission.consolidated("survey")["law"].rationale == "two of three"
        assert mission.respondent("N1").sector == "civil_society"
        history = mission.history_frame()
        assert len(history) == 2 + 7 + 1
        assert set(history["by"]) == {"importer"}


BAD = f"""\
{HEADER}
P1,police,survey,law,yes,,,
P1,police,survey,law,no,,,
P2,army,survey,law,yes,,,
P3,police,nosuch,law,yes,,,
P3,police,survey,nosuch,yes,,,
P3,police,survey,year,1800,,,
P3,police,survey,roles,origin elsewhere,,,
P3,police,survey,intro,yes,,,
P3,police,survey,plan,,,,
P3,police,survey,kind,a,,,perhaps
,police,survey,kind,a,,,
P4,police,survey,year,2020,,,
P5,ngo,survey,victims,3,,,
P5,ngo,survey,convicted,4,,,
P5,police,survey,law,no,,,
"""


def test_bad_import_lists_every_bad_row_and_changes_nothing(
    tmp_path: Path, mission_path: Path
) -> None:
    import_answers(mission_path, write(tmp_path, GOOD, "first.csv"))
    before = snapshot(mission_path)
    bad = write(tmp_path, BAD)
    with pytest.raises(ImportProblems) as caught:
        import_answers(mission_path, bad)
    problems = caught.value.problems
    assert {p.file for p in problems} == {str(bad)}
    by_line = {p.line or 0: p for p in problems}
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 16]
    assert by_line[3].path == "question"  # duplicate of row 2
    assert "row 2" in by_line[3].message
    assert by_line[4].path == "institution_type"
    assert by_line[5].code is Code.UNKNOWN_QUESTIONNAIRE
    assert by_line[6].code is Code.UNKNOWN_QUESTION
    assert by_line[7].code is Code.CONSTRAINT
    assert (by_line[8].code, by_line[8].path) == (Code.BAD_VALUE, "answer")
    assert by_line[9].code is Code.NOT_ANSWERABLE
    assert by_line[10].path == "answer"
    assert by_line[11].path == "confidential"
    assert by_line[12].path == "respondent"
    assert by_line[15].code is Code.CONSTRAINT  # convicted 4 > victims 3 from row 14
    assert "row 14" in by_line[16].message  # P5 given two institution types
    assert "nothing was imported" in str(caught.value)
    assert snapshot(mission_path) == before


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("respondent,questionnaire,question,answer\nP1,survey,law,yes\n", "institution_type"),
        (f"{HEADER},colour\nP1,police,survey,law,yes,,,,red\n", "colour"),
    ],
)
def test_bad_header(tmp_path: Path, mission_path: Path, text: str, column: str) -> None:
    with pytest.raises(ImportProblems) as caught:
        import_answers(mission_path, write(tmp_path, text))
    assert caught.value.problems[0].line == 1
    assert caught.value.problems[0].path == column


def test_empty_and_unreadable_files(tmp_path: Path, mission_path: Path) -> None:
    with pytest.raises(ImportProblems) as caught:
        import_answers(mission_path, write(tmp_path, ""))
    assert caught.value.codes == [Code.EMPTY_FILE]
    with pytest.raises(ImportProblems, match="no answers"):
        import_answers(mission_path, write(tmp_path, HEADER + "\n"))
    with pytest.raises(StoreError) as unsupported:
        import_answers(mission_path, write(tmp_path, "x", "answers.json"))
    assert "unsupported file type" in str(unsupported.value)
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + "\nP1,police,survey,comment,caf\xe9,,,\n").encode("latin-1"))
    with pytest.raises(StoreError, match="UTF-8"):
        import_answers(mission_path, latin)
    with pytest.raises(StoreError) as missing:
        import_answers(mission_path, tmp_path / "missing.csv")
    assert missing.value.code is Code.FILE_NOT_FOUND


def test_existing_respondent_must_keep_its_type(tmp_path: Path, mission_path: Path) -> None:
    with Mission.open(mission_path) as mission:
        mission.add_respondent("P1", institution_type="police")
    with pytest.raises(ImportProblems) as caught:
        import_answers(mission_path, write(tmp_path, f"{HEADER}\nP1,ngo,survey,law,yes,,,\n"))
    assert caught.value.problems[0].path == "institution_type"
    result = import_answers(mission_path, write(tmp_path, f"{HEADER}\nP1,,survey,law,yes,,,\n"))
    assert result.respondents_added == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_round_trips_through_import(tmp_path: Path, mission_path: Path, fmt: str) -> None:
    import_answers(mission_path, write(tmp_path, GOOD))
    with Mission.open(mission_path) as mission:
        mission.set_answer("P1", "survey", "budget", 2.5)
        mission.set_answer("P1", "survey", "since", "2020-01-31")
        mission.set_answer("P1", "survey", "comment", "12")
        expected_answers = mission.answers_frame().drop(columns=["updated_by", "updated_at"])
        expected_consolidated = mission.consolidated_frame()[["question", "value", "rationale"]]
        expected_respondents = mission.respondents()
    out = tmp_path / f"export.{fmt}"
    result = export_answers(mission_path, fmt, out)  # type: ignore[arg-type]
    assert result == ExportResult(path=out, rows=11)
    if fmt == "csv":
        with out.open(encoding="utf-8", newline="") as handle:
            assert tuple(next(csv.reader(handle))) == ANSWER_COLUMNS
    fresh = tmp_path / "fresh.db"
    survey = loads(SURVEY_YAML, file="survey.yaml")
    other = loads(OTHER_YAML, file="other.yaml")
    Mission.create(fresh, country="F", title="T", questionnaires=[survey, other]).close()
    imported = import_answers(fresh, out)
    assert imported.rows == 11
    with Mission.open(fresh) as again:
        answers = again.answers_frame().drop(columns=["updated_by", "updated_at"])
        assert answers.to_dict("records") == expected_answers.to_dict("records")
        consolidated = again.consolidated_frame()[["question", "value", "rationale"]]
        assert consolidated.to_dict("records") == expected_consolidated.to_dict("records")
        assert again.respondents() == expected_respondents
    # Importing the same file again changes nothing and records no history.
    before = snapshot(fresh)
    import_answers(fresh, out)
    assert snapshot(fresh) == before


def test_export_scores(tmp_path: Path, mission_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    import_answers(mission_path, write(tmp_path, GOOD))
    book_path = tmp_path / "scores.xlsx"
    result = export_scores(mission_path, "xlsx", book_path)
    assert result.rows == 7  # the seven areas
    book = openpyxl.load_workbook(book_path, read_only=True)
    try:
        assert book.sheetnames == ["areas", "questions"]
        areas = list(book["areas"].iter_rows(values_only=True))
        assert areas[0][0] == "area"
        assert [row[0] for row in areas[1:]] == list(AREA_IDS)
    finally:
        book.close()
    csv_result = export_scores(mission_path, "csv", tmp_path / "scores.csv")
    assert csv_result.also == (tmp_path / "scores-questions.csv",)
    with (tmp_path / "scores.csv").open(encoding="utf-8", newline="") as handle:
        assert [row[0] for row in csv.reader(handle)][1:] == list(AREA_IDS)
    with (tmp_path / "scores-questions.csv").open(encoding="utf-8", newline="") as handle:
        questions = list(csv.DictReader(handle))
    assert {(row["questionnaire"], row["question"]) for row in questions} >= {
        ("survey", "law"),
        ("other", "ok"),
    }


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_text_that_looks_like_a_formula_round_trips(
    tmp_path: Path, mission_path: Path, fmt: str
) -> None:
    with Mission.open(mission_path) as mission:
        mission.add_respondent("P1", institution_type="police")
        mission.set_answer("P1", "survey", "comment", "=1+1", note="=see annex 2")
    out = tmp_path / f"export.{fmt}"
    export_answers(mission_path, fmt, out)  # type: ignore[arg-type]
    fresh = tmp_path / "fresh.db"
    survey = loads(SURVEY_YAML, file="survey.yaml")
    Mission.create(fresh, country="F", title="T", questionnaires=[survey]).close()
    import_answers(fresh, out)
    with Mission.open(fresh) as again:
        answer = again.answer("P1", "survey", "comment")
    assert answer is not None
    assert (answer.value, answer.note) == ("=1+1", "=see annex 2")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_to_a_place_that_cannot_be_written(
    tmp_path: Path, mission_path: Path, fmt: str
) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    with pytest.raises(StoreError, match="is a folder") as caught:
        export_answers(mission_path, fmt, folder)  # type: ignore[arg-type]
    assert caught.value.code is Code.STORE_IO
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(StoreError, match="cannot write the file") as caught:
        export_answers(mission_path, fmt, blocker / f"answers.{fmt}")  # type: ignore[arg-type]
    assert caught.value.code is Code.STORE_IO
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a-file", "folder", "mission.db"]


def test_files_that_are_not_comma_separated_answers_are_named_and_import_nothing(
    tmp_path: Path, mission_path: Path
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    before = snapshot(mission_path)
    semicolons = write(tmp_path, GOOD.replace(",", ";"), "semicolons.csv")
    with pytest.raises(StoreError, match=r"semicolons\.csv: the columns are separated by semi"):
        import_answers(mission_path, semicolons)
    with pytest.raises(StoreError, match="this is a folder") as folder:
        import_answers(mission_path, tmp_path)
    assert folder.value.code is Code.STORE_IO
    with pytest.raises(ImportProblems, match=r"empty\.csv: nothing to import"):
        import_answers(mission_path, write(tmp_path, "", "empty.csv"))
    book = openpyxl.Workbook()
    book.create_sheet("answers").append(HEADER.split(","))
    book.save(tmp_path / "second.xlsx")
    with pytest.raises(StoreError, match=r"first sheet .* is empty"):
        import_answers(mission_path, tmp_path / "second.xlsx")
    # An unquoted comma splits a note: the rest would be dropped without a word.
    short_header = "respondent,institution_type,questionnaire,question,answer,note"
    cut = write(tmp_path, f"{short_header}\nP1,police,survey,law,yes,seen, but old\n")
    with pytest.raises(ImportProblems) as caught:
        import_answers(mission_path, cut)
    assert [(p.line, p.path) for p in caught.value.problems] == [(2, "column 7")]
    assert snapshot(mission_path) == before


def test_windows_line_endings_and_a_byte_order_mark_are_read(
    tmp_path: Path, mission_path: Path
) -> None:
    path = tmp_path / "windows.csv"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode("utf-8"))
    assert import_answers(mission_path, path).rows == 8


def test_a_folder_is_not_a_mission(tmp_path: Path) -> None:
    survey = loads(SURVEY_YAML, file="survey.yaml")
    with pytest.raises(StoreError, match="this is a folder"):
        Mission.create(tmp_path, country="F", title="T", questionnaires=[survey])
    with pytest.raises(StoreError, match="this is a folder"):
        Mission.open(tmp_path)
