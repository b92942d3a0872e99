"""The mission file's schema: connection settings, DDL and forward migrations.

A mission file is marked by ``PRAGMA application_id`` (so any other SQLite file is
refused) and versioned by ``PRAGMA user_version``. ``MIGRATIONS[i]`` takes a file from
version ``i`` to ``i + 1``; opening an older file migrates it forward in one transaction,
opening a newer one is refused.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assessment_kit.errors import Code, Problem, StoreError

__all__ = [
    "APPLICATION_ID",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "connect",
    "file_error",
    "migrate",
    "new_uuid",
    "new_uuids",
    "refuse_folder",
    "storage_error",
]

#: "AKM1": marks an SQLite file as an assessment-kit mission.
APPLICATION_ID = 0x414B4D31

#: Milliseconds a writer waits for another process's transaction before giving up.
BUSY_TIMEOUT_MS = 10_000

_V1 = """
CREATE TABLE mission (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    country TEXT NOT NULL,
    title TEXT NOT NULL,
    start_date TEXT,
    end_date TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE instruments (
    id TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    title TEXT NOT NULL,
    source_text TEXT NOT NULL,
    added_at TEXT NOT NULL
);
CREATE TABLE respondents (
    code TEXT PRIMARY KEY CHECK (length(code) > 0),
    institution_type TEXT NOT NULL,
    sector TEXT NOT NULL DEFAULT '',
    interview_date TEXT,
    interviewer TEXT NOT NULL DEFAULT '',
    consent INTEGER NOT NULL DEFAULT 0 CHECK (consent IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE answers (
    respondent TEXT NOT NULL REFERENCES respondents (code),
    questionnaire TEXT NOT NULL REFERENCES instruments (id),
    question TEXT NOT NULL,
    value TEXT NOT NULL CHECK (json_valid(value)),
    note TEXT NOT NULL DEFAULT '',
    evidence TEXT NOT NULL DEFAULT '',
    confidential INTEGER NOT NULL DEFAULT 0 CHECK (confidential IN (0, 1)),
    updated_by TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (respondent, questionnaire, question)
) WITHOUT ROWID;
CREATE TABLE consolidated (
    questionnaire TEXT NOT NULL REFERENCES instruments (id),
    question TEXT NOT NULL,
    value TEXT NOT NULL CHECK (json_valid(value)),
    rationale TEXT NOT NULL DEFAULT '',
    updated_by TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (questionnaire, question)
) WITHOUT ROWID;
-- Append-only: one row per change. old/new are JSON (NULL = absent); detail holds the
-- note, evidence, confidential flag or rationale after the change.
CREATE TABLE history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('answer', 'consolidated', 'respondent')),
    respondent TEXT,
    questionnaire TEXT,
    question TEXT,
    old_value TEXT,
    new_value TEXT,
    detail TEXT,
    "by" TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE INDEX history_by_answer ON history (questionnaire, question, respondent);
CREATE TRIGGER history_no_update BEFORE UPDATE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER history_no_delete BEFORE DELETE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
"""


def _execute_script(conn: Any, script: str) -> None:
    # Not executescript(): it COMMITs first, and migrations must stay in our transaction.
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        # Triggers hold ';' inside BEGIN ... END, so split on complete statements only.
        if sqlite3.complete_statement(pending):
            conn.execute(pending)
            pending = ""


# Migrations take the store's connection (anything with ``execute(sql, params)``); from
# version 4 on they run on PostgreSQL as well, so they are written in the SQL both share.
# The first four only ever run on SQLite: PostgreSQL missions start at version 5.


def _migrate_0_to_1(conn: Any) -> None:
    _execute_script(conn, _V1)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def _migrate_1_to_2(conn: Any) -> None:
    # The sections a partial assessment covers, as a JSON list of section ids; NULL (every
    # older file) means the whole instrument is assessed.
    conn.execute(
        "ALTER TABLE instruments ADD COLUMN sections TEXT"
        " CHECK (sections IS NULL OR json_valid(sections))"
    )


def _migrate_2_to_3(conn: Any) -> None:
    # The mission's identity: copies of a mission share it, and commands that join two
    # missions (merge) refuse two different ones. An older file gets one now, once: the
    # copies of it made before this version each get their own, so they must be upgraded
    # once and copied again to be merged.
    conn.execute("ALTER TABLE mission ADD COLUMN uuid TEXT")
    conn.execute("UPDATE mission SET uuid = ?", (new_uuid(),))
    # The baseline mission a follow-up assessment is compared with, as a JSON object
    # (its uuid, title and dates); NULL for a baseline or a stand-alone mission.
    conn.execute(
        "ALTER TABLE mission ADD COLUMN baseline TEXT"
        " CHECK (baseline IS NULL OR json_valid(baseline))"
    )


#: The namespace of the history entry ids that schema 4 derives for older entries.
_OLD_ENTRIES = uuid.UUID("6f3c1d2a-5e0b-4c38-9a51-2b7e4d9c8a10")

_HISTORY_TRIGGERS = """
CREATE TRIGGER history_no_update BEFORE UPDATE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER history_no_delete BEFORE DELETE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER history_needs_uuid BEFORE INSERT ON history WHEN NEW.uuid IS NULL
BEGIN SELECT RAISE(ABORT, 'a history entry needs its uuid'); END;
"""


def _migrate_3_to_4(conn: Any) -> None:
    # History entries get a global identity so that copies of a mission can be merged:
    #   uuid      the entry's identity, the same in every copy that holds it;
    #   parent    the uuid of the entry that was current for the same respondent, question
    #             or consolidated answer when the change was made (NULL: the first change);
    #   resolved  the uuids, space-separated, of the other entries in conflict with the
    #             parent that this change settles (NULL: none), so that an answer set again
    #             after a merge conflict is no longer in conflict.
    # The current answer of an item is its latest "tip" (an entry no other entry names as
    # parent or resolved), by time then uuid; two tips or more are a conflict.
    conn.execute("ALTER TABLE history ADD COLUMN uuid TEXT")
    conn.execute("ALTER TABLE history ADD COLUMN parent TEXT")
    conn.execute("ALTER TABLE history ADD COLUMN resolved TEXT")
    # Older entries get ids derived from the mission's uuid and the entry itself (its
    # local id and every field), not random ones: two copies of an older file upgraded
    # apart give the entries they share the same ids, so merging them later recognises
    # those entries as one, while entries written apart (same local id, other content)
    # differ. Parents chain each item's entries in the order they were written.
    row = conn.execute("SELECT uuid FROM mission WHERE id = 1").fetchone()
    mission = "" if row is None or row[0] is None else str(row[0])
    conn.execute("DROP TRIGGER history_no_update")
    conn.execute("DROP TRIGGER history_no_delete")
    last: dict[tuple[object, ...], str] = {}
    updates: list[tuple[str, str | None, int]] = []
    rows = conn.execute(
        "SELECT id, kind, respondent, questionnaire, question, old_value, new_value, detail,"
        ' "by", at FROM history ORDER BY id'
    )
    for entry in rows:
        identity = str(uuid.uuid5(_OLD_ENTRIES, json.dumps([mission, *entry])))
        item = (entry[1], entry[2], entry[3], entry[4])
        updates.append((identity, last.get(item), entry[0]))
        last[item] = identity
    conn.executemany("UPDATE history SET uuid = ?, parent = ? WHERE id = ?", updates)
    conn.execute("CREATE UNIQUE INDEX history_by_uuid ON history (uuid)")
    _execute_script(conn, _HISTORY_TRIGGERS)


def _migrate_4_to_5(conn: Any) -> None:
    # The order the mission lists its questionnaires in, as a column both backends have
    # (SQLite kept it in the rowid, which PostgreSQL has not): older files keep theirs.
    conn.execute("ALTER TABLE instruments ADD COLUMN position INTEGER NOT NULL DEFAULT 0")
    conn.execute("UPDATE instruments SET position = rowid")


def _migrate_5_to_6(conn: Any) -> None:
    # The mission's language (one of the six UN languages): the briefing is written in it
    # and the form opens in it. Every older file was English.
    conn.execute(
        "ALTER TABLE mission ADD COLUMN language TEXT NOT NULL DEFAULT 'en'"
        " CHECK (language IN ('en', 'fr', 'es', 'ar', 'ru', 'zh'))"
    )


# Schema 7: the history table as SQLite makes it again, the uuid NOT NULL; schema 8 makes
# it so once more, with one more kind ({kinds}).
_HISTORY_AGAIN = """
CREATE TABLE history_again (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ({kinds})),
    respondent TEXT,
    questionnaire TEXT,
    question TEXT,
    old_value TEXT,
    new_value TEXT,
    detail TEXT,
    "by" TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    uuid TEXT NOT NULL,
    parent TEXT,
    resolved TEXT
);
"""

_HISTORY_7_REST = """
CREATE INDEX history_by_answer ON history (questionnaire, question, respondent);
CREATE UNIQUE INDEX history_by_uuid ON history (uuid);
CREATE TRIGGER history_no_update BEFORE UPDATE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER history_no_delete BEFORE DELETE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
"""

_HISTORY_COLUMNS = (
    'id, kind, respondent, questionnaire, question, old_value, new_value, detail, "by", at,'
    " uuid, parent, resolved"
)


def _migrate_6_to_7(conn: Any) -> None:
    # Two costs of every history insert go, for an import of 200,000 answers whose
    # entries took seconds to insert (benchmarks/bench_interop.py):
    # - the uuid every entry needs (merging copies matches entries by it) is a NOT NULL
    #   column instead of schema 4's trigger run before each insert (half a second);
    # - on SQLite, the id is the rowid without AUTOINCREMENT, whose counter table was read
    #   and written again for every entry (over a second). AUTOINCREMENT only differs when
    #   the entry with the largest id has been deleted, and history entries never are
    #   (the append-only triggers stay): each new entry still takes the next id.
    if getattr(conn, "dialect", "sqlite") == "postgresql":
        conn.execute("ALTER TABLE history ALTER COLUMN uuid SET NOT NULL")
        conn.execute("DROP TRIGGER history_needs_uuid ON history")
        conn.execute("DROP FUNCTION history_needs_uuid()")
        return
    # SQLite cannot change a column or the table's key: the table is made again.
    _make_history_again(conn, "'answer', 'consolidated', 'respondent'")


def _make_history_again(conn: Any, kinds: str) -> None:
    """Make SQLite's history table again, the kinds ``kinds`` allowed: every entry (its id
    too), its indexes and its append-only triggers (SQLite cannot change a column, a check
    or the table's key in place)."""
    _execute_script(conn, _HISTORY_AGAIN.format(kinds=kinds))
    conn.execute(
        f"INSERT INTO history_again ({_HISTORY_COLUMNS}) SELECT {_HISTORY_COLUMNS} FROM history"
    )
    conn.execute("DROP TABLE history")
    conn.execute("ALTER TABLE history_again RENAME TO history")
    _execute_script(conn, _HISTORY_7_REST)


#: The kinds of history entries from schema 8 on (PostgreSQL's schema names them too).
HISTORY_KINDS = "'answer', 'consolidated', 'respondent', 'sections'"


def _migrate_7_to_8(conn: Any) -> None:
    # A change of the sections a mission assesses is a history entry (kind 'sections') like
    # any other change, so that merging two copies carries it: before, it was only written
    # in place, and a merge kept the receiving copy's sections.
    if getattr(conn, "dialect", "sqlite") == "postgresql":
        conn.execute("ALTER TABLE history DROP CONSTRAINT history_kind_check")
        conn.execute(
            "ALTER TABLE history ADD CONSTRAINT history_kind_check"
            f" CHECK (kind IN ({HISTORY_KINDS}))"
        )
        return
    _make_history_again(conn, HISTORY_KINDS)


def new_uuid() -> str:
    """A new random identity (UUID version 4, as text): of a mission or a history entry."""
    return new_uuids(1)[0]


# Bytes 6 and 8 of a version 4 UUID carry its version (0100) and variant (10) bits
# (RFC 4122, 4.4); the other 122 bits are random.
_VERSION_4 = bytes((byte & 0x0F) | 0x40 for byte in range(256))
_VARIANT = bytes((byte & 0x3F) | 0x80 for byte in range(256))


def new_uuids(count: int) -> list[str]:
    """``count`` new random identities (UUID version 4, as text), from one read of the
    system's random source: an import gives every history entry its own, and
    ``uuid.uuid4()`` per entry (one ``os.urandom`` call and a UUID object each) cost a
    second per 200,000."""
    block = bytearray(os.urandom(16 * count))
    block[6::16] = block[6::16].translate(_VERSION_4)
    block[8::16] = block[8::16].translate(_VARIANT)
    digits = block.hex()
    return [
        f"{d[:8]}-{d[8:12]}-{d[12:16]}-{d[16:20]}-{d[20:]}"
        for d in (digits[start : start + 32] for start in range(0, 32 * count, 32))
    ]


#: ``MIGRATIONS[i]`` migrates a file from schema version ``i`` to ``i + 1``.
MIGRATIONS: tuple[Callable[[Any], None], ...] = (
    _migrate_0_to_1,
    _migrate_1_to_2,
    _migrate_2_to_3,
    _migrate_3_to_4,
    _migrate_4_to_5,
    _migrate_5_to_6,
    _migrate_6_to_7,
    _migrate_7_to_8,
)
SCHEMA_VERSION = len(MIGRATIONS)


def file_error(code: Code, file: str | Path, detail: str, fix: str) -> StoreError:
    """A :class:`StoreError` about ``file`` for a catalogue entry whose text is all given
    (``STORE_IO``, ``BAD_ROW``): what is wrong and how to fix it."""
    return StoreError(problem=Problem.make(code, file=str(file), detail=detail, fix=fix))


def refuse_folder(path: Path, fix: str) -> None:
    """Raise a clear :class:`StoreError` when ``path``, given as a file, is a folder."""
    if path.is_dir():
        raise file_error(Code.STORE_IO, path, "this is a folder, not a file", fix)


# SQLite's primary result codes (the low byte of ``sqlite_errorcode``).
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 26


def storage_error(error: sqlite3.Error, path: str | Path, doing: str) -> StoreError:
    """A :class:`StoreError` that says what SQLite's ``error`` means for the user.

    ``doing`` is what was under way (``"writing to the mission"``); the message names the
    state (read-only file or folder, full disk, damaged file, another program writing)
    and what to do about it.
    """
    where = str(path)
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF
    text = str(error)
    if code == _FULL or "disk is full" in text or (code == _IOERR and _no_room(path)):
        return StoreError(problem=Problem.make(Code.DISK_FULL, file=where, doing=doing))
    if code == _READONLY or "readonly database" in text:
        return StoreError(problem=Problem.make(Code.MISSION_READ_ONLY, file=where))
    if code == _CORRUPT or "malformed" in text:
        return StoreError(problem=Problem.make(Code.MISSION_DAMAGED, file=where, detail=text))
    if code == _NOTADB:
        return _not_a_mission(Path(path), f"not an SQLite database ({text})")
    folder = Path(path).resolve().parent
    if code == _CANTOPEN and Path(path).is_file() and not os.access(folder, os.W_OK):
        return StoreError(
            problem=Problem.make(Code.FOLDER_READ_ONLY, file=where, name=Path(path).name)
        )
    if code in (_BUSY, _LOCKED):
        return file_error(
            Code.STORE_IO,
            where,
            f"another program is writing to the mission ({text}) while {doing}",
            "wait for it to finish, or close it, and try again",
        )
    return file_error(
        Code.STORE_IO,
        where,
        f"SQLite could not finish {doing}: {text}",
        "check the disk and the file's permissions, then try again",
    )


def _not_a_mission(path: Path, detail: str) -> StoreError:
    return StoreError(problem=Problem.make(Code.NOT_A_MISSION, file=str(path), detail=detail))


def connect(path: Path, *, create: bool = False) -> sqlite3.Connection:
    """Open a connection to a mission file (or a new file when ``create``) and configure it.

    The file's identity is checked before anything is written to it, so opening some other
    SQLite file never turns it into WAL mode or adds tables.

    Raises
    ------
    StoreError
        ``FILE_NOT_FOUND``, ``NOT_A_MISSION`` or ``SCHEMA_TOO_NEW``.
    """
    refuse_folder(path, "give the mission file, such as mission.db")
    mode = "rwc" if create else "rw"
    uri = f"{path.resolve().as_uri()}?mode={mode}"
    try:
        # isolation_level=None: we issue BEGIN IMMEDIATE / COMMIT ourselves.
        conn = sqlite3.connect(
            uri, uri=True, isolation_level=None, check_same_thread=False, timeout=0
        )
    except sqlite3.OperationalError as error:
        folder = path.resolve().parent
        if create and not folder.is_dir():
            raise file_error(
                Code.STORE_IO,
                path,
                f"cannot create the mission: the folder {folder} does not exist",
                "create the folder first, or give a path in an existing one",
            ) from error
        if create and not os.access(folder, os.W_OK):
            raise file_error(
                Code.STORE_IO,
                path,
                f"cannot create the mission: the folder {folder} cannot be written",
                "choose a folder you can write to",
            ) from error
        if not path.exists():
            raise StoreError(problem=Problem.make(Code.FILE_NOT_FOUND, file=str(path))) from error
        raise file_error(
            Code.STORE_IO, path, f"cannot open the file: {error}", "check the file's permissions"
        ) from error
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        try:
            application_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as error:
            raise storage_error(error, path, "opening the mission") from error
        if create:
            if application_id != 0 or version != 0:
                raise StoreError(problem=Problem.make(Code.MISSION_EXISTS, file=str(path)))
        elif application_id != APPLICATION_ID:
            raise _not_a_mission(path, "an SQLite database, but not an assessment-kit mission")
        if version > SCHEMA_VERSION:
            raise StoreError(
                problem=Problem.make(
                    Code.SCHEMA_TOO_NEW, file=str(path), found=version, known=SCHEMA_VERSION
                )
            )
        # WAL: readers never block the writer and a killed writer leaves a consistent file.
        conn.execute("PRAGMA journal_mode = WAL")
        # FULL: in WAL mode this fsyncs the log at every commit, so an acknowledged answer
        # survives power loss as well as a killed process (NORMAL only survives the kill).
        # It costs well under a millisecond per answer here; see benchmarks/bench_store.py.
        conn.execute("PRAGMA synchronous = FULL")
        # Up to 64 MiB of page cache (taken only as used): an import of thousands of
        # interviews inserts into the history's indexes at random places, and the default
        # 2 MiB re-reads their pages (benchmarks/bench_interop.py: 8.4 s -> 6.1 s of inserts).
        conn.execute("PRAGMA cache_size = -65536")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.Error as error:
        conn.close()
        raise storage_error(error, path, "opening the mission") from error
    except BaseException:
        conn.close()
        raise
    return conn


def migrate(conn: sqlite3.Connection, path: str = "") -> int:
    """Bring the schema forward to :data:`SCHEMA_VERSION` in one transaction.

    Returns the version found before migrating. Safe when two processes open an old file at
    once: the version is re-read inside the write transaction.
    """
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        return version
    try:
        conn.execute("BEGIN IMMEDIATE")
        found: int = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error as error:
        rollback(conn)
        raise storage_error(error, path, "opening the mission") from error
    try:
        for step in MIGRATIONS[found:]:
            step(conn)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException as error:
        rollback(conn)
        if isinstance(error, sqlite3.Error) and _is_storage(error):
            raise storage_error(error, path, "writing the mission's tables") from error
        if isinstance(error, sqlite3.Error):
            raise file_error(
                Code.STORE_IO,
                path,
                f"cannot upgrade the mission file from schema version {found} to "
                f"{SCHEMA_VERSION} ({error}); the file is unchanged",
                "report this to the assessment-kit developers with the file",
            ) from error
        raise
    return found


def _no_room(path: str | Path) -> bool:
    """Whether the disk holding ``path`` is (nearly) full: SQLite reports a full disk as an
    I/O error when it cannot grow its shared-memory file."""
    try:
        return shutil.disk_usage(Path(path).resolve().parent).free < 64 * 1024
    except OSError:
        return False


def rollback(conn: sqlite3.Connection) -> None:
    """Roll back the open transaction, if SQLite has not already done so.

    After a full disk or an I/O error SQLite may have rolled back by itself; a ROLLBACK
    then fails ("no transaction is active") and would hide the real error.
    """
    if conn.in_transaction:
        # The error being handled is the one to report.
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


def _is_storage(error: sqlite3.Error) -> bool:
    """Whether ``error`` comes from the file or the disk rather than from the schema."""
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF
    return code in (_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB)
