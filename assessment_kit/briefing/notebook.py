"""The briefing as a notebook whose outputs are already rendered (no kernel needed).

Each section is a code cell without code whose output is HTML made from the briefing
context by Jinja with autoescape on (so a note holding ``<script>`` shows as text); each
chart is a plotly output carrying its static SVG as well. Cells that start a page are
tagged ``page-break``. The notebook opens in JupyterLab like any other and converts with
``jupyter nbconvert --to briefing_pdf``.

Everything is deterministic: cell ids are numbered, the date comes from the context.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assessment_kit import i18n
from assessment_kit.briefing.text import printable, shorten
from assessment_kit.i18n import N_

if TYPE_CHECKING:
    import jinja2
    from nbformat import NotebookNode

    from assessment_kit.briefing.context import BriefingContext

FRAGMENTS = Path(__file__).parent / "templates" / "fragments"

#: Chapter headings; area pages are numbered 3.1, 3.2, ...
SUMMARY = ("summary", N_("1 Executive summary"))
GLANCE = ("scores-at-a-glance", N_("2 Scores at a glance"))
AREAS = ("findings-by-area", N_("3 Findings by area"))
RECOMMENDATIONS = ("recommendations", N_("4 Recommendations"))
METHODOLOGY = ("methodology", N_("5 Methodology"))
ANNEX = ("annex", N_("Annex: data by question"))
#: A follow-up's progress since its baseline, after the scores at a glance; not numbered,
#: so a briefing's chapters are numbered the same with it or without.
PROGRESS = "progress"


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart for the briefing: the plotly figure (JSON dict) and, for print, its SVG."""

    key: str
    figure: Mapping[str, Any]
    caption: str = ""
    svg: str | None = None


#: How many characters of a text the cover shows (the context keeps the whole text): a
#: 10,000-character country name must not push the contents off page 2.
COVER_LIMITS = {"country": 80, "mission_title": 300, "instrument": 150}


def _finalize(value: Any) -> Any:
    """Every value a template prints loses its control characters (escaping comes next).

    Markup (a macro's output) was made from values already cleaned here.
    """
    import markupsafe

    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return printable(value)
    return value


@cache
def _environment() -> jinja2.Environment:
    import jinja2

    from assessment_kit.briefing.template_cache import template_cache

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(FRAGMENTS)),
        bytecode_cache=template_cache(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
        extensions=["jinja2.ext.i18n"],
    )
    # The catalogue in force when a fragment is rendered (render_sections sets it).
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n._, ngettext=i18n.ngettext, newstyle=True
    )
    environment.filters["tr"] = i18n._
    environment.filters["shorten"] = shorten
    environment.globals["cover_limits"] = COVER_LIMITS
    return environment


def _macros() -> Any:
    return _environment().get_template("briefing.html.j2").module


def table_of_contents(context: BriefingContext) -> list[tuple[str, str, int]]:
    """(anchor, text, level) for every contents entry, in the briefing's language."""
    _ = i18n._
    with i18n.language(context.language):
        toc = [(SUMMARY[0], _(SUMMARY[1]), 1), (GLANCE[0], _(GLANCE[1]), 1)]
        if context.progress is not None:
            toc.append((PROGRESS, context.progress.heading, 1))
        toc.append((AREAS[0], _(AREAS[1]), 1))
        for number, area in enumerate(context.areas, start=1):
            toc.append((area.anchor, area_heading(number, area.name), 2))
        toc += [
            (RECOMMENDATIONS[0], _(RECOMMENDATIONS[1]), 1),
            (METHODOLOGY[0], _(METHODOLOGY[1]), 1),
            (ANNEX[0], _(ANNEX[1]), 1),
        ]
    return toc


def area_heading(number: int, name: str) -> str:
    """An area page's numbered heading: ``3.2 Data collection and research``."""
    return f"3.{number} {name}"


def render_sections(context: BriefingContext) -> dict[str, str]:
    """Every HTML fragment of the briefing by name (escaped, ready to embed), in the
    briefing's language."""
    with i18n.language(context.language):
        return _render_sections(context)


def _render_sections(context: BriefingContext) -> dict[str, str]:
    _ = i18n._
    macros = _macros()
    toc = table_of_contents(context)
    # The area chapter's own heading lives on the first area page; its anchor must exist.
    fragments = {
        "cover": str(macros.cover(context)),
        "contents": str(macros.contents(toc)),
        "summary": str(macros.summary(context, _(SUMMARY[1]), SUMMARY[0])),
        "glance": str(macros.glance(_(GLANCE[1]), GLANCE[0])),
        "recommendations": str(
            macros.recommendations(context, _(RECOMMENDATIONS[1]), RECOMMENDATIONS[0])
        ),
        "methodology": str(macros.methodology(context, _(METHODOLOGY[1]), METHODOLOGY[0])),
        "annex": str(macros.annex(context, _(ANNEX[1]), ANNEX[0])),
    }
    for number, area in enumerate(context.areas, start=1):
        fragments[f"area:{area.id}"] = str(macros.area(area, area_heading(number, area.name)))
    if context.progress is not None:
        fragments["progress"] = str(macros.progress(context.progress, PROGRESS))
        fragments["progress_tables"] = str(macros.progress_tables(context.progress))
    return fragments


