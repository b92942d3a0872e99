"""The store's seam: the small connection interface a mission talks to.

A :class:`~assessment_kit.store.Mission` never holds a driver's connection; it holds a
:class:`Connection`: ``execute`` with ``?`` placeholders, ``query`` for rows read by column
name, ``begin_write`` / ``commit`` / ``rollback`` (the first takes the writer lock, so
writers run one after another and the store's read-check-write logic stays true), and
``storage_error`` to turn the driver's error into a catalogued :class:`StoreError`. Two
implementations: an SQLite file (:mod:`~assessment_kit.store.sqlite_backend`) and a
PostgreSQL database (:mod:`~assessment_kit.store.postgres`). The SQL the store writes is
one text for both: ``?`` placeholders, ``ON CONFLICT``, ``RETURNING``, no ``rowid`` and no
JSON functions (JSON stays text, decoded in Python, so both keep the same bytes).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit, urlunsplit

from assessment_kit.errors import StoreError

__all__ = [
    "Connection",
    "Cursor",
    "Dialect",
    "Row",
    "is_url",
    "redact_url",
    "target_name",
]

#: A row read through :meth:`Connection.query`: by position (``row[0]``) and by column name
#: (``row["code"]``); ``dict(row)`` gives the columns by name.
Row = Any

Dialect = Literal["sqlite", "postgresql"]

#: URL schemes that name a PostgreSQL mission (libpq's two spellings).
URL_SCHEMES = ("postgresql", "postgres")


class Cursor(Protocol):
    """What :meth:`Connection.execute` returns: rows by position."""

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...

    @property
    def description(self) -> Any:
        """The columns read, each a sequence whose first item is the column's name."""
        ...


class Connection(Protocol):
    """One open mission store: an SQLite file or a PostgreSQL database."""

    @property
    def dialect(self) -> Dialect:
        """Which SQL dialect answers (for the few reads each backend does its own way)."""
        ...

    @property
    def location(self) -> str:
        """The mission as messages show it: a file path, or a URL without any password."""
        ...

    def execute(self, sql: str, params: Sequence[object] = ()) -> Cursor:
        """Run one statement with ``?`` placeholders."""
        ...

    def query(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        """Every row of a query, each readable by column name."""
        ...

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        """Run one statement once per row of parameters (fast on both backends)."""
        ...

    def after_copy(self) -> None:
        """Bring counters (the history's ids) past the rows a copy inserted."""
        ...

    def begin_write(self) -> None:
        """Open a write transaction holding the writer lock (waiting for it)."""
        ...

    def commit(self) -> None: ...

    def rollback(self) -> None:
        """Roll back the open transaction, if any; never raises over the error being
        handled."""
        ...

    def close(self) -> None: ...

    def is_error(self, error: BaseException) -> bool:
        """Whether ``error`` is this backend's database error."""
        ...

    def storage_error(self, error: BaseException, doing: str) -> StoreError:
        """A catalogued :class:`StoreError` saying what the database's ``error`` means."""
        ...


def is_url(target: str | Path) -> bool:
    """Whether ``target`` names a PostgreSQL mission (``postgresql://...``) rather than a
    file."""
    if isinstance(target, Path):
        return False
    scheme, sep, _ = target.partition("://")
    return bool(sep) and scheme.lower() in URL_SCHEMES


def redact_url(url: str) -> str:
    """``url`` with any password removed, for messages and logs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "postgresql://(a URL that does not parse)"
    netloc = parts.netloc
    if "@" in netloc:
        credentials, _, host = netloc.rpartition("@")
        user = credentials.partition(":")[0]
        netloc = f"{user}@{host}"
    query = "&".join(
        f"{key}=***" if key.lower() == "password" else f"{key}={value}" if sep else key
        for key, sep, value in (item.partition("=") for item in parts.query.split("&") if item)
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def target_name(target: str | Path) -> str:
    """A mission target as messages show it: the path, or the URL without a password."""
    return redact_url(str(target)) if is_url(target) else str(target)
