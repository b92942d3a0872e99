"""Import and export of answers (CSV and XLSX, long format) and export of scores.

Answers files have one row per answer. Columns (the first row holds their names):

================ ========= ==============================================================
respondent       required  pseudonymous code, or ``consolidated`` for the mission's answer
institution_type required  an institution type of the questionnaire (empty for
                           ``consolidated`` rows)
questionnaire    required  questionnaire id
question         required  question id
answer           required  choice value or state, number, YYYY-MM-DD date or text;
                           several values of a ``multiple`` question separated by spaces
note             optional  assessor's note (for ``consolidated`` rows: the rationale,
                           unless a ``rationale`` column is given)
evidence         optional  evidence seen
confidential     optional  true/false, yes/no, 1/0 (empty: false)
sector           optional  respondent's sector (new respondents only)
interview_date   optional  YYYY-MM-DD (new respondents only)
interviewer      optional  (new respondents only)
rationale        optional  rationale of a ``consolidated`` row
consent          optional  the respondent's consent, true/false (new respondents only)
================ ========= ==============================================================

Import is all-or-nothing: every row is checked first (inside the write transaction, so
nobody else can change the mission in between), every bad row is reported with its row
number (the header is row 1, as in a spreadsheet) and column, and only a clean file is
written, in one transaction. Exporting answers gives a file that imports back unchanged.

Every value the store accepts comes back exactly. CSV cells that a spreadsheet program
would run as a formula (starting with ``= + - @``, a tab or a carriage return; numbers
aside) and cells starting with a single quote are written with one more leading quote,
which import removes (:func:`csv_cell`, :func:`csv_value`). XLSX cells write characters
XML cannot hold as ``_xHHHH_`` (:func:`xlsx_text`), integers beyond 2**53 as text and
floats with every digit; a text longer than an XLSX cell holds stops the export, naming
the row and column. Outputs pass :func:`~assessment_kit.store.outputs.check_output` first.

Scores export: XLSX gets two sheets, ``areas`` and ``questions``; CSV writes the areas to
the given path and the questions beside it as ``<stem>-questions.csv``.
"""

from __future__ import annotations

import csv
import dataclasses
import errno
import io
import json
import math
import os
import re
import sqlite3
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from assessment_kit.errors import AnswerError, Code, ImportProblems, Problem, StoreError
from assessment_kit.questionnaire.model import AnswerValue
from assessment_kit.store.mission import (
    CONSOLIDATED,
    Answer,
    ConsolidatedAnswer,
    Mission,
    Respondent,
    _now,
)
from assessment_kit.store.outputs import check_output
from assessment_kit.store.schema import file_error, refuse_folder
from assessment_kit.store.values import check_constraint, check_text, coerce_value, format_value

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ANSWER_COLUMNS",
    "ExportResult",
    "ImportResult",
    "export_answers",
    "export_scores",
    "import_answers",
    "read_rows",
]

REQUIRED_COLUMNS: tuple[str, ...] = (
    "respondent",
    "institution_type",
    "questionnaire",
    "question",
    "answer",
)
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "note",
    "evidence",
    "confidential",
    "sector",
    "interview_date",
    "interviewer",
    "rationale",
    "consent",
)
#: The columns an answers export writes, in order.
ANSWER_COLUMNS: tuple[str, ...] = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

_TRUE = frozenset({"true", "yes", "1", "y"})
_FALSE = frozenset({"false", "no", "0", "n", ""})

Format = Literal["csv", "xlsx"]


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import wrote."""

    rows: int
    respondents_added: int
    answers_written: int
    consolidated_written: int


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What an export wrote: the file, its data rows, and any further files beside it."""

    path: Path
    rows: int
    also: tuple[Path, ...] = ()


# ---------------------------------------------------------------------------- reading


