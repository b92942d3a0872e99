"""The respondent panel: pick a respondent, or add one with the interview's details."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as W

from assessment_kit.errors import AnswerError
from assessment_kit.i18n import translations
from assessment_kit.widgets._controls import institution_types, labelled_dropdown, message_html
from assessment_kit.widgets._question import answer_error_text

if TYPE_CHECKING:
    from assessment_kit.store import Mission, Respondent

__all__ = ["RespondentPanel"]

_NONE = ""


class RespondentPanel:
    """Choose the respondent being interviewed, or add a new one.

    Parameters
    ----------
    mission
        The open mission.
    on_select
        Called with the respondent's code (or ``None``) when the choice changes.
    by
        Recorded as the author of new respondents.
    """

    def __init__(
        self,
        mission: Mission,
        on_select: Callable[[str | None], None],
        *,
        by: str = "",
    ) -> None:
        self.mission = mission
        #: The panel's words, in the mission's language.
        self._ = translations(mission.info.language).gettext
        self._on_select = on_select
        self.by = by
        self._types = institution_types(self.mission.questionnaires)
        self.picker = labelled_dropdown(self._("Respondent"), self._options(), _NONE, width="460px")
        self.picker.observe(self._picked, names="value")
        self.new_button = W.Button(
            description=self._("New respondent"),
            icon="user-plus",
            tooltip=self._("Record a new interview"),
            layout=W.Layout(width="auto"),
        )
        self.new_button.on_click(self._toggle_new)
        self.details = W.HTML("")
        self._new_box: W.VBox | None = None
        self.widget = W.VBox(
            [
                W.HBox([self.picker, self.new_button], layout=W.Layout(align_items="center")),
                self.details,
            ]
        )

    # ---------------------------------------------------------------- data
    def type_label(self, type_id: str) -> str:
        """The label of an institution type (its id if no questionnaire defines it)."""
        return self._types.get(type_id, (type_id, ""))[0]

    def _options(self) -> list[tuple[str, str]]:
        options = [("— choose a respondent —", _NONE)]
        for respondent in self.mission.respondents():
            label = f"{respondent.code} — {self.type_label(respondent.institution_type)}"
            options.append((label, respondent.code))
        return options

    @property
    def code(self) -> str | None:
        """The chosen respondent's code, or None."""
        return self.picker.value or None

    def select(self, code: str | None) -> None:
        """Select a respondent (calls back like a user's choice)."""
        self.picker.value = code or _NONE

    def _picked(self, change: dict[str, Any]) -> None:
        code = change["new"] or None
        self._show_details(code)
        self._on_select(code)

    def _show_details(self, code: str | None) -> None:
        if code is None:
            self.details.value = ""
            return
        r: Respondent = self.mission.respondent(code)
        parts = [
            f"<b>{html.escape(self.type_label(r.institution_type))}</b>",
            # The shipped sectors are in the catalogues (see briefing.methodology.SECTORS).
            html.escape(self._(r.sector.replace("_", " "))) if r.sector else "",
            self._("interviewed {date}").format(date=r.interview_date.isoformat())
            if r.interview_date
            else "",
            self._("by {interviewer}").format(interviewer=html.escape(r.interviewer))
            if r.interviewer
            else "",
            html.escape(self._("consent recorded"))
            if r.consent
            else "<b>{}</b>".format(html.escape(self._("consent not recorded"))),
        ]
        text = " · ".join(part for part in parts if part)
        self.details.value = f'<span class="ak-unsaved">{text}</span>'

    # ---------------------------------------------------------------- adding
    def _toggle_new(self, _button: W.Button | None = None) -> None:
        if self._new_box is None:
            self._new_box = self._build_new()
            self.widget.children = (*self.widget.children, self._new_box)
            return
        hidden = self._new_box.layout.display == "none"
        self._new_box.layout.display = None if hidden else "none"

    def _build_new(self) -> W.VBox:
        wide = W.Layout(width="460px")
        style = {"description_width": "130px"}
        self.code_text = W.Text(
            description=self._("Code"),
            placeholder=self._("pseudonym, e.g. R07 (never a name)"),
            layout=wide,
            style=style,
        )
        options = sorted(((label, tid) for tid, (label, _s) in self._types.items()))
        self.type_picker = W.Dropdown(
            description=self._("Institution type"),
            options=[(self._("— choose —"), _NONE), *options],
            value=_NONE,
            layout=wide,
            style=style,
        )
        self.type_picker.observe(self._type_picked, names="value")
        self.sector_text = W.Text(description=self._("Sector"), layout=wide, style=style)
        self.date_picker = W.DatePicker(
            description=self._("Interview date"), value=dt.date.today(), style=style
        )
        self.interviewer_text = W.Text(
            description=self._("Interviewer"), value=self.by, layout=wide, style=style
        )
        self.consent_box = W.Checkbox(
            description=self._("The respondent gave informed consent to this interview"),
            value=False,
            indent=False,
            layout=W.Layout(width="auto"),
        )
        self.add_button = W.Button(
            description=self._("Add respondent"), button_style="primary", icon="check"
        )
        self.add_button.on_click(self._add)
        self.add_message = W.HTML("")
        box = W.VBox(
            [
                W.HTML(f"<b>{self._('New respondent')}</b>"),
                self.code_text,
                self.type_picker,
                self.sector_text,
                self.date_picker,
                self.interviewer_text,
                self.consent_box,
                W.HBox([self.add_button, self.add_message], layout=W.Layout(align_items="center")),
            ]
        )
        box.add_class("ak-banner")
        return box

    def _type_picked(self, change: dict[str, Any]) -> None:
        sector = self._types.get(change["new"], ("", ""))[1]
        self.sector_text.value = sector

    def _message(self, text: str) -> None:
        self.add_message.value = message_html(text)

    def _add(self, _button: W.Button | None = None) -> None:
        code = self.code_text.value.strip()
        if not code:
            self._message(self._("Give the respondent a pseudonymous code."))
            return
        if not self.type_picker.value:
            self._message(self._("Choose the institution type."))
            return
        if not self.consent_box.value:
            self._message(self._("Record the respondent's consent before the interview."))
            return
        try:
            self.mission.add_respondent(
                code,
                institution_type=self.type_picker.value,
                sector=self.sector_text.value.strip(),
                interview_date=self.date_picker.value,
                interviewer=self.interviewer_text.value.strip(),
                consent=True,
                by=self.by,
            )
        except AnswerError as error:
            self._message(answer_error_text(error))
            return
        self.add_message.value = ""
        self.code_text.value = ""
        self.consent_box.value = False
        assert self._new_box is not None
        self._new_box.layout.display = "none"
        self.picker.options = self._options()
        self.select(code)

    def add(
        self,
        code: str,
        institution_type: str,
        *,
        sector: str = "",
        interviewer: str = "",
        interview_date: dt.date | None = None,
    ) -> None:
        """Fill in and submit the new-respondent form, as an assessor would."""
        if self._new_box is None:
            self._toggle_new()
        self.code_text.value = code
        self.type_picker.value = institution_type
        if sector:
            self.sector_text.value = sector
        if interviewer:
            self.interviewer_text.value = interviewer
        if interview_date is not None:
            self.date_picker.value = interview_date
        self.consent_box.value = True
        self._add()
