"""Respondents' answers: written one at a time (validated, kept in the history), read one
at a time, by respondent, or as a table."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from assessment_kit.store import writes
from assessment_kit.store.connection import Connection, Row
from assessment_kit.store.records import (
    Answer,
    Respondent,
)
from assessment_kit.store.records import now as _now
from assessment_kit.store.values import decode_value
from assessment_kit.store.writes import record_history as _history

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

    from assessment_kit.columns import Columns

from assessment_kit.store.base import MissionBase, question_order

__all__ = ["AnswersMixin", "answer_from_row"]


# The answers table read as one JSON array per column, built by SQLite in C and parsed by
# json.loads in C: no Python object per row on the way. Text columns are quoted by
# json_group_array; the stored values are JSON already, so they are joined as they are and
# json.loads decodes each exactly as decode_value's json.loads would.
_PACKED_VALUES = (
    "json_group_array(respondent), json_group_array(questionnaire),"
    " json_group_array(question), '[' || coalesce(group_concat(value, ','), '') || ']'"
)
_PACKED_DETAILS = (
    ", json_group_array(note), json_group_array(evidence), json_group_array(confidential),"
    " json_group_array(updated_by), json_group_array(updated_at)"
)
_PACKED_ANSWERS_SQL = f"SELECT {_PACKED_VALUES}{_PACKED_DETAILS} FROM answers"
_PACKED_VALUES_SQL = f"SELECT {_PACKED_VALUES} FROM answers"
_SCALARS = (str, int, float)


def _answer_value(loaded: Any) -> Any:
    """A decoded stored value that is not a plain scalar, as decode_value returns it."""
    if isinstance(loaded, list):
        return tuple(map(str, loaded))
    return decode_value(json.dumps(loaded))  # anything else is refused as decode_value does


def answer_from_row(row: Row) -> Answer:
    """An answer from a row of the answers table."""
    return Answer(
        respondent=row["respondent"],
        questionnaire=row["questionnaire"],
        question=row["question"],
        value=decode_value(row["value"]),
        note=row["note"],
        evidence=row["evidence"],
        confidential=bool(row["confidential"]),
        updated_by=row["updated_by"],
        updated_at=row["updated_at"],
    )


def _packed_answers(conn: Connection, sql: str, params: tuple[str, ...]) -> tuple[str, ...]:
    """The answers table as one JSON array per column: built by SQLite in C, or by
    PostgreSQL's rows joined here (the same text, so one decoding serves both)."""
    if conn.dialect == "sqlite":
        packed: tuple[str, ...] = conn.execute(sql, params).fetchone()
        return packed
    plain = (
        "SELECT respondent, questionnaire, question, value, note, evidence, confidential,"
        " updated_by, updated_at FROM answers"
    )
    if params:
        plain += " WHERE questionnaire = ?"
    rows = conn.execute(plain, params).fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [()] * 9
    return tuple(
        "[" + ",".join(column) + "]" if index == 3 else json.dumps(list(column))
        for index, column in enumerate(columns)
    )


