"""Follow-up charts: a baseline drawn on a mission's charts, and the then-and-now chart."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assessment_kit.areas import AREAS
from assessment_kit.charts._style import (
    _GRID,
    _INK,
    BASELINE_COLOUR,
    Spec,
    _area_rows,
    _AreaRow,
    _base_layout,
    updated,
)
from assessment_kit.i18n import _

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from assessment_kit.scoring import MissionScores
    from assessment_kit.scoring.compare import AreaReading as ComparisonReading
    from assessment_kit.scoring.compare import Comparison


def _span(upper: float | None, lower: float | None) -> float:
    """A whisker's length (0 when either end is missing)."""
    return max(0.0, upper - lower) if upper is not None and lower is not None else 0.0


def add_baseline(fig: go.Figure, baseline: MissionScores, *, label: str = "Baseline") -> None:
    """Draw a follow-up's baseline scores on its :func:`radar_figure` or :func:`area_bars_figure`.

    On the radar: a dashed grey line, its range a dotted grey outline; on the bars: a grey
    diamond at each score with its range as a grey whisker. Named ``label`` in the legend.
    """
    import plotly.graph_objects as go

    by_name = {_(row.area.name): row for row in _area_rows(baseline)}
    grey = {"color": BASELINE_COLOUR}

    def hover(row: _AreaRow) -> str:
        if row.score is None:
            return f"<b>{row.area.name}</b><br>{label}: no score"
        return (
            f"<b>{row.area.name}</b><br>{label}: score {row.score:.0f} "
            f"(range {row.low or 0:.0f}–{row.high or 100:.0f})"
        )

    if isinstance(fig.data[0], go.Scatterpolar):
        rows = _area_rows(baseline)
        theta = [*fig.data[1].theta]  # the radar's own axis labels, closed
        for edge in ("high", "low"):
            edges = [getattr(row, edge) for row in rows]
            fig.add_trace(go.Scatterpolar(
                r=[*edges, edges[0]], theta=theta, mode="lines", hoverinfo="skip",
                line={**grey, "width": 1, "dash": "dot"}, name=f"{label} range",
                showlegend=edge == "high", legendgroup="baseline-range",
            ))  # fmt: skip
        fig.add_trace(go.Scatterpolar(
            r=[*(row.score for row in rows), rows[0].score], theta=theta, name=label,
            mode="lines+markers", line={**grey, "width": 2, "dash": "dash"},
            marker={**grey, "size": 6}, text=[*map(hover, rows), hover(rows[0])],
            hovertemplate="%{text}<extra></extra>",
        ))  # fmt: skip
        return
    rows = [by_name[name] for name in fig.data[0].y]
    fig.add_trace(go.Scatter(
        x=[row.score for row in rows], y=[_(row.area.name) for row in rows], mode="markers",
        marker={**grey, "symbol": "diamond", "size": 10, "line": {"color": "white", "width": 1}},
        error_x={"type": "data", "symmetric": False, "color": BASELINE_COLOUR,
                 "array": [_span(row.high, row.score) for row in rows],
                 "arrayminus": [_span(row.score, row.low) for row in rows],
                 "thickness": 1, "width": 3},
        text=[hover(row) for row in rows], hovertemplate="%{text}<extra></extra>", name=label,
    ))  # fmt: skip
    fig.data[0].showlegend = True
    fig.update_layout(
        showlegend=True, legend={"orientation": "h", "y": -0.2, "x": 0.5, "xanchor": "center"}
    )


def progress_figure(comparison: Comparison, *, title: str | None = None) -> go.Figure:
    """:func:`progress_spec` as a plotly figure (for notebooks)."""
    import plotly.graph_objects as go

    return go.Figure(progress_spec(comparison, title=title))


def progress_spec(comparison: Comparison, *, title: str | None = None) -> Spec:
    """A follow-up's areas then and now: two bars per area, each with its range.

    The baseline's bar is grey, the follow-up's in the area's colour; the whiskers are the
    uncertainty ranges. The label right of each pair gives the change as ``compare --json``
    prints it and whether it is real (the ranges do not overlap). An area without a score
    on one side has no bar there.
    """
    from assessment_kit.scoring.compare import WORDS

    changes = list(reversed(comparison.areas))  # first area on top
    names = [_(change.name) for change in changes]
    colours = {area.id: area.colour for area in AREAS}
    labels = [
        _(WORDS[c.verdict]) if c.printed_change is None
        else f"{c.printed_change:+.1f} · {_(WORDS[c.verdict])}"
        for c in changes
    ]  # fmt: skip
    traces = [
        _side([c.then for c in changes], names, _("Baseline"), [BASELINE_COLOUR]),
        _side(
            [c.now for c in changes], names, _("Now"), [colours.get(c.area, _INK) for c in changes]
        ),
        {"type": "scatter", "x": [103.0] * len(changes), "y": names, "mode": "text",
         "text": labels, "cliponaxis": False, "textposition": "middle right",
         "hoverinfo": "skip", "showlegend": False},
    ]  # fmt: skip
    title = _("Then and now, with their ranges") if title is None else title
    layout = updated(_base_layout(title, 470), {
        "barmode": "group", "bargap": 0.3, "bargroupgap": 0.05, "yaxis": {"automargin": True},
        "xaxis": {"range": [0, 160], "tickvals": [0, 25, 50, 75, 100], "gridcolor": _GRID,
                  "zeroline": False,
                  "title": {"text": _("score (0–100); whiskers: the uncertainty ranges")}},
        "legend": {"orientation": "h", "y": -0.18, "x": 0.5, "xanchor": "center"},
    })  # fmt: skip
    return {"data": traces, "layout": layout}


def _side(
    readings: list[ComparisonReading], names: list[str], name: str, colours: list[str]
) -> dict[str, Any]:
    """One side of the progress chart: the scores as bars, the ranges as whiskers."""
    from assessment_kit.scoring.compare import round_score

    def text(r: ComparisonReading) -> str:
        if r.score is None or r.low is None or r.high is None:
            return f"{name}: no score"
        return (
            f"{name}: {round_score(r.score):.1f} "
            f"(range {round_score(r.low):.1f}–{round_score(r.high):.1f})"
        )

    return {
        "type": "bar", "x": [r.score if r.score is not None else 0.0 for r in readings],
        "y": names, "name": name, "orientation": "h",
        "marker": {"color": colours * (len(readings) // len(colours))},
        "error_x": {"type": "data", "symmetric": False, "color": "#555555", "thickness": 1.1,
                    "width": 3, "array": [_span(r.high, r.score) for r in readings],
                    "arrayminus": [_span(r.score, r.low) for r in readings]},
        "text": [text(r) for r in readings], "textposition": "none",
        "hovertemplate": "%{text}<extra></extra>",
    }  # fmt: skip
