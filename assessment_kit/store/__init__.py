"""The mission store: one SQLite file, or one PostgreSQL database, per mission.

>>> from assessment_kit.store import Mission  # doctest: +SKIP
>>> with Mission.open("freedonia-2026.db") as mission:  # doctest: +SKIP
...     mission.set_answer("R01", "criminal_justice", "cj_law", "partly", by="ana")

``Mission.open("postgresql://ana@db.example.org/freedonia_2026")`` opens a mission on a
server the same way. Storage only. See :mod:`assessment_kit.store.mission` for the API,
:mod:`~assessment_kit.store.batch` for many writes in one transaction
(``with mission.batch() as batch:``), :mod:`~assessment_kit.store.merge` for merging
copies of a mission, :mod:`~assessment_kit.store.connection` for the seam between the store
and its two backends, and :mod:`~assessment_kit.store.copying` for ``copy``; what each
question type accepts is decided by :mod:`assessment_kit.questionnaire.answers`. Files in
and out (CSV, XLSX) live in :mod:`assessment_kit.files`.
"""

from __future__ import annotations

from assessment_kit.store.batch import Batch
from assessment_kit.store.history import Conflict, HistoryEntry
from assessment_kit.store.merge import MergeCounts, MergeResult, merge, merge_missions
from assessment_kit.store.mission import (
    Mission,
    create_mission,
    open_mission,
    resolve_sections,
)
from assessment_kit.store.records import (
    CONSOLIDATED,
    Answer,
    CheckedAnswer,
    CheckedAnswers,
    ConsolidatedAnswer,
    MissionInfo,
    Respondent,
)
from assessment_kit.store.schema import SCHEMA_VERSION
from assessment_kit.store.values import validate_value

__all__ = [
    "CONSOLIDATED",
    "SCHEMA_VERSION",
    "Answer",
    "Batch",
    "CheckedAnswer",
    "CheckedAnswers",
    "Conflict",
    "ConsolidatedAnswer",
    "HistoryEntry",
    "MergeCounts",
    "MergeResult",
    "Mission",
    "MissionInfo",
    "Respondent",
    "create_mission",
    "merge",
    "merge_missions",
    "open_mission",
    "resolve_sections",
    "validate_value",
]
