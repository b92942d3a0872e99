"""A mission's identity (its uuid): new missions differ, copies share it, old files get one."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest
from store_support import SURVEY_YAML

from assessment_kit.questionnaire import Questionnaire, loads
from assessment_kit.store import SCHEMA_VERSION, Mission


@pytest.fixture(scope="module")
def survey() -> Questionnaire:
    return loads(SURVEY_YAML, file="survey.yaml")


def make_mission(path: Path, survey: Questionnaire) -> Mission:
    return Mission.create(path, country="Freedonia", title="Test", questionnaires=[survey])


def test_each_new_mission_has_its_own_uuid(tmp_path: Path, survey: Questionnaire) -> None:
    first = make_mission(tmp_path / "a.db", survey)
    second = make_mission(tmp_path / "b.db", survey)
    with first, second:
        assert uuid.UUID(first.info.uuid).version == 4
        assert first.info.uuid != second.info.uuid


def test_a_copied_file_keeps_the_uuid(tmp_path: Path, survey: Questionnaire) -> None:
    with make_mission(tmp_path / "a.db", survey) as mission:
        identity = mission.info.uuid
    shutil.copyfile(tmp_path / "a.db", tmp_path / "copy.db")
    with Mission.open(tmp_path / "copy.db") as copy:
        assert copy.info.uuid == identity


def test_a_schema_2_file_gets_one_uuid_on_upgrade_and_keeps_it(
    tmp_path: Path, survey: Questionnaire, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assessment_kit.store import schema

    path = tmp_path / "old.db"
    # A file written by the release before mission identities: schema version 2.
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:2])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 2)
    conn = schema.connect(path, create=True)
    schema.migrate(conn, str(path))
    conn.execute(
        "INSERT INTO mission (id, country, title, created_at) VALUES (1, 'F', 'T', '2026-01-01')"
    )
    conn.close()
    monkeypatch.undo()
    with Mission.open(path) as mission:
        identity = mission.info.uuid
        assert uuid.UUID(identity).version == 4
    with Mission.open(path) as again:
        assert again.info.uuid == identity
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert raw.execute("SELECT baseline FROM mission").fetchone()[0] is None
