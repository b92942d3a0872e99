"""The sheets of an XLSForm workbook read into rows of cells, as pyxform reads them: the
header names the columns (``label::French (fr)`` keeps its language), free text is kept
exactly, everything else is trimmed, and rows keep the numbers the spreadsheet shows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assessment_kit.files.xlsform_out import LANGUAGE_NAMES
from assessment_kit.files.xlsx_cells import open_workbook, xlsx_value

__all__ = ["TEXT_FIELDS", "Sheet", "cell", "read_sheets", "split_column"]

_LANGUAGE = re.compile(r"^(?P<name>.*?)\s*\((?P<code>[A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)\)\s*$")
_CODES_BY_NAME = {name.lower(): code for code, name in LANGUAGE_NAMES.items()}


@dataclass(slots=True)
class Sheet:
    """One sheet as rows of cells by column (lower-case field names, language kept)."""

    name: str
    rows: list[tuple[int, dict[str, Any]]]

    def columns(self) -> set[str]:
        return {key for _, row in self.rows for key in row}


def split_column(header: str) -> tuple[str, str]:
    """``label::French (fr)`` -> (``label``, ``fr``); a plain ``label`` is English."""
    field, _, language = header.partition("::")
    field = field.strip().lower()
    if not language:
        return field, "en"
    match = _LANGUAGE.match(language.strip())
    if match:
        return field, match.group("code")
    return field, _CODES_BY_NAME.get(language.strip().lower(), language.strip())


#: Columns of free text, kept exactly as written (a trailing newline included).
TEXT_FIELDS = frozenset(
    {"label", "hint", "guidance_hint", "constraint_message", "evidence", "recommendation",
     "title", "description"}
)  # fmt: skip


def cell(value: object, header: str = "") -> object:
    if isinstance(value, str):
        text = xlsx_value(value)
        if not text.strip():
            return ""
        return text if split_column(header)[0] in TEXT_FIELDS else text.strip()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return "" if value is None else value


def read_sheets(path: Path) -> dict[str, Sheet]:
    book = open_workbook(path, "a form", "check that this is the right file")
    sheets: dict[str, Sheet] = {}
    try:
        for sheet in book.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header = next(rows, None)
            if header is None:
                continue
            names = [str(cell(name)) if name is not None else "" for name in header]
            table: list[tuple[int, dict[str, Any]]] = []
            for number, raw in enumerate(rows, start=2):
                cells = {
                    names[i]: cell(value, names[i])
                    for i, value in enumerate(raw)
                    if i < len(names) and names[i] and cell(value) != ""
                }
                if cells:
                    table.append((number, cells))
            sheets[sheet.title.strip().lower()] = Sheet(sheet.title, table)
    finally:
        book.close()
    return sheets
