"""Partial assessments in the mission store: chosen at creation or later, kept in the file,
read by scoring; files from before the choice existed open as whole assessments."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import Backend
from pg_support import PgServer
from store_support import OTHER_YAML, SURVEY_YAML

from assessment_kit.errors import Code, ProblemsError
from assessment_kit.questionnaire import Questionnaire, loads
from assessment_kit.scoring import score_mission
from assessment_kit.store import SCHEMA_VERSION, Mission, merge_missions, resolve_sections

TWO_SECTIONS = SURVEY_YAML.replace(
    "      - id: plan\n",
    "  - id: later\n    title: Later\n    questions:\n      - id: plan\n",
)


@pytest.fixture(scope="module")
def survey() -> Questionnaire:
    q = loads(TWO_SECTIONS, file="survey.yaml")
    assert [s.id for s in q.sections] == ["main", "later"]
    return q


@pytest.fixture(scope="module")
def other() -> Questionnaire:
    return loads(OTHER_YAML, file="other.yaml")


def test_sections_resolve_by_full_or_unique_id(survey: Questionnaire, other: Questionnaire) -> None:
    both = [survey, other]
    assert resolve_sections(both, ["survey.later"]) == {"survey": ("later",)}
    assert resolve_sections(both, ["later", "survey.main"]) == {"survey": ("main", "later")}
    assert resolve_sections(both, []) == {}


def test_unknown_and_ambiguous_sections_are_all_reported(survey: Questionnaire) -> None:
    twin = loads(SURVEY_YAML.replace("id: survey", "id: twin", 1), file="twin.yaml")
    with pytest.raises(ProblemsError) as caught:
        resolve_sections([survey, twin], ["nope", "survey.nope", "ghost.main", "main"])
    assert caught.value.codes == [Code.UNKNOWN_SECTION] * 3 + [Code.AMBIGUOUS_SECTION]


def test_a_partial_mission_keeps_its_sections_and_scores_them(
    backend: Backend, survey: Questionnaire, other: Questionnaire
) -> None:
    path = backend.target()
    with Mission.create(
        path, country="Freedonia", title="T", questionnaires=[survey, other], sections=["main"]
    ) as mission:
        assert dict(mission.info.sections) == {"survey": ("main",)}
        mission.add_respondent("R1", institution_type="police")
        mission.set_answer("R1", "survey", "law", "yes")
        mission.set_answer("R1", "survey", "plan", "no")  # kept, but not scored
    with Mission.open(path) as mission:
        assert dict(mission.sections)["survey"] == ("main",)
        assert dict(mission.sections)["other"] == tuple(s.id for s in other.sections)
        scores = score_mission(mission)
        assert [(s.questionnaire, s.section) for s in scores.left_out] == [("survey", "later")]
        assert "plan" not in set(scores.questions["question"])
        assert mission.answers_for("R1", "survey")["plan"].value == "no"
        mission.set_sections("survey", None)  # the whole instrument again
        assert dict(mission.info.sections) == {}
        assert score_mission(mission).left_out == ()
        mission.set_sections("survey", ["later"])
        assert dict(mission.info.sections) == {"survey": ("later",)}
        with pytest.raises(ProblemsError) as caught:
            mission.set_sections("survey", ["nope"])
        assert caught.value.codes == [Code.UNKNOWN_SECTION]
        with pytest.raises(ProblemsError) as caught:
            mission.set_sections("ghost", None)
        assert caught.value.codes == [Code.UNKNOWN_QUESTIONNAIRE]


def test_a_bad_section_creates_nothing(tmp_path: Path, survey: Questionnaire) -> None:
    path = tmp_path / "m.db"
    with pytest.raises(ProblemsError):
        Mission.create(path, country="F", title="T", questionnaires=[survey], sections=["x"])
    assert not path.exists()


def test_a_schema_1_file_opens_as_a_whole_assessment(
    tmp_path: Path, survey: Questionnaire, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assessment_kit.store import schema

    path = tmp_path / "old.db"
    # A file written by the release before partial assessments: schema version 1.
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:1])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 1)
    conn = schema.connect(path, create=True)
    schema.migrate(conn, str(path))
    conn.execute(
        "INSERT INTO mission (id, country, title, created_at) VALUES (1, 'F', 'T', '2026-01-01')"
    )
    conn.execute(
        "INSERT INTO instruments (id, version, title, source_text, added_at)"
        " VALUES ('survey', '1.0.0', 'Survey', ?, '2026-01-01')",
        (survey.source_text,),
    )
    conn.close()
    monkeypatch.undo()
    with Mission.open(path) as mission:
        assert mission._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert dict(mission.info.sections) == {}
        assert dict(mission.sections) == {"survey": ("main", "later")}
        mission.set_sections("survey", ["later"])
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT sections FROM instruments").fetchone()[0] == '["later"]'


def _copies(tmp_path: Path, survey: Questionnaire) -> tuple[Path, Path]:
    """Two laptops' copies of one mission, made before either chose sections."""
    first = tmp_path / "ana.db"
    with Mission.create(first, country="Freedonia", title="T", questionnaires=[survey]):
        pass
    second = tmp_path / "bo.db"
    second.write_bytes(first.read_bytes())
    return first, second


