"""The contents' page numbers: guessed from the page laid out in page-sized columns, right
in one print, and right in two when the guess is not.

The guess is made with the charts' placeholders, while the charts are drawn; the final
print follows them and is checked. A chart taller than its placeholder moves what comes
after it, and so does anything the columns do not lay out as the pages: the final print is
then numbered again and printed once more.
"""

from __future__ import annotations

import io
from concurrent.futures import Future
from pathlib import Path

import pytest
from pypdf import PdfReader

from assessment_kit.briefing import pdf
from assessment_kit.briefing.browser import find_browser
from assessment_kit.briefing.svg import ChartRenderer

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PAGE = """<!doctype html><html><head><title>t</title></head><body>
<section class="contents"><a href="#two">Two starts on page
<span class="toc-page" data-anchor="two"></span></a></section>
<figure class="chart" data-chart="late"><div class="chart-static">
<svg xmlns="http://www.w3.org/2000/svg" width="400" height="100" viewBox="0 0 400 100"></svg>
</div></figure>
<h2 id="two">Section two</h2><p>The end.</p>
</body></html>"""


def _svg(height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="{height}" '
        f'viewBox="0 0 400 {height}"><rect width="400" height="{height}" fill="#ccc"/></svg>'
    )


def _page_of(text: str, data: bytes) -> int:
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    return next(number for number, page in enumerate(pages, start=1) if text in page)


@pytest.fixture(scope="module")
def browser() -> Path:
    return find_browser()


@pytest.mark.parametrize(("height", "moved"), [(100, False), (3000, True)])
def test_contents_number_the_final_pages(browser: Path, height: int, moved: bool) -> None:
    chart: Future[str] = Future()
    chart.set_result(_svg(height))
    with ChartRenderer(browser, cache=False) as renderer:
        data, pages, headings = renderer.print_bytes(PAGE, late_charts={"late": chart})
        prints = renderer.prints
    two = _page_of("Section two", data)
    assert (two > 1) is moved
    assert prints == (2 if moved else 1)
    assert headings["two"] == two
    assert f"Two starts on page {two}" in PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert pages == len(PdfReader(io.BytesIO(data)).pages)


#: Parts that start a page (a rule in a print style sheet, and the legacy property), text
#: that runs over two pages, a table whose rows must not be split and whose header is
#: repeated, and an anchor that is nowhere: every way the guess must read the layout.
SECTIONS = """<style>
@media print { .part { break-before: page; } }
.legacy { page-break-before: always; }
tr { break-inside: avoid; }
td { height: 14mm; }
</style>
<nav><p>Contents</p>
<p><a href="#one">One</a> <span class="toc-page" data-anchor="one"></span></p>
<p><a href="#two">Two</a> <span class="toc-page" data-anchor="two"></span></p>
<p><a href="#three">Three</a> <span class="toc-page" data-anchor="three"></span></p>
<p><a href="#four">Four</a> <span class="toc-page" data-anchor="four"></span></p>
<p><a href="#nowhere">Nowhere</a> <span class="toc-page" data-anchor="nowhere"></span></p></nav>
<section class="part" id="one"><h2>One</h2>{long}</section>
<h2 class="legacy" id="two">Two</h2>
<table><thead><tr><th>Head</th></tr></thead><tbody>{rows}</tbody></table>
<h2 id="three">Three</h2><p>After the table.</p>
<section class="part"><h2 id="four">Four</h2><p>The end.</p></section>"""


def _sections(direction: str) -> str:
    paragraph = "<p>" + "Words that fill the page and run on to the next one. " * 12 + "</p>"
    rows = "".join(f"<tr><td>Row {n}</td></tr>" for n in range(30))
    body = SECTIONS.replace("{long}", paragraph * 14).replace("{rows}", rows)
    head = f'<!doctype html><html dir="{direction}"><head><title>t</title></head>'
    return f"{head}<body>{body}</body></html>"


@pytest.mark.parametrize("direction", ["ltr", "rtl"])
def test_the_columns_tell_the_pages_of_the_print(browser: Path, direction: str) -> None:
    with ChartRenderer(browser, cache=False) as renderer:
        data, pages, headings = renderer.print_bytes(_sections(direction))
        prints = renderer.prints
    assert prints == 1  # the guess was right: no second print
    first = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    # each part on a page of its own, the first one over several pages
    assert [headings[name] for name in ("one", "two", "three", "four")] == [2, 5, 6, 7]
    for name in ("one", "two", "three", "four"):
        assert f"{name.capitalize()} {headings[name]}" in first
    assert pages == len(PdfReader(io.BytesIO(data)).pages) == 7


def test_a_wrong_guess_is_printed_again_with_the_right_numbers(
    browser: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # columns a third of the page's height: every guess after the first page is wrong
    top, right, bottom, left = pdf.MARGINS_MM
    monkeypatch.setattr(pdf, "MARGINS_MM", (top, right, bottom + 180, left))
    with ChartRenderer(browser, cache=False) as renderer:
        data, _, headings = renderer.print_bytes(_sections("ltr"))
        prints = renderer.prints
    assert prints == 2
    first = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    for name in ("one", "two", "three", "four"):
        assert f"{name.capitalize()} {headings[name]}" in first
