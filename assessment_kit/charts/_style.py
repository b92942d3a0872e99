"""What every chart shares: the spec type, the fonts and colours, the base layout, the area rows."""

from __future__ import annotations

import contextlib
import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from assessment_kit.areas import AREAS, Area
from assessment_kit.extras import package_folder

if TYPE_CHECKING:
    from assessment_kit.scoring import MissionScores

#: A figure as plotly.js takes it: ``{"data": [...], "layout": {...}}``.
Spec = dict[str, Any]

_FONT = {"family": "Source Sans Pro, Segoe UI, Helvetica, Arial, sans-serif", "size": 13}
_GRID = "#d9d9d9"
_INK = "#333333"
#: A follow-up's baseline, drawn beside its scores: a quiet grey (dashed on the radar).
BASELINE_COLOUR = "#8c8c8c"


@dataclass(frozen=True, slots=True)
class _AreaRow:
    """An area's record as the charts draw it (no score: a gap, no coverage: 0)."""

    area: Area
    score: float | None
    low: float | None
    high: float | None
    coverage: float
    band: str
    scored: int
    relevant: int


def _area_rows(scores: MissionScores) -> list[_AreaRow]:
    """One row per area in AREAS order, whatever order or subset the scores hold."""
    by_id = {record.area: record for record in scores.area_scores}
    rows = []
    for area in AREAS:
        record = by_id.get(area.id)
        if record is None:
            rows.append(_AreaRow(area, None, None, None, 0.0, "", 0, 0))
            continue
        rows.append(
            _AreaRow(
                area=area,
                score=record.score,
                low=record.low,
                high=record.high,
                coverage=record.coverage or 0.0,
                band=record.band or "",
                scored=record.questions_scored,
                relevant=record.questions_relevant,
            )
        )
    return rows


def _hex_to_rgba(colour: str, alpha: float) -> str:
    colour = colour.lstrip("#")
    red, green, blue = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({red},{green},{blue},{alpha:.2f})"


@cache
def _plotly_white() -> dict[str, Any]:
    """plotly's ``plotly_white`` template, read as the data plotly ships it as (its file
    found without importing plotly, which an export would otherwise do for it alone)."""
    folder = package_folder("plotly")
    if folder is not None:
        shipped = folder / "package_data" / "templates" / "plotly_white.json"
        with contextlib.suppress(OSError):  # laid out otherwise in some plotly version
            template: dict[str, Any] = json.loads(shipped.read_text(encoding="utf-8"))
            return template
    import plotly.io as pio  # plotly then says what its template is

    shipped_template: dict[str, Any] = pio.templates["plotly_white"].to_plotly_json()
    return shipped_template


def updated(spec: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``spec`` with ``changes`` merged in, nested dicts key by key, as plotly's
    ``update_layout`` merges them (a list or a plain value replaces)."""
    merged = dict(spec)
    for key, value in changes.items():
        current = merged.get(key)
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            merged[key] = updated(current, value)
        else:
            merged[key] = value
    return merged


def _base_layout(title: str, height: int) -> dict[str, Any]:
    return {
        "title": {
            "text": title,
            "x": 0.01,
            "xref": "paper",
            "xanchor": "left",
            "font": {"size": 16},
        },
        "template": copy.deepcopy(_plotly_white()),
        "font": {**_FONT, "color": _INK},
        "height": height,
        "margin": {"l": 60, "r": 40, "t": 60, "b": 40},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
    }
