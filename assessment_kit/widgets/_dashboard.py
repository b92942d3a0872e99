"""The scores dashboard: radar and bars of the seven areas, the weakest questions.

Figures are static ``plotly.graph_objects.Figure`` objects re-shown in ``ipywidgets.Output``
(``clear_output(wait=True)`` then display). design.md section 6 measured this against
``FigureWidget``: it opens faster (no anywidget, no plotly.js per widget) and updates in
about the same time. :meth:`DashboardController.watch` refreshes the dashboard whenever a
form or the consolidation view in the same kernel saves something.

For a follow-up mission given its baseline file, the radar and the bars also draw the
baseline's scores (grey), and a table gives each area then and now, the change and whether
it is real, with the numbers ``assessment-kit compare --json`` prints.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as W

from assessment_kit.areas import get_area, is_area
from assessment_kit.i18n import (
    N_,
    _,
    current_language,
    format_month,
    language,
    translations,
)
from assessment_kit.widgets._controls import STYLE

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from assessment_kit.scoring import MissionScores, OverallScore, QuestionScore, ScoringProfile
    from assessment_kit.scoring.compare import Comparison
    from assessment_kit.store import Mission

__all__ = ["BOTH", "DashboardController"]

BOTH = ""


def _in_kernel() -> bool:
    """Whether an IPython kernel is there to display into (not in plain-Python tests)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


