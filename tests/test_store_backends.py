"""The two backends side by side, on a real PostgreSQL server: one schema, copies both ways
(history and uuid included), URLs in every command, and PostgreSQL's failures as
catalogued messages that never show a password."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from pg_support import PASSWORD, PgServer
from store_support import OTHER_YAML, SURVEY_YAML

from assessment_kit.cli import main
from assessment_kit.errors import Code, StoreError
from assessment_kit.questionnaire import Questionnaire, loads
from assessment_kit.store import Mission
from assessment_kit.store.connection import redact_url
from assessment_kit.store.copying import copy_mission


@pytest.fixture(scope="module")
def survey() -> Questionnaire:
    return loads(SURVEY_YAML, file="survey.yaml")


@pytest.fixture(scope="module")
def other() -> Questionnaire:
    return loads(OTHER_YAML, file="other.yaml")


def make(target: str | Path, survey: Questionnaire, other: Questionnaire) -> Mission:
    return Mission.create(target, country="Freedonia", title="T", questionnaires=[survey, other])


def fill(mission: Mission) -> None:
    """Respondents, answers (changed and cleared), consolidated answers: a history."""
    mission.add_respondent("R1", institution_type="police", interviewer="ana", consent=True)
    mission.add_respondent("R2", institution_type="ngo")
    mission.set_answer("R1", "survey", "law", "partly", note="50% done?", by="ana")
    mission.set_answer("R1", "survey", "law", "yes", confidential=True, by="bo")
    mission.set_answer("R1", "survey", "roles", ["transit", "origin"], evidence="Act 3")
    mission.set_answer("R2", "survey", "budget", 2.5)
    mission.set_answer("R2", "survey", "year", 2024)
    mission.clear_answer("R2", "survey", "year", by="bo")
    mission.set_answer("R2", "other", "ok", "no")
    mission.consolidate("survey", "law", "yes", rationale="the 'law' of 2024", by="lead")
    mission.update_respondent("R2", consent=True, by="cy")


def contents(mission: Mission) -> dict[str, object]:
    """Everything a mission holds, comparable across backends."""
    return {
        "info": mission.info,
        "respondents": mission.respondents(),
        "answers": mission.answers_frame().to_dict("records"),
        "consolidated": mission.consolidated_frame().to_dict("records"),
        "history": mission.history_frame().to_dict("records"),
        "sections": dict(mission.sections),
    }


# ------------------------------------------------------------------ one schema


def sqlite_columns(path: Path) -> dict[str, list[tuple[str, bool]]]:
    with sqlite3.connect(path) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {
            table: [
                (row[1], bool(row[3] or row[5]))  # name, NOT NULL (a primary key is)
                for row in conn.execute(f"PRAGMA table_info({table})")
            ]
            for table in tables
        }


def postgres_columns(mission: Mission) -> dict[str, list[tuple[str, bool]]]:
    rows = mission._db.execute(
        "SELECT table_name, column_name, is_nullable FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name <> 'mission_schema'"
        " ORDER BY table_name, ordinal_position"
    ).fetchall()
    found: dict[str, list[tuple[str, bool]]] = {}
    for table, column, nullable in rows:
        found.setdefault(table, []).append((column, nullable == "NO"))
    return found


def test_a_new_sqlite_file_and_a_new_postgresql_mission_have_the_same_tables_and_columns(
    tmp_path: Path, pg_server: PgServer, survey: Questionnaire, other: Questionnaire
) -> None:
    make(tmp_path / "m.db", survey, other).close()
    with make(pg_server.new_database(), survey, other) as mission:
        assert postgres_columns(mission) == sqlite_columns(tmp_path / "m.db")


# ------------------------------------------------------------------ copy


@pytest.mark.parametrize("direction", ["sqlite-to-postgresql", "postgresql-to-sqlite"])
def test_copy_keeps_everything_and_the_uuid(
    tmp_path: Path,
    pg_server: PgServer,
    survey: Questionnaire,
    other: Questionnaire,
    direction: str,
) -> None:
    file, url = str(tmp_path / "m.db"), pg_server.new_database()
    source, destination = (file, url) if direction.startswith("sqlite") else (url, file)
    with make(source, survey, other) as mission:
        fill(mission)
        mission.set_sections("survey", ["main"])
        before = contents(mission)
    result = copy_mission(source, destination)
    assert result.rows["history"] == len(before["history"])  # type: ignore[arg-type]
    assert result.rows["respondents"] == 2
    with Mission.open(destination) as copy:
        assert contents(copy) == before
        # The copy goes on: new history ids follow the copied ones.
        copy.set_answer("R1", "survey", "plan", "no", by="ana")
        ids = list(copy.history_frame()["id"])
        assert ids == sorted(set(ids))
    # And back again to a third place: still the same mission.
    third = str(tmp_path / "back.db") if destination == url else pg_server.new_database()
    copy_mission(destination, third)
    with Mission.open(third) as again:
        assert again.info.uuid == before["info"].uuid  # type: ignore[attr-defined]


def test_copy_refuses_a_destination_in_use(
    tmp_path: Path, pg_server: PgServer, survey: Questionnaire, other: Questionnaire
) -> None:
    file, url = tmp_path / "m.db", pg_server.new_database()
    make(file, survey, other).close()
    make(url, survey, other).close()
    with pytest.raises(StoreError) as caught:
        copy_mission(file, url)
    assert caught.value.code is Code.MISSION_EXISTS
    with pytest.raises(StoreError) as caught:
        copy_mission(url, file)
    assert caught.value.code is Code.MISSION_EXISTS
    busy = pg_server.new_database()
    with pg_server.admin(busy.rsplit("/", 1)[1]) as conn:
        conn.execute("CREATE TABLE notes (x integer)")
    with pytest.raises(StoreError) as caught:
        copy_mission(file, busy)
    assert caught.value.code is Code.PG_DATABASE_NOT_EMPTY


def test_a_failed_copy_leaves_nothing_behind(
    tmp_path: Path, pg_server: PgServer, survey: Questionnaire, other: Questionnaire
) -> None:
    source = tmp_path / "m.db"
    with make(source, survey, other) as mission:
        fill(mission)
    # A history row the server refuses (a NUL in text) fails the copy half-way.
    with sqlite3.connect(source) as raw:
        raw.execute(
            "INSERT INTO history (kind, respondent, \"by\", at, uuid) VALUES ('respondent',"
            " 'R1', 'x' || char(0) || 'y', 'now', 'a-bad-entry')"
        )
    url = pg_server.new_database()
    with pytest.raises(StoreError) as caught:
        copy_mission(source, url)
    assert caught.value.code is Code.PG_FAILED
    # The database is empty again: a retry (of a good mission) goes through.
    copy_mission(_good(tmp_path, survey, other), url)
    with Mission.open(url) as copy:
        assert copy.respondents() == []


def _good(tmp_path: Path, survey: Questionnaire, other: Questionnaire) -> Path:
    path = tmp_path / "good.db"
    make(path, survey, other).close()
    return path


# ------------------------------------------------------------------ the command line


def test_every_command_takes_a_url(
    tmp_path: Path, pg_server: PgServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = pg_server.new_database()
    survey_file = tmp_path / "survey.yaml"
    survey_file.write_text(SURVEY_YAML)
    answers = tmp_path / "answers.csv"
    answers.write_text(
        "respondent,institution_type,questionnaire,question,answer\n"
        "P1,police,survey,law,yes\nP1,police,survey,plan,partly\n"
    )
    assert main(["new", url, "--country", "Freedonia", "--questionnaire", str(survey_file)]) == 0
    assert main(["import", url, str(answers)]) == 0
    assert main(["score", url, "--json"]) == 0
    assert main(["export", url, "--format", "csv", "--out", str(tmp_path / "out.csv")]) == 0
    assert "P1" in (tmp_path / "out.csv").read_text()
    assert main(["copy", url, str(tmp_path / "copy.db")]) == 0
    printed = capsys.readouterr()
    assert PASSWORD not in printed.out + printed.err
    assert "copied" in printed.out
    with Mission.open(tmp_path / "copy.db") as copy:
        assert copy.answers_for("P1", "survey")["law"].value == "yes"


def test_the_cli_names_a_missing_database_without_a_traceback(
    pg_server: PgServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = pg_server.url("no_such_mission")
    assert main(["score", url]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert "no_such_mission" in err
    assert "Traceback" not in err


# ------------------------------------------------------------------ PostgreSQL's failures


def code_of(target: str) -> Code | None:
    with pytest.raises(StoreError) as caught:
        Mission.open(target)
    return caught.value.code


def test_connection_failures_are_catalogued(
    pg_server: PgServer, monkeypatch: pytest.MonkeyPatch, survey: Questionnaire
) -> None:
    assert code_of(pg_server.url("no_such_db")) is Code.PG_DATABASE_MISSING
    assert code_of(pg_server.url("postgres", user="nobody_here")) is Code.PG_AUTH_FAILED
    # Nothing listens on port 1.
    assert code_of("postgresql://postgres@127.0.0.1:1/mission") is Code.PG_UNREACHABLE
    empty = pg_server.new_database()
    assert code_of(empty) is Code.NOT_A_MISSION
    monkeypatch.setenv("PGPASSWORD", "wrong")
    assert code_of(pg_server.url("postgres")) is Code.PG_AUTH_FAILED


def test_a_password_in_the_url_is_refused_and_never_shown(pg_server: PgServer) -> None:
    url = pg_server.url("postgres").replace("postgres@", f"postgres:{PASSWORD}@", 1)
    with pytest.raises(StoreError) as caught:
        Mission.open(url)
    assert caught.value.code is Code.PG_PASSWORD_IN_URL
    assert PASSWORD not in str(caught.value)
    with pytest.raises(StoreError) as caught:
        Mission.open(f"{pg_server.url('postgres')}?password={PASSWORD}")
    assert caught.value.code is Code.PG_PASSWORD_IN_URL
    assert PASSWORD not in str(caught.value)
    assert redact_url("postgresql://ana:s3cret@db.example.org:5433/m?sslmode=require") == (
        "postgresql://ana@db.example.org:5433/m?sslmode=require"
    )


def test_the_password_can_come_from_a_pgpass_file(
    tmp_path: Path,
    pg_server: PgServer,
    monkeypatch: pytest.MonkeyPatch,
    survey: Questionnaire,
    other: Questionnaire,
) -> None:
    url = pg_server.new_database()
    make(url, survey, other).close()
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"127.0.0.1:{pg_server.port}:*:postgres:{PASSWORD}\n")
    os.chmod(pgpass, 0o600)
    monkeypatch.delenv("PGPASSWORD")
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    with Mission.open(url) as mission:
        assert mission.info.country == "Freedonia"
        assert PASSWORD not in repr(mission) + mission.location


def test_a_mission_goes_on_after_the_server_drops_its_connection(
    pg_server: PgServer, survey: Questionnaire, other: Questionnaire
) -> None:
    url = pg_server.new_database()
    database = url.rsplit("/", 1)[1]
    with make(url, survey, other) as mission:
        mission.add_respondent("R1", institution_type="police")

        def drop_connections() -> None:
            with pg_server.admin() as admin:
                ended = admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    (database,),
                ).fetchall()
            assert ended == [(True,)]

        # A server restart or an idle timeout, as a notebook open all day meets them.
        drop_connections()
        mission.set_answer("R1", "survey", "law", "yes")
        drop_connections()
        assert [r.code for r in mission.respondents()] == ["R1"]
        assert mission.answer("R1", "survey", "law") is not None


def test_without_psycopg_a_url_names_the_extra_to_install() -> None:
    import subprocess
    import sys

    script = (
        "import sys; sys.modules['psycopg'] = None\n"  # as if the package were not installed
        "from assessment_kit.cli import main\n"
        "sys.exit(main(['score', 'postgresql://ana@db.example.org/freedonia_2026']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert Code.POSTGRES_EXTRA.fix in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_brief_takes_a_url(tmp_path: Path, pg_server: PgServer) -> None:
    from assessment_kit.demo import create_demo_mission

    create_demo_mission(tmp_path / "demo.db").close()
    url = pg_server.new_database()
    copy_mission(tmp_path / "demo.db", url)
    out = tmp_path / "briefing.html"
    assert main(["brief", url, "--out", str(out), "--quiet"]) == 0
    assert "Freedonia" in out.read_text(encoding="utf-8")


def test_a_laptop_copy_of_a_server_mission_merges_back(
    tmp_path: Path,
    pg_server: PgServer,
    survey: Questionnaire,
    other: Questionnaire,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # deploy/README.md's offline round: copy to a laptop, interview there, merge back.
    url = pg_server.new_database()
    with make(url, survey, other) as mission:
        fill(mission)
    laptop = str(tmp_path / "field-ana.db")
    assert main(["copy", url, laptop]) == 0
    with Mission.open(laptop) as copy:
        copy.add_respondent("F1", institution_type="ngo", by="ana")
        copy.set_answer("F1", "survey", "law", "no", by="ana")
    with Mission.open(url) as server:
        server.set_answer("R2", "survey", "plan", "yes", by="bo")  # meanwhile, on the server
    assert main(["merge", url, laptop]) == 0
    assert "0 conflicts" in capsys.readouterr().out
    with Mission.open(url) as server, Mission.open(laptop) as copy:
        assert server.answer("F1", "survey", "law") is not None
        assert server.answer("R2", "survey", "plan") is not None
        ours = {entry.uuid for entry in server.history_entries()}
        assert {entry.uuid for entry in copy.history_entries()} <= ours
