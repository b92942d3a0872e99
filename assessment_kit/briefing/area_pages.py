"""One page per area: its score, strengths, weaknesses, disagreements, evidence and notes.

Strengths and weaknesses follow scoring's one definition (:func:`~assessment_kit.scoring.
strongest`, :func:`~assessment_kit.scoring.weakest`, thresholds ``STRONG`` and ``WEAK``).
A page shows a few of each so that an area fits on one page; the data annex has every
question.
"""

from __future__ import annotations

from collections.abc import Sequence

from assessment_kit.areas import AREAS, Area
from assessment_kit.briefing.facts import Key, MissionFacts, summary, text_of
from assessment_kit.briefing.parts import (
    AreaSection,
    Disagreement,
    Finding,
    Observation,
    RecommendationItem,
)
from assessment_kit.briefing.privacy import RespondentText
from assessment_kit.i18n import _
from assessment_kit.scoring import AreaScore, MissionScores, QuestionScore
from assessment_kit.scoring.rank import disagreements, is_strong, is_weak, strongest, weakest

__all__ = ["MAX_FINDINGS", "MAX_OBSERVATIONS", "area_pages"]

#: How many findings, disagreements, notes and evidence items an area page shows, so that
#: an area fits on one page; the data annex has every question.
MAX_FINDINGS = 3
MAX_OBSERVATIONS = 3


def area_pages(
    scores: MissionScores,
    facts: MissionFacts,
    said: RespondentText,
    recommendations: Sequence[RecommendationItem],
) -> tuple[AreaSection, ...]:
    """The pages of the seven areas, in area order."""
    records = {record.area: record for record in scores.area_scores}
    return tuple(_page(spec, records.get(spec.id), facts, said, recommendations) for spec in AREAS)


def _page(
    spec: Area,
    record: AreaScore | None,
    facts: MissionFacts,
    said: RespondentText,
    recommendations: Sequence[RecommendationItem],
) -> AreaSection:
    members = facts.members[spec.id]
    own = [q.key for q, _ in members if facts.primary.get(q.key) == spec.id]
    disagreements = _disagreements(own, facts, said)
    evidence = _evidence(own, facts, said)
    notes = [
        Observation(key[0], key[1], facts.text(key), text)
        for key in own
        for text in said.notes.get(key, [])
    ]
    strengths = [q for q in strongest(members) if is_strong(q.score)]
    weaknesses = [q for q in weakest(members) if is_weak(q.score)]
    return AreaSection(
        id=spec.id,
        name=_(spec.name),
        short_name=_(spec.short_name),
        description=_(spec.description),
        colour=spec.colour,
        score=summary(record),
        questions_scored=0 if record is None else record.questions_scored,
        questions_relevant=0 if record is None else record.questions_relevant,
        strengths=tuple(_finding(q, facts) for q in strengths[:MAX_FINDINGS]),
        weaknesses=tuple(_finding(q, facts) for q in weaknesses[:MAX_FINDINGS]),
        disagreements=tuple(disagreements[:MAX_FINDINGS]),
        more_disagreements=max(0, len(disagreements) - MAX_FINDINGS),
        evidence=tuple(evidence[:MAX_OBSERVATIONS]),
        notes=tuple(notes[:MAX_OBSERVATIONS]),
        recommendations=tuple(item for item in recommendations if item.area == spec.id),
        more_evidence=max(0, len(evidence) - MAX_OBSERVATIONS),
        more_notes=max(0, len(notes) - MAX_OBSERVATIONS),
    )


def _finding(question: QuestionScore, facts: MissionFacts) -> Finding:
    return Finding(
        questionnaire=question.questionnaire,
        question=question.question,
        text=facts.text(question.key),
        answer=facts.answer(question.key),
        score=None if question.score is None else 100 * question.score,
        source=text_of(question.source),
    )


def _disagreements(
    own: Sequence[Key], facts: MissionFacts, said: RespondentText
) -> list[Disagreement]:
    """The area's questions on which respondents disagree, widest spread first."""
    flagged = disagreements(facts.questions[key] for key in own)
    return [
        Disagreement(
            questionnaire=item.questionnaire,
            question=item.question,
            text=facts.text(item.key),
            spread=item.spread,
            answers=said.counts(item.key),
            consolidated=said.consolidated.get(item.key, ""),
        )
        for item in flagged
    ]


def _evidence(own: Sequence[Key], facts: MissionFacts, said: RespondentText) -> list[Observation]:
    """Each piece of evidence once, under the first question that cites it."""
    cited: dict[str, list[Key]] = {}
    for key in own:
        for text in said.evidence.get(key, []):
            cited.setdefault(text, []).append(key)
    return [
        Observation(keys[0][0], keys[0][1], facts.text(keys[0]) + _more(len(keys) - 1), text)
        for text, keys in cited.items()
    ]


def _more(others: int) -> str:
    """`` (and 2 more questions)`` when evidence is cited by other questions too."""
    if others <= 0:
        return ""
    return f" (and {others} more question{'s' if others > 1 else ''})"
