"""What scoring knows before it reads an answer: the questions, their weights and areas.

Per questionnaire, :func:`static` builds once (cached by identity) the answerable
questions, their weights and (question, area) rows. Per scoring run, :func:`layout` lays the
questionnaires end to end: every answerable question gets a *global index*, and every
array of the engine is indexed by it. The profile's weight overrides and caps are checked
against the questions here, before any answer is read.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from itertools import repeat
from typing import TYPE_CHECKING, TypeAlias

import numpy as np
import numpy.typing as npt

from assessment_kit.areas import AREA_IDS
from assessment_kit.columns import cells
from assessment_kit.errors import Code, Problem
from assessment_kit.questionnaire.form_logic import form_graph
from assessment_kit.questionnaire.model import (
    NO_CASES,
    Question,
    Questionnaire,
    per_questionnaire,
)
from assessment_kit.scoring.profile import ProfileError, ScoringProfile
from assessment_kit.scoring.result import LeftOutSection

if TYPE_CHECKING:
    import pandas as pd

    from assessment_kit.columns import Columns

    #: Answers as the store gives them: a frame (``answers_frame``), or the same columns
    #: without pandas (``answers_table``); scoring reads either.
    AnswerTable: TypeAlias = pd.DataFrame | Columns

__all__ = ["AreaLinks", "Layout", "Static", "layout", "question_index", "static"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class Static:
    """Per-questionnaire tables built once: answerable questions and their area weights."""

    questions: tuple[Question, ...]  # answerable questions, in questionnaire order
    position: Mapping[str, int]  # question id -> index in ``questions``
    scored: BoolArray
    weight: FloatArray  # the questionnaire's own weights
    area_question: IntArray  # rows of the (question, area) table: local question index
    area_code: IntArray  # index into AREA_IDS
    area_weight: FloatArray
    primary_area: tuple[str | None, ...]
    referenced: frozenset[str]  # question ids read by some ``relevant`` expression
    # Per answerable question, its scores in ascending order (choices and a scored "no
    # cases"), for counting steps of disagreement; None for ``multiple`` and unscored.
    levels: tuple[FloatArray | None, ...]


# Keyed by identity: Questionnaire holds mappings, so it is not hashable (see
# per_questionnaire, which also serves the form logic's graph).
@per_questionnaire
def static(questionnaire: Questionnaire) -> Static:
    """The questionnaire's tables (built on first use, then cached)."""
    questions = tuple(q for q in questionnaire.iter_questions() if q.answerable)
    area_question: list[int] = []
    area_code: list[int] = []
    area_weight: list[float] = []
    primary: list[str | None] = []
    for index, question in enumerate(questions):
        best: str | None = None
        if question.scored:
            for area, weight in question.areas.items():
                if area in AREA_IDS:
                    area_question.append(index)
                    area_code.append(AREA_IDS.index(area))
                    area_weight.append(float(weight))
                    if best is None or weight > question.areas[best]:
                        best = area
        primary.append(best)
    return Static(
        questions=questions,
        position={q.id: i for i, q in enumerate(questions)},
        scored=np.array([q.scored for q in questions], dtype=bool),
        weight=np.array([float(q.weight) for q in questions], dtype=np.float64),
        area_question=np.array(area_question, dtype=np.int64),
        area_code=np.array(area_code, dtype=np.int64),
        area_weight=np.array(area_weight, dtype=np.float64),
        primary_area=tuple(primary),
        referenced=form_graph(questionnaire).relevance_inputs,
        levels=tuple(_levels(q) for q in questions),
    )


def _levels(question: Question) -> FloatArray | None:
    if not question.scored or question.type == "multiple":
        return None
    scores = {c.score for c in question.choices if c.score is not None}
    if question.no_cases_score is not None:
        scores.add(question.no_cases_score)
    return np.array(sorted(scores), dtype=np.float64)


@dataclass(frozen=True, eq=False)
class AreaLinks:
    """The (question, area) table of a run: global question index, area index, weight."""

    question: IntArray
    area: IntArray
    weight: FloatArray


@dataclass(frozen=True, eq=False)
class Layout:
    """The questionnaires of one scoring run, end to end, by global question index."""

    instruments: tuple[Questionnaire, ...]
    statics: tuple[Static, ...]
    names: tuple[str, ...]  # questionnaire ids, in order
    offsets: IntArray  # global index of each questionnaire's first question (and the end)
    questions: tuple[Question, ...]
    questionnaire_of: IntArray  # each question's questionnaire (index into ``names``)
    scored: BoolArray
    weight: FloatArray  # with the profile's overrides
    assessed: BoolArray  # in a section the mission assesses
    left_out: tuple[LeftOutSection, ...]
    links: AreaLinks

    @property
    def size(self) -> int:
        """How many answerable questions the run has."""
        return len(self.questions)

    def index(self, questionnaire: str, question: str) -> int | None:
        """The global index of a question (None when the run has no such question)."""
        if questionnaire not in self.names:
            return None
        k = self.names.index(questionnaire)
        local = self.statics[k].position.get(question)
        return None if local is None else int(self.offsets[k]) + local


