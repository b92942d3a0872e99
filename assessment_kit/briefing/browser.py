"""Find a Chromium or Chrome to draw charts and print PDFs with.

Order: the ``BROWSER_PATH`` environment variable (which kaleido reads too), then
:data:`BROWSER_NAMES` on ``PATH`` (Chromium's headless shell first), then the browser
Playwright installs for itself. We never download one: that fails offline and
surprises people, so when none is found the error says how to get one.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from assessment_kit.errors import BrowserNotFoundError

#: Executable names looked up on PATH, in order. The headless shell first: the same Blink
#: draws the same pages (each page's content stream identical), and it starts in a third of
#: the time (0.21 s against 0.65 s for a bare print of a one-line page on 2 cores): no
#: window system, extensions or profile sign-in to set up.
BROWSER_NAMES: tuple[str, ...] = (
    "chromium-headless-shell",
    "chrome-headless-shell",
    "chromium",
    "chromium-browser",
    "google-chrome",
    "chrome",
)

INSTALL_HINT = (
    "No Chromium or Chrome was found to draw the charts and print the PDF.\n"
    "Install one, for example:\n"
    "  Debian:         sudo apt-get install chromium-headless-shell (the quickest)\n"
    "  Debian/Ubuntu:  sudo apt-get install chromium\n"
    "  Fedora:         sudo dnf install chromium\n"
    "  macOS:          brew install --cask chromium\n"
    "  any system:     python -m playwright install chromium\n"
    "or point BROWSER_PATH at a Chrome or Chromium executable. "
    "The HTML briefing needs no browser: use --out briefing.html."
)


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _playwright_browsers(env: Mapping[str, str]) -> list[Path]:
    """Where Playwright keeps its own Chromium, for the revision the installed driver wants."""
    try:
        import playwright
    except ImportError:
        return []
    manifest = Path(playwright.__file__).parent / "driver" / "package" / "browsers.json"
    try:
        browsers = json.loads(manifest.read_text(encoding="utf-8"))["browsers"]
    except (OSError, ValueError, KeyError):
        return []
    revisions = {entry["name"]: entry["revision"] for entry in browsers if "name" in entry}
    root_text = env.get("PLAYWRIGHT_BROWSERS_PATH", "")
    if root_text and root_text != "0":
        roots = [Path(root_text)]
    elif sys.platform == "darwin":
        roots = [Path.home() / "Library" / "Caches" / "ms-playwright"]
    elif sys.platform == "win32":
        roots = [Path(env.get("LOCALAPPDATA", Path.home())) / "ms-playwright"]
    else:
        roots = [Path(env.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "ms-playwright"]
    found: list[Path] = []
    for root in roots:
        if "chromium" in revisions:
            base = root / f"chromium-{revisions['chromium']}"
            found += [
                base / "chrome-linux64" / "chrome",
                base / "chrome-linux" / "chrome",
                base / "chrome-win64" / "chrome.exe",
                base
                / "chrome-mac-arm64"
                / "Google Chrome for Testing.app"
                / "Contents"
                / "MacOS"
                / "Google Chrome for Testing",
            ]
        if "chromium-headless-shell" in revisions:
            base = root / f"chromium_headless_shell-{revisions['chromium-headless-shell']}"
            found += [base / "chrome-headless-shell-linux64" / "chrome-headless-shell"]
    return found


def find_browser(env: Mapping[str, str] | None = None) -> Path:
    """Return the path of the Chromium or Chrome to use.

    Parameters
    ----------
    env
        The environment to read ``BROWSER_PATH``, ``PATH`` and ``PLAYWRIGHT_BROWSERS_PATH``
        from; ``os.environ`` by default.

    Raises
    ------
    BrowserNotFoundError
        When no browser is found; the message says how to install one. A ``BROWSER_PATH``
        that names no executable is an error too, not silently skipped.
    """
    env = os.environ if env is None else env
    explicit = env.get("BROWSER_PATH", "").strip()
    if explicit:
        path = Path(explicit).expanduser()
        if _is_executable(path):
            return path
        resolved = shutil.which(explicit, path=env.get("PATH", ""))
        if resolved:
            return Path(resolved)
        raise BrowserNotFoundError(
            f"BROWSER_PATH={explicit!r} is not an executable browser.\n{INSTALL_HINT}"
        )
    search_path = env.get("PATH", os.defpath)
    for name in BROWSER_NAMES:
        resolved = shutil.which(name, path=search_path)
        if resolved:
            return Path(resolved)
    for candidate in _playwright_browsers(env):
        if _is_executable(candidate):
            return candidate
    raise BrowserNotFoundError(INSTALL_HINT)


#: Folder, under the system's temporary folder, holding one workspace per browser session.
WORKSPACES = "assessment-kit-browsers"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def sweep_workspaces(root: Path | None = None) -> int:
    """Remove the workspaces of sessions whose process is gone; return how many.

    A process killed with SIGKILL cannot clean up after itself, so every new session sweeps
    what dead ones left: the browser's profile and the page it printed.
    """
    root = root or Path(tempfile.gettempdir()) / WORKSPACES
    removed = 0
    try:
        entries = list(root.iterdir())
    except OSError:
        return 0
    for entry in entries:
        pid_text = entry.name.partition("-")[0]
        if not pid_text.isdigit() or _pid_alive(int(pid_text)):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed += not entry.exists()
    return removed


def new_workspace(root: Path | None = None) -> Path:
    """A new private folder for one browser session, named after this process.

    The browser's profile and the printed page live there, so one ``rmtree`` at the end of
    the session (or the next session's :func:`sweep_workspaces`) leaves nothing behind.
    """
    root = root or Path(tempfile.gettempdir()) / WORKSPACES
    root.mkdir(mode=0o700, exist_ok=True)
    sweep_workspaces(root)
    return Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=root))


def remove_own_workspaces(root: Path | None = None) -> None:
    """Remove every workspace this process made (at exit, after its sessions closed).

    A Ctrl-C can land between a workspace's creation and the session that would own it;
    this catches what no session was there to clean.
    """
    root = root or Path(tempfile.gettempdir()) / WORKSPACES
    try:
        entries = list(root.glob(f"{os.getpid()}-*"))
    except OSError:
        return
    for entry in entries:
        shutil.rmtree(entry, ignore_errors=True)


def end_strays(workspace: Path, seconds: float = 5.0, spare: int | None = None) -> int:
    """Kill the processes still running with ``workspace`` in their command line, except
    ``spare``, and wait for them to end; return how many. (Linux: read from /proc;
    elsewhere nothing is found.)

    A session cancelled while its browser was being launched never learns the process it
    started (the launch was under way in another thread), and that browser would go on
    writing its profile into the workspace after we removed it.
    """
    marker = str(workspace).encode()
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        pid = int(entry.name)
        if pid in (os.getpid(), spare):
            continue
        try:
            if marker in (entry / "cmdline").read_bytes():
                os.kill(pid, signal.SIGKILL)
                found.append(entry)
        except OSError:  # gone meanwhile, or not ours to read
            continue
    deadline = time.monotonic() + seconds
    for entry in found:
        while time.monotonic() < deadline and _running(entry):
            time.sleep(0.01)
    return len(found)


def wait_for_group(pgid: int, seconds: float = 5.0) -> bool:
    """Wait until no process of group ``pgid`` runs any more (a zombie has ended); True
    when none does. (Linux: read from /proc; elsewhere there is nothing to wait for.)

    SIGKILL sent to a group returns at once, while its processes take a moment to end: a
    caller about to remove their files waits for them.
    """
    deadline = time.monotonic() + seconds
    while True:
        members = [entry for entry in Path("/proc").glob("[0-9]*") if _group_of(entry) == pgid]
        if not any(_running(entry) for entry in members):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)  # processes of another group ending: no event to wait on


def _group_of(proc: Path) -> int | None:
    try:
        return int(proc.joinpath("stat").read_text().rsplit(")", 1)[1].split()[2])
    except (OSError, IndexError, ValueError):
        return None


def _running(proc: Path) -> bool:
    """True while a /proc entry is a process that has not exited (a zombie has)."""
    try:
        return proc.joinpath("stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False
