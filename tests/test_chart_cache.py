"""The chart cache: an SVG drawn once is taken from the user's cache folder next time, and
only when nothing that decides it has changed; a bad entry is drawn again, never used."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from assessment_kit.briefing import chart_cache, export_briefing
from assessment_kit.briefing.browser import find_browser
from assessment_kit.briefing.chart_cache import ChartCache, chart_uid, drawn_by
from assessment_kit.briefing.pdf import PrintResult
from assessment_kit.briefing.svg import ChartRenderer
from assessment_kit.demo import create_demo_mission
from assessment_kit.questionnaire.cache import ENV_VAR

FIGURE = {
    "data": [{"type": "bar", "x": ["North", "South"], "y": [1, 2]}],
    "layout": {"title": {"text": "Cached chart"}, "width": 320, "height": 220},
}
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg"><defs id="defs-c00000"></defs>'
    '<g class="clipc00000" fill="#c00000"></g></svg>'
)


@pytest.fixture
def cache(tmp_path: Path) -> ChartCache:
    return ChartCache(tmp_path / "charts", "format 1|test")


def test_a_chart_put_is_got_back_with_the_ids_of_its_place(cache: ChartCache) -> None:
    assert cache.get(FIGURE, chart_uid(0)) is None
    cache.put(FIGURE, SVG)
    assert cache.get(FIGURE, chart_uid(0)) == SVG
    # The ids are those of the 8th chart; a colour that looks like the old id is kept.
    assert cache.get(FIGURE, chart_uid(7)) == (
        '<svg xmlns="http://www.w3.org/2000/svg"><defs id="defs-c00007"></defs>'
        '<g class="clipc00007" fill="#c00000"></g></svg>'
    )


def test_another_figure_or_another_drawer_is_another_entry(cache: ChartCache) -> None:
    cache.put(FIGURE, SVG)
    changed = {**FIGURE, "data": [{"type": "bar", "x": ["North", "South"], "y": [1, 3]}]}
    assert cache.get(changed, chart_uid(0)) is None
    upgraded = ChartCache(cache.folder, cache.drawn_by + " plotly 9")
    assert upgraded.get(FIGURE, chart_uid(0)) is None
    # The key does not depend on the order of a figure's keys.
    reordered = {"layout": FIGURE["layout"], "data": FIGURE["data"]}
    assert cache.key(reordered) == cache.key(FIGURE)


def test_get_all_is_all_or_nothing(cache: ChartCache) -> None:
    other = {**FIGURE, "layout": {"width": 100, "height": 100}}
    cache.put(FIGURE, SVG)
    assert cache.get_all([FIGURE, other], first=0) is None
    cache.put(other, SVG)
    got = cache.get_all([FIGURE, other], first=4)
    assert got is not None
    assert ['id="defs-c00004"' in got[0], 'id="defs-c00005"' in got[1]] == [True, True]


@pytest.mark.parametrize(
    "damage",
    [b"<svg xmlns='http://www.w3.org/2000/svg'><g>", b"", b"\xff\xfe<svg></svg>", b"not svg"],
    ids=["truncated", "empty", "not utf-8", "not svg"],
)
def test_a_damaged_entry_is_not_used(cache: ChartCache, damage: bytes) -> None:
    cache.put(FIGURE, SVG)
    (cache.folder / f"{cache.key(FIGURE)}.svg").write_bytes(damage)
    assert cache.get(FIGURE, chart_uid(0)) is None
    cache.put(FIGURE, SVG)  # drawn again and rewritten
    assert cache.get(FIGURE, chart_uid(0)) == SVG


def test_a_folder_that_cannot_be_written_is_no_error(tmp_path: Path) -> None:
    blocker = tmp_path / "charts"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    cache = ChartCache(blocker, "format 1|test")
    cache.put(FIGURE, SVG)
    assert cache.get(FIGURE, chart_uid(0)) is None


def test_the_folder_keeps_the_entries_used_last(
    cache: ChartCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chart_cache, "KEEP", 3)
    figures = [{**FIGURE, "layout": {"width": 100 + n, "height": 100}} for n in range(5)]
    for number, figure in enumerate(figures):
        cache.put(figure, SVG)
        path = cache.folder / f"{cache.key(figure)}.svg"
        os.utime(path, ns=(number * 10**9, number * 10**9))  # written in this order
    cache.folder.joinpath("notes.txt").write_text("not an entry", encoding="utf-8")
    cache.put({**FIGURE, "layout": {"width": 999, "height": 100}}, SVG)
    kept = [figure for figure in figures if cache.get(figure, chart_uid(0)) is not None]
    assert kept == figures[3:]
    assert cache.folder.joinpath("notes.txt").exists()


def test_drawn_by_changes_with_the_browser_file(tmp_path: Path) -> None:
    browser = tmp_path / "chromium"
    browser.write_bytes(b"one build")
    before = drawn_by(browser)
    assert drawn_by(browser) == before
    browser.write_bytes(b"another, longer build")  # an upgrade replaces the file
    assert drawn_by(browser) != before


def test_an_export_foresees_drawing_unless_its_mission_and_charts_are_as_last_time(
    cache: ChartCache, tmp_path: Path
) -> None:
    mission = tmp_path / "mission.db"
    mission.write_bytes(b"answers")
    assert cache.expects_drawing(mission)  # never exported
    cache.put(FIGURE, SVG)
    cache.remember(mission, [FIGURE])
    assert not cache.expects_drawing(mission)  # unchanged, its chart kept
    with mission.open("ab") as file:
        file.write(b" and one more")
    assert cache.expects_drawing(mission)  # written since
    cache.remember(mission, [FIGURE])
    assert not cache.expects_drawing(mission)
    wal = tmp_path / "mission.db-wal"
    wal.write_bytes(b"a write not yet in the file")
    assert cache.expects_drawing(mission)
    wal.unlink()
    (cache.folder / f"{cache.key(FIGURE)}.svg").unlink()
    assert cache.expects_drawing(mission)  # its chart no longer kept
    cache.put(FIGURE, SVG)
    (noted,) = (cache.folder / chart_cache.MISSIONS).glob("*.json")
    for damage in ("not json", "[]", '{"stamp": 1}', '{"charts": []}'):
        noted.write_text(damage, encoding="utf-8")
        assert cache.expects_drawing(mission)
    # A database URL has no file to stamp: nothing foreseen, nothing noted.
    url = "postgresql://host/mission"
    cache.remember(url, [FIGURE])
    assert not cache.expects_drawing(url)
    assert len(list(noted.parent.glob("*.json"))) == 1


def test_turned_off_by_an_empty_cache_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "")
    assert ChartCache.for_browser("chromium") is None


@pytest.mark.slow
@pytest.mark.browser
def test_charts_drawn_once_are_not_drawn_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second session takes the charts from the cache, the same SVG, without loading
    plotly.js; a damaged entry is drawn again."""
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "cache"))
    figures = [FIGURE, {**FIGURE, "layout": {"width": 300, "height": 200}}]
    browser = find_browser()
    with ChartRenderer(browser) as first:
        drawn = first.render(figures)
        assert first.charts_cached == 0
        assert "chart page" in first.session_timings
    with ChartRenderer(browser) as second:
        cached = second.render(figures)
        assert second.charts_cached == 2
        assert "chart page" not in second.session_timings  # plotly.js never loaded
    assert cached == drawn
    entries = sorted((tmp_path / "cache" / "charts").glob("*.svg"))
    assert len(entries) == 2
    entries[0].write_text("<svg", encoding="utf-8")
    with ChartRenderer(browser) as third:
        assert third.render(figures) == drawn
        assert third.charts_cached == 0
    with ChartRenderer(browser, cache=False) as uncached:
        assert uncached.render(figures) == drawn