class DashboardController:
    """Scores of a mission, shown as charts and a table; call :meth:`refresh` to update."""

    def __init__(
        self,
        mission: Mission,
        *,
        questionnaire: str | None = None,
        profile: ScoringProfile | None = None,
        tools: Sequence[W.Widget] = (),
        heatmap: bool = True,
        baseline: str | Path | None = None,
    ) -> None:
        self.mission = mission
        #: The language of the scores page: the mission's.
        self.language = mission.info.language
        _ = translations(self.language).gettext
        self.profile = profile
        self.questionnaires = dict(mission.questionnaires)
        self.baseline = baseline
        self.baseline_label = self._baseline_label()
        self.scores: MissionScores | None = None
        self.baseline_scores: MissionScores | None = None
        self.comparison: Comparison | None = None
        self.figures: dict[str, go.Figure] = {}
        self.weakest_questions: list[QuestionScore] = []
        self.refreshes = 0
        options = [(_("Both questionnaires"), BOTH)] if len(self.questionnaires) > 1 else []
        options += [(q.title.get(self.language), q.id) for q in self.questionnaires.values()]
        self.instrument = W.Dropdown(
            description=_("Scores of"),
            options=options,
            value=questionnaire if questionnaire is not None else options[0][1],
            layout=W.Layout(width="640px"),
            style={"description_width": "110px"},
        )
        self.instrument.observe(lambda _c: self.refresh(), names="value")
        self.refresh_button = W.Button(
            description=_("Refresh scores"), icon="refresh", layout=W.Layout(width="auto")
        )
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.stamp = W.HTML("")
        self.overall = W.HTML("")
        self.radar_out = W.Output(layout=W.Layout(width="100%"))
        self.bars_out = W.Output(layout=W.Layout(width="100%"))
        self.heatmap_out = W.Output(layout=W.Layout(width="100%"))
        self.heatmap_out.layout.display = None if heatmap else "none"
        self.show_heatmap = heatmap
        self.weakest = W.HTML("")
        self.progress = W.HTML("")
        # The place for extra tools, e.g. the briefing helper's "Export briefing" button.
        self.tools = W.HBox(list(tools), layout=W.Layout(align_items="center"))
        scores_heading = html.escape(_("Scores"))
        weakest_heading = html.escape(_("Weakest questions"))
        self.widget = W.VBox(
            [
                W.HTML(STYLE),
                W.HTML(f"<h3 style='margin:4px 0'>{scores_heading}</h3>"),
                W.HBox(
                    [self.instrument, self.refresh_button, self.stamp],
                    layout=W.Layout(align_items="center"),
                ),
                self.tools,
                self.overall,
                self.radar_out,
                self.bars_out,
                self.progress,
                W.HTML(f"<h4 style='margin:8px 0 2px 0'>{weakest_heading}</h4>"),
                self.weakest,
                self.heatmap_out,
            ]
        )
        self.widget.add_class("ak-root")
        self.refresh()

    def _baseline_label(self) -> str:
        """The baseline's name in the legends, with its month; checks the baseline first."""
        _ = translations(self.language).gettext
        if self.baseline is None:
            return _("Baseline")
        from assessment_kit.scoring.compare import open_baseline

        # Refused now, before anything is drawn: a file that is not this mission's
        # baseline (or of other instruments) is a clear error, not a wrong overlay.
        with open_baseline(self.mission, self.baseline) as before:
            when = before.info.start_date or before.info.end_date
        if when is None:
            return _("Baseline")
        month = format_month(when, self.language)
        return _("Baseline ({month})").format(month=month)

    def add_tool(self, widget: W.Widget) -> None:
        """Add a widget (such as an export button) to the dashboard's tool row."""
        self.tools.children = (*self.tools.children, widget)

    def watch(self, source: Any) -> None:
        """Refresh whenever ``source`` (an InterviewForm or ConsolidationView) saves."""
        listeners = getattr(source, "listeners", None)
        if listeners is None:
            raise TypeError(f"cannot watch {type(source).__name__}: it has no listeners")
        listeners.append(lambda *_args: self.refresh())

    def refresh(self) -> None:
        """Score the mission again and redraw (in the mission's language)."""
        with language(self.language):
            self._refresh()

    def _refresh(self) -> None:
        from assessment_kit.charts import (
            add_baseline,
            area_bars_figure,
            radar_figure,
            section_heatmap_figure,
        )
        from assessment_kit.scoring import priorities, score_mission

        selected = self.instrument.value
        names = None if selected == BOTH else [selected]
        scores = score_mission(self.mission, questionnaires=names, profile=self.profile)
        self.scores = scores
        chosen = (
            self.questionnaires
            if names is None
            else {name: self.questionnaires[name] for name in names}
        )
        self.figures = {
            "radar": radar_figure(scores),
            "bars": area_bars_figure(scores),
        }
        before = self._baseline_scores(names, chosen, scores)
        if before is not None:
            for key in ("radar", "bars"):
                add_baseline(self.figures[key], before, label=self.baseline_label)
        if self.show_heatmap:
            self.figures["heatmap"] = section_heatmap_figure(scores, chosen)
        self._show(self.radar_out, self.figures["radar"])
        self._show(self.bars_out, self.figures["bars"])
        if self.show_heatmap:
            self._show(self.heatmap_out, self.figures["heatmap"])
        # The weakest questions are the highest priorities: scoring's one ranking.
        self.weakest_questions = priorities(scores.question_scores, 10)
        self.weakest.value = self._table_html(self.weakest_questions)
        self.overall.value = self._overall_html(scores.overall)
        self.refreshes += 1
        stamp = _("computed at {time}").format(time=f"{dt.datetime.now():%H:%M:%S}")
        self.stamp.value = f"<span class='ak-unsaved'>{html.escape(stamp)}</span>"

    def _baseline_scores(
        self, names: list[str] | None, chosen: dict[str, Any], scores: MissionScores
    ) -> MissionScores | None:
        """The baseline's scores of the chosen instruments, and the comparison (or None)."""
        if self.baseline is None:
            return None
        from assessment_kit.scoring import score_mission
        from assessment_kit.scoring.compare import compare, open_baseline

        with open_baseline(self.mission, self.baseline) as before:
            baseline_scores = score_mission(before, questionnaires=names, profile=self.profile)
            theirs = {qid: before.questionnaires[qid] for qid in chosen}
            self.comparison = compare(
                baseline_scores,
                scores,
                theirs,
                chosen,
                baseline_ref=before.info.ref(),
                followup_ref=self.mission.info.ref(),
            )
        self.baseline_scores = baseline_scores
        self.progress.value = self._progress_html(self.comparison)
        return baseline_scores

    @staticmethod
    def _progress_html(comparison: Comparison) -> str:
        """Each area then and now, as the briefing's progress section prints it."""
        from assessment_kit.briefing.progress import progress_section

        section = progress_section(comparison, current_language())
        rows = "".join(
            f"<tr><td>{html.escape(row.name)}</td><td style='text-align:right'>{row.then}</td>"
            f"<td style='text-align:right'>{row.now}</td>"
            f"<td style='text-align:right'>{row.change}</td><td>{html.escape(row.verdict)}</td>"
            f"<td>{row.coverage}</td></tr>"
            for row in (*section.areas, section.overall)
        )
        heads = "".join(
            f"<th>{html.escape(_(head))}</th>"
            for head in (
                N_("Area"),
                N_("Then"),
                N_("Now"),
                N_("Change"),
                N_("Verdict"),
                N_("Coverage"),
            )
        )
        return (
            f"<h4 style='margin:8px 0 2px 0'>{html.escape(section.heading)}</h4>"
            f"<table class='ak-table'><tr>{heads}</tr>{rows}</table>"
            f"<p>{html.escape(section.recommendation_summary)}</p>"
        )

    @staticmethod
    def _show(out: W.Output, figure: go.Figure) -> None:
        if not _in_kernel():
            return  # headless: the figures are kept in .figures for whoever asks
        from IPython.display import display

        out.clear_output(wait=True)
        with out:
            display(figure)  # type: ignore[no-untyped-call]

    @staticmethod
    def _overall_html(overall: OverallScore) -> str:
        score = overall.score
        if score is None:
            words = _("No score yet: answer or consolidate some scored questions first.")
            return f"<div class='ak-banner'>{html.escape(words)}</div>"
        low, high = overall.low, overall.high
        coverage = overall.coverage or 0.0
        band = overall.band or ""
        range_text = (
            " " + _("(range {low}–{high})").format(low=f"{low:.0f}", high=f"{high:.0f}")
            if low is not None and high is not None
            else ""
        )
        overall_words = html.escape(_("Overall score"))
        coverage_words = html.escape(_("coverage {coverage}").format(coverage=f"{coverage:.0%}"))
        band_words = " · " + html.escape(_(band)) if band else ""
        return (
            f"<div class='ak-banner'>{overall_words} <b>{score:.0f}</b>{range_text}"
            f" · {coverage_words}{band_words}</div>"
        )

    @staticmethod
    def _table_html(questions: Sequence[QuestionScore]) -> str:
        if not questions:
            words = html.escape(_("No scored question yet."))
            return f"<span class='ak-unsaved'>{words}</span>"
        rows = []
        for question in questions:
            flag = " ⚠ " + html.escape(_("disagreement")) if question.disagreement else ""
            area = question.primary_area
            area_name = _(get_area(area).name) if area is not None and is_area(area) else ""
            rows.append(
                f"<tr><td>{html.escape(question.question)}</td>"
                f"<td>{html.escape(question.text)}</td>"
                f"<td>{html.escape(area_name)}</td>"
                f"<td style='text-align:right'>{round(100.0 * (question.score or 0.0)):.0f}</td>"
                f"<td>{question.n_answers}{flag}</td></tr>"
            )
        heads = "".join(
            f"<th>{html.escape(_(head))}</th>"
            for head in (N_("Question"), N_("Text"), N_("Area"), N_("Score"), N_("Answers"))
        )
        return f"<table class='ak-table'><tr>{heads}</tr>{''.join(rows)}</table>"
