"""Plotly figures to static SVG with kaleido, one browser session for all of them.

Opening kaleido's browser costs about two seconds; each chart after that about 0.15 s.
:class:`ChartRenderer` therefore opens one session in a background thread as soon as it is
created, so the browser starts while the mission is read and scored, and then draws every
chart in that one session.

Plotly gives each SVG a random six-hex ``uid`` in its clip-path and defs ids. We replace it
with one derived from the chart's position: the same input gives the same bytes, and
several SVGs inlined in one HTML page never share an id.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path
from types import TracebackType
from typing import Any

from assessment_kit.errors import BriefingError

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
        self.browser = Path(browser)
        self.charts_drawn = 0
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
            raise BriefingError(
                f"could not start {self.browser} to draw the charts: {error}"
            ) from error

    async def _draw(self, session: Any, figure: Mapping[str, Any]) -> bytes:
        width, height = figure_size(figure)
        opts = {"format": "svg", "width": width, "height": height}
        data: bytes = await asyncio.wait_for(
            session.calc_fig(dict(figure), opts=opts), timeout=CHART_TIMEOUT
        )
        return data

    def render(self, figures: Sequence[Mapping[str, Any]], *, prefix: str = "c") -> list[str]:
        """Return one SVG document (text) per figure, in order.

        ``figures`` are plotly figure dicts (``fig.to_plotly_json()`` or the
        ``application/vnd.plotly.v1+json`` payload). ``prefix`` starts the stable ids.
        """
        if self._closed:
            raise BriefingError("the chart renderer is closed")
        if not figures:
            return []
        session = self._session()
        svgs: list[str] = []
        for index, figure in enumerate(figures):
            future = asyncio.run_coroutine_threadsafe(self._draw(session, figure), self._loop)
            try:
                data = future.result(timeout=CHART_TIMEOUT + 5)
            except Exception as error:
                raise BriefingError(f"could not draw chart {index + 1}: {error}") from error
            key = f"{prefix[:1] or 'c'}{self.charts_drawn:05d}"
            svgs.append(stable_svg(data.decode("utf-8"), key))
            self.charts_drawn += 1
        return svgs

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


def figures_to_svg(figures: Sequence[Mapping[str, Any]], browser: Path | str) -> list[str]:
    """Draw ``figures`` as SVG text in one browser session (see :class:`ChartRenderer`)."""
    with ChartRenderer(browser) as renderer:
        return renderer.render(figures)