def _cell(value: object) -> object:
    """A spreadsheet cell as the importer sees it: text, a number, or ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | str):
        return value
    return str(value)


def _openpyxl(where: str) -> Any:
    try:
        import openpyxl
    except ImportError as error:
        raise StoreError(problem=Problem.make(Code.XLSX_EXTRA, file=where)) from error
    return openpyxl


class _Unfilled(str):
    """An empty spreadsheet cell that looks filled in the program: ``reason`` says why it
    reads as empty (a merged cell, a formula with no saved value). Equal to ``""``."""

    reason: str

    def __new__(cls, reason: str) -> _Unfilled:
        cell = super().__new__(cls, "")
        cell.reason = reason
        return cell


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
#: Names of the streams an encrypted Office file holds, as written in its directory.
_ENCRYPTED_MARKS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
#: Bytes read to recognise an Office container (its directory can sit anywhere).
_SNIFF_LIMIT = 32 * 1024 * 1024
#: The largest CSV cell read: well above the store's text limit and bounded, so a hostile
#: file cannot make the reader hold one huge cell.
CSV_CELL_LIMIT = 1_048_576
#: The columns a row cannot leave empty; an empty one is explained when it is a merge or
#: a formula.
_NEEDED = ("respondent", "questionnaire", "question", "answer")


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


def _read_csv(path: Path) -> list[list[object]]:
    where = str(path)
    previous = csv.field_size_limit()
    # The limit is the csv module's one global setting: raised for this read only.
    csv.field_size_limit(max(previous, CSV_CELL_LIMIT))
    reader: Any = None
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            return [[csv_value(cell) for cell in row] for row in reader]
    except UnicodeDecodeError as error:
        raise file_error(
            Code.BAD_ROW,
            where,
            f"the file is not UTF-8 text ({error.reason} at byte {error.start})",
            "save it as 'CSV UTF-8' from your spreadsheet program",
        ) from error
    except csv.Error as error:
        line = reader.line_num if reader is not None else None
        if "field larger than field limit" in str(error):
            raise StoreError(
                problem=Problem.make(
                    Code.CELL_TOO_LARGE, file=where, line=line, limit=f"{CSV_CELL_LIMIT:,}"
                )
            ) from error
        raise StoreError(
            problem=Problem.make(
                Code.BAD_ROW,
                file=where,
                line=line,
                detail=f"the CSV cannot be read: {error}",
                fix="save it again as 'CSV UTF-8 (comma delimited)'",
            )
        ) from error
    finally:
        csv.field_size_limit(previous)


#: The most a workbook may unpack to: a few hundred thousand answers take far less, and a
#: small file that unpacks to gigabytes (a zip bomb) is refused before it is read.
XLSX_UNPACKED_LIMIT = 256 * 1024 * 1024


def _read_xlsx(path: Path) -> list[list[object]]:
    where = str(path)
    openpyxl = _openpyxl(where)
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        unpacked = 0  # openpyxl's own error below says what is wrong
    if unpacked > XLSX_UNPACKED_LIMIT:
        raise file_error(
            Code.BAD_ROW,
            where,
            f"the workbook unpacks to {unpacked / 2**20:,.0f} MB, more than the "
            f"{XLSX_UNPACKED_LIMIT / 2**20:,.0f} MB an answers file may hold",
            "split the answers into several files, or shorten the notes",
        )
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a damaged file
        raise file_error(
            Code.BAD_ROW,
            where,
            f"cannot read the workbook: {error}",
            "save it again from your spreadsheet program as .xlsx",
        ) from error
    try:
        sheet = book.worksheets[0]
        rows = [[_xlsx_read(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        others = len(book.worksheets) - 1
    finally:
        book.close()
    if not rows and others:
        raise file_error(
            Code.BAD_ROW,
            where,
            f"the first sheet ({sheet.title!r}) is empty; answers are read from the first "
            "sheet only",
            "move the answers sheet first, or save it alone",
        )
    if rows:
        _explain_empty_cells(openpyxl, path, rows)
    return rows


def _xlsx_read(value: object) -> object:
    cell = _cell(value)
    return xlsx_value(cell) if isinstance(cell, str) else cell


def _explain_empty_cells(openpyxl: Any, path: Path, rows: list[list[object]]) -> None:
    """Mark empty needed cells that are merged or hold a formula with no saved value.

    Both read as empty, but in the spreadsheet program the first shows a value and the
    second a result. Only done when such a cell exists: it reads the workbook again, fully.
    """
    header = [str(name).strip().lower() for name in rows[0]]
    needed = [header.index(name) for name in _NEEDED if name in header]
    empty = [
        (r, c)
        for r, row in enumerate(rows[1:], start=1)
        if any(cell not in ("", None) for cell in row)
        for c in needed
        if c >= len(row) or row[c] == ""
    ]
    if not empty:
        return
    try:
        book = openpyxl.load_workbook(path, data_only=False)
    except Exception:  # the first read worked; the explanation is a bonus
        return
    try:
        sheet = book.worksheets[0]
        merged = list(sheet.merged_cells.ranges)
        for r, c in empty:
            row, column = r + 1, c + 1
            reason = ""
            for cells in merged:
                if (
                    cells.min_row <= row <= cells.max_row
                    and cells.min_col <= column <= cells.max_col
                ):
                    reason = f"merged:{cells.coord}"
                    break
            else:
                value = sheet.cell(row=row, column=column).value
                if isinstance(value, str) and value.startswith("="):
                    reason = f"formula:{value}"
                elif value is not None and not isinstance(value, str | int | float):
                    reason = f"formula:{getattr(value, 'text', value)}"
            if reason:
                while len(rows[r]) <= c:
                    rows[r].append("")
                rows[r][c] = _Unfilled(reason)
    finally:
        book.close()


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
    rows = _read_xlsx(path) if suffix == ".xlsx" else _read_csv(path)
    if not rows:
        raise ImportProblems(
            [Problem.make(Code.EMPTY_FILE, file=where)], summary=f"{where}: nothing to import"
        )
    header = [str(_cell(name)).strip().lower() for name in rows[0]]
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


# ---------------------------------------------------------------------------- checking


@dataclass(slots=True)
class _Row:
    line: int
    respondent: str
    institution_type: str
    questionnaire: str
    question: str
    answer: object
    note: str
    evidence: str
    confidential: bool
    sector: str
    interview_date: date | None
    interviewer: str
    rationale: str
    consent: bool = False
    value: AnswerValue | None = None


class _Checker:
    """Collects the problems of an answers file against a mission's current state."""

    def __init__(self, mission: Mission, conn: sqlite3.Connection, where: str) -> None:
        self.mission = mission
        self.conn = conn
        self.where = where
        self.problems: list[Problem] = []

    def add(self, line: int, column: str, detail: str, fix: str) -> None:
        self.problems.append(
            Problem.make(
                Code.BAD_ROW, file=self.where, line=line, path=column, detail=detail, fix=fix
            )
        )

    def add_error(self, line: int, column: str, error: AnswerError) -> None:
        for problem in error.problems:
            self.problems.append(
                dataclasses.replace(problem, file=self.where, line=line, path=column)
            )

    def header(self, header: Sequence[str]) -> dict[str, int] | None:
        columns: dict[str, int] = {}
        for index, name in enumerate(header):
            if not name:
                continue
            if name in columns:
                self.add(1, name, f"column {name!r} appears twice", "keep one of them")
            elif name not in ANSWER_COLUMNS:
                self.add(
                    1,
                    name,
                    f"unknown column {name!r}",
                    f"rename or remove it; the columns are: {', '.join(ANSWER_COLUMNS)}",
                )
            columns[name] = index
        missing = [name for name in REQUIRED_COLUMNS if name not in columns]
        if missing:
            self.add(
                1,
                ", ".join(missing),
                f"missing required column(s): {', '.join(missing)}",
                f"the first row must name the columns {', '.join(REQUIRED_COLUMNS)}",
            )
            return None
        return columns

    def parse(
        self, line: int, raw_cells: Sequence[object], columns: Mapping[str, int]
    ) -> _Row | None:
        def raw(name: str) -> object:
            index = columns.get(name)
            if index is None or index >= len(raw_cells):
                return ""
            return raw_cells[index]

        def get(name: str) -> object:
            value = raw(name)
            return value.strip() if isinstance(value, str) else value

        def text(name: str, *, strip: bool = True) -> str:
            value = get(name) if strip else raw(name)
            if isinstance(value, float) and value.is_integer():
                return str(int(value))
            return str(value)

        def empty(name: str) -> None:
            cell = raw(name)
            reason = cell.reason if isinstance(cell, _Unfilled) else ""
            kind, _, detail = reason.partition(":")
            if kind == "merged":
                self.problems.append(
                    Problem.make(
                        Code.CELL_MERGED, file=self.where, line=line, path=name, column=name,
                        cells=detail,
                    )
                )  # fmt: skip
            elif kind == "formula":
                self.problems.append(
                    Problem.make(
                        Code.CELL_FORMULA, file=self.where, line=line, path=name, column=name,
                        formula=detail,
                    )
                )  # fmt: skip
            elif name == "answer":
                self.add(line, "answer", "answer is empty", "fill in the answer or remove the row")
            else:
                self.add(line, name, f"{name} is empty", f"fill in the {name}")

        ok = True
        for name in ("respondent", "questionnaire", "question"):
            if not text(name):
                empty(name)
                ok = False
        # Free text is kept as given (spaces included), so an export imports back exactly;
        # choice values, numbers and dates are trimmed when the value is read.
        answer = raw("answer")
        if isinstance(answer, str) and not answer.strip():
            empty("answer")
            ok = False
        flag = text("confidential").lower()
        if flag not in _TRUE | _FALSE:
            self.add(
                line,
                "confidential",
                f"{flag!r} is not true or false",
                "write true/false, yes/no or 1/0",
            )
            ok = False
        consent = text("consent").lower()
        if consent not in _TRUE | _FALSE:
            self.add(line, "consent", f"{consent!r} is not true or false", "write true or false")
            ok = False
        interview_date: date | None = None
        if text("interview_date"):
            try:
                interview_date = date.fromisoformat(text("interview_date")[:10])
            except ValueError:
                self.add(
                    line,
                    "interview_date",
                    f"{text('interview_date')!r} is not a date",
                    "write it as YYYY-MM-DD",
                )
                ok = False
        if not ok:
            return None
        respondent = text("respondent")
        if respondent.casefold() == CONSOLIDATED:
            respondent = CONSOLIDATED  # "Consolidated" as a spreadsheet capitalises it
        return _Row(
            line=line,
            respondent=respondent,
            institution_type=text("institution_type"),
            questionnaire=text("questionnaire"),
            question=text("question"),
            answer=answer,
            note=text("note", strip=False),
            evidence=text("evidence", strip=False),
            confidential=flag in _TRUE,
            sector=text("sector", strip=False),
            interview_date=interview_date,
            interviewer=text("interviewer", strip=False),
            rationale=text("rationale", strip=False),
            consent=consent in _TRUE,
        )


