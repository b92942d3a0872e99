"""Import of answers files (CSV and XLSX, long format) into a mission, all or nothing.

The file is recognised by its content as well as its name (a password-protected or old
Office file, a workbook named .csv, UTF-16 text, a mission file, another separator are
each named for what they are). Every row is then checked against the mission inside the
write transaction of one :meth:`Mission.batch <assessment_kit.store.Mission.batch>`, so
nobody else can change the mission in between; every bad row is reported with its row
number (the header is row 1, as in a spreadsheet) and column, and only a clean file is
written. Exporting answers gives a file that imports back unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from assessment_kit.errors import AnswerError, Code, ImportProblems, Problem, StoreError
from assessment_kit.files.cells import read_cell
from assessment_kit.files.csv_cells import read_csv
from assessment_kit.files.long_format import NEEDED, REQUIRED_COLUMNS, Checker, Row, all_rows
from assessment_kit.files.xlsx_cells import read_xlsx
from assessment_kit.questionnaire.answers import check_text, coerce, validate
from assessment_kit.questionnaire.model import AnswerValue
from assessment_kit.store import CONSOLIDATED, Batch, CheckedAnswer, Mission, Respondent
from assessment_kit.store.schema import file_error, refuse_folder

__all__ = ["ImportResult", "import_answers", "read_rows"]


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import wrote."""

    rows: int
    respondents_added: int
    answers_written: int
    consolidated_written: int


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
#: Names of the streams an encrypted Office file holds, as written in its directory.
_ENCRYPTED_MARKS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
#: Bytes read to recognise an Office container (its directory can sit anywhere).
_SNIFF_LIMIT = 32 * 1024 * 1024


def _refuse_by_content(path: Path, suffix: str) -> None:
    """Name what the file really is when its bytes do not match its name.

    A password-protected workbook, an old .xls, a workbook named .csv or UTF-16 text would
    otherwise be reported by the CSV or zip reader in terms that hide the cause.
    """
    where = str(path)
    with path.open("rb") as handle:
        head = handle.read(4096)
    if head.startswith(_OLE2):
        with path.open("rb") as handle:
            body = handle.read(_SNIFF_LIMIT)
        code = (
            Code.FILE_ENCRYPTED
            if any(m in body for m in _ENCRYPTED_MARKS)
            else Code.FILE_OLD_OFFICE
        )
        raise StoreError(problem=Problem.make(code, file=where))
    if suffix == ".xlsx":
        if not head.startswith(_ZIP) and head and _looks_like_text(head):
            raise StoreError(problem=Problem.make(Code.FILE_IS_TEXT, file=where))
        return
    if head.startswith(_ZIP):
        raise StoreError(problem=Problem.make(Code.FILE_IS_ARCHIVE, file=where))
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise StoreError(problem=Problem.make(Code.FILE_UTF16, file=where, encoding="UTF-32"))
    if head.startswith(b"SQLite format 3\x00"):
        raise file_error(
            Code.BAD_ROW,
            where,
            "this is an SQLite database (a mission file?), not an answers file",
            "give the answers as .csv or .xlsx; to copy answers from a mission, export them",
        )
    sample = head[:200]
    even, odd = sample[0::2], sample[1::2]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (
        # Latin text in UTF-16 has a zero byte beside every letter, in every other byte.
        len(sample) >= 4
        and (
            (0 not in even and odd.count(0) == len(odd))
            or (0 not in odd and even.count(0) == len(even))
        )
    ):
        raise StoreError(problem=Problem.make(Code.FILE_UTF16, file=where, encoding="UTF-16"))


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still text.
        return error.start >= len(head) - 3
    return b"\x00" not in head


def read_rows(file: str | Path) -> tuple[list[str], list[list[object]]]:
    """The header (stripped, lower-case) and data rows of a CSV or XLSX file.

    CSV cells are strings (a leading single quote, written by our export to keep text from
    running as a formula, is removed); XLSX cells keep numbers as numbers. Blank rows are
    kept (as empty lists) so that row numbers match the file.
    """
    path = Path(file)
    where = str(path)
    refuse_folder(path, "give the answers file (.csv or .xlsx)")
    if not path.is_file():
        raise StoreError(problem=Problem.make(Code.FILE_NOT_FOUND, file=where))
    suffix = path.suffix.lower()
    rows: list[list[object]]
    if suffix not in (".xlsx", ".csv", ".txt"):
        raise file_error(
            Code.BAD_ROW,
            where,
            f"unsupported file type {suffix or '(none)'!r}",
            "give a .csv or .xlsx file",
        )
    _refuse_by_content(path, suffix)
    rows = read_xlsx(path, NEEDED) if suffix == ".xlsx" else read_csv(path)
    if not rows:
        raise ImportProblems(
            [Problem.make(Code.EMPTY_FILE, file=where)], summary=f"{where}: nothing to import"
        )
    header = [str(read_cell(name)).strip().lower() for name in rows[0]]
    if suffix != ".xlsx" and len(header) == 1:
        _refuse_other_separators(where, header[0])
    return header, rows[1:]


