"""The browser session that draws the charts and prints: never failing by chance.

Each test forces a state the export meets on a busy machine (a chart page that is not
ready yet, a browser that dies while printing, a process killed with SIGKILL) and checks
that the export still succeeds, or fails with one clear message and leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest
from briefing_support import make_mission, wait_for

from assessment_kit.briefing import export_briefing
from assessment_kit.briefing.browser import find_browser, new_workspace, sweep_workspaces
from assessment_kit.briefing.svg import ChartRenderer, close_shared_renderer, shared_renderer
from assessment_kit.errors import BriefingError
from assessment_kit.questionnaire.cache import ENV_VAR

pytestmark = [pytest.mark.slow, pytest.mark.browser]

FIGURES = [
    {
        "data": [{"type": "bar", "x": ["North", "South"], "y": [n, 2 * n]}],
        "layout": {"title": {"text": f"Chart {n}"}, "width": 300 + n, "height": 200 + n},
    }
    for n in (1, 2)
]
PAGE = (
    "<!doctype html><html><head><title>t</title></head><body>"
    "<h1>Briefing</h1><figure class='chart' data-chart='late'>"
    "<div class='chart-static'></div></figure></body></html>"
)


def _chromium_processes(workspace: Path) -> list[int]:
    """Pids of the browser processes whose profile is in ``workspace`` (read from /proc)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(str(workspace).encode() in part for part in command) and not any(
            part.startswith(b"--type=") for part in command
        ):
            pids.append(int(entry.name))
    return pids


@pytest.fixture(scope="module")
def browser() -> Path:
    return find_browser()