def _all_rows(
    checker: _Checker, header: Sequence[str], data: Sequence[Sequence[object]]
) -> list[_Row]:
    columns = checker.header(header)
    if columns is None:
        return []
    named = set(columns.values())
    rows: list[_Row] = []
    for offset, raw in enumerate(data):
        if all(cell == "" or cell is None for cell in raw):
            continue  # blank lines (often at the end of a sheet) are not rows
        line = offset + 2
        for index, cell in enumerate(raw):
            # Such a value would be dropped without a word; in a CSV it is most often the
            # rest of a note cut at an unquoted comma.
            if index not in named and cell not in ("", None):
                checker.add(
                    line,
                    f"column {index + 1}",
                    f"the value {cell!r} stands in a column without a name",
                    "put a value that holds commas in double quotes, or name the column "
                    "or remove the value",
                )
        row = checker.parse(line, raw, columns)
        if row is not None:
            rows.append(row)
    return rows


def _check(
    mission: Mission, conn: sqlite3.Connection, checker: _Checker, rows: list[_Row]
) -> dict[str, Respondent]:
    """Check every row against the mission; returns the respondents to add."""
    existing = {r.code: r for r in mission.respondents()}
    known_types = mission.institution_types()
    new_respondents: dict[str, tuple[int, Respondent]] = {}
    seen: dict[tuple[str, str, str], int] = {}
    for row in rows:
        # The question and the value on its own.
        try:
            question = mission.question(row.questionnaire, row.question)
        except AnswerError as error:
            column = "questionnaire" if error.codes == [Code.UNKNOWN_QUESTIONNAIRE] else "question"
            checker.add_error(row.line, column, error)
            question = None
        if question is not None:
            answer = row.answer
            if question.type not in ("integer", "decimal") and isinstance(answer, int | float):
                # A spreadsheet turned a choice value or a text such as "12" into a number.
                answer = str(int(answer)) if float(answer).is_integer() else str(answer)
            try:
                row.value = coerce_value(question, answer)
            except AnswerError as error:
                checker.add_error(row.line, "answer", error)
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
        # The respondent: existing ones must match, new ones must be consistent.
        questionnaire = mission.questionnaires.get(row.questionnaire)
        types = dict(known_types)
        if questionnaire is not None and questionnaire.respondent_types:
            types = {k: v.sector for k, v in questionnaire.respondent_types.items()}
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
        if not row.institution_type:
            checker.add(
                row.line,
                "institution_type",
                f"new respondent {row.respondent!r} has no institution type",
                "fill in the institution type",
            )
            continue
        if types and row.institution_type not in types:
            checker.add(
                row.line,
                "institution_type",
                f"institution type {row.institution_type!r} is not defined by "
                f"questionnaire {row.questionnaire!r}",
                f"use one of: {', '.join(types)}",
            )
            continue
        candidate = Respondent(
            code=row.respondent,
            institution_type=row.institution_type,
            sector=row.sector or known_types.get(row.institution_type, ""),
            interview_date=row.interview_date,
            interviewer=row.interviewer,
            consent=row.consent,
        )
        if row.respondent in new_respondents:
            first_line, first = new_respondents[row.respondent]
            if first.institution_type != candidate.institution_type:
                checker.add(
                    row.line,
                    "institution_type",
                    f"respondent {row.respondent!r} was given institution type "
                    f"{first.institution_type!r} at row {first_line}",
                    "give each respondent one institution type",
                )
        else:
            new_respondents[row.respondent] = (row.line, candidate)
    # Constraints, against the answers the respondent will have after the import.
    by_target: dict[tuple[str, str], dict[str, AnswerValue | None]] = {}
    for row in rows:
        if row.value is None:
            continue
        question = mission.questionnaires[row.questionnaire].questions[row.question]
        if question.constraint_expr is None:
            continue
        target = (row.respondent, row.questionnaire)
        if target not in by_target:
            answers = mission._answer_values(
                conn, None if row.respondent == CONSOLIDATED else row.respondent, row.questionnaire
            )
            for other in rows:
                if (other.respondent, other.questionnaire) == target and other.value is not None:
                    answers[other.question] = other.value
            by_target[target] = answers
        try:
            check_constraint(question, row.value, by_target[target])
        except AnswerError as error:
            checker.add_error(row.line, "answer", error)
    return {code: respondent for code, (_, respondent) in new_respondents.items()}


