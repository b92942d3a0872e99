"""Schema 7: a history entry's uuid is a NOT NULL column instead of a trigger run before
every insert, and SQLite's history ids are rowids without AUTOINCREMENT (an import of
thousands of interviews paid for both); the history stays append-only. A version-6 file and
a version-6 PostgreSQL mission are upgraded with every entry, id, uuid and parent kept, and
the next entry numbered after the last one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from pg_support import PgServer
from store_support import SURVEY_YAML

from assessment_kit.questionnaire import Questionnaire, loads
from assessment_kit.store import SCHEMA_VERSION, Mission

_ROW = (
    "INSERT INTO history (kind, respondent, questionnaire, question, new_value, at, uuid)"
    " VALUES ('answer', 'P1', 'survey', 'law', '\"no\"', 'now', ?)"
)


@pytest.fixture(scope="module")
def survey() -> Questionnaire:
    return loads(SURVEY_YAML, file="survey.yaml")


def _fill(mission: Mission) -> None:
    mission.add_respondent("P1", institution_type="police")
    mission.set_answer("P1", "survey", "law", "no", by="ana")
    mission.set_answer("P1", "survey", "law", "yes", note="Act 3", by="bo")
    mission.consolidate("survey", "law", "yes", rationale="agreed")


def _entries(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    return conn.execute("SELECT * FROM history ORDER BY id").fetchall()


def _schema_6_file(path: Path, survey: Questionnaire, monkeypatch: pytest.MonkeyPatch) -> None:
    """A mission written by the release before schema 7, with a history."""
    from assessment_kit.store import schema

    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:6])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 6)
    with Mission.create(path, country="F", title="T", questionnaires=[survey]) as mission:
        _fill(mission)
    monkeypatch.undo()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 6
    raw.close()


def test_a_schema_6_file_keeps_its_history_and_needs_uuids(
    tmp_path: Path, survey: Questionnaire, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    _schema_6_file(path, survey, monkeypatch)
    with sqlite3.connect(path) as raw:
        before = _entries(raw)
        assert raw.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'history_needs_uuid'"
        ).fetchone()
    raw.close()
    with Mission.open(path) as mission:
        mission.set_answer("P1", "survey", "law", "partly")
        history = mission.history_entries()
    assert len(history) == len(before) + 1
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        after = _entries(raw)
        assert after[: len(before)] == before  # every entry, id, uuid and parent kept
        assert after[-1][0] == len(before) + 1  # the next id, as AUTOINCREMENT gave it
        assert after[-1][11] == before[2][10]  # the new entry follows the last 'law' one
        names = {row[0] for row in raw.execute("SELECT name FROM sqlite_master")}
        assert {"history_by_answer", "history_by_uuid", "history_no_update",
                "history_no_delete"} <= names  # fmt: skip
        assert not {"history_needs_uuid", "history_again"} & names
        uuid_column = [row for row in raw.execute("PRAGMA table_info(history)") if row[1] == "uuid"]
        assert uuid_column[0][3] == 1  # NOT NULL
        table = raw.execute("SELECT sql FROM sqlite_master WHERE name = 'history'").fetchone()
        assert "AUTOINCREMENT" not in table[0]
        with pytest.raises(sqlite3.IntegrityError, match="NOT NULL"):
            raw.execute(_ROW, (None,))
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
            raw.execute(_ROW, (before[0][10],))
        for statement in ("UPDATE history SET uuid = 'x'", "DELETE FROM history"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                raw.execute(statement)
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()


def test_a_new_file_has_the_schema_7_history(tmp_path: Path, survey: Questionnaire) -> None:
    with Mission.create(tmp_path / "m.db", country="F", title="T", questionnaires=[survey]):
        pass
    with sqlite3.connect(tmp_path / "m.db") as raw:
        with pytest.raises(sqlite3.IntegrityError, match="NOT NULL"):
            raw.execute(_ROW, (None,))
        triggers = {
            r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
        assert triggers == {"history_no_update", "history_no_delete"}
    raw.close()


def test_a_schema_6_postgresql_mission_is_upgraded(
    pg_server: PgServer, survey: Questionnaire
) -> None:
    import psycopg

    url = pg_server.new_database()
    with Mission.create(url, country="F", title="T", questionnaires=[survey]) as mission:
        _fill(mission)
        before = mission.history_entries()
    # Back to what the release before schema 7 made: the uuid nullable, checked by a trigger.
    with psycopg.connect(url, autocommit=True) as raw:
        raw.execute("ALTER TABLE history ALTER COLUMN uuid DROP NOT NULL")
        raw.execute(
            "CREATE FUNCTION history_needs_uuid() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN RAISE EXCEPTION 'a history entry needs its uuid'"
            " USING ERRCODE = 'not_null_violation'; END $$"
        )
        raw.execute(
            "CREATE TRIGGER history_needs_uuid BEFORE INSERT ON history FOR EACH ROW"
            " WHEN (NEW.uuid IS NULL) EXECUTE FUNCTION history_needs_uuid()"
        )
        raw.execute("UPDATE mission_schema SET version = 6")
    with Mission.open(url) as mission:
        assert mission.history_entries() == before
        mission.set_answer("P1", "survey", "law", "partly")
    with psycopg.connect(url, autocommit=True) as raw:
        assert raw.execute("SELECT version FROM mission_schema").fetchone()[0] == SCHEMA_VERSION
        assert not raw.execute(
            "SELECT 1 FROM pg_trigger WHERE tgname = 'history_needs_uuid'"
        ).fetchone()
        assert not raw.execute(
            "SELECT 1 FROM pg_proc WHERE proname = 'history_needs_uuid'"
        ).fetchone()
        with pytest.raises(psycopg.errors.NotNullViolation):
            raw.execute(_ROW.replace("?", "%s"), (None,))
        with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="append-only"):
            raw.execute("DELETE FROM history")
