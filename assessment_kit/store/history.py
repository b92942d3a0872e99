"""The append-only history of every change, read as a table."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from assessment_kit.store.base import MissionBase, object_frame

__all__ = ["HistoryMixin"]


def _decode(text: str | None) -> Any:
    if text is None:
        return None
    loaded: Any = json.loads(text)
    return tuple(loaded) if isinstance(loaded, list) else loaded


class HistoryMixin(MissionBase):
    """The mission's history (written by every change; triggers keep it append-only)."""

    def history_frame(self) -> pd.DataFrame:
        """The append-only history, oldest first.

        Columns: id, kind ('answer' | 'consolidated' | 'respondent'), respondent,
        questionnaire, question, old_value, new_value (decoded; None when absent), by, at.
        """

        rows = self._query(
            'SELECT id, kind, respondent, questionnaire, question, old_value, new_value, "by",'
            " at FROM history ORDER BY id"
        )
        records = [
            {
                **dict(row),
                "old_value": _decode(row["old_value"]),
                "new_value": _decode(row["new_value"]),
            }
            for row in rows
        ]
        columns = [
            "id", "kind", "respondent", "questionnaire", "question", "old_value", "new_value",
            "by", "at",
        ]  # fmt: skip
        return object_frame(records, columns, objects=("old_value", "new_value"))
