"""Jupyter widgets: the interview form, the consolidation view, the scores dashboard and
the choice of the sections a mission assesses.

Pure ipywidgets composites (no front-end build), so they run unchanged in JupyterLab,
Notebook 7, VS Code and Voilà. The public classes are thin; the work is in the private
modules.

>>> from assessment_kit.widgets import InterviewForm, open_mission_or_demo  # doctest: +SKIP
>>> mission, assessor = open_mission_or_demo("freedonia-2026.db")  # doctest: +SKIP
>>> InterviewForm("freedonia-2026.db")  # doctest: +SKIP
>>> dashboard.add_tool(ExportBriefingButton("freedonia-2026.db"))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from assessment_kit.extras import require

require("jupyter", purpose="Using the notebooks' widgets")

import ipywidgets as W

from assessment_kit.widgets._consolidation import ConsolidationController
from assessment_kit.widgets._dashboard import DashboardController
from assessment_kit.widgets._export import ExportController
from assessment_kit.widgets._form import FormController
from assessment_kit.widgets._sections import SectionsController
from assessment_kit.widgets._session import OpenedMission, baseline_for, open_mission_or_demo

if TYPE_CHECKING:
    from assessment_kit.briefing import BriefingResult
    from assessment_kit.scoring import ScoringProfile
    from assessment_kit.store import Mission
    from assessment_kit.widgets._consolidation import ConsolidationCard
    from assessment_kit.widgets._question import QuestionCard

from assessment_kit.widgets._instructions import instructions

__all__ = [
    "ConsolidationView",
    "ExportBriefingButton",
    "InterviewForm",
    "OpenedMission",
    "ScoresDashboard",
    "SectionsChooser",
    "baseline_for",
    "instructions",
    "open_mission_or_demo",
]


def _mission(mission: Mission | str | Path) -> Mission:
    if isinstance(mission, str | Path):
        from assessment_kit.store import Mission

        return Mission.open(mission)
    return mission


class _Controller(Protocol):
    @property
    def widget(self) -> W.Widget: ...


C = TypeVar("C", bound=_Controller)


class _Face(W.VBox, Generic[C]):  # type: ignore[misc]
    """A public widget: a box around its controller's widget; the controller does the work."""

    def __init__(self, controller: C, **kwargs: Any) -> None:
        self.controller = controller
        super().__init__([controller.widget], **kwargs)


class _Saving(_Controller, Protocol):
    listeners: list[Callable[[str], None]]


S = TypeVar("S", bound=_Saving)


class _SavingFace(_Face[S]):
    """A public widget that saves to the store and tells listeners what changed."""

    @property
    def listeners(self) -> list[Callable[[str], None]]:
        """Callables run with the question id after each saved change."""
        return self.controller.listeners


class InterviewForm(_SavingFace[FormController]):
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
        controller = FormController(
            _mission(mission),
            questionnaire=questionnaire,
            respondent=respondent,
            by=by,
            show_all=show_all,
        )
        super().__init__(controller, **kwargs)

    def card(self, question_id: str) -> QuestionCard:
        """The card of a question for the current respondent."""
        return self.controller.card(question_id)


class ConsolidationView(_SavingFace[ConsolidationController]):
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
        controller = ConsolidationController(
            _mission(mission), questionnaire=questionnaire, by=by, page_size=page_size
        )
        super().__init__(controller, **kwargs)

    def card(self, question_id: str) -> ConsolidationCard:
        """The card of a question (turning to its page)."""
        return self.controller.card(question_id)


class ScoresDashboard(_Face[DashboardController]):
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
    baseline
        For a follow-up, the baseline mission file it records (see
        :func:`baseline_for`): the radar and the bars draw the baseline's scores in grey,
        and a table gives each area then and now. None: no overlay.
    """

    def __init__(
        self,
        mission: Mission | str | Path,
        *,
        questionnaire: str | None = None,
        profile: ScoringProfile | None = None,
        tools: Sequence[W.Widget] = (),
        heatmap: bool = True,
        baseline: str | Path | None = None,
        **kwargs: Any,
    ) -> None:
        controller = DashboardController(
            _mission(mission),
            questionnaire=questionnaire,
            profile=profile,
            tools=tools,
            heatmap=heatmap,
            baseline=baseline,
        )
        super().__init__(controller, **kwargs)

    def refresh(self) -> None:
        """Score again and redraw."""
        self.controller.refresh()

    @property
    def baseline(self) -> str | Path | None:
        """The baseline (a file or a URL) drawn beside the mission's scores (None: no
        overlay)."""
        return self.controller.baseline

    def add_tool(self, widget: W.Widget) -> None:
        """Add a widget (such as the briefing export button) to the tool row."""
        self.controller.add_tool(widget)

    def watch(self, source: InterviewForm | ConsolidationView) -> None:
        """Refresh whenever ``source`` saves a change."""
        self.controller.watch(source)


class SectionsChooser(_SavingFace[SectionsController]):
    """Choose the sections the mission assesses (a full or a partial assessment).

    One checkbox per section of each instrument; a change is saved at once. Sections left
    out are neither scored nor counted as gaps, and the briefing names them.

    Parameters
    ----------
    mission
        An open mission or the path of a mission file.
    by
        Who chooses (recorded in the history, which a merge of copies reads).
    """

    def __init__(self, mission: Mission | str | Path, *, by: str = "", **kwargs: Any) -> None:
        super().__init__(SectionsController(_mission(mission), by=by), **kwargs)


class ExportBriefingButton(_Face[ExportController]):
    """Export the mission's briefing with a progress bar and a link to the file.

    Parameters
    ----------
    mission_path
        The mission file.
    out_dir
        Where to write the briefing; the mission file's folder by default.
    background
        Run the export in a thread (True in notebooks; tests pass False).
    baseline
        For a follow-up, its baseline mission file: the briefing gains the section
        "Progress since the baseline".
    """

    def __init__(
        self,
        mission_path: str | Path,
        *,
        out_dir: str | Path | None = None,
        background: bool = True,
        baseline: str | Path | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            ExportController(
                mission_path, out_dir=out_dir, background=background, baseline=baseline
            ),
            **kwargs,
        )

    @property
    def result(self) -> BriefingResult | None:
        """What the last export wrote, or None."""
        return self.controller.result

    @property
    def error(self) -> Exception | None:
        """Why the last export failed, or None."""
        return self.controller.error

    def wait(self, timeout: float | None = None) -> None:
        """Wait for an export running in the background to finish."""
        self.controller.wait(timeout)
