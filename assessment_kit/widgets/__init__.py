"""Jupyter widgets: the interview form, the consolidation view and the scores dashboard.

Pure ipywidgets composites (no front-end build), so they run unchanged in JupyterLab,
Notebook 7, VS Code and Voilà. The public classes are thin; the work is in the private
modules.

>>> from assessment_kit.widgets import InterviewForm  # doctest: +SKIP
>>> InterviewForm("freedonia-2026.db")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as W

from assessment_kit.widgets._consolidation import ConsolidationController
from assessment_kit.widgets._dashboard import DashboardController
from assessment_kit.widgets._form import FormController

if TYPE_CHECKING:
    from assessment_kit.scoring import ScoringProfile
    from assessment_kit.store import Mission
    from assessment_kit.widgets._consolidation import ConsolidationCard
    from assessment_kit.widgets._question import QuestionCard

__all__ = ["ConsolidationView", "InterviewForm", "ScoresDashboard"]


def _mission(mission: Mission | str | Path) -> Mission:
    if isinstance(mission, str | Path):
        from assessment_kit.store import Mission

        return Mission.open(mission)
    return mission


class InterviewForm(W.VBox):  # type: ignore[misc]
    """The interview form for one mission.

    Parameters
    ----------
    mission
        An open :class:`~assessment_kit.store.Mission` or the path of a mission file.
    questionnaire
        The instrument shown first (default: the mission's first).
    respondent
        The respondent selected first (default: the one whose answer was saved last).
    by
        Who is interviewing; recorded with every answer.
    show_all
        Show every question, not only those meant for the respondent's institution type.
    """

    def __init__(
        self,
        mission: Mission | str | Path,
        *,
        questionnaire: str | None = None,
        respondent: str | None = None,
        by: str = "",
        show_all: bool = False,
        **kwargs: Any,
    ) -> None:
        self.controller = FormController(
            _mission(mission),
            questionnaire=questionnaire,
            respondent=respondent,
            by=by,
            show_all=show_all,
        )
        super().__init__([self.controller.widget], **kwargs)

    def card(self, question_id: str) -> QuestionCard:
        """The card of a question for the current respondent."""
        return self.controller.card(question_id)

    @property
    def listeners(self) -> list[Callable[[str], None]]:
        """Callables run with the question id after each saved change."""
        return self.controller.listeners


class ConsolidationView(W.VBox):  # type: ignore[misc]
    """Consolidate answers: per question, what each respondent said, disagreements first.

    Parameters
    ----------
    mission
        An open mission or the path of a mission file.
    questionnaire
        The instrument shown first.
    by
        Who consolidates; recorded in the history.
    page_size
        Questions per page.
    """

    def __init__(
        self,
        mission: Mission | str | Path,
        *,
        questionnaire: str | None = None,
        by: str = "",
        page_size: int = 8,
        **kwargs: Any,
    ) -> None:
        self.controller = ConsolidationController(
            _mission(mission), questionnaire=questionnaire, by=by, page_size=page_size
        )
        super().__init__([self.controller.widget], **kwargs)

    def card(self, question_id: str) -> ConsolidationCard:
        """The card of a question (turning to its page)."""
        return self.controller.card(question_id)

    @property
    def listeners(self) -> list[Callable[[str], None]]:
        """Callables run with the question id after each consolidated answer is saved."""
        return self.controller.listeners


class ScoresDashboard(W.VBox):  # type: ignore[misc]
    """Radar and bars of the seven areas, the weakest questions, per instrument or both.

    Parameters
    ----------
    mission
        An open mission or the path of a mission file.
    questionnaire
        The instrument shown first ("" or None: both when there are several).
    profile
        Scoring profile (default: the built-in one).
    tools
        Extra widgets for the tool row (the place for an "Export briefing" button).
    heatmap
        Also show the section-by-area heatmap.
    """

    def __init__(
        self,
        mission: Mission | str | Path,
        *,
        questionnaire: str | None = None,
        profile: ScoringProfile | None = None,
        tools: Sequence[W.Widget] = (),
        heatmap: bool = True,
        **kwargs: Any,
    ) -> None:
        self.controller = DashboardController(
            _mission(mission),
            questionnaire=questionnaire,
            profile=profile,
            tools=tools,
            heatmap=heatmap,
        )
        super().__init__([self.controller.widget], **kwargs)

    def refresh(self) -> None:
        """Score again and redraw."""
        self.controller.refresh()

    def add_tool(self, widget: W.Widget) -> None:
        """Add a widget (such as the briefing export button) to the tool row."""
        self.controller.add_tool(widget)

    def watch(self, source: InterviewForm | ConsolidationView) -> None:
        """Refresh whenever ``source`` saves a change."""
        self.controller.watch(source)
