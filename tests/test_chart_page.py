"""The chart page served over http under a fixed name: the page kaleido writes, scripts
kept in the browser's disk cache, each disk cache used by one session at a time."""

from __future__ import annotations

import asyncio
import http.server
import re
import socket
import threading
from pathlib import Path

import pytest
from briefing_support import wait_for

from assessment_kit.briefing import chart_page
from assessment_kit.briefing.browser import find_browser
from assessment_kit.briefing.chart_page import ChartPage, page_html, page_scripts
from assessment_kit.briefing.devtools import profile_folder
from assessment_kit.briefing.svg import ChartRenderer
from assessment_kit.questionnaire.cache import ENV_VAR

FIGURE = {
    "data": [{"type": "bar", "x": ["North", "South"], "y": [3, 4]}],
    "layout": {"title": {"text": "Served chart"}, "width": 320, "height": 220},
}


def test_the_page_is_the_one_kaleido_writes() -> None:
    """We write kaleido's page ourselves (importing kaleido costs 0.15 s of every export) and
    find its two scripts in the installed packages; this pins both to kaleido's own."""
    from kaleido import PageGenerator

    theirs = PageGenerator(mathjax=False).generate_index()
    sources = re.findall(r'<script src="([^"]+)"', theirs)
    assert [Path(source.removeprefix("file://")) for source in sources] == list(page_scripts())
    assert page_html(sources) == theirs