def test_a_change_of_sections_is_a_history_entry(tmp_path: Path, survey: Questionnaire) -> None:
    first, _ = _copies(tmp_path, survey)
    with Mission.open(first) as mission:
        mission.set_sections("survey", ["later"], by="ana")
        mission.set_sections("survey", ["later"], by="ana")  # the same again: no entry
        mission.set_sections("survey", None, by="ana")
        entries = [e for e in mission.history_entries() if e.kind == "sections"]
    assert [(e.questionnaire, e.old_value, e.new_value, e.by) for e in entries] == [
        ("survey", "null", '["later"]', "ana"),
        ("survey", '["later"]', "null", "ana"),
    ]
    assert entries[1].parent == entries[0].uuid


def test_a_merge_carries_a_change_of_sections(tmp_path: Path, survey: Questionnaire) -> None:
    ana, bo = _copies(tmp_path, survey)
    with Mission.open(ana) as mission:
        mission.set_sections("survey", ["later"], by="ana")
    result = merge_missions(bo, [ana])
    assert result.counts.sections_changed == 1
    assert "the sections of 1 instrument changed" in result.summary()
    assert result.conflicts == ()
    with Mission.open(bo) as mission:
        assert dict(mission.info.sections) == {"survey": ("later",)}
    # Merged back the other way, nothing is left to change.
    assert merge_missions(ana, [bo]).counts.sections_changed == 0


def test_sections_changed_on_two_laptops_are_a_conflict_the_later_wins(
    tmp_path: Path, survey: Questionnaire
) -> None:
    ana, bo = _copies(tmp_path, survey)
    with Mission.open(ana) as mission:
        mission.set_sections("survey", ["main"], by="ana")
    with Mission.open(bo) as mission:
        mission.set_sections("survey", ["later"], by="bo")  # later in time
    merged = {}
    for into, source in ((ana, bo), (bo, ana)):
        result = merge_missions(into, [source])
        [conflict] = result.conflicts
        assert conflict.describe().startswith("sections of survey: later (bo, ")
        assert " over main (ana, " in conflict.describe()
        with Mission.open(into) as mission:
            merged[into.name] = dict(mission.info.sections)
    assert merged == {"ana.db": {"survey": ("later",)}, "bo.db": {"survey": ("later",)}}
    # Setting the sections again settles it, even to what they are.
    with Mission.open(ana) as mission:
        assert [c.item[0] for c in mission.conflicts()] == ["sections"]
        mission.set_sections("survey", ["later"], by="ana")
        assert mission.conflicts() == []
    assert merge_missions(bo, [ana]).conflicts == ()


def test_a_schema_7_file_takes_sections_entries(
    tmp_path: Path, survey: Questionnaire, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assessment_kit.store import schema

    path = tmp_path / "seven.db"
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:7])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 7)
    with Mission.create(path, country="F", title="T", questionnaires=[survey]) as mission:
        mission.add_respondent("R1", institution_type="police")
        mission.set_answer("R1", "survey", "law", "yes")
    monkeypatch.undo()
    with sqlite3.connect(path) as raw:
        before = raw.execute("SELECT * FROM history ORDER BY id").fetchall()
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            raw.execute(
                "INSERT INTO history (kind, questionnaire, new_value, at, uuid)"
                " VALUES ('sections', 'survey', 'null', 'now', 'u')"
            )
    raw.close()
    with Mission.open(path) as mission:
        mission.set_sections("survey", ["later"])
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 8
        after = raw.execute("SELECT * FROM history ORDER BY id").fetchall()
        assert after[: len(before)] == before
        assert after[-1][1] == "sections"
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for statement in ("UPDATE history SET by = 'x'", "DELETE FROM history"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                raw.execute(statement)
    raw.close()


def test_a_schema_7_postgresql_mission_takes_sections_entries(
    pg_server: PgServer, survey: Questionnaire
) -> None:
    import psycopg

    url = pg_server.new_database()
    with Mission.create(url, country="F", title="T", questionnaires=[survey]):
        pass
    # Back to what schema 7 made: three kinds of history entries.
    with psycopg.connect(url, autocommit=True) as raw:
        raw.execute("ALTER TABLE history DROP CONSTRAINT history_kind_check")
        raw.execute(
            "ALTER TABLE history ADD CONSTRAINT history_kind_check"
            " CHECK (kind IN ('answer', 'consolidated', 'respondent'))"
        )
        raw.execute("UPDATE mission_schema SET version = 7")
    with Mission.open(url) as mission:
        mission.set_sections("survey", ["later"], by="ana")
        assert dict(mission.info.sections) == {"survey": ("later",)}
        assert [e.kind for e in mission.history_entries()] == ["sections"]
    with psycopg.connect(url, autocommit=True) as raw:
        assert raw.execute("SELECT version FROM mission_schema").fetchone()[0] == SCHEMA_VERSION
