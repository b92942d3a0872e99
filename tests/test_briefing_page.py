"""The briefing page made without nbconvert is the page our exporter makes, byte for byte.

``assessment-kit brief`` renders the page directly (briefing/page.py) to spare a second of
imports; JupyterLab's File > Save and Export As and ``jupyter nbconvert --to briefing_html``
convert the briefing notebook with our exporter. Both must give the same page, for the
HTML briefing (interactive charts), the printed page (static SVG), a chart not drawn, and
hostile text (the test mission's notes hold markup and control characters).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from briefing_support import make_mission

from assessment_kit.briefing.api import CAPTIONS, briefing_charts
from assessment_kit.briefing.context import BriefingContext, briefing_context
from assessment_kit.briefing.notebook import Chart, briefing_notebook
from assessment_kit.briefing.page import briefing_page
from assessment_kit.briefing.svg import placeholder_svg
from assessment_kit.scoring import score_mission
from assessment_kit.store import Mission

DATE = dt.date(2026, 3, 20)


@pytest.fixture(scope="module")
def mission_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_mission(tmp_path_factory.mktemp("page") / "mission.db")


@pytest.fixture(scope="module")
def made(mission_path: Path) -> Iterator[tuple[BriefingContext, dict[str, dict[str, Any]]]]:
    with Mission.open(mission_path) as mission:
        scores = score_mission(mission)
        context = briefing_context(mission, scores, date=DATE)
        yield context, briefing_charts(scores, dict(mission.questionnaires))


def _charts(figures: Mapping[str, dict[str, Any]], svg: bool) -> dict[str, Chart]:
    return {
        key: Chart(key, figure, CAPTIONS[key], placeholder_svg(figure) if svg else None)
        for key, figure in figures.items()
    }


def _exported(context: BriefingContext, charts: Mapping[str, Chart], interactive: bool) -> str:
    from assessment_kit.briefing.exporters import BriefingHTMLExporter

    exporter = BriefingHTMLExporter(interactive_charts=interactive)
    html, _ = exporter.from_notebook_node(briefing_notebook(context, charts))
    return str(html)


@pytest.mark.parametrize(
    ("interactive", "svg"),
    [(True, False), (False, True), (True, True), (False, False)],
    ids=["html", "printed", "html-with-svg", "chart-not-drawn"],
)
def test_page_is_the_exporters_page(
    made: tuple[BriefingContext, dict[str, dict[str, Any]]], interactive: bool, svg: bool
) -> None:
    context, figures = made
    charts = _charts(figures, svg)
    page = briefing_page(context, charts, interactive_charts=interactive)
    expected = _exported(context, charts, interactive)
    assert page.splitlines() == expected.splitlines()  # a failure shows the lines
    assert page == expected
    assert page.count('<figure class="chart"') == 3


def test_page_without_charts_is_the_exporters_page(
    made: tuple[BriefingContext, dict[str, dict[str, Any]]],
) -> None:
    context, _ = made
    page = briefing_page(context, {}, interactive_charts=True)
    assert page == _exported(context, {}, True)
    assert "<script" not in page  # no chart, no plotly.js


@pytest.mark.slow
def test_brief_loads_neither_nbconvert_nor_plotlys_figure_classes(
    mission_path: Path, tmp_path: Path
) -> None:
    """The speed of ``brief`` rests on this: nbconvert, nbformat and jsonschema cost about a
    second to import, plotly's figure classes a third of a second to validate three charts."""
    heavy = ("nbconvert", "nbformat", "jsonschema", "plotly.basedatatypes")
    script = (
        "import sys\n"
        "from assessment_kit.briefing import export_briefing\n"
        f"export_briefing({str(mission_path)!r}, {str(tmp_path / 'b.html')!r})\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
    assert (tmp_path / "b.html").stat().st_size > 0
