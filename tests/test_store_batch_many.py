"""Batch.set_answers and Batch.write_checked: many answers (and respondents) in one
statement per table, written exactly as set_answer and add_respondent write each (the same
rows, the same history in the same order), for imports of thousands of submissions. Real
SQLite files, the inline survey questionnaire."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import date
from pathlib import Path

import pytest
from conftest import Backend
from store_support import SURVEY_YAML

from assessment_kit.errors import AnswerError, Code
from assessment_kit.questionnaire import loads
from assessment_kit.questionnaire.answers import coerce
from assessment_kit.store import CheckedAnswer, CheckedAnswers, Mission, Respondent
from assessment_kit.store.schema import new_uuid, new_uuids

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


def _lineage(path: Path) -> list[tuple[object, ...]]:
    """Every history entry in id order, with its parent and resolved entries given by
    their position in that order (uuids differ between two files)."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT kind, respondent, questionnaire, question, old_value, new_value, detail,"
            ' "by", uuid, parent, resolved FROM history ORDER BY id'
        ).fetchall()
    conn.close()
    position = {row[8]: index for index, row in enumerate(rows)}
    return [
        (*row[:8], position.get(row[9]), [position[u] for u in (row[10] or "").split()])
        for row in rows
    ]


def _respondent_rows(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT code, institution_type, sector, interview_date, interviewer, consent"
            " FROM respondents ORDER BY code"
        ).fetchall()
    conn.close()
    return rows


def test_write_checked_writes_what_the_single_writes_write(tmp_path: Path) -> None:
    """New respondents with their answers, and answers of a stored respondent (whose
    entries follow the stored ones), in one go: the same rows and the same history, in the
    same order, as add_respondent and set_answer one by one."""
    new = Respondent("N1", "police", interview_date=date(2026, 3, 1), interviewer="ana",
                     consent=True)  # fmt: skip
    one_by_one = _mission(tmp_path / "a.db")
    at_once = _mission(tmp_path / "b.db")
    for mission in (one_by_one, at_once):
        with mission.batch(by="ana") as batch:
            batch.set_answer("R1", "survey", "law", "no")
            batch.set_answer("R1", "survey", "victims", 4)
    with one_by_one.batch(by="bo") as batch:
        batch.add_respondent("N1", institution_type="police", interview_date=date(2026, 3, 1),
                             interviewer="ana", consent=True)  # fmt: skip
        batch.set_answer("N1", "survey", "law", "partly")
        batch.set_answer("N1", "survey", "roles", ("transit", "origin"))
        batch.set_answer("R1", "survey", "law", "yes", note="n", evidence="e", confidential=True)
        batch.set_answer("R1", "survey", "victims", 4)  # unchanged: left alone
        batch.set_answer("N1", "survey", "law", "no")  # written again: follows the first
        batch.set_answer("R1", "survey", "law", "yes", note="n", evidence="e", confidential=True)
    roles = at_once.question("survey", "roles")
    with at_once.batch(by="bo") as batch:
        written = batch.write_checked(
            [
                new,
                # One interview's answers; checked: as the one answer parser gives them.
                CheckedAnswers(
                    "N1",
                    "survey",
                    {"law": "partly", "roles": coerce(roles, ("transit", "origin"))},
                ),
                CheckedAnswer("R1", "survey", "law", "yes", "n", "e", True),
                CheckedAnswer("R1", "survey", "victims", 4),
                CheckedAnswer("N1", "survey", "law", "no"),
                CheckedAnswer("R1", "survey", "law", "yes", "n", "e", True),  # unchanged
            ]
        )
    assert written == 4
    assert _tables(at_once.path) == _tables(one_by_one.path)
    assert _lineage(at_once.path) == _lineage(one_by_one.path)
    assert _respondent_rows(at_once.path) == _respondent_rows(one_by_one.path)
    with at_once:
        assert at_once.respondent("N1").sector == one_by_one.respondent("N1").sector


