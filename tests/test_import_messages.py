"""Import messages name the real cause: the file's encoding or kind, merged cells, formulas
with no saved value; and a file for another mission is summarised, not listed in full."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from store_support import SURVEY_YAML

from assessment_kit.cli import main
from assessment_kit.errors import SHOWN_PROBLEMS, AnswerError, Code, ImportProblems, StoreError
from assessment_kit.files import import_answers
from assessment_kit.questionnaire import builtin_ids, loads
from assessment_kit.store import Mission

DATA = Path(__file__).resolve().parent / "data"
HEADER = ["respondent", "institution_type", "questionnaire", "question", "answer"]
TEXT = ",".join(HEADER) + "\nP1,police,survey,law,yes\n"


@pytest.fixture
def mission_path(tmp_path: Path) -> Path:
    path = tmp_path / "mission.db"
    survey = loads(SURVEY_YAML, file="survey.yaml")
    with Mission.create(path, country="Freedonia", title="T", questionnaires=[survey]):
        pass
    return path


def _code(mission: Path, file: Path) -> Code | None:
    with pytest.raises(StoreError) as caught:
        import_answers(mission, file)
    return caught.value.code


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_csv_is_named(tmp_path: Path, mission_path: Path, encoding: str) -> None:
    # It said "not UTF-8 at byte 0".
    path = tmp_path / "answers.csv"
    path.write_bytes(TEXT.encode(encoding))
    assert _code(mission_path, path) is Code.FILE_UTF16


def test_password_protected_workbook_is_named(mission_path: Path) -> None:
    # It said "File is not a zip file". The file is a real encrypted workbook (password
    # "secret"), made with msoffcrypto-tool.
    assert _code(mission_path, DATA / "encrypted-password-secret.xlsx") is Code.FILE_ENCRYPTED


def test_a_workbook_named_csv_and_text_named_xlsx(tmp_path: Path, mission_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.save(tmp_path / "answers.xlsx")
    disguised = tmp_path / "answers.csv"
    disguised.write_bytes((tmp_path / "answers.xlsx").read_bytes())
    # It said "not UTF-8 text".
    assert _code(mission_path, disguised) is Code.FILE_IS_ARCHIVE
    archive = tmp_path / "archive.csv"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        zipped.writestr("answers.csv", TEXT)
    archive.write_bytes(buffer.getvalue())
    assert _code(mission_path, archive) is Code.FILE_IS_ARCHIVE
    text = tmp_path / "text.xlsx"
    text.write_text(TEXT, encoding="utf-8")
    assert _code(mission_path, text) is Code.FILE_IS_TEXT


def test_formula_without_saved_value_and_merged_cells(tmp_path: Path, mission_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    # openpyxl saves formulas without a computed value, as a script or an unsaved
    # recalculation leaves them: it said "answer is empty".
    sheet.append(["P1", "police", "survey", "victims", "=2+3"])
    # One respondent code merged over two rows: it said "respondent is empty".
    sheet.append(["P2", "police", "survey", "law", "yes"])
    sheet.append([None, "police", "survey", "plan", "no"])
    sheet.merge_cells("A3:A4")
    path = tmp_path / "answers.xlsx"
    book.save(path)
    with pytest.raises(ImportProblems) as caught:
        import_answers(mission_path, path)
    found = {(p.line, p.path): p.code for p in caught.value.problems}
    assert found == {(2, "answer"): Code.CELL_FORMULA, (4, "respondent"): Code.CELL_MERGED}
    message = str(caught.value)
    assert "=2+3" in message
    assert "A3:A4" in message


@pytest.mark.parametrize("spelling", ["Consolidated", "CONSOLIDATED", " consolidated "])
def test_consolidated_in_any_case(tmp_path: Path, mission_path: Path, spelling: str) -> None:
    # "Consolidated" said "new respondent has no institution type".
    path = tmp_path / "answers.csv"
    path.write_text(f"{','.join(HEADER)}\n{spelling},,survey,law,partly\n", encoding="utf-8")
    result = import_answers(mission_path, path)
    assert (result.consolidated_written, result.respondents_added) == (1, 0)
    with Mission.open(mission_path) as mission:
        assert mission.consolidated("survey")["law"].value == "partly"
        # And no respondent can take the word in another case.
        with pytest.raises(AnswerError, match="cannot be a respondent code"):
            mission.add_respondent(spelling, institution_type="police")


def test_unknown_questionnaire_id_names_the_shipped_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # It said "file not found".
    args = ["new", str(tmp_path / "m.db"), "--country", "F", "--questionnaire", "nosuch"]
    assert main(args) == 1
    err = capsys.readouterr().err
    for shipped in builtin_ids():
        assert shipped in err
    assert "nosuch" in err
    assert not (tmp_path / "m.db").exists()


def test_a_file_for_another_mission_is_summarised(
    tmp_path: Path, mission_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # It printed one line per bad row: 719,063 of them for a big file.
    rows = 2000
    lines = [f"R{i},police,other_mission,q{i},yes" for i in range(rows)]
    path = tmp_path / "answers.csv"
    path.write_text(",".join(HEADER) + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportProblems) as caught:
        import_answers(mission_path, path)
    assert len(caught.value.problems) >= rows  # the library keeps every problem
    assert "is it for another mission?" in caught.value.summary
    assert len(str(caught.value).splitlines()) == SHOWN_PROBLEMS + 2
    assert main(["import", str(mission_path), str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == SHOWN_PROBLEMS + 2
    hidden = len(caught.value.problems) - SHOWN_PROBLEMS
    assert err[-1].strip() == f"... and {hidden:,} more problems"


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_reading(
    tmp_path: Path, mission_path: Path
) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (257 * 1024 * 1024))
    assert path.stat().st_size < 1024 * 1024
    assert _code(mission_path, path) is Code.BAD_ROW
