"""The output guard: what an export may write over, checked before any work is done.

Every command that writes a file the user names (``export``, ``brief``) calls
:func:`check_output` first. It refuses, with a catalogued :class:`StoreError`:

- a mission file, recognised by its content (an SQLite header and the mission's marks or
  tables, whatever the file is called), or the write-ahead log or shared memory file
  beside one: never, not even with ``force``, because that loses every answer;
- the input of the same command (the mission being exported, compared as files, so another
  spelling of the same path is caught);
- any other existing file, unless ``force`` is given;
- a folder.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from assessment_kit.atomic import write_atomically
from assessment_kit.errors import Code, Problem, StoreError
from assessment_kit.store.connection import is_url
from assessment_kit.store.schema import APPLICATION_ID, refuse_folder

__all__ = ["check_output", "is_mission_file", "write_atomically"]

_SQLITE_HEADER = b"SQLite format 3\x00"
#: Tables every mission file has; an SQLite file with all of them is a mission.
_MISSION_TABLES = frozenset({"mission", "instruments", "answers", "history"})
#: Files SQLite keeps beside a database; writing over them damages the database.
_SIDE_FILES = ("-wal", "-shm", "-journal")


def is_mission_file(path: str | Path) -> bool:
    """Whether ``path`` is an assessment-kit mission, judged by its content, not its name.

    An SQLite file is a mission when it carries the mission's application id or has the
    mission's tables. An SQLite file that cannot be inspected counts as a mission: an export
    must never be the thing that destroys one.
    """
    path = Path(path)
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError:
        return False
    if not header.startswith(_SQLITE_HEADER):
        return False
    if len(header) >= 72 and int.from_bytes(header[68:72], "big") == APPLICATION_ID:
        return True
    try:
        # Read-only, so judging a file never changes it (no WAL switch, no new tables).
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.Error:
        return True
    return names >= _MISSION_TABLES


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def _refuse(code: Code, out: Path, **fields: Any) -> StoreError:
    return StoreError(problem=Problem.make(code, file=str(out), **fields))


def check_output(
    out: str | Path, *, inputs: Iterable[str | Path] = (), force: bool = False
) -> Path:
    """Check that ``out`` may be written; return it as a :class:`Path`.

    Parameters
    ----------
    out
        The file the command is about to write.
    inputs
        The files the same command reads (the mission): never written over.
    force
        Allow writing over an existing file that is neither a mission nor an input.

    Raises
    ------
    StoreError
        ``OUTPUT_IS_MISSION``, ``OUTPUT_IS_INPUT``, ``OUTPUT_EXISTS``, or ``STORE_IO`` for a
        folder. Nothing has been written.
    """
    out = Path(out)
    refuse_folder(out, "give a file name inside the folder")
    for given in inputs:
        if is_url(given):
            continue  # a mission on a server is no file an output could land on
        source = Path(given)
        for suffix in ("", *_SIDE_FILES):
            if _same_file(out, Path(f"{source}{suffix}")):
                raise _refuse(Code.OUTPUT_IS_INPUT, out, input=str(source))
    if out.exists() and is_mission_file(out):
        raise _refuse(Code.OUTPUT_IS_MISSION, out)
    for suffix in _SIDE_FILES:
        if out.name.endswith(suffix):
            database = out.with_name(out.name[: -len(suffix)])
            if database.exists() and is_mission_file(database):
                raise _refuse(Code.OUTPUT_IS_MISSION, out)
    if out.exists() and not force:
        raise _refuse(Code.OUTPUT_EXISTS, out)
    return out
