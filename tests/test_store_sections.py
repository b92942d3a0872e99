"""Partial assessments in the mission store: chosen at creation or later, kept in the file,
read by scoring; files from before the choice existed open as whole assessments."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import Backend
from store_support import OTHER_YAML, SURVEY_YAML

from assessment_kit.errors import Code, ProblemsError
from assessment_kit.questionnaire import Questionnaire, loads
from assessment_kit.scoring import score_mission
from assessment_kit.store import SCHEMA_VERSION, Mission, resolve_sections

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
