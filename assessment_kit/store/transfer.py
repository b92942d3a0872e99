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
================ ========= ==============================================================

Import is all-or-nothing: every row is checked first (inside the write transaction, so
nobody else can change the mission in between), every bad row is reported with its row
number (the header is row 1, as in a spreadsheet) and column, and only a clean file is
written, in one transaction. Exporting answers gives a file that imports back unchanged.

Scores export: XLSX gets two sheets, ``areas`` and ``questions``; CSV writes the areas to
the given path and the questions beside it as ``<stem>-questions.csv``.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import os
import sqlite3
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
from assessment_kit.store.schema import file_error, refuse_folder
from assessment_kit.store.values import check_constraint, coerce_value, format_value

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


def read_rows(file: str | Path) -> tuple[list[str], list[list[object]]]:
    """The header (stripped, lower-case) and data rows of a CSV or XLSX file.

    CSV cells are strings; XLSX cells keep numbers as numbers. Blank rows are kept (as
    empty lists) so that row numbers match the file.
    """
    path = Path(file)
    where = str(path)
    refuse_folder(path, "give the answers file (.csv or .xlsx)")
    if not path.is_file():
        raise StoreError(problem=Problem.make(Code.FILE_NOT_FOUND, file=where))
    suffix = path.suffix.lower()
    rows: list[list[object]]
    if suffix == ".xlsx":
        openpyxl = _openpyxl(where)
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
            rows = [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
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
    elif suffix in (".csv", ".txt"):
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                rows = [list(row) for row in csv.reader(handle)]
        except UnicodeDecodeError as error:
            raise file_error(
                Code.BAD_ROW,
                where,
                f"the file is not UTF-8 text ({error.reason} at byte {error.start})",
                "save it as 'CSV UTF-8' from your spreadsheet program",
            ) from error
    else:
        raise file_error(
            Code.BAD_ROW,
            where,
            f"unsupported file type {suffix or '(none)'!r}",
            "give a .csv or .xlsx file",
        )
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

    def parse(self, line: int, raw: Sequence[object], columns: Mapping[str, int]) -> _Row | None:
        def get(name: str) -> object:
            index = columns.get(name)
            if index is None or index >= len(raw):
                return ""
            value = raw[index]
            return value.strip() if isinstance(value, str) else value

        def text(name: str) -> str:
            value = get(name)
            if isinstance(value, float) and value.is_integer():
                return str(int(value))
            return str(value)

        ok = True
        for name in ("respondent", "questionnaire", "question"):
            if not text(name):
                self.add(line, name, f"{name} is empty", f"fill in the {name}")
                ok = False
        answer = get("answer")
        if answer == "":
            self.add(line, "answer", "answer is empty", "fill in the answer or remove the row")
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
        return _Row(
            line=line,
            respondent=text("respondent"),
            institution_type=text("institution_type"),
            questionnaire=text("questionnaire"),
            question=text("question"),
            answer=answer,
            note=text("note"),
            evidence=text("evidence"),
            confidential=flag in _TRUE,
            sector=text("sector"),
            interview_date=interview_date,
            interviewer=text("interviewer"),
            rationale=text("rationale"),
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
                    summary=f"{where}: {bad} bad row(s); nothing was imported",
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
        ]


def _export_value(value: AnswerValue) -> object:
    return format_value(value) if isinstance(value, tuple | str) else value


def export_answers(mission_path: str | Path, fmt: Format, out: str | Path) -> ExportResult:
    """Export every answer and consolidated answer in the long format import reads.

    Returns the file written and its number of data rows.
    """
    out = Path(out)
    with Mission.open(mission_path) as mission:
        records = list(_answer_records(mission))
    _write_table(fmt, out, {"answers": (list(ANSWER_COLUMNS), records)})
    return ExportResult(path=out, rows=len(records))


def export_scores(mission_path: str | Path, fmt: Format, out: str | Path) -> ExportResult:
    """Export the mission's scores: areas and questions.

    XLSX: one workbook with sheets ``areas`` and ``questions``. CSV: the areas to ``out``
    and the questions to ``<stem>-questions.csv`` beside it (reported in ``also``).
    ``rows`` counts the area rows.
    """
    from assessment_kit.scoring import score_mission

    out = Path(out)
    with Mission.open(mission_path) as mission:
        scores = score_mission(mission)
    areas = _frame_table(scores.areas)
    questions = _frame_table(scores.questions)
    if fmt == "xlsx":
        _write_table(fmt, out, {"areas": areas, "questions": questions})
        return ExportResult(path=out, rows=len(areas[1]))
    questions_path = out.with_name(f"{out.stem}-questions{out.suffix or '.csv'}")
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
    earlier file of that name as it was rather than half written.
    """
    if fmt not in ("csv", "xlsx"):
        raise file_error(Code.STORE_IO, out, f"unknown format {fmt!r}", "use csv or xlsx")
    refuse_folder(out, f"give a file name, such as answers.{fmt}")
    openpyxl = _openpyxl(str(out)) if fmt == "xlsx" else None
    partial: Path | None = None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        # Opened with "x" rather than by tempfile: the file keeps the user's usual
        # permissions (tempfile makes it private to its owner).
        candidate = out.with_name(f".{out.name}.{os.getpid()}.partial")
        with candidate.open("x", encoding="utf-8", newline="") as handle:
            partial = candidate  # ours to remove from here on
            if openpyxl is None:
                ((columns, rows),) = sheets.values()
                writer = csv.writer(handle)
                writer.writerow(columns)
                writer.writerows(rows)
        if openpyxl is not None:
            _save_workbook(openpyxl, partial, sheets)
        os.replace(partial, out)
    except OSError as error:
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise file_error(
            Code.STORE_IO,
            out,
            f"cannot write the file: {error.strerror or error}",
            "choose a path in a folder you can write to",
        ) from error


def _save_workbook(
    openpyxl: Any,
    path: Path,
    sheets: Mapping[str, tuple[Sequence[str], Iterable[Sequence[object]]]],
) -> None:
    from openpyxl.cell import WriteOnlyCell

    book = openpyxl.Workbook(write_only=True)
    for title, (columns, rows) in sheets.items():
        sheet = book.create_sheet(title=title)
        sheet.append(list(columns))
        for row in rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=_plain(value))
                if isinstance(cell.value, str):
                    # openpyxl takes text starting with "=" for a formula, which a reader
                    # sees as empty: a note such as "=see annex" would be lost on re-import.
                    cell.data_type = "s"
                cells.append(cell)
            sheet.append(cells)
    book.save(path)
