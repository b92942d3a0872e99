"""The consolidation view: per question, what each respondent said, disagreements first;
the team sets the mission's consolidated answer with a rationale (saved with history).

Questions are shown a page at a time, so the view opens quickly however many questions
were answered. Spread and disagreement come from the scoring engine, so the view and the
scores agree on what a disagreement is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import ipywidgets as W
import pandas as pd

from assessment_kit.errors import AnswerError
from assessment_kit.i18n import N_, translations
from assessment_kit.questionnaire.model import AnswerValue, Question, Questionnaire
from assessment_kit.scoring.result import number_or_none
from assessment_kit.widgets._controls import (
    STYLE,
    Control,
    Entry,
    esc,
    institution_types,
    instrument_picker,
    labelled_dropdown,
    make_control,
    message_html,
    value_label,
)
from assessment_kit.widgets._question import answer_error_text

if TYPE_CHECKING:
    from assessment_kit.store import Conflict, ConsolidatedAnswer, Mission

__all__ = ["FILTERS", "ConsolidationCard", "ConsolidationController"]

FILTERS: dict[str, str] = {
    "disagreements_first": N_("Disagreements first"),
    "disagreements": N_("Only disagreements"),
    "open": N_("Not yet consolidated"),
    "all": N_("All questions with answers"),
}

#: A translator: a message in the language the page is shown in.
Tr = Callable[[str], str]


def _details_html(record: Mapping[Any, Any], _: Tr) -> str:
    """An answer's note and evidence, escaped, with a confidential answer marked first."""
    parts = []
    if record.get("confidential"):
        # Plain words, not a padlock glyph: kiosk browsers often lack emoji fonts.
        confidential = esc(_("Confidential"))
        kept = esc(_("(kept out of the briefing)"))
        parts.append(f"<b class='ak-message'>{confidential}</b> {kept}")
    if record.get("note"):
        parts.append(esc(record["note"]))
    if record.get("evidence"):
        evidence = esc(_("Evidence:"))
        parts.append(f"<i>{evidence}</i> {esc(record['evidence'])}")
    return "<br>".join(parts)


def _answers_html(
    questionnaire: Questionnaire,
    question: Question,
    answers: pd.DataFrame,
    spread: float | None,
    disagreement: bool,
    type_labels: dict[str, str],
    _: Tr,
) -> str:
    """The question, how far respondents agree, and a table of what each answered."""
    rows = []
    for record in answers.to_dict("records"):
        kind = str(record["institution_type"])
        rows.append(
            f"<tr><td><b>{esc(record['respondent'])}</b></td>"
            f"<td>{esc(type_labels.get(kind, kind))}</td>"
            f"<td>{esc(value_label(question, record['value']))}</td>"
            f"<td class='ak-note-text'>{_details_html(record, _)}</td></tr>"
        )
    values = [value_label(question, v) for v in answers["value"]] if len(answers) else []
    heads = "".join(
        f"<th>{esc(_(head))}</th>"
        for head in (
            N_("Respondent"),
            N_("Institution type"),
            N_("Answer"),
            N_("Note and evidence"),
        )
    )
    return (
        f"<div class='ak-qtext'>{esc(question.text)} "
        f"<span class='ak-qid'>{esc(questionnaire.id)} · {esc(question.id)}</span></div>"
        f"<div>{_agreement_html(values, spread, disagreement, _)}</div>"
        f"<table class='ak-table'><tr>{heads}</tr>{''.join(rows)}</table>"
    )


def _agreement_html(values: list[str], spread: float | None, disagreement: bool, _: Tr) -> str:
    """Whether respondents disagree, all agree or differ a little, and the commonest answer."""
    common = Counter(values).most_common(1)
    if disagreement:
        words = (
            _("Respondents disagree (spread {spread}).").format(spread=f"{spread:.2f}")
            if spread is not None
            else _("Respondents disagree.")
        )
        summary = f"<span class='ak-message'>{esc(words)}</span>"
    elif len(set(values)) == 1 and values:
        words = esc(_("All {count} agree: {answer}.")).format(
            count=len(values), answer=esc(values[0])
        )
        summary = f"<span class='ak-saved'>{words}</span>"
    else:
        words = (
            _("Answers differ a little (spread {spread}).").format(spread=f"{spread:.2f}")
            if spread is not None
            else _("Answers differ a little.")
        )
        summary = f"<span class='ak-unsaved'>{esc(words)}</span>"
    if common and len(values) > 1:
        words = esc(_("Most common: {answer} ({count} of {total}).")).format(
            answer=esc(common[0][0]), count=common[0][1], total=len(values)
        )
        summary += f" <span class='ak-unsaved'>{words}</span>"
    return summary


