"""Plotly figures to static SVG with kaleido, one browser session for all of them.

Opening kaleido's browser costs about two seconds; each chart after that about 0.05 s.
:class:`ChartRenderer` therefore opens one session in a background thread as soon as it is
created, so the browser starts while the mission is read and scored, and then draws every
chart in that one session.

Plotly gives each SVG a random six-hex ``uid`` in its clip-path and defs ids. We replace it
with one derived from the chart's position: the same input gives the same bytes, and
several SVGs inlined in one HTML page never share an id.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from assessment_kit.errors import BriefingError

if TYPE_CHECKING:
    from assessment_kit.briefing.pdf import PrintResult

#: Size used when a figure's layout gives none (CSS pixels; A4 text width is about 700).
DEFAULT_WIDTH = 900
DEFAULT_HEIGHT = 500
#: Seconds to wait for the browser to open and for one chart to be drawn.
OPEN_TIMEOUT = 60.0
CHART_TIMEOUT = 60.0

_UID = re.compile(r'id="defs-([0-9a-f]{6})"')


def stable_svg(svg: str, key: str) -> str:
    """Replace plotly's random uid in ``svg`` by ``key`` (letters and digits, 6 long)."""
    found = _UID.search(svg)
    if found is None:
        return svg
    uid = found.group(1)
    # Only where plotly writes the uid: right after a letter or hyphen of an id
    # ("defs-", "clip", "legend"...), never inside a colour such as "#ad1c0f".
    return re.sub(rf"(?<=[A-Za-z-]){uid}", key, svg)


def figure_size(figure: Mapping[str, Any]) -> tuple[int, int]:
    """The figure's width and height from its layout, or the defaults."""
    layout = figure.get("layout") or {}
    width = layout.get("width") or DEFAULT_WIDTH
    height = layout.get("height") or DEFAULT_HEIGHT
    return int(width), int(height)


Draw = Callable[[dict[str, Any], dict[str, Any]], Awaitable[bytes]]


@contextlib.asynccontextmanager
async def _one_tab(session: Any) -> AsyncIterator[Draw]:
    """Yield ``draw(figure, opts) -> bytes`` drawing every chart in one kaleido tab.

    kaleido's public ``calc_fig`` reloads its page after every chart, parsing plotly.js
    again: measured here, 0.15 s a chart, three times the drawing itself, and on the
    critical path of every PDF. So the tab is taken once, all charts are drawn in it, and
    it goes back without the reload (a briefing draws its few charts and closes). This
    leans on kaleido 1.x internals; a kaleido without them is drawn with ``calc_fig``.
    """

    async def public(figure: dict[str, Any], opts: dict[str, Any]) -> bytes:
        data: bytes = await session.calc_fig(figure, opts=opts)
        return data

    try:
        from kaleido import _profiler
        from kaleido._utils import fig_tools

        tab = await session._get_kaleido_tab()
    except (ImportError, AttributeError):
        yield public
        return

    async def in_tab(figure: dict[str, Any], opts: dict[str, Any]) -> bytes:
        spec = fig_tools.coerce_for_js(figure, None, opts)
        profile = _profiler.RenderTaskProfile(spec, None, tab.tab.target_id)
        data: bytes = await tab._calc_fig(spec, topojson=None, render_prof=profile, stepper=False)
        return data

    try:
        yield in_tab
    finally:
        session.tabs_ready.put_nowait(tab)


async def _cancel_pending() -> None:
    """Cancel every other task of the running loop and wait for them to end."""
    current = asyncio.current_task()
    tasks = [task for task in asyncio.all_tasks() if task is not current]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


