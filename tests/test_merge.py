"""Copies of one mission merged without loss: history identities (schema 4), merge,
conflicts, refusals and a kill in the middle.

Missions are made through the ``new_mission`` and ``copy_mission`` fixtures only, so that a
``backend`` fixture can later run every test against SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from store_support import SURVEY_YAML

from assessment_kit.questionnaire import Questionnaire, loads
from assessment_kit.store import SCHEMA_VERSION, Mission

NewMission = Callable[[str], Mission]
CopyMission = Callable[[Mission, str], Mission]


@pytest.fixture(scope="module")
def survey() -> Questionnaire:
    return loads(SURVEY_YAML, file="survey.yaml")


@pytest.fixture
def opened() -> Iterator[list[Mission]]:
    missions: list[Mission] = []
    yield missions
    for mission in missions:
        mission.close()


@pytest.fixture
def new_mission(tmp_path: Path, survey: Questionnaire, opened: list[Mission]) -> NewMission:
    """A new, empty mission named ``name`` on the backend under test."""

    def make(name: str) -> Mission:
        mission = Mission.create(
            tmp_path / f"{name}.db", country="Freedonia", title="Test", questionnaires=[survey]
        )
        opened.append(mission)
        return mission

    return make


@pytest.fixture
def copy_mission(tmp_path: Path, opened: list[Mission]) -> CopyMission:
    """A copy of ``mission`` named ``name``, as an assessor takes one offline."""

    def copy(mission: Mission, name: str) -> Mission:
        target = tmp_path / f"{name}.db"
        with sqlite3.connect(mission.path) as source, sqlite3.connect(target) as dest:
            source.backup(dest)
        dest.close()
        copied = Mission.open(target)
        opened.append(copied)
        return copied

    return copy


def history_rows(mission: Mission) -> list[tuple[object, ...]]:
    rows = mission._query("SELECT uuid, parent, resolved, kind, question FROM history ORDER BY id")
    return [tuple(row) for row in rows]


# -- schema 4: every history entry has an identity and a parent ---------------------------


def test_new_entries_get_a_uuid_and_their_parent(new_mission: NewMission) -> None:
    mission = new_mission("a")
    mission.add_respondent("P1", institution_type="police")
    mission.set_answer("P1", "survey", "law", "no")
    mission.set_answer("P1", "survey", "law", "yes")
    mission.set_answer("P1", "survey", "plan", "yes")
    rows = history_rows(mission)
    assert [row[3:] for row in rows] == [
        ("respondent", None),
        ("answer", "law"),
        ("answer", "law"),
        ("answer", "plan"),
    ]
    identities = [str(row[0]) for row in rows]
    assert all(uuid.UUID(identity).version == 4 for identity in identities)
    assert len(set(identities)) == 4
    # Each change follows the one that was current for the same item.
    assert [row[1] for row in rows] == [None, None, identities[1], None]
    assert [row[2] for row in rows] == [None, None, None, None]


_OLD_ENTRY = (
    "INSERT INTO history (kind, respondent, questionnaire, question, old_value, new_value,"
    " \"by\", at) VALUES (?, ?, ?, ?, NULL, ?, '', ?)"
)


def _schema_3_file(path: Path, survey: Questionnaire, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file written by the release before history identities (schema 3)."""
    from assessment_kit.store import schema

    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:3])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 3)
    Mission.create(path, country="F", title="T", questionnaires=[survey]).close()
    monkeypatch.undo()
    with sqlite3.connect(path) as raw:
        for kind, code, question, value in (
            ("respondent", "P1", None, {"institution_type": "police"}),
            ("answer", "P1", "law", "no"),
            ("answer", "P1", "law", "yes"),
        ):
            questionnaire = None if question is None else "survey"
            raw.execute(
                _OLD_ENTRY,
                (kind, code, questionnaire, question, json.dumps(value), "2025-01-01"),
            )
    raw.close()


def test_schema_3_copies_upgraded_apart_share_the_ids_of_their_shared_entries(
    tmp_path: Path, survey: Questionnaire, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tmp_path / "old.db"
    _schema_3_file(old, survey, monkeypatch)
    copies = [tmp_path / "a.db", tmp_path / "b.db"]
    for copy in copies:
        with sqlite3.connect(old) as source, sqlite3.connect(copy) as dest:
            source.backup(dest)
        dest.close()
    # Each copy changes one more answer, still at schema 3, then both are upgraded.
    for copy, value in zip(copies, ("no", "partly"), strict=True):
        with sqlite3.connect(copy) as raw:
            raw.execute(
                _OLD_ENTRY, ("answer", "P1", "survey", "plan", json.dumps(value), "2026-01-01")
            )
        raw.close()
    with Mission.open(copies[0]) as first, Mission.open(copies[1]) as second:
        a, b = history_rows(first), history_rows(second)
    assert a[:3] == b[:3]  # the shared entries: same ids, same parents
    assert a[3][0] != b[3][0]  # written apart: different ids
    assert a[2][1] == a[1][0]  # the second change of 'law' follows the first
    with sqlite3.connect(copies[0]) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        with pytest.raises(sqlite3.IntegrityError):
            raw.execute("UPDATE history SET uuid = 'x'")
    raw.close()
