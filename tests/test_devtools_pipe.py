"""Our own Chromium launcher and DevTools pipe: the process is known at once and leads its
own group, a tab waits for its own page, a browser that cannot start says why."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from briefing_support import make_mission

from assessment_kit.briefing import export_briefing
from assessment_kit.briefing.browser import find_browser
from assessment_kit.briefing.devtools import Browser, BrowserGone, result
from assessment_kit.errors import BriefingError

pytestmark = pytest.mark.browser


def _group(pgid: int) -> list[int]:
    """The live (not zombie) processes of a process group, read from /proc."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def test_a_tab_loads_its_page_and_kill_ends_the_whole_group(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<!doctype html><title>t</title><p id=p>Loaded.</p>", encoding="utf-8")
    chrome = Browser(find_browser(), tmp_path)
    assert os.getpgid(chrome.pid) == chrome.pid  # a group of its own, known at once

    async def run() -> str:
        await chrome.connect()
        tab = await chrome.create_tab()
        await tab.navigate(page.as_uri())
        reply = await tab.send_command(
            "Runtime.evaluate", {"expression": "document.getElementById('p').textContent"}
        )
        text = str(result(reply, "evaluate")["result"]["value"])
        assert len(_group(chrome.pid)) > 1  # the browser and its renderers
        chrome.kill()
        with pytest.raises(BrowserGone):
            await tab.send_command("Runtime.evaluate", {"expression": "1"})
        chrome.disconnect()
        return text

    assert asyncio.run(run()) == "Loaded."
    assert chrome.poll() is not None
    assert _group(chrome.pid) == []


def test_a_browser_that_cannot_start_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "broken-chromium"
    fake.write_text(
        "#!/bin/sh\necho 'error while loading shared libraries: libnss3.so' >&2\nexit 127\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("BROWSER_PATH", str(fake))
    mission = make_mission(tmp_path / "mission.db")
    with pytest.raises(BriefingError) as caught:
        export_briefing(mission, tmp_path / "briefing.pdf")
    message = str(caught.value)
    assert "could not start the browser" in message
    assert "exit status 127" in message
    assert "libnss3.so" in message
    assert not (tmp_path / "briefing.pdf").exists()


def test_a_caught_ctrl_c_in_code_run_by_exec_still_exits_130(tmp_path: Path) -> None:
    """CPython marks a KeyboardInterrupt leaving exec'd text as unhandled even when it is
    caught, and then ends a ``python -m`` process with SIGINT; the CLI clears that mark."""
    (tmp_path / "interrupted_in_exec.py").write_text(
        "import sys\n"
        "from assessment_kit import cli\n"
        "try:\n"
        "    exec('raise KeyboardInterrupt')\n"
        "except KeyboardInterrupt:\n"
        "    if sys.argv[1] == 'clear':\n"
        "        cli._clear_interrupt_mark()\n"
        "sys.exit(130)\n",
        encoding="utf-8",
    )
    codes = [
        subprocess.run(
            [sys.executable, "-m", "interrupted_in_exec", arg],
            cwd=tmp_path,
            check=False,
            timeout=60,
        ).returncode
        for arg in ("keep", "clear")
    ]
    assert codes == [-2, 130]


def _command_line(pid: int) -> str:
    """A process's command line (Chromium rewrites its children's as one string)."""
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_text().replace("\0", " ")
    except OSError:  # ended meanwhile
        return ""


def test_one_renderer_for_one_page(tmp_path: Path) -> None:
    """A session's renderers are its pages' only. Unless our flags turn them off, headless
    Chromium preloads its address bar's pop-up (a WebUI page in a renderer of its own, about
    a second of CPU) and keeps a spare renderer for a next navigation (0.1 s of a two-core
    machine's time in every export, measured)."""
    page = tmp_path / "page.html"
    page.write_text("<!doctype html><title>t</title><p>Loaded.</p>", encoding="utf-8")
    chrome = Browser(find_browser(), tmp_path)

    async def run() -> list[str]:
        await chrome.connect()
        tab = await chrome.first_tab()
        await tab.enable_page_events()
        await asyncio.wait_for(tab.navigate(page.as_uri()), timeout=60)
        # The pop-up's renderer, where it is preloaded, starts with the browser: by the time
        # the first page answers it is there (seen every time without the flag).
        await asyncio.sleep(0.5)
        renderers = [
            line for line in map(_command_line, _group(chrome.pid)) if "--type=renderer" in line
        ]
        chrome.kill()
        chrome.disconnect()
        return renderers

    renderers = asyncio.run(run())
    assert not [r for r in renderers if "--top-chrome-webui" in r]
    assert len(renderers) == 1  # the page's own
