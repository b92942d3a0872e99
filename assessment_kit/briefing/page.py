"""The briefing page as HTML, rendered from the briefing's cells without nbconvert.

``assessment-kit brief`` writes the page our nbconvert exporter (``briefing_html``) makes of
the briefing notebook, byte for byte (``tests/test_briefing_page.py`` holds the two to it),
but builds it straight from the cells (:func:`.notebook.briefing_cells`): importing
nbconvert, nbformat and jsonschema took about a second of every export, and nbconvert's
chain of templates a few tenths more to render markup this module writes in a few
milliseconds. The notebook and the exporter stay: for ``.ipynb`` output, for any other
notebook, and for JupyterLab's File > Save and Export Notebook As.

The markup is JupyterLab's, as nbconvert's ``lab`` template writes it for an output-only
code cell, so the page and its CSS (``briefing.css``) are the same whichever way it is made.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assessment_kit.briefing.text import printable

if TYPE_CHECKING:
    from assessment_kit.briefing.context import BriefingContext
    from assessment_kit.briefing.notebook import Chart

PLOTLY_MIME = "application/vnd.plotly.v1+json"
SVG_MIME = "image/svg+xml"
TEMPLATE = Path(__file__).parent / "templates" / "nbconvert" / "assessment_kit_briefing"


def plotly_json(figure: Any) -> str:
    """A figure as JSON that is safe inside a ``<script>`` element."""
    text = json.dumps(figure, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _escape(value: object) -> str:
    """nbconvert's ``escape_html`` filter."""
    return html.escape(str(value))


@cache
def _briefing_css() -> str:
    text = (TEMPLATE / "briefing.css").read_text(encoding="utf-8")
    return text.removesuffix("\n")  # as Jinja's include drops a template's last newline


@cache
def _highlight_css() -> str:
    """The code-highlighting CSS nbconvert's HTML exporter puts in every page (its
    ``CSSHTMLHeaderPreprocessor``, with JupyterLab's pygments style)."""
    from jupyterlab_pygments import JupyterStyle  # type: ignore[import-untyped]
    from pygments.formatters import HtmlFormatter  # type: ignore[import-untyped]

    css: str = HtmlFormatter(style=JupyterStyle).get_style_defs(".highlight")
    return css


@cache
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    source: str = get_plotlyjs()
    return source.replace("</script", "<\\/script")


#: The script that draws the interactive charts of the HTML page (the template's own).
_DRAW_INTERACTIVE = """<script>
(function () {
  if (typeof Plotly === 'undefined') { return; }
  document.querySelectorAll('.chart-interactive').forEach(function (element) {
    var spec = JSON.parse(document.getElementById(element.id + '-data').textContent);
    // Fit the page's column: the fixed width is for the static (print) drawing.
    var layout = Object.assign({}, spec.layout || {}, {autosize: true});
    delete layout.width;
    Plotly.newPlot(element, spec.data || [], layout, {responsive: true, displaylogo: false});
  });
})();
</script>"""


@cache
def _language_css() -> str:
    text = (TEMPLATE / "briefing-i18n.css").read_text(encoding="utf-8")
    return text.removesuffix("\n")


def _head(
    title: str, footer: str, interactive: bool, language: Mapping[str, str] | None = None
) -> str:
    """The page's head, as the template writes it (``language``: see
    :func:`.notebook.page_language`; empty for English)."""
    language = language or {}
    rtl = ' dir="rtl"' if language.get("direction") == "rtl" else ""
    parts = [
        "<!DOCTYPE html>\n",
        f'<html lang="{_escape(language.get("language") or "en")}"{rtl}>\n',
        "<head>\n",
        '<meta charset="utf-8">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        '<meta name="generator" content="assessment-kit">\n',
        f"<title>{_escape(title)}</title>\n",
        f'<meta name="briefing-footer" content="{_escape(footer)}">\n',
    ]
    if language.get("page_label"):
        label = printable(language["page_label"])
        parts.append(f'<meta name="briefing-page-label" content="{_escape(label)}">\n')
    parts.append(f"<style>\n{_briefing_css()}\n</style>\n")
    if language.get("language"):
        parts.append(f"<style>\n{_language_css()}\n</style>\n")
    parts.append(f"<style>\n{_highlight_css()}\n</style>")
    if interactive:
        parts.append(f"\n<script>{_plotly_js()}</script>")
    parts.append("\n</head>")
    return "".join(parts)