@pytest.mark.parametrize(
    ("items", "code"),
    [
        ([("answer", "NOBODY", "law")], Code.UNKNOWN_RESPONDENT),
        ([("answer", "N1", "law"), ("respondent", "N1", "")], Code.UNKNOWN_RESPONDENT),
        ([("respondent", "N1", ""), ("answer", "N1", "nothing")], Code.UNKNOWN_QUESTION),
        ([("survey", "R1", "nothing")], Code.UNKNOWN_QUESTION),
        ([("nowhere", "R1", "law")], Code.UNKNOWN_QUESTIONNAIRE),
        ([("survey", "NOBODY", "law")], Code.UNKNOWN_RESPONDENT),
        ([("respondent", "R1", "")], Code.DUPLICATE_RESPONDENT),
        ([("respondent", "N1", ""), ("respondent", "N1", "")], Code.DUPLICATE_RESPONDENT),
        ([("respondent", "N1", "")] * 1 + [("respondent", "N2", "x" * 200_001)],
         Code.TEXT_TOO_LONG),
    ],
)  # fmt: skip
def test_write_checked_refuses_what_the_single_writes_refuse(
    tmp_path: Path, items: list[tuple[str, str, str]], code: Code
) -> None:
    mission = _mission(tmp_path / "m.db")
    records: list[Respondent | CheckedAnswer | CheckedAnswers] = [
        Respondent(name, "police", interviewer=text)
        if kind == "respondent"
        else CheckedAnswer(name, "survey", text, "yes")
        if kind == "answer"
        else CheckedAnswers(name, kind, {"law": "yes", text: "yes"})
        for kind, name, text in items
    ]
    with pytest.raises(AnswerError) as caught, mission.batch() as batch:
        batch.write_checked(records)
    assert caught.value.codes == [code]
    assert _tables(mission.path) == ([], [])
    assert [row[0] for row in _respondent_rows(mission.path)] == ["R1"]


def test_new_uuids_are_random_version_4() -> None:
    made = [*new_uuids(2_000), new_uuid()]
    assert len(set(made)) == len(made)
    for text in made:
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant, str(parsed)) == (4, uuid.RFC_4122, text)


def test_write_checked_mixes_plain_and_flagged_answers(tmp_path: Path) -> None:
    """Plain answers and answers with a note, evidence or confidentiality, of new and
    stored respondents, none written twice: the same rows and history as one by one."""
    one_by_one = _mission(tmp_path / "a.db")
    at_once = _mission(tmp_path / "b.db")
    for mission in (one_by_one, at_once):
        mission.set_answer("R1", "survey", "law", "no")
    with one_by_one.batch(by="cy") as batch:
        batch.add_respondent("N1", institution_type="ngo")
        batch.set_answer("N1", "survey", "law", "yes")
        batch.set_answer("N1", "survey", "year", 2004)
        batch.set_answer("N1", "survey", "budget", 2.5, note="about", confidential=True)
        batch.set_answer("R1", "survey", "law", "partly")
        batch.set_answer("R1", "survey", "victims", 3, evidence="report")
    with at_once.batch(by="cy") as batch:
        written = batch.write_checked(
            [
                Respondent("N1", "ngo"),
                CheckedAnswers("N1", "survey", {"law": "yes", "year": 2004}),
                CheckedAnswer("N1", "survey", "budget", 2.5, note="about", confidential=True),
                CheckedAnswer("R1", "survey", "law", "partly"),
                CheckedAnswer("R1", "survey", "victims", 3, evidence="report"),
            ]
        )
    assert written == 5
    assert _tables(at_once.path) == _tables(one_by_one.path)
    assert _lineage(at_once.path) == _lineage(one_by_one.path)


def _entries_by_position(mission: Mission) -> list[tuple[object, ...]]:
    entries = mission.history_entries()
    position = {entry.uuid: index for index, entry in enumerate(entries)}
    return [
        (entry.kind, entry.respondent, entry.question, entry.old_value, entry.new_value,
         entry.detail, position.get(entry.parent or ""))
        for entry in entries
    ]  # fmt: skip


def test_write_checked_on_both_backends(backend: Backend, tmp_path: Path) -> None:
    """The bulk write's statements (plain answers and first entries written out) on
    PostgreSQL as on SQLite: the same history as the single writes on a file."""
    survey = loads(SURVEY_YAML, file="survey.yaml")
    reference = _mission(tmp_path / "reference.db")
    with reference.batch(by="cy") as batch:
        batch.add_respondent("N1", institution_type="ngo")
        batch.set_answer("N1", "survey", "law", "yes")
        batch.set_answer("N1", "survey", "budget", 2.5, note="about")
        batch.set_answer("N1", "survey", "law", "no")
        batch.set_answer("R1", "survey", "law", "partly")
    with Mission.create(
        backend.target(), country="F", title="T", questionnaires=[survey]
    ) as mission:
        mission.add_respondent("R1", institution_type="police")
        with mission.batch(by="cy") as batch:
            batch.write_checked(
                [
                    Respondent("N1", "ngo"),
                    CheckedAnswers("N1", "survey", {"law": "yes"}),
                    CheckedAnswer("N1", "survey", "budget", 2.5, note="about"),
                    CheckedAnswer("N1", "survey", "law", "no"),
                    CheckedAnswer("R1", "survey", "law", "partly"),
                ]
            )
        assert _entries_by_position(mission) == _entries_by_position(reference)
        ours, theirs = (
            m.answers_frame().drop(columns="updated_at").to_dict("records")
            for m in (mission, reference)
        )
        assert ours == theirs
