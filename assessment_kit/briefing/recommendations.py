"""The briefing's recommendations: scoring's recommendations, numbered and with their tools.

Which answers give a recommendation, how questions merge and in which order they come
(priority = weight × (1 − score)) is decided once, in
:func:`assessment_kit.scoring.recommendations`; this module only puts them in words:
``R1``, ``R2``... and the standard tools they cite, ``T1``, ``T2``... by first use.
"""

from __future__ import annotations

from collections.abc import Sequence

from assessment_kit.areas import AREAS, get_area
from assessment_kit.briefing.facts import MissionFacts
from assessment_kit.briefing.parts import RecommendationGroup, RecommendationItem, Reference
from assessment_kit.i18n import _
from assessment_kit.scoring import MissionScores, Recommendation, recommendations

__all__ = ["briefing_recommendations", "groups", "tools"]


def briefing_recommendations(
    scores: MissionScores, facts: MissionFacts
) -> tuple[RecommendationItem, ...]:
    """The recommendations of the scores, highest priority first, numbered from R1."""
    ranked = recommendations(scores, facts.questionnaires)
    references = [_references(item, facts) for item in ranked]
    labels: dict[str, str] = {}
    for refs in references:
        for reference in refs:
            labels.setdefault(reference.id, f"T{len(labels) + 1}")
    return tuple(
        RecommendationItem(
            rank=rank,
            area=item.area,
            area_name=_(get_area(item.area).name),
            text=item.text,
            priority=round(item.priority, 4),
            questions=item.questions,
            question_texts=tuple(facts.text(key) for key in item.questions),
            score=100 * item.score,
            references=tuple(Reference(r.id, r.title, r.url, labels[r.id]) for r in refs),
        )
        for rank, (item, refs) in enumerate(zip(ranked, references, strict=True), start=1)
    )


def _references(item: Recommendation, facts: MissionFacts) -> list[Reference]:
    """The standard tools a recommendation cites, by title, each once, in order."""
    found: list[Reference] = []
    for questionnaire, ref in item.references:
        tool = facts.questionnaires[questionnaire].references.get(ref)
        reference = Reference(ref, tool.title.en if tool else ref, tool.url if tool else "")
        if reference not in found:
            found.append(reference)
    return found


def groups(items: Sequence[RecommendationItem]) -> tuple[RecommendationGroup, ...]:
    """The recommendations by area, in area order (areas without any left out)."""
    return tuple(
        RecommendationGroup(area.id, _(area.name), tuple(i for i in items if i.area == area.id))
        for area in AREAS
        if any(item.area == area.id for item in items)
    )


def tools(items: Sequence[RecommendationItem]) -> tuple[Reference, ...]:
    """Every standard tool the recommendations point to, numbered T1, T2... by first use."""
    seen: dict[str, Reference] = {}
    for item in items:
        for reference in item.references:
            seen.setdefault(reference.id, reference)
    return tuple(sorted(seen.values(), key=lambda ref: int(ref.label[1:] or 0)))