@pytest.mark.slow
@pytest.mark.browser
def test_a_kept_session_loads_the_chart_page_once_it_has_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A notebook's kept session whose export took every chart from the cache loads the chart
    page after its print: the next export follows a correction, and its new charts then draw
    without waiting for plotly.js. A session for one export does not load it for nothing."""
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "cache"))
    mission = tmp_path / "demo.db"
    create_demo_mission(mission).close()
    browser = find_browser()
    export_briefing(mission, tmp_path / "drawn.pdf")  # the charts, into the cache
    with ChartRenderer(browser) as once:
        export_briefing(mission, tmp_path / "once.pdf", renderer=once)
        assert once.charts_cached == 3
        assert "/charts.html" not in once._page.served
        assert "chart page" not in once.session_timings
    with ChartRenderer(browser, kept=True) as kept:
        export_briefing(mission, tmp_path / "kept.pdf", renderer=kept)
        assert kept.charts_cached == 3
        loading = kept._chart_page
        assert loading is not None  # started once the print was done
        loading.result(timeout=60)
        assert "chart page" in kept.session_timings
        loads = kept._page.served.count("/charts.html")  # 2 if a blank tab aborted the first
        assert loads >= 1
        kept.render([FIGURE])  # a new chart: drawn in the page already loaded
        assert kept.charts_cached == 3
        assert kept._page.served.count("/charts.html") == loads


@pytest.mark.slow
@pytest.mark.browser
def test_a_mission_whose_charts_will_be_drawn_loads_plotly_js_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """plotly.js loads while a new mission is read and scored, before any chart is asked
    for; for a mission exported before and unchanged, it is not loaded at all."""
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "cache"))
    mission = tmp_path / "demo.db"
    create_demo_mission(mission).close()
    browser = find_browser()
    with ChartRenderer(browser) as session:
        session.foresee(mission)
        loading = session._chart_page
        assert loading is not None  # asked for before any figure exists
        loading.result(timeout=60)
        assert "/charts.html" in session._page.served
    export_briefing(mission, tmp_path / "drawn.pdf")
    with ChartRenderer(browser) as session:
        session.foresee(mission)
        assert session._chart_page is None


class _Recording(ChartRenderer):
    """A real session that also keeps what each print was given."""

    def __init__(self, browser: Path) -> None:
        super().__init__(browser)
        self.given: list[tuple[str, int]] = []

    def print(self, html_text: str, out: Path | str, **kwargs: Any) -> PrintResult:
        self.given.append((html_text, len(kwargs.get("late_charts") or {})))
        return super().print(html_text, out, **kwargs)


@pytest.mark.slow
@pytest.mark.browser
def test_charts_taken_from_the_cache_are_in_the_page_it_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export whose charts all come from the cache builds its page with them: nothing is
    put in after the page has loaded, and every page of the briefing draws the same."""
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "cache"))
    mission = tmp_path / "demo.db"
    create_demo_mission(mission).close()
    session = _Recording(find_browser())
    with session:
        first = export_briefing(mission, tmp_path / "first.pdf", renderer=session)
        second = export_briefing(mission, tmp_path / "second.pdf", renderer=session)
        assert session.charts_cached == 3  # the second export's three
    (first_page, first_late), (second_page, second_late) = session.given
    assert first_late == 3  # drawn while the page was numbered: placeholders first
    assert second_late == 0
    drawn = re.compile(r'<div class="chart-static[^"]*">(<svg.*?</svg>)</div>', re.S)
    placeholders, charts = drawn.findall(first_page), drawn.findall(second_page)
    assert len(placeholders) == len(charts) == 3
    assert all("<g" not in svg for svg in placeholders)
    assert all("<g" in svg for svg in charts)  # the drawn charts themselves
    assert first.pages == second.pages
    assert _drawn(first.path) == _drawn(second.path)


def _drawn(pdf: Path) -> list[bytes]:
    """What each page of ``pdf`` draws, byte for byte (its text too)."""
    return [
        contents.get_data() if (contents := page.get_contents()) is not None else b""
        for page in PdfReader(pdf).pages
    ]