class ChartRenderer:
    """Draw plotly figures as SVG in one kaleido browser session.

    The session opens in a background thread when the renderer is created; ``render``
    waits for it. Use as a context manager, or call :meth:`close`.

    Parameters
    ----------
    browser
        The Chromium or Chrome executable (see :func:`.browser.find_browser`).
    """

    def __init__(self, browser: Path | str) -> None:
        # Import kaleido here, not in the thread: imported there, it competes for the GIL
        # with whatever the caller imports next and Chromium starts a second later.
        import kaleido  # noqa: F401

        self.browser = Path(browser)
        self.charts_drawn = 0
        self.timings: dict[str, float] = {}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="assessment-kit-kaleido", daemon=True
        )
        self._thread.start()
        self._kaleido: Any = None
        self._opened: Future[Any] = asyncio.run_coroutine_threadsafe(self._open(), self._loop)
        self._closed = False

    async def _open(self) -> Any:
        import kaleido

        # mathjax=False: kaleido would otherwise fetch MathJax from a CDN for every page.
        session = kaleido.Kaleido(path=str(self.browser), mathjax=False)
        await session.open()
        self._kaleido = session
        return session

    def _session(self) -> Any:
        try:
            return self._opened.result(timeout=OPEN_TIMEOUT)
        except BriefingError:
            raise
        except Exception as error:
            # choreographer puts its explanation in several string arguments
            detail = " ".join(str(part) for part in error.args) or repr(error)
            raise BriefingError(
                f"could not start the browser {self.browser} to draw the charts and print: "
                f"{detail}\nCheck BROWSER_PATH, or install Chromium (apt-get install chromium)."
            ) from error

    async def _draw_all(self, figures: Sequence[Mapping[str, Any]], first: int) -> list[str]:
        session = await asyncio.wrap_future(self._opened)
        svgs: list[str] = []
        async with _one_tab(session) as draw:
            for index, figure in enumerate(figures):
                width, height = figure_size(figure)
                opts = {"format": "svg", "width": width, "height": height}
                try:
                    data = await asyncio.wait_for(draw(dict(figure), opts), timeout=CHART_TIMEOUT)
                except Exception as error:
                    raise BriefingError(f"could not draw chart {index + 1}: {error}") from error
                svgs.append(stable_svg(data.decode("utf-8"), f"c{first + index:05d}"))
        return svgs

    def submit(self, figures: Sequence[Mapping[str, Any]]) -> Future[list[str]]:
        """Start drawing ``figures`` as SVG; the future gives one SVG text per figure.

        Drawing waits for the browser to open and runs in the background, so the caller
        can go on (build the page, print a first pass) meanwhile.
        """
        if self._closed:
            raise BriefingError("the chart renderer is closed")
        first = self.charts_drawn
        self.charts_drawn += len(figures)
        return asyncio.run_coroutine_threadsafe(self._draw_all(list(figures), first), self._loop)

    def render(self, figures: Sequence[Mapping[str, Any]]) -> list[str]:
        """Return one SVG document (text) per figure, in order.

        ``figures`` are plotly figure dicts (``fig.to_plotly_json()`` or the
        ``application/vnd.plotly.v1+json`` payload).
        """
        if not figures:
            return []
        self._session()  # a browser that cannot start says so with its own message
        try:
            return self.submit(figures).result(timeout=OPEN_TIMEOUT + len(figures) * CHART_TIMEOUT)
        except BriefingError:
            raise
        except Exception as error:
            raise BriefingError(f"could not draw the charts: {error}") from error

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
        from assessment_kit.briefing.pdf import TIMEOUT_MS, _Lap, cdp_print

        if self._closed:
            raise BriefingError("the chart renderer is closed")
        session = self._session()
        future = asyncio.run_coroutine_threadsafe(
            cdp_print(session, html_text, footer, _Lap(self.timings), late_charts), self._loop
        )
        try:
            return future.result(timeout=4 * TIMEOUT_MS / 1000)
        except BriefingError:
            raise
        except Exception as error:
            raise BriefingError(f"Chromium ({self.browser}) could not print: {error}") from error

    def print(
        self,
        html_text: str,
        out: Path | str,
        *,
        footer: str | None = None,
        late_charts: Mapping[str, Future[str]] | None = None,
    ) -> PrintResult:
        """Print ``html_text`` to the PDF ``out``, written atomically (see print_bytes)."""
        from assessment_kit.briefing.pdf import PrintResult, write_atomically

        data, pages, headings = self.print_bytes(html_text, footer=footer, late_charts=late_charts)
        write_atomically(data, Path(out))
        return PrintResult(Path(out), pages, headings, dict(self.timings))

    def close(self) -> None:
        """Close the browser session and stop the thread (idempotent)."""
        if self._closed:
            return
        self._closed = True

        async def shutdown() -> None:
            session = self._kaleido
            if session is not None:
                await session.close()

        try:
            if self._opened.done() and self._opened.exception() is None:
                asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(timeout=30)
            else:
                self._opened.cancel()
        except Exception:  # closing must not hide the real error
            pass
        finally:
            # Let choreographer's watchdogs and readers finish rather than being destroyed
            # pending (which prints warnings at exit).
            # (A stuck task must not keep the export from returning.)
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(_cancel_pending(), self._loop).result(timeout=10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30)
            if not self._thread.is_alive():
                self._loop.close()

    def __enter__(self) -> ChartRenderer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def placeholder_svg(figure: Mapping[str, Any]) -> str:
    """An empty SVG of the figure's size: lays out exactly like the chart it stands for."""
    width, height = figure_size(figure)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"></svg>'
    )
