"""nbconvert exporters: ``briefing_html`` and ``briefing_pdf``.

Registered in the ``nbconvert.exporters`` entry-point group, so they work with
``jupyter nbconvert --to briefing_pdf``, appear in JupyterLab's File > Save and Export
Notebook As menu, and are what ``assessment-kit brief`` uses. Names use only letters, digits
and underscores because the Jupyter server's download route accepts nothing else.

Both use our template (``templates/nbconvert/assessment_kit_briefing``): A4 print CSS,
system fonts Chromium embeds, no code for briefing notebooks. For any other notebook the
code is kept (``--no-input`` drops it) and plotly outputs are kept: as static SVG drawn by
kaleido in the PDF, as interactive charts in the HTML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nbconvert.exporters import HTMLExporter
from traitlets import Bool, Enum, Unicode, default
from traitlets.config import Config

from assessment_kit.briefing.page import plotly_json
from assessment_kit.briefing.preprocessors import (
    PLOTLY_MIME,
    PlotlySVGPreprocessor,
    stamp_chart_ids,
)

TEMPLATE_NAME = "assessment_kit_briefing"
TEMPLATE_BASEDIR = Path(__file__).parent / "templates" / "nbconvert"


def _has_plotly(nb: Any) -> bool:
    return any(
        PLOTLY_MIME in (output.get("data") or {})
        for cell in nb.cells
        if cell.get("cell_type") == "code"
        for output in cell.get("outputs", [])
    )


def _briefing_meta(nb: Any) -> dict[str, Any]:
    meta = nb.metadata.get("assessment_kit", {})
    briefing = meta.get("briefing") if isinstance(meta, dict) else None
    return dict(briefing) if isinstance(briefing, dict) else {}


class BriefingHTMLExporter(HTMLExporter):
    """HTML with the assessment-kit template: a briefing, or any notebook made printable."""

    export_from_notebook = "Briefing HTML"

    interactive_charts = Bool(
        True, help="Draw plotly outputs as interactive charts (plotly.js in the page)."
    ).tag(config=True)
    static_charts = Bool(
        False,
        help="Also draw plotly outputs as static SVG with kaleido (needs Chromium); "
        "they are what prints.",
    ).tag(config=True)
    plotly_js = Enum(
        ["inline", "cdn"],
        default_value="inline",
        help="How the page loads plotly.js: inline (works offline) or from the plotly CDN.",
    ).tag(config=True)
    date = Unicode(
        "", help="Date printed on the page (ISO); by default SOURCE_DATE_EPOCH or today."
    ).tag(config=True)

    def __init__(self, **kwargs: Any) -> None:
        # Typed, so that strictly typed callers may construct the exporter.
        super().__init__(**kwargs)  # type: ignore[no-untyped-call]

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".html"

    @default("template_extension")
    def _template_extension_default(self) -> str:
        # Must stay .html.j2 even when a subclass changes file_extension, or the Jupyter
        # server cannot find the template and answers 500.
        return ".html.j2"

    @default("template_name")
    def _template_name_default(self) -> str:
        return TEMPLATE_NAME

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self) -> list[str]:
        return [str(TEMPLATE_BASEDIR), *super()._default_extra_template_basedirs()]

    @property
    def default_config(self) -> Config:
        """HTMLExporter's defaults without ``application/javascript`` outputs.

        A printed page must not run a notebook's scripts; the other outputs keep
        JupyterLab's order, pictures ahead of LaTeX (the page has no MathJax).
        """
        config = Config(
            {
                "NbConvertBase": {
                    "display_data_priority": [
                        "application/vnd.jupyter.widget-view+json",
                        "text/html",
                        "text/markdown",
                        "image/svg+xml",
                        "image/png",
                        "image/jpeg",
                        "text/latex",
                        "text/plain",
                    ]
                }
            }
        )
        base: Config = super().default_config.copy()
        base.merge(config)
        return base

    def default_filters(self) -> Any:
        """nbconvert's filters and ``plotly_json`` (a figure as JSON safe in a script)."""
        yield from super().default_filters()  # type: ignore[no-untyped-call]
        yield ("plotly_json", plotly_json)

    #: The browser session of a PDF export in progress (charts and printing share it).
    _session: Any = None

    def _page_meta(self, nb: Any, resources: dict[str, Any]) -> dict[str, Any]:
        from assessment_kit.briefing.context import briefing_date, format_date

        briefing = _briefing_meta(nb)
        name = str((resources.get("metadata") or {}).get("name") or "")
        title = str(briefing.get("title") or nb.metadata.get("title") or name or "Notebook")
        if briefing.get("date_text"):
            date_text = str(briefing["date_text"])
        else:
            import datetime as dt

            chosen = dt.date.fromisoformat(self.date) if self.date else None
            date_text = format_date(briefing_date(chosen))
        interactive = bool(self.interactive_charts) and _has_plotly(nb)
        plotly_source = ""
        if interactive and self.plotly_js == "inline":
            from plotly.offline import get_plotlyjs

            plotly_source = get_plotlyjs().replace("</script", "<\\/script")
        from assessment_kit.briefing.text import printable

        return {
            "is_briefing": bool(briefing),
            "title": printable(title),
            "footer": printable(str(briefing.get("footer") or f"{title} · {date_text}")),
            "date_text": printable(date_text),
            "interactive_charts": interactive,
            "plotly_js": plotly_source,
            "plotly_cdn": interactive and self.plotly_js == "cdn",
            # A briefing in another language than English names it (and its direction).
            "language": str(briefing.get("language") or ""),
            "direction": "rtl" if briefing.get("direction") == "rtl" else "",
            "page_label": printable(str(briefing.get("page_label") or "")),
        }

    def from_notebook_node(
        self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[Any, dict[str, Any]]:
        """Convert a notebook; plotly outputs get stable ids and, if asked, static SVG."""
        import copy

        nb = copy.deepcopy(nb)
        resources = dict(resources or {})
        stamp_chart_ids(nb)
        if self.static_charts:
            factory: Any = PlotlySVGPreprocessor
            preprocessor = factory(parent=self)
            preprocessor.session = self._session
            nb, resources = preprocessor.preprocess(nb, resources)
        resources["briefing"] = self._page_meta(nb, resources)
        # HTMLExporter.from_notebook_node would re-parse the whole page with BeautifulSoup
        # to add alt texts and tab stops to JupyterLab's markup: 0.2 s for a briefing, over
        # a second for a page with plotly.js inline. Register its two filters and render.
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name", None))
        untyped: Any = self  # nbconvert's methods carry no annotations
        highlight: Any = Highlight2HTML
        data_types: Any = WidgetsDataTypeFilter
        untyped.register_filter(
            "highlight_code",
            self.filters.get("highlight_code", highlight(pygments_lexer=lexer, parent=self)),
        )
        resources = untyped._init_resources(resources)
        untyped.register_filter(
            "filter_data_type",
            data_types(notebook_metadata=self._nb_metadata, parent=self, resources=resources),
        )
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return html, resources


class BriefingPDFExporter(BriefingHTMLExporter):
    """A4 PDF of the briefing template, printed by Chromium (found, never downloaded)."""

    export_from_notebook = "Briefing PDF"
    output_mimetype = "application/pdf"

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".pdf"

    @default("interactive_charts")
    def _interactive_charts_default(self) -> bool:
        return False

    @default("static_charts")
    def _static_charts_default(self) -> bool:
        return True

    def from_notebook_node(
        self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[Any, dict[str, Any]]:
        """Convert a notebook to PDF bytes; ``resources['pdf_pages']`` is the page count."""
        from assessment_kit.briefing.browser import find_browser
        from assessment_kit.briefing.svg import ChartRenderer

        browser = find_browser()  # before any work: no browser, one clear message
        # One browser session draws the charts and prints; it opens in the background.
        with ChartRenderer(browser) as session:
            self._session = session
            try:
                html, resources = super().from_notebook_node(nb, resources, **kw)
                self.log.info("Printing the PDF with %s", browser)
                data, pages, _ = session.print_bytes(html)
            finally:
                self._session = None
        resources["output_extension"] = ".pdf"
        resources["pdf_pages"] = pages
        return data, resources
