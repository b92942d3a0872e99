"""The mission's consolidated answers: one per question, set by the team with a
rationale, validated like any answer and kept in the history."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assessment_kit.store import writes
from assessment_kit.store.records import (
    ConsolidatedAnswer,
)
from assessment_kit.store.records import now as _now
from assessment_kit.store.values import decode_value
from assessment_kit.store.writes import record_history as _history

if TYPE_CHECKING:
    import pandas as pd

    from assessment_kit.columns import Columns

from assessment_kit.store.base import MissionBase

__all__ = ["ConsolidatedMixin"]


class ConsolidatedMixin(MissionBase):
    """The mission's consolidated answers."""

    def consolidate(
        self,
        questionnaire: str,
        question: str,
        value: object,
        *,
        rationale: str = "",
        by: str = "",
    ) -> ConsolidatedAnswer:
        """Set the mission's consolidated answer to a question, validated like any answer.

        The constraint is evaluated against the other consolidated answers.
        """
        target = self.question(questionnaire, question)
        with self._write() as conn:
            stored = self._validated(conn, target, None, questionnaire, value)
            return writes.put_consolidated(
                conn,
                ConsolidatedAnswer(questionnaire, question, stored, rationale, by, _now()),
            )

    def clear_consolidated(self, questionnaire: str, question: str, *, by: str = "") -> bool:
        """Remove a consolidated answer; returns whether there was one."""
        self.question(questionnaire, question)
        with self._write() as conn:
            row = conn.execute(
                "DELETE FROM consolidated WHERE questionnaire = ? AND question = ? RETURNING value",
                (questionnaire, question),
            ).fetchone()
            if row is None:
                return False
            _history(
                conn, "consolidated", None, questionnaire, question, row[0], None, None, by, _now()
            )
        return True

    def consolidated(self, questionnaire: str) -> dict[str, ConsolidatedAnswer]:
        """The consolidated answers to one questionnaire, by question id."""
        rows = self._query("SELECT * FROM consolidated WHERE questionnaire = ?", (questionnaire,))
        return {
            row["question"]: ConsolidatedAnswer(
                row["questionnaire"],
                row["question"],
                decode_value(row["value"]),
                row["rationale"],
                row["updated_by"],
                row["updated_at"],
            )
            for row in rows
        }

    def consolidated_frame(self, questionnaire: str | None = None) -> pd.DataFrame:
        """Consolidated answers. Columns: questionnaire, question, value, rationale,
        updated_by, updated_at."""
        return self.consolidated_table(questionnaire).to_frame()

    def consolidated_table(self, questionnaire: str | None = None) -> Columns:
        """What :meth:`consolidated_frame` gives, as :class:`~assessment_kit.columns.Columns`
        (read without pandas: scoring and the briefing)."""
        from assessment_kit.columns import Columns

        sql = "SELECT questionnaire, question, value, rationale, updated_by, updated_at"
        sql += " FROM consolidated"
        params: tuple[str, ...] = ()
        if questionnaire is not None:
            sql += " WHERE questionnaire = ?"
            params = (questionnaire,)
        rows = self._query(sql, params)
        records = [{**dict(row), "value": decode_value(row["value"])} for row in rows]
        records.sort(key=self._answer_sort_key)
        names = ["questionnaire", "question", "value", "rationale", "updated_by", "updated_at"]
        return Columns.from_records(records, names, objects=("value",))