def _ask(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(1 << 16):
            answer += chunk
    return answer


def test_the_server_answers_the_page_its_scripts_and_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    page = ChartPage()

    async def run() -> list[bytes]:
        await page.serve()
        routes = re.findall(r'src="([^"]+)"', page_html(list(page._files)))
        asked = ["/charts.html", *routes, "/../../etc/passwd"]
        answers = []
        for route in asked:
            request = f"GET {route} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
            answers.append(await asyncio.to_thread(_ask, page.port, request))
        answers.append(await asyncio.to_thread(_ask, page.port, b"nonsense\r\n\r\n"))
        page.stop_serving()
        return answers

    try:
        html, plotly, scopes, outside, nonsense = asyncio.run(run())
    finally:
        page.close()
    assert html.startswith(b"HTTP/1.1 200 OK")
    assert b"Cache-Control: no-store" in html
    assert b"Kaleido-fier" in html
    for script, path in zip((plotly, scopes), page_scripts(), strict=True):
        head, _, body = script.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 OK")
        assert b"max-age=31536000, immutable" in head
        assert body == path.read_bytes()
    assert outside.startswith(b"HTTP/1.1 404")
    assert outside.endswith(b"\r\n\r\n")
    assert nonsense.startswith(b"HTTP/1.1 404")


def test_a_changed_script_has_another_url(tmp_path: Path) -> None:
    """Scripts are cached for a year: an upgraded plotly must come under a new URL."""
    script = tmp_path / "plotly.min.js"
    script.write_text("one", encoding="utf-8")
    before = chart_page._stamp(script)
    script.write_text("other", encoding="utf-8")
    assert chart_page._stamp(script) != before


def test_each_disk_cache_is_one_sessions_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sessions at once (a notebook's kept one and a command-line export) take a disk cache
    each, the first free one; one that finds them all taken keeps a cache of its own; a
    cache let go is taken again."""
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    names = ["browser", *(f"browser-{n}" for n in range(2, chart_page.DISK_CACHES + 1))]
    sessions = [ChartPage() for _ in range(chart_page.DISK_CACHES + 1)]
    try:
        assert [page.disk_cache for page in sessions] == [tmp_path / n for n in names] + [None]
        assert f"--disk-cache-dir={tmp_path / 'browser-2'}" in sessions[1].browser_flags()
        assert not any("--disk-cache-dir" in flag for flag in sessions[-1].browser_flags())
        sessions[1].close()
        again = ChartPage()
        sessions.append(again)
        assert again.disk_cache == tmp_path / "browser-2"
    finally:
        for page in sessions:
            page.close()
    after = ChartPage()
    after.close()
    assert after.disk_cache == tmp_path / "browser"
    monkeypatch.setenv(ENV_VAR, "")
    off = ChartPage()
    off.close()
    assert off.disk_cache is None


def test_a_cache_folder_that_cannot_be_written_means_no_disk_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(ENV_VAR, str(blocker / "cache"))
    page = ChartPage()
    page.close()
    assert page.disk_cache is None


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("kept_open", [False, True], ids=["alone", "beside-a-kept-session"])
def test_a_later_session_takes_plotly_js_from_the_disk_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kept_open: bool
) -> None:
    """The first session fetches the scripts from our server; a later one, under the same
    URL, takes them from the shared disk cache (Chromium keeps their compiled code there)
    and draws the same SVG. So do sessions beside one that holds the first disk cache (a
    notebook's kept session): they use the next one."""
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    browser = find_browser()
    served = []
    drawn = []
    kept = ChartPage() if kept_open else None
    try:
        for _ in range(2):
            with ChartRenderer(browser, cache=False) as session:
                drawn.append(session.render([FIGURE]))
                served.append(list(session._page.served))
                expected = "browser-2" if kept_open else "browser"
                assert session._page.disk_cache == tmp_path / expected
    finally:
        if kept is not None:
            kept.close()
    scripts = [f"/{chart_page._stamp(path)}/{path.name}" for path in page_scripts()]
    assert [route for route in served[0] if route in scripts] == scripts
    assert "/charts.html" in served[1]
    assert [route for route in served[1] if route in scripts] == []
    assert drawn[0] == drawn[1]


@pytest.mark.slow
@pytest.mark.browser
def test_compiled_plotly_js_is_kept_in_the_disk_cache_whatever_the_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each session's profile is thrown away, yet plotly.js compiled outlives it: the
    profile's code cache is a link to the disk cache's, where Chromium keeps it anyway and
    the headless shell (which keeps it in its profile) follows the link. Chromium writes
    compiled code on a script's second load, so the second session puts an entry the size
    of compiled plotly.js (megabytes) in the disk cache, and nothing was left behind.

    Chromium writes that entry in the background after the script has run: the second
    session waits for it while its browser still runs (a session ends with SIGKILL, which
    would lose a write still under way on a busy machine)."""
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    browser = find_browser()
    compiled = tmp_path / "browser" / "Default" / chart_page.CODE_CACHE / "js"

    def sizes() -> list[int]:
        entries = compiled.iterdir() if compiled.is_dir() else iter(())
        return [entry.stat().st_size for entry in entries if entry.is_file()]

    for second in (False, True):
        with ChartRenderer(browser, cache=False) as session:
            session.render([FIGURE])
            linked = profile_folder(session.workspace) / "Default" / chart_page.CODE_CACHE
            assert linked.is_symlink()
            assert linked.resolve() == tmp_path / "browser" / "Default" / chart_page.CODE_CACHE
            if second:
                wait_for(lambda: max(sizes(), default=0) > 1_000_000, "compiled plotly.js")
        assert not session.workspace.exists()
    assert max(sizes()) > 1_000_000, sizes()


def test_no_code_cache_link_without_a_disk_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the cache off there is nothing to link to: the profile is left to the browser."""
    monkeypatch.setenv(ENV_VAR, "")
    page = ChartPage()
    try:
        page.link_code_cache(tmp_path / "profile")
    finally:
        page.close()
    assert not (tmp_path / "profile").exists()


class _Counted(http.server.BaseHTTPRequestHandler):
    """Answers every request, and counts it on its server."""

    def do_GET(self) -> None:
        self.server.requests += 1  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Content-Length", "4")
        self.end_headers()
        self.wfile.write(b"pong")

    def log_message(self, format: str, *args: object) -> None:
        pass  # no line on the test's output for each request


#: Asks ``url`` from the chart page, synchronously (what it answers does not matter: the
#: other server counts what reaches it).
_ASK = """(() => {{
  const request = new XMLHttpRequest();
  request.open('GET', {url!r}, false);
  try {{ request.send(); return 'answered ' + request.status; }}
  catch (error) {{ return 'failed: ' + error.name; }}
}})()"""


@pytest.mark.slow
@pytest.mark.browser
def test_a_session_reaches_no_host_but_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every name but the chart page's resolves to nothing. A second server on the loopback,
    under another ``.localhost`` name (which Chromium would otherwise take for the loopback
    itself, with no DNS asked), is never reached, while the chart page draws."""
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counted)
    other.requests = 0  # type: ignore[attr-defined]
    serving = threading.Thread(target=other.serve_forever, daemon=True)
    serving.start()
    try:
        with ChartRenderer(find_browser(), cache=False) as session:
            assert session.render([FIGURE])[0].startswith("<svg")
            url = f"http://elsewhere.localhost:{other.server_address[1]}/ping"
            said = session.evaluate_in_chart_page(_ASK.format(url=url))
    finally:
        other.shutdown()
        other.server_close()
    assert said.startswith("failed")
    assert other.requests == 0  # type: ignore[attr-defined]
