"""Plotly figures to static SVG, in the one headless Chromium that also prints the PDF.

Starting the browser costs about 0.3 s and loading plotly.js 0.4 to 1 s; each chart after
that about 0.05 s. :class:`ChartRenderer` therefore opens one session in a background thread
as soon as it is created, so the browser starts while the mission is read and scored, then
draws every chart in one tab (:class:`ChartTab`) and prints the briefing in another. A
notebook keeps its session for the kernel's life (:func:`shared_renderer`), so a second
export is warm.

The browser and its DevTools pipe are in :mod:`.devtools`; the chart page, served so that
plotly.js stays compiled, in :mod:`.chart_page`; the tab that draws, and how an SVG is made
stable, in :mod:`.chart_tab`.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import shutil
import threading
import time
import weakref
from collections.abc import Coroutine, Mapping, Sequence
from concurrent.futures import CancelledError, Future
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from assessment_kit.briefing.browser import end_strays, new_workspace
from assessment_kit.briefing.chart_cache import ChartCache, chart_uid
from assessment_kit.briefing.chart_page import ChartPage
from assessment_kit.briefing.chart_tab import ChartTab, figure_size, stable_svg
from assessment_kit.briefing.devtools import Browser, BrowserGone, Tab, profile_folder
from assessment_kit.briefing.page_numbers import PageNumbers
from assessment_kit.errors import BriefingError

if TYPE_CHECKING:
    from assessment_kit.briefing.pdf import PrintResult

#: Seconds to wait for one chart to be drawn.
CHART_TIMEOUT = 60.0
#: Environment variable: seconds to wait for the browser to start (default 60).
OPEN_TIMEOUT_VARIABLE = "ASSESSMENT_KIT_BROWSER_TIMEOUT"


def open_timeout() -> float:
    """Seconds to wait for the browser to start: ``$ASSESSMENT_KIT_BROWSER_TIMEOUT`` or 60."""
    text = os.environ.get(OPEN_TIMEOUT_VARIABLE, "").strip()
    try:
        seconds = float(text) if text else 60.0
    except ValueError:
        raise BriefingError(
            f"{OPEN_TIMEOUT_VARIABLE}={text!r} is not a number of seconds; set it to, say, 60"
        ) from None
    return seconds if seconds > 0 else 60.0


T = TypeVar("T")


async def _cancel_pending() -> None:
    """Cancel every other task of the running loop and wait for them to end."""
    current = asyncio.current_task()
    tasks = [task for task in asyncio.all_tasks() if task is not current]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


class ChartRenderer:
    """One headless Chromium that draws plotly figures as SVG and prints the briefing.

    The browser starts in a background thread when the renderer is created, so it opens
    while the mission is read and scored; ``render`` and ``print`` wait for it. Its profile
    and the printed page live in one workspace folder (see :func:`.browser.new_workspace`),
    removed on :meth:`close`. Use as a context manager, or call :meth:`close`.

    Parameters
    ----------
    browser
        The Chromium or Chrome executable (see :func:`.browser.find_browser`).
    kept
        True for a session kept for many prints (:func:`shared_renderer`): each print's tab
        is then made while the session is idle, before it is asked for, and so is the
        chart page once a print has not needed it. (Every session makes its first print's
        tab while the browser starts.)
    cache
        Use the user's chart cache (:mod:`.chart_cache`): charts drawn before are taken
        from it, and the chart page (plotly.js) is loaded only when one is missing; and the
        contents' page numbers of the last print (:mod:`.page_numbers`).
    """

    def __init__(self, browser: Path | str, *, kept: bool = False, cache: bool = True) -> None:
        self.browser = Path(browser)
        self.kept = kept
        self.open_timeout = open_timeout()
        self.charts_drawn = 0
        #: How many of the charts drawn were taken from the chart cache.
        self.charts_cached = 0
        #: How many times this session printed a page (a briefing whose contents' numbers
        #: were guessed wrong is printed twice; see :mod:`.pdf`).
        self.prints = 0
        self._cache = ChartCache.for_browser(self.browser) if cache else None
        self._numbers = PageNumbers.for_user() if cache else None
        self.timings: dict[str, float] = {}
        #: Seconds the browser thread spent on each step: start, chart page, charts.
        self.session_timings: dict[str, float] = {}
        self._created = time.perf_counter()
        self._closed = False
        self._chrome: Browser | None = None
        self._tab: ChartTab | None = None
        self._open_error: BaseException | None = None
        self._chart_error: BaseException | None = None
        #: Done once the browser has started (or failed to: ``_open_error``).
        self._opened: Future[None] = Future()
        #: Done once the chart page can be drawn in (or failed to load: ``_chart_error``);
        #: None until a chart must be drawn (see _want_chart_page).
        self._chart_page: Future[None] | None = None
        self._chart_page_lock = threading.Lock()
        #: The next print's tab, made while the session is idle (see _take_print_tab).
        self._spare_tab: asyncio.Task[Tab] | None = None
        self._loop = asyncio.new_event_loop()
        #: Held while the browser is started; close() takes it to mark the session closed.
        self._starting = threading.Lock()
        self._thread = threading.Thread(
            target=self._thread_main, name="assessment-kit-browser", daemon=True
        )
        # From here on there is something to clean up: registered first, so that a Ctrl-C
        # at any later point is still closed at exit (see _close_all_at_exit).
        _live.add(self)
        self.workspace = new_workspace()
        self._page = ChartPage()
        self._thread.start()

    def _thread_main(self) -> None:
        """The browser thread: start the browser, then run the loop that talks to it."""
        with self._starting:
            # Started here, so that the caller goes on at once (it reads the mission
            # meanwhile). Under the lock, close() either sees the process or prevents it.
            if not self._closed:
                try:
                    flags = self._page.browser_flags()
                    self._page.link_code_cache(profile_folder(self.workspace))
                    self._chrome = Browser(self.browser, self.workspace, flags)
                except Exception as error:  # kept for _session() to explain
                    self._open_error = error
            if not self._closed:
                self._loop.create_task(self._open())
        self._loop.run_forever()

    async def _open(self) -> None:
        # Any failure is kept for _session() to explain, not raised: a task whose error
        # nobody awaits (the export failed elsewhere first) would print it at exit.
        try:
            if self._chrome is None:
                return  # it could not be started: _session() explains
            await self._page.serve()
            await self._chrome.connect()
            self.session_timings["start"] = time.perf_counter() - self._created
        except (Exception, CancelledError) as error:
            self._open_error = error
        finally:
            if self._opened.set_running_or_notify_cancel():  # False: closed meanwhile
                self._opened.set_result(None)

    def _want_chart_page(self) -> Future[None]:
        """Start loading the chart page (once; a chart is to be drawn)."""
        with self._chart_page_lock:
            if self._chart_page is None:
                self._chart_page = asyncio.run_coroutine_threadsafe(
                    self._open_chart_page(), self._loop
                )
            return self._chart_page

    async def _open_chart_page(self) -> None:
        """Load the chart page in the first tab once the browser is up.

        Loading plotly.js is the longest step of a session, so nothing else waits for it
        but the drawing: the printed page loads in its own tab meanwhile. A failure is kept
        for :meth:`_chart_tab` to explain.
        """
        try:
            await asyncio.wrap_future(self._opened)
            if self._chrome is None or self._open_error is not None:
                return  # _session() explains
            started = time.perf_counter()
            self._tab = ChartTab(await self._chrome.first_tab(), self._page.url)
            if self._spare_tab is None:  # the print's own tab, made while plotly.js loads
                self._prepare_print_tab(self._chrome)
            await self._tab.load()
            self.session_timings["chart page"] = time.perf_counter() - started
        except (Exception, CancelledError) as error:
            self._chart_error = error

    @property
    def alive(self) -> bool:
        """True while the browser runs, once open (False before it opens and after it ends)."""
        chrome = self._chrome
        opened = self._opened.done() and self._open_error is None
        return not self._closed and opened and chrome is not None and chrome.poll() is None

    @property
    def retries(self) -> int:
        """How many draws found the chart page not ready and were tried again."""
        return self._tab.retries if self._tab is not None else 0

    def _failure(self, error: BaseException, doing: str) -> BriefingError:
        """One clear error for anything that went wrong in the browser thread."""
        if isinstance(error, BriefingError):
            return error
        process = self._chrome
        if process is not None and not isinstance(error, TimeoutError):
            # A browser that was killed takes a moment to be reaped: ask before blaming it.
            process.wait(timeout=2)
        if process is not None and process.poll() is not None:
            return BriefingError(
                f"the browser ({self.browser}) stopped while {doing}; nothing was written. "
                "Export again: a new browser is started."
            )
        if isinstance(error, TimeoutError):
            return BriefingError(
                f"the browser ({self.browser}) did not answer while {doing}; nothing was "
                "written. Check that it runs (try `chromium --headless --version`) or set "
                "BROWSER_PATH to another Chromium or Chrome."
            )
        detail = " ".join(str(part) for part in error.args) or repr(error)
        return BriefingError(f"Chromium ({self.browser}) failed while {doing}: {detail}")

    def _run(self, coroutine: Coroutine[Any, Any, T], timeout: float, doing: str) -> T:
        """Run ``coroutine`` in the browser thread and wait for it, errors made clear."""
        if self._closed:
            coroutine.close()
            raise BriefingError("the browser session is closed")
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout=timeout)
        except (Exception, CancelledError) as error:
            future.cancel()
            raise self._failure(error, doing) from error

    def _session(self) -> Browser:
        """The open browser; waits for it to start, or says why it did not."""
        try:
            self._opened.result(timeout=self.open_timeout)
        except TimeoutError:
            raise BriefingError(
                f"the browser {self.browser} did not start within {self.open_timeout:.0f} s. "
                "Check that it runs (`chromium --headless --version`), set BROWSER_PATH to "
                f"another Chromium or Chrome, or allow more time with {OPEN_TIMEOUT_VARIABLE}."
            ) from None
        except CancelledError:
            raise BriefingError("the browser session is closed") from None
        error = self._open_error
        if error is not None or self._chrome is None:
            if isinstance(error, BriefingError):
                raise error
            detail = self._start_failure(error)
            raise BriefingError(
                f"could not start the browser {self.browser} to draw the charts and print: "
                f"{detail}\nCheck BROWSER_PATH, or install Chromium "
                "(apt-get install chromium-headless-shell)."
            ) from error
        return self._chrome

    def _start_failure(self, error: BaseException | None) -> str:
        """Why the browser did not start, in its own words when it said any."""
        if isinstance(error, BrowserGone) and self._chrome is not None:
            status = self._chrome.wait(timeout=2)
            said = self._chrome.last_words()
            ended = "it ended at once" + ("" if status is None else f" (exit status {status})")
            return ended + (f": {said}" if said else "")
        if error is None:
            return "it was not started"
        return " ".join(str(part) for part in error.args) or repr(error)

    async def _chart_tab(self) -> ChartTab:
        """The chart page's tab, once it can draw; or why it cannot."""
        await asyncio.wrap_future(self._want_chart_page())
        if self._tab is None or self._chart_error is not None:
            error = self._chart_error or self._open_error
            if isinstance(error, BriefingError):
                raise error
            detail = (
                ""
                if error is None
                else ": " + (" ".join(str(part) for part in error.args) or repr(error))
            )
            raise BriefingError(f"the browser {self.browser} could not open the chart page{detail}")
        return self._tab

    async def _draw_all(self, figures: Sequence[Mapping[str, Any]], first: int) -> list[str]:
        tab = await self._chart_tab()
        svgs: list[str] = []
        started = time.perf_counter()
        for index, figure in enumerate(figures):
            try:
                svg = await asyncio.wait_for(tab.draw(figure), timeout=CHART_TIMEOUT)
            except BriefingError as error:
                raise BriefingError(f"could not draw chart {index + 1}: {error}") from error
            svgs.append(stable_svg(svg, chart_uid(first + index)))
            if self._cache is not None:
                self._cache.put(figure, svgs[-1])
        self.session_timings["charts"] = time.perf_counter() - started
        return svgs

    def submit(self, figures: Sequence[Mapping[str, Any]]) -> Future[list[str]]:
        """Start drawing ``figures`` as SVG; the future gives one SVG text per figure.

        Drawing waits for the browser to open and runs in the background, so the caller
        can go on (build the page, print a first pass) meanwhile. When the chart cache has
        every one of them, the future is done at once and plotly.js is not loaded.
        """
        if self._closed:
            raise BriefingError("the browser session is closed")
        first = self.charts_drawn
        self.charts_drawn += len(figures)
        cached = None if self._cache is None else self._cache.get_all(figures, first)
        if cached is not None:
            self.charts_cached += len(cached)
            done: Future[list[str]] = Future()
            done.set_result(cached)
            return done
        self._want_chart_page()
        return asyncio.run_coroutine_threadsafe(self._draw_all(list(figures), first), self._loop)

    def foresee(self, mission: Path | str) -> None:
        """Start loading the chart page at once when an export of ``mission`` will likely
        draw a chart (:meth:`.ChartCache.expects_drawing`; always without a chart cache):
        plotly.js then loads while the mission is read and scored, not after."""
        if self._cache is None or self._cache.expects_drawing(mission):
            self._want_chart_page()

    def remember(self, mission: Path | str, figures: Sequence[Mapping[str, Any]]) -> None:
        """Note for the next :meth:`foresee` that ``mission`` gave these ``figures``."""
        if self._cache is not None:
            self._cache.remember(mission, figures)

    def render(self, figures: Sequence[Mapping[str, Any]]) -> list[str]:
        """Return one SVG document (text) per figure, in order.

        ``figures`` are plotly figure dicts (``fig.to_plotly_json()`` or the
        ``application/vnd.plotly.v1+json`` payload).
        """
        if not figures:
            return []
        self._session()  # a browser that cannot start says so with its own message
        future = self.submit(figures)
        try:
            return future.result(timeout=len(figures) * CHART_TIMEOUT)
        except (Exception, CancelledError) as error:
            future.cancel()
            raise self._failure(error, "drawing the charts") from error

    def evaluate_in_chart_page(self, expression: str) -> Any:
        """Evaluate ``expression`` in the chart page (tests use it to force states)."""
        self._session()

        async def run() -> Any:
            tab = await self._chart_tab()
            result = await tab._send("Runtime.evaluate", {"expression": expression})
            return result.get("result", {}).get("value")

        return self._run(run(), CHART_TIMEOUT, "running a script in the chart page")

    def _prepare_print_tab(self, chrome: Browser) -> None:
        """Make the next print's tab now, off the print's path (runs in the loop)."""
        from assessment_kit.briefing.pdf import print_tab

        self._spare_tab = asyncio.ensure_future(print_tab(chrome))
        # A tab that could not be made is made again by the print, which explains why.
        self._spare_tab.add_done_callback(lambda task: task.cancelled() or task.exception())

    async def _take_print_tab(self, chrome: Browser) -> Tab:
        """The prepared tab; else the browser's first page when no chart is drawn (all
        kept: the print need not wait for a new tab's renderer), else a new tab."""
        from assessment_kit.briefing.pdf import print_tab

        spare, self._spare_tab = self._spare_tab, None
        if spare is not None:
            with contextlib.suppress(Exception):
                return await spare
        return await print_tab(chrome, first=self._chart_page is None)

    async def _print(
        self,
        chrome: Browser,
        html_text: str,
        footer: str | None,
        late_charts: Mapping[str, Future[str]] | None,
    ) -> tuple[bytes, int, dict[str, int]]:
        """Print in a tab of its own, closed after. A kept session then makes the next
        print's tab, and loads the chart page if no chart needed it yet: the next export
        follows a correction, whose charts are new (plotly.js would load on its path)."""
        from assessment_kit.briefing.pdf import _Lap, cdp_print

        tab = await self._take_print_tab(chrome)
        try:
            lap = _Lap(self.timings)
            return await cdp_print(
                tab, html_text, footer, lap, late_charts, self.workspace, self._numbers
            )
        finally:
            self.prints += lap.prints
            await chrome.close_tab(tab)
            if self.kept:
                self._prepare_print_tab(chrome)
                self._want_chart_page()

    def print_bytes(
        self,
        html_text: str,
        *,
        footer: str | None = None,
        late_charts: Mapping[str, Future[str]] | None = None,
    ) -> tuple[bytes, int, dict[str, int]]:
        """Print ``html_text`` to A4 PDF in this same browser session.

        ``late_charts`` maps chart keys (``<figure data-chart=KEY>``) to SVGs still being
        drawn: the page is laid out and paginated with placeholders of the same size, and
        the SVGs are put in just before the final print.

        Returns the PDF bytes, its page count and the page of each contents anchor.
        """
        from assessment_kit.briefing.pdf import TIMEOUT_MS

        chrome = self._session()
        self.timings = {}  # this print's own stages (a kept session prints many times)
        return self._run(
            self._print(chrome, html_text, footer, late_charts),
            4 * TIMEOUT_MS / 1000,
            "printing the PDF",
        )

    def print(
        self,
        html_text: str,
        out: Path | str,
        *,
        footer: str | None = None,
        late_charts: Mapping[str, Future[str]] | None = None,
    ) -> PrintResult:
        """Print ``html_text`` to the PDF ``out``, written atomically (see print_bytes)."""
        from assessment_kit.briefing.pdf import PrintResult
        from assessment_kit.store.outputs import write_atomically

        data, pages, headings = self.print_bytes(html_text, footer=footer, late_charts=late_charts)
        write_atomically(data, Path(out))
        return PrintResult(Path(out), pages, headings, dict(self.timings))

    def close(self) -> None:
        """Close the browser, stop the thread and remove the workspace (idempotent).

        The browser's process is known from its start on, so a session closed at any moment
        of its start, or of an export, ends it: its whole process group is killed, which is
        also the quickest end. Its profile is thrown away, and the disk cache it shares
        (:mod:`.chart_page`) is Chromium's crash-safe one: what it wrote stays usable.
        """
        with self._starting:  # a browser being started is known once this is taken
            if self._closed:
                return
            self._closed = True
        _live.discard(self)
        chrome = self._chrome
        started = self._thread.is_alive()
        self._opened.cancel()
        if self._chart_page is not None:
            self._chart_page.cancel()
        try:
            if chrome is not None:
                chrome.kill()
        finally:
            if started:
                # Let the pipe's readers and the page's server end rather than being
                # destroyed pending (which prints warnings at exit); a stuck task must not
                # keep the export from returning.
                with contextlib.suppress(Exception, CancelledError):
                    ending = asyncio.run_coroutine_threadsafe(self._wind_down(), self._loop)
                    ending.result(timeout=10)
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._thread.join(timeout=30)
            if not self._thread.is_alive():
                self._loop.close()
            if chrome is not None and not started:
                chrome.disconnect()
            self._page.close()
            end_strays(self.workspace)  # anything of the browser's that left its group
            shutil.rmtree(self.workspace, ignore_errors=True)

    async def _wind_down(self) -> None:
        """End every other task of the loop, the page's server and our ends of the pipe."""
        await _cancel_pending()
        self._page.stop_serving()
        if self._chrome is not None:
            self._chrome.disconnect()
        await asyncio.sleep(0)  # transports close on the loop's next turn

    def __enter__(self) -> ChartRenderer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


