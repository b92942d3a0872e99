"""The Mission API: one SQLite file per mission, used by the widgets and the CLI alike.

Every write is one ``BEGIN IMMEDIATE`` transaction: a second process waits for the first
(up to the busy timeout) instead of failing, and a write that is refused (an invalid
answer, an unknown respondent) leaves nothing behind. Every change to a respondent, an
answer or a consolidated answer appends a row to ``history``, which triggers keep
append-only.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from enum import Enum
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import TYPE_CHECKING, Any, Final

from assessment_kit.errors import AnswerError, Code, Problem, ProblemsError, StoreError
from assessment_kit.questionnaire.model import AnswerValue, Question, Questionnaire
from assessment_kit.store import schema, writes
from assessment_kit.store.batch import Batch
from assessment_kit.store.records import (
    CONSOLIDATED,
    Answer,
    ConsolidatedAnswer,
    MissionInfo,
    Respondent,
)
from assessment_kit.store.records import date_text as _date_text
from assessment_kit.store.records import now as _now
from assessment_kit.store.records import parse_date as _parse_date
from assessment_kit.store.values import check_text, decode_value, validate_value
from assessment_kit.store.writes import record_history as _history
from assessment_kit.store.writes import respondent_json as _respondent_json

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

__all__ = [
    "CONSOLIDATED",
    "Answer",
    "ConsolidatedAnswer",
    "Mission",
    "MissionInfo",
    "Respondent",
    "create_mission",
    "open_mission",
    "resolve_sections",
]


class _Unset(Enum):
    UNSET = "unset"


_UNSET: Final = _Unset.UNSET


def _decode(text: str | None) -> Any:
    if text is None:
        return None
    loaded: Any = json.loads(text)
    return tuple(loaded) if isinstance(loaded, list) else loaded


# The answers table read as one JSON array per column, built by SQLite in C and parsed by
# json.loads in C: no Python object per row on the way. Text columns are quoted by
# json_group_array; the stored values are JSON already, so they are joined as they are and
# json.loads decodes each exactly as decode_value's json.loads would.
_PACKED_ANSWERS_SQL = (
    "SELECT json_group_array(respondent), json_group_array(questionnaire),"
    " json_group_array(question), '[' || coalesce(group_concat(value, ','), '') || ']',"
    " json_group_array(note), json_group_array(evidence), json_group_array(confidential),"
    " json_group_array(updated_by), json_group_array(updated_at) FROM answers"
)
_SCALARS = (str, int, float)


def _answer_value(loaded: Any) -> Any:
    """A decoded stored value that is not a plain scalar, as decode_value returns it."""
    if isinstance(loaded, list):
        return tuple(map(str, loaded))
    return decode_value(json.dumps(loaded))  # anything else is refused as decode_value does


# Loaded questionnaires keyed by a hash of their YAML text: opening a mission again (the
# CLI and each notebook do it often) does not re-parse the YAML, and questionnaires built
# in Python are found again by their text.
_LOADED: dict[str, Questionnaire] = {}
_LOADED_LOCK = threading.Lock()


def _text_key(questionnaire_id: str, source_text: str) -> str:
    digest = hashlib.sha256(source_text.encode("utf-8")).hexdigest()
    return f"{questionnaire_id}:{digest}"


def _remember(questionnaire: Questionnaire) -> None:
    with _LOADED_LOCK:
        _LOADED[_text_key(questionnaire.id, questionnaire.source_text)] = questionnaire


def _load_instrument(path: Path, questionnaire_id: str, source_text: str) -> Questionnaire:
    key = _text_key(questionnaire_id, source_text)
    with _LOADED_LOCK:
        cached = _LOADED.get(key)
    if cached is not None:
        return cached
    from assessment_kit.questionnaire.loader import loads_known

    loaded = loads_known(source_text, file=f"{path.name}:instruments/{questionnaire_id}")
    with _LOADED_LOCK:
        _LOADED[key] = loaded
    return loaded


def resolve_sections(
    questionnaires: Sequence[Questionnaire], references: Sequence[str]
) -> dict[str, tuple[str, ...]]:
    """The sections a partial assessment covers, by questionnaire id, in questionnaire order.

    Each reference is ``questionnaire.section`` or a section id found in one questionnaire
    only. A questionnaire none of the references names is assessed whole (absent from the
    result). Every unknown or ambiguous reference is reported at once.

    Raises
    ------
    ProblemsError
        ``UNKNOWN_SECTION`` or ``AMBIGUOUS_SECTION``, one per bad reference.
    """
    by_id = {q.id: q for q in questionnaires}
    chosen: dict[str, set[str]] = {}
    problems: list[Problem] = []
    known = ", ".join(f"{q.id}.{s.id}" for q in questionnaires for s in q.sections)
    for reference in references:
        name, dot, section = reference.strip().partition(".")
        if dot:
            questionnaire = by_id.get(name)
            if questionnaire is None or section not in {s.id for s in questionnaire.sections}:
                problems.append(
                    Problem.make(
                        Code.UNKNOWN_SECTION, path=reference, section=reference, known=known
                    )
                )
                continue
            chosen.setdefault(name, set()).add(section)
            continue
        holders = [q.id for q in questionnaires if name in {s.id for s in q.sections}]
        if len(holders) == 1:
            chosen.setdefault(holders[0], set()).add(name)
        elif holders:
            where = ", ".join(f"{h}.{name}" for h in holders)
            problems.append(
                Problem.make(Code.AMBIGUOUS_SECTION, path=reference, section=name, where=where)
            )
        else:
            problems.append(
                Problem.make(Code.UNKNOWN_SECTION, path=reference, section=name, known=known)
            )
    if problems:
        raise ProblemsError(problems)
    return {
        qid: tuple(s.id for s in by_id[qid].sections if s.id in ids) for qid, ids in chosen.items()
    }


def _sections_json(questionnaire: Questionnaire, sections: Sequence[str] | None) -> str | None:
    """The stored form of a partial assessment: None when every section is assessed."""
    if sections is None:
        return None
    order = [s.id for s in questionnaire.sections]
    kept = [s for s in order if s in set(sections)]
    return None if kept == order else json.dumps(kept)


class Mission:
    """An open mission file. Use :meth:`create` or :meth:`open`; close it (or use ``with``).

    A Mission may be used from several threads (calls are serialized) and the same file
    may be open in several processes at once.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self._path = path
        self._conn: sqlite3.Connection | None = conn
        self._lock = threading.RLock()
        self._questionnaires: Mapping[str, Questionnaire] | None = None
        self._order: dict[tuple[str, str], tuple[int, int]] | None = None

    # ----------------------------------------------------------------- lifecycle

    @classmethod
    def create(
        cls,
        path: str | Path,
        *,
        country: str,
        title: str,
        questionnaires: Sequence[Questionnaire],
        start_date: date | None = None,
        end_date: date | None = None,
        sections: Sequence[str] = (),
    ) -> Mission:
        """Create a new mission file using ``questionnaires``.

        ``sections`` makes a partial assessment: the sections assessed, each as
        ``questionnaire.section`` or a section id unique among the questionnaires (see
        :func:`resolve_sections`); a questionnaire none of them names is assessed whole.

        Raises
        ------
        StoreError
            When the file already exists (``MISSION_EXISTS``) or the arguments are invalid.
        ProblemsError
            When a section is unknown or ambiguous (nothing is created).
        """
        path = Path(path)
        where = str(path)
        schema.refuse_folder(path, "give the new mission file's name, such as mission.db")
        if path.exists():
            raise StoreError(problem=Problem.make(Code.MISSION_EXISTS, file=where))
        if not country.strip():
            raise schema.file_error(
                Code.STORE_IO, where, "the mission needs a country", "pass --country"
            )
        if not questionnaires:
            raise schema.file_error(
                Code.STORE_IO, where, "the mission needs a questionnaire", "pass --questionnaire"
            )
        seen: set[str] = set()
        for questionnaire in questionnaires:
            if questionnaire.id in seen:
                raise schema.file_error(
                    Code.STORE_IO,
                    where,
                    f"questionnaire {questionnaire.id!r} is given twice",
                    "give each questionnaire once",
                )
            seen.add(questionnaire.id)
            if not questionnaire.source_text.strip():
                raise schema.file_error(
                    Code.STORE_IO,
                    where,
                    f"questionnaire {questionnaire.id!r} has no YAML text to store",
                    "load it with assessment_kit.questionnaire.load or loads",
                )
        if start_date and end_date and end_date < start_date:
            raise schema.file_error(
                Code.STORE_IO, where, "the mission ends before it starts", "check the dates"
            )
        partial = resolve_sections(questionnaires, sections)
        try:
            conn = schema.connect(path, create=True)
        except BaseException as error:
            _remove_new_file(path, error)
            raise
        try:
            schema.migrate(conn, str(path))
            now = _now()
            conn.execute("BEGIN IMMEDIATE")
            try:
                if conn.execute("SELECT count(*) FROM mission").fetchone()[0]:
                    raise StoreError(problem=Problem.make(Code.MISSION_EXISTS, file=where))
                conn.execute(
                    "INSERT INTO mission (id, country, title, start_date, end_date, created_at)"
                    " VALUES (1, ?, ?, ?, ?, ?)",
                    (country.strip(), title, _date_text(start_date), _date_text(end_date), now),
                )
                for questionnaire in questionnaires:
                    conn.execute(
                        "INSERT INTO instruments"
                        " (id, version, title, source_text, added_at, sections)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (
                            questionnaire.id,
                            questionnaire.version,
                            str(questionnaire.title),
                            questionnaire.source_text,
                            now,
                            _sections_json(questionnaire, partial.get(questionnaire.id)),
                        ),
                    )
                conn.execute("COMMIT")
            except BaseException:
                schema.rollback(conn)
                raise
        except BaseException as error:
            conn.close()
            # A half-made file would make the retry say "already exists": ours to remove,
            # since the file did not exist when we started.
            _remove_new_file(path, error)
            if isinstance(error, sqlite3.Error):
                raise schema.storage_error(error, path, "creating the mission") from error
            raise
        for questionnaire in questionnaires:
            _remember(questionnaire)
        mission = cls(path, conn)
        mission._questionnaires = MappingProxyType({q.id: q for q in questionnaires})
        return mission

    @classmethod
    def open(cls, path: str | Path) -> Mission:
        """Open an existing mission file, migrating an older schema forward.

        Raises
        ------
        StoreError
            ``FILE_NOT_FOUND``, ``NOT_A_MISSION`` or ``SCHEMA_TOO_NEW``.
        """
        path = Path(path)
        conn = schema.connect(path)
        try:
            schema.migrate(conn, str(path))
            if conn.execute("SELECT count(*) FROM mission").fetchone()[0] != 1:
                raise StoreError(
                    problem=Problem.make(
                        Code.NOT_A_MISSION, file=str(path), detail="the mission record is missing"
                    )
                )
        except sqlite3.Error as error:
            conn.close()
            raise schema.storage_error(error, path, "opening the mission") from error
        except BaseException:
            conn.close()
            raise
        return cls(path, conn)

    def close(self) -> None:
        """Close the file (idempotent)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Mission:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Mission({str(self._path)!r})"

    @property
    def path(self) -> Path:
        """The mission file."""
        return self._path

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"{self._path}: the mission is closed")
        return self._conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; IMMEDIATE takes the write lock up front (waiting for it)."""
        with self._lock:
            conn = self._db
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise schema.storage_error(error, self._path, "writing to the mission") from error
            try:
                yield conn
                conn.execute("COMMIT")
            except sqlite3.Error as error:
                schema.rollback(conn)
                raise schema.storage_error(error, self._path, "writing to the mission") from error
            except BaseException:
                schema.rollback(conn)
                raise

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Reads that meet a damaged page or a vanished disk raise a clear StoreError."""
        try:
            yield
        except sqlite3.DatabaseError as error:
            raise schema.storage_error(error, self._path, "reading the mission") from error

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        with self._lock, self._reading():
            cursor = self._db.execute(sql, tuple(params))
            cursor.row_factory = sqlite3.Row
            return cursor.fetchall()

    @contextmanager
    def batch(self, *, by: str = "") -> Iterator[Batch]:
        """Many writes in one transaction, each kept in the history; all or nothing.

        Use it as ``with mission.batch(by="ana") as batch:`` and write through the
        :class:`~assessment_kit.store.batch.Batch` it gives (respondents, answers,
        consolidated answers). The writes are committed when the block ends, after the
        constraints of what was written are checked against the answers as they stand
        then; an error anywhere in the block, or a failed constraint, writes nothing.
        Others wait for the batch to end, so what it reads stays true while it writes.

        Raises
        ------
        AnswerError
            A write, or a constraint checked at the end, is refused; nothing is written.
        """
        # Parsing the questionnaires' YAML is slow: done before taking the write lock.
        _ = self.questionnaires
        with self._write() as conn:
            batch = Batch(self, conn, by=by, now=_now())
            try:
                yield batch
                batch.check()
            finally:
                batch.close()

    # ----------------------------------------------------------------- mission

    @property
    def info(self) -> MissionInfo:
        """The mission's country, title, dates and instruments."""
        row = self._query(
            "SELECT country, title, start_date, end_date, created_at FROM mission WHERE id = 1"
        )[0]
        rows = self._query("SELECT id, version, sections FROM instruments ORDER BY rowid")
        instruments = tuple((str(r["id"]), str(r["version"])) for r in rows)
        sections = {
            str(r["id"]): tuple(str(s) for s in json.loads(r["sections"]))
            for r in rows
            if r["sections"] is not None
        }
        return MissionInfo(
            country=row["country"],
            title=row["title"],
            start_date=_parse_date(row["start_date"]),
            end_date=_parse_date(row["end_date"]),
            created_at=row["created_at"],
            instruments=instruments,
            sections=MappingProxyType(sections),
        )

    @property
    def sections(self) -> Mapping[str, tuple[str, ...]]:
        """The sections assessed, by questionnaire id (every section when assessed whole)."""
        partial = self.info.sections
        return MappingProxyType(
            {
                qid: partial.get(qid, tuple(s.id for s in questionnaire.sections))
                for qid, questionnaire in self.questionnaires.items()
            }
        )

    def set_sections(self, questionnaire: str, sections: Sequence[str] | None) -> None:
        """Choose the sections of ``questionnaire`` the mission assesses (None: all of them).

        Answers to the other sections are kept; scoring leaves them out.

        Raises
        ------
        ProblemsError
            ``UNKNOWN_QUESTIONNAIRE``, or ``UNKNOWN_SECTION`` for each unknown section id.
        """
        known = self.questionnaires
        if questionnaire not in known:
            raise ProblemsError(
                [
                    Problem.make(
                        Code.UNKNOWN_QUESTIONNAIRE,
                        file=str(self._path),
                        questionnaire=questionnaire,
                        known=", ".join(known),
                    )
                ]
            )
        instrument = known[questionnaire]
        if sections is not None:
            resolve_sections([instrument], [f"{questionnaire}.{s}" for s in sections])
        stored = _sections_json(instrument, sections)
        with self._write() as conn:
            conn.execute(
                "UPDATE instruments SET sections = ? WHERE id = ?", (stored, questionnaire)
            )

    @property
    def questionnaires(self) -> Mapping[str, Questionnaire]:
        """The mission's questionnaires by id, loaded from the YAML stored in the file."""
        if self._questionnaires is None:
            rows = self._query("SELECT id, source_text FROM instruments ORDER BY rowid")
            self._questionnaires = MappingProxyType(
                {r["id"]: _load_instrument(self._path, r["id"], r["source_text"]) for r in rows}
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

    # ----------------------------------------------------------------- respondents

    def add_respondent(
        self,
        code: str,
        *,
        institution_type: str,
        sector: str = "",
        interview_date: date | None = None,
        interviewer: str = "",
        consent: bool = False,
        by: str = "",
    ) -> Respondent:
        """Add a respondent under a pseudonymous ``code``.

        ``sector`` defaults to the sector the questionnaire gives the institution type.

        Raises
        ------
        AnswerError
            ``DUPLICATE_RESPONDENT``, ``UNKNOWN_RESPONDENT_TYPE`` or ``BAD_VALUE`` (code).
        """
        with self._write() as conn:
            return writes.insert_respondent(
                conn,
                code,
                institution_type=institution_type,
                sector=sector,
                interview_date=interview_date,
                interviewer=interviewer,
                consent=consent,
                known_types=self.institution_types(),
                by=by,
                now=_now(),
            )

    def update_respondent(
        self,
        code: str,
        *,
        institution_type: str | None = None,
        sector: str | None = None,
        interview_date: date | _Unset | None = _UNSET,
        interviewer: str | None = None,
        consent: bool | None = None,
        by: str = "",
    ) -> Respondent:
        """Change some of a respondent's details (arguments left out stay as they are)."""
        with self._write() as conn:
            old = self._respondent(conn, code)
            new = Respondent(
                code=old.code,
                institution_type=old.institution_type
                if institution_type is None
                else institution_type,
                sector=old.sector if sector is None else sector,
                interview_date=old.interview_date
                if isinstance(interview_date, _Unset)
                else interview_date,
                interviewer=old.interviewer if interviewer is None else interviewer,
                consent=old.consent if consent is None else bool(consent),
            )
            if new == old:
                return old
            check_text("interviewer", new.interviewer, path=code)
            check_text("sector", new.sector, path=code)
            writes.check_institution_type(self.institution_types(), code, new.institution_type)
            now = _now()
            conn.execute(
                "UPDATE respondents SET institution_type = ?, sector = ?, interview_date = ?,"
                " interviewer = ?, consent = ?, updated_at = ? WHERE code = ?",
                (
                    new.institution_type,
                    new.sector,
                    _date_text(new.interview_date),
                    new.interviewer,
                    int(new.consent),
                    now,
                    code,
                ),
            )
            _history(
                conn,
                "respondent",
                code,
                None,
                None,
                _respondent_json(old),
                _respondent_json(new),
                None,
                by,
                now,
            )
        return new

    def _respondent(self, conn: sqlite3.Connection, code: str) -> Respondent:
        cursor = conn.execute(
            "SELECT code, institution_type, sector, interview_date, interviewer, consent"
            " FROM respondents WHERE code = ?",
            (code,),
        )
        row = cursor.fetchone()
        if row is None:
            raise AnswerError([Problem.make(Code.UNKNOWN_RESPONDENT, path=code, respondent=code)])
        return _respondent_from_row(row)

    def respondent(self, code: str) -> Respondent:
        """The respondent with this code (:class:`AnswerError` if there is none)."""
        with self._lock, self._reading():
            return self._respondent(self._db, code)

    def respondents(self) -> list[Respondent]:
        """Every respondent, in the order they were added."""
        with self._lock, self._reading():
            rows = self._db.execute(
                "SELECT code, institution_type, sector, interview_date, interviewer, consent"
                " FROM respondents ORDER BY created_at, code"
            ).fetchall()
        return [_respondent_from_row(row) for row in rows]

    # ----------------------------------------------------------------- answers

    def _validated(
        self,
        conn: sqlite3.Connection,
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
        return _answer_from_row(rows[0]) if rows else None

    def answers_for(self, respondent: str | Respondent, questionnaire: str) -> dict[str, Answer]:
        """A respondent's answers to one questionnaire, by question id."""
        code = respondent.code if isinstance(respondent, Respondent) else respondent
        rows = self._query(
            "SELECT * FROM answers WHERE respondent = ? AND questionnaire = ?",
            (code, questionnaire),
        )
        order = _question_order(self.questionnaires.get(questionnaire))
        answers = [_answer_from_row(row) for row in rows]
        answers.sort(key=lambda a: order.get(a.question, len(order)))
        return {a.question: a for a in answers}

    # ----------------------------------------------------------------- consolidation

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

    # ----------------------------------------------------------------- frames

    def answers_frame(self, questionnaire: str | None = None) -> pd.DataFrame:
        """Every answer (of one questionnaire, or all), one row each.

        Columns: respondent, institution_type, sector, questionnaire, question, value (a
        Python object: str, int, float or tuple), note, evidence, confidential (bool),
        updated_by, updated_at. Rows come by respondent (in the order they were added),
        then questionnaire and question order (questions no instrument knows last).
        """
        import numpy as np
        import pandas as pd

        sql, params = _PACKED_ANSWERS_SQL, tuple[str, ...]()
        if questionnaire is not None:
            sql, params = sql + " WHERE questionnaire = ?", (questionnaire,)
        with self._lock, self._reading():
            # Answers first: a respondent is written before their answers and never removed,
            # so every answer read finds its respondent even while another process writes.
            packed = self._db.execute(sql, params).fetchone()
            people = self._db.execute(
                "SELECT code, institution_type, sector FROM respondents ORDER BY created_at, code"
            ).fetchall()
        (respondent, qid, question, values, note, evidence, confidential, by, at) = (
            json.loads(column) for column in packed
        )
        # Respondents by rank (the order they were added); answers of unknown codes are
        # left out, as a join leaves them out.
        rank = {code: index for index, (code, _, _) in enumerate(people)}
        codes, uniques = pd.factorize(np.array(respondent, dtype=object))
        unique_rank = np.array([rank.get(code, -1) for code in uniques], dtype=np.int64)
        respondent_rank = unique_rank[codes] if len(codes) else np.zeros(0, dtype=np.int64)
        person = np.array([*people, ("", "", "")], dtype=object).reshape(-1, 3)
        frame = pd.DataFrame(
            {
                "respondent": respondent,
                "institution_type": person[respondent_rank, 1].tolist(),
                "sector": person[respondent_rank, 2].tolist(),
                "questionnaire": qid,
                "question": question,
                "value": pd.Series(
                    [v if type(v) in _SCALARS else _answer_value(v) for v in values], dtype=object
                ),
                "note": note,
                "evidence": evidence,
                "confidential": np.array(confidential, dtype=bool),
                "updated_by": by,
                "updated_at": at,
            }
        )
        order = self._answer_order(frame, respondent_rank)
        return frame.take(order[respondent_rank[order] >= 0]).reset_index(drop=True)

    def _answer_order(
        self, frame: pd.DataFrame, respondent_rank: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.intp]:
        """Row positions by respondent rank, questionnaire order, question order; rows that
        tie (questions no instrument knows) by questionnaire id, then question id."""
        import numpy as np
        import pandas as pd

        question_codes, question_ids = pd.factorize(frame["question"])
        unknown = 1 << 30
        questionnaire_rank = np.full(len(frame), unknown, dtype=np.int64)
        question_index = np.zeros(len(frame), dtype=np.int64)
        questionnaire_column = frame["questionnaire"].to_numpy()
        for rank, (qid, instrument) in enumerate(self.questionnaires.items()):
            rows = np.flatnonzero(questionnaire_column == qid)
            if len(rows) == 0:
                continue
            # Each distinct question id looked up once, then spread to its rows.
            positions = {question: index for index, question in enumerate(instrument.questions)}
            table = np.array([positions.get(q, -1) for q in question_ids], dtype=np.int64)
            index = table[question_codes[rows]]
            known = index >= 0
            questionnaire_rank[rows[known]] = rank
            question_index[rows[known]] = index[known]
        keys = [question_index, questionnaire_rank, respondent_rank]
        if (questionnaire_rank == unknown).any():
            # Ties by questionnaire id, then question id, as SQLite's ORDER BY gave them
            # (Python's string order is SQLite's: UTF-8 byte order is code point order).
            by_question = pd.factorize(frame["question"], sort=True)[0]
            by_questionnaire = pd.factorize(frame["questionnaire"], sort=True)[0]
            keys = [by_question, by_questionnaire, *keys]
        return np.lexsort(keys)

    def _answer_sort_key(self, record: Mapping[str, Any]) -> tuple[int, int]:
        """Questionnaire order, then question order within it (unknown ones last)."""
        if self._order is None:
            self._order = {
                (qid, question): (rank, index)
                for rank, (qid, questionnaire) in enumerate(self.questionnaires.items())
                for index, question in enumerate(questionnaire.questions)
            }
        return self._order.get((record["questionnaire"], record["question"]), (1 << 30, 0))

    def consolidated_frame(self, questionnaire: str | None = None) -> pd.DataFrame:
        """Consolidated answers. Columns: questionnaire, question, value, rationale,
        updated_by, updated_at."""

        sql = "SELECT questionnaire, question, value, rationale, updated_by, updated_at"
        sql += " FROM consolidated"
        params: tuple[str, ...] = ()
        if questionnaire is not None:
            sql += " WHERE questionnaire = ?"
            params = (questionnaire,)
        rows = self._query(sql, params)
        records = [{**dict(row), "value": decode_value(row["value"])} for row in rows]
        records.sort(key=self._answer_sort_key)
        columns = ["questionnaire", "question", "value", "rationale", "updated_by", "updated_at"]
        return _frame(records, columns, objects=("value",))

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
        return _frame(records, columns, objects=("old_value", "new_value"))

    def respondents_frame(self) -> pd.DataFrame:
        """Every respondent, in the order they were added, and how far each interview got.

        Columns: respondent, institution_type, sector, interview_date (a date or None),
        interviewer, consent (bool), answers (the number of answers given).
        """
        import pandas as pd

        with self._lock, self._reading():
            rows = self._db.execute(
                "SELECT r.code, r.institution_type, r.sector, r.interview_date, r.interviewer,"
                " r.consent, (SELECT count(*) FROM answers a WHERE a.respondent = r.code)"
                " FROM respondents r ORDER BY r.created_at, r.code"
            ).fetchall()
        people = [_respondent_from_row(row) for row in rows]
        columns = [
            "respondent", "institution_type", "sector", "interview_date", "interviewer",
            "consent", "answers",
        ]  # fmt: skip
        return pd.DataFrame(
            {
                "respondent": [p.code for p in people],
                "institution_type": [p.institution_type for p in people],
                "sector": [p.sector for p in people],
                "interview_date": pd.Series([p.interview_date for p in people], dtype=object),
                "interviewer": [p.interviewer for p in people],
                "consent": pd.Series([p.consent for p in people], dtype=bool),
                "answers": pd.Series([row[6] for row in rows], dtype="int64"),
            },
            columns=columns,
        )


def _remove_new_file(path: Path, error: BaseException) -> None:
    """Remove a mission file that :meth:`Mission.create` made and could not finish.

    Not when the error says the file is someone else's: another process may have created
    a mission of that name meanwhile.
    """
    if isinstance(error, StoreError) and error.code in (Code.MISSION_EXISTS, Code.NOT_A_MISSION):
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        # The error being handled is the one to report.
        with contextlib.suppress(OSError):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def _frame(
    records: Sequence[Mapping[str, Any]], columns: Sequence[str], *, objects: Sequence[str]
) -> pd.DataFrame:
    """A frame whose ``objects`` columns hold Python values as they are (None stays None,
    tuples stay tuples) rather than being converted to NaN or expanded."""
    import numpy as np
    import pandas as pd

    data: dict[str, Any] = {}
    for column in columns:
        if column in objects:
            cells = np.empty(len(records), dtype=object)
            for index, record in enumerate(records):
                cells[index] = record[column]
            data[column] = pd.Series(cells, dtype=object)
        else:
            data[column] = [record[column] for record in records]
    return pd.DataFrame(data, columns=list(columns))


def _question_order(questionnaire: Questionnaire | None) -> dict[str, int]:
    if questionnaire is None:
        return {}
    return {qid: index for index, qid in enumerate(questionnaire.questions)}


def _respondent_from_row(row: Sequence[Any]) -> Respondent:
    return Respondent(
        code=row[0],
        institution_type=row[1],
        sector=row[2],
        interview_date=_parse_date(row[3]),
        interviewer=row[4],
        consent=bool(row[5]),
    )


def _answer_from_row(row: sqlite3.Row) -> Answer:
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


#: Function spellings of :meth:`Mission.create` and :meth:`Mission.open`.
create_mission = Mission.create
open_mission = Mission.open
