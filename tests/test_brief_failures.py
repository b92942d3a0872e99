"""`assessment-kit brief` when things go wrong: one message, no traceback, nothing left.

Each test runs the real command in a subprocess with its own short temporary folder, so
the browser's workspace can be checked for leftovers.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from briefing_support import make_mission

from assessment_kit.briefing.browser import WORKSPACES

pytestmark = pytest.mark.slow

COMMAND = [sys.executable, "-m", "assessment_kit.cli"]


@pytest.fixture(scope="module")
def mission(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_mission(tmp_path_factory.mktemp("failures") / "mission.db")


@pytest.fixture
def tmp() -> Iterator[Path]:
    """A short private TMPDIR (Chromium's profile sockets need short paths)."""
    folder = Path(tempfile.mkdtemp(prefix="ak"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "TMPDIR": str(tmp), **extra}


def _workspaces(tmp: Path) -> list[Path]:
    root = tmp / WORKSPACES
    return sorted(root.iterdir()) if root.exists() else []


def _brief(
    *args: str, env: dict[str, str], user: str | None = None
) -> subprocess.CompletedProcess[str]:
    prefix = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"] if user else []
    return subprocess.run(
        [*prefix, *COMMAND, "brief", *args, "--quiet"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _assert_one_message(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert "never retrieved" not in done.stderr, done.stderr
    assert done.stderr.startswith("error: "), done.stderr
    for word in words:
        assert word in done.stderr, done.stderr


def test_missing_mission_is_one_line_and_starts_no_browser(tmp: Path) -> None:
    done = _brief(str(tmp / "nosuch.db"), "--out", str(tmp / "b.pdf"), env=_env(tmp))
    _assert_one_message(done, "no such mission file")
    assert done.stderr.count("\n") == 1
    assert _workspaces(tmp) == []


def test_output_that_is_a_folder_is_refused_before_work(mission: Path, tmp: Path) -> None:
    (tmp / "x.pdf").mkdir()
    done = _brief(str(mission), "--out", str(tmp / "x.pdf"), env=_env(tmp))
    _assert_one_message(done, "is a folder")
    assert _workspaces(tmp) == []


@contextlib.contextmanager
def _unwritable_folder(folder: Path) -> Iterator[Path]:
    """A folder nobody can write to: read-only for a user; for root, who writes anywhere,
    a read-only tmpfs mounted there."""
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.fail(f"root could not mount a read-only tmpfs here: {mounted.stderr}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_unwritable_folder_is_refused_before_work(mission: Path, tmp: Path) -> None:
    with _unwritable_folder(tmp / "locked") as folder:
        done = _brief(str(mission), "--out", str(folder / "b.pdf"), env=_env(tmp))
        _assert_one_message(done, "not writable")
        assert list(folder.iterdir()) == []
    assert _workspaces(tmp) == []


def test_hanging_browser_is_given_up_and_ended(mission: Path, tmp: Path) -> None:
    pid_file = tmp / "browser.pid"
    fake = tmp / "hanging-chrome"
    fake.write_text(f"#!/bin/sh\necho $$ > {pid_file}\nexec sleep 300\n")
    fake.chmod(0o755)
    env = _env(tmp, BROWSER_PATH=str(fake), ASSESSMENT_KIT_BROWSER_TIMEOUT="3")
    done = _brief(str(mission), "--out", str(tmp / "b.pdf"), env=env)
    _assert_one_message(done, "did not start within 3 s")
    assert not (tmp / "b.pdf").exists()
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 30
    while _running(pid):
        assert time.monotonic() < deadline, "the hanging browser was left running"
        time.sleep(0.05)
    assert _workspaces(tmp) == []


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_ctrl_c_is_one_line_and_leaves_nothing(mission: Path, tmp: Path) -> None:
    out = tmp / "b.pdf"
    with subprocess.Popen(
        [*COMMAND, "brief", str(mission), "--out", str(out), "--quiet"],
        env=_env(tmp),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        # Interrupt once the browser is starting: the moment with the most to clean up.
        deadline = time.monotonic() + 120
        while not _workspaces(tmp) and child.poll() is None:
            assert time.monotonic() < deadline, "the export never started its browser"
            time.sleep(0.01)
        child.send_signal(signal.SIGINT)
        _, stderr = child.communicate(timeout=120)
    assert child.returncode == 130, stderr
    assert "Traceback" not in stderr, stderr
    assert stderr.strip() == "interrupted", stderr
    assert not out.exists()
    assert _workspaces(tmp) == []