def _conflicts_html(question: Question, conflicts: Sequence[Conflict], _: Tr) -> str:
    """The answers to this question changed on two laptops (copies merged since), each
    with the value now current and the ones kept in the history; empty when none."""
    items = []
    for conflict in conflicts:
        entry = conflict.current
        who = _("Consolidated answer") if entry.respondent is None else entry.respondent
        unknown = _("unknown")
        sides = [
            f"{esc(value_label(question, side.value))} ({esc(side.by or unknown)}, "
            f"{esc(side.at.replace('T', ' ')[:16])})"
            for side in (entry, *conflict.kept)
        ]
        line = esc(_("{current} is current; also {others}")).format(
            current=sides[0], others=", ".join(sides[1:])
        )
        items.append(f"<li><b>{esc(who)}</b>: {line}</li>")
    if not items:
        return ""
    heading = esc(_("Changed on two laptops: set the answer again to settle it"))
    return f"<div class='ak-message'>{heading}<ul>{''.join(items)}</ul></div>"


class ConsolidationCard:
    """One question: the respondents' answers, the consolidated answer and its rationale."""

    def __init__(
        self,
        mission: Mission,
        questionnaire: Questionnaire,
        question: Question,
        answers: pd.DataFrame,
        consolidated: ConsolidatedAnswer | None,
        history: pd.DataFrame,
        *,
        spread: float | None,
        disagreement: bool,
        type_labels: dict[str, str],
        by: str = "",
        on_saved: Callable[[str], None] | None = None,
    ) -> None:
        self.mission = mission
        #: The card's words, in the mission's language.
        self._: Tr = translations(mission.info.language).gettext
        self.questionnaire = questionnaire
        self.question = question
        self.by = by
        self.consolidated = consolidated
        self._on_saved = on_saved
        self._entry: Entry | None = None
        self.header = W.HTML(
            _answers_html(
                questionnaire, question, answers, spread, disagreement, type_labels, self._
            )
        )
        self.control: Control | None = make_control(question, self._entered)
        if self.control is not None and consolidated is not None:
            self.control.set_value(consolidated.value)
        self.rationale = W.Textarea(
            value="" if consolidated is None else consolidated.rationale,
            placeholder=self._(
                "Rationale: why the team settles on this answer (sources, weight given)"
            ),
            layout=W.Layout(width="100%", height="52px"),
        )
        self.save_button = W.Button(
            description=self._("Save consolidated answer"),
            icon="check",
            button_style="primary",
            layout=W.Layout(width="auto"),
        )
        self.save_button.on_click(lambda _b: self.save())
        self.message = W.HTML("")
        self.status = W.HTML("")
        self.history = W.HTML(self._history_html(history))
        self.conflicts = W.HTML(self._conflicts())
        self._show_status()
        heading = esc(self._("Consolidated answer"))
        parts: list[W.Widget] = [self.header, self.conflicts, W.HTML(f"<b>{heading}</b>")]
        if self.control is not None:
            parts.append(self.control.widget)
        parts += [
            self.rationale,
            W.HBox([self.save_button, self.status], layout=W.Layout(align_items="center")),
            self.message,
            self.history,
        ]
        self.widget = W.VBox(parts)
        self.widget.add_class("ak-card")
        if consolidated is not None:
            self.widget.add_class("ak-answered")

    def _history_html(self, history: pd.DataFrame) -> str:
        if not len(history):
            return ""
        items = []
        for record in history.to_dict("records"):
            old = record.get("old_value")
            new = record.get("new_value")
            who = (
                " " + esc(self._("by {who}")).format(who=esc(record["by"]))
                if record.get("by")
                else ""
            )
            when = str(record.get("at") or "").replace("T", " ")[:16]
            items.append(
                f"<li>{esc(when)}{who}: {esc(value_label(self.question, old))} → "
                f"{esc(value_label(self.question, new))}</li>"
            )
        summary = esc(self._("History of the consolidated answer ({count})")).format(
            count=len(items)
        )
        return (
            f"<details><summary class='ak-unsaved'>{summary}</summary>"
            f"<ul class='ak-note-text'>{''.join(items)}</ul></details>"
        )

    def _conflicts(self) -> str:
        found = self.mission.conflicts(self.questionnaire.id, self.question.id)
        return _conflicts_html(self.question, found, self._)

    def _show_status(self) -> None:
        if self.consolidated is None:
            words = esc(self._("Not consolidated yet"))
            self.status.value = f"<span class='ak-unsaved'>{words}</span>"
        else:
            shown = esc(value_label(self.question, self.consolidated.value))
            words = esc(self._("Consolidated: {answer}")).format(answer=shown)
            self.status.value = f"<span class='ak-saved'>✓ {words}</span>"

    def _entered(self, entry: Entry) -> None:
        # Nothing is saved on a click here: the team confirms with a rationale first.
        self._entry = entry
        self.message.value = message_html(entry.error) if entry.error else ""

    def save(self) -> None:
        """Save the chosen consolidated answer and rationale (or clear it if none chosen)."""
        entry = (
            self._entry
            if self._entry is not None
            else (self.control.entry() if self.control is not None else Entry(None))
        )
        if entry.error is not None:
            self.message.value = message_html(entry.error)
            return
        value: AnswerValue | None = entry.value
        try:
            if value is None:
                self.mission.clear_consolidated(self.questionnaire.id, self.question.id, by=self.by)
                self.consolidated = None
                self.widget.remove_class("ak-answered")
            else:
                self.consolidated = self.mission.consolidate(
                    self.questionnaire.id,
                    self.question.id,
                    value,
                    rationale=self.rationale.value,
                    by=self.by,
                )
                self.widget.add_class("ak-answered")
        except AnswerError as error:
            self.message.value = message_html(answer_error_text(error))
            return
        self.message.value = ""
        self._entry = None
        self._show_status()
        frame = self.mission.history_frame()
        mine = frame[
            (frame["kind"] == "consolidated")
            & (frame["questionnaire"] == self.questionnaire.id)
            & (frame["question"] == self.question.id)
        ]
        self.history.value = self._history_html(mine)
        self.conflicts.value = self._conflicts()
        if self._on_saved is not None:
            self._on_saved(self.question.id)


