"""A question card: text, guidance on demand, the answer control, note/evidence/confidential,
inline messages and a 'saved' indicator.

The card does not know the store. It hands each entry to an :class:`AnswerSink` (the form's
session for one respondent), which saves it or raises :class:`AnswerError`; the card then
shows either "Saved" or the refusal next to the question. A refused value is never written,
and the previously saved answer stays in the store (the card says so).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import ipywidgets as W
from ipywidgets.widgets.widget_bool import ToggleButtonStyle

from assessment_kit.errors import AnswerError, Code
from assessment_kit.i18n import language, translations
from assessment_kit.questionnaire.model import AnswerValue, Question
from assessment_kit.widgets._controls import (
    Control,
    Entry,
    esc,
    html_widget,
    make_control,
    message_html,
    shared_layout,
    shared_style,
    text_html,
    value_label,
)

__all__ = ["AnswerDetails", "AnswerSink", "QuestionCard", "answer_error_text"]


@dataclass(frozen=True, slots=True)
class AnswerDetails:
    """What is kept beside an answer: the assessor's note, the evidence, confidentiality."""

    note: str = ""
    evidence: str = ""
    confidential: bool = False

    @property
    def filled(self) -> bool:
        """Whether any detail was given."""
        return bool(self.note or self.evidence or self.confidential)


class AnswerSink(Protocol):
    """Where a card's answers go (the interview session of one respondent)."""

    def save(self, question: Question, value: AnswerValue, details: AnswerDetails) -> None:
        """Save an answer; raise AnswerError (nothing written) when it is refused."""

    def clear(self, question: Question) -> None:
        """Remove the saved answer."""


def answer_error_text(error: AnswerError) -> str:
    """An assessor-readable message: the constraint's own words, or message and fix."""
    parts = []
    for problem in error.problems:
        message = problem.message[:1].upper() + problem.message[1:]
        if problem.code is Code.CONSTRAINT:
            parts.append(message)
        else:
            parts.append(f"{message} ({problem.hint})")
    return " ".join(parts) or str(error)


def _local_time(stamp: str) -> str:
    """A stored UTC ISO timestamp as local 'YYYY-MM-DD HH:MM' (the assessor's clock)."""
    if not stamp:
        return ""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp[:16]
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M")


def _tool_toggle(
    description: str, icon: str, tooltip: str, on_toggle: Callable[[dict[str, object]], None]
) -> W.ToggleButton:
    """A small toggle in a card's tool row that shows or hides a panel."""
    button = W.ToggleButton(
        value=False,
        description=description,
        icon=icon,
        tooltip=tooltip,
        layout=shared_layout(width="auto"),
        style=shared_style(ToggleButtonStyle),
    )
    button.observe(on_toggle, names="value")
    return button


