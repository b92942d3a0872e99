"""CSV cells: the formula quoting that keeps a spreadsheet program from running a cell,
its reverse, and reading and writing a CSV table with them.

Text starting with ``= + - @``, a tab or a carriage return (numbers aside), and text
starting with a single quote, are written with one more leading quote, which reading
removes (:func:`csv_cell`, :func:`csv_value`): every value comes back exactly.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from assessment_kit.errors import Code, Problem, StoreError
from assessment_kit.store.schema import file_error

__all__ = ["CSV_CELL_LIMIT", "csv_bytes", "csv_cell", "csv_value", "read_csv"]

#: The largest CSV cell read: well above the store's text limit and bounded, so a hostile
#: file cannot make the reader hold one huge cell.
CSV_CELL_LIMIT = 1_048_576
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


def read_csv(
    path: Path,
    *,
    delimiter: str | None = ",",
    ours: bool = True,
    fix: str = "save it as 'CSV UTF-8' from your spreadsheet program",
) -> list[list[object]]:
    """The rows of a UTF-8 CSV file.

    ``delimiter`` None takes ``;`` or ``,``, whichever the header line has more of (a
    server's export, as its settings chose). ``ours`` is a file in our format: each cell
    goes through :func:`csv_value`; a server's cells are read as they are. ``fix`` says
    how to mend a file that is not UTF-8.
    """
    where = str(path)
    if delimiter is None:
        with path.open(encoding="utf-8-sig", errors="replace") as handle:
            first = handle.readline()
        delimiter = ";" if first.count(";") > first.count(",") else ","
    previous = csv.field_size_limit()
    # The limit is the csv module's one global setting: raised for this read only.
    csv.field_size_limit(max(previous, CSV_CELL_LIMIT))
    reader: Any = None
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            if not ours:
                return [list(row) for row in reader]
            return [[csv_value(cell) for cell in row] for row in reader]
    except UnicodeDecodeError as error:
        raise file_error(
            Code.BAD_ROW,
            where,
            f"the file is not UTF-8 text ({error.reason} at byte {error.start})",
            fix,
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


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A CSV table (UTF-8, CRLF line ends, every cell through :func:`csv_cell`)."""
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow([csv_cell(name) for name in columns])
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return text.getvalue().encode("utf-8")
