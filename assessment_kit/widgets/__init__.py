"""Jupyter widgets: the interview form, the consolidation view and the scores dashboard.

Pure ipywidgets composites (no front-end build), so they run unchanged in JupyterLab,
Notebook 7, VS Code and Voilà. The public classes are thin; the work is in the private
modules.

>>> from assessment_kit.widgets import InterviewForm  # doctest: +SKIP
>>> InterviewForm("freedonia-2026.db")  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as W

from assessment_kit.widgets._form import FormController

if TYPE_CHECKING:
    from assessment_kit.store import Mission
    from assessment_kit.widgets._question import QuestionCard

__all__ = ["InterviewForm"]


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
