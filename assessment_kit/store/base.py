"""The ground every part of :class:`~assessment_kit.store.Mission` stands on: the open
connection, its lock, one write transaction, reads that name a damaged file, and the
questionnaires the mission holds (loaded once per text)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import TYPE_CHECKING, Any, Self

from assessment_kit.errors import AnswerError, Code, Problem, StoreError
from assessment_kit.questionnaire.model import AnswerValue, Question, Questionnaire
from assessment_kit.store import writes
from assessment_kit.store.connection import Connection, Row
from assessment_kit.store.records import (
    Respondent,
)
from assessment_kit.store.records import parse_date as _parse_date
from assessment_kit.store.values import validate_value

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MissionBase",
    "load_instrument",
    "object_frame",
    "question_order",
    "remember_instrument",
    "respondent_from_row",
]


# Loaded questionnaires keyed by a hash of their YAML text: opening a mission again (the
# CLI and each notebook do it often) does not re-parse the YAML, and questionnaires built
# in Python are found again by their text.
_LOADED: dict[str, Questionnaire] = {}
_LOADED_LOCK = threading.Lock()


def _text_key(questionnaire_id: str, source_text: str) -> str:
    digest = hashlib.sha256(source_text.encode("utf-8")).hexdigest()
    return f"{questionnaire_id}:{digest}"


def remember_instrument(questionnaire: Questionnaire) -> None:
    """Keep a questionnaire built in Python, found again by its text when a mission opens."""
    with _LOADED_LOCK:
        _LOADED[_text_key(questionnaire.id, questionnaire.source_text)] = questionnaire


def _translation_files(folder: Path, questionnaire_id: str) -> str:
    """What identifies the translation files of an instrument in ``folder`` as they are now:
    names and SHA-256 of their content (a time stamp may not change between two writes)."""
    try:
        found = sorted(folder.glob(f"{questionnaire_id}.*.yaml"))
        return ";".join(f"{p.name}:{hashlib.sha256(p.read_bytes()).hexdigest()}" for p in found)
    except OSError:
        return ""


def load_instrument(path: Path | str, questionnaire_id: str, source_text: str) -> Questionnaire:
    """A questionnaire stored in the mission ``path`` (a file or a URL), parsed once per text.

    It reads the shipped translations of its version, and for a file those of a
    ``translations/`` folder beside it (the cache knows when those files change).
    """
    folder = path.parent / "translations" if isinstance(path, Path) else None
    local = "" if folder is None else _translation_files(folder, questionnaire_id)
    key = _text_key(questionnaire_id, source_text) + (f":{folder}:{local}" if local else "")
    with _LOADED_LOCK:
        cached = _LOADED.get(key)
    if cached is not None:
        return cached
    from assessment_kit.questionnaire.loader import loads_known

    name = path.name if isinstance(path, Path) else path
    loaded = loads_known(
        source_text,
        file=f"{name}:instruments/{questionnaire_id}",
        translations=(folder,) if folder is not None and local else (),
    )
    with _LOADED_LOCK:
        _LOADED[key] = loaded
    return loaded


def object_frame(
    records: Sequence[Mapping[str, Any]], columns: Sequence[str], *, objects: Sequence[str]
) -> pd.DataFrame:
    """A frame whose ``objects`` columns hold Python values as they are (None stays None,
    tuples stay tuples) rather than being converted to NaN or expanded."""
    from assessment_kit.columns import Columns

    return Columns.from_records(records, columns, objects=objects).to_frame()


def question_order(questionnaire: Questionnaire | None) -> dict[str, int]:
    """Question id -> its position in the questionnaire (empty for None)."""
    if questionnaire is None:
        return {}
    return {qid: index for index, qid in enumerate(questionnaire.questions)}


def respondent_from_row(row: Sequence[Any]) -> Respondent:
    """A respondent from a row of the respondents table (its first six columns)."""
    return Respondent(
        code=row[0],
        institution_type=row[1],
        sector=row[2],
        interview_date=_parse_date(row[3]),
        interviewer=row[4],
        consent=bool(row[5]),
    )


class MissionBase:
    """An open mission's connection, lock, transactions and questionnaires; the parts of
    :class:`~assessment_kit.store.Mission` (respondents, answers, consolidated answers,
    history) build on it."""

    def __init__(self, conn: Connection) -> None:
        self._location = conn.location
        self._path: Path | None = getattr(conn, "path", None)
        self._conn: Connection | None = conn
        self._lock = threading.RLock()
        self._questionnaires: Mapping[str, Questionnaire] | None = None
        self._order: dict[tuple[str, str], tuple[int, int]] | None = None

    def close(self) -> None:
        """Close the file or the database connection (idempotent)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Mission({self._location!r})"

    @property
    def location(self) -> str:
        """Where the mission is, as messages show it: the file's path, or the database's
        URL without any password."""
        return self._location

    @property
    def path(self) -> Path:
        """The mission file (a :class:`StoreError` for a mission on PostgreSQL, which has
        none: use :attr:`location`)."""
        if self._path is None:
            raise StoreError(
                problem=Problem.make(
                    Code.STORE_IO,
                    file=self._location,
                    detail="this mission is a PostgreSQL database, not a file",
                    fix="use the mission's location (its URL) instead of a file path",
                )
            )
        return self._path

    @property
    def _db(self) -> Connection:
        if self._conn is None:
            raise StoreError(f"{self._location}: the mission is closed")
        return self._conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction, holding the writer lock from its start (waiting for it)."""
        with self._lock:
            conn = self._db
            try:
                conn.begin_write()
            except BaseException as error:
                if conn.is_error(error):
                    raise conn.storage_error(error, "writing to the mission") from error
                raise
            try:
                yield conn
                conn.commit()
            except BaseException as error:
                conn.rollback()
                if conn.is_error(error):
                    raise conn.storage_error(error, "writing to the mission") from error
                raise

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Reads that meet a damaged page, a vanished disk or a lost server raise a clear
        StoreError."""
        try:
            yield
        except BaseException as error:
            conn = self._conn
            if conn is not None and conn.is_error(error):
                raise conn.storage_error(error, "reading the mission") from error
            raise

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        with self._lock, self._reading():
            return self._db.query(sql, params)

    @property
    def questionnaires(self) -> Mapping[str, Questionnaire]:
        """The mission's questionnaires by id, loaded from the YAML stored in the mission."""
        if self._questionnaires is None:
            rows = self._query("SELECT id, source_text FROM instruments ORDER BY position, id")
            where = self._path if self._path is not None else self._location
            self._questionnaires = MappingProxyType(
                {r["id"]: load_instrument(where, r["id"], r["source_text"]) for r in rows}
            )
        return self._questionnaires

    def question(self, questionnaire: str, question: str) -> Question:
        """The question, or :class:`AnswerError` naming what is unknown."""
        known = self.questionnaires
        if questionnaire not in known:
            raise AnswerError(
                [
                    Problem.make(
                        Code.UNKNOWN_QUESTIONNAIRE,
                        path=questionnaire,
                        questionnaire=questionnaire,
                        known=", ".join(known) or "(none)",
                    )
                ]
            )
        questions = known[questionnaire].questions
        if question not in questions:
            raise AnswerError(
                [
                    Problem.make(
                        Code.UNKNOWN_QUESTION,
                        path=question,
                        question=question,
                        questionnaire=questionnaire,
                    )
                ]
            )
        return questions[question]

    def institution_types(self) -> dict[str, str]:
        """Institution types defined by the mission's questionnaires: id -> sector."""
        types: dict[str, str] = {}
        for questionnaire in self.questionnaires.values():
            for type_id, respondent_type in questionnaire.respondent_types.items():
                types.setdefault(type_id, respondent_type.sector)
        return types

    def _respondent(self, conn: Connection, code: str) -> Respondent:
        cursor = conn.execute(
            "SELECT code, institution_type, sector, interview_date, interviewer, consent"
            " FROM respondents WHERE code = ?",
            (code,),
        )
        row = cursor.fetchone()
        if row is None:
            raise AnswerError([Problem.make(Code.UNKNOWN_RESPONDENT, path=code, respondent=code)])
        return respondent_from_row(row)

    def _validated(
        self,
        conn: Connection,
        target: Question,
        respondent: str | None,
        questionnaire: str,
        value: object,
    ) -> AnswerValue:
        """``value`` validated inside the write transaction, so that the answers the
        constraint reads cannot change before the value is written."""
        answers = (
            writes.stored_values(conn, respondent, questionnaire)
            if target.constraint_expr is not None
            else None
        )
        return validate_value(target, value, answers)

    def _answer_sort_key(self, record: Mapping[str, Any]) -> tuple[int, int]:
        """Questionnaire order, then question order within it (unknown ones last)."""
        if self._order is None:
            self._order = {
                (qid, question): (rank, index)
                for rank, (qid, questionnaire) in enumerate(self.questionnaires.items())
                for index, question in enumerate(questionnaire.questions)
            }
        return self._order.get((record["questionnaire"], record["question"]), (1 << 30, 0))
