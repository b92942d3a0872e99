"""Print an HTML page to an A4 PDF with Chromium, over the DevTools protocol.

The printing happens in the same browser session that drew the charts (see
:class:`~assessment_kit.briefing.svg.ChartRenderer`): one Chromium per briefing. Measured
here, a second browser (Playwright's, launched next to the charts' one) cost more in
start-up and CPU contention than the printing itself; ``Page.printToPDF`` is what
Playwright's ``page.pdf`` sends anyway.

The HTML describes itself (see the briefing template): an element with class ``cover``
makes the first page a cover without a footer; elements with class ``toc-page`` and a
``data-anchor`` attribute receive the page number of the element with that id. Page numbers
are found with two passes: Chromium writes a PDF named destination for every element a link
points to, so a first print (without footer; its first page is the cover) tells on which
page each contents entry starts; the numbers are filled in and the pages after the cover
printed again with the footer. The footer's "page 3 of 14" counts the cover, so it matches
the PDF viewer's numbering. (A tagged PDF with an outline would also give the pages, but
prints three times larger and slower.)

The PDF is written to a temporary file next to the target and renamed at the end: a failure
never leaves half a PDF.
"""

from __future__ import annotations

import asyncio
import html
import io
import json
import tempfile
import time
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assessment_kit.errors import BriefingError

#: Chromium flags: no sandbox (containers run as root), no GPU, nothing phoning home.
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
TIMEOUT_MS = 60_000

_FOOTER = (
    "<div style=\"font-family: 'Liberation Sans', 'Noto Color Emoji', 'DejaVu Sans', Arial, "
    "sans-serif; "
    "font-size: 8px; color: #55606b; width: 100%; margin: 0 18mm; display: flex; "
    'justify-content: space-between; border-top: 0.5px solid #c9d1d9; padding-top: 4px;">'
    "<span>{text}</span>"
    '<span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span>'
    "</div>"
)

_DESCRIBE = """() => ({
  cover: document.querySelector('.cover') !== null,
  toc: Array.from(document.querySelectorAll('.toc-page')).map(e => e.dataset.anchor || ''),
  footer: (document.querySelector('meta[name="briefing-footer"]') || {}).content || '',
})"""

_FILL_TOC = """(pages) => {
  for (const element of document.querySelectorAll('.toc-page')) {
    const page = pages[element.dataset.anchor || ''];
    element.textContent = page === undefined ? '' : String(page);
  }
}"""


@dataclass(frozen=True, slots=True)
class PrintResult:
    """What was printed: the file, its number of pages and each heading's page."""

    path: Path
    pages: int
    headings: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def _anchor_pages(data: bytes) -> dict[str, int]:
    """Element id -> 1-based page, from the named destinations Chromium writes for links."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    pages: dict[str, int] = {}
    for name, destination in reader.named_destinations.items():
        number = reader.get_destination_page_number(destination)
        if number is not None and number >= 0:
            pages[str(name).lstrip("/")] = number + 1
    return pages


def _join_cover(cover: bytes, body: bytes) -> tuple[bytes, int]:
    """The cover page followed by the body, keeping the body's links and bookmarks."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(body)))
    writer.insert_page(PdfReader(io.BytesIO(cover)).pages[0], 0)  # only the cover's page 1
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue(), len(writer.pages)


def _page_count(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


class _Lap:
    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.clock = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self.clock
        self.clock = now


#: A4 in inches and the margins, for the DevTools protocol's Page.printToPDF.
_MM = 1 / 25.4
_CDP_PAGE = {
    "paperWidth": 210 * _MM,
    "paperHeight": 297 * _MM,
    "marginTop": 16 * _MM,
    "marginBottom": 18 * _MM,
    "marginLeft": 18 * _MM,
    "marginRight": 18 * _MM,
    "printBackground": True,
    "preferCSSPageSize": False,
    "generateTaggedPDF": False,
    "headerTemplate": "<span></span>",
}


def _cdp_result(response: Any, command: str) -> Any:
    if "error" in response:
        raise BriefingError(f"Chromium refused {command}: {response['error']}")
    return response.get("result", {})


_PUT_CHART = """(key, svg) => {
  const holder = document.querySelector(`figure.chart[data-chart="${key}"] .chart-static`);
  if (holder) { holder.innerHTML = svg; }
  return holder !== null;
}"""


async def cdp_print(
    session: Any,
    html_text: str,
    footer: str | None,
    lap: _Lap,
    late_charts: Mapping[str, Future[str]] | None = None,
    folder: Path | None = None,
) -> tuple[bytes, int, dict[str, int]]:
    """Print in an open choreographer browser over the DevTools protocol.

    The page is loaded from a temporary file (in ``folder``, the session's workspace, when
    given), printed
    once without footer (contents' pages and the cover), then the pages after the cover
    with the footer. Charts still being drawn (``late_charts``) replace their same-size
    placeholders between the two passes.
    """
    import base64

    with tempfile.TemporaryDirectory(prefix="print-", dir=folder) as page_folder:
        page_file = Path(page_folder) / "briefing.html"
        page_file.write_text(html_text, encoding="utf-8")
        tab = await session.create_tab("")
        try:

            async def send(command: str, params: dict[str, Any] | None = None) -> Any:
                return _cdp_result(await tab.send_command(command, params=params), command)

            async def evaluate(expression: str) -> Any:
                result = await send(
                    "Runtime.evaluate",
                    {"expression": expression, "returnByValue": True, "awaitPromise": True},
                )
                if "exceptionDetails" in result:
                    raise BriefingError(f"script failed in the page: {result['exceptionDetails']}")
                return result.get("result", {}).get("value")

            async def pdf(**options: Any) -> bytes:
                result = await send("Page.printToPDF", {**_CDP_PAGE, **options})
                return base64.b64decode(result["data"])

            await send("Page.enable")
            await send("Emulation.setEmulatedMedia", {"media": "print"})
            loaded = tab.subscribe_once("Page.loadEventFired")
            await send("Page.navigate", {"url": page_file.as_uri()})
            await asyncio.wait_for(loaded, timeout=TIMEOUT_MS / 1000)
            info = await evaluate(f"({_DESCRIBE})()")
            lap("load")
            footer_text = footer if footer is not None else str(info["footer"])
            with_footer = {
                "displayHeaderFooter": True,
                "footerTemplate": _FOOTER.format(text=html.escape(footer_text)),
            }
            headings: dict[str, int] = {}
            if not info["cover"] and not info["toc"] and not late_charts:
                data = await pdf(**with_footer)
                lap("print")
                return data, _page_count(data), headings
            first = await pdf(displayHeaderFooter=False)
            lap("pass 1")
            if info["toc"]:
                headings = _anchor_pages(first)
                wanted = {name: headings[name] for name in info["toc"] if name in headings}
                await evaluate(f"({_FILL_TOC})({json.dumps(wanted)})")
            for key, drawing in (late_charts or {}).items():
                svg = await asyncio.wrap_future(drawing)
                lap("waiting for charts")
                await evaluate(f"({_PUT_CHART})({json.dumps(key)}, {json.dumps(svg)})")
            lap("contents")
            if not info["cover"]:
                data = await pdf(**with_footer)
                lap("print")
                return data, _page_count(data), headings
            if _page_count(first) < 2:
                return first, 1, headings
            body = await pdf(**with_footer, pageRanges="2-")
            lap("print")
            joined, count = _join_cover(first, body)
            lap("join")
            return joined, count, headings
        finally:
            await session.close_tab(tab.target_id)
