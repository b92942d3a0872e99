"""Scoring: answers -> area scores with coverage, an uncertainty range and explanations.

The method is documented in the README ("The scoring method") and in
:mod:`assessment_kit.scoring.engine`.
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
from assessment_kit.scoring.result import (
    LeftOutSection,
    MissionScores,
    OverallScore,
    number_or_none,
)

__all__ = [
    "STATES",
    "Band",
    "Cap",
    "Disagreement",
    "LeftOutSection",
    "MissionScores",
    "OverallScore",
    "ProfileError",
    "ScoringProfile",
    "default_profile",
    "load_profile",
    "loads_profile",
    "number_or_none",
    "score_answers",
    "score_mission",
]