def _html_output(html: str) -> dict[str, Any]:
    return {
        "output_type": "display_data",
        "data": {"text/html": html, "text/plain": "[briefing section]"},
        "metadata": {},
    }


def _chart_output(chart: Chart) -> dict[str, Any]:
    data: dict[str, Any] = {
        "application/vnd.plotly.v1+json": dict(chart.figure),
        "text/plain": f"[chart: {chart.key}]",
    }
    metadata: dict[str, Any] = {"assessment_kit": {"chart": chart.key}}
    if chart.svg is not None:
        data["image/svg+xml"] = chart.svg
        metadata["assessment_kit"]["svg"] = "kaleido"
    return {"output_type": "display_data", "data": data, "metadata": metadata}


def briefing_title(context: BriefingContext) -> str:
    """The briefing's title: the page's ``<title>`` and the notebook's."""
    with i18n.language(context.language):
        return i18n._("{country}: needs assessment briefing").format(country=context.country)


def page_language(context: BriefingContext) -> dict[str, str]:
    """What the page says of its language: none for English; otherwise its code, its
    direction and the words of the footer's page number."""
    if context.language == "en":
        return {}
    with i18n.language(context.language):
        # TRANSLATORS: the page number in the running footer; keep {page} and {pages}
        label = i18n._("Page {page} of {pages}")
    return {
        "language": context.language,
        "direction": i18n.direction(context.language),
        "page_label": label,
    }


def briefing_cells(context: BriefingContext, charts: Mapping[str, Chart]) -> list[dict[str, Any]]:
    """The briefing's cells as plain nbformat-shaped data, in order.

    :func:`briefing_notebook` wraps them as a notebook; :func:`.page.briefing_page` renders
    them as HTML directly, without nbconvert.
    """
    sections = render_sections(context)
    cells: list[dict[str, Any]] = []

    def add(outputs: list[dict[str, Any]], *tags: str) -> None:
        # Built as data: nbformat's new_code_cell validates each cell against the schema,
        # a third of a warm export; the cells are of one fixed, valid shape (and a test
        # validates the whole notebook).
        cells.append(
            {
                "cell_type": "code",
                "id": f"briefing-{len(cells) + 1:02d}",
                "execution_count": None,
                "metadata": {"tags": list(tags), "jupyter": {"source_hidden": True}},
                "outputs": outputs,
                "source": "",
            }
        )

    def chart_outputs(key: str) -> list[dict[str, Any]]:
        chart = charts.get(key)
        if chart is None:
            return []
        outputs = [_chart_output(chart)]
        if chart.caption:
            outputs.append(_html_output(str(_macros().chart_caption(chart.caption))))
        return outputs

    add([_html_output(sections["cover"])], "cover")
    add([_html_output(sections["contents"])], "page-break")
    add([_html_output(sections["summary"])], "page-break")
    if "radar" in charts:
        add(chart_outputs("radar"))
    add([_html_output(sections["glance"])], "page-break")
    for key in ("bars", "heatmap"):
        if key in charts:
            add(chart_outputs(key))
    if context.progress is not None:
        add([_html_output(sections["progress"])], "page-break")
        add([*chart_outputs("progress"), _html_output(sections["progress_tables"])])
    for index, area in enumerate(context.areas):
        html = sections[f"area:{area.id}"]
        if index == 0:
            html = f'<span id="{AREAS[0]}"></span>' + html
        add([_html_output(html)], "page-break")
    add([_html_output(sections["recommendations"])], "page-break")
    add([_html_output(sections["methodology"])], "page-break")
    add([_html_output(sections["annex"])], "page-break")
    return cells


def briefing_notebook(context: BriefingContext, charts: Mapping[str, Chart]) -> NotebookNode:
    """Build the briefing notebook.

    Parameters
    ----------
    context
        The briefing context.
    charts
        Charts by key: ``radar``, ``bars``, ``heatmap``, ``progress`` (any may be missing).
    """
    from assessment_kit.questionnaire.validator import import_jsonschema

    import_jsonschema()  # before nbformat: without the IRI grammar nobody here uses
    import nbformat

    nb: NotebookNode = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    nb.cells = [
        nbformat.from_dict(cell)  # type: ignore[no-untyped-call]
        for cell in briefing_cells(context, charts)
    ]
    title = briefing_title(context)
    nb.metadata = {
        "title": title,
        "language_info": {"name": "python"},
        "assessment_kit": {
            "briefing": {
                "title": title,
                # The page's language and direction (none for English: its page is as it was).
                **page_language(context),
                "country": context.country,
                "date": context.date.isoformat(),
                "date_text": context.date_text,
                "footer": context.footer,
            }
        },
    }
    return nb