class ConsolidationController:
    """Lists questions for consolidation, a page at a time."""

    def __init__(
        self,
        mission: Mission,
        *,
        questionnaire: str | None = None,
        by: str = "",
        page_size: int = 8,
    ) -> None:
        self.mission = mission
        #: The page's words, in the mission's language.
        self._: Tr = translations(mission.info.language).gettext
        self.by = by
        self.page_size = page_size
        self.questionnaires = dict(mission.questionnaires)
        qid = questionnaire or next(iter(self.questionnaires))
        self.questionnaire = self.questionnaires[qid]
        self.page = 0
        self.rows: pd.DataFrame = pd.DataFrame()
        self.cards: dict[str, ConsolidationCard] = {}
        self.listeners: list[Callable[[str], None]] = []
        self.instrument = instrument_picker(self.questionnaires, qid)
        self.instrument.observe(self._instrument_changed, names="value")
        self.filter = labelled_dropdown(
            self._("Show"),
            [(self._(label), key) for key, label in FILTERS.items()],
            "disagreements_first",
            width="360px",
        )
        self.filter.observe(lambda _c: self.refresh(), names="value")
        self.summary = W.HTML("")
        self.prev_button = W.Button(description=self._("Previous"), icon="arrow-left")
        self.next_button = W.Button(description=self._("Next"), icon="arrow-right")
        self.prev_button.on_click(lambda _b: self.show_page(self.page - 1))
        self.next_button.on_click(lambda _b: self.show_page(self.page + 1))
        self.page_label = W.HTML("")
        self.list = W.VBox()
        pager = W.HBox(
            [self.prev_button, self.next_button, self.page_label],
            layout=W.Layout(align_items="center"),
        )
        heading = esc(self._("Consolidation"))
        self.widget = W.VBox(
            [
                W.HTML(STYLE),
                W.HTML(f"<h3 style='margin:4px 0'>{heading}</h3>"),
                self.instrument,
                self.filter,
                self.summary,
                self.list,
                pager,
            ]
        )
        self.widget.add_class("ak-root")
        self.refresh()

    def _instrument_changed(self, change: dict[str, Any]) -> None:
        self.questionnaire = self.questionnaires[change["new"]]
        self.refresh()

    def refresh(self) -> None:
        """Re-read the store and show the first page."""
        from assessment_kit.scoring import score_answers

        qid = self.questionnaire.id
        self._answers = self.mission.answers_frame(qid)
        self._consolidated = self.mission.consolidated(qid)
        history = self.mission.history_frame()
        self._history = history[
            (history["kind"] == "consolidated") & (history["questionnaire"] == qid)
        ]
        sections = self.mission.sections
        scored = score_answers(
            {qid: self.questionnaire},
            self._answers,
            self.mission.consolidated_frame(qid),
            sections=sections,
        ).questions
        spread = {str(r["question"]): r for r in scored.to_dict("records")}
        order = {question_id: i for i, question_id in enumerate(self.questionnaire.questions)}
        answered = set(self._answers["question"]) if len(self._answers) else set()
        assessed = set(sections.get(qid, ()))
        records = []
        for question_id in answered:
            question = self.questionnaire.questions.get(question_id)
            if question is None or not question.answerable or question.section not in assessed:
                continue  # a section a partial assessment leaves out is not consolidated
            info = spread.get(question_id, {})
            records.append(
                {
                    "question": question_id,
                    "order": order.get(question_id, 0),
                    "spread": number_or_none(info.get("spread")),
                    "disagreement": bool(info.get("disagreement", False)),
                    "consolidated": question_id in self._consolidated,
                }
            )
        rows = pd.DataFrame(
            records, columns=["question", "order", "spread", "disagreement", "consolidated"]
        )
        mode = self.filter.value
        if mode == "disagreements":
            rows = rows[rows["disagreement"]]
        elif mode == "open":
            rows = rows[~rows["consolidated"].astype(bool)]
        if mode in ("disagreements_first", "disagreements"):
            rows = rows.assign(_s=rows["spread"].fillna(-1.0)).sort_values(
                ["disagreement", "_s", "order"], ascending=[False, False, True]
            )
        else:
            rows = rows.sort_values("order")
        self.rows = rows.reset_index(drop=True)
        n_dis = sum(r["disagreement"] for r in records)
        n_done = sum(r["consolidated"] for r in records)
        words = self._(
            "{count} questions have answers from respondents; <b>{disagreements}</b> with "
            "disagreement; <b>{consolidated}</b> consolidated so far. Choose the team's answer, "
            "write why, and click <b>Save consolidated answer</b>."
        ).format(count=len(records), disagreements=n_dis, consolidated=n_done)
        self.summary.value = f"<div class='ak-banner'>{words}</div>"
        self.show_page(0)

    def show_page(self, page: int) -> None:
        """Build and show one page of question cards."""
        pages = max(1, -(-len(self.rows) // self.page_size))
        self.page = min(max(0, page), pages - 1)
        start = self.page * self.page_size
        chunk = self.rows.iloc[start : start + self.page_size]
        labels = {
            kind: label for kind, (label, _) in institution_types(self.questionnaires).items()
        }
        self.cards = {}
        for record in chunk.to_dict("records"):
            question_id = str(record["question"])
            question = self.questionnaire.question(question_id)
            answers = self._answers[self._answers["question"] == question_id]
            history = self._history[self._history["question"] == question_id]
            self.cards[question_id] = ConsolidationCard(
                self.mission,
                self.questionnaire,
                question,
                answers,
                self._consolidated.get(question_id),
                history,
                spread=record["spread"],
                disagreement=bool(record["disagreement"]),
                type_labels=labels,
                by=self.by,
                on_saved=self._saved,
            )
        self.list.children = tuple(card.widget for card in self.cards.values())
        if len(self.rows):
            words = self._("Questions {first}–{last} of {total}").format(
                first=start + 1, last=start + len(chunk), total=len(self.rows)
            )
            self.page_label.value = f"<span class='ak-unsaved'>{words}</span>"
        else:
            words = esc(self._("No question to show."))
            self.page_label.value = f"<span class='ak-unsaved'>{words}</span>"
        self.prev_button.disabled = self.page == 0
        self.next_button.disabled = self.page >= pages - 1

    def card(self, question_id: str) -> ConsolidationCard:
        """The card of a question, turning to its page if needed."""
        if question_id not in self.cards:
            matches = self.rows.index[self.rows["question"] == question_id]
            if not len(matches):
                raise LookupError(f"{question_id} is not listed (no answer or filtered out)")
            self.show_page(int(matches[0]) // self.page_size)
        return self.cards[question_id]

    def _saved(self, question_id: str) -> None:
        for listener in self.listeners:
            listener(question_id)
