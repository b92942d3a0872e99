"""Batch.set_answers: many answers of one respondent in one statement per table, written
exactly as set_answer writes each (the same rows, the same history), for imports of
thousands of submissions. Real SQLite files, the inline survey questionnaire."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from store_support import SURVEY_YAML

from assessment_kit.errors import AnswerError, Code
from assessment_kit.questionnaire import loads
from assessment_kit.store import Mission

VALUES = {
    "law": "partly",
    "roles": "transit origin",
    "year": "2004",
    "victims": 12,
    "convicted": 3,
    "budget": "2.5",
    "since": "2020-01-31",
    "comment": " as typed ",
}


def _mission(path: Path) -> Mission:
    survey = loads(SURVEY_YAML, file="survey.yaml")
    mission = Mission.create(path, country="Freedonia", title="T", questionnaires=[survey])
    mission.add_respondent("R1", institution_type="police")
    return mission


def _tables(path: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with sqlite3.connect(path) as conn:
        answers = conn.execute(
            "SELECT respondent, questionnaire, question, value, note, evidence, confidential,"
            " updated_by FROM answers ORDER BY question"
        ).fetchall()
        history = conn.execute(
            "SELECT kind, respondent, questionnaire, question, old_value, new_value, detail,"
            " \"by\" FROM history WHERE kind = 'answer' ORDER BY question, id"
        ).fetchall()
    conn.close()
    return answers, history


def test_set_answers_writes_what_set_answer_writes(tmp_path: Path) -> None:
    one_by_one = _mission(tmp_path / "a.db")
    with one_by_one.batch(by="ana") as batch:
        batch.set_answer("R1", "survey", "law", "no")
    with one_by_one.batch(by="ana") as batch:
        for question, value in VALUES.items():
            batch.set_answer("R1", "survey", question, value)
    at_once = _mission(tmp_path / "b.db")
    with at_once.batch(by="ana") as batch:
        batch.set_answer("R1", "survey", "law", "no")
    with at_once.batch(by="ana") as batch:
        assert batch.set_answers("R1", "survey", VALUES) == len(VALUES)
        # Unchanged answers are left alone, as set_answer leaves them.
        assert batch.set_answers("R1", "survey", {"law": "partly"}) == 0
    assert _tables(at_once.path) == _tables(one_by_one.path)


def test_set_answers_is_checked_like_set_answer(tmp_path: Path) -> None:
    mission = _mission(tmp_path / "m.db")
    with pytest.raises(AnswerError) as caught, mission.batch() as batch:
        batch.set_answers("NOBODY", "survey", {"law": "yes"})
    assert caught.value.codes == [Code.UNKNOWN_RESPONDENT]
    with pytest.raises(AnswerError) as caught, mission.batch() as batch:
        batch.set_answers("R1", "survey", {"law": "maybe"})
    assert caught.value.codes == [Code.BAD_VALUE]
    # Constraints are checked when the batch closes, and a failure writes nothing.
    with pytest.raises(AnswerError) as caught, mission.batch() as batch:
        batch.set_answers("R1", "survey", {"law": "yes", "victims": 2, "convicted": 5})
    assert caught.value.codes == [Code.CONSTRAINT]
    assert _tables(mission.path) == ([], [])
