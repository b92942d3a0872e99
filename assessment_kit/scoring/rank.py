"""The one definition of weak, weakest, priority and section × area means.

The engine, the briefing, the charts and the dashboard all rank questions through these
functions, so "weakest" means the same thing in every output:

* a scored answer (0..1) below :data:`WEAK` is a weakness (its question's recommendation
  goes into the briefing), at or above :data:`STRONG` a strength; "partly" (0.5) is
  neither;
* *weakest* in an area: the relevant questions with a score below 1, lowest score first,
  then the one weighing more in the area, then questionnaire order;
* *priority*: weight × (1 − score), the engine's ``gap``; the highest first, then the
  lower score, then questionnaire order;
* a *section × area mean*: 100 × the mean score of a section's scored relevant questions
  for an area, weighted by question weight × area weight.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assessment_kit.areas import AREAS, is_area
from assessment_kit.scoring.records import (
    Key,
    QuestionArea,
    QuestionDisagreement,
    QuestionScore,
    Recommendation,
    SectionAreaMean,
)

if TYPE_CHECKING:
    from assessment_kit.questionnaire.model import Questionnaire
    from assessment_kit.scoring.result import MissionScores

__all__ = [
    "STRONG",
    "WEAK",
    "Member",
    "area_members",
    "disagreements",
    "is_strong",
    "is_weak",
    "primary_areas",
    "priorities",
    "recommendations",
    "section_area_means",
    "strongest",
    "weakest",
    "weakest_in",
]

#: A scored answer (0..1) at or above STRONG is a strength; below WEAK a weakness, and its
#: question's recommendation goes into the briefing. "Partly" (0.5) is neither.
STRONG = 0.75
WEAK = 0.5

Member = tuple[QuestionScore, float]  # a question of an area, with its area weight


def is_weak(score: float | None) -> bool:
    """Whether a score (0..1) is a weakness."""
    return score is not None and score < WEAK


def is_strong(score: float | None) -> bool:
    """Whether a score (0..1) is a strength."""
    return score is not None and score >= STRONG


def weakest(members: Iterable[Member]) -> list[QuestionScore]:
    """An area's questions with something to gain, weakest first.

    ``members`` are the area's questions with their area weights, in questionnaire order.
    Kept: relevant, scored, score below 1. Order: lowest score, then the larger area
    weight, then questionnaire order.
    """
    kept = [
        (question, weight)
        for question, weight in members
        if question.counts and question.score is not None and question.score < 1
    ]
    kept.sort(key=lambda member: (member[0].score, -member[1]))
    return [question for question, _ in kept]


def strongest(members: Iterable[Member]) -> list[QuestionScore]:
    """An area's scored relevant questions, highest score first (then larger area weight)."""
    kept = [(question, weight) for question, weight in members if question.counts]
    kept.sort(key=lambda member: (-(member[0].score or 0.0), -member[1]))
    return [question for question, _ in kept]


def priorities(questions: Iterable[QuestionScore], n: int | None = None) -> list[QuestionScore]:
    """The questions with a gap, highest priority (weight × (1 − score)) first.

    A question at full score has no gap and is left out. Ties: the lower score first, then
    questionnaire order.
    """
    ranked = [q for q in questions if q.counts and q.gap is not None and q.gap > 0]
    ranked.sort(key=lambda q: (-(q.gap or 0.0), q.score))
    return ranked if n is None else ranked[:n]


def primary_areas(
    questions: Iterable[QuestionScore], links: Iterable[QuestionArea]
) -> dict[Key, str]:
    """Each question's area: its primary area, else its first area of positive weight."""
    keys = set()
    primary: dict[Key, str] = {}
    for question in questions:
        keys.add(question.key)
        if question.primary_area is not None and is_area(question.primary_area):
            primary[question.key] = question.primary_area
    for link in links:
        if link.key in keys and is_area(link.area) and link.area_weight > 0:
            primary.setdefault(link.key, link.area)
    return primary


def area_members(
    questions: Iterable[QuestionScore], links: Iterable[QuestionArea]
) -> dict[str, list[Member]]:
    """Every area's questions with their area weight (positive only), in link order."""
    by_key = {question.key: question for question in questions}
    members: dict[str, list[Member]] = {area.id: [] for area in AREAS}
    for link in links:
        question = by_key.get(link.key)
        if question is not None and link.area in members and link.area_weight > 0:
            members[link.area].append((question, link.area_weight))
    return members


