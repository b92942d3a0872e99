"""The chart page's tab: plotly figures drawn as SVG by kaleido's page script.

The page is kaleido's public ``PageGenerator`` page (plotly.js and ``kaleido_scopes``);
:class:`ChartTab` waits until the page can draw and retries a draw that finds it not ready.
Plotly gives each SVG a random six-hex ``uid`` in its clip-path and defs ids;
:func:`stable_svg` replaces it with one derived from the chart's position: the same input
gives the same bytes, and several SVGs inlined in one HTML page never share an id.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from assessment_kit.errors import BriefingError

__all__ = [
    "DEFAULT_HEIGHT",
    "DEFAULT_WIDTH",
    "READY_TIMEOUT",
    "ChartTab",
    "PageNotReady",
    "chart_page",
    "figure_size",
    "stable_svg",
]

#: Size used when a figure's layout gives none (CSS pixels; A4 text width is about 700).
DEFAULT_WIDTH = 900
DEFAULT_HEIGHT = 500

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


#: Seconds to wait for the chart page to be able to draw (plotly.js is 4.7 MB of script).
READY_TIMEOUT = 60.0

#: Resolves true once the page has loaded and kaleido's script has defined its entry point.
_READY = """new Promise(resolve => {
  const answer = () => resolve(typeof window.kaleido_scopes === 'object'
                               && window.kaleido_scopes !== null);
  if (document.readyState === 'complete') { answer(); }
  else { window.addEventListener('load', answer, {once: true}); }
})"""

#: kaleido's page function: draws a spec, resolves to {code, message, result, ...}.
_DRAW = "function (spec) { return kaleido_scopes.plotly(spec, null, false).then(JSON.stringify); }"

#: What the DevTools protocol or the page says when the page cannot draw yet: its script has
#: not run, or it was navigated away from under us. Such an error is retried once.
NOT_READY_SIGNS = (
    "kaleido_scopes is not defined",
    "Cannot read properties of undefined (reading 'plotly')",
    "Cannot find context with specified id",
    "Could not find object with given id",
    "Execution context was destroyed",
    "Inspected target navigated or closed",
)


class PageNotReady(Exception):
    """The chart page cannot draw yet (internal: caught and retried)."""


def _protocol_result(response: Mapping[str, Any], command: str) -> dict[str, Any]:
    """The result of a DevTools command; a page exception or protocol error raised."""
    if "error" in response:
        message = str(response["error"].get("message", response["error"]))
        if any(sign in message for sign in NOT_READY_SIGNS):
            raise PageNotReady(message)
        raise BriefingError(f"Chromium refused {command}: {message}")
    result: dict[str, Any] = response.get("result", {})
    details = result.get("exceptionDetails")
    if details:
        text = str((details.get("exception") or {}).get("description") or details.get("text"))
        if any(sign in text for sign in NOT_READY_SIGNS):
            raise PageNotReady(text)
        raise BriefingError(f"the chart page failed: {text}")
    return result


class ChartTab:
    """One browser tab with kaleido's chart page (plotly.js and ``kaleido_scopes.js``).

    We draw through the page's own entry point, ``kaleido_scopes.plotly(spec)``, over the
    DevTools protocol, rather than through kaleido's Python ``Kaleido`` class: its public
    ``calc_fig`` reloads the page after every chart (0.15 s each, on the PDF's critical
    path), and its tab internals may call the page before the page's script has run (the
    "kaleido_scopes is not defined" race). Here nothing is drawn before :meth:`wait_ready`
    has seen the entry point, and a draw that still finds the page not ready reloads it and
    is tried once more.
    """

    def __init__(self, tab: Any, url: str) -> None:
        self.tab = tab
        self.url = url
        self.retries = 0
        self._global: str | None = None

    async def _send(self, command: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return _protocol_result(await self.tab.send_command(command, params=params), command)

    async def load(self) -> None:
        """Navigate to the chart page and wait for its load event."""
        self._global = None
        await asyncio.wait_for(self.tab.navigate(self.url), timeout=READY_TIMEOUT)

    async def wait_ready(self) -> None:
        """Wait until the page can draw, reloading it when it has lost its script."""
        deadline = asyncio.get_running_loop().time() + READY_TIMEOUT
        while True:
            try:
                ready = await self._send(
                    "Runtime.evaluate",
                    {"expression": _READY, "awaitPromise": True, "returnByValue": True},
                )
                if ready.get("result", {}).get("value") is True:
                    window = await self._send("Runtime.evaluate", {"expression": "globalThis"})
                    self._global = str(window["result"]["objectId"])
                    return
                await self.load()  # loaded, but not kaleido's page (or its script is gone)
            except PageNotReady:
                await asyncio.sleep(0.02)  # a navigation is under way: ask its new page
            if asyncio.get_running_loop().time() > deadline:
                raise BriefingError(
                    f"the chart page did not become ready within {READY_TIMEOUT:.0f} s; "
                    "the machine may be overloaded: try again"
                )

    async def _draw_once(self, spec: dict[str, Any]) -> str:
        if self._global is None:
            await self.wait_ready()
        result = await self._send(
            "Runtime.callFunctionOn",
            {
                "functionDeclaration": _DRAW,
                "objectId": self._global,
                "arguments": [{"value": spec}],
                "awaitPromise": True,
                "returnByValue": True,
            },
        )
        answer = json.loads(result.get("result", {}).get("value") or "null")
        if not isinstance(answer, dict) or answer.get("code") != 0:
            message = answer.get("message") if isinstance(answer, dict) else answer
            raise BriefingError(f"plotly could not draw the chart: {message}")
        return str(answer["result"])

    async def draw(self, figure: Mapping[str, Any]) -> str:
        """Draw ``figure`` as SVG text; a not-ready page is reloaded and tried once more."""
        width, height = figure_size(figure)
        spec = {"format": "svg", "width": width, "height": height, "scale": 1, "data": figure}
        try:
            return await self._draw_once(spec)
        except PageNotReady:
            self.retries += 1
            self._global = None
            return await self._draw_once(spec)


def chart_page(folder: Path) -> str:
    """Write kaleido's chart page into ``folder``; return its URL.

    kaleido's public ``PageGenerator`` writes the page (the plotly.js that plotly ships and
    kaleido's ``kaleido_scopes.js``); no MathJax, which kaleido would fetch from a CDN.
    """
    from kaleido import PageGenerator

    page = folder / "charts.html"
    page.write_text(PageGenerator(mathjax=False).generate_index(), encoding="utf-8")
    return page.as_uri()