def _another_mission(mission: Mission, rows: Sequence[_Row]) -> str:
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
        A ``.csv`` (UTF-8) or ``.xlsx`` file; see the module docstring for its columns.
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
    with Mission.open(mission_path) as mission:
        # Load the questionnaires before taking the write lock: parsing YAML is slow.
        _ = mission.questionnaires
        with mission._write() as conn:
            checker = _Checker(mission, conn, where)
            rows = _all_rows(checker, header, data)
            new_respondents = _check(mission, conn, checker, rows) if rows else {}
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
            now = _now()
            for respondent in new_respondents.values():
                mission._add_respondent(
                    conn,
                    respondent.code,
                    institution_type=respondent.institution_type,
                    sector=respondent.sector,
                    interview_date=respondent.interview_date,
                    interviewer=respondent.interviewer,
                    consent=respondent.consent,
                    by=by,
                    now=now,
                )
            answers = consolidated = 0
            for row in rows:
                assert row.value is not None  # checked above
                if row.respondent == CONSOLIDATED:
                    mission._put_consolidated(
                        conn,
                        ConsolidatedAnswer(
                            row.questionnaire,
                            row.question,
                            row.value,
                            row.rationale or row.note,
                            by,
                            now,
                        ),
                    )
                    consolidated += 1
                else:
                    mission._put_answer(
                        conn,
                        Answer(
                            row.respondent,
                            row.questionnaire,
                            row.question,
                            row.value,
                            row.note,
                            row.evidence,
                            row.confidential,
                            by,
                            now,
                        ),
                    )
                    answers += 1
    return ImportResult(
        rows=len(rows),
        respondents_added=len(new_respondents),
        answers_written=answers,
        consolidated_written=consolidated,
    )