def disagreements(questions: Iterable[QuestionScore]) -> list[QuestionDisagreement]:
    """The questions on which respondents disagree, widest spread first (then given order).

    Relevance is the caller's to filter: the briefing's area pages list every flagged
    question of the area, its methodology counts the relevant ones.
    """
    flagged = [
        QuestionDisagreement(
            questionnaire=q.questionnaire,
            question=q.question,
            text=q.text,
            spread=q.spread or 0.0,
            n_answers=q.n_answers,
            primary_area=q.primary_area,
        )
        for q in questions
        if q.disagreement
    ]
    return sorted(flagged, key=lambda item: -item.spread)


@dataclass(slots=True)
class _Merged:
    """A recommendation while questions are merged into it."""

    priority: float = 0.0
    score: float = 1.0
    questions: list[Key] = field(default_factory=list)
    references: list[Key] = field(default_factory=list)


def recommendations(
    scores: MissionScores, questionnaires: Mapping[str, Questionnaire]
) -> tuple[Recommendation, ...]:
    """Recommendations of weak answers, highest priority first.

    A relevant question scored below :data:`WEAK` that carries a recommendation gives it,
    under the question's area (:func:`primary_areas`); questions of one area with the same
    text merge into one. Order: priority, then area order, then text.
    """
    primary = primary_areas(scores.question_scores, scores.links)
    merged: dict[tuple[str, str], _Merged] = {}
    for row in scores.question_scores:
        instrument = questionnaires.get(row.questionnaire)
        question = None if instrument is None else instrument.questions.get(row.question)
        if question is None or question.recommendation is None or row.score is None:
            continue
        if not is_weak(row.score) or not row.relevant:
            continue
        area = primary.get(row.key) or next(iter(question.areas), "")
        if not is_area(area):
            continue
        entry = merged.setdefault((area, question.recommendation.text.en.strip()), _Merged())
        entry.priority = max(entry.priority, row.gap or 0.0)
        entry.questions.append(row.key)
        entry.score = min(entry.score, row.score)
        for ref in question.recommendation.references:
            if (row.questionnaire, ref) not in entry.references:
                entry.references.append((row.questionnaire, ref))
    order = {area.id: index for index, area in enumerate(AREAS)}
    ranked = sorted(
        merged.items(), key=lambda item: (-item[1].priority, order[item[0][0]], item[0][1])
    )
    return tuple(
        Recommendation(
            area=area,
            text=text,
            priority=entry.priority,
            questions=tuple(entry.questions),
            score=entry.score,
            references=tuple(entry.references),
        )
        for (area, text), entry in ranked
    )


def section_area_means(scores: MissionScores) -> tuple[SectionAreaMean, ...]:
    """The weighted mean score (0..100) of every section for every area it feeds.

    Over scored relevant questions; weight = question weight × area weight (a link of no
    positive weight is left out). In order of first appearance (questionnaire order).
    """
    by_key = {q.key: q for q in scores.question_scores if q.counts}
    sums: dict[tuple[str, str, str], list[float]] = {}
    # Question order first, then the question's links: the order the sums always had.
    links: dict[Key, list[QuestionArea]] = {}
    for link in scores.links:
        links.setdefault(link.key, []).append(link)
    for key, question in by_key.items():
        for link in links.get(key, []):
            weight = question.weight * link.area_weight
            if not is_area(link.area) or weight <= 0 or question.score is None:
                continue
            cell = (question.questionnaire, question.section, link.area)
            total = sums.setdefault(cell, [0.0, 0.0])
            total[0] += weight * question.score
            total[1] += weight
    return tuple(
        SectionAreaMean(questionnaire, section, area, 100.0 * total[0] / total[1], total[1])
        for (questionnaire, section, area), total in sums.items()
    )


def weakest_in(scores: MissionScores, area: str) -> list[QuestionScore]:
    """:func:`weakest` over one area of ``scores``."""
    return weakest(area_members(scores.question_scores, scores.links)[area])