_shared: ChartRenderer | None = None
_shared_lock = threading.Lock()


def shared_renderer(browser: Path | str) -> ChartRenderer:
    """A browser session kept for the life of this process (a notebook's kernel).

    The notebook's Export briefing button uses it, so a second export skips the browser's
    start and the chart page's load. A session whose browser has died, or that was opened
    with another executable, is replaced; the last one is closed when the process exits.
    """
    global _shared
    with _shared_lock:
        if _shared is not None:
            opening = not _shared._opened.done()
            if _shared.browser != Path(browser) or not (opening or _shared.alive):
                _shared.close()
                _shared = None
        if _shared is None:
            _shared = ChartRenderer(browser, kept=True)
        return _shared


def close_shared_renderer() -> None:
    """Close the session of :func:`shared_renderer`, if any (runs at exit)."""
    global _shared
    with _shared_lock:
        if _shared is not None:
            _shared.close()
            _shared = None


#: Every session not yet closed.
_live: weakref.WeakSet[ChartRenderer] = weakref.WeakSet()


def _close_all_at_exit() -> None:
    """Close every session still open and remove this process's workspaces.

    Sessions run in daemon threads: without this, a Ctrl-C or an uncaught error would leave
    their browsers running and their profiles in the temporary folder.
    """
    from assessment_kit.briefing.browser import remove_own_workspaces

    close_shared_renderer()
    for renderer in list(_live):
        with contextlib.suppress(Exception):
            renderer.close()
    remove_own_workspaces()


atexit.register(_close_all_at_exit)


def placeholder_svg(figure: Mapping[str, Any]) -> str:
    """An empty SVG of the figure's size: lays out exactly like the chart it stands for."""
    width, height = figure_size(figure)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"></svg>'
    )