class QuestionCard:
    """The widgets of one question for one respondent.

    Parameters
    ----------
    question
        The question.
    number
        Its number as shown ("2.3").
    sink
        Where answers are saved.
    value, details, saved_at
        The saved answer, if any.
    on_change
        Called with the question after the stored answer changed (for skip logic and
        progress).
    """

    def __init__(
        self,
        question: Question,
        number: str,
        sink: AnswerSink,
        *,
        value: AnswerValue | None = None,
        details: AnswerDetails = AnswerDetails(),
        saved_at: str = "",
        on_change: Callable[[Question], None] | None = None,
        language: str = "en",
    ) -> None:
        self.question = question
        #: The language the card is shown in (display only).
        self.language = language
        self._ = translations(language).gettext
        self.sink = sink
        self.saved_value: AnswerValue | None = value
        self.details = details
        self._on_change = on_change
        self.guidance_box: W.HTML | None = None
        self._details_box: W.VBox | None = None
        self.note_area: W.Textarea | None = None
        self.evidence_text: W.Text | None = None
        self.confidential_box: W.Checkbox | None = None
        self._required = False
        self._number = number

        self.header = html_widget(self._header_html(number))
        self._message: W.HTML | None = None
        self.status = html_widget("")
        self.control: Control | None = make_control(question, self._entered, language)
        parts: list[W.Widget] = [self.header]
        if question.type == "note":
            self.calculated = None
        elif question.type == "calculate":
            self.calculated = html_widget("")
            parts.append(self.calculated)
        else:
            self.calculated = None
        if self.control is not None:
            if value is not None:
                self.control.set_value(value)
            parts.extend(self.control.parts)
            tools: list[W.Widget] = []
            if question.guidance or question.evidence:
                self.guidance_button = _tool_toggle(
                    self._("Guidance"),
                    "info-circle",
                    self._("What to look for and which documents to ask for"),
                    self._toggle_guidance,
                )
                tools.append(self.guidance_button)
            self.details_button = _tool_toggle(
                self._details_label(),
                "pencil",
                self._("Note, evidence and confidentiality of this answer"),
                self._toggle_details,
            )
            tools.append(self.details_button)
            tools.append(self.status)
            self.tools = W.HBox(tools, layout=shared_layout(align_items="center"))
            self.tools.add_class("ak-tools")
            parts.append(self.tools)
            self._show_saved(saved_at, loaded=True)
        elif question.guidance:
            guidance = text_html(question.guidance, language)
            parts.append(html_widget(f'<div class="ak-guidance">{guidance}</div>'))
        self.widget = W.VBox(parts)
        self.widget.add_class("ak-card")
        if value is not None:
            self.widget.add_class("ak-answered")

    # ---------------------------------------------------------------- rendering
    def _header_html(self, number: str) -> str:
        q = self.question
        flags = []
        if q.sensitive:
            flags.append(self._("sensitive"))
        if q.type == "note":
            return f'<div class="ak-guidance ak-qtext">{text_html(q.text, self.language)}</div>'
        meta = " · ".join([q.id, *flags])
        title = esc(self._("required"))
        required = f' <span class="ak-message" title="{title}">*</span>' if self._required else ""
        return (
            f'<div class="ak-qtext"><b>{esc(number)}</b>&nbsp; {text_html(q.text, self.language)}'
            f"{required}"
            f'&nbsp; <span class="ak-qid">{esc(meta)}</span></div>'
        )

    def set_number(self, number: str) -> None:
        """Show the question under another number ("2.3")."""
        self._number = number
        self.header.value = self._header_html(number)

    def set_required(self, required: bool) -> None:
        """Mark the question required (or not) as its required expression says."""
        if required != self._required:
            self._required = required
            self.header.value = self._header_html(self._number)

    def _details_label(self) -> str:
        words = self._("Note & evidence")
        return f"{words} ✓" if self.details.filled else words

    def _toggle_guidance(self, change: dict[str, object]) -> None:
        if self.guidance_box is None:
            q = self.question
            parts = []
            if q.guidance:
                parts.append(f"<p>{text_html(q.guidance, self.language)}</p>")
            if q.evidence:
                ask = esc(self._("Evidence to ask for:"))
                parts.append(f"<p><b>{ask}</b> {text_html(q.evidence, self.language)}</p>")
            self.guidance_box = W.HTML(f'<div class="ak-guidance">{"".join(parts)}</div>')
            children = list(self.widget.children)
            children.insert(children.index(self.tools), self.guidance_box)
            self.widget.children = tuple(children)
        self.guidance_box.layout.display = None if change["new"] else "none"

    def _toggle_details(self, change: dict[str, object]) -> None:
        if self._details_box is None:
            self._build_details()
        assert self._details_box is not None
        self._details_box.layout.display = None if change["new"] else "none"

    def _build_details(self) -> None:
        # Built on first use: most answers carry no note, and fewer widgets open faster.
        self.note_area = W.Textarea(
            value=self.details.note,
            placeholder=self._("Note: what the respondent said, in your words"),
            continuous_update=False,
            layout=W.Layout(width="100%", height="56px"),
        )
        self.evidence_text = W.Text(
            value=self.details.evidence,
            placeholder=self._("Evidence: document, law, report or web address"),
            continuous_update=False,
            layout=W.Layout(width="100%"),
        )
        self.confidential_box = W.Checkbox(
            value=self.details.confidential,
            description=self._("Confidential: keep this answer out of the briefing's quotes"),
            indent=False,
            layout=W.Layout(width="auto"),
        )
        for widget in (self.note_area, self.evidence_text, self.confidential_box):
            widget.observe(self._details_changed, names="value")
        self._details_box = W.VBox([self.note_area, self.evidence_text, self.confidential_box])
        self.widget.children = (*self.widget.children, self._details_box)

    def _details_changed(self, _change: dict[str, object]) -> None:
        assert self.note_area is not None
        assert self.evidence_text is not None
        assert self.confidential_box is not None
        self.details = AnswerDetails(
            self.note_area.value, self.evidence_text.value, bool(self.confidential_box.value)
        )
        self.details_button.description = self._details_label()
        if self.saved_value is None:
            later = esc(self._("The note will be saved with the answer."))
            self.status.value = f'<span class="ak-unsaved">{later}</span>'
            return
        self._save(self.saved_value)

    def _show_saved(self, when: str = "", *, loaded: bool = False) -> None:
        if self.saved_value is None:
            unanswered = esc(self._("Not answered yet"))
            self.status.value = f'<span class="ak-unsaved">{unanswered}</span>'
            return
        shown = value_label(self.question, self.saved_value)
        # The answer itself is on screen; the indicator only needs to recall it briefly.
        shown = esc(shown if len(shown) <= 60 else shown[:57] + "…")
        if loaded:
            stamp = _local_time(when)
            if stamp:
                text = self._("Saved {when}: {answer}").format(when=stamp, answer=shown)
            else:
                text = self._("Saved: {answer}").format(answer=shown)
        else:
            now = dt.datetime.now().strftime("%H:%M:%S")
            text = self._("Saved at {time}: {answer}").format(time=now, answer=shown)
        text = f"✓ {text}"
        self.status.value = f'<span class="ak-saved">{text}</span>'

    @property
    def message(self) -> W.HTML:
        """The inline message under the control (made on first use: most never need one)."""
        if self._message is None:
            self._message = html_widget("")
            children = list(self.widget.children)
            anchor = self.control.parts[-1] if self.control is not None else self.header
            children.insert(children.index(anchor) + 1, self._message)
            self.widget.children = tuple(children)
        return self._message

    def show_message(self, text: str) -> None:
        """Show an inline message under the control ('' hides it)."""
        if not text and self._message is None:
            return
        self.message.value = message_html(text) if text else ""

    # ---------------------------------------------------------------- behaviour
    def _entered(self, entry: Entry) -> None:
        if entry.error is not None:
            self._refuse(entry.error)
            return
        if entry.value is None:
            if self.saved_value is not None:
                self.sink.clear(self.question)
                self.saved_value = None
                self.widget.remove_class("ak-answered")
                self._changed()
            self.widget.remove_class("ak-invalid")
            self.show_message(self._("This question needs an answer.") if self._required else "")
            cleared = esc(self._("Answer cleared"))
            self.status.value = f'<span class="ak-unsaved">{cleared}</span>'
            return
        self._save(entry.value)

    def _save(self, value: AnswerValue) -> None:
        try:
            # A refusal reads in the card's language (the catalogue translates as it is made).
            with language(self.language):
                self.sink.save(self.question, value, self.details)
        except AnswerError as error:
            self._refuse(answer_error_text(error))
            return
        changed = value != self.saved_value
        self.saved_value = value
        self.show_message("")
        self.widget.remove_class("ak-invalid")
        self.widget.add_class("ak-answered")
        self._show_saved()
        if changed:
            self._changed()

    def _refuse(self, message: str) -> None:
        self.show_message(message)
        self.widget.add_class("ak-invalid")
        if self.saved_value is None:
            kept = esc(self._("Not saved."))
        else:
            kept = esc(self._("Not saved; the saved answer is still {answer}.")).format(
                answer=esc(value_label(self.question, self.saved_value))
            )
        self.status.value = f'<span class="ak-message">{kept}</span>'

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change(self.question)

    # ---------------------------------------------------------------- used by the form
    @property
    def visible(self) -> bool:
        """Whether the card is shown (skip logic and the institution filter hide it)."""
        return bool(self.widget.layout.display != "none")

    def set_visible(self, visible: bool) -> None:
        """Show or hide the card (skip logic); only touches the layout when it changes."""
        if visible != self.visible:
            self.widget.layout.display = None if visible else "none"

    def set_calculated(self, value: object) -> None:
        """Show a calculated value."""
        if self.calculated is not None:
            shown = "—" if value is None else value
            if isinstance(shown, float):
                shown = f"{shown:.4g}"
            self.calculated.value = f'<span class="ak-calc">= {esc(shown)}</span>'

    def require(self) -> bool:
        """Show the 'required' message if the question is required and unanswered."""
        if self._required and self.saved_value is None and self.control is not None:
            self.show_message(self._("This question needs an answer."))
            return False
        return True

    def focus(self, on: bool) -> None:
        """Highlight the card (the 'continue here' question)."""
        if on:
            self.widget.add_class("ak-focus")
        else:
            self.widget.remove_class("ak-focus")
