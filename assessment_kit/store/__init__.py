"""The mission store: one SQLite file per mission.

>>> from assessment_kit.store import Mission  # doctest: +SKIP
>>> with Mission.open("freedonia-2026.db") as mission:  # doctest: +SKIP
...     mission.set_answer("R01", "criminal_justice", "cj_law", "partly", by="ana")

See :mod:`assessment_kit.store.mission` for the API, :mod:`~assessment_kit.store.values`
for what each question type accepts and :mod:`~assessment_kit.store.transfer` for CSV and
XLSX import and export.
"""

from __future__ import annotations

from assessment_kit.store.mission import (
    CONSOLIDATED,
    Answer,
    ConsolidatedAnswer,
    Mission,
    MissionInfo,
    Respondent,
    create_mission,
    open_mission,
    resolve_sections,
)
from assessment_kit.store.schema import SCHEMA_VERSION
from assessment_kit.store.values import validate_value

__all__ = [
    "CONSOLIDATED",
    "SCHEMA_VERSION",
    "Answer",
    "ConsolidatedAnswer",
    "Mission",
    "MissionInfo",
    "Respondent",
    "create_mission",
    "open_mission",
    "resolve_sections",
    "validate_value",
]
