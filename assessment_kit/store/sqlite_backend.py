"""The SQLite mission file behind the store's :class:`~assessment_kit.store.connection.Connection`.

A thin wrapper: statements run on the :mod:`sqlite3` connection as they are (SQLite takes
``?`` placeholders), ``BEGIN IMMEDIATE`` takes the write lock up front, and SQLite's errors
become the catalogued messages of :func:`~assessment_kit.store.schema.storage_error`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from assessment_kit.errors import StoreError
from assessment_kit.store import schema
from assessment_kit.store.connection import Cursor, Row

__all__ = ["SQLiteConnection"]


class SQLiteConnection:
    """An open mission file (see :class:`~assessment_kit.store.connection.Connection`)."""

    dialect: Literal["sqlite"] = "sqlite"

    def __init__(self, path: Path, raw: sqlite3.Connection) -> None:
        self.path = path
        self.location = str(path)
        #: The sqlite3 connection itself (SQLite-only code and tests reach PRAGMAs here).
        self.raw = raw

    @classmethod
    def open(cls, path: Path, *, create: bool = False) -> SQLiteConnection:
        """Open (or create) a mission file; see :func:`~assessment_kit.store.schema.connect`."""
        return cls(path, schema.connect(path, create=create))

    def execute(self, sql: str, params: Sequence[object] = ()) -> Cursor:
        return self.raw.execute(sql, tuple(params))

    def query(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        cursor = self.raw.execute(sql, tuple(params))
        cursor.row_factory = sqlite3.Row
        return cursor.fetchall()

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        self.raw.executemany(sql, rows)

    def after_copy(self) -> None:
        # A new history entry takes the id after the largest one, the copied ones too.
        pass

    def begin_write(self) -> None:
        # IMMEDIATE takes the write lock up front (waiting up to the busy timeout), so a
        # write transaction never fails half-way on another writer's lock.
        self.raw.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.raw.execute("COMMIT")

    def rollback(self) -> None:
        schema.rollback(self.raw)

    def close(self) -> None:
        self.raw.close()

    def is_error(self, error: BaseException) -> bool:
        return isinstance(error, sqlite3.Error)

    def storage_error(self, error: BaseException, doing: str) -> StoreError:
        assert isinstance(error, sqlite3.Error)
        return schema.storage_error(error, self.path, doing)
