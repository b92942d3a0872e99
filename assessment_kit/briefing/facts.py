"""What the briefing knows about each question: its text, its area, the mission's answer.

:class:`MissionFacts` is built once per briefing from the typed scores and shared by the
area pages, the recommendations and the annexes, so that a question reads the same on
every page. Answers in words are scrubbed of respondent codes and interviewer names.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from assessment_kit.briefing.parts import ScoreSummary
from assessment_kit.briefing.text import NameScrubber
from assessment_kit.i18n import _, current_language
from assessment_kit.questionnaire.answers import agreed_choice, label, state_label
from assessment_kit.questionnaire.model import Question, Questionnaire, Text
from assessment_kit.scoring import MissionScores, QuestionScore
from assessment_kit.scoring.rank import Member, area_members, primary_areas

__all__ = ["Key", "MissionFacts", "mission_answer", "summary", "text_of", "value_label"]

Key = tuple[str, str]  # (questionnaire id, question id)


class _Scored(Protocol):
    """An area score or the overall score: what a :class:`ScoreSummary` shows."""

    @property
    def score(self) -> float | None: ...
    @property
    def low(self) -> float | None: ...
    @property
    def high(self) -> float | None: ...
    @property
    def coverage(self) -> float | None: ...
    @property
    def band(self) -> str | None: ...


def summary(scored: _Scored | None) -> ScoreSummary:
    """A score's summary (every part None when there is no score record)."""
    if scored is None:
        return ScoreSummary(None, None, None, None, None)
    return ScoreSummary(scored.score, scored.low, scored.high, scored.coverage, scored.band)


def text_of(value: Any) -> str:
    """A cell of a store frame as stripped text ("" for None or NaN)."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value).strip()


def value_label(question: Question | None, value: Any) -> str:
    """A respondent's answer in words (:func:`~assessment_kit.questionnaire.answers.label`),
    from a cell of a store frame."""
    return label(question, value)


def mission_answer(question: Question | None, row: QuestionScore) -> str:
    """How the mission answered: the consolidated value, the agreed answer or "mixed"."""
    if row.state and row.state != "scored":
        return _(state_label(row.state))
    if row.value is not None:
        return label(question, row.value)
    score = row.score
    agreed = None
    if question is not None and score is not None and row.spread == 0:
        agreed = agreed_choice(question, score)
    if agreed is not None:
        return shown(agreed.label)
    if score is None:
        return _("not assessed")
    return _("mixed")


def shown(text: Text) -> str:
    """An instrument's text in the language in force; English, marked so, when the
    instrument has no translation into it."""
    lang = current_language()
    if lang == "en":
        return text.en
    translated = text.translations.get(lang)
    if translated:
        return translated
    # TRANSLATORS: after an instrument text shown in English for want of a translation
    return _("{text} (English)").format(text=text.en)


@dataclass(frozen=True, eq=False)
class MissionFacts:
    """The scored questions of a mission, by key, with their areas and the scrubber."""

    questionnaires: Mapping[str, Questionnaire]
    questions: Mapping[Key, QuestionScore]
    primary: Mapping[Key, str]  # each question's area
    members: Mapping[str, list[Member]]  # each area's questions with their area weight
    scrub: NameScrubber

    @classmethod
    def of(
        cls, scores: MissionScores, questionnaires: Mapping[str, Questionnaire], scrub: NameScrubber
    ) -> MissionFacts:
        """The facts of ``scores``."""
        return cls(
            questionnaires=questionnaires,
            questions={q.key: q for q in scores.question_scores},
            primary=primary_areas(scores.question_scores, scores.links),
            members=area_members(scores.question_scores, scores.links),
            scrub=scrub,
        )

    def question(self, key: Key) -> Question | None:
        """The questionnaire's question (None when the questionnaire does not have it)."""
        instrument = self.questionnaires.get(key[0])
        return None if instrument is None else instrument.questions.get(key[1])

    def text(self, key: Key) -> str:
        """The question's text."""
        question = self.question(key)
        if question is not None:
            return shown(question.text)
        row = self.questions.get(key)
        return (row.text.strip() if row is not None else "") or key[1]

    def answer(self, key: Key) -> str:
        """The mission's answer in words, scrubbed."""
        return self.scrub(mission_answer(self.question(key), self.questions[key]))

    def section_title(self, key: Key) -> str:
        """The title of the question's section ("" when unknown)."""
        instrument = self.questionnaires.get(key[0])
        if instrument is None or key[1] not in instrument.questions:
            return ""
        try:
            return shown(instrument.section(instrument.question(key[1]).section).title)
        except KeyError:
            return ""
