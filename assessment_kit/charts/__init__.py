"""Plotly figures of a mission's scores.

Every function takes a :class:`~assessment_kit.scoring.MissionScores` and returns a static
``plotly.graph_objects.Figure`` (or a DataFrame); nothing here displays anything. The
scores dashboard re-shows them in an ``ipywidgets.Output`` and the briefing writes them as
SVG, so they are styled to read well both on screen and on paper.

Each figure is built as a plain spec first (``radar_spec``, ``area_bars_spec``,
``section_heatmap_spec``: the JSON dict plotly.js draws, its template written out); the
``*_figure`` functions wrap it in a ``go.Figure``. The briefing takes the specs as they are:
plotly's figure classes validate every property on first use, about 0.3 s of a cold export
for three charts that need no validation (a test holds each spec to what plotly makes of it).

Scores are on 0..100; coverage on 0..1. Areas without a score (nothing relevant answered)
are drawn as gaps, never as zeros.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from assessment_kit.areas import AREAS, get_area, is_area
from assessment_kit.charts._followup import add_baseline, progress_figure, progress_spec
from assessment_kit.charts._style import (
    _GRID,
    BASELINE_COLOUR,
    Spec,
    _area_rows,
    _base_layout,
    _hex_to_rgba,
    updated,
)
from assessment_kit.i18n import N_, _, current_language
from assessment_kit.scoring.rank import priorities, section_area_means

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

    from assessment_kit.questionnaire.model import Questionnaire
    from assessment_kit.scoring import MissionScores

__all__ = [
    "BASELINE_COLOUR",
    "add_baseline",
    "area_bars_figure",
    "area_bars_spec",
    "progress_figure",
    "progress_spec",
    "radar_figure",
    "radar_spec",
    "section_heatmap_figure",
    "section_heatmap_spec",
    "updated",
    "weakest_questions_table",
]


def radar_figure(scores: MissionScores, *, title: str = "Scores by area") -> go.Figure:
    """A radar of the seven areas: the score line inside its low..high range band.

    Parameters
    ----------
    scores
        The mission's scores.
    title
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        Two traces: the range band (filled ring) and the score line with markers.
        An area without a score leaves a gap in the line; its band spans 0..100 because
        nothing is known.
    """
    import plotly.graph_objects as go

    return go.Figure(radar_spec(scores, title=title))


def radar_spec(scores: MissionScores, *, title: str = "Scores by area") -> Spec:
    """The spec of :func:`radar_figure`."""
    rows = _area_rows(scores)
    # An area without a score says so on its axis label: its band spans 0..100 because
    # nothing is known, and a reader should not take that spike for a result.
    labels = [
        _(row.area.short_name) + ("" if row.score is not None else " " + _("(no data)"))
        for row in rows
    ]
    highs = [row.high if row.high is not None else 100.0 for row in rows]
    lows = [row.low if row.low is not None else 0.0 for row in rows]
    values = [row.score for row in rows]
    # The band is one closed ring: round the highs, then back round the lows. Traversed in
    # opposite directions, SVG's non-zero fill rule leaves the inside (below low) empty.
    band_theta = [*labels, labels[0], labels[0], *reversed(labels)]
    band_r = [*highs, highs[0], lows[0], *reversed(lows)]
    hover = [
        (
            f"<b>{_(row.area.name)}</b><br>score {row.score:.0f} "
            f"(range {lows[i]:.0f}–{highs[i]:.0f})<br>coverage {row.coverage:.0%}"
            if row.score is not None
            else f"<b>{_(row.area.name)}</b><br>no score yet"
        )
        for i, row in enumerate(rows)
    ]
    band = {
        "type": "scatterpolar",
        "r": band_r,
        "theta": band_theta,
        "fill": "toself",
        "fillcolor": "rgba(38,79,120,0.15)",
        "line": {"width": 0, "color": "rgba(38,79,120,0.0)"},
        "hoverinfo": "skip",
        "name": _("Range (low–high)"),
    }
    line = {
        "type": "scatterpolar",
        "r": [*values, values[0]],
        "theta": [*labels, labels[0]],
        "mode": "lines+markers",
        "line": {"color": "#264f78", "width": 2.5},
        "marker": {
            "size": 10,
            "color": [row.area.colour for row in rows] + [rows[0].area.colour],
            "line": {"color": "white", "width": 1},
        },
        "connectgaps": False,
        "text": [*hover, hover[0]],
        "hovertemplate": "%{text}<extra></extra>",
        "name": _("Score"),
    }
    return {"data": [band, line], "layout": {**_base_layout(title, 460), **_RADAR_AXES}}


#: The radar's polar axes (0..100, clockwise from the top) and legend.
_RADAR_AXES: dict[str, Any] = {
    "polar": {
        "radialaxis": {
            "range": [0, 100],
            "tickvals": [0, 25, 50, 75, 100],
            "gridcolor": _GRID,
            "tickfont": {"size": 10},
            "angle": 90,
        },
        "angularaxis": {"gridcolor": _GRID, "direction": "clockwise", "rotation": 90},
        "bgcolor": "white",
    },
    "legend": {"orientation": "h", "y": -0.08, "x": 0.5, "xanchor": "center"},
    "showlegend": True,
}


def area_bars_figure(scores: MissionScores, *, title: str = "Scores and coverage") -> go.Figure:
    """Horizontal bars of the area scores with their range and coverage.

    Each bar has the area's colour; its opacity follows coverage (a pale bar rests on few
    answers) and its label says the score and the coverage. The whisker is the low..high
    range. Areas without a score show "no data" and no bar.
    """
    import plotly.graph_objects as go

    return go.Figure(area_bars_spec(scores, title=title))


def area_bars_spec(scores: MissionScores, *, title: str = "Scores and coverage") -> Spec:
    """The spec of :func:`area_bars_figure`."""
    rows = list(reversed(_area_rows(scores)))  # first area on top
    names = [_(row.area.name) for row in rows]
    values = [row.score if row.score is not None else 0.0 for row in rows]
    plus = [
        max(0.0, row.high - row.score) if row.score is not None and row.high is not None else 0.0
        for row in rows
    ]
    minus = [
        max(0.0, row.score - row.low) if row.score is not None and row.low is not None else 0.0
        for row in rows
    ]
    colours = [
        _hex_to_rgba(row.area.colour, 0.25 + 0.75 * min(1.0, max(0.0, row.coverage)))
        for row in rows
    ]
    labels = [
        _("{score} · coverage {coverage}").format(
            score=f"{row.score:.0f}", coverage=f"{row.coverage:.0%}"
        )
        if row.score is not None
        else _("no data")
        for row in rows
    ]
    hover = [
        f"<b>{_(row.area.name)}</b><br>"
        + (
            f"score {row.score:.0f} (range {row.low or 0:.0f}–{row.high or 100:.0f})"
            if row.score is not None
            else "no score yet"
        )
        + f"<br>{row.scored} of {row.relevant} relevant questions scored"
        + (f"<br>{row.band}" if row.band else "")
        for row in rows
    ]
    bars = {
        "type": "bar",
        "x": values,
        "y": names,
        "orientation": "h",
        "marker": {
            "color": colours,
            "line": {"color": [row.area.colour for row in rows], "width": 1},
        },
        "error_x": {
            "type": "data",
            "symmetric": False,
            "array": plus,
            "arrayminus": minus,
            "color": "#555555",
            "thickness": 1.2,
            "width": 4,
        },
        "hovertext": hover,
        "hoverinfo": "text",
        "name": _("Score"),
    }
    # Labels sit in their own column right of 100 so they never collide with the whiskers.
    texts = {
        "type": "scatter",
        "x": [103.0] * len(rows),
        "y": names,
        "mode": "text",
        "text": labels,
        "textposition": "middle right",
        "hoverinfo": "skip",
        "cliponaxis": False,
        "showlegend": False,
    }
    axes = updated(_BARS_AXES, {"xaxis": {"title": {"text": _(_BARS_AXIS_TITLE)}}})
    return {"data": [bars, texts], "layout": {**_base_layout(title, 380), **axes}}


#: The bars' axis title, translated where a chart is drawn.
_BARS_AXIS_TITLE = N_("score (0–100); paler bars rest on fewer answers")
#: The bars' axes: 0..100 with room right of 100 for the labels.
_BARS_AXES: dict[str, Any] = {
    "xaxis": {
        "range": [0, 140],
        "tickvals": [0, 25, 50, 75, 100],
        "gridcolor": _GRID,
        "zeroline": False,
        "title": {"text": _BARS_AXIS_TITLE},
    },
    "yaxis": {"automargin": True},
    "showlegend": False,
    "bargap": 0.35,
}


def _titles(
    questionnaires: Mapping[str, Questionnaire] | Iterable[Questionnaire] | None,
) -> tuple[dict[tuple[str, str], str], list[tuple[str, str]], int]:
    """Section labels by (questionnaire, section), their order, and how many instruments."""
    if questionnaires is None:
        return {}, [], 0
    items = (
        list(questionnaires.values())
        if isinstance(questionnaires, Mapping)
        else list(questionnaires)
    )
    labels: dict[tuple[str, str], str] = {}
    order: list[tuple[str, str]] = []
    for questionnaire in items:
        for section in questionnaire.sections:
            key = (questionnaire.id, section.id)
            labels[key] = section.title.get(current_language()) or section.id
            order.append(key)
    return labels, order, len(items)


def section_heatmap_figure(
    scores: MissionScores,
    questionnaires: Mapping[str, Questionnaire] | Iterable[Questionnaire] | None = None,
    *,
    title: str = "Mean score by section and area",
) -> go.Figure:
    """A heatmap of the mean question score (0..100) per section (rows) and area (columns).

    The mean is weighted by question weight times area weight, over scored relevant
    questions. Empty cells mean no scored question of that section feeds that area.
    ``questionnaires`` gives the section titles and order; without it, ids are shown.
    """
    import plotly.graph_objects as go

    return go.Figure(section_heatmap_spec(scores, questionnaires, title=title))


def section_heatmap_spec(
    scores: MissionScores,
    questionnaires: Mapping[str, Questionnaire] | Iterable[Questionnaire] | None = None,
    *,
    title: str = "Mean score by section and area",
) -> Spec:
    """The spec of :func:`section_heatmap_figure`."""
    labels, order, n_instruments = _titles(questionnaires)
    cells: dict[tuple[str, str], dict[str, float]] = {}
    for mean in section_area_means(scores):
        cells.setdefault((mean.questionnaire, mean.section), {})[mean.area] = mean.score
    keys = [key for key in order if key in cells] + sorted(k for k in cells if k not in order)
    if n_instruments != 1:
        instruments = {key[0] for key in keys}
        multi = len(instruments) > 1
    else:
        multi = False

    def row_label(key: tuple[str, str]) -> str:
        text = labels.get(key, key[1])
        return f"{key[0]} · {text}" if multi else text

    z: list[list[float | None]] = []
    text: list[list[str]] = []
    for key in keys:
        row_z: list[float | None] = []
        row_text: list[str] = []
        for item in AREAS:
            value = cells[key].get(item.id)
            row_z.append(value)
            row_text.append("" if value is None else f"{value:.0f}")
        z.append(row_z)
        text.append(row_text)
    heatmap = {
        "type": "heatmap",
        "z": z,
        "x": [_(area.short_name) for area in AREAS],
        "y": [row_label(key) for key in keys],
        "text": text,
        "texttemplate": "%{text}",
        "zmin": 0,
        "zmax": 100,
        "colorscale": [[0.0, "#c8553d"], [0.5, "#f2e394"], [1.0, "#4f9d4a"]],
        "colorbar": {"title": {"text": "score"}, "thickness": 12},
        "hoverongaps": False,
        "hovertemplate": "%{y}<br>%{x}: %{z:.0f}<extra></extra>",
        "xgap": 2,
        "ygap": 2,
    }
    layout = updated(
        _base_layout(title, max(260, 120 + 26 * len(keys))),
        {
            "yaxis": {"autorange": "reversed", "automargin": True},
            "xaxis": {"side": "top", "automargin": True},
            "margin": {"l": 60, "r": 40, "t": 90, "b": 20},
        },
    )
    return {"data": [heatmap], "layout": layout}


WEAKEST_COLUMNS: tuple[str, ...] = (
    "questionnaire",
    "question",
    "section",
    "text",
    "area",
    "score",
    "gap",
    "answers",
    "disagreement",
)


def weakest_questions_table(scores: MissionScores, n: int = 10) -> pd.DataFrame:
    """The ``n`` scored relevant questions with the largest weighted gap (weight × (1 − score)).

    Questions without a gap (full score) are left out.

    Returns a DataFrame with columns ``questionnaire, question, section, text, area`` (the
    primary area's name), ``score`` (0..100, rounded), ``gap``, ``answers`` (number of
    respondent answers) and ``disagreement``. Ties keep questionnaire order.
    """
    import pandas as pd  # only here: the briefing's charts need none of it

    ranked = priorities(scores.question_scores, n)
    if not scores.question_scores:
        return pd.DataFrame(columns=list(WEAKEST_COLUMNS))
    return pd.DataFrame(
        {
            "questionnaire": pd.Series([q.questionnaire for q in ranked], dtype=str),
            "question": pd.Series([q.question for q in ranked], dtype=str),
            "section": pd.Series([q.section for q in ranked], dtype=str),
            "text": pd.Series([q.text for q in ranked], dtype=str),
            "area": [_area_name(q.primary_area) for q in ranked],
            "score": pd.Series([100.0 * (q.score or 0.0) for q in ranked], dtype="float64").round(
                0
            ),
            "gap": pd.Series([q.gap for q in ranked], dtype="float64").round(3),
            "answers": pd.Series([q.n_answers for q in ranked], dtype="int64"),
            "disagreement": pd.Series([q.disagreement for q in ranked], dtype=bool),
        }
    )


def _area_name(area_id: str | None) -> str:
    return get_area(area_id).name if area_id is not None and is_area(area_id) else ""
