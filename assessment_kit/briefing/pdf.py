"""Print an HTML page to an A4 PDF with Chromium, over the DevTools protocol.

The printing happens in the same browser session that drew the charts (see
:class:`~assessment_kit.briefing.svg.ChartRenderer`): one Chromium per briefing. Measured
here, a second browser (Playwright's, launched next to the charts' one) cost more in
start-up and CPU contention than the printing itself; ``Page.printToPDF`` is what
Playwright's ``page.pdf`` sends anyway.

The HTML describes itself (see the briefing template): an element with class ``cover``
makes the first page a cover without a footer; elements with class ``toc-page`` and a
``data-anchor`` attribute receive the page number of the element with that id. The running
footer is drawn by the page itself, in CSS page-margin boxes (``@bottom-left``,
``@bottom-right`` with ``counter(page)``; none on a cover's ``@page :first``), so one print
of the whole document is final but for the contents' page numbers. Those are guessed before
the print, from the page laid out in columns the size of a page's text area (see
:data:`_GUESS_PAGES`), while the charts are still being drawn (their placeholders have
their size, so the pages are the same); the numbers are filled in (their box has a fixed
width, so nothing moves), the charts put in, and the final print follows: after the last
chart only one print is left to wait for. Chromium writes a PDF named destination for every
element a link points to, which tells on which page each contents entry really starts:
every print is checked so, and a wrong guess is numbered from the print and printed once
more. The footer's "page 3 of 14" counts the cover, so it matches the PDF viewer's
numbering. (A tagged PDF with an outline would also give the pages, but prints three times
larger and slower.)

The PDF is written to a temporary file next to the target and renamed at the end: a failure
never leaves half a PDF.
"""

from __future__ import annotations

import asyncio
import importlib
import io
import json
import re
import tempfile
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assessment_kit.briefing.devtools import BROWSER_FLAGS
from assessment_kit.errors import BriefingError

if TYPE_CHECKING:
    from assessment_kit.briefing.devtools import Browser, Tab
    from assessment_kit.briefing.page_numbers import PageNumbers

#: Chromium's flags for a browser someone else starts (the UI tests' Playwright): ours,
#: without the two that Playwright sets itself, nor our features switch (Chromium reads only
#: the last one given: ours would drop the features Playwright turns off itself).
CHROMIUM_ARGS: tuple[str, ...] = tuple(
    flag
    for flag in BROWSER_FLAGS
    if flag not in ("--headless", "--remote-debugging-pipe")
    and not flag.startswith("--disable-features=")
)
TIMEOUT_MS = 60_000

#: The running footer, in the page's own margin boxes: the footer text at the left, the page
#: and page count at the right, over one thin rule across the text width.
_FOOTER_BOX = (
    "font-family: 'Liberation Sans', 'Noto Color Emoji', 'DejaVu Sans', Arial, sans-serif; "
    "font-size: 8px; color: #55606b; border-top: 0.5px solid #c9d1d9; padding-top: 4px; "
    # A box of its own height at the foot of the 18 mm margin: the rule and the text sit
    # where Chromium's footer template put them.
    "height: 7.6mm; margin-top: auto; vertical-align: top;"
)
#: The page: A4, and its margins (top, right, bottom, left) in millimetres.
PAGE_MM = (210, 297)
MARGINS_MM = (16, 18, 18, 18)
_FOOTER_CSS = (
    "@page {{ size: A4; margin: " + " ".join(f"{side}mm" for side in MARGINS_MM) + ";"
    # No centre box: the left and right ones share the width, the text on one line.
    " @bottom-{start} {{ content: {text}; {box} white-space: nowrap; text-align: {start}; }}"
    " @bottom-{end} {{ content: {pages}; {box}"
    " white-space: nowrap; text-align: {end}; }} }}"
)
#: The page number's words; a briefing in another language gives its own (a meta tag).
PAGE_LABEL = "Page {page} of {pages}"
_NO_FOOTER_ON_COVER = (
    "@page :first { @bottom-left { content: none; border: none; }"
    " @bottom-right { content: none; border: none; } }"
)
_ADD_STYLE = """(css) => {
  const style = document.createElement('style');
  style.textContent = css;
  document.head.appendChild(style);
}"""


def css_string(text: str) -> str:
    """``text`` as a CSS string literal: every character that is not a plain letter, digit
    or space written as a hexadecimal escape, so no text can end the string or the rule.

    Each escape ends with a space, which CSS takes as the end of the escape: a real space
    after it would otherwise be swallowed.
    """
    escaped = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch == " ") else f"\\{ord(ch):06x} " for ch in text
    )
    return f'"{escaped}"'


