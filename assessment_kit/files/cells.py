"""Spreadsheet cells as the importer reads them and as the exports write them."""

from __future__ import annotations

import json
import math
from datetime import date, datetime

__all__ = ["plain", "read_cell"]


def read_cell(value: object) -> object:
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


def plain(value: object) -> object:
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
        return plain(value.item())
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
