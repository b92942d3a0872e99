"""The mission store: real SQLite files in tmp_path and real PostgreSQL databases (the
``backend`` fixture runs each test on both), inline questionnaires. Tests of what only a
file has (PRAGMAs, file states, migrating old files) run on SQLite alone."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from conftest import Backend
from store_support import OTHER_YAML, SURVEY_YAML

from assessment_kit.errors import AnswerError, Code, StoreError
from assessment_kit.questionnaire import Questionnaire, loads
from assessment_kit.store import (
    SCHEMA_VERSION,
    Mission,
    MissionInfo,
    Respondent,
    create_mission,
    open_mission,
)


@pytest.fixture(scope="module")
def survey() -> Questionnaire:
    return loads(SURVEY_YAML, file="survey.yaml")


@pytest.fixture(scope="module")
def other() -> Questionnaire:
    return loads(OTHER_YAML, file="other.yaml")


def make(target: str | Path, survey: Questionnaire, other: Questionnaire) -> None:
    with Mission.create(
        target,
        country="Freedonia",
        title="Freedonia 2026",
        questionnaires=[survey, other],
        start_date=date(2026, 3, 1),
        end_date=date(2026, 3, 12),
    ):
        pass


@pytest.fixture
def mission_path(tmp_path: Path, survey: Questionnaire, other: Questionnaire) -> Path:
    """A mission file (for the tests of what only SQLite has)."""
    path = tmp_path / "mission.db"
    make(path, survey, other)
    return path


@pytest.fixture
def target(backend: Backend, survey: Questionnaire, other: Questionnaire) -> str:
    """A new mission on the backend under test: a file path or a URL."""
    where = backend.target()
    make(where, survey, other)
    return where


@pytest.fixture
def mission(target: str) -> Iterator[Mission]:
    with Mission.open(target) as opened:
        opened.add_respondent("R1", institution_type="police", by="ana")
        yield opened


@pytest.fixture
def file_mission(mission_path: Path) -> Iterator[Mission]:
    with Mission.open(mission_path) as opened:
        yield opened


def history_count(mission: Mission) -> int:
    count: int = mission._db.execute("SELECT count(*) FROM history").fetchone()[0]
    return count


# ------------------------------------------------------------------ create and open


def test_create_and_reopen_keeps_everything(target: str) -> None:
    with open_mission(target) as mission:
        assert mission.info == MissionInfo(
            country="Freedonia",
            title="Freedonia 2026",
            start_date=date(2026, 3, 1),
            end_date=date(2026, 3, 12),
            created_at=mission.info.created_at,
            instruments=(("survey", "1.0.0"), ("other", "2.1.0")),
            uuid=mission.info.uuid,
        )
        assert mission.info.uuid
        assert list(mission.questionnaires) == ["survey", "other"]
        assert mission.questionnaires["survey"].question("law").type == "scale"
        mission.add_respondent("R9", institution_type="ngo", interview_date=date(2026, 3, 2))
        mission.set_answer("R9", "survey", "roles", "transit origin", note="n", by="ana")
    with Mission.open(target) as again:
        answer = again.answers_for("R9", "survey")["roles"]
        assert answer.value == ("origin", "transit")
        assert answer.note == "n"
        assert again.respondent("R9") == Respondent(
            "R9", "ngo", "civil_society", date(2026, 3, 2), "", False
        )


def test_questionnaires_reload_from_the_stored_yaml(mission: Mission) -> None:
    # A fresh process has no cache: the store must rebuild questionnaires from the file.
    text = mission._db.execute("SELECT source_text FROM instruments WHERE id = 'survey'")
    assert text.fetchone()[0] == SURVEY_YAML


def test_pragmas(file_mission: Mission) -> None:
    conn = file_mission._db
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_create_refuses_an_existing_mission(target: str, survey: Questionnaire) -> None:
    with pytest.raises(StoreError) as caught:
        create_mission(target, country="X", title="X", questionnaires=[survey])
    assert caught.value.code is Code.MISSION_EXISTS
    with Mission.open(target) as mission:
        assert mission.info.country == "Freedonia"


@pytest.mark.parametrize(
    ("country", "count"),
    [("", 1), ("Freedonia", 0)],
)
def test_create_refuses_bad_arguments(
    tmp_path: Path, survey: Questionnaire, country: str, count: int
) -> None:
    path = tmp_path / "m.db"
    with pytest.raises(StoreError):
        Mission.create(path, country=country, title="T", questionnaires=[survey] * count)
    assert not path.exists()


def test_open_missing_file(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as caught:
        Mission.open(tmp_path / "nope.db")
    assert caught.value.code is Code.FILE_NOT_FOUND
    assert not (tmp_path / "nope.db").exists()


def test_open_refuses_a_text_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are not the droids\n" * 100)
    with pytest.raises(StoreError) as caught:
        Mission.open(path)
    assert caught.value.code is Code.NOT_A_MISSION
    assert "not an SQLite database" in str(caught.value)


def test_open_refuses_another_sqlite_file_and_leaves_it_alone(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(StoreError) as caught:
        Mission.open(path)
    assert caught.value.code is Code.NOT_A_MISSION
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_open_refuses_a_newer_schema(mission_path: Path) -> None:
    with sqlite3.connect(mission_path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError) as caught:
        Mission.open(mission_path)
    assert caught.value.code is Code.SCHEMA_TOO_NEW
    assert "upgrade assessment-kit" in str(caught.value)


def test_open_refuses_a_newer_schema_on_postgresql(
    pg_server: object, survey: Questionnaire, other: Questionnaire
) -> None:
    from pg_support import PgServer

    assert isinstance(pg_server, PgServer)
    url = pg_server.new_database()
    make(url, survey, other)
    with Mission.open(url) as mission:
        mission._db.execute("UPDATE mission_schema SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(StoreError) as caught:
        Mission.open(url)
    assert caught.value.code is Code.SCHEMA_TOO_NEW


def test_closed_mission_refuses_work(mission: Mission) -> None:
    mission.close()
    mission.close()
    with pytest.raises(StoreError, match="closed"):
        mission.respondents()


# ------------------------------------------------------------------ respondents


def test_respondents_and_their_history(mission: Mission) -> None:
    mission.add_respondent(
        "R2",
        institution_type="ngo",
        sector="shelters",
        interview_date=date(2026, 3, 4),
        interviewer="bo",
        consent=True,
        by="bo",
    )
    assert [r.code for r in mission.respondents()] == ["R1", "R2"]
    assert mission.respondent("R1").sector == "law_enforcement"  # from the questionnaire
    updated = mission.update_respondent("R2", interview_date=None, consent=False, by="cy")
    assert updated == Respondent("R2", "ngo", "shelters", None, "bo", False)
    assert mission.update_respondent("R2") == updated  # nothing changed: no history
    history = mission.history_frame()
    rows = history[history.respondent == "R2"]
    assert list(rows.kind) == ["respondent", "respondent"]
    assert rows.iloc[0].old_value is None
    assert rows.iloc[1].old_value["consent"] is True
    assert rows.iloc[1].new_value["interview_date"] is None
    assert list(rows["by"]) == ["bo", "cy"]


@pytest.mark.parametrize(
    ("code", "institution_type", "expected"),
    [
        ("R1", "police", Code.DUPLICATE_RESPONDENT),
        ("R3", "army", Code.UNKNOWN_RESPONDENT_TYPE),
        ("", "police", Code.BAD_VALUE),
        ("consolidated", "police", Code.BAD_VALUE),
        ("\x00", "police", Code.BAD_VALUE),  # SQLite's length() stops at a NUL
        ("R\u200b4", "police", Code.BAD_VALUE),  # a zero-width space hides in a code
        ("R\x0b5", "police", Code.BAD_VALUE),
    ],
)
def test_bad_respondents_are_refused(
    mission: Mission, code: str, institution_type: str, expected: Code
) -> None:
    before = history_count(mission)
    with pytest.raises(AnswerError) as caught:
        mission.add_respondent(code, institution_type=institution_type)
    assert caught.value.codes == [expected]
    assert history_count(mission) == before
    assert [r.code for r in mission.respondents()] == ["R1"]


# ------------------------------------------------------------------ answers


def test_set_answer_round_trip_and_history(mission: Mission) -> None:
    first = mission.set_answer("R1", "survey", "law", "partly", evidence="Act 12", by="ana")
    assert first.value == "partly"
    assert first.updated_by == "ana"
    assert first.updated_at.endswith("+00:00")
    mission.set_answer("R1", "survey", "law", "yes", confidential=True, by="bo")
    same = mission.set_answer("R1", "survey", "law", "yes", confidential=True, by="cy")
    assert same.updated_by == "bo"  # unchanged: not written again
    assert mission.clear_answer("R1", "survey", "law", by="cy") is True
    assert mission.clear_answer("R1", "survey", "law", by="cy") is False
    assert mission.answers_for("R1", "survey") == {}
    history = mission.history_frame()
    rows = history[history.kind == "answer"]
    assert list(zip(rows.old_value, rows.new_value, rows["by"], strict=True)) == [
        (None, "partly", "ana"),
        ("partly", "yes", "bo"),
        ("yes", None, "cy"),
    ]
    assert list(rows["at"]) == sorted(rows["at"])


def test_answers_frame(mission: Mission) -> None:
    mission.add_respondent("R2", institution_type="ngo")
    mission.set_answer("R2", "survey", "year", "2024")
    mission.set_answer("R1", "survey", "roles", ["destination", "origin", "origin"])
    mission.set_answer("R1", "other", "ok", "no")
    mission.set_answer("R1", "survey", "law", "yes", confidential=True)
    frame = mission.answers_frame()
    assert list(frame.columns) == [
        "respondent", "institution_type", "sector", "questionnaire", "question", "value",
        "note", "evidence", "confidential", "updated_by", "updated_at",
    ]  # fmt: skip
    assert list(zip(frame.respondent, frame.question, frame.value, strict=True)) == [
        ("R1", "law", "yes"),
        ("R1", "roles", ("origin", "destination")),
        ("R1", "ok", "no"),
        ("R2", "year", 2024),
    ]
    assert frame.confidential.dtype == bool
    assert list(mission.answers_frame("other").question) == ["ok"]
    assert mission.answers_frame("nothing").empty


def test_consolidation(mission: Mission) -> None:
    mission.consolidate("survey", "law", "partly", rationale="two of three", by="lead")
    mission.consolidate("survey", "victims", 10)
    with pytest.raises(AnswerError) as caught:
        mission.consolidate("survey", "convicted", 11)  # against the consolidated victims
    assert caught.value.codes == [Code.CONSTRAINT]
    mission.consolidate("survey", "convicted", 10)
    frame = mission.consolidated_frame("survey")
    assert list(frame.columns) == [
        "questionnaire", "question", "value", "rationale", "updated_by", "updated_at",
    ]  # fmt: skip
    assert list(zip(frame.question, frame.value, strict=True)) == [
        ("law", "partly"),
        ("victims", 10),
        ("convicted", 10),
    ]
    assert mission.consolidated("survey")["law"].rationale == "two of three"
    assert mission.clear_consolidated("survey", "law", by="lead") is True
    history = mission.history_frame()
    rows = history[(history.kind == "consolidated") & (history.question == "law")]
    assert list(zip(rows.old_value, rows.new_value, strict=True)) == [
        (None, "partly"),
        ("partly", None),
    ]
    assert rows.respondent.isna().all()


@pytest.mark.parametrize(
    ("respondent", "questionnaire", "question", "value", "expected"),
    [
        ("R1", "nope", "law", "yes", Code.UNKNOWN_QUESTIONNAIRE),
        ("R1", "survey", "nope", "yes", Code.UNKNOWN_QUESTION),
        ("R7", "survey", "law", "yes", Code.UNKNOWN_RESPONDENT),
        ("R1", "survey", "law", "maybe", Code.BAD_VALUE),
        ("R1", "survey", "intro", "yes", Code.NOT_ANSWERABLE),
        ("R1", "survey", "year", 1800, Code.CONSTRAINT),
    ],
)
def test_refused_answers_write_nothing(
    mission: Mission,
    respondent: str,
    questionnaire: str,
    question: str,
    value: object,
    expected: Code,
) -> None:
    mission.set_answer("R1", "survey", "year", 2020)
    before = history_count(mission)
    with pytest.raises(AnswerError) as caught:
        mission.set_answer(respondent, questionnaire, question, value)
    assert caught.value.codes == [expected]
    assert history_count(mission) == before
    assert list(mission.answers_frame().value) == [2020]


def test_constraint_sees_the_respondents_other_answers(mission: Mission) -> None:
    mission.set_answer("R1", "survey", "convicted", 50)  # victims unknown yet: allowed
    mission.set_answer("R1", "survey", "victims", 60)
    with pytest.raises(AnswerError) as caught:
        mission.set_answer("R1", "survey", "convicted", 61)
    assert "No more convicted than victims." in str(caught.value)
    mission.set_answer("R1", "survey", "convicted", "unknown")  # states are never constrained


def database_error(mission: Mission) -> type[Exception]:
    """The integrity error of the backend under test."""
    if mission._db.dialect == "sqlite":
        return sqlite3.IntegrityError
    import psycopg

    return psycopg.errors.IntegrityError


def test_history_is_append_only(mission: Mission) -> None:
    mission.set_answer("R1", "survey", "law", "yes")
    conn = mission._db
    for statement in ("UPDATE history SET new_value = '\"no\"'", "DELETE FROM history"):
        with pytest.raises(database_error(mission), match="append-only"):
            conn.execute(statement)
    assert history_count(mission) == 2


def test_foreign_keys_are_enforced(mission: Mission) -> None:
    with pytest.raises(database_error(mission)):
        mission._db.execute(
            "INSERT INTO answers (respondent, questionnaire, question, value, updated_at)"
            " VALUES ('ghost', 'survey', 'law', '\"yes\"', 'now')"
        )


def test_threads_share_a_mission(mission: Mission) -> None:
    from concurrent.futures import ThreadPoolExecutor

    codes = [f"T{n}" for n in range(8)]

    def write(code: str) -> None:
        mission.add_respondent(code, institution_type="ngo")
        mission.set_answer(code, "survey", "law", "no")

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(write, codes))
    assert len(mission.answers_frame()) == 8


def test_an_older_schema_is_migrated_forward(
    mission_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assessment_kit.store import schema

    with Mission.open(mission_path) as mission:
        mission.add_respondent("R1", institution_type="police")
        mission.set_answer("R1", "survey", "law", "yes")

    def add_region(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE mission ADD COLUMN region TEXT NOT NULL DEFAULT 'en'")

    # A future release with a second migration opens today's file.
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, add_region))
    monkeypatch.setattr(schema, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with Mission.open(mission_path) as mission:
        conn = mission._db
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        assert conn.execute("SELECT region FROM mission").fetchone()[0] == "en"
        assert mission.answers_for("R1", "survey")["law"].value == "yes"
    monkeypatch.undo()
    with pytest.raises(StoreError) as caught:
        Mission.open(mission_path)  # and today's release now refuses the newer file
    assert caught.value.code is Code.SCHEMA_TOO_NEW


def test_a_failed_migration_changes_nothing(
    mission_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assessment_kit.store import schema

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE extra (x)")
        conn.execute("SELECT * FROM no_such_table")

    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, broken))
    monkeypatch.setattr(schema, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(StoreError, match="the file is unchanged") as caught:
        Mission.open(mission_path)
    assert caught.value.code is Code.STORE_IO
    monkeypatch.undo()
    with Mission.open(mission_path) as mission:
        conn = mission._db
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        assert "extra" not in tables


def test_migrations_run_on_postgresql_too(
    pg_server: object,
    survey: Questionnaire,
    other: Questionnaire,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pg_support import PgServer

    from assessment_kit.store import schema

    assert isinstance(pg_server, PgServer)
    url = pg_server.new_database()
    make(url, survey, other)

    def add_region(conn: object) -> None:
        schema._execute_script(
            conn, "ALTER TABLE mission ADD COLUMN region TEXT NOT NULL DEFAULT 'en';"
        )

    def broken(conn: object) -> None:
        schema._execute_script(conn, "CREATE TABLE extra (x INTEGER);\nSELECT * FROM nothing;")

    # A failed migration changes nothing: the version and the tables stay.
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, broken))
    monkeypatch.setattr(schema, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(StoreError) as caught:
        Mission.open(url)
    assert caught.value.code is Code.PG_FAILED
    # A future release's migration, written in the SQL both backends share, runs once.
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS[:-1], add_region))
    with Mission.open(url) as mission:
        conn = mission._db
        assert conn.execute("SELECT version FROM mission_schema").fetchone()[0] == (
            SCHEMA_VERSION + 1
        )
        assert conn.execute("SELECT region FROM mission").fetchone()[0] == "en"
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_name = 'extra'"
        )
        assert tables.fetchall() == []