# ---------------------------------------------------------------------------- export


def _answer_records(mission: Mission) -> Iterator[list[object]]:
    respondents = {r.code: r for r in mission.respondents()}
    frame = mission.answers_frame()
    for record in frame.to_dict("records"):
        respondent = respondents[str(record["respondent"])]
        yield [
            respondent.code,
            respondent.institution_type,
            record["questionnaire"],
            record["question"],
            _export_value(record["value"]),
            record["note"],
            record["evidence"],
            "true" if record["confidential"] else "false",
            respondent.sector,
            "" if respondent.interview_date is None else respondent.interview_date.isoformat(),
            respondent.interviewer,
            "",
            "true" if respondent.consent else "false",
        ]
    for record in mission.consolidated_frame().to_dict("records"):
        yield [
            CONSOLIDATED,
            "",
            record["questionnaire"],
            record["question"],
            _export_value(record["value"]),
            "",
            "",
            "false",
            "",
            "",
            "",
            record["rationale"],
            "",
        ]


def _export_value(value: AnswerValue) -> object:
    return format_value(value) if isinstance(value, tuple | str) else value


def _check_format(fmt: str, out: Path) -> None:
    """Refuse a name whose suffix says the other format: CSV text in ``x.xlsx`` would not
    open, and an XLSX named ``x.csv`` would not import."""
    if fmt not in ("csv", "xlsx"):
        raise file_error(Code.STORE_IO, out, f"unknown format {fmt!r}", "use csv or xlsx")
    suffix = out.suffix.lower()
    other = "xlsx" if fmt == "csv" else "csv"
    if suffix == f".{other}":
        raise StoreError(
            problem=Problem.make(
                Code.OUTPUT_FORMAT,
                file=str(out),
                suffix=suffix,
                fmt=fmt,
                expected=out.with_suffix(f".{fmt}").name,
                other=other,
            )
        )