def footer_css(text: str, *, cover: bool, page_label: str = PAGE_LABEL, rtl: bool = False) -> str:
    """The CSS that draws the running footer, none on the cover when there is one.

    ``page_label`` words the page number (``{page}`` and ``{pages}`` are the counters); a
    right-to-left page mirrors the footer: its text at the right, the page at the left.
    """
    pieces = re.split(r"(\{page\}|\{pages\})", page_label)
    counters = " ".join(
        "counter(page)"
        if piece == "{page}"
        else "counter(pages)"
        if piece == "{pages}"
        else css_string(piece)
        for piece in pieces
        if piece
    )
    start, end = ("right", "left") if rtl else ("left", "right")
    css = _FOOTER_CSS.format(
        text=css_string(text), box=_FOOTER_BOX, pages=counters, start=start, end=end
    )
    return css + (" " + _NO_FOOTER_ON_COVER if cover else "")


_DESCRIBE = """() => ({
  cover: document.querySelector('.cover') !== null,
  toc: Array.from(document.querySelectorAll('.toc-page')).map(e => e.dataset.anchor || ''),
  footer: (document.querySelector('meta[name="briefing-footer"]') || {}).content || '',
  pageLabel: (document.querySelector('meta[name="briefing-page-label"]') || {}).content || '',
  rtl: document.documentElement.dir === 'rtl',
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


def _printed(data: bytes) -> tuple[int, dict[str, int]]:
    """A printed PDF's number of pages, and element id -> 1-based page, from the named
    destinations Chromium writes for links (one reading of the file for both)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    pages: dict[str, int] = {}
    for name, destination in reader.named_destinations.items():
        number = reader.get_destination_page_number(destination)
        if number is not None and number >= 0:
            pages[str(name).lstrip("/")] = number + 1
    return len(reader.pages), pages


def _contents(pages: Mapping[str, int], toc: list[str]) -> dict[str, int]:
    """The pages of the contents' anchors, of every anchor's page in a print."""
    return {name: pages[name] for name in toc if name in pages}


class _Lap:
    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.clock = time.perf_counter()
        #: How many times the page was printed (2 when its contents' numbers were wrong).
        self.prints = 0

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self.clock
        self.clock = now


#: For the DevTools protocol's Page.printToPDF: the page's own CSS gives the A4 size and the
#: margins (its @page rules also draw the footer).
_CDP_PAGE = {
    "printBackground": True,
    "preferCSSPageSize": True,
    "generateTaggedPDF": False,
    "displayHeaderFooter": False,
}


#: Lays the document out in columns the size of a page's text area, and tells in which
#: column, so on which page, each contents entry starts. A page and a column break the
#: flow by the same rules (Blink fragments both alike: a row or a figure that must not be
#: split, repeated table headers, orphans and widows), so the columns are the pages, once
#: every forced page break of the page's style sheets is made a column break. A right-to-left
#: page's columns run from the right. The columns are taken away again before the print.
_GUESS_PAGES = """(width, height, anchors) => {
  const pageBreak = /^(page|left|right|recto|verso)$/;
  const breaks = [];
  const scan = (rules) => {
    for (const rule of rules) {
      if (rule.cssRules) { scan(rule.cssRules); }
      if (!rule.style || !rule.selectorText) { continue; }
      for (const side of ['before', 'after']) {
        const name = side === 'before' ? 'breakBefore' : 'breakAfter';
        if (pageBreak.test(rule.style[name])) {
          breaks.push(`${rule.selectorText} { break-${side}: column !important; }`);
        }
      }
    }
  };
  for (const sheet of document.styleSheets) {
    try { scan(sheet.cssRules); } catch (error) { /* not readable: its breaks are missed */ }
  }
  const style = document.createElement('style');
  style.textContent = `html { columns: ${width}mm auto !important; column-gap: 0 !important;
    column-fill: auto !important; width: ${width}mm !important; height: ${height}mm !important;
    margin: 0 !important; padding: 0 !important; overflow: visible !important; }
    ${breaks.join('\\n')}`;
  document.head.appendChild(style);
  const pages = {};
  try {
    const root = document.documentElement;
    const box = root.getBoundingClientRect();
    const column = box.width;
    const rtl = getComputedStyle(root).direction === 'rtl';
    for (const anchor of anchors) {
      const target = document.getElementById(anchor);
      const rect = target === null ? undefined : target.getClientRects()[0];
      if (rect === undefined) { continue; }
      const offset = rtl ? box.right - rect.right : rect.left - box.left;
      pages[anchor] = Math.floor(offset / column + 0.01) + 1;
    }
  } finally {
    style.remove();  // whatever happened, the print never sees the columns
  }
  return pages;
}"""

_PUT_CHART = """(key, svg) => {
  const holder = document.querySelector(`figure.chart[data-chart="${key}"] .chart-static`);
  if (holder) { holder.innerHTML = svg; }
  return holder !== null;
}"""


async def print_tab(session: Browser, *, first: bool = False) -> Tab:
    """A tab of the open browser ``session``, ready to print in (page events on, print
    media): with ``first``, the page the browser opened at its start (whose renderer is
    already starting) if nothing took it yet; else a new one. A kept session prepares the
    next one while it is idle."""
    tab = await (session.first_tab() if first else session.create_tab())
    await tab.enable_page_events()
    await tab.call("Emulation.setEmulatedMedia", {"media": "print"})
    return tab


