"""Worker of the storage tests: real read-only and full file systems.

Run as root inside a private mount namespace (so every mount vanishes with the process,
whatever happens to the test)::

    unshare --mount --propagation private python tests/storage_support.py SCENARIO DIR

It mounts a small tmpfs on ``DIR/disk``, sets up the scenario with the files the test put in
``DIR`` (``mission.db``, ``answers.csv``), runs the library and the command line against it,
and prints one JSON object: per step the error code raised (or null), and per command its
exit status and stderr.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)


def code_of(call: Callable[[], object]) -> str | None:
    from assessment_kit.errors import StoreError

    try:
        call()
    except StoreError as error:
        return None if error.code is None else error.code.name
    return None


def cli(*args: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "assessment_kit.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    return {"rc": result.returncode, "stderr": result.stderr}


def fill(disk: Path, keep: int) -> None:
    """Fill the disk until at most ``keep`` bytes are left."""
    stat = os.statvfs(disk)
    free = stat.f_bavail * stat.f_frsize
    with (disk / "filler").open("ab") as handle:
        try:
            handle.write(b"\0" * max(free - keep, 0))
            handle.flush()
            os.fsync(handle.fileno())
        except OSError:
            pass  # full already: that is the point


def respondents(path: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM respondents").fetchone()[0])
    finally:
        conn.close()


def main(scenario: str, folder: Path) -> dict[str, Any]:
    from assessment_kit.files import export_answers, import_answers
    from assessment_kit.store import Mission

    disk = folder / "disk"
    disk.mkdir()
    source, answers = folder / "mission.db", folder / "answers.csv"
    out: dict[str, Any] = {}
    if scenario == "readonly-file":
        mount("-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk))
        mission = disk / "m.db"
        shutil.copy(source, mission)
        mount("--bind", str(mission), str(mission))
        mount("-o", "remount,bind,ro", str(mission))
        out["import"] = code_of(lambda: import_answers(mission, answers))
        out["cli"] = cli("import", str(mission), str(answers))
        out["respondents"] = respondents(mission)
    elif scenario == "readonly-folder":
        mount("-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk))
        mission = disk / "m.db"
        shutil.copy(source, mission)
        mount("-o", "remount,ro", str(disk))
        out["open"] = code_of(lambda: Mission.open(mission).close())
        out["cli"] = cli("score", str(mission))
        new = disk / "new.db"
        args = ["new", str(new), "--country", "Freedonia", "--questionnaire", "criminal_justice"]
        out["cli_new"] = cli(*args)
    elif scenario == "full":
        mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk))
        mission = disk / "m.db"
        shutil.copy(source, mission)
        before = respondents(mission)
        fill(disk, keep=16 * 1024)
        out["import"] = code_of(lambda: import_answers(mission, answers))
        out["cli_import"] = cli("import", str(mission), str(answers))
        out["respondents_kept"] = respondents(mission) == before
        fill(disk, keep=0)
        new = disk / "new.db"
        args = ["new", str(new), "--country", "Freedonia", "--questionnaire", "criminal_justice"]
        out["cli_new"] = cli(*args)
        out["new_left"] = new.exists()
        # Opening a mission needs room for its shared-memory file: on a full disk even
        # reading it fails, and must say why.
        Mission.open(mission).close()  # folds the log back, freeing what import wrote
        fill(disk, keep=0)
        out["cli_score"] = cli("score", str(mission))
        (disk / "filler").unlink()
        # Held open, the mission keeps its side files, so the export can read it and only
        # the writing of the export meets the full disk.
        with Mission.open(mission) as held:
            held.respondents()
            fill(disk, keep=0)
            xlsx = disk / "answers.xlsx"
            out["xlsx"] = code_of(lambda: export_answers(mission, "xlsx", xlsx))
            out["cli_xlsx"] = cli("export", str(mission), "--format", "xlsx", "--out", str(xlsx))
            out["cli_brief"] = cli("brief", str(mission), "--out", str(disk / "b.html"), "--quiet")
        out["left"] = sorted(p.name for p in disk.iterdir())
        (disk / "filler").unlink()
        out["cli_new_again"] = cli(*args)
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], Path(sys.argv[2]))))