def _refuse_other_separators(where: str, header: str) -> None:
    """Refuse a one-column header that holds the column names joined by another separator.

    Spreadsheet programs in many locales save "CSV" with semicolons; read with commas it
    would be one unknown column, and the real problem would go unsaid.
    """
    for separator, description in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars")):
        names = {name.strip() for name in header.split(separator)}
        if len(names) > 1 and names & set(REQUIRED_COLUMNS):
            raise file_error(
                Code.BAD_ROW,
                where,
                f"the columns are separated by {description}, not commas",
                "save it as 'CSV UTF-8 (comma delimited)' from your spreadsheet program, or "
                "as .xlsx",
            )


def _check(
    mission: Mission, batch: Batch, checker: Checker, rows: list[Row]
) -> dict[str, Respondent]:
    """Check every row against the mission; returns the respondents to add."""
    existing = {r.code: r for r in mission.respondents()}
    known_types = mission.institution_types()  # asked once, not once per row
    new_respondents: dict[str, tuple[int, Respondent]] = {}
    seen: dict[tuple[str, str, str], int] = {}
    for row in rows:
        _check_value(mission, checker, row)
        _check_texts(checker, row)
        key = (row.respondent, row.questionnaire, row.question)
        if key in seen:
            checker.add(
                row.line,
                "question",
                f"the same answer is given again (first at row {seen[key]})",
                "keep one row per respondent, questionnaire and question",
            )
        else:
            seen[key] = row.line
        if row.respondent == CONSOLIDATED:
            continue
        if row.respondent in existing:
            current = existing[row.respondent]
            if row.institution_type and row.institution_type != current.institution_type:
                checker.add(
                    row.line,
                    "institution_type",
                    f"respondent {row.respondent!r} is a {current.institution_type!r}, "
                    f"not {row.institution_type!r}",
                    "correct the institution type or use another respondent code",
                )
            continue
        _check_new_respondent(mission, checker, row, new_respondents, known_types)
    _check_constraints(mission, batch, checker, rows)
    return {code: respondent for code, (_, respondent) in new_respondents.items()}


def _check_value(mission: Mission, checker: Checker, row: Row) -> None:
    """The question and the value on its own; sets ``row.value`` when it is good."""
    try:
        question = mission.question(row.questionnaire, row.question)
    except AnswerError as error:
        column = "questionnaire" if error.codes == [Code.UNKNOWN_QUESTIONNAIRE] else "question"
        checker.add_error(row.line, column, error)
        return
    answer = row.answer
    if question.type not in ("integer", "decimal") and isinstance(answer, int | float):
        # A spreadsheet turned a choice value or a text such as "12" into a number.
        answer = str(int(answer)) if float(answer).is_integer() else str(answer)
    try:
        row.value = coerce(question, answer)  # text read as parse_text reads it
    except AnswerError as error:
        checker.add_error(row.line, "answer", error)


def _check_texts(checker: Checker, row: Row) -> None:
    for field, value in (
        ("note", row.note),
        ("evidence", row.evidence),
        ("rationale", row.rationale),
        ("interviewer", row.interviewer),
        ("sector", row.sector),
    ):
        try:
            check_text(field, value, path=row.question)
        except AnswerError as error:
            checker.add_error(row.line, field, error)


def _check_new_respondent(
    mission: Mission,
    checker: Checker,
    row: Row,
    new_respondents: dict[str, tuple[int, Respondent]],
    known_types: dict[str, str],
) -> None:
    """A respondent the file adds: a known institution type, the same on every row
    (``known_types``: the mission's, id -> sector)."""
    questionnaire = mission.questionnaires.get(row.questionnaire)
    types: Mapping[str, object] = known_types
    if questionnaire is not None and questionnaire.respondent_types:
        types = questionnaire.respondent_types
    if not row.institution_type:
        checker.add(
            row.line,
            "institution_type",
            f"new respondent {row.respondent!r} has no institution type",
            "fill in the institution type",
        )
        return
    if types and row.institution_type not in types:
        checker.add(
            row.line,
            "institution_type",
            f"institution type {row.institution_type!r} is not defined by "
            f"questionnaire {row.questionnaire!r}",
            f"use one of: {', '.join(types)}",
        )
        return
    candidate = Respondent(
        code=row.respondent,
        institution_type=row.institution_type,
        sector=row.sector or known_types.get(row.institution_type, ""),
        interview_date=row.interview_date,
        interviewer=row.interviewer,
        consent=row.consent,
    )
    if row.respondent not in new_respondents:
        new_respondents[row.respondent] = (row.line, candidate)
        return
    first_line, first = new_respondents[row.respondent]
    if first.institution_type != candidate.institution_type:
        checker.add(
            row.line,
            "institution_type",
            f"respondent {row.respondent!r} was given institution type "
            f"{first.institution_type!r} at row {first_line}",
            "give each respondent one institution type",
        )


