"""The contents' page numbers are right even when a late chart does not keep its size.

The PDF is numbered from a first print made with the charts' placeholders, while the charts
are drawn; the final print follows them. A chart taller than its placeholder moves what
comes after it: the final print is then numbered again and printed once more.
"""

from __future__ import annotations

import io
from concurrent.futures import Future
from pathlib import Path

import pytest
from pypdf import PdfReader

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
    with ChartRenderer(browser) as renderer:
        data, pages, headings = renderer.print_bytes(PAGE, late_charts={"late": chart})
    two = _page_of("Section two", data)
    assert (two > 1) is moved
    assert headings["two"] == two
    assert f"Two starts on page {two}" in PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert pages == len(PdfReader(io.BytesIO(data)).pages)
