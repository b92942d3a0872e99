"""Charts from real scores: the demo mission, scored by the real engine."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import pytest

from assessment_kit import charts
from assessment_kit.areas import AREAS
from assessment_kit.demo import create_demo_mission
from assessment_kit.scoring import MissionScores, score_answers, score_mission
from assessment_kit.store import Mission


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Mission:
    path = tmp_path_factory.mktemp("charts") / "demo.db"
    return create_demo_mission(path)


@pytest.fixture(scope="module")
def scores(demo: Mission) -> MissionScores:
    return score_mission(demo)


@pytest.fixture
def empty(demo: Mission) -> MissionScores:
    """Scores of a mission where nothing is answered."""
    frames = demo.answers_frame().iloc[0:0], demo.consolidated_frame().iloc[0:0]
    return score_answers(demo.questionnaires, *frames)


def test_radar_has_seven_areas_score_line_and_range_band(scores: MissionScores) -> None:
    fig = charts.radar_figure(scores)
    assert isinstance(fig, go.Figure)
    band, line = fig.data
    assert band.fill == "toself"
    assert len(line.r) == len(AREAS) + 1  # closed line
    areas = scores.areas.set_index("area")
    for area, value in zip(AREAS, line.r[:-1], strict=True):
        expected = areas.loc[area.id, "score"]
        if expected is None or (isinstance(expected, float) and math.isnan(expected)):
            assert value is None
        else:
            assert value == pytest.approx(expected)
    # The band goes round the highs, then back round the lows.
    highs = list(band.r[: len(AREAS)])
    assert highs == pytest.approx([float(areas.loc[a.id, "high"]) for a in AREAS])
    assert list(line.marker.color[:-1]) == [a.colour for a in AREAS]


def test_bars_show_coverage_as_opacity_and_label(scores: MissionScores) -> None:
    fig = charts.area_bars_figure(scores)
    bars, labels = fig.data
    names = list(reversed([a.name for a in AREAS]))
    assert list(bars.y) == names
    areas = scores.areas.set_index("area")
    for area in AREAS:
        index = names.index(area.name)
        coverage = areas.loc[area.id, "coverage"]
        assert f"coverage {coverage:.0%}" in labels.text[index]
        alpha = float(bars.marker.color[index].rsplit(",", 1)[1].rstrip(")"))
        assert alpha == pytest.approx(0.25 + 0.75 * coverage, abs=0.01)


def test_section_heatmap_rows_are_sections_columns_areas(
    scores: MissionScores, demo: Mission
) -> None:
    fig = charts.section_heatmap_figure(scores, demo.questionnaires)
    (heat,) = fig.data
    assert list(heat.x) == [a.short_name for a in AREAS]
    titles = {str(s.title) for q in demo.questionnaires.values() for s in q.sections}
    assert heat.y
    assert all(label.split(" · ", 1)[-1] in titles for label in heat.y)
    values = [v for row in heat.z for v in row if v is not None]
    assert values
    assert all(0 <= v <= 100 for v in values)


def test_weakest_questions_are_ranked_by_gap(scores: MissionScores) -> None:
    table = charts.weakest_questions_table(scores, n=5)
    assert list(table.columns) == list(charts.WEAKEST_COLUMNS)
    assert len(table) == 5
    assert list(table["gap"]) == sorted(table["gap"], reverse=True)
    assert (table["gap"] > 0).all()
    assert set(table["area"]) <= {a.name for a in AREAS}


def test_empty_scores_draw_without_error(empty: MissionScores) -> None:
    radar = charts.radar_figure(empty)
    assert all(value is None for value in radar.data[1].r)
    assert all("(no data)" in label for label in radar.data[1].theta)
    bars = charts.area_bars_figure(empty)
    assert set(bars.data[1].text) == {"no data"}
    heat = charts.section_heatmap_figure(empty)
    assert list(heat.data[0].z) == []
    table = charts.weakest_questions_table(empty)
    assert isinstance(table, pd.DataFrame)
    assert table.empty


def test_figures_are_plain_figures_with_fixed_axes(scores: MissionScores) -> None:
    """The briefing writes these as static SVG, so the axes must not depend on the data."""
    fig = charts.radar_figure(scores)
    spec = fig.to_plotly_json()
    assert spec["layout"]["polar"]["radialaxis"]["range"] == [0, 100]
    assert fig.layout.height


@pytest.mark.parametrize("which", ["scores", "empty"])
def test_specs_are_what_plotly_makes_of_them(
    which: str, request: pytest.FixtureRequest, demo: Mission
) -> None:
    """The briefing draws the plain specs without plotly's figure classes: each must be
    exactly the figure plotly validates and writes (nothing dropped, renamed or coerced)."""
    import json

    chart_scores: MissionScores = request.getfixturevalue(which)
    specs = [
        charts.radar_spec(chart_scores),
        charts.area_bars_spec(chart_scores),
        charts.section_heatmap_spec(chart_scores, demo.questionnaires),
    ]
    for spec in specs:
        assert json.loads(go.Figure(spec).to_json()) == json.loads(json.dumps(spec))
        assert spec["layout"]["template"]["layout"]["paper_bgcolor"] == "white"  # plotly_white


def test_updated_merges_nested_settings_as_plotly_does() -> None:
    layout = {"margin": {"l": 60, "r": 40}, "title": {"text": "T"}, "width": 100}
    changed = charts.updated(layout, {"margin": {"l": 90}, "width": 200, "height": 50})
    assert changed == {
        "margin": {"l": 90, "r": 40},
        "title": {"text": "T"},
        "width": 200,
        "height": 50,
    }
    assert layout["margin"] == {"l": 60, "r": 40}  # the original is left as it was
