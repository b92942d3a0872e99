"""A mission has a language: stored (schema 5), given to ``new --language``, refused when
it is not one of the six UN languages, and English for every older file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from pg_support import PgServer

from assessment_kit.cli import main
from assessment_kit.errors import Code, StoreError
from assessment_kit.i18n import LANGUAGES
from assessment_kit.questionnaire import builtin
from assessment_kit.store import SCHEMA_VERSION, Mission


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_new_mission_keeps_its_language(tmp_path: Path, language: str) -> None:
    path = tmp_path / "m.db"
    with Mission.create(
        path,
        country="Freedonia",
        title="T",
        questionnaires=[builtin("organ_removal")],
        language=language,
    ) as mission:
        assert mission.info.language == language
    with Mission.open(path) as mission:
        assert mission.info.language == language


def test_new_language_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    status = main(
        ["new", str(path), "--country", "Freedonia", "--questionnaire", "organ_removal",
         "--language", "fr"]
    )  # fmt: skip
    assert status == 0
    with Mission.open(path) as mission:
        assert mission.info.language == "fr"


def test_an_unknown_language_is_refused_and_no_file_is_made(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    with pytest.raises(StoreError) as caught:
        Mission.create(
            path,
            country="Freedonia",
            title="T",
            questionnaires=[builtin("organ_removal")],
            language="de",
        )
    assert caught.value.code is Code.MISSION_LANGUAGE
    assert not path.exists()
    status = main(
        ["new", str(path), "--country", "F", "--questionnaire", "organ_removal",
         "--language", "xx"]
    )  # fmt: skip
    assert status == 1
    assert not path.exists()


def test_a_schema_5_file_is_english_after_the_upgrade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assessment_kit.store import schema

    path = tmp_path / "old.db"
    # A file written by the release before mission languages: schema version 5.
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:5])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 5)
    conn = schema.connect(path, create=True)
    schema.migrate(conn, str(path))
    conn.execute(
        "INSERT INTO mission (id, country, title, created_at, uuid)"
        " VALUES (1, 'F', 'T', '2026-01-01', 'u')"
    )
    conn.close()
    monkeypatch.undo()
    with Mission.open(path) as mission:
        assert mission.info.language == "en"
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        # The column refuses a language outside the six.
        with pytest.raises(sqlite3.IntegrityError):
            raw.execute("UPDATE mission SET language = 'de'")


def test_a_postgresql_mission_keeps_its_language(pg_server: PgServer) -> None:
    url = pg_server.new_database()
    with Mission.create(
        url,
        country="Freedonia",
        title="T",
        questionnaires=[builtin("organ_removal")],
        language="ar",
    ) as mission:
        assert mission.info.language == "ar"
    with Mission.open(url) as mission:
        assert mission.info.language == "ar"
        # The database refuses a language outside the six, as the SQLite file does.
        import psycopg

        with pytest.raises(psycopg.errors.CheckViolation):
            mission._db.execute("UPDATE mission SET language = 'de'")
