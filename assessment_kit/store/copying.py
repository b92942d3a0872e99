"""``assessment-kit copy SRC DEST``: a mission copied whole between an SQLite file and a
PostgreSQL database, in either direction (or file to file, database to database).

Everything is copied row for row, the history included, and the copy keeps the mission's
uuid, so it can later be merged back (``merge``). The destination must be new: a file that
does not exist, or an empty database; a copy never writes over a mission. The source is
read under its writer lock, so the copy is one moment of it, and the destination is written
in one transaction: a failed copy leaves no half-made mission behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assessment_kit.errors import Code, Problem, StoreError
from assessment_kit.store import backends
from assessment_kit.store.connection import Connection, is_url, target_name

__all__ = ["COPIED_TABLES", "CopyResult", "copy_mission"]

#: The tables a copy carries, parents before children (foreign keys hold at every row).
COPIED_TABLES = ("mission", "instruments", "respondents", "answers", "consolidated", "history")


@dataclass(frozen=True, slots=True)
class CopyResult:
    """What :func:`copy_mission` copied: where from and to (as messages show them), the
    mission's uuid, and the rows of each table."""

    source: str
    destination: str
    uuid: str
    rows: dict[str, int]

    def summary(self) -> str:
        """One line for the command line."""
        counts = ", ".join(
            f"{self.rows.get(table, 0)} {name}"
            for table, name in (
                ("respondents", "respondents"),
                ("answers", "answers"),
                ("consolidated", "consolidated answers"),
                ("history", "history entries"),
            )
        )
        return f"copied {self.source} to {self.destination} (mission {self.uuid}): {counts}"


def _columns(conn: Connection, table: str) -> list[str]:
    """The table's columns, from a read of no rows (both drivers describe it)."""
    cursor = conn.execute(f"SELECT * FROM {table} LIMIT 0")
    return [str(column[0]) for column in cursor.description or ()]


def _refuse_existing(destination: str | Path) -> None:
    if not is_url(destination) and Path(destination).exists():
        raise StoreError(problem=Problem.make(Code.MISSION_EXISTS, file=target_name(destination)))


def copy_mission(source: str | Path, destination: str | Path) -> CopyResult:
    """Copy the mission ``source`` to the new ``destination``, history and uuid included.

    Each is a file path or a ``postgresql://`` URL; ``destination`` must not exist (a file)
    or must be an empty database.

    Raises
    ------
    StoreError
        ``MISSION_EXISTS`` or ``PG_DATABASE_NOT_EMPTY`` for a destination in use; any
        error opening the source. Nothing is left at the destination after a failure.
    """
    _refuse_existing(destination)
    src = backends.connect(source)
    try:
        dest = backends.connect_new(destination)
        try:
            rows = _copy_tables(src, dest)
            uuid = str(dest.execute("SELECT uuid FROM mission").fetchone()[0])
        except BaseException as error:
            dest.close()
            backends.discard_new(destination, error)
            if dest.is_error(error):
                raise dest.storage_error(error, "copying the mission") from error
            if src.is_error(error):
                raise src.storage_error(error, "copying the mission") from error
            raise
        dest.close()
    finally:
        src.close()
    return CopyResult(src.location, dest.location, uuid, rows)


def _copy_tables(src: Connection, dest: Connection) -> dict[str, int]:
    """Every row of every table from ``src`` to ``dest``, in one transaction on each."""
    counts: dict[str, int] = {}
    # The writer lock on the source: no write lands between the tables read.
    src.begin_write()
    try:
        dest.begin_write()
        try:
            for table in COPIED_TABLES:
                columns = _columns(src, table)
                missing = set(columns) - set(_columns(dest, table))
                if missing:
                    raise StoreError(
                        problem=Problem.make(
                            Code.STORE_IO,
                            file=dest.location,
                            detail=f"the {table} table has no {', '.join(sorted(missing))}",
                            fix="open both missions with the same assessment-kit release",
                        )
                    )
                names = ", ".join(f'"{name}"' for name in columns)
                marks = ", ".join("?" for _ in columns)
                read = src.execute(f"SELECT {names} FROM {table}")
                data = [tuple(row) for row in read.fetchall()]
                if data:
                    dest.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", data)
                counts[table] = len(data)
            dest.after_copy()
            dest.commit()
        except BaseException:
            dest.rollback()
            raise
    finally:
        src.rollback()
    return counts