def export_answers(
    mission_path: str | Path, fmt: Format, out: str | Path, *, force: bool = False
) -> ExportResult:
    """Export every answer and consolidated answer in the long format import reads.

    Returns the file written and its number of data rows. The output is checked first
    (:func:`~assessment_kit.store.outputs.check_output`): never a mission or the mission
    read, and an existing file only with ``force``.

    Raises
    ------
    StoreError
        The output is refused, a value does not fit the format (an XLSX cell holds at
        most 32,767 characters: the error names the row and column), or the file cannot be
        written. No file, not even a partial one, is left.
    """
    out = Path(out)
    _check_format(fmt, out)
    check_output(out, inputs=[mission_path], force=force)
    with Mission.open(mission_path) as mission:
        records = list(_answer_records(mission))
    _write_table(fmt, out, {"answers": (list(ANSWER_COLUMNS), records)})
    return ExportResult(path=out, rows=len(records))


def export_scores(
    mission_path: str | Path, fmt: Format, out: str | Path, *, force: bool = False
) -> ExportResult:
    """Export the mission's scores: areas and questions.

    XLSX: one workbook with sheets ``areas`` and ``questions``. CSV: the areas to ``out``
    and the questions to ``<stem>-questions.csv`` beside it (reported in ``also``).
    ``rows`` counts the area rows. Outputs are checked as in :func:`export_answers`.
    """
    from assessment_kit.scoring import score_mission

    out = Path(out)
    _check_format(fmt, out)
    check_output(out, inputs=[mission_path], force=force)
    questions_path = out.with_name(f"{out.stem}-questions{out.suffix or '.csv'}")
    if fmt == "csv":
        check_output(questions_path, inputs=[mission_path], force=force)
    with Mission.open(mission_path) as mission:
        scores = score_mission(mission)
    areas = _frame_table(scores.areas)
    questions = _frame_table(scores.questions)
    if fmt == "xlsx":
        _write_table(fmt, out, {"areas": areas, "questions": questions})
        return ExportResult(path=out, rows=len(areas[1]))
    _write_table(fmt, out, {"areas": areas})
    _write_table(fmt, questions_path, {"questions": questions})
    return ExportResult(path=out, rows=len(areas[1]), also=(questions_path,))


