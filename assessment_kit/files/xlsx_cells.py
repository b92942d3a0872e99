"""XLSX cells: reading a workbook's first sheet, the ``_xHHHH_`` escape for characters XML
cannot hold, the limits of a cell, and writing a workbook with them.

Every value the store accepts comes back exactly: characters XML cannot hold are written
as ``_xHHHH_`` (:func:`xlsx_text`, :func:`xlsx_value`), integers beyond 2**53 as text and
floats with every digit; a text longer than a cell holds stops the export, naming the
sheet, row and column. openpyxl is an optional extra, imported when a workbook is used.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from assessment_kit.errors import Code, Problem, StoreError
from assessment_kit.files.cells import plain, read_cell
from assessment_kit.store.schema import file_error

__all__ = [
    "XLSX_CELL_LIMIT",
    "XLSX_UNPACKED_LIMIT",
    "Unfilled",
    "load_openpyxl",
    "open_workbook",
    "read_xlsx",
    "xlsx_bytes",
    "xlsx_text",
    "xlsx_value",
]


def load_openpyxl(where: str) -> Any:
    """The openpyxl module; ``XLSX_EXTRA`` (naming ``where``) when it is not installed."""
    try:
        import openpyxl
    except ImportError as error:
        raise StoreError(problem=Problem.make(Code.XLSX_EXTRA, file=where)) from error
    return openpyxl


def open_workbook(path: Path, holder: str, fix_too_big: str) -> Any:
    """Open the workbook ``path`` read-only (cached values, not formulas).

    A zip bomb is refused before it is unpacked: over ``XLSX_UNPACKED_LIMIT`` it is
    ``BAD_ROW`` saying what ``holder`` (a form, an answers file) may hold and how to fix it
    (``fix_too_big``). A missing file is ``FILE_NOT_FOUND``; a damaged one ``BAD_ROW``.
    """
    where = str(path)
    openpyxl = load_openpyxl(where)
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
            f"{XLSX_UNPACKED_LIMIT / 2**20:,.0f} MB {holder} may hold",
            fix_too_big,
        )
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise StoreError(problem=Problem.make(Code.FILE_NOT_FOUND, file=where)) from None
    except Exception as error:  # openpyxl raises many types for a damaged file
        raise file_error(
            Code.BAD_ROW,
            where,
            f"cannot read the workbook: {error}",
            "save it again from your spreadsheet program as .xlsx",
        ) from error


class Unfilled(str):
    """An empty spreadsheet cell that looks filled in the program: ``reason`` says why it
    reads as empty (a merged cell, a formula with no saved value). Equal to ``""``."""

    reason: str

    def __new__(cls, reason: str) -> Unfilled:
        cell = super().__new__(cls, "")
        cell.reason = reason
        return cell


#: The most a workbook may unpack to: a few hundred thousand answers take far less, and a
#: small file that unpacks to gigabytes (a zip bomb) is refused before it is read.
XLSX_UNPACKED_LIMIT = 256 * 1024 * 1024


def read_xlsx(path: Path, needed: Sequence[str] = ()) -> list[list[object]]:
    """The rows of the workbook's first sheet; text cells with escapes decoded.

    An empty cell in a ``needed`` column that the program shows filled (a merged cell, a
    formula with no saved value) is read as an :class:`Unfilled` saying why.
    """
    where = str(path)
    book = open_workbook(
        path, "an answers file", "split the answers into several files, or shorten the notes"
    )
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
        _explain_empty_cells(load_openpyxl(where), path, rows, needed)
    return rows


def _xlsx_read(value: object) -> object:
    cell = read_cell(value)
    return xlsx_value(cell) if isinstance(cell, str) else cell


def _explain_empty_cells(
    openpyxl: Any, path: Path, rows: list[list[object]], needed_columns: Sequence[str]
) -> None:
    """Mark empty needed cells that are merged or hold a formula with no saved value.

    Both read as empty, but in the spreadsheet program the first shows a value and the
    second a result. Only done when such a cell exists: it reads the workbook again, fully.
    """
    header = [str(name).strip().lower() for name in rows[0]]
    needed = [header.index(name) for name in needed_columns if name in header]
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
                rows[r][c] = Unfilled(reason)
    finally:
        book.close()


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


def xlsx_tables(
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
    value = plain(value)
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


def workbook_bytes(
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


def xlsx_bytes(
    out: Path, sheets: Mapping[str, tuple[Sequence[str], Iterable[Sequence[object]]]]
) -> bytes:
    """A workbook holding ``sheets`` (title -> columns and rows), made in memory.

    Raises
    ------
    StoreError
        ``XLSX_EXTRA`` without openpyxl; ``XLSX_CELL_TOO_LONG`` for every cell too long
        (``out`` names the file in the messages).
    """
    openpyxl = load_openpyxl(str(out))
    tables = {
        title: (list(columns), [list(row) for row in rows])
        for title, (columns, rows) in sheets.items()
    }
    # Built in memory and written by the caller: openpyxl writing to the file itself
    # leaves a half-closed zip behind on a full disk, which complains later.
    return workbook_bytes(openpyxl, xlsx_tables(out, tables))
