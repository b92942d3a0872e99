"""Print an HTML page to an A4 PDF with Chromium through Playwright.

The HTML describes itself (see the briefing template): an element with class ``cover``
makes the first page a cover without a footer; elements with class ``toc-page`` and a
``data-anchor`` attribute receive the page number of the element with that id. Page numbers
are found with two passes: Chromium writes a PDF named destination for every element a link
points to, so a first print (without footer; its first page is the cover) tells on which
page each contents entry starts; the numbers are filled in and the pages after the cover
printed again with the footer. The footer's "page 3 of 14" counts the cover, so it matches
the PDF viewer's numbering. (A tagged PDF with an outline would also give the pages, but
prints three times larger and slower.)

Playwright's sync API refuses to run inside an asyncio loop (a Jupyter kernel, the Jupyter
server), so :class:`PdfPrinter` runs the async API on its own loop in a worker thread; it
launches the browser as soon as it is created, so the launch overlaps other work. The PDF
is written to a temporary file next to the target and renamed at the end: a failure never
leaves half a PDF.
"""

from __future__ import annotations

import asyncio
import html
import io
import json
import os
import tempfile
import threading
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
MARGIN = {"top": "16mm", "bottom": "18mm", "left": "18mm", "right": "18mm"}
TIMEOUT_MS = 60_000

_FOOTER = (
    "<div style=\"font-family: 'Liberation Sans', 'DejaVu Sans', Arial, sans-serif; "
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


async def _print_page(
    chromium: Any, html_text: str, footer: str | None, lap: _Lap
) -> tuple[bytes, int, dict[str, int]]:
    """Print with an open Playwright browser (see the module docstring for the passes)."""
    from playwright.async_api import Error as PlaywrightError

    page = await chromium.new_page()
    try:
        await page.emulate_media(media="print")
        await page.set_content(html_text, wait_until="load", timeout=TIMEOUT_MS)
        info = await page.evaluate(_DESCRIBE)
        lap("load")
        footer_text = footer if footer is not None else str(info["footer"])
        options: dict[str, Any] = {
            "format": "A4",
            "print_background": True,
            "margin": MARGIN,
            "display_header_footer": True,
            "header_template": "<span></span>",
            "footer_template": _FOOTER.format(text=html.escape(footer_text)),
        }
        headings: dict[str, int] = {}
        if not info["cover"] and not info["toc"]:
            data = await page.pdf(**options)
            lap("print")
            return data, _page_count(data), headings
        # First pass, without footer: the contents' pages, and the cover.
        first = await page.pdf(**{**options, "display_header_footer": False})
        lap("pass 1")
        if info["toc"]:
            headings = _anchor_pages(first)
            wanted = {name: headings[name] for name in info["toc"] if name in headings}
            await page.evaluate(_FILL_TOC, wanted)
        lap("contents")
        if not info["cover"]:
            data = await page.pdf(**options)
            lap("print")
            return data, _page_count(data), headings
        try:
            body = await page.pdf(**{**options, "page_ranges": "2-"})
        except PlaywrightError as error:
            if "exceeds page count" not in str(error):
                raise
            return first, 1, headings
        lap("print")
        joined, count = _join_cover(first, body)
        lap("join")
        return joined, count, headings
    finally:
        await page.close()


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
) -> tuple[bytes, int, dict[str, int]]:
    """Print in an open choreographer browser (kaleido's session) over the DevTools protocol.

    The same passes as with Playwright: the page is loaded from a temporary file, printed
    once without footer (contents' pages and the cover), then the pages after the cover
    with the footer. Charts still being drawn (``late_charts``) replace their same-size
    placeholders between the two passes.
    """
    import base64

    with tempfile.TemporaryDirectory(prefix="assessment-kit-print-") as folder:
        page_file = Path(folder) / "briefing.html"
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