def _frame_table(frame: pd.DataFrame) -> tuple[list[str], list[list[object]]]:
    columns = [str(column) for column in frame.columns]
    rows = [[_plain(value) for value in record] for record in frame.itertuples(index=False)]
    return columns, rows


def _plain(value: object) -> object:
    """A cell value both csv and openpyxl write faithfully."""
    if value is None:
        return ""
    if isinstance(value, tuple | list):
        return " ".join(str(item) for item in value)
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return "" if math.isnan(value) else value
    if isinstance(value, int | str):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _write_table(
    fmt: str, out: Path, sheets: Mapping[str, tuple[Sequence[str], Iterable[Sequence[object]]]]
) -> None:
    """Write ``sheets`` to ``out`` (CSV: the one sheet), replacing it only when complete.

    The table goes to a temporary file beside ``out`` first, so a failed export leaves an
    earlier file of that name as it was rather than half written, and no temporary file.
    """
    if fmt not in ("csv", "xlsx"):
        raise file_error(Code.STORE_IO, out, f"unknown format {fmt!r}", "use csv or xlsx")
    refuse_folder(out, f"give a file name, such as answers.{fmt}")
    openpyxl = _openpyxl(str(out)) if fmt == "xlsx" else None
    tables = {
        title: (list(columns), [list(row) for row in rows])
        for title, (columns, rows) in sheets.items()
    }
    if openpyxl is not None:
        tables = _xlsx_tables(out, tables)
    partial: Path | None = None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        # Opened with "x" rather than by tempfile: the file keeps the user's usual
        # permissions (tempfile makes it private to its owner).
        candidate = out.with_name(f".{out.name}.{os.getpid()}.partial")
        with candidate.open("x", encoding="utf-8", newline="") as handle:
            partial = candidate  # ours to remove from here on
            if openpyxl is None:
                ((columns, rows),) = tables.values()
                writer = csv.writer(handle)
                writer.writerow([csv_cell(name) for name in columns])
                writer.writerows([csv_cell(value) for value in row] for row in rows)
            if openpyxl is not None:
                # Built in memory and written here: openpyxl writing to the file itself
                # leaves a half-closed zip behind on a full disk, which complains later.
                handle.buffer.write(_workbook_bytes(openpyxl, tables))
        os.replace(partial, out)
        partial = None
    except OSError as error:
        raise output_error(out, error) from error
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)


