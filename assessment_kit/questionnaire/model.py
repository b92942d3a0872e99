"""The questionnaire model: frozen dataclasses built by the loader, read by everything else.

A :class:`Questionnaire` holds answer scales, respondent types, a catalogue of standard
tools that recommendations point to, and sections of questions. The model is pure data:
no I/O, no UI.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from assessment_kit.i18n import N_

if TYPE_CHECKING:
    from assessment_kit.questionnaire.expressions import Expr

QuestionType = Literal[
    "scale", "single", "multiple", "integer", "decimal", "text", "date", "note", "calculate"
]
QUESTION_TYPES: tuple[str, ...] = (
    "scale",
    "single",
    "multiple",
    "integer",
    "decimal",
    "text",
    "date",
    "note",
    "calculate",
)

# Non-scored states: always offered, never a zero, distinct from every choice.
UNKNOWN = "unknown"
NOT_APPLICABLE = "not_applicable"
NOT_ASSESSED = "not_assessed"
DECLINED = "declined"
NON_SCORED_STATES: tuple[str, ...] = (UNKNOWN, NOT_APPLICABLE, NOT_ASSESSED, DECLINED)
# "No cases in the period": offered only by questions that declare ``no_cases`` (how the
# absence of cases counts), so it is reserved but not among the states always offered.
NO_CASES = "no_cases"
#: Every reserved value: the states always offered, then ``no_cases``.
RESERVED_VALUES: tuple[str, ...] = (*NON_SCORED_STATES, NO_CASES)
NON_SCORED_LABELS: Mapping[str, str] = MappingProxyType(
    {
        UNKNOWN: N_("Unknown"),
        NOT_APPLICABLE: N_("Not applicable"),
        NOT_ASSESSED: N_("Not assessed"),
        DECLINED: N_("Declined / confidential"),
        NO_CASES: N_("No cases in the period"),
    }
)

#: A stored answer value: a choice value or state, text, an ISO date, a number, or the
#: tuple of values of a ``multiple`` question.
AnswerValue = str | int | float | tuple[str, ...]


def _empty_mapping() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Text:
    """A text in English with optional translations keyed by language code."""

    en: str
    translations: Mapping[str, str] = field(default_factory=_empty_mapping, compare=False)

    def get(self, language: str = "en") -> str:
        """The text in ``language``, falling back to English."""
        if language == "en":
            return self.en
        return self.translations.get(language, self.en)

    def __str__(self) -> str:
        return self.en

    def __bool__(self) -> bool:
        return bool(self.en.strip())


EMPTY_TEXT = Text("")


@dataclass(frozen=True, slots=True)
class Choice:
    """One choice of a scale or of a single/multiple question; ``score`` in [0, 1] or None."""

    value: str
    label: Text
    score: float | None = None


@dataclass(frozen=True, slots=True)
class Scale:
    """A named answer scale shared by questions."""

    id: str
    label: Text
    choices: tuple[Choice, ...]

    @property
    def scored(self) -> bool:
        return any(choice.score is not None for choice in self.choices)


@dataclass(frozen=True, slots=True)
class RespondentType:
    """A kind of institution or person interviewed (for example ``prosecutor``)."""

    id: str
    label: Text
    sector: str = ""


@dataclass(frozen=True, slots=True)
class ReferenceTool:
    """A standard tool a recommendation can point to (for example the Model Law)."""

    id: str
    title: Text
    url: str = ""


@dataclass(frozen=True, slots=True)
class Recommendation:
    """What the briefing recommends when the answer is weak."""

    text: Text
    references: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Question:
    """One question. ``choices`` are resolved from the scale for ``scale`` questions."""

    id: str
    type: str
    text: Text
    section: str
    line: int | None = None
    guidance: Text = EMPTY_TEXT
    evidence: Text = EMPTY_TEXT
    scale: str | None = None
    choices: tuple[Choice, ...] = ()
    areas: Mapping[str, float] = field(default_factory=_empty_mapping, compare=False)
    weight: float = 1.0
    relevant: str | None = None
    constraint: str | None = None
    constraint_message: Text = EMPTY_TEXT
    required: str | None = None
    calculate: str | None = None
    recommendation: Recommendation | None = None
    source: str = ""
    sensitive: bool = False
    respondent_types: tuple[str, ...] = ()
    # A question about what happened in the period (cases, requests, seizures...).
    practice: bool = False
    # How "No cases in the period" counts: NOT_APPLICABLE (out of the coverage), a score
    # in [0, 1] (the absence of cases is itself the finding), or None (not offered).
    no_cases: float | str | None = None
    # Ids of the previous version that this question renames, merges or splits from.
    replaces: tuple[str, ...] = ()
    # Parsed expressions, filled by the loader (None when the field is absent).
    relevant_expr: Expr | None = field(default=None, compare=False, repr=False)
    constraint_expr: Expr | None = field(default=None, compare=False, repr=False)
    required_expr: Expr | None = field(default=None, compare=False, repr=False)
    calculate_expr: Expr | None = field(default=None, compare=False, repr=False)

    @property
    def scored(self) -> bool:
        """Whether answers to this question carry a score in [0, 1]."""
        if self.type not in ("scale", "single", "multiple"):
            return False
        return any(choice.score is not None for choice in self.choices)

    @property
    def answerable(self) -> bool:
        """Whether a person answers it (notes and calculations are not answered)."""
        return self.type not in ("note", "calculate")

    @property
    def offers_no_cases(self) -> bool:
        """Whether the answer "No cases in the period" (``no_cases``) is offered."""
        return self.no_cases is not None

    @property
    def no_cases_score(self) -> float | None:
        """The score of ``no_cases`` when it is scored, else None."""
        if isinstance(self.no_cases, int | float) and not isinstance(self.no_cases, bool):
            return float(self.no_cases)
        return None

    @property
    def states(self) -> tuple[str, ...]:
        """The non-scored states this question offers, in display order."""
        if self.offers_no_cases:
            return (*NON_SCORED_STATES, NO_CASES)
        return NON_SCORED_STATES

    def choice(self, value: str) -> Choice | None:
        """The choice with this value, or None."""
        for choice in self.choices:
            if choice.value == value:
                return choice
        return None

    def score_of(self, value: AnswerValue | None) -> float | None:
        """The score of an answer value, or None for unscored questions and states.

        A ``multiple`` answer scores the sum of its selected choices' scores, capped at 1.
        """
        if not self.scored or value is None:
            return None
        if value == NO_CASES or value == (NO_CASES,):
            return self.no_cases_score
        if isinstance(value, str) and value in NON_SCORED_STATES:
            return None
        if self.type == "multiple":
            selected = (value,) if isinstance(value, str) else value
            if not isinstance(selected, tuple):
                return None
            total = 0.0
            for item in selected:
                choice = self.choice(item)
                if choice is not None and choice.score is not None:
                    total += choice.score
            return min(1.0, total)
        if isinstance(value, str):
            choice = self.choice(value)
            return None if choice is None else choice.score
        return None


@dataclass(frozen=True, slots=True)
class Section:
    """A section of a questionnaire, meant for some respondent types."""

    id: str
    title: Text
    description: Text
    questions: tuple[Question, ...]
    respondent_types: tuple[str, ...] = ()
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Questionnaire:
    """A validated instrument."""

    id: str
    version: str
    title: Text
    description: Text
    languages: tuple[str, ...]
    scales: Mapping[str, Scale]
    respondent_types: Mapping[str, RespondentType]
    references: Mapping[str, ReferenceTool]
    sections: tuple[Section, ...]
    # The version this one revises (checked by the validator), and the ids of that
    # version left out on purpose (neither kept nor replaced).
    previous: str | None = None
    dropped: tuple[str, ...] = ()
    source_file: str = ""
    source_text: str = field(default="", compare=False, repr=False)
    _questions: Mapping[str, Question] = field(
        default_factory=_empty_mapping, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        index = {q.id: q for section in self.sections for q in section.questions}
        object.__setattr__(self, "_questions", MappingProxyType(index))

    @property
    def questions(self) -> Mapping[str, Question]:
        """All questions by id, in questionnaire order."""
        return self._questions

    def question(self, question_id: str) -> Question:
        """The question with this id; ``KeyError`` if there is none."""
        return self._questions[question_id]

    def iter_questions(self) -> Iterator[Question]:
        """Every question in questionnaire order."""
        return iter(self._questions.values())

    def section(self, section_id: str) -> Section:
        """The section with this id; ``KeyError`` if there is none."""
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    def questions_for(self, respondent_type: str | None) -> list[Question]:
        """Questions meant for a respondent type (all of them when it is None).

        A question's own ``respondent_types`` win over its section's; empty means everyone.
        """
        if respondent_type is None:
            return list(self._questions.values())
        selected = []
        for section in self.sections:
            for question in section.questions:
                types = question.respondent_types or section.respondent_types
                if not types or respondent_type in types:
                    selected.append(question)
        return selected


_Derived = TypeVar("_Derived")


def per_questionnaire(
    build: Callable[[Questionnaire], _Derived],
) -> Callable[[Questionnaire], _Derived]:
    """Cache what ``build`` derives from a questionnaire, by identity (the last 32).

    Questionnaires are frozen but hold mappings, so they are not hashable; the identity
    check keeps a recycled ``id`` from handing one questionnaire's data to another.
    """
    cache: OrderedDict[int, tuple[Questionnaire, _Derived]] = OrderedDict()

    @functools.wraps(build)
    def cached(questionnaire: Questionnaire) -> _Derived:
        key = id(questionnaire)
        hit = cache.get(key)
        if hit is not None and hit[0] is questionnaire:
            cache.move_to_end(key)
            return hit[1]
        derived = build(questionnaire)
        cache[key] = (questionnaire, derived)
        while len(cache) > 32:
            cache.popitem(last=False)
        return derived

    return cached
