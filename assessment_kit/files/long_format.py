"""The long format of answers files: its columns, and reading its rows into answers.

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

:class:`Checker` reads the header and each row into a :class:`Row`, collecting every
problem (file, row number as a spreadsheet shows it, column) rather than stopping at the
first; checking rows against a mission is the import's job.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from assessment_kit.errors import AnswerError, Code, Problem
from assessment_kit.files.xlsx_cells import Unfilled
from assessment_kit.questionnaire.model import AnswerValue
from assessment_kit.store import CONSOLIDATED

__all__ = [
    "ANSWER_COLUMNS",
    "NEEDED",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "Checker",
    "Format",
    "Row",
    "all_rows",
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

TRUE = frozenset({"true", "yes", "1", "y"})
FALSE = frozenset({"false", "no", "0", "n", ""})
#: The columns a row cannot leave empty; an empty one is explained when it is a merge or
#: a formula.
NEEDED = ("respondent", "questionnaire", "question", "answer")

Format = Literal["csv", "xlsx"]


@dataclass(slots=True)
class Row:
    """One row of an answers file as read; ``value`` is set once checked against the
    question."""

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


class Checker:
    """Collects the problems of an answers file (``where`` names it in each problem)."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.problems: list[Problem] = []

    def add(self, line: int, column: str, detail: str, fix: str) -> None:
        """Collect a ``BAD_ROW`` problem."""
        self.problems.append(
            Problem.make(
                Code.BAD_ROW, file=self.where, line=line, path=column, detail=detail, fix=fix
            )
        )

    def add_error(self, line: int, column: str, error: AnswerError) -> None:
        """Collect the problems of ``error``, placed at this row and column."""
        for problem in error.problems:
            self.problems.append(
                dataclasses.replace(problem, file=self.where, line=line, path=column)
            )

    def header(self, header: Sequence[str]) -> dict[str, int] | None:
        """Column name -> index, or None when a required column is missing."""
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
    ) -> Row | None:
        """The row at ``line`` (as a spreadsheet numbers it), or None when it is bad (its
        problems are collected)."""
        cells = _Cells(raw_cells, columns)
        ok = True
        for name in ("respondent", "questionnaire", "question"):
            if not cells.text(name):
                self._empty(line, cells, name)
                ok = False
        # Free text is kept as given (spaces included), so an export imports back exactly;
        # choice values, numbers and dates are trimmed when the value is read.
        answer = cells.raw("answer")
        if isinstance(answer, str) and not answer.strip():
            self._empty(line, cells, "answer")
            ok = False
        confidential = self._flag(line, cells, "confidential", "write true/false, yes/no or 1/0")
        consent = self._flag(line, cells, "consent", "write true or false")
        dated, interview_date = self._date(line, cells)
        if not ok or confidential is None or consent is None or not dated:
            return None
        respondent = cells.text("respondent")
        if respondent.casefold() == CONSOLIDATED:
            respondent = CONSOLIDATED  # "Consolidated" as a spreadsheet capitalises it
        return Row(
            line=line,
            respondent=respondent,
            institution_type=cells.text("institution_type"),
            questionnaire=cells.text("questionnaire"),
            question=cells.text("question"),
            answer=answer,
            note=cells.text("note", strip=False),
            evidence=cells.text("evidence", strip=False),
            confidential=confidential,
            sector=cells.text("sector", strip=False),
            interview_date=interview_date,
            interviewer=cells.text("interviewer", strip=False),
            rationale=cells.text("rationale", strip=False),
            consent=consent,
        )

    def _empty(self, line: int, cells: _Cells, name: str) -> None:
        """An empty needed cell; explained when the program shows it filled."""
        cell = cells.raw(name)
        reason = cell.reason if isinstance(cell, Unfilled) else ""
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

    def _flag(self, line: int, cells: _Cells, name: str, fix: str) -> bool | None:
        """A true/false cell (empty: false), None when it is neither."""
        flag = cells.text(name).lower()
        if flag not in TRUE | FALSE:
            self.add(line, name, f"{flag!r} is not true or false", fix)
            return None
        return flag in TRUE

    def _date(self, line: int, cells: _Cells) -> tuple[bool, date | None]:
        """Whether the interview date is good, and the date (None when empty)."""
        text = cells.text("interview_date")
        if not text:
            return True, None
        try:
            return True, date.fromisoformat(text[:10])
        except ValueError:
            self.add(line, "interview_date", f"{text!r} is not a date", "write it as YYYY-MM-DD")
            return False, None


class _Cells:
    """One row's cells by column name; a column the file lacks reads as empty."""

    def __init__(self, cells: Sequence[object], columns: Mapping[str, int]) -> None:
        self.cells = cells
        self.columns = columns

    def raw(self, name: str) -> object:
        index = self.columns.get(name)
        if index is None or index >= len(self.cells):
            return ""
        return self.cells[index]

    def text(self, name: str, *, strip: bool = True) -> str:
        value = self.raw(name)
        if strip and isinstance(value, str):
            value = value.strip()
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)


def all_rows(
    checker: Checker, header: Sequence[str], data: Sequence[Sequence[object]]
) -> list[Row]:
    """The good rows of a file (blank rows skipped); ``checker`` collects the problems."""
    columns = checker.header(header)
    if columns is None:
        return []
    named = set(columns.values())
    rows: list[Row] = []
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