def layout(
    questionnaires: Mapping[str, Questionnaire],
    profile: ScoringProfile,
    sections: Mapping[str, Collection[str]] | None,
) -> Layout:
    """Lay out the questionnaires of a run, checking the profile against them.

    Raises
    ------
    ProfileError
        When the profile overrides the weight of, or caps on, a question that does not
        exist (or is not scored), or caps on "no cases".
    """
    instruments = tuple(questionnaires.values())
    statics = tuple(static(q) for q in instruments)
    names = tuple(q.id for q in instruments)
    sizes = [len(s.questions) for s in statics]
    offsets = np.cumsum([0, *sizes]).astype(np.int64)
    assessed, left_out = _assessed(instruments, statics, sections)
    return Layout(
        instruments=instruments,
        statics=statics,
        names=names,
        offsets=offsets,
        questions=tuple(q for s in statics for q in s.questions),
        questionnaire_of=np.repeat(np.arange(len(statics)), sizes).astype(np.int64),
        scored=np.concatenate([s.scored for s in statics]) if statics else np.zeros(0, bool),
        weight=_weights(profile, names, statics),
        assessed=assessed,
        left_out=left_out,
        links=_links(statics, offsets),
    )


def _links(statics: tuple[Static, ...], offsets: IntArray) -> AreaLinks:
    if not statics:
        empty = np.zeros(0, dtype=np.int64)
        return AreaLinks(empty, empty, np.zeros(0))
    return AreaLinks(
        np.concatenate([s.area_question + int(o) for s, o in zip(statics, offsets, strict=False)]),
        np.concatenate([s.area_code for s in statics]),
        np.concatenate([s.area_weight for s in statics]),
    )


def _assessed(
    instruments: tuple[Questionnaire, ...],
    statics: tuple[Static, ...],
    sections: Mapping[str, Collection[str]] | None,
) -> tuple[BoolArray, tuple[LeftOutSection, ...]]:
    """Which answerable questions are in assessed sections, and the sections left out."""
    parts: list[BoolArray] = []
    left_out: list[LeftOutSection] = []
    for instrument, tables in zip(instruments, statics, strict=True):
        chosen = None if sections is None else sections.get(instrument.id)
        if chosen is None:
            parts.append(np.ones(len(tables.questions), dtype=bool))
            continue
        kept = set(chosen)
        parts.append(np.array([q.section in kept for q in tables.questions], dtype=bool))
        left_out += [
            LeftOutSection(instrument.id, section.id, section.title.en)
            for section in instrument.sections
            if section.id not in kept
        ]
    mask = np.concatenate(parts) if parts else np.zeros(0, dtype=bool)
    return mask, tuple(left_out)


def _weights(
    profile: ScoringProfile, names: tuple[str, ...], statics: tuple[Static, ...]
) -> FloatArray:
    """Question weights with the profile's overrides (which must name real questions)."""
    parts = [s.weight.copy() for s in statics]
    problems: list[Problem] = []
    by_name = dict(zip(names, range(len(names)), strict=True))
    for key, value in profile.question_weights.items():
        questionnaire, _, question = key.partition(".")
        if questionnaire not in by_name:
            continue  # a profile may cover instruments this mission does not use
        local = statics[by_name[questionnaire]].position.get(question)
        if local is None:
            problems.append(_profile_problem(profile, f"question_weights.{key}", questionnaire))
            continue
        parts[by_name[questionnaire]][local] = value
    for i, cap in enumerate(profile.caps):
        if cap.questionnaire in by_name:
            tables = statics[by_name[cap.questionnaire]]
            local = tables.position.get(cap.question)
            if local is None or (not tables.scored[local] and cap.score_below is not None):
                problems.append(_profile_problem(profile, f"caps[{i}].when", cap.questionnaire))
            elif cap.value == NO_CASES:
                problems.append(_no_cases_cap(profile, i, tables.questions[local]))
    if problems:
        raise ProfileError(problems, summary=f"{profile.file or profile.name}: invalid profile")
    return np.concatenate(parts) if parts else np.zeros(0)


def _no_cases_cap(profile: ScoringProfile, index: int, question: Question) -> Problem:
    """A cap on "no cases": refused, as caps never fire on the absence of cases."""
    where = f"caps[{index}].value"
    if not question.offers_no_cases:
        return Problem.make(
            Code.NO_CASES_NOT_DECLARED,
            file=profile.file or profile.name,
            path=where,
            field=where,
            ref=question.id,
        )
    return Problem.make(
        Code.PROFILE_FIELD,
        file=profile.file or profile.name,
        path=where,
        field=where,
        detail="a cap never fires on 'no_cases': the absence of cases is not a failure",
        fix="cap on a choice that is a negative finding, or give the question a low "
        "no_cases score instead",
    )


def _profile_problem(profile: ScoringProfile, field: str, questionnaire: str) -> Problem:
    return Problem.make(
        Code.PROFILE_FIELD,
        file=profile.file or profile.name,
        path=field,
        field=field,
        detail=f"no such (scored) question in questionnaire {questionnaire!r}",
        fix="check the question id",
    )


def question_index(answers: AnswerTable, plan: Layout) -> IntArray:
    """Global question index of every answer row (-1 when out of scope or unknown)."""
    names = plan.names
    if answers.empty or not names:
        return np.full(len(answers), -1, dtype=np.int64)
    # One dict lookup per answer: (questionnaire, question) -> global index, -1 elsewhere.
    index = {
        (name, question): int(plan.offsets[k]) + local
        for k, name in enumerate(names)
        for question, local in plan.statics[k].position.items()
    }
    pairs = zip(cells(answers["questionnaire"]), cells(answers["question"]), strict=True)
    return np.fromiter(map(index.get, pairs, repeat(-1)), dtype=np.int64, count=len(answers))
