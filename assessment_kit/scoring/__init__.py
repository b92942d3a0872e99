"""Scoring: answers -> area scores with coverage, an uncertainty range and explanations.

The method is documented in the README ("The scoring method") and in
:mod:`assessment_kit.scoring.engine`. Results are typed records
(:mod:`~assessment_kit.scoring.records`) held by :class:`MissionScores`, whose frames are
views of them; what is weak, weakest, a priority or a section x area mean is defined once,
in :mod:`~assessment_kit.scoring.rank`.
"""

from __future__ import annotations

from assessment_kit.scoring.engine import STATES, score_answers, score_mission
from assessment_kit.scoring.profile import (
    Band,
    Cap,
    Disagreement,
    ProfileError,
    ScoringProfile,
    default_profile,
    load_profile,
    loads_profile,
)
from assessment_kit.scoring.rank import (
    STRONG,
    WEAK,
    disagreements,
    is_strong,
    is_weak,
    priorities,
    recommendations,
    section_area_means,
    strongest,
    weakest,
    weakest_in,
)
from assessment_kit.scoring.records import (
    AreaScore,
    QuestionArea,
    QuestionDisagreement,
    QuestionScore,
    Recommendation,
    RespondentScore,
    SectionAreaMean,
)
from assessment_kit.scoring.result import (
    LeftOutSection,
    MissionScores,
    Overall,
    OverallScore,
    number_or_none,
)

__all__ = [
    "STATES",
    "STRONG",
    "WEAK",
    "AreaScore",
    "Band",
    "Cap",
    "Disagreement",
    "LeftOutSection",
    "MissionScores",
    "Overall",
    "OverallScore",
    "ProfileError",
    "QuestionArea",
    "QuestionDisagreement",
    "QuestionScore",
    "Recommendation",
    "RespondentScore",
    "ScoringProfile",
    "SectionAreaMean",
    "default_profile",
    "disagreements",
    "is_strong",
    "is_weak",
    "load_profile",
    "loads_profile",
    "number_or_none",
    "priorities",
    "recommendations",
    "score_answers",
    "score_mission",
    "section_area_means",
    "strongest",
    "weakest",
    "weakest_in",
]