class AnswersMixin(MissionBase):
    """The respondents' answers."""

    def set_answer(
        self,
        respondent: str | Respondent,
        questionnaire: str,
        question: str,
        value: object,
        *,
        note: str = "",
        evidence: str = "",
        confidential: bool = False,
        by: str = "",
    ) -> Answer:
        """Validate and save one answer, appending to the history; returns what is stored.

        Saving the same answer again changes nothing and adds no history.

        Raises
        ------
        AnswerError
            Unknown respondent, questionnaire or question, a value the question does not
            accept, or a failed constraint. Nothing is written.
        """
        code = respondent.code if isinstance(respondent, Respondent) else respondent
        target = self.question(questionnaire, question)
        with self._write() as conn:
            self._respondent(conn, code)
            stored = self._validated(conn, target, code, questionnaire, value)
            return writes.put_answer(
                conn,
                Answer(
                    respondent=code,
                    questionnaire=questionnaire,
                    question=question,
                    value=stored,
                    note=note,
                    evidence=evidence,
                    confidential=bool(confidential),
                    updated_by=by,
                    updated_at=_now(),
                ),
            )

    def clear_answer(
        self, respondent: str | Respondent, questionnaire: str, question: str, *, by: str = ""
    ) -> bool:
        """Remove an answer (history records the old value and a NULL new value).

        Returns whether there was an answer to clear.
        """
        code = respondent.code if isinstance(respondent, Respondent) else respondent
        self.question(questionnaire, question)
        with self._write() as conn:
            self._respondent(conn, code)
            key = (code, questionnaire, question)
            row = conn.execute(
                "DELETE FROM answers WHERE respondent = ? AND questionnaire = ? AND question = ?"
                " RETURNING value",
                key,
            ).fetchone()
            if row is None:
                return False
            _history(conn, "answer", *key, row[0], None, None, by, _now())
        return True

    def answer(self, respondent: str, questionnaire: str, question: str) -> Answer | None:
        """One answer, or None."""
        rows = self._query(
            "SELECT * FROM answers WHERE respondent = ? AND questionnaire = ? AND question = ?",
            (respondent, questionnaire, question),
        )
        return answer_from_row(rows[0]) if rows else None

    def answers_for(self, respondent: str | Respondent, questionnaire: str) -> dict[str, Answer]:
        """A respondent's answers to one questionnaire, by question id."""
        code = respondent.code if isinstance(respondent, Respondent) else respondent
        rows = self._query(
            "SELECT * FROM answers WHERE respondent = ? AND questionnaire = ?",
            (code, questionnaire),
        )
        order = question_order(self.questionnaires.get(questionnaire))
        answers = [answer_from_row(row) for row in rows]
        answers.sort(key=lambda a: order.get(a.question, len(order)))
        return {a.question: a for a in answers}

    def answers_frame(
        self, questionnaire: str | None = None, *, details: bool = True
    ) -> pd.DataFrame:
        """Every answer (of one questionnaire, or all), one row each.

        Columns: respondent, institution_type, sector, questionnaire, question, value (a
        Python object: str, int, float or tuple), then, unless ``details`` is False, note,
        evidence, confidential (bool), updated_by, updated_at. Rows come by respondent (in
        the order they were added), then questionnaire and question order (questions no
        instrument knows last). Scoring reads no details: leaving them out halves the read.
        """
        columns, order = self._answer_columns(questionnaire, details)
        return columns.to_frame().take(order).reset_index(drop=True)

    def answers_table(self, questionnaire: str | None = None, *, details: bool = True) -> Columns:
        """What :meth:`answers_frame` gives, as :class:`~assessment_kit.columns.Columns`:
        the same rows and columns, read without pandas (scoring and the briefing)."""
        columns, order = self._answer_columns(questionnaire, details)
        return columns.take(order)

    def _answer_columns(
        self, questionnaire: str | None, details: bool
    ) -> tuple[Columns, npt.NDArray[np.intp]]:
        """The answers' columns as read, and the positions of the rows to keep, in order
        (answers of unknown codes are left out, as a join leaves them out)."""
        import numpy as np

        from assessment_kit.columns import Columns, factorize

        sql = _PACKED_ANSWERS_SQL if details else _PACKED_VALUES_SQL
        params = tuple[str, ...]()
        if questionnaire is not None:
            sql, params = sql + " WHERE questionnaire = ?", (questionnaire,)
        with self._lock, self._reading():
            # Answers first: a respondent is written before their answers and never removed,
            # so every answer read finds its respondent even while another process writes.
            packed = _packed_answers(self._db, sql, params)
            people = self._db.execute(
                "SELECT code, institution_type, sector FROM respondents ORDER BY created_at, code"
            ).fetchall()
        respondent, qid, question, values, *more = (json.loads(column) for column in packed)
        # Respondents by rank (the order they were added).
        rank = {code: index for index, (code, _, _) in enumerate(people)}
        codes, uniques = factorize(respondent)
        unique_rank = np.array([rank.get(code, -1) for code in uniques], dtype=np.int64)
        respondent_rank = unique_rank[codes] if len(codes) else np.zeros(0, dtype=np.int64)
        person = np.array([*people, ("", "", "")], dtype=object).reshape(-1, 3)
        columns: dict[str, Any] = {
            "respondent": respondent,
            "institution_type": person[respondent_rank, 1].tolist(),
            "sector": person[respondent_rank, 2].tolist(),
            "questionnaire": qid,
            "question": question,
            "value": [v if type(v) in _SCALARS else _answer_value(v) for v in values],
        }
        if details:
            note, evidence, confidential, by, at = more
            columns |= {
                "note": note,
                "evidence": evidence,
                "confidential": np.array(confidential, dtype=bool),
                "updated_by": by,
                "updated_at": at,
            }
        table = Columns(columns, objects=("value",))
        order = self._answer_order(table, respondent_rank)
        return table, order[respondent_rank[order] >= 0]

    def _answer_order(
        self, table: Columns, respondent_rank: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.intp]:
        """Row positions by respondent rank, questionnaire order, question order; rows that
        tie (questions no instrument knows) by questionnaire id, then question id."""
        import numpy as np

        from assessment_kit.columns import factorize, objects

        question_codes, question_ids = factorize(table["question"])
        unknown = 1 << 30
        questionnaire_rank = np.full(len(table), unknown, dtype=np.int64)
        question_index = np.zeros(len(table), dtype=np.int64)
        questionnaire_column = objects(table["questionnaire"])
        for rank, (qid, instrument) in enumerate(self.questionnaires.items()):
            rows = np.flatnonzero(questionnaire_column == qid)
            if len(rows) == 0:
                continue
            # Each distinct question id looked up once, then spread to its rows.
            positions = {question: index for index, question in enumerate(instrument.questions)}
            lookup = np.array([positions.get(q, -1) for q in question_ids], dtype=np.int64)
            index = lookup[question_codes[rows]]
            known = index >= 0
            questionnaire_rank[rows[known]] = rank
            question_index[rows[known]] = index[known]
        keys = [question_index, questionnaire_rank, respondent_rank]
        if (questionnaire_rank == unknown).any():
            # Ties by questionnaire id, then question id, as SQLite's ORDER BY gave them
            # (Python's string order is SQLite's: UTF-8 byte order is code point order).
            by_question = factorize(table["question"], sort=True)[0]
            by_questionnaire = factorize(table["questionnaire"], sort=True)[0]
            keys = [by_question, by_questionnaire, *keys]
        return np.lexsort(keys)
