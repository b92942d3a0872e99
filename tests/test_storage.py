"""Storage states, made real: a read-only mission, a read-only folder, a full disk and a
damaged file each give a catalogued message, never a traceback, and leave no partial file.

The read-only and full file systems are small tmpfs mounts made by a worker in a private
mount namespace (root only; tests/storage_support.py). As root, ``chmod`` does not stop a
write, so it would not make the state real; as another user it does, and the read-only
tests use it then.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from store_support import SURVEY_YAML

from assessment_kit.cli import main
from assessment_kit.errors import Code, StoreError
from assessment_kit.files import export_answers, import_answers
from assessment_kit.questionnaire import loads
from assessment_kit.store import Mission

TESTS = Path(__file__).resolve().parent
ROOT = os.geteuid() == 0
CSV_HEADER = "respondent,institution_type,questionnaire,question,answer,note\n"


def _mission(path: Path) -> Path:
    survey = loads(SURVEY_YAML, file="survey.yaml")
    with Mission.create(path, country="Freedonia", title="T", questionnaires=[survey]) as m:
        m.add_respondent("P1", institution_type="police")
        for question, value in (("law", "yes"), ("plan", "no"), ("victims", 12)):
            m.set_answer("P1", "survey", question, value, note="n" * 200)
    return path


def _answers(path: Path, rows: int = 1, note: int = 10) -> Path:
    lines = [f"N{i},ngo,survey,law,partly,{'x' * note}\n" for i in range(rows)]
    path.write_text(CSV_HEADER + "".join(lines), encoding="utf-8")
    return path


def _namespaces_work() -> bool:
    if not ROOT or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "mount", "-t", "tmpfs", "t", "/mnt"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


needs_mounts = pytest.mark.skipif(
    not _namespaces_work(), reason="needs root and mount namespaces (unshare) for tmpfs"
)


def _run(scenario: str, folder: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS.parent), str(TESTS)])}
    worker = [sys.executable, str(TESTS / "storage_support.py"), scenario, str(folder)]
    result = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", *worker],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _clean(command: dict[str, Any]) -> str:
    """The stderr of a command that failed as it should: a message, no traceback."""
    assert command["rc"] == 1, command
    stderr: str = command["stderr"]
    assert stderr.startswith("error:"), stderr
    assert "Traceback" not in stderr
    return stderr


# ------------------------------------------------------------------ read-only


@pytest.mark.slow
def test_importing_into_a_read_only_mission_is_a_message(tmp_path: Path) -> None:
    _mission(tmp_path / "mission.db")
    _answers(tmp_path / "answers.csv")
    if ROOT:
        if not _namespaces_work():
            pytest.skip("root without mount namespaces: no real read-only file here")
        # A read-only bind mount of the file: even root cannot write it.
        out = _run("readonly-file", tmp_path)
        assert out["import"] == Code.MISSION_READ_ONLY.name
        assert "read-only" in _clean(out["cli"])
        assert out["respondents"] == 1
        return
    mission = tmp_path / "mission.db"
    mission.chmod(0o444)
    with pytest.raises(StoreError) as caught:
        import_answers(mission, tmp_path / "answers.csv")
    assert caught.value.code is Code.MISSION_READ_ONLY


@pytest.mark.slow
def test_a_mission_in_a_read_only_folder_is_named_so(tmp_path: Path) -> None:
    # It was reported as "not an SQLite database".
    _mission(tmp_path / "mission.db")
    if ROOT:
        if not _namespaces_work():
            pytest.skip("root without mount namespaces: no real read-only folder here")
        out = _run("readonly-folder", tmp_path)
        assert out["open"] == Code.FOLDER_READ_ONLY.name
        assert "not an SQLite database" not in _clean(out["cli"])
        # Creating one there said "file not found".
        assert "cannot be written" in _clean(out["cli_new"])
        return
    folder = tmp_path / "ro"
    folder.mkdir()
    shutil.copy(tmp_path / "mission.db", folder / "m.db")
    folder.chmod(0o555)
    try:
        with pytest.raises(StoreError) as caught:
            Mission.open(folder / "m.db")
        assert caught.value.code is Code.FOLDER_READ_ONLY
    finally:
        folder.chmod(0o755)


# ------------------------------------------------------------------ full disk


@pytest.mark.slow
@needs_mounts
def test_a_full_disk_is_named_and_leaves_nothing_half_made(tmp_path: Path) -> None:
    _mission(tmp_path / "mission.db")
    _answers(tmp_path / "answers.csv", rows=400, note=2000)  # about 800 KB to write
    out = _run("full", tmp_path)
    # import said "cannot rollback - no transaction is active" and hid the full disk.
    assert out["import"] == Code.DISK_FULL.name
    assert "disk is full" in _clean(out["cli_import"])
    assert out["respondents_kept"]
    # new left a 0-byte file, so the retry said "already exists".
    assert "disk is full" in _clean(out["cli_new"])
    assert not out["new_left"]
    assert out["cli_new_again"]["rc"] == 0, out["cli_new_again"]
    # Even opening the mission needs a little room: said so, not "disk I/O error".
    assert "disk is full" in _clean(out["cli_score"])
    # XLSX export and brief gave tracebacks.
    assert out["xlsx"] == Code.DISK_FULL.name
    assert "disk is full" in _clean(out["cli_xlsx"])
    _clean(out["cli_brief"])
    # Nothing half-written beside the mission: no .partial, no export, no briefing.
    assert not [n for n in out["left"] if n not in ("filler", "m.db", "m.db-wal", "m.db-shm")]


# ------------------------------------------------------------------ damaged file


def _damage(path: Path, tables: tuple[str, ...]) -> None:
    """Overwrite the pages of ``tables`` with garbage, as a bad disk would."""
    with sqlite3.connect(path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        marks = ", ".join("?" for _ in tables)
        query = f"SELECT pageno FROM dbstat WHERE name IN ({marks})"
        pages = [row[0] for row in conn.execute(query, tables)]
    conn.close()
    assert pages
    with path.open("r+b") as handle:
        for page in pages:
            handle.seek((page - 1) * page_size)
            handle.write(b"\xa5" * page_size)


@pytest.mark.parametrize("tables", [("answers", "history"), ("respondents",)])
def test_a_damaged_mission_is_named_and_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tables: tuple[str, ...]
) -> None:
    mission = _mission(tmp_path / "mission.db")
    _damage(mission, tables)
    for args in (
        ["score", str(mission)],
        ["export", str(mission), "--format", "csv", "--out", str(tmp_path / "a.csv")],
        ["import", str(mission), str(_answers(tmp_path / "answers.csv"))],
    ):
        assert main(args) == 1, args
        err = capsys.readouterr().err
        assert "damaged" in err
        assert str(mission) in err
    with pytest.raises(StoreError) as caught:
        export_answers(mission, "csv", tmp_path / "b.csv")
    assert caught.value.code is Code.MISSION_DAMAGED
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.csv", "mission.db"]


def _file_size_limit() -> None:
    # Writes beyond 16 KB fail with EFBIG, as on a disk with 16 KB left (SIGXFSZ would
    # kill the process instead of failing the write).
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, 16 * 1024))


@pytest.mark.slow
def test_new_that_fails_half_way_leaves_no_file(tmp_path: Path) -> None:
    # A failed new left a 0-byte file, so the retry said "already exists". Here the file
    # is created and then cannot grow (no privileges needed: a file size limit).
    target = tmp_path / "m.db"
    args = ["new", str(target), "--country", "Freedonia", "--questionnaire", "criminal_justice"]
    failed = subprocess.run(
        [sys.executable, "-m", "assessment_kit.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=_file_size_limit,
        timeout=300,
    )
    _clean({"rc": failed.returncode, "stderr": failed.stderr})
    assert list(tmp_path.iterdir()) == []
    assert main(args) == 0
