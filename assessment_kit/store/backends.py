"""Opening a mission store by what names it: a file path (SQLite) or a ``postgresql://``
URL (PostgreSQL). :class:`~assessment_kit.store.Mission` and ``copy`` open through here,
so both backends are chosen, created and cleaned up after in one place."""

from __future__ import annotations

import contextlib
from pathlib import Path

from assessment_kit.errors import Code, StoreError
from assessment_kit.store import schema
from assessment_kit.store.connection import Connection, is_url
from assessment_kit.store.sqlite_backend import SQLiteConnection

__all__ = ["connect", "connect_new", "discard_new"]


def connect(target: str | Path) -> Connection:
    """A connection to an existing mission store, its schema migrated forward.

    Raises
    ------
    StoreError
        ``FILE_NOT_FOUND``, ``NOT_A_MISSION`` or ``SCHEMA_TOO_NEW``; for a URL also
        ``PG_UNREACHABLE``, ``PG_AUTH_FAILED``, ``PG_DATABASE_MISSING`` or
        ``PG_PASSWORD_IN_URL``.
    """
    if is_url(target):
        from assessment_kit.store.postgres import PostgresConnection

        return PostgresConnection.open(str(target))
    path = Path(target)
    conn = SQLiteConnection.open(path)
    try:
        schema.migrate(conn.raw, str(path))
    except BaseException:
        conn.close()
        raise
    return conn


def connect_new(target: str | Path) -> Connection:
    """A connection to a new, empty mission store with its tables made: a new file (removed
    again if its tables cannot be made), or an empty database given the schema."""
    if is_url(target):
        from assessment_kit.store.postgres import PostgresConnection

        return PostgresConnection.open(str(target), create=True)
    path = Path(target)
    try:
        conn = SQLiteConnection.open(path, create=True)
    except BaseException as error:
        discard_new(path, error)
        raise
    try:
        schema.migrate(conn.raw, str(path))
    except BaseException as error:
        conn.close()
        discard_new(path, error)
        raise
    return conn


def discard_new(target: str | Path, error: BaseException) -> None:
    """Undo a new store that could not be finished, so that a retry does not find it
    "already there": the file is removed, the database emptied of our tables.

    Not when the error says the store is someone else's (another process may have made a
    mission of that name meanwhile), and never a database that holds a mission record.
    """
    if isinstance(error, StoreError) and error.code in (
        Code.MISSION_EXISTS,
        Code.NOT_A_MISSION,
        Code.PG_DATABASE_NOT_EMPTY,
    ):
        return
    if is_url(target):
        from assessment_kit.store.postgres import drop_new_mission

        # The error being handled is the one to report.
        with contextlib.suppress(Exception):
            drop_new_mission(str(target))
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        # The error being handled is the one to report.
        with contextlib.suppress(OSError):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