@pytest.fixture(scope="module")
def mission(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_mission(tmp_path_factory.mktemp("session") / "mission.db")


def test_page_without_its_script_is_reloaded_before_the_first_chart(browser: Path) -> None:
    """The race of the issue: the tab is asked to draw before kaleido's script has run."""
    with ChartRenderer(browser, cache=False) as renderer:
        # The page has loaded; take its entry point away, as a page still loading lacks it.
        assert renderer.evaluate_in_chart_page("delete window.kaleido_scopes") is True
        assert renderer.evaluate_in_chart_page("typeof window.kaleido_scopes") == "undefined"
        svgs = renderer.render(FIGURES)
        assert renderer.evaluate_in_chart_page("typeof window.kaleido_scopes") == "object"
    assert [f"Chart {n}" in svg for n, svg in zip((1, 2), svgs, strict=True)] == [True, True]


def test_not_ready_error_while_drawing_is_retried_once(browser: Path) -> None:
    with ChartRenderer(browser, cache=False) as renderer:
        first = renderer.render(FIGURES[:1])
        assert renderer.retries == 0
        # Ready was seen; now the page loses its script between two charts.
        renderer.evaluate_in_chart_page("delete window.kaleido_scopes")
        again = renderer.render(FIGURES[:1])
        assert renderer.retries == 1
    # The same figure drawn after the retry is the same drawing (ids aside).
    assert again[0].replace("c00001", "c00000") == first[0]


def test_page_navigated_away_is_brought_back(browser: Path) -> None:
    with ChartRenderer(browser, cache=False) as renderer:
        renderer.evaluate_in_chart_page("location.href = 'about:blank'; 1")
        svgs = renderer.render(FIGURES)
    assert all(svg.startswith("<svg") for svg in svgs)


def test_print_takes_the_first_page_unless_the_charts_did(
    browser: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export whose charts are all kept prints in the page the browser opened at its
    start (its renderer already starting); when charts are drawn, they have that page and
    the print gets a tab of its own, made while plotly.js loads."""
    from assessment_kit.briefing.devtools import Browser

    made: list[str] = []
    create_tab = Browser.create_tab

    async def counted(self: Browser, url: str = "about:blank") -> object:
        made.append(url)
        return await create_tab(self, url)

    monkeypatch.setattr(Browser, "create_tab", counted)
    page = "<!doctype html><title>t</title><p>One line.</p>"
    with ChartRenderer(browser, cache=False) as renderer:
        data, pages, _ = renderer.print_bytes(page)
        assert (made, pages) == ([], 1)
        assert data.startswith(b"%PDF")
    with ChartRenderer(browser, cache=False) as renderer:
        assert len(renderer.render(FIGURES[:1])) == 1
        assert made == ["about:blank"]  # the print's tab, not the chart page's
        assert renderer.print_bytes(page)[1] == 1
        assert made == ["about:blank"]


def test_browser_killed_while_printing_gives_one_message_and_no_file(
    browser: Path, mission: Path, tmp_path: Path
) -> None:
    out = tmp_path / "briefing.pdf"
    with ChartRenderer(browser) as renderer:
        renderer.render(FIGURES[:1])  # open and warm
        chart: Future[str] = Future()
        printing = Future[object]()

        def print_it() -> None:
            try:
                printing.set_result(renderer.print(PAGE, out, late_charts={"late": chart}))
            except BaseException as error:
                printing.set_exception(error)

        thread = threading.Thread(target=print_it)
        thread.start()
        # The page is loaded and the print waits for the late chart: kill now.
        wait_for(lambda: "load" in renderer.timings, "the page loaded for printing")
        pids = _chromium_processes(renderer.workspace)
        assert pids, "the browser's process was not found"
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        chart.set_result("<svg xmlns='http://www.w3.org/2000/svg'></svg>")
        thread.join(120)
        with pytest.raises(BriefingError) as caught:
            printing.result(0)
        assert "stopped while printing the PDF" in str(caught.value)
        assert "nothing was written" in str(caught.value)
        assert not renderer.alive
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no partial file either
    # The next export works, with a new browser.
    result = export_briefing(mission, out)
    assert (result.pages or 0) > 3


def test_kept_session_survives_a_dead_browser_and_closes(browser: Path, mission: Path) -> None:
    """The notebook's kept session: reused while alive, replaced once its browser died."""
    try:
        first = shared_renderer(browser)
        assert shared_renderer(browser) is first
        first.render(FIGURES[:1])
        for pid in _chromium_processes(first.workspace):
            os.kill(pid, signal.SIGKILL)
        wait_for(lambda: not first.alive, "the kept browser to be seen dead")
        second = shared_renderer(browser)
        assert second is not first
        assert second.render(FIGURES[:1])[0].startswith("<svg")
        assert not first.workspace.exists()
        workspace = second.workspace
    finally:
        close_shared_renderer()
    assert not workspace.exists()
    assert _chromium_processes(workspace) == []


def _profile_made(renderer: ChartRenderer) -> bool:
    return renderer.workspace.exists() and any(renderer.workspace.iterdir())


@pytest.mark.parametrize(
    "moment",
    ["at once", "profile made", "browser process seen", "opened"],
)
def test_session_closed_while_its_browser_starts_leaves_nothing(browser: Path, moment: str) -> None:
    """A session closed at any moment of its browser's start (an error in the mission, a
    Ctrl-C) ends every process it started and removes its workspace. The browser is started
    in the session's thread: the moments just before and just after that start are the ones
    that once left a browser behind."""
    conditions = {
        "at once": lambda renderer: True,
        "profile made": _profile_made,
        "browser process seen": lambda renderer: _chromium_processes(renderer.workspace) != [],
        "opened": lambda renderer: renderer.alive,
    }
    for _ in range(3):
        renderer = ChartRenderer(browser)
        workspace = renderer.workspace
        try:
            deadline = time.monotonic() + 60
            while not conditions[moment](renderer):
                assert time.monotonic() < deadline, f"the browser never reached {moment!r}"
                time.sleep(0.001)  # polling a condition of another process: no event
        finally:
            renderer.close()
        assert _chromium_processes(workspace) == []
        assert not workspace.exists()


def test_workspace_of_a_killed_export_is_swept(mission: Path) -> None:
    """SIGKILL of `brief` leaves its browser profile behind; the next session removes it."""
    # A short private temporary folder: Chromium's profile sockets need short paths.
    tmp = Path(tempfile.mkdtemp(prefix="ak"))
    env = {**os.environ, "TMPDIR": str(tmp)}
    script = (
        "import sys, time\n"
        "from assessment_kit.briefing.browser import find_browser\n"
        "from assessment_kit.briefing.svg import ChartRenderer\n"
        "r = ChartRenderer(find_browser())\n"
        "r.render([{'data': [{'type': 'bar', 'y': [1]}]}])\n"
        "print(r.workspace, flush=True)\n"
        "time.sleep(600)\n"
    )
    try:
        with subprocess.Popen(
            [sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True
        ) as child:
            try:
                assert child.stdout is not None
                workspace = Path(child.stdout.readline().strip())
                assert workspace.is_dir()
                assert workspace.parent.parent == tmp
            finally:
                child.kill()
        # The browser goes with its parent (its pipe closes); its files stay until swept.
        wait_for(lambda: _chromium_processes(workspace) == [], "the orphan browser to exit")
        assert workspace.exists()
        fresh = new_workspace(workspace.parent)  # what the next session does first
        assert not workspace.exists()
        fresh.rmdir()
        assert sweep_workspaces(workspace.parent) == 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def _busy_cores(count: int, seconds: float) -> Iterator[None]:
    """``count`` busy-loop processes, each ending by itself after ``seconds`` at most."""
    loop = f"import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end: pass\n"
    workers = [subprocess.Popen([sys.executable, "-c", loop]) for _ in range(count)]
    try:
        yield
    finally:
        for worker in workers:
            worker.kill()
            worker.wait(30)


def test_eight_exports_in_a_row_on_busy_cores(
    mission: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both cores kept busy by the test itself: every one of eight PDF exports succeeds.
    No chart cache: each export loads plotly.js and draws, the step that once raced."""
    monkeypatch.setenv(ENV_VAR, "")
    pages = []
    with _busy_cores(os.cpu_count() or 2, seconds=600):
        for run in range(8):
            result = export_briefing(mission, tmp_path / f"briefing-{run}.pdf")
            pages.append(result.pages)
    assert len(pages) == 8
    assert len(set(pages)) == 1
    assert (pages[0] or 0) > 3