def _page_css(info: Mapping[str, Any], footer: str | None) -> str:
    """The page's footer style, from what the page describes of itself (``_DESCRIBE``);
    ``footer`` replaces the page's own footer text when given."""
    footer_text = footer if footer is not None else str(info["footer"])
    return footer_css(
        footer_text,
        cover=bool(info["cover"]),
        page_label=str(info.get("pageLabel") or PAGE_LABEL),
        rtl=bool(info.get("rtl")),
    )


class _Printing:
    """The page being printed in a tab: its scripts, its prints, its contents' numbers."""

    def __init__(self, tab: Tab, lap: _Lap) -> None:
        self.tab = tab
        self.lap = lap

    async def send(self, command: str, params: dict[str, Any] | None = None) -> Any:
        return await self.tab.call(command, params)

    async def evaluate(self, expression: str) -> Any:
        result = await self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            raise BriefingError(f"script failed in the page: {result['exceptionDetails']}")
        return result.get("result", {}).get("value")

    async def pdf(self) -> bytes:
        import base64

        self.lap.prints += 1
        result = await self.send("Page.printToPDF", _CDP_PAGE)
        return base64.b64decode(result["data"])

    async def fill(self, pages: Mapping[str, int]) -> None:
        """Write the contents' page numbers (their boxes have a fixed width: nothing moves)."""
        await self.evaluate(f"({_FILL_TOC})({json.dumps(dict(pages))})")

    async def guess_pages(self, toc: list[str]) -> dict[str, int]:
        """The contents' pages as the page laid out in page-sized columns shows them
        (:data:`_GUESS_PAGES`): a fifth of a print's time, and checked by the print.
        Placeholders lay out like their charts, so the charts need not be there yet."""
        width = PAGE_MM[0] - MARGINS_MM[1] - MARGINS_MM[3]
        height = PAGE_MM[1] - MARGINS_MM[0] - MARGINS_MM[2]
        arguments = ", ".join(json.dumps(value) for value in (width, height, toc))
        pages = await self.evaluate(f"({_GUESS_PAGES})({arguments})")
        return {str(name): int(page) for name, page in dict(pages or {}).items()}


async def cdp_print(
    tab: Tab,
    html_text: str,
    footer: str | None,
    lap: _Lap,
    late_charts: Mapping[str, Future[str]] | None = None,
    folder: Path | None = None,
    numbers: PageNumbers | None = None,
) -> tuple[bytes, int, dict[str, int]]:
    """Print in a tab made by :func:`print_tab`, over the DevTools protocol.

    The page is loaded from a temporary file (in ``folder``, the session's workspace, when
    given). When it has a table of contents, the page laid out in page-sized columns tells
    on which page each entry starts; the numbers are filled in. Charts still being drawn
    (``late_charts``) replace their same-size placeholders only then, and the final print
    follows them. A print whose entries are not where the numbers say (a layout the columns
    do not show as the pages, a chart that did not keep its placeholder's size) is numbered
    from that print and printed once more.

    With ``numbers`` (:mod:`.page_numbers`), the contents' numbers of the last print of the
    same contents are filled in instead of the columns' guess; the final print is checked
    against them in the same way, and its numbers are kept for the next one.
    """
    # pypdf reads the printed PDF (its pages, and the check): imported while Chromium
    # loads and prints, not after. A later import waits for this one (the import lock).
    threading.Thread(target=importlib.import_module, args=("pypdf",), daemon=True).start()
    page = _Printing(tab, lap)
    with tempfile.TemporaryDirectory(prefix="print-", dir=folder) as page_folder:
        page_file = Path(page_folder) / "briefing.html"
        page_file.write_text(html_text, encoding="utf-8")
        await asyncio.wait_for(tab.navigate(page_file.as_uri()), timeout=TIMEOUT_MS / 1000)
        info = await page.evaluate(f"({_DESCRIBE})()")
        await page.evaluate(f"({_ADD_STYLE})({json.dumps(_page_css(info, footer))})")
        lap("load")
        toc: list[str] = list(info["toc"])
        kept = numbers.get(toc) if numbers is not None and toc else None
        filled = kept if kept is not None or not toc else await page.guess_pages(toc)
        if filled is not None:
            await page.fill(filled)  # a guess, checked against the final print
            lap("numbering")
        for key, drawing in (late_charts or {}).items():
            svg = await asyncio.wrap_future(drawing)
            await page.evaluate(f"({_PUT_CHART})({json.dumps(key)}, {json.dumps(svg)})")
        lap("waiting for charts")
        data = await page.pdf()
        lap("print")
        count, headings = _printed(data)
        if toc and _contents(headings, toc) != filled:
            # a wrong guess (numbers kept from another print, a layout the columns do not
            # show as the pages, a chart that did not keep its placeholder's size): number
            # from this print and print again
            await page.fill(_contents(headings, toc))
            data = await page.pdf()
            count, headings = _printed(data)
        if toc and numbers is not None and _contents(headings, toc) != kept:
            numbers.put(toc, _contents(headings, toc))
        lap("check")
        return data, count, headings