def _check_constraints(mission: Mission, batch: Batch, checker: Checker, rows: list[Row]) -> None:
    """Constraints, against the answers the respondent will have after the import."""
    # The file's good values by respondent and questionnaire, gathered in one pass (not
    # once per respondent: a file of 1,000 interviews has 200,000 rows).
    given: dict[tuple[str, str], dict[str, AnswerValue]] = {}
    for row in rows:
        if row.value is not None:
            given.setdefault((row.respondent, row.questionnaire), {})[row.question] = row.value
    by_target: dict[tuple[str, str], dict[str, AnswerValue | None]] = {}
    for row in rows:
        if row.value is None:
            continue
        question = mission.questionnaires[row.questionnaire].questions[row.question]
        if question.constraint_expr is None:
            continue
        target = (row.respondent, row.questionnaire)
        if target not in by_target:
            answers = batch.stored_values(
                None if row.respondent == CONSOLIDATED else row.respondent, row.questionnaire
            )
            answers.update(given[target])
            by_target[target] = answers
        try:
            validate(question, row.value, by_target[target])
        except AnswerError as error:
            checker.add_error(row.line, "answer", error)


def _another_mission(mission: Mission, rows: Sequence[Row]) -> str:
    """A hint when no row names a questionnaire of the mission: the file is most likely
    for another mission, and its thousands of bad rows say the same thing."""
    named = {row.questionnaire for row in rows}
    if not rows or named & set(mission.questionnaires):
        return ""
    found = ", ".join(sorted(named)[:5]) + (", ..." if len(named) > 5 else "")
    return (
        f". No row names a questionnaire of this mission ({', '.join(mission.questionnaires)});"
        f" the file names {found}: is it for another mission?"
    )


def import_answers(mission_path: str | Path, file: str | Path, *, by: str = "") -> ImportResult:
    """Import a long-format answers file (CSV or XLSX) into a mission, all or nothing.

    Parameters
    ----------
    mission_path
        The mission file.
    file
        A ``.csv`` (UTF-8) or ``.xlsx`` file; :mod:`~assessment_kit.files.long_format`
        lists its columns.
    by
        Who imports (recorded in the history).

    Raises
    ------
    ImportProblems
        Listing every bad row (file, row number, column, what is wrong and how to fix it).
        Nothing is written.
    StoreError
        The mission or the file cannot be opened.
    """
    source = Path(file)
    header, data = read_rows(source)
    where = str(source)
    with Mission.open(mission_path) as mission, mission.batch(by=by) as batch:
        checker = Checker(where)
        rows = all_rows(checker, header, data)
        new_respondents = _check(mission, batch, checker, rows) if rows else {}
        if not checker.problems and not rows:
            checker.add(2, "", "the file has no answers", "add rows under the header")
        if checker.problems:
            problems = sorted(checker.problems, key=lambda p: p.line or 0)
            bad = len({p.line for p in problems})
            raise ImportProblems(
                problems,
                summary=f"{where}: {bad:,} bad row(s); nothing was imported"
                + _another_mission(mission, rows),
            )
        consolidated = _write_rows(batch, list(new_respondents.values()), rows)
    return ImportResult(
        rows=len(rows),
        respondents_added=len(new_respondents),
        answers_written=len(rows) - consolidated,
        consolidated_written=consolidated,
    )


def _write_rows(batch: Batch, respondents: list[Respondent], rows: Sequence[Row]) -> int:
    """Add the new respondents and write the checked rows through ``batch``, in the file's
    order; returns how many were consolidated answers.

    Every value, text and constraint was checked above (to report each bad row), so the
    answers go through the store's bulk write as checked records, a run of them at a time
    between consolidated answers, as the Kobo and ODK imports write theirs.
    """
    items: list[Respondent | CheckedAnswer] = list(respondents)
    consolidated = 0
    for row in rows:
        assert row.value is not None  # checked before
        if row.respondent == CONSOLIDATED:
            batch.write_checked(items)
            items = []
            batch.consolidate(
                row.questionnaire, row.question, row.value, rationale=row.rationale or row.note
            )
            consolidated += 1
        else:
            items.append(
                CheckedAnswer(row.respondent, row.questionnaire, row.question, row.value,
                              row.note, row.evidence, row.confidential)
            )  # fmt: skip
    batch.write_checked(items)
    return consolidated
