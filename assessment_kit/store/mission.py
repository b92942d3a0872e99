"""The Mission API: one SQLite file or PostgreSQL database per mission, used by the widgets
and the CLI alike.

Every write is one transaction holding the writer lock (SQLite's ``BEGIN IMMEDIATE``,
PostgreSQL's advisory lock): a second process waits for the first
(up to the busy timeout) instead of failing, and a write that is refused (an invalid
answer, an unknown respondent) leaves nothing behind. Every change to a respondent, an
answer or a consolidated answer appends a row to ``history``, which triggers keep
append-only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from assessment_kit.errors import Code, Problem, ProblemsError, StoreError
from assessment_kit.i18n import LANGUAGES
from assessment_kit.questionnaire.model import Questionnaire
from assessment_kit.store import backends, schema, writes
from assessment_kit.store.connection import Connection, is_url, target_name
from assessment_kit.store.records import (
    CONSOLIDATED,
    Answer,
    ConsolidatedAnswer,
    MissionInfo,
    MissionRef,
    Respondent,
)
from assessment_kit.store.records import date_text as _date_text
from assessment_kit.store.records import now as _now
from assessment_kit.store.records import parse_date as _parse_date

if TYPE_CHECKING:
    pass

from assessment_kit.store.answers import AnswersMixin
from assessment_kit.store.base import remember_instrument
from assessment_kit.store.batch import Batch
from assessment_kit.store.consolidated import ConsolidatedMixin
from assessment_kit.store.merge import MergeMixin
from assessment_kit.store.respondents import RespondentsMixin

__all__ = [
    "CONSOLIDATED",
    "Answer",
    "ConsolidatedAnswer",
    "Mission",
    "MissionInfo",
    "MissionRef",
    "Respondent",
    "create_mission",
    "open_mission",
    "resolve_sections",
]


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


def sections_value(stored: str | None) -> str:
    """A mission's sections of one instrument as a history entry holds them: the stored
    list, or ``null`` for all of them (so that an entry never reads as "cleared")."""
    return "null" if stored is None else stored


def _sections_json(questionnaire: Questionnaire, sections: Sequence[str] | None) -> str | None:
    """The stored form of a partial assessment: None when every section is assessed."""
    if sections is None:
        return None
    order = [s.id for s in questionnaire.sections]
    kept = [s for s in order if s in set(sections)]
    return None if kept == order else json.dumps(kept)


class Mission(RespondentsMixin, AnswersMixin, ConsolidatedMixin, MergeMixin):
    """An open mission file. Use :meth:`create` or :meth:`open`; close it (or use ``with``).

    A Mission may be used from several threads (calls are serialized) and the same file
    may be open in several processes at once. Its parts live by job: the connection and
    questionnaires in :mod:`~assessment_kit.store.base`, then
    :mod:`~assessment_kit.store.respondents`, :mod:`~assessment_kit.store.answers`,
    :mod:`~assessment_kit.store.consolidated`, :mod:`~assessment_kit.store.history` and
    :mod:`~assessment_kit.store.merge` (receiving the history of copies of the mission).
    """

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
        baseline: MissionRef | None = None,
        uuid: str | None = None,
        language: str = "en",
    ) -> Mission:
        """Create a new mission using ``questionnaires``: a file, or an empty PostgreSQL
        database named by a ``postgresql://`` URL (see :mod:`~assessment_kit.store.postgres`).

        ``sections`` makes a partial assessment: the sections assessed, each as
        ``questionnaire.section`` or a section id unique among the questionnaires (see
        :func:`resolve_sections`); a questionnaire none of them names is assessed whole.
        ``baseline`` makes the mission a follow-up of that mission (``info.ref()`` of the
        baseline); ``info.baseline`` gives it back.
        ``uuid`` gives the new mission the identity of the mission it copies (``copy``).
        ``language`` is the mission's language (one of :data:`assessment_kit.i18n.LANGUAGES`):
        the briefing's and the form's.

        Raises
        ------
        StoreError
            When the mission already exists (``MISSION_EXISTS``), the database is not
            empty or cannot be reached, or the arguments are invalid.
        ProblemsError
            When a section is unknown or ambiguous (nothing is created).
        """
        target = str(path) if is_url(path) else Path(path)
        _check_new_mission(target, country, questionnaires, start_date, end_date, language)
        partial = resolve_sections(questionnaires, sections)
        conn = backends.connect_new(target)
        try:
            conn.begin_write()
            try:
                _insert_mission(
                    conn,
                    (country.strip(), title, _date_text(start_date), _date_text(end_date)),
                    questionnaires,
                    partial,
                    uuid or schema.new_uuid(),
                    baseline,
                    language,
                )
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
        except BaseException as error:
            conn.close()
            # A half-made mission would make the retry say "already exists": ours to
            # remove, since it did not exist when we started.
            backends.discard_new(target, error)
            if conn.is_error(error):
                raise conn.storage_error(error, "creating the mission") from error
            raise
        for questionnaire in questionnaires:
            remember_instrument(questionnaire)
        mission = cls(conn)
        mission._questionnaires = MappingProxyType({q.id: q for q in questionnaires})
        return mission

    @classmethod
    def open(cls, path: str | Path) -> Mission:
        """Open an existing mission, a file or a ``postgresql://`` URL, migrating an older
        schema forward.

        Raises
        ------
        StoreError
            ``FILE_NOT_FOUND``, ``NOT_A_MISSION`` or ``SCHEMA_TOO_NEW``; for a URL also
            ``PG_UNREACHABLE``, ``PG_AUTH_FAILED``, ``PG_DATABASE_MISSING`` or
            ``PG_PASSWORD_IN_URL``.
        """
        conn = backends.connect(path)
        try:
            if conn.execute("SELECT count(*) FROM mission").fetchone()[0] != 1:
                raise StoreError(
                    problem=Problem.make(
                        Code.NOT_A_MISSION,
                        file=conn.location,
                        detail="the mission record is missing",
                    )
                )
        except BaseException as error:
            conn.close()
            if conn.is_error(error):
                raise conn.storage_error(error, "opening the mission") from error
            raise
        return cls(conn)

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

    @property
    def info(self) -> MissionInfo:
        """The mission's country, title, dates, instruments, identity (uuid) and baseline."""
        row = self._query(
            "SELECT country, title, start_date, end_date, created_at, uuid, baseline, language"
            " FROM mission WHERE id = 1"
        )[0]
        rows = self._query("SELECT id, version, sections FROM instruments ORDER BY position, id")
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
            uuid=row["uuid"],
            baseline=_baseline(row["baseline"]),
            language=row["language"],
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

    def set_sections(
        self, questionnaire: str, sections: Sequence[str] | None, *, by: str = ""
    ) -> None:
        """Choose the sections of ``questionnaire`` the mission assesses (None: all of them).

        Answers to the other sections are kept; scoring leaves them out. A change is a
        history entry (kind ``sections``, its value the list of sections or ``null`` for
        all), so that a merge of two copies carries it like any answer.

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
                        file=self.location,
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
            row = conn.execute(
                "SELECT sections FROM instruments WHERE id = ?", (questionnaire,)
            ).fetchone()
            before = row[0] if row is not None else None
            if before == stored and not writes.in_conflict(
                conn, "sections", None, questionnaire, None
            ):
                return
            conn.execute(
                "UPDATE instruments SET sections = ? WHERE id = ?", (stored, questionnaire)
            )
            writes.record_history(
                conn, "sections", None, questionnaire, None,
                sections_value(before), sections_value(stored), None, by, _now(),
            )  # fmt: skip


def _baseline(stored: str | None) -> MissionRef | None:
    """The stored baseline (a JSON object), None when the mission records none."""
    if stored is None:
        return None
    data = json.loads(stored)
    return MissionRef.from_json(data) if isinstance(data, dict) else None


def _insert_mission(
    conn: Connection,
    record: tuple[str, str, str | None, str | None],
    questionnaires: Sequence[Questionnaire],
    partial: Mapping[str, tuple[str, ...]],
    identity: str,
    baseline: MissionRef | None,
    language: str = "en",
) -> None:
    """The mission record (country, title, dates, identity, baseline, language) and its
    questionnaires, in order, inside the caller's transaction."""
    if conn.execute("SELECT count(*) FROM mission").fetchone()[0]:
        raise StoreError(problem=Problem.make(Code.MISSION_EXISTS, file=conn.location))
    now = _now()
    conn.execute(
        "INSERT INTO mission"
        " (id, country, title, start_date, end_date, created_at, uuid, baseline, language)"
        " VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            *record,
            now,
            identity,
            None if baseline is None else json.dumps(baseline.to_json()),
            language,
        ),
    )
    for position, questionnaire in enumerate(questionnaires, start=1):
        conn.execute(
            "INSERT INTO instruments"
            " (id, version, title, source_text, added_at, sections, position)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                questionnaire.id,
                questionnaire.version,
                str(questionnaire.title),
                questionnaire.source_text,
                now,
                _sections_json(questionnaire, partial.get(questionnaire.id)),
                position,
            ),
        )


def _check_new_mission(
    path: Path | str,
    country: str,
    questionnaires: Sequence[Questionnaire],
    start_date: date | None,
    end_date: date | None,
    language: str = "en",
) -> None:
    """Refuse what :meth:`Mission.create` cannot make, before any file is made."""
    where = target_name(path)
    if language not in LANGUAGES:
        raise StoreError(
            problem=Problem.make(
                Code.MISSION_LANGUAGE, file=where, language=language, known=", ".join(LANGUAGES)
            )
        )
    if isinstance(path, Path):
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


#: Function spellings of :meth:`Mission.create` and :meth:`Mission.open`.
create_mission = Mission.create
open_mission = Mission.open
