"""The interview form: respondent panel, section navigation with progress, question cards.

Sections are built lazily, the first time they are opened, so opening the form costs one
section whatever the instrument's size. Every answer is saved to the mission store as it is
given. After each save the form logic (:mod:`assessment_kit.questionnaire.form_logic`)
re-evaluates only the questions that depend on the changed one, and the form hides or
shows their cards and marks them required; progress counts follow.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import ipywidgets as W

from assessment_kit.i18n import LANGUAGE_NAMES, LANGUAGES, direction, translations
from assessment_kit.questionnaire.form_logic import Changes
from assessment_kit.questionnaire.model import Question, Questionnaire, Section
from assessment_kit.widgets._controls import STYLE, close_tree, instrument_picker, text_html
from assessment_kit.widgets._interview import InterviewSession
from assessment_kit.widgets._question import AnswerDetails, QuestionCard
from assessment_kit.widgets._respondents import RespondentPanel

if TYPE_CHECKING:
    from assessment_kit.store import Mission

__all__ = ["FormController", "FormView", "InterviewSession"]


@dataclass
class FormView:
    """What the form shows: section views built so far, and the current section."""

    cards: dict[str, QuestionCard] = field(default_factory=dict)
    built: dict[str, W.VBox] = field(default_factory=dict)
    current: str | None = None
    numbers: dict[str, str] = field(default_factory=dict)


class FormController:
    """The interview form's behaviour; :class:`assessment_kit.widgets.InterviewForm` is its face."""

    def __init__(
        self,
        mission: Mission,
        *,
        questionnaire: str | None = None,
        respondent: str | None = None,
        by: str = "",
        show_all: bool = False,
    ) -> None:
        self.mission = mission
        self.by = by
        self.questionnaires = dict(mission.questionnaires)
        if not self.questionnaires:
            raise ValueError("the mission has no questionnaire")
        qid = questionnaire or next(iter(self.questionnaires))
        self.questionnaire: Questionnaire = self.questionnaires[qid]
        self.session: InterviewSession | None = None
        self.state = FormView()
        self._next_warned: str | None = None
        self._filter: set[str] = set()
        #: Called with the question id after every change to the store (e.g. dashboards).
        self.listeners: list[Callable[[str], None]] = []
        #: The language the form is shown in: the mission's, until the assessor picks another
        #: (display only: the stored answers are the same in every language).
        self.language = mission.info.language

        self._build_top(qid, show_all)
        self._build_body()
        self._label()
        self.widget = W.VBox(
            [
                self.style,
                W.HBox([self.title, self.language_picker], layout=W.Layout(align_items="center")),
                self.instrument,
                self.panel.widget,
                W.HBox([self.banner, self.continue_button], layout=W.Layout(align_items="center")),
                self.empty,
                self.body,
            ]
        )
        self.widget.add_class("ak-root")
        if direction(self.language) == "rtl":
            self.widget.add_class("ak-rtl")
        self._update_title()
        start = respondent if respondent is not None else self._last_respondent()
        if start is not None:
            self.panel.select(start)

    def _build_top(self, qid: str, show_all: bool) -> None:
        """What sits above the questions: title, pickers, the welcome-back banner."""
        self.style = W.HTML(STYLE)
        self.title = W.HTML("")
        self.language_picker = W.Dropdown(
            options=[(LANGUAGE_NAMES[code], code) for code in LANGUAGES],
            value=self.language,
            description="",
            tooltip=self._("The language the form is shown in (the answers stay as they are)"),
            layout=W.Layout(width="130px"),
        )
        self.language_picker.observe(lambda c: self.set_language(str(c["new"])), names="value")
        self.instrument = instrument_picker(self.questionnaires, qid)
        self.instrument.observe(self._instrument_changed, names="value")
        self.panel = RespondentPanel(self.mission, self._respondent_changed, by=self.by)
        self.show_all = W.Checkbox(
            value=show_all,
            indent=False,
            layout=W.Layout(width="auto"),
        )
        self.show_all.observe(lambda _c: self._refresh_visibility(), names="value")
        self.banner = W.HTML("")
        self.continue_button = W.Button(
            icon="arrow-right",
            button_style="success",
            layout=W.Layout(width="auto", display="none"),
        )
        self.continue_button.on_click(lambda _b: self.continue_interview())
        self.empty = W.HTML("")

    def _(self, message: str) -> str:
        """``message`` in the language the form is shown in."""
        return translations(self.language).gettext(message)

    def _label(self) -> None:
        """The fixed words of the form, in the language it is shown in."""
        _ = self._
        self.language_picker.tooltip = _(
            "The language the form is shown in (the answers stay as they are)"
        )
        self.show_all.description = _("Show all questions")
        self.show_all.tooltip = _(
            "Also show the questions meant for other institution types, and the sections a "
            "partial assessment leaves out"
        )
        self.continue_button.description = _("Continue")
        self.empty.value = '<div class="ak-banner">{}</div>'.format(
            _(
                "Choose a respondent above, or click <b>New respondent</b> to record a new "
                "interview."
            )
        )
        self.prev_button.description = _("Previous section")
        self.next_button.description = _("Next section")

    def _build_body(self) -> None:
        """The sections' navigation with progress beside the current section's cards."""
        self.overall = W.IntProgress(
            value=0, min=0, max=1, layout=W.Layout(width="230px"), bar_style="success"
        )
        self.overall_label = W.HTML("")
        self.section_buttons: dict[str, W.Button] = {}
        self.nav = W.VBox(layout=W.Layout(width="270px", min_width="270px"))
        self.section_title = W.HTML("")
        self.section_box = W.VBox(layout=W.Layout(flex="1 1 auto"))
        self.prev_button = W.Button(icon="arrow-left")
        self.next_button = W.Button(icon="arrow-right")
        self.prev_button.on_click(lambda _b: self.step(-1))
        self.next_button.on_click(lambda _b: self.step(1))
        self.nav_message = W.HTML("")
        self.main = W.VBox(
            [
                self.section_title,
                self.section_box,
                W.HBox([self.prev_button, self.next_button, self.nav_message]),
            ],
            layout=W.Layout(flex="1 1 auto", padding="0 0 0 12px", min_width="0"),
        )
        self.body = W.HBox([self.nav, self.main], layout=W.Layout(display="none"))

    # ---------------------------------------------------------------- choices
    def _last_respondent(self) -> str | None:
        """The respondent whose answer was saved last (to pick up where the team stopped)."""
        frame = self.mission.answers_frame(self.questionnaire.id)
        if len(frame):
            latest = frame.sort_values("updated_at").iloc[-1]
            return str(latest["respondent"])
        respondents = self.mission.respondents()
        return respondents[-1].code if respondents else None

    def _update_title(self) -> None:
        info = self.mission.info
        heading = self._("Interview · {mission}").format(
            mission=html.escape(info.title or info.country)
        )
        self.title.value = f"<h3 style='margin:4px 0'>{heading}</h3>"

    def set_language(self, code: str) -> None:
        """Show the form in another language (one of the six); the answers are untouched.

        The open section's cards are built again in the new language from the answers as
        stored, and the same section stays open.
        """
        if code not in LANGUAGES or code == self.language:
            return
        self.language = code
        self._label()
        self._update_title()
        if self.language_picker.value != code:
            self.language_picker.value = code
        if direction(code) == "rtl":
            self.widget.add_class("ak-rtl")
        else:
            self.widget.remove_class("ak-rtl")
        current = self.state.current
        self._load()
        if current is not None and self.session is not None:
            self.open_section(current)

    def _instrument_changed(self, change: dict[str, Any]) -> None:
        self.questionnaire = self.questionnaires[change["new"]]
        self._load()

    def _respondent_changed(self, _code: str | None) -> None:
        self._load()

    def _load(self) -> None:
        """Start (or resume) the session of the chosen respondent and questionnaire."""
        _ = self._
        code = self.panel.code
        self.section_box.children = ()
        for view in self.state.built.values():
            close_tree(view)
        self.state = FormView()
        self._next_warned = None
        if code is None:
            self.session = None
            self.body.layout.display = "none"
            self.empty.layout.display = None
            self.banner.value = ""
            self.continue_button.layout.display = "none"
            return
        self.session = InterviewSession(self.mission, self.questionnaire, code, by=self.by)
        self.session.listeners.append(self._answer_changed)
        self._number_questions()
        self._build_nav()
        self.empty.layout.display = "none"
        self.body.layout.display = None
        first = self.first_unanswered()
        answered, total = self.progress()
        respondent = self.mission.respondent(code)
        note = ""
        if not self._type_known():
            note = " " + _(
                "{type} is not an institution type of this questionnaire, so all questions are "
                "shown."
            ).format(type=html.escape(respondent.institution_type))
        if answered and first is not None:
            welcome = _(
                "Welcome back: {answered} of {total} questions answered for <b>{respondent}</b>. "
                "The first unanswered question is <b>{number}</b>."
            ).format(
                answered=answered,
                total=total,
                respondent=html.escape(code),
                number=self.state.numbers[first],
            )
            self.banner.value = f'<div class="ak-banner">{welcome}{note}</div>'
            self.continue_button.description = _("Continue at {number}").format(
                number=self.state.numbers[first]
            )
            self.continue_button.layout.display = None
            self.open_section(self.questionnaire.question(first).section)
        elif answered:
            done = _(
                "All {total} questions are answered for <b>{respondent}</b>. You can review and "
                "change any answer."
            ).format(total=total, respondent=html.escape(code))
            self.banner.value = f'<div class="ak-banner">{done}{note}</div>'
            self.continue_button.layout.display = "none"
            self.open_section(self._visible_sections()[0] if self._visible_sections() else None)
        else:
            new = _(
                "New interview with <b>{respondent}</b>: {total} questions for this institution "
                "type. Answers are saved as you give them."
            ).format(respondent=html.escape(code), total=total)
            self.banner.value = f'<div class="ak-banner">{new}{note}</div>'
            self.continue_button.layout.display = "none"
            sections = self._visible_sections()
            self.open_section(sections[0] if sections else None)

    def _type_known(self) -> bool:
        if self.session is None:
            return True
        respondent = self.mission.respondent(self.session.respondent)
        return respondent.institution_type in self.questionnaire.respondent_types

    # ---------------------------------------------------------------- filtering & progress
    def _for_type(self) -> set[str]:
        """Ids of the questions meant for the respondent's institution type."""
        if self.session is None:
            return set()
        if self.show_all.value:
            return set(self.questionnaire.questions)
        # A partial assessment asks nothing of the sections it leaves out.
        assessed = set(self.mission.sections.get(self.questionnaire.id, ()))
        if self._type_known():
            respondent = self.mission.respondent(self.session.respondent)
            meant = self.questionnaire.questions_for(respondent.institution_type)
        else:
            meant = list(self.questionnaire.iter_questions())
        return {q.id for q in meant if q.section in assessed}

    def _shown(self, question: Question) -> bool:
        assert self.session is not None
        return question.id in self._filter and self.session.logic.relevant(question.id)

    def _number_questions(self) -> None:
        self._filter = self._for_type()
        for s_index, section in enumerate(self.questionnaire.sections, start=1):
            q_index = 0
            for question in section.questions:
                if question.type == "note":
                    self.state.numbers[question.id] = ""
                    continue
                q_index += 1
                self.state.numbers[question.id] = f"{s_index}.{q_index}"

    def section_progress(self, section: Section) -> tuple[int, int]:
        """(answered, relevant) answerable questions of a section for this respondent."""
        assert self.session is not None
        answered = relevant = 0
        for question in section.questions:
            if not question.answerable or not self._shown(question):
                continue
            relevant += 1
            if question.id in self.session.values:
                answered += 1
        return answered, relevant

    def progress(self) -> tuple[int, int]:
        """(answered, relevant) over the whole questionnaire."""
        answered = relevant = 0
        for section in self.questionnaire.sections:
            a, r = self.section_progress(section)
            answered += a
            relevant += r
        return answered, relevant

    def first_unanswered(self) -> str | None:
        """The first relevant unanswered question for this respondent, or None."""
        assert self.session is not None
        for question in self.questionnaire.iter_questions():
            if (
                question.answerable
                and self._shown(question)
                and question.id not in self.session.values
            ):
                return question.id
        return None

    def _visible_sections(self) -> list[str]:
        return [
            section.id
            for section in self.questionnaire.sections
            if any(q.answerable and q.id in self._filter for q in section.questions)
        ]

    def _build_nav(self) -> None:
        for old in self.section_buttons.values():
            close_tree(old)
        self.section_buttons = {}
        for index, section in enumerate(self.questionnaire.sections, start=1):
            button = W.Button(
                description=f"{index}. {section.title.get(self.language)}",
                layout=W.Layout(width="100%", height="auto"),
                tooltip=section.title.get(self.language),
            )
            button.add_class("ak-section-btn")
            button.on_click(lambda _b, sid=section.id: self.open_section(sid))
            self.section_buttons[section.id] = button
        progress = self._("Progress")
        sections = self._("Sections")
        counts = self._("(answered / to answer)")
        self.nav.children = (
            W.HTML(f"<b>{progress}</b>"),
            self.overall,
            self.overall_label,
            W.HTML(f"<b>{sections}</b> <span class='ak-unsaved'>{counts}</span>"),
            *self.section_buttons.values(),
            self.show_all,
        )
        self._update_nav()

    def _update_nav(self) -> None:
        visible = set(self._visible_sections())
        for section in self.questionnaire.sections:
            button = self._update_section_button(section.id)
            button.button_style = "info" if section.id == self.state.current else ""
            button.layout.display = None if section.id in visible else "none"
        self._update_overall()

    def _update_section_button(self, section_id: str) -> W.Button:
        """Show a section's count of answered questions on its button."""
        section = self.questionnaire.section(section_id)
        index = self.questionnaire.sections.index(section) + 1
        answered, relevant = self.section_progress(section)
        button = self.section_buttons[section_id]
        button.description = f"{index}. {section.title.get(self.language)} — {answered}/{relevant}"
        button.icon = "check" if relevant and answered == relevant else ""
        return button

    def _update_overall(self) -> None:
        answered, relevant = self.progress()
        self.overall.max = max(relevant, 1)
        self.overall.value = answered
        words = self._("{answered} of {relevant} questions answered").format(
            answered=answered, relevant=relevant
        )
        self.overall_label.value = f"<span class='ak-unsaved'>{words}</span>"

    def _refresh_visibility(self) -> None:
        if self.session is None:
            return
        self._filter = self._for_type()
        for card in self.state.cards.values():
            card.set_visible(self._shown(card.question))
        sections = self._visible_sections()
        if self.state.current in sections:
            self._update_nav()
        else:
            # The open section was only there for 'Show all questions': leave the empty page.
            self.open_section(sections[0] if sections else None)

    # ---------------------------------------------------------------- sections
    def _build_section(self, section: Section) -> W.VBox:
        assert self.session is not None
        session = self.session
        cards = []
        for question in section.questions:
            answer = session.answers.get(question.id)
            card = QuestionCard(
                question,
                self.state.numbers.get(question.id, ""),
                session,
                value=None if answer is None else answer.value,
                details=AnswerDetails()
                if answer is None
                else AnswerDetails(answer.note, answer.evidence, answer.confidential),
                saved_at="" if answer is None else answer.updated_at,
                language=self.language,
            )
            card.set_required(session.logic.required(question.id))
            if question.type == "calculate":
                card.set_calculated(session.logic.calculated(question.id))
            if not self._shown(question):
                card.set_visible(False)
            self.state.cards[question.id] = card
            cards.append(card.widget)
        return W.VBox(cards)

    def open_section(self, section_id: str | None) -> None:
        """Show a section, building it the first time."""
        if section_id is None or self.session is None:
            self.state.current = None
            self.section_title.value = ""
            self.nav_message.value = ""
            self.section_box.children = ()
            return
        section = self.questionnaire.section(section_id)
        view = self.state.built.get(section_id)
        if view is None:
            view = self._build_section(section)
            self.state.built[section_id] = view
        self.state.current = section_id
        self._next_warned = None
        self.nav_message.value = ""
        index = self.questionnaire.sections.index(section) + 1
        description = (
            f"<div class='ak-section-intro'>{text_html(section.description, self.language)}</div>"
            if section.description
            else ""
        )
        title = text_html(section.title, self.language)
        self.section_title.value = (
            f"<h3 style='margin:6px 0 2px 0'>{index}. {title}</h3>{description}"
        )
        self.section_box.children = (view,)
        self._update_nav()

    def card(self, question_id: str) -> QuestionCard:
        """The card of a question, building its section if needed (without opening it)."""
        if self.session is None:
            raise LookupError("choose a respondent first")
        if question_id not in self.state.cards:
            section = self.questionnaire.question(question_id).section
            self.state.built[section] = self._build_section(self.questionnaire.section(section))
        return self.state.cards[question_id]

    def step(self, direction: int) -> None:
        """Go to the previous (-1) or next (+1) section shown for this respondent."""
        sections = self._visible_sections()
        if not sections or self.state.current is None:
            return
        if direction > 0 and self._next_warned != self.state.current:
            missing = [
                card
                for qid, card in self.state.cards.items()
                if self.questionnaire.question(qid).section == self.state.current
                and card.visible
                and not card.require()
            ]
            if missing:
                self._next_warned = self.state.current
                warning = self._(
                    "{count} required question(s) in this section still need an answer (marked "
                    "in red). Click Next again to move on anyway."
                ).format(count=len(missing))
                self.nav_message.value = f"<span class='ak-message'>⚠ {warning}</span>"
                return
        position = sections.index(self.state.current) if self.state.current in sections else 0
        target = position + direction
        if 0 <= target < len(sections):
            self.open_section(sections[target])

    def continue_interview(self) -> None:
        """Open the section of the first unanswered question and highlight it."""
        if self.session is None:
            return
        first = self.first_unanswered()
        if first is None:
            return
        self.open_section(self.questionnaire.question(first).section)
        for qid, card in self.state.cards.items():
            card.focus(qid == first)

    # ---------------------------------------------------------------- after each answer
    def _answer_changed(self, question_id: str, changes: Changes) -> None:
        assert self.session is not None
        logic = self.session.logic
        sections = {self.questionnaire.question(question_id).section}
        for qid in changes.relevant | changes.required | changes.calculated:
            sections.add(self.questionnaire.question(qid).section)
            card = self.state.cards.get(qid)
            if card is None:
                continue  # not built yet: it will be built with the current state
            question = card.question
            card.set_visible(self._shown(question))
            card.set_required(logic.required(qid))
            if question.type == "calculate":
                card.set_calculated(logic.calculated(qid))
        card = self.state.cards.get(question_id)
        if card is not None:
            card.focus(False)
        # Cheap path after one answer: the touched sections' counts and the overall bar only.
        for section_id in sections:
            self._update_section_button(section_id)
        self._update_overall()
        if self.continue_button.layout.display != "none" and self.first_unanswered() is None:
            self.continue_button.layout.display = "none"
        for listener in self.listeners:
            listener(question_id)
