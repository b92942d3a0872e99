"""Keep plotly charts in static exports: draw them as SVG with kaleido.

nbconvert has no renderer for ``application/vnd.plotly.v1+json``, so the stock HTML and
PDF exporters drop plotly outputs without a word. :class:`PlotlySVGPreprocessor` adds an
``image/svg+xml`` rendering to every plotly output that lacks one, drawing all of a
notebook's charts in one kaleido browser session. It works with any exporter::

    jupyter nbconvert --to html \\
        --HTMLExporter.preprocessors=assessment_kit.briefing.preprocessors.PlotlySVGPreprocessor

and our exporters run it themselves.
"""

from __future__ import annotations

import os
from typing import Any

from nbconvert.preprocessors import Preprocessor
from traitlets import Unicode

PLOTLY_MIME = "application/vnd.plotly.v1+json"
SVG_MIME = "image/svg+xml"


def _plotly_outputs(nb: Any) -> list[Any]:
    found = []
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") in ("display_data", "execute_result") and PLOTLY_MIME in (
                output.get("data") or {}
            ):
                found.append(output)
    return found


def stamp_chart_ids(nb: Any) -> int:
    """Give every plotly output a stable element id (``chart-1``, ...); return the count."""
    outputs = _plotly_outputs(nb)
    for number, output in enumerate(outputs, start=1):
        meta = output.setdefault("metadata", {}).setdefault("assessment_kit", {})
        meta["chart_id"] = f"chart-{number}"
    return len(outputs)


class PlotlySVGPreprocessor(Preprocessor):
    """Add a static SVG to each plotly output, all drawn in one browser session."""

    browser_path = Unicode(
        "",
        help="Chromium or Chrome to draw with; by default BROWSER_PATH, then PATH, then "
        "Playwright's browser.",
    ).tag(config=True)

    #: An open :class:`~assessment_kit.briefing.svg.ChartRenderer` to draw with (our PDF
    #: exporter passes the session it then prints with); a new one when None.
    session: Any = None

    def preprocess(self, nb: Any, resources: Any) -> tuple[Any, Any]:
        """Stamp chart ids and add the SVG of every plotly output that lacks one."""
        from assessment_kit.briefing.browser import find_browser
        from assessment_kit.briefing.svg import ChartRenderer

        stamp_chart_ids(nb)
        missing = [output for output in _plotly_outputs(nb) if SVG_MIME not in output["data"]]
        if not missing:
            return nb, resources
        figures = [dict(output["data"][PLOTLY_MIME]) for output in missing]
        if self.session is not None:
            self._attach(missing, self.session.render(figures))
            return nb, resources
        env = {**os.environ, "BROWSER_PATH": self.browser_path} if self.browser_path else None
        browser = find_browser(env)
        self.log.info("Drawing %d plotly chart(s) as SVG with %s", len(missing), browser)
        with ChartRenderer(browser) as renderer:
            self._attach(missing, renderer.render(figures))
        return nb, resources

    @staticmethod
    def _attach(outputs: list[Any], svgs: list[str]) -> None:
        for output, svg in zip(outputs, svgs, strict=True):
            output["data"][SVG_MIME] = svg
            output["metadata"].setdefault("assessment_kit", {})["svg"] = "kaleido"