def _figure(output: Mapping[str, Any], interactive: bool) -> str:
    """A plotly output: the template's ``plotly_output`` macro."""
    meta = output.get("metadata", {}).get("assessment_kit", {})
    figure = output["data"][PLOTLY_MIME]
    svg = output["data"].get(SVG_MIME)
    parts = [f'<figure class="chart" data-chart="{_escape(meta.get("chart", ""))}">']
    if interactive:
        chart_id = _escape(meta.get("chart_id", "chart"))
        height = int(figure.get("layout", {}).get("height") or 450)
        screen_only = " screen-only" if svg is not None else ""
        parts.append(
            f'\n<div class="chart-interactive{screen_only}" id="{chart_id}" '
            f'style="height: {height}px"></div>'
            f'\n<script type="application/json" id="{chart_id}-data">'
            f"{plotly_json(figure)}</script>"
        )
    if svg is not None:
        print_only = " print-only" if interactive else ""
        parts.append(f'\n<div class="chart-static{print_only}">{svg}</div>')
    elif not interactive:
        title = figure.get("layout", {}).get("title")
        text = title.get("text", "") if isinstance(title, Mapping) else ""
        parts.append(f'\n<p class="chart-missing">[chart not drawn: {_escape(text)}]</p>')
    parts.append("\n</figure>")
    return "".join(parts)


_OUTPUT_OPEN = (
    '<div class="jp-OutputArea-child">\n'
    "    \n"
    '    <div class="jp-OutputPrompt jp-OutputArea-prompt"></div>\n'
)


def _output(output: Mapping[str, Any], interactive: bool) -> str:
    if PLOTLY_MIME in output["data"]:
        return f"{_OUTPUT_OPEN}\n\n{_figure(output, interactive)}\n</div>\n"
    return (
        f"{_OUTPUT_OPEN}\n\n\n"
        '<div class="jp-RenderedHTMLCommon jp-RenderedHTML jp-OutputArea-output " '
        'data-mime-type="text/html">\n'
        f"{output['data']['text/html']}\n</div>\n\n</div>\n"
    )


def _cell(cell: Mapping[str, Any], interactive: bool) -> str:
    tags = "".join(_escape(f" celltag_{tag}") for tag in cell["metadata"].get("tags", []))
    outputs = "".join(_output(output, interactive) for output in cell["outputs"])
    return (
        f'<div id="{_escape("cell-id=" + cell["id"])}" '
        f'class="jp-Cell jp-CodeCell jp-Notebook-cell   {tags}">\n\n'
        '<div class="jp-Cell-outputWrapper">\n'
        '<div class="jp-Collapser jp-OutputCollapser jp-Cell-outputCollapser">\n'
        "</div>\n\n\n"
        '<div class="jp-OutputArea jp-Cell-outputArea">\n'
        f"{outputs}\n</div>\n\n</div>\n\n</div>"
    )


def briefing_page(
    context: BriefingContext, charts: Mapping[str, Chart], *, interactive_charts: bool
) -> str:
    """The briefing as one HTML page, as ``briefing_html`` would convert its notebook.

    Parameters
    ----------
    context
        The briefing context.
    charts
        Charts by key; a chart with ``svg`` prints that drawing.
    interactive_charts
        True for the HTML briefing (plotly.js inline, charts drawn in the page); False for
        the page that is printed (static SVG only).
    """
    from assessment_kit.briefing.notebook import briefing_cells, briefing_title, page_language

    cells = briefing_cells(context, charts)
    number = 0
    for cell in cells:  # the exporter's stamp_chart_ids: chart-1, chart-2, ... in order
        for output in cell["outputs"]:
            if PLOTLY_MIME in output["data"]:
                number += 1
                output["metadata"].setdefault("assessment_kit", {})["chart_id"] = f"chart-{number}"
    interactive = interactive_charts and number > 0
    body = "".join(_cell(cell, interactive) for cell in cells)
    title = briefing_title(context)
    footer = context.footer or f"{title} · {context.date_text}"
    page = [
        _head(printable(title), printable(footer), interactive, page_language(context)),
        '<body class="briefing">\n<main>',
        body,
        "</main>",
    ]
    if interactive:
        page.append(f"\n{_DRAW_INTERACTIVE}")
    page.append("\n</body></html>")
    return "".join(page)
