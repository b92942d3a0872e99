"""One answer control per question type, each with its non-scored states beside it.

A control turns what the assessor clicks or types into an :class:`Entry`: a value to save,
``None`` to clear the answer, or an error message when typed text does not parse (an
invalid number is never passed on, so it is never saved). Controls know nothing about the
store; the question card decides what to do with an entry.

Choices and states are rows of ``ToggleButton`` widgets kept exclusive by an observer,
because ``ToggleButtons`` cannot style its options one by one: scored choices are solid
buttons, the non-scored states (and "No cases in the period" on the practice questions
that declare it) are outlined grey buttons in their own row (see
:data:`STYLE`).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import ipywidgets as W
from ipywidgets.widgets.widget_bool import CheckboxStyle, ToggleButtonStyle
from ipywidgets.widgets.widget_string import HTMLStyle

from assessment_kit.errors import AnswerError
from assessment_kit.i18n import translations
from assessment_kit.questionnaire.answers import label, parse_text, state_label
from assessment_kit.questionnaire.model import (
    AnswerValue,
    Question,
    Questionnaire,
    Text,
)

__all__ = [
    "STYLE",
    "Control",
    "Entry",
    "close_tree",
    "esc",
    "institution_types",
    "instrument_picker",
    "labelled_dropdown",
    "make_control",
    "message_html",
    "shared_layout",
    "shared_style",
    "state_label",
    "text_html",
    "value_label",
]

#: Scoped CSS for everything under ``.ak-root``; shown once per form in an HTML widget.
STYLE = """
<style>
.ak-root { max-width: 980px; font-size: 14px; }
.ak-root.ak-rtl { direction: rtl; text-align: right; }
.ak-root .ak-english { color: #6a737d; font-size: 85%; }
.ak-root .ak-choice, .ak-root .ak-state {
  height: auto !important; min-height: 30px; white-space: normal !important;
  line-height: 1.25; padding: 4px 10px; text-align: left; overflow: visible !important;
}
.ak-root .ak-choice {
  background: #f3f6fa; border: 1px solid #9db2c8; color: #1d3557; border-radius: 4px;
}
.ak-root .ak-choice:hover { background: #e1eaf4; }
.ak-root .ak-choice.mod-active {
  background: #264f78; border-color: #264f78; color: #ffffff; font-weight: 600;
  box-shadow: none;
}
.ak-root .ak-state {
  background: #ffffff; border: 1px dashed #9a9a9a; color: #5c5c5c; font-style: italic;
  border-radius: 12px; font-size: 12.5px;
}
.ak-root .ak-state:hover { background: #f2f2f2; }
.ak-root .ak-state.mod-active {
  background: #6b6b6b; border: 1px solid #6b6b6b; color: #ffffff; font-style: normal;
}
.ak-root .ak-states { border-left: 3px solid #d0d0d0; padding-left: 6px; margin-top: 2px; }
.ak-root .ak-states-label { color: #777; font-size: 12px; margin-right: 4px; }
.ak-root .ak-card {
  border: 1px solid #dcdcdc; border-radius: 6px; padding: 8px 12px; margin: 6px 0;
  background: #ffffff;
}
.ak-root .ak-card.ak-answered { border-left: 4px solid #4f9d4a; }
.ak-root .ak-card.ak-invalid { border-left: 4px solid #c8553d; }
.ak-root .ak-card.ak-focus { box-shadow: 0 0 0 2px #e9a23b; }
.ak-root .ak-qtext { font-size: 15px; line-height: 1.35; }
.ak-root .ak-qid { color: #8a8a8a; font-size: 11.5px; }
.ak-root .ak-guidance {
  background: #f7f4ea; border-left: 3px solid #e9a23b; padding: 4px 10px; font-size: 13px;
}
.ak-root .ak-message { color: #b03a2e; font-weight: 600; }
.ak-root .ak-saved { color: #2f7a2b; font-size: 12.5px; }
.ak-root .ak-unsaved { color: #8a8a8a; font-size: 12.5px; }
.ak-root .ak-note-text { font-size: 12.5px; color: #555; }
.ak-root .ak-section-btn {
  text-align: left; height: auto !important; white-space: normal; line-height: 1.3;
  padding: 5px 8px; margin-bottom: 2px;
}
.ak-root .widget-html-content { line-height: 1.4; }
.ak-root .ak-section-intro { color: #666; font-size: 13px; margin: 2px 0 6px 0; }
.ak-root .ak-section-btn.ak-current { font-weight: 700; }
.ak-root .ak-banner {
  background: #eef4fa; border: 1px solid #b7cde3; border-radius: 6px; padding: 6px 10px;
}
.ak-root .ak-tools > .jupyter-button { flex-shrink: 0; }
.ak-root .ak-tools > .widget-html { flex: 1 1 auto; min-width: 0; }
.ak-root .ak-calc { color: #264f78; font-weight: 600; }
.ak-root table.ak-table { border-collapse: collapse; font-size: 13px; }
.ak-root table.ak-table td, .ak-root table.ak-table th {
  border-bottom: 1px solid #e3e3e3; padding: 3px 8px; text-align: left; vertical-align: top;
}
</style>
"""


_LAYOUTS: dict[tuple[tuple[str, str], ...], W.Layout] = {}
_STYLES: dict[type, W.Widget] = {}
_LABELS: dict[str, W.HTML] = {}


def shared_layout(**kwargs: str) -> W.Layout:
    """One ``Layout`` per distinct setting, shared by every widget that never changes it.

    Every layout and style is a widget of its own: in a kernel each one opens a comm and
    sends its state. Sharing them cuts a section's widgets by two thirds, which is what
    keeps building the largest section under 300 ms. Never use it for a layout that is
    changed later (display toggling): that would hide every widget sharing it.
    """
    key = tuple(sorted(kwargs.items()))
    layout = _LAYOUTS.get(key)
    if layout is None or (layout.comm is None and _in_kernel()):
        layout = _LAYOUTS[key] = W.Layout(**kwargs)
    return layout


def shared_style(kind: type) -> Any:
    """One style widget of this class, shared (see :func:`shared_layout`)."""
    style = _STYLES.get(kind)
    if style is None or (style.comm is None and _in_kernel()):
        style = _STYLES[kind] = kind()
    return style


def shared_label(text: str) -> W.HTML:
    """A static HTML label shown in many places (one widget displayed many times)."""
    label = _LABELS.get(text)
    if label is None or (label.comm is None and _in_kernel()):
        label = _LABELS[text] = W.HTML(text, layout=shared_layout(), style=shared_style(HTMLStyle))
    return label


def _in_kernel() -> bool:
    # A shared widget closed by its kernel (or made before one existed) is made again.
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return False
    return get_ipython() is not None


def close_tree(widget: W.Widget) -> None:
    """Close a widget, its children, layouts and styles, sparing the shared ones.

    Called when a section view is dropped (another respondent or questionnaire), so a long
    day of interviews does not pile up widgets in the browser.
    """
    shared = {id(w) for w in (*_LAYOUTS.values(), *_STYLES.values(), *_LABELS.values())}
    stack: list[Any] = [widget]
    while stack:
        item = stack.pop()
        if id(item) in shared or not isinstance(item, W.Widget):
            continue
        stack.extend(getattr(item, "children", ()))
        stack.extend(getattr(item, name, None) for name in ("layout", "style"))
        item.close()


def html_widget(value: str = "") -> W.HTML:
    """An HTML widget with the shared layout and style."""
    return W.HTML(value, layout=shared_layout(), style=shared_style(HTMLStyle))


def esc(text: object) -> str:
    """``text`` made safe inside HTML; everything an assessor typed goes through it."""
    return html.escape(str(text))


def message_html(text: str) -> str:
    """An inline warning (a refused answer, a missing field)."""
    return f'<span class="ak-message">⚠ {esc(text)}</span>'


def labelled_dropdown(
    description: str, options: Sequence[tuple[str, str]], value: str, *, width: str
) -> W.Dropdown:
    """A dropdown whose label lines up with the other pickers above a form."""
    return W.Dropdown(
        description=description,
        options=options,
        value=value,
        layout=W.Layout(width=width),
        style={"description_width": "110px"},
    )


def instrument_picker(questionnaires: Mapping[str, Questionnaire], value: str) -> W.Dropdown:
    """The choice of questionnaire, hidden when the mission has only one."""
    picker = labelled_dropdown(
        "Questionnaire",
        [(str(q.title), q.id) for q in questionnaires.values()],
        value,
        width="640px",
    )
    if len(questionnaires) == 1:
        picker.layout.display = "none"
    return picker


def institution_types(questionnaires: Mapping[str, Questionnaire]) -> dict[str, tuple[str, str]]:
    """Institution type id -> (label, sector), from every questionnaire (first one wins)."""
    types: dict[str, tuple[str, str]] = {}
    for questionnaire in questionnaires.values():
        for type_id, kind in questionnaire.respondent_types.items():
            types.setdefault(type_id, (str(kind.label), kind.sector))
    return types


@dataclass(frozen=True, slots=True)
class Entry:
    """What the assessor entered: a value (``None`` clears) or a parse error message."""

    value: AnswerValue | None = None
    error: str | None = None


def value_label(question: Question, value: AnswerValue | None) -> str:
    """How an answer reads to an assessor (:func:`~assessment_kit.questionnaire.answers.label`;
    a dash when there is none, which reads better in a table than words)."""
    return "—" if value is None else label(question, value)


OnEntry = Callable[[Entry], None]


class Control:
    """Base: the answer widget plus the row of non-scored states.

    Subclasses build ``_main`` (the type-specific input) and implement ``_read`` and
    ``_write``. Programmatic updates go through :meth:`set_value`, which never calls back.
    """

    def __init__(self, question: Question, on_entry: OnEntry, language: str = "en") -> None:
        self.question = question
        #: The language the control is shown in (display only: values stay the same).
        self.language = language
        self._on_entry = on_entry
        self._quiet = False
        self._main: W.Widget = self._build()
        self.state_buttons: dict[str, W.ToggleButton] = {}
        _ = translations(language).gettext
        # The question's own states: "No cases in the period" only where it is declared.
        for state in question.states:
            button = W.ToggleButton(
                value=False,
                description=_(state_label(state)),
                tooltip=_("{state} (not scored); click again to clear").format(
                    state=_(state_label(state))
                ),
                layout=shared_layout(width="auto"),
                style=shared_style(ToggleButtonStyle),
            )
            button.add_class("ak-state")
            button.observe(self._state_clicked(state), names="value")
            self.state_buttons[state] = button
        no_answer = html.escape(_("No answer to give:"))
        label = shared_label(f'<span class="ak-states-label">{no_answer}</span>')
        states = W.HBox(
            [label, *self.state_buttons.values()],
            layout=shared_layout(flex_flow="row wrap", align_items="center"),
        )
        states.add_class("ak-states")
        #: The widgets to show, in order (a card shows them directly, without a wrapper).
        self.parts: tuple[W.Widget, W.Widget] = (self._main, states)
        self._widget: W.VBox | None = None

    @property
    def widget(self) -> W.VBox:
        """The control in one box (made on first use: cards show :attr:`parts` directly)."""
        if self._widget is None:
            self._widget = W.VBox(list(self.parts), layout=shared_layout())
        return self._widget

    # -- subclass hooks
    def _build(self) -> W.Widget:
        raise NotImplementedError

    def _read(self) -> Entry:
        """The entry shown by the type-specific input (ignoring states)."""
        raise NotImplementedError

    def _write(self, value: AnswerValue | None) -> None:
        """Show a value in the type-specific input (``None`` empties it)."""
        raise NotImplementedError

    # -- public
    @property
    def state(self) -> str | None:
        """The non-scored state selected, or None."""
        for state, button in self.state_buttons.items():
            if button.value:
                return state
        return None

    def entry(self) -> Entry:
        """What the control shows now."""
        state = self.state
        return Entry(state) if state is not None else self._read()

    def set_value(self, value: AnswerValue | None) -> None:
        """Show ``value`` without calling back (used to load saved answers)."""
        is_state = isinstance(value, str) and value in self.question.states
        with self._silenced():
            for state, button in self.state_buttons.items():
                button.value = is_state and state == value
            self._write(None if is_state else value)

    def _emit(self, entry: Entry) -> None:
        if not self._quiet:
            self._on_entry(entry)

    @contextmanager
    def _silenced(self) -> Iterator[None]:
        """Change widgets from code without their observers calling back."""
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = False

    def _release(self, buttons: Mapping[str, W.ToggleButton], keep: str | None = None) -> None:
        """Switch off every button but ``keep``, silently (keeps a row exclusive)."""
        with self._silenced():
            for key, button in buttons.items():
                if key != keep:
                    button.value = False

    def _state_clicked(self, state: str) -> Callable[[dict[str, Any]], None]:
        def changed(change: dict[str, Any]) -> None:
            if self._quiet:
                return
            if change["new"]:
                # A state excludes every other state and the typed or chosen answer.
                self._release(self.state_buttons, keep=state)
                with self._silenced():
                    self._write(None)
                self._emit(Entry(state))
            elif self.state is None:
                self._emit(self._read())

        return changed

    def _main_changed(self) -> None:
        """Call from subclasses when the assessor changes the type-specific input."""
        if self._quiet:
            return
        entry = self._read()
        if entry.value is not None or entry.error is not None:
            # Giving an answer drops a state chosen before.
            self._release(self.state_buttons)
        elif self.state is not None:
            return  # the input was emptied because a state was chosen
        self._emit(entry)


class ChoiceControl(Control):
    """``scale`` and ``single``: one toggle button per choice, exclusive."""

    def _build(self) -> W.Widget:
        self.choice_buttons: dict[str, W.ToggleButton] = {}
        labels = [choice.label.get(self.language) for choice in self.question.choices]
        # Short labels (yes/partly/no) sit in a row; long ones stack like a list of options.
        vertical = len(labels) > 3 or any(len(label) > 24 for label in labels)
        for choice in self.question.choices:
            button = W.ToggleButton(
                value=False,
                description=choice.label.get(self.language),
                tooltip=choice.label.get(self.language),
                layout=shared_layout(width="380px" if vertical else "auto"),
                style=shared_style(ToggleButtonStyle),
            )
            button.add_class("ak-choice")
            button.observe(self._choice_clicked(choice.value), names="value")
            self.choice_buttons[choice.value] = button
        box_type = W.VBox if vertical else W.HBox
        return box_type(list(self.choice_buttons.values()), layout=shared_layout())

    def _choice_clicked(self, value: str) -> Callable[[dict[str, Any]], None]:
        def changed(change: dict[str, Any]) -> None:
            if self._quiet:
                return
            if change["new"]:
                self._release(self.choice_buttons, keep=value)
            self._main_changed()

        return changed

    def _read(self) -> Entry:
        for value, button in self.choice_buttons.items():
            if button.value:
                return Entry(value)
        return Entry(None)

    def _write(self, value: AnswerValue | None) -> None:
        for choice, button in self.choice_buttons.items():
            button.value = choice == value

    def click(self, value: str) -> None:
        """Select a choice or a state as a click would (for scripts and tests)."""
        if value in self.state_buttons:
            self.state_buttons[value].value = True
        else:
            self.choice_buttons[value].value = True


class MultipleControl(Control):
    """``multiple``: one checkbox per choice; the answer is the tuple of ticked values."""

    def _build(self) -> W.Widget:
        self.checkboxes: dict[str, W.Checkbox] = {}
        for choice in self.question.choices:
            box = W.Checkbox(
                value=False,
                description=choice.label.get(self.language),
                indent=False,
                layout=shared_layout(width="auto"),
                style=shared_style(CheckboxStyle),
            )
            box.observe(lambda _change: self._main_changed(), names="value")
            self.checkboxes[choice.value] = box
        return W.VBox(list(self.checkboxes.values()), layout=shared_layout())

    def _read(self) -> Entry:
        ticked = tuple(value for value, box in self.checkboxes.items() if box.value)
        return Entry(ticked or None)

    def _write(self, value: AnswerValue | None) -> None:
        selected: Sequence[str]
        if isinstance(value, tuple):
            selected = value
        elif isinstance(value, str):
            selected = value.split()
        else:
            selected = ()
        for choice, box in self.checkboxes.items():
            box.value = choice in selected


def parsed(question: Question, text: str) -> Entry:
    """What typed text gives: an empty box clears, text the question refuses is an error."""
    try:
        return Entry(parse_text(question, text))
    except AnswerError as error:
        problem = error.problems[0]
        return Entry(error=f"{_sentence(problem.message)} {_sentence(problem.hint)}")


def _sentence(text: str) -> str:
    return f"{text[:1].upper()}{text[1:]}."


_PLACEHOLDERS: Mapping[str, str] = {
    "integer": "whole number",
    "decimal": "number",
    "date": "year-month-day",
}


class TypedControl(Control):
    """``integer``, ``decimal`` and ``date``: a text box parsed on Enter or leaving the box.

    A ``Text`` rather than ``BoundedIntText`` because a bounded box silently clamps an
    out-of-range number, and rather than ``DatePicker`` because a picker sends an unfinished
    or impossible date as "no date", which would clear the saved answer without a word. Here
    the problem is shown under the question and nothing is saved.
    """

    def _build(self) -> W.Widget:
        self.text = W.Text(
            value="",
            placeholder=_PLACEHOLDERS[self.question.type],
            continuous_update=False,
            layout=W.Layout(width="180px"),
        )
        self.text.observe(lambda _change: self._main_changed(), names="value")
        hint = shared_label(
            '<span class="ak-unsaved">press Enter or click elsewhere to save</span>'
        )
        return W.HBox([self.text, hint], layout=shared_layout(align_items="center"))

    def _read(self) -> Entry:
        return parsed(self.question, self.text.value)

    def _write(self, value: AnswerValue | None) -> None:
        if value is None or isinstance(value, tuple):
            self.text.value = ""
        else:
            self.text.value = label(self.question, value)


class TextControl(Control):
    """``text``: a text area saved on leaving it."""

    def _build(self) -> W.Widget:
        self.text = W.Textarea(
            value="",
            placeholder=translations(self.language).gettext(
                "Type the answer; it is saved when you click elsewhere"
            ),
            continuous_update=False,
            layout=W.Layout(width="100%", height="64px"),
        )
        self.text.observe(lambda _change: self._main_changed(), names="value")
        return self.text

    def _read(self) -> Entry:
        return parsed(self.question, self.text.value)

    def _write(self, value: AnswerValue | None) -> None:
        self.text.value = "" if value is None or isinstance(value, tuple) else str(value)


_CONTROLS: dict[str, type[Control]] = {
    "scale": ChoiceControl,
    "single": ChoiceControl,
    "multiple": MultipleControl,
    "integer": TypedControl,
    "decimal": TypedControl,
    "text": TextControl,
    "date": TypedControl,
}


def make_control(question: Question, on_entry: OnEntry, language: str = "en") -> Control | None:
    """The control for an answerable question, or None for notes and calculations."""
    kind = _CONTROLS.get(question.type)
    return None if kind is None else kind(question, on_entry, language)


def text_html(text: Text, language: str) -> str:
    """An instrument's text as escaped HTML in ``language``; where the instrument has no
    translation into it, the English text, marked as English (lang="en" and a marker)."""
    if language == "en":
        return html.escape(text.en)
    translated = text.translations.get(language)
    if translated:
        return html.escape(translated)
    marker = translations(language).gettext("(English)")
    # dir="ltr" isolates the English in a right-to-left page: its punctuation stays put.
    return (
        f'<span lang="en" dir="ltr">{html.escape(text.en)}</span>'
        f' <span class="ak-english">{html.escape(marker)}</span>'
    )
