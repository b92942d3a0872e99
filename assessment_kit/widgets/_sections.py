"""The sections chooser's behaviour: which sections of each instrument the mission assesses.

One checkbox per section, grouped by instrument; a change is saved at once, as answers
are. A partial assessment leaves the unticked sections out of the scores (they are not
gaps) and the briefing names them. At least one section of each instrument stays ticked.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as W

from assessment_kit.i18n import translations
from assessment_kit.widgets._controls import shared_layout

if TYPE_CHECKING:
    from assessment_kit.store import Mission


class SectionsController:
    """The chooser's behaviour; ``SectionsChooser`` is its face."""

    def __init__(self, mission: Mission, *, by: str = "") -> None:
        self.mission = mission
        self.by = by
        #: The chooser's words, in the mission's language.
        self._ = translations(mission.info.language).gettext
        #: Callables run with the questionnaire id after each saved change.
        self.listeners: list[Callable[[str], None]] = []
        self.checkboxes: dict[str, dict[str, W.Checkbox]] = {}
        self.status = W.HTML(layout=shared_layout())
        chosen = mission.sections
        groups: list[W.Widget] = []
        for qid, questionnaire in mission.questionnaires.items():
            boxes: dict[str, W.Checkbox] = {}
            for section in questionnaire.sections:
                box = W.Checkbox(
                    value=section.id in chosen[qid],
                    description=str(section.title),
                    indent=False,
                    layout=W.Layout(width="auto"),
                )
                box.observe(self._changed(qid, section.id), names="value")
                boxes[section.id] = box
            self.checkboxes[qid] = boxes
            title = W.HTML(f"<b>{html.escape(str(questionnaire.title))}</b>")
            groups.append(W.VBox([title, *boxes.values()], layout=shared_layout()))
        self.widget = W.VBox([*groups, self.status], layout=shared_layout())
        self._show()

    def _changed(self, questionnaire: str, section: str) -> Callable[[dict[str, Any]], None]:
        def changed(change: dict[str, Any]) -> None:
            boxes = self.checkboxes[questionnaire]
            ticked = [sid for sid, box in boxes.items() if box.value]
            if not ticked:
                # A mission assesses something of every instrument it uses.
                boxes[section].value = True
                self.status.value = self._(
                    "At least one section of each questionnaire is assessed."
                )
                return
            whole = len(ticked) == len(boxes)
            self.mission.set_sections(questionnaire, None if whole else ticked, by=self.by)
            self._show()
            for listener in self.listeners:
                listener(questionnaire)

        return changed

    def _show(self) -> None:
        left = [
            f"{html.escape(str(self.mission.questionnaires[qid].title))}: "
            + ", ".join(
                html.escape(str(box.description)) for box in boxes.values() if not box.value
            )
            for qid, boxes in self.checkboxes.items()
            if not all(box.value for box in boxes.values())
        ]
        self.status.value = (
            self._("Full assessment: every section is assessed.")
            if not left
            else self._(
                "Partial assessment, saved. Left out (not scored, not counted as gaps): {left}."
            ).format(left="; ".join(left))
        )
