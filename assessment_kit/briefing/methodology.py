"""The methodology annex (how the scores were made, from whom: counts only) and the data annex."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from assessment_kit.areas import get_area
from assessment_kit.briefing.facts import MissionFacts, shown
from assessment_kit.briefing.parts import AnnexRow, Methodology
from assessment_kit.i18n import N_, _
from assessment_kit.questionnaire.model import NON_SCORED_LABELS, Questionnaire
from assessment_kit.scoring import MissionScores

if TYPE_CHECKING:
    from assessment_kit.scoring import ScoringProfile
    from assessment_kit.store import Respondent

__all__ = ["annex", "methodology"]

Instrument = tuple[str, str, str]  # (id, title, version)

#: The sectors of the shipped instruments' respondent types, in words the briefing
#: translates (a sector an instrument adds shows as it is written).
SECTORS = (
    N_("civil society"),
    N_("government"),
    N_("health"),
    N_("independent"),
    N_("international"),
    N_("justice"),
    N_("law enforcement"),
    N_("parliament"),
    N_("private sector"),
)


def methodology(
    scores: MissionScores,
    facts: MissionFacts,
    respondents: Sequence[Respondent],
    instruments: tuple[Instrument, ...],
    consolidated: Mapping[tuple[str, str], str],
    profile: ScoringProfile | None,
) -> Methodology:
    """How the scores were made and from whom (respondents as counts only)."""
    by_institution, by_sector = _respondent_counts(facts.questionnaires, respondents)
    relevant = [q for q in scores.question_scores if q.relevant]
    return Methodology(
        profile=scores.profile,
        bands=_bands(profile),
        instruments=instruments,
        respondents=len(respondents),
        by_institution=by_institution,
        by_sector=by_sector,
        questions_relevant=len(relevant),
        questions_scored=sum(1 for q in relevant if q.score is not None),
        questions_consolidated=sum(1 for key in facts.questions if key in consolidated),
        disagreements=sum(1 for q in relevant if q.disagreement),
        coverage=scores.overall.coverage,
        # The instrument by its id in words ("organ removal"): its title is too long to
        # repeat on pages that must fit.
        left_out=tuple((s.questionnaire.replace("_", " "), s.title) for s in scores.left_out),
        disagreement_steps=(profile.disagreement.min_steps if profile is not None else 2),
    )


def _bands(profile: ScoringProfile | None) -> tuple[tuple[str, float, float], ...]:
    """(label, from, to) of each band of the profile."""
    if profile is None:
        return ()
    lowers = [band.lower for band in profile.bands]
    return tuple(
        (band.label, band.lower, lowers[index + 1] if index + 1 < len(lowers) else 100.0)
        for index, band in enumerate(profile.bands)
    )


def _respondent_counts(
    questionnaires: Mapping[str, Questionnaire], respondents: Sequence[Respondent]
) -> tuple[tuple[tuple[str, str, int], ...], tuple[tuple[str, int], ...]]:
    """Respondents counted by (institution type label, sector), and by sector."""
    labels: dict[str, str] = {}
    sectors: dict[str, str] = {}
    for instrument in questionnaires.values():
        for type_id, respondent_type in instrument.respondent_types.items():
            labels.setdefault(type_id, shown(respondent_type.label))
            sectors.setdefault(type_id, respondent_type.sector)
    institution_counts: Counter[tuple[str, str]] = Counter()
    sector_counts: Counter[str] = Counter()
    for respondent in respondents:
        kind = respondent.institution_type
        sector = respondent.sector or sectors.get(kind, "") or N_("unspecified")
        institution_counts[(labels.get(kind, kind.replace("_", " ").capitalize()), sector)] += 1
        sector_counts[sector] += 1
    by_institution = tuple(
        (label, sector, count)
        for (label, sector), count in sorted(
            institution_counts.items(), key=lambda item: (item[0][1], item[0][0])
        )
    )
    return by_institution, tuple(sorted(sector_counts.items()))


def annex(facts: MissionFacts) -> tuple[AnnexRow, ...]:
    """The data annex: one row per relevant scored question, in questionnaire order."""
    return tuple(
        AnnexRow(
            questionnaire=key[0],
            question=key[1],
            section=facts.section_title(key),
            text=facts.text(key),
            area=_(get_area(facts.primary[key]).short_name) if key in facts.primary else "",
            answer=facts.answer(key),
            state=_(NON_SCORED_LABELS.get(row.state.strip(), N_("Scored"))),
            score=None if row.score is None else 100 * row.score,
            n_answers=row.n_answers,
            disagreement=row.disagreement,
            weight=row.weight or 1.0,
        )
        for key, row in facts.questions.items()
        if row.relevant
    )