def output_error(out: Path, error: OSError) -> StoreError:
    """A clear :class:`StoreError` for a file that could not be written."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return StoreError(
            problem=Problem.make(Code.DISK_FULL, file=str(out), doing="writing the file")
        )
    return file_error(
        Code.STORE_IO,
        out,
        f"cannot write the file: {error.strerror or error}",
        "choose a path in a folder you can write to",
    )


# ---------------------------------------------------------------------------- cell codecs

#: Cells a spreadsheet program would run as a formula (OWASP's list for CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def csv_cell(value: object) -> object:
    """A value as written to a CSV cell, safe to open in a spreadsheet program.

    Text starting with ``= + - @``, a tab or a carriage return gets a leading single quote,
    so that Excel and LibreOffice show it as text instead of running it as a formula; so
    does text already starting with a quote, which keeps the rule reversible
    (:func:`csv_value` removes exactly one leading quote). Numbers, and text that is a
    plain number such as ``-3``, are written as they are.
    """
    if not isinstance(value, str):
        return value
    if value.startswith("'") or (
        value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def csv_value(cell: str) -> str:
    """The value of a CSV cell written by :func:`csv_cell` (one leading quote removed)."""
    return cell[1:] if cell.startswith("'") else cell


#: Characters XML (and so XLSX) cannot hold, or would turn into another one on reading
#: (a carriage return becomes a line feed).
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")
_XML_ESCAPE = re.compile("_x[0-9A-Fa-f]{4}_")
#: Excel's limit on the characters of one cell.
XLSX_CELL_LIMIT = 32_767
#: Beyond this an integer is no longer exact as a spreadsheet number (a double).
_EXACT_INTEGER = 2**53


def xlsx_text(text: str) -> str:
    """Text as stored in an XLSX cell: characters XML cannot hold written ``_xHHHH_``.

    This is the escape of the Office Open XML standard (ST_Xstring), which Excel reads
    too. Every underscore followed by ``x`` is itself escaped (``_x005F_``), so no text
    of the user's can be taken for an escape and :func:`xlsx_value` gives the exact text
    back.
    """
    text = text.replace("_x", "_x005F_x")
    return _XML_UNSAFE.sub(lambda match: f"_x{ord(match.group(0)):04X}_", text)


def xlsx_value(text: str) -> str:
    """The text of an XLSX cell with ``_xHHHH_`` escapes decoded."""
    if "_x" not in text:
        return text
    return _XML_ESCAPE.sub(lambda match: chr(int(match.group(0)[2:6], 16)), text)


def _xlsx_tables(
    out: Path, tables: dict[str, tuple[list[str], list[list[object]]]]
) -> dict[str, tuple[list[str], list[list[object]]]]:
    """The tables with each cell as written to XLSX; refuses a cell the format cannot hold.

    Raises
    ------
    StoreError
        ``XLSX_CELL_TOO_LONG`` naming the sheet, row and column of every such cell (the
        export stops rather than cut the text short).
    """
    encoded: dict[str, tuple[list[str], list[list[object]]]] = {}
    too_long: list[Problem] = []
    for title, (columns, rows) in tables.items():
        out_rows: list[list[object]] = []
        for index, row in enumerate(rows):
            cells: list[object] = []
            for position, value in enumerate(row):
                cell = _xlsx_cell(value)
                if isinstance(cell, str) and len(cell.encode("utf-16-le")) // 2 > XLSX_CELL_LIMIT:
                    column = columns[position] if position < len(columns) else str(position + 1)
                    too_long.append(
                        Problem.make(
                            Code.XLSX_CELL_TOO_LONG,
                            file=str(out),
                            line=index + 2,
                            path=column,
                            sheet=title,
                            row=index + 2,
                            column=column,
                            length=f"{len(cell):,}",
                            limit=f"{XLSX_CELL_LIMIT:,}",
                        )
                    )
                cells.append(cell)
            out_rows.append(cells)
        encoded[title] = (columns, out_rows)
    if too_long:
        more = f"\n({len(too_long)} cells in all)" if len(too_long) > 1 else ""
        raise StoreError(
            "\n".join(str(problem) for problem in too_long[:20]) + more, problem=too_long[0]
        )
    return encoded


def _xlsx_cell(value: object) -> object:
    value = _plain(value)
    if isinstance(value, str):
        return xlsx_text(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and abs(value) > _EXACT_INTEGER:
        # A spreadsheet number is a double: the integer would come back changed.
        return str(value)
    if isinstance(value, float):
        return _XlsxNumber(repr(value))
    return value


class _XlsxNumber(str):
    """A float written with every digit: openpyxl writes 16 significant digits, one too
    few to give back every double exactly (repr's shortest form always does)."""


def _workbook_bytes(
    openpyxl: Any,
    sheets: Mapping[str, tuple[Sequence[str], Iterable[Sequence[object]]]],
) -> bytes:
    from openpyxl.cell import WriteOnlyCell

    book = openpyxl.Workbook(write_only=True)
    for title, (columns, rows) in sheets.items():
        sheet = book.create_sheet(title=title)
        sheet.append(list(columns))
        for row in rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, _XlsxNumber):
                    cell.data_type = "n"  # written as given, read back as the same float
                elif isinstance(cell.value, str):
                    # openpyxl takes text starting with "=" for a formula, which a reader
                    # sees as empty: a note such as "=see annex" would be lost on re-import.
                    cell.data_type = "s"
                cells.append(cell)
            sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