class PdfPrinter:
    """A Chromium driven by Playwright, launched in a background thread at creation.

    Creating it early lets the browser start while other work runs; :meth:`print` waits
    for it. Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, browser: Path | str) -> None:
        self.browser = Path(browser)
        self.timings: dict[str, float] = {}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="assessment-kit-print", daemon=True
        )
        self._thread.start()
        self._playwright: Any = None
        self._chromium: Any = None
        self._closed = False
        self._opened = asyncio.run_coroutine_threadsafe(self._open(), self._loop)

    async def _open(self) -> Any:
        from playwright.async_api import async_playwright

        lap = _Lap(self.timings)
        self._playwright = await async_playwright().start()
        self._chromium = await self._playwright.chromium.launch(
            executable_path=str(self.browser), args=list(CHROMIUM_ARGS), timeout=TIMEOUT_MS
        )
        lap("launch")
        return self._chromium

    def _error(self, error: BaseException) -> BriefingError:
        return BriefingError(f"Chromium ({self.browser}) could not print the PDF: {error}")

    def print_bytes(
        self, html_text: str, *, footer: str | None = None
    ) -> tuple[bytes, int, dict[str, int]]:
        """Print ``html_text``; return the PDF bytes, its page count and anchors' pages."""
        if self._closed:
            raise BriefingError("the PDF printer is closed")
        try:
            chromium = self._opened.result(timeout=TIMEOUT_MS / 1000)
            lap = _Lap(self.timings)
            future = asyncio.run_coroutine_threadsafe(
                _print_page(chromium, html_text, footer, lap), self._loop
            )
            return future.result(timeout=4 * TIMEOUT_MS / 1000)
        except BriefingError:
            raise
        except Exception as error:
            raise self._error(error) from error

    def print(self, html_text: str, out: Path | str, *, footer: str | None = None) -> PrintResult:
        """Print ``html_text`` to the PDF ``out``, written atomically."""
        data, pages, headings = self.print_bytes(html_text, footer=footer)
        write_atomically(data, Path(out))
        return PrintResult(Path(out), pages, headings, dict(self.timings))

    def close(self) -> None:
        """Close the browser and stop the thread (idempotent)."""
        if self._closed:
            return
        self._closed = True

        async def shutdown() -> None:
            if self._chromium is not None:
                await self._chromium.close()
            if self._playwright is not None:
                await self._playwright.stop()

        try:
            self._opened.exception(timeout=TIMEOUT_MS / 1000)
            asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(timeout=30)
        except Exception:  # closing must not hide the real error
            pass
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30)
            if not self._thread.is_alive():
                self._loop.close()

    def __enter__(self) -> PdfPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def html_to_pdf_bytes(
    html_text: str,
    *,
    browser: Path | str,
    footer: str | None = None,
    timings: dict[str, float] | None = None,
) -> tuple[bytes, int, dict[str, int]]:
    """Print ``html_text`` to PDF bytes; return them, the page count and anchors' pages.

    ``footer`` is the text left of the page number; by default the page's
    ``<meta name="briefing-footer">``. ``timings`` receives seconds per step.
    """
    with PdfPrinter(browser) as printer:
        result = printer.print_bytes(html_text, footer=footer)
        if timings is not None:
            timings.update(printer.timings)
        return result


def write_atomically(data: bytes, out: Path) -> None:
    """Write ``data`` to ``out`` through a temporary file in the same folder, then rename."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def print_pdf(
    html_text: str, out: Path | str, *, browser: Path | str, footer: str | None = None
) -> PrintResult:
    """Print ``html_text`` to the A4 PDF ``out`` (written atomically).

    Parameters
    ----------
    html_text
        A self-contained HTML page (fonts, styles and charts inline).
    out
        The PDF to write; its folder is created.
    browser
        The Chromium or Chrome executable.
    footer
        Text left of "Page X of Y"; defaults to the page's ``briefing-footer`` meta tag.
    """
    timings: dict[str, float] = {}
    data, pages, headings = html_to_pdf_bytes(
        html_text, browser=browser, footer=footer, timings=timings
    )
    write_atomically(data, Path(out))
    return PrintResult(Path(out), pages, headings, timings)
