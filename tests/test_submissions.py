"""Submissions from KoboToolbox and ODK Central come back into a mission as interviews.

The test files are written in the exact shape each server exports (tests/interop_support.py):

- KoboToolbox: "XML values and headers", groups in headers joined by ``/``, the CSV field
  separator ``;`` or ``,`` as chosen, select_multiple exported as "both" (the
  space-separated column and one column per option), metadata ``_id``, ``_uuid``,
  ``_submission_time``, ``_index``. Documented by KoboToolbox's export API, whose options
  are listed (``group_sep = "/"``, ``fsep = ";"``, ``multi_sel = "both"``, ``lang =
  "_xml"`` for XML values and headers) at
  https://rdrr.io/cran/KoboconnectR/man/kobo_export_create.html and
  https://rdrr.io/cran/KoboconnectR/man/kobo_df_download.html; the XLSX export has the
  same columns (https://rdrr.io/cran/KoboconnectR/man/kobo_xls_dl.html).
- ODK Central: the CSV of the Submissions page follows ODK Briefcase's export format
  (https://github.com/getodk/briefcase/blob/master/docs/export-format.md: ``SubmissionDate``
  first, the fields of non-repeating groups, ``KEY`` holding the instance id), with full
  paths in the headers (https://github.com/getodk/central-backend/issues/48, so
  ``meta-instanceID``) and Central's columns on submitters and review after ``KEY``
  (https://github.com/getodk/central-backend/issues/132;
  https://docs.getodk.org/central-submissions/).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from interop_support import (
    Submission,
    kobo_table,
    long_rows,
    odk_table,
    random_submissions,
    write_csv,
    write_xlsx,
)

from assessment_kit.cli import main
from assessment_kit.errors import Code, ImportProblems
from assessment_kit.files import import_answers
from assessment_kit.files.submissions import (
    SubmissionsResult,
    import_file,
    import_submissions,
    read_table,
    recognise_format,
)
from assessment_kit.questionnaire import builtin
from assessment_kit.scoring import score_mission
from assessment_kit.store import Mission

pytest.importorskip("openpyxl")

CJ = builtin("criminal_justice")


def _mission(path: Path) -> Path:
    with Mission.create(
        path, country="Freedonia", title="T", questionnaires=[CJ, builtin("organ_removal")]
    ):
        pass
    return path


@pytest.fixture(scope="module")
def submissions() -> list[Submission]:
    return random_submissions(CJ, 6)


def _answers(mission: Path) -> dict[tuple[str, str], object]:
    with Mission.open(mission) as opened:
        frame = opened.answers_frame()
    return {
        (str(row.respondent), str(row.question)): row.value for row in frame.itertuples(index=False)
    }


def _count(mission: Path, table: str) -> int:
    with sqlite3.connect(mission) as db:
        count: int = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return count


@pytest.mark.parametrize(
    ("kind", "fmt"),
    [("kobo-comma.csv", "kobo"), ("kobo-semicolon.csv", "kobo"), ("kobo.xlsx", "kobo"),
     ("odk.csv", "odk")],
)  # fmt: skip
def test_each_export_imports_as_interviews(
    tmp_path: Path, submissions: list[Submission], kind: str, fmt: str
) -> None:
    mission = _mission(tmp_path / "m.db")
    table = odk_table(CJ, submissions) if fmt == "odk" else kobo_table(CJ, submissions)
    if kind.endswith(".xlsx"):
        file = write_xlsx(tmp_path / kind, table)
    else:
        file = write_csv(tmp_path / kind, table, ";" if "semicolon" in kind else ",")
    header, _ = read_table(file)
    assert recognise_format(header) == fmt
    result = import_file(mission, file, by="ana")
    assert isinstance(result, SubmissionsResult)
    expected_answers = sum(len(s.answers) for s in submissions)
    assert (result.format, result.questionnaire, result.submissions) == (fmt, CJ.id, 6)
    assert (result.respondents_added, result.answers_written) == (6, expected_answers)
    assert result.ignored_columns == ()
    with Mission.open(mission) as opened:
        respondents = {r.code: r for r in opened.respondents()}
    for submission in submissions:
        code = f"{submission.respondent}~{submission.uuid.replace('-', '')[:10]}"
        respondent = respondents[code]
        assert respondent.institution_type == submission.institution_type
        assert respondent.interview_date is not None
        assert respondent.interview_date.isoformat() == submission.interview_date
        assert (respondent.interviewer, respondent.consent) == ("Team A", True)
        assert respondent.sector == CJ.respondent_types[submission.institution_type].sector
    # No name from the server's columns is ever part of a code.
    assert not any("Maria" in code or "field_team" in code for code in respondents)
    stored = _answers(mission)
    assert len(stored) == expected_answers


def test_a_second_import_adds_nothing(tmp_path: Path, submissions: list[Submission]) -> None:
    mission = _mission(tmp_path / "m.db")
    file = write_csv(tmp_path / "kobo.csv", kobo_table(CJ, submissions))
    import_submissions(mission, file)
    before = (_count(mission, "respondents"), _count(mission, "answers"), _answers(mission))
    history = _count(mission, "history")
    again = import_submissions(mission, file)
    assert (again.respondents_added, again.answers_written, again.already_imported) == (0, 0, 6)
    after = (_count(mission, "respondents"), _count(mission, "answers"), _answers(mission))
    assert after == before
    assert _count(mission, "history") == history
    # A later export holds the old submissions and a new one: only the new one is added,
    # even when the respondent code of an old one was corrected on the server since.
    more = random_submissions(CJ, 7, seed=99)[6:]
    edited = [Submission(**{**vars(submissions[0]), "respondent": "FIXED"}), *submissions[1:]]
    file = write_csv(tmp_path / "kobo-later.csv", kobo_table(CJ, [*edited, *more]))
    later = import_submissions(mission, file)
    assert (later.respondents_added, later.already_imported) == (1, 6)


def test_odk_and_kobo_exports_of_one_submission_are_one_interview(
    tmp_path: Path, submissions: list[Submission]
) -> None:
    mission = _mission(tmp_path / "m.db")
    import_submissions(mission, write_csv(tmp_path / "kobo.csv", kobo_table(CJ, submissions)))
    result = import_submissions(
        mission, write_csv(tmp_path / "odk.csv", odk_table(CJ, submissions))
    )
    assert (result.respondents_added, result.already_imported) == (0, 6)


def test_scores_equal_those_of_the_long_format(
    tmp_path: Path, submissions: list[Submission]
) -> None:
    from_kobo = _mission(tmp_path / "kobo.db")
    import_submissions(from_kobo, write_csv(tmp_path / "kobo.csv", kobo_table(CJ, submissions)))
    with Mission.open(from_kobo) as opened:
        codes = [r.code for r in opened.respondents()]
    from_long = _mission(tmp_path / "long.db")
    long_file = write_csv(tmp_path / "long.csv", long_rows(CJ, submissions, sorted(codes)))
    import_answers(from_long, long_file)
    assert _answers(from_kobo) == _answers(from_long)
    with Mission.open(from_kobo) as a, Mission.open(from_long) as b:
        scores_a, scores_b = score_mission(a).to_json(), score_mission(b).to_json()
    assert scores_a == scores_b
    assert any(area["score"] is not None for area in scores_a["areas"])


def _bad_file(tmp_path: Path, submissions: list[Submission]) -> tuple[Path, list[str]]:
    table = kobo_table(CJ, submissions)
    header = [str(name) for name in table[0]]
    year = header.index("situation_data/sd_reference_year")
    kind = header.index("interview/institution_type")
    code = header.index("interview/respondent")
    role = header.index("situation_data/sd_country_role")
    table[2][year] = "nineteen"  # row 3: not a number
    table[3][kind] = "astronaut"  # row 4: not a respondent type
    table[4][code] = ""  # row 5: no code
    table[5][year] = "1200"  # row 6: breaks the constraint
    table[5][role] = "origin unknown"  # row 6: a state among choices
    return write_csv(tmp_path / "bad.csv", table), header


def test_all_or_nothing_and_every_bad_cell_named(
    tmp_path: Path, submissions: list[Submission]
) -> None:
    mission = _mission(tmp_path / "m.db")
    file, _ = _bad_file(tmp_path, submissions)
    with pytest.raises(ImportProblems) as caught:
        import_submissions(mission, file)
    found = {(p.line, p.path, p.code) for p in caught.value.problems}
    assert found == {
        (3, "situation_data/sd_reference_year", Code.BAD_VALUE),
        (4, "interview/institution_type", Code.BAD_ROW),
        (5, "interview/respondent", Code.BAD_ROW),
        (6, "situation_data/sd_reference_year", Code.CONSTRAINT),
        (6, "situation_data/sd_country_role", Code.BAD_VALUE),
    }
    assert all(p.file == str(file) for p in caught.value.problems)
    assert _count(mission, "respondents") == 0
    assert _count(mission, "answers") == 0


def test_a_typed_field_takes_a_non_scored_state(tmp_path: Path) -> None:
    mission = _mission(tmp_path / "m.db")
    given = Submission("P1", "prosecutor", {"sd_reference_year": "unknown"}, uuid="a" * 32)
    table = odk_table(CJ, [given])
    header = [str(name) for name in table[0]]
    assert table[1][header.index("situation_data-sd_reference_year")] == ""
    assert table[1][header.index("situation_data-sd_reference_year__state")] == "unknown"
    import_submissions(mission, write_csv(tmp_path / "odk.csv", table))
    assert _answers(mission) == {("P1~aaaaaaaaaa", "sd_reference_year"): "unknown"}


def test_format_override_and_recognition(
    tmp_path: Path, submissions: list[Submission], capsys: pytest.CaptureFixture[str]
) -> None:
    mission = _mission(tmp_path / "m.db")
    odk = write_csv(tmp_path / "odk.csv", odk_table(CJ, submissions))
    # Read as Kobo, the ODK export's paths ('-') name no question of the mission.
    with pytest.raises(ImportProblems) as caught:
        import_file(mission, odk, format="kobo")
    assert caught.value.codes == [Code.SUBMISSIONS_QUESTIONNAIRE]
    # A Kobo export without its instance ids cannot be imported twice safely: refused.
    table = kobo_table(CJ, submissions)
    without = [row[:-9] + row[-8:] for row in table]
    assert "_uuid" not in without[0]
    with pytest.raises(ImportProblems) as caught:
        import_file(mission, write_csv(tmp_path / "no-uuid.csv", without))
    assert {(p.line, p.path, p.code) for p in caught.value.problems} == {
        (1, "meta/rootUuid or _uuid or meta/instanceID", Code.BAD_ROW)
    }
    assert main(["import", str(mission), str(odk), "--format", "odk"]) == 0
    assert "6 odk submissions of criminal_justice" in capsys.readouterr().out
    kobo = write_csv(tmp_path / "kobo.csv", kobo_table(CJ, submissions), ";")
    assert main(["import", str(mission), str(kobo)]) == 0
    assert "0 new respondents, 0 answers, 6 imported before" in capsys.readouterr().out
    unknown = write_csv(tmp_path / "other.csv", [["name", "age"], ["x", "3"]])
    with pytest.raises(ImportProblems) as caught:
        import_submissions(mission, unknown)
    assert caught.value.codes == [Code.SUBMISSIONS_FORMAT]
    # Without a guess, an unknown file is read as the long format, which names what lacks.
    assert main(["import", str(mission), str(unknown)]) == 1
    assert "missing required column" in capsys.readouterr().err


def test_an_export_of_another_form(tmp_path: Path) -> None:
    with Mission.create(
        tmp_path / "m.db", country="F", title="T", questionnaires=[builtin("organ_removal")]
    ):
        pass
    file = write_csv(tmp_path / "kobo.csv", kobo_table(CJ, random_submissions(CJ, 1)))
    with pytest.raises(ImportProblems) as caught:
        import_submissions(tmp_path / "m.db", file)
    assert caught.value.codes == [Code.SUBMISSIONS_QUESTIONNAIRE]


def test_a_kobo_export_without_groups_in_its_headers(
    tmp_path: Path, submissions: list[Submission]
) -> None:
    # Kobo's export setting "Include groups in headers" unticked: bare field names.
    table = kobo_table(CJ, submissions)
    table[0] = [str(name).split("/", 1)[1] if "/" in str(name) else name for name in table[0]]
    assert "sd_reference_year" in table[0]
    mission = _mission(tmp_path / "m.db")
    result = import_submissions(mission, write_csv(tmp_path / "kobo.csv", table))
    assert result.answers_written == sum(len(s.answers) for s in submissions)


def test_an_edited_kobo_submission_keeps_its_first_id(
    tmp_path: Path, submissions: list[Submission]
) -> None:
    # Kobo gives an edited submission a new _uuid; meta/rootUuid keeps the first one.
    table = kobo_table(CJ, submissions[:2])
    table[0] = [*table[0], "meta/rootUuid"]
    table[1] = [*table[1], table[1][table[0].index("_uuid")]]
    table[2] = [*table[2], ""]  # an older export row without it: _uuid is used
    mission = _mission(tmp_path / "m.db")
    import_submissions(mission, write_csv(tmp_path / "first.csv", table))
    edited = [list(row) for row in table]
    edited[1][table[0].index("_uuid")] = "0f0f0f0f-0000-4000-8000-000000000000"
    again = import_submissions(mission, write_csv(tmp_path / "edited.csv", edited))
    assert (again.respondents_added, again.already_imported) == (0, 2)
