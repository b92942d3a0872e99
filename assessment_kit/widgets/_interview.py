"""The interview's answers: one respondent's answers to one questionnaire, saved as given.

Kept apart from the form's widgets (:mod:`assessment_kit.widgets._form`, which re-exports
:class:`InterviewSession`): it holds no widget, only the store and the form logic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from assessment_kit.questionnaire.form_logic import Changes, FormState
from assessment_kit.questionnaire.model import AnswerValue, Question, Questionnaire

if TYPE_CHECKING:
    from assessment_kit.store import Answer, Mission
    from assessment_kit.widgets._question import AnswerDetails

__all__ = ["InterviewSession"]


class InterviewSession:
    """One respondent's answers to one questionnaire: saves to the store, tracks the logic.

    Relevance, requirements and calculations live in a
    :class:`~assessment_kit.questionnaire.form_logic.FormState`, updated incrementally after
    each save. Implements :class:`~assessment_kit.widgets._question.AnswerSink`.
    """

    def __init__(
        self,
        mission: Mission,
        questionnaire: Questionnaire,
        respondent: str,
        *,
        by: str = "",
    ) -> None:
        self.mission = mission
        self.questionnaire = questionnaire
        self.respondent = respondent
        self.by = by
        self.answers: dict[str, Answer] = mission.answers_for(respondent, questionnaire.id)
        self.logic = FormState(
            questionnaire, {qid: answer.value for qid, answer in self.answers.items()}
        )
        self.listeners: list[Callable[[str, Changes], None]] = []

    @property
    def values(self) -> Mapping[str, AnswerValue]:
        """The saved answers' values, by question id."""
        return self.logic.answers

    # ---------------------------------------------------------------- AnswerSink
    def save(self, question: Question, value: AnswerValue, details: AnswerDetails) -> None:
        """Save an answer with its details; the store raises AnswerError if it refuses it."""
        answer = self.mission.set_answer(
            self.respondent,
            self.questionnaire.id,
            question.id,
            value,
            note=details.note,
            evidence=details.evidence,
            confidential=details.confidential,
            by=self.by,
        )
        old = self.values.get(question.id)
        self.answers[question.id] = answer
        if old != answer.value:
            self._notify(self.logic.set(question.id, answer.value))

    def clear(self, question: Question) -> None:
        """Remove the saved answer."""
        self.mission.clear_answer(self.respondent, self.questionnaire.id, question.id, by=self.by)
        self.answers.pop(question.id, None)
        if question.id in self.values:
            self._notify(self.logic.clear(question.id))

    def _notify(self, changes: Changes) -> None:
        for listener in self.listeners:
            listener(changes.question, changes)
