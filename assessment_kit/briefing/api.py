"""``export_briefing``: a mission file to a briefing (PDF, HTML or notebook).

The pipeline: find the browser (PDF only; no browser means one clear error and no file),
start it in the background, read and score the mission, build the briefing context, draw
the three charts as SVG in that one browser session while the page is rendered (directly,
see :mod:`.page`: the same HTML our nbconvert exporter makes of the briefing notebook,
without nbconvert), print it, and write the file atomically. A ``.ipynb`` output is the
briefing notebook itself.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assessment_kit import i18n
from assessment_kit.errors import BriefingError
from assessment_kit.extras import require
from assessment_kit.i18n import N_, _

if TYPE_CHECKING:
    from assessment_kit.briefing.context import BriefingContext
    from assessment_kit.briefing.notebook import Chart
    from assessment_kit.briefing.svg import ChartRenderer
    from assessment_kit.scoring import MissionScores, ScoringProfile

#: ``progress(stage, done, total)``: called before each stage and once at the end.
Progress = Callable[[str, int, int], None]

FORMATS = {".pdf": "pdf", ".html": "html", ".htm": "html", ".ipynb": "ipynb"}

#: The stages of an export (shown translated; their English names key the timings).
STAGES = {
    "pdf": (
        N_("Finding a browser"),
        N_("Reading the mission"),
        N_("Scoring"),
        N_("Drawing charts"),
        N_("Building the briefing"),
        N_("Printing the PDF"),
    ),
    "html": (
        N_("Reading the mission"),
        N_("Scoring"),
        N_("Building the briefing"),
        N_("Writing HTML"),
    ),
    "ipynb": (
        N_("Reading the mission"),
        N_("Scoring"),
        N_("Building the briefing"),
        N_("Writing notebook"),
    ),
}


@dataclass(frozen=True, slots=True)
class BriefingResult:
    """What ``export_briefing`` wrote.

    Attributes
    ----------
    path
        The file written.
    format
        ``"pdf"``, ``"html"`` or ``"ipynb"``.
    pages
        Number of PDF pages (None for HTML and notebooks).
    seconds
        Wall time of the whole export.
    charts
        Number of charts drawn.
    recommendations
        Number of recommendations in the briefing.
    timings
        Seconds per stage, in order.
    browser
        The browser used (PDF only).
    """

    path: Path
    format: str
    pages: int | None
    seconds: float
    charts: int
    recommendations: int
    timings: dict[str, float] = field(default_factory=dict)
    browser: Path | None = None

    def summary(self) -> str:
        """One line for the terminal: what was written, how big, how long."""
        size = self.path.stat().st_size if self.path.exists() else 0
        pages = _(", {pages} pages").format(pages=self.pages) if self.pages is not None else ""
        return _(
            "wrote {path} ({format}{pages}, {size} KB, {charts} charts, {recommendations} "
            "recommendations) in {seconds} s"
        ).format(
            path=self.path,
            format=self.format.upper(),
            pages=pages,
            size=f"{size / 1024:.0f}",
            charts=self.charts,
            recommendations=self.recommendations,
            seconds=f"{self.seconds:.1f}",
        )


class _Stages:
    def __init__(self, names: tuple[str, ...], progress: Progress | None) -> None:
        self.names = names
        self.progress = progress
        self.timings: dict[str, float] = {}
        self._current: str | None = None
        self._started = time.perf_counter()

    def start(self, name: str) -> None:
        self._close()
        self._current = name
        self._started = time.perf_counter()
        if self.progress is not None:
            self.progress(name, self.names.index(name), len(self.names))

    def passed(self, name: str, seconds: float) -> None:
        """Show a stage that is over already, and keep its time."""
        self.start(name)
        self._current = None
        self.timings[name] = seconds

    def _close(self) -> None:
        if self._current is not None:
            self.timings[self._current] = time.perf_counter() - self._started
            self._current = None

    def done(self) -> None:
        self._close()
        if self.progress is not None:
            self.progress(N_("Done"), len(self.names), len(self.names))


def output_format(out: str | Path) -> str:
    """``pdf``, ``html`` or ``ipynb`` from the file name; BriefingError otherwise."""
    suffix = Path(out).suffix.lower()
    if suffix not in FORMATS:
        raise BriefingError(
            f"cannot tell the briefing format from {str(out)!r}: "
            "name the output .pdf, .html or .ipynb"
        )
    return FORMATS[suffix]


def briefing_charts(scores: MissionScores, questionnaires: Any) -> dict[str, dict[str, Any]]:
    """The briefing's three figures as JSON dicts, sized for an A4 page.

    Built as plain specs (see :mod:`assessment_kit.charts`): plotly's figure classes would
    add a third of a second of validation to every export.
    """
    from assessment_kit import charts

    radar = charts.radar_spec(scores, title=_("Score by area, with its range"))
    radar["layout"] = charts.updated(
        radar["layout"],
        {"width": 760, "height": 430, "margin": {"l": 90, "r": 90, "t": 50, "b": 30}},
    )
    bars = charts.area_bars_spec(scores, title=_("Scores, ranges and coverage"))
    bars["layout"] = charts.updated(bars["layout"], {"width": 820})
    heatmap = charts.section_heatmap_spec(
        scores, questionnaires, title=_("Mean score by section and area")
    )
    # Rows read "criminal_justice · Legal framework"; a reader wants words, not an id.
    for trace in heatmap["data"]:
        if trace.get("y") is not None:
            trace["y"] = [_instrument_words(str(label), questionnaires) for label in trace["y"]]
    # Room above the plot for the slanted area names, which the title would otherwise cross.
    heatmap["layout"] = charts.updated(
        heatmap["layout"],
        {"width": 820, "margin": {"t": 120}, "title": {"y": 0.99, "yanchor": "top"}},
    )
    return {"radar": radar, "bars": bars, "heatmap": heatmap}


def _instrument_words(label: str, questionnaires: Any) -> str:
    instrument, separator, rest = label.partition(" · ")
    if separator and instrument in questionnaires:
        return f"{_(instrument.replace('_', ' ').capitalize())} · {rest}"
    return label


#: Chart captions, translated where the briefing is built (see :func:`caption`).
CAPTIONS = {
    "radar": N_(
        "The line is each area's score; the shaded band its range, from every unanswered "
        "question counted as 0 to every one counted as 1."
    ),
    "bars": N_(
        "Bar: score. Whisker: range. The paler the bar, the fewer of the area's weighted "
        "questions have a scored answer."
    ),
    "heatmap": N_(
        "Mean score (0–100) of each questionnaire section in each area. Blank: no "
        "scored question of that section feeds the area."
    ),
    "progress": N_(
        "Grey: the baseline; in colour: now. Whiskers: each score's range. A change "
        "is real only where the two ranges do not overlap."
    ),
}
#: The instruments named in words on the heatmap's rows.
_INSTRUMENT_WORDS = (N_("Criminal justice"), N_("Organ removal"))


def check_paths(mission: Path | str, out: Path) -> None:
    """Refuse, before any work, a missing mission and an output in a folder that cannot be
    written (``check_output`` has already refused a folder, a mission or an existing file).
    A mission on PostgreSQL (a URL) is checked when it is opened."""
    from assessment_kit.store.connection import is_url

    if not is_url(mission) and not Path(mission).exists():
        raise BriefingError(f"{mission}: no such mission file")
    folder = out.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # the folders missing on the way are created
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BriefingError(
            f"cannot write {out}: the folder {folder} is not writable; choose another --out"
        )


def _write_text_atomically(text: str, out: Path) -> None:
    from assessment_kit.store.outputs import write_atomically

    write_atomically(text.encode("utf-8"), out)


def export_briefing(
    mission_path: str | Path,
    out: str | Path,
    *,
    progress: Progress | None = None,
    date: dt.date | None = None,
    profile: ScoringProfile | None = None,
    renderer: ChartRenderer | None = None,
    force: bool = False,
    baseline: str | Path | None = None,
) -> BriefingResult:
    """Export a mission's briefing to ``out`` (.pdf, .html or .ipynb).

    Parameters
    ----------
    mission_path
        The mission file.
    out
        The file to write; the format follows its suffix. Written atomically: on any
        error no file (and no half-written PDF) is left.
    progress
        Called as ``progress(stage, done, total)`` before each stage and at the end.
    date
        The date printed on the briefing; by default ``SOURCE_DATE_EPOCH`` or today. With
        a fixed date the same mission gives the same HTML, byte for byte.
    profile
        The scoring profile; the default profile when None.
    renderer
        An open browser session to draw and print with (a notebook keeps one, see
        :func:`.svg.shared_renderer`); left open. By default a new one, closed at the end.
    force
        Replace an existing ``out`` (never a mission file, nor the mission read).
    baseline
        For a follow-up, the baseline mission file it records: the briefing gains the
        section "Progress since the baseline" (``ComparisonError`` when the mission records
        no baseline or the file holds another mission).

    Raises
    ------
    BrowserNotFoundError
        For a PDF when no Chromium or Chrome is found (the message says how to install one).
    BriefingError
        When the output name has no known suffix or printing fails.
    StoreError
        When the mission file cannot be opened, or ``out`` is refused before the mission is
        read: a mission, the mission read, or an existing file without ``force``.
    """
    started = time.perf_counter()
    session: ChartRenderer | None = None
    owned: ChartRenderer | None = None
    try:
        if renderer is None and FORMATS.get(Path(out).suffix.lower()) == "pdf":
            # Before the request's checks, which import the store: the browser's start is
            # the longest step of an export whose charts are all kept. A request refused
            # ends it at once.
            _require_extras("pdf")
            owned = _start_browser()
        checking = time.perf_counter()
        mission_file, out, fmt = _check_request(mission_path, out, force=force)
        stages = _Stages(STAGES[fmt], progress)
        # Timed, not shown as progress: it is over before a bar could be drawn. A request
        # refused shows no bar at all, so the browser's start is shown only now.
        stages.timings["Checking the request"] = time.perf_counter() - checking
        if fmt == "pdf":
            session = renderer or owned
            if session is not None:  # plotly.js now, if a chart will likely be drawn
                session.foresee(mission_file)
            stages.passed("Finding a browser", checking - started)
        stages.start("Reading the mission")
        read = _read_and_score(
            mission_file, stages, date=date, profile=profile, baseline=baseline, session=session
        )
        if session is not None and read.drawing is not None:
            written = _print_pdf(session, read, read.drawing, out, stages)
            session.remember(mission_file, list(read.figures.values()))
        else:
            written = _write_document(fmt, read, out, stages)
        stages.done()
    finally:
        if owned is not None:
            owned.close()
    return BriefingResult(
        path=out,
        format=fmt,
        pages=written.pages,
        seconds=time.perf_counter() - started,
        charts=written.charts,
        recommendations=len(read.context.recommendations),
        timings={**stages.timings, **written.timings},
        browser=session.browser if session is not None else None,
    )


def _require_extras(fmt: str) -> None:
    """The optional parts an export to ``fmt`` needs, installed (MissingExtraError)."""
    if fmt == "pdf":
        require("jupyter", "pdf", purpose="Exporting a PDF briefing")
    else:
        require("jupyter", purpose=f"Exporting a {fmt.upper()} briefing")


def _check_request(
    mission_path: str | Path, out: str | Path, *, force: bool
) -> tuple[Path | str, Path, str]:
    """The mission, the output and its format, refused before any work when they are wrong:
    a mistake costs nothing (but a browser already starting, ended at once)."""
    from assessment_kit.store.connection import is_url
    from assessment_kit.store.outputs import check_output

    checked = check_output(out, inputs=[mission_path], force=force)
    fmt = output_format(checked)
    _require_extras(fmt)
    mission_file = mission_path if is_url(mission_path) else Path(mission_path)
    check_paths(mission_file, checked)
    return mission_file, checked, fmt


def _start_browser() -> ChartRenderer:
    """A browser session for this export, opening in the background.

    One browser draws the charts and prints the PDF. Opening it takes about a second, so it
    starts now, while the mission is read and scored.
    """
    from assessment_kit.briefing.browser import find_browser
    from assessment_kit.briefing.svg import ChartRenderer

    return ChartRenderer(find_browser())


@dataclass(frozen=True, slots=True)
class _Read:
    """What the briefing is made of: its context and its charts' figures, and for a PDF
    the charts being drawn (one SVG per figure, in order)."""

    context: BriefingContext
    figures: dict[str, dict[str, Any]]
    drawing: Future[list[str]] | None = None


@dataclass(frozen=True, slots=True)
class _Written:
    pages: int | None
    charts: int
    timings: dict[str, float]


def _read_and_score(
    mission_file: Path | str,
    stages: _Stages,
    *,
    date: dt.date | None,
    profile: ScoringProfile | None,
    baseline: str | Path | None = None,
    session: ChartRenderer | None = None,
) -> _Read:
    """Score the mission and build the briefing's context and figures (with ``baseline``,
    a follow-up's progress since then); with a browser ``session``, its charts are drawn
    from as soon as the figures exist."""
    # Imported only now: pandas and the scoring engine should not delay the browser's start.
    from assessment_kit.briefing.context import briefing_context
    from assessment_kit.scoring import default_profile, score_mission
    from assessment_kit.store import Mission

    profile = profile or default_profile()
    drawing = None
    with Mission.open(mission_file) as mission:
        stages.start("Scoring")
        scores = score_mission(mission, profile=profile)
        with i18n.language(mission.info.language):
            figures = briefing_charts(scores, dict(mission.questionnaires))
        progress = None
        if baseline is not None:
            from assessment_kit.briefing.progress import baseline_progress

            progress, figures["progress"] = baseline_progress(mission, baseline, scores, profile)
        if session is not None:
            # The browser's chain (plotly.js, the charts, the print) is the longer one:
            # it draws while the context is built and the page rendered.
            stages.start("Drawing charts")
            drawing = session.submit(list(figures.values()))
        stages.start("Building the briefing")
        context = briefing_context(mission, scores, date=date, profile=profile)
        if progress is not None:
            context = replace(context, progress=progress)
    return _Read(context, figures, drawing)


def _write_document(fmt: str, read: _Read, out: Path, stages: _Stages) -> _Written:
    """The HTML (interactive charts) or the notebook, written atomically."""
    if fmt == "ipynb":
        import nbformat

        nb = _notebook(read.context, read.figures, {})
        stages.start("Writing notebook")
        _write_text_atomically(nbformat.writes(nb), out)  # type: ignore[no-untyped-call]
    else:
        html = _page(read.context, read.figures, {}, interactive_charts=True)
        stages.start("Writing HTML")
        _write_text_atomically(html, out)
    return _Written(None, len(read.figures), {})


def _print_pdf(
    session: ChartRenderer, read: _Read, drawing: Future[list[str]], out: Path, stages: _Stages
) -> _Written:
    """The PDF: the page is built with placeholders of the charts' size, numbered while the
    charts are drawn, and printed once they are in. Charts already drawn (all taken from
    the chart cache) go in the page at once: nothing to put in after it has loaded."""
    from assessment_kit.briefing.svg import placeholder_svg

    keys = list(read.figures)
    if drawing.done() and drawing.exception() is None:
        svgs, late = dict(zip(keys, drawing.result(), strict=True)), {}
    else:
        svgs = {key: placeholder_svg(figure) for key, figure in read.figures.items()}
        late = {key: _item(drawing, index) for index, key in enumerate(keys)}
    html = _page(read.context, read.figures, svgs, interactive_charts=False)
    stages.start("Printing the PDF")
    printed = session.print(html, out, footer=read.context.footer, late_charts=late)
    timings = {
        **{f"print: {k}": v for k, v in printed.timings.items()},
        **{f"browser: {k}": v for k, v in session.session_timings.items()},
    }
    return _Written(printed.pages, len(drawing.result()), timings)


def _item(future: Future[list[str]], index: int) -> Future[str]:
    """A future of one item of a future list."""
    item: Future[str] = Future()

    def done(whole: Future[list[str]]) -> None:
        if whole.cancelled():  # the export is being abandoned (an error, Ctrl-C)
            item.cancel()
            return
        error = whole.exception()
        if error is not None:
            item.set_exception(error)
        else:
            item.set_result(whole.result()[index])

    future.add_done_callback(done)
    return item


def _charts(
    figures: dict[str, dict[str, Any]], svgs: dict[str, str], language: str = "en"
) -> dict[str, Chart]:
    from assessment_kit.briefing.notebook import Chart

    with i18n.language(language):
        captions = {key: _(text) for key, text in CAPTIONS.items()}
    return {
        key: Chart(key=key, figure=figure, caption=captions.get(key, ""), svg=svgs.get(key))
        for key, figure in figures.items()
    }


def _notebook(
    context: BriefingContext, figures: dict[str, dict[str, Any]], svgs: dict[str, str]
) -> Any:
    from assessment_kit.briefing.notebook import briefing_notebook

    return briefing_notebook(context, _charts(figures, svgs, context.language))


def _page(
    context: BriefingContext,
    figures: dict[str, dict[str, Any]],
    svgs: dict[str, str],
    *,
    interactive_charts: bool,
) -> str:
    """The page, made without nbconvert: the same bytes as our exporter makes of
    :func:`_notebook`, without its second of imports (see :mod:`.page`)."""
    from assessment_kit.briefing.page import briefing_page

    charts = _charts(figures, svgs, context.language)
    return briefing_page(context, charts, interactive_charts=interactive_charts)
