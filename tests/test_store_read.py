"""The store's read path: ``answers_frame`` reads whole columns and gives exactly the frame
that decoding row by row gives (same rows, order, dtypes, values and value types)."""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pg_support import PgServer

from assessment_kit.demo import create_demo_mission
from assessment_kit.questionnaire import Questionnaire
from assessment_kit.store import Mission
from assessment_kit.store.copying import copy_mission
from assessment_kit.store.values import decode_value

COLUMNS = [
    "respondent", "institution_type", "sector", "questionnaire", "question", "value",
    "note", "evidence", "confidential", "updated_by", "updated_at",
]  # fmt: skip


def reference_answers_frame(
    path: Path, questionnaires: Mapping[str, Questionnaire], questionnaire: str | None = None
) -> pd.DataFrame:
    """The read path as it was: each row decoded and sorted in Python (the oracle)."""
    sql = (
        "SELECT a.respondent, r.institution_type, r.sector, a.questionnaire, a.question,"
        " a.value, a.note, a.evidence, a.confidential, a.updated_by, a.updated_at"
        " FROM answers a JOIN respondents r ON r.code = a.respondent"
    )
    params: tuple[str, ...] = ()
    if questionnaire is not None:
        sql += " WHERE a.questionnaire = ?"
        params = (questionnaire,)
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute(sql + " ORDER BY r.created_at, a.respondent, a.questionnaire", params)
        records = [
            {**dict(row), "value": decode_value(row["value"]), "confidential": bool(row[8])}
            for row in rows.fetchall()
        ]
    finally:
        conn.close()
    order = {
        (qid, question): (rank, index)
        for rank, (qid, q) in enumerate(questionnaires.items())
        for index, question in enumerate(q.questions)
    }
    ranks: dict[str, int] = {}
    for record in records:
        ranks.setdefault(record["respondent"], len(ranks))
    records.sort(
        key=lambda r: (
            ranks[r["respondent"]],
            *order.get((r["questionnaire"], r["question"]), (1 << 30, 0)),
        )
    )
    data: dict[str, Any] = {}
    for column in COLUMNS:
        if column == "value":
            cells = np.empty(len(records), dtype=object)
            for index, record in enumerate(records):
                cells[index] = record[column]
            data[column] = pd.Series(cells, dtype=object)
        else:
            data[column] = [record[column] for record in records]
    frame = pd.DataFrame(data, columns=COLUMNS)
    frame["confidential"] = frame["confidential"].astype(bool)
    return frame


def _random_json(rng: random.Random) -> str:
    """A stored value in any JSON form a mission file may hold, canonical or not."""
    text = "".join(
        rng.choice(["a", "é", '"', "\\", "\n", " ", "€", "\u2028", "x"]) for _ in range(4)
    )
    kinds = [
        json.dumps(text, ensure_ascii=False),
        json.dumps(text),  # escaped non-ASCII
        json.dumps(rng.choice(["yes", "no", "partly", "unknown", ""])),
        str(rng.randint(-(10**6), 10**6)),
        str(rng.choice([0, -1, 2**63 - 1, 2**63, -(2**63), 10**30])),
        repr(rng.uniform(-1e6, 1e6)),
        rng.choice(["1.0", "-0", "1e5", "2E-3", "-0.0", " 7", '"a" ', ' "b"']),
        json.dumps(rng.sample(["origin", "transit", "destination", "é"], k=rng.randint(0, 3))),
        "[1, 2.5]",
    ]
    return rng.choice(kinds)


@pytest.fixture(scope="module")
def random_mission(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo mission, plus respondents whose answers are random stored values,
    answers to questions no instrument knows, and respondents added at the same moment."""
    path = tmp_path_factory.mktemp("read") / "mission.db"
    create_demo_mission(path).close()
    rng = random.Random(10)
    conn = sqlite3.connect(path)
    with conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM instruments")]
        questions = {
            qid: [row[0] for row in conn.execute(
                "SELECT DISTINCT question FROM answers WHERE questionnaire = ?", (qid,)
            )]
            for qid in ids
        }  # fmt: skip
        for n in range(30):
            code = f"ZZ-{rng.randint(0, 10**6):07d}-{n}"
            created = f"2026-10-0{1 + n % 3}T00:00:00"  # several share a moment
            conn.execute(
                "INSERT INTO respondents (code, institution_type, sector, created_at, updated_at)"
                " VALUES (?, 'prosecutor', ?, ?, ?)",
                (code, rng.choice(["justice", ""]), created, created),
            )
            for qid in rng.sample(ids, k=rng.randint(1, len(ids))):
                # Two questions no instrument knows: they tie in the order and sort by id.
                retired = [f"retired_{rng.randint(0, 99)}", f"old_{rng.randint(0, 99)}"]
                names = [*rng.sample(questions[qid], k=20), *retired]
                for question in dict.fromkeys(names):
                    conn.execute(
                        "INSERT INTO answers (respondent, questionnaire, question, value, note,"
                        " confidential, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            code,
                            qid,
                            question,
                            _random_json(rng),
                            rng.choice(["", "a note"]),
                            rng.randint(0, 1),
                            "test",
                            created,
                        ),
                    )
    conn.close()
    return path


def _assert_same(frame: pd.DataFrame, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(frame, expected, check_exact=True)
    assert list(frame.dtypes) == list(expected.dtypes)
    # assert_frame_equal finds 1 == 1.0 == True: the value types must match one by one.
    assert [type(v) for v in frame["value"]] == [type(v) for v in expected["value"]]
    assert [repr(v) for v in frame["value"]] == [repr(v) for v in expected["value"]]


@pytest.mark.parametrize("questionnaire", [None, "criminal_justice", "organ_removal", "nothing"])
def test_answers_frame_is_the_row_by_row_frame(
    random_mission: Path, questionnaire: str | None
) -> None:
    with Mission.open(random_mission) as mission:
        frame = mission.answers_frame(questionnaire)
        expected = reference_answers_frame(random_mission, mission.questionnaires, questionnaire)
    assert len(expected) > (0 if questionnaire != "nothing" else -1)
    _assert_same(frame, expected)


@pytest.mark.parametrize("questionnaire", [None, "organ_removal", "nothing"])
def test_answers_frame_without_details_is_the_frame_s_first_columns(
    random_mission: Path, questionnaire: str | None
) -> None:
    # What scoring reads: the same rows in the same order, without notes and who-when.
    with Mission.open(random_mission) as mission:
        frame = mission.answers_frame(questionnaire, details=False)
        expected = mission.answers_frame(questionnaire)[COLUMNS[:6]]
    _assert_same(frame, expected)


def test_the_random_mission_holds_every_kind_of_value(random_mission: Path) -> None:
    with Mission.open(random_mission) as mission:
        values = mission.answers_frame()["value"]
    kinds = {type(v) for v in values}
    assert kinds == {str, int, float, tuple}
    assert any(isinstance(v, str) and "\\" in v for v in values)
    assert any(isinstance(v, int) and abs(v) >= 2**63 for v in values)


def test_an_empty_mission_gives_an_empty_frame_of_the_same_shape(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    create_demo_mission(path).close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DROP TRIGGER IF EXISTS history_no_delete")
        conn.execute("DELETE FROM answers")
    conn.close()
    with Mission.open(path) as mission:
        frame = mission.answers_frame()
        expected = reference_answers_frame(path, mission.questionnaires)
    assert frame.empty
    _assert_same(frame, expected)


def test_respondents_frame_lists_each_respondent_with_their_answer_count(
    random_mission: Path,
) -> None:
    with Mission.open(random_mission) as mission:
        frame = mission.respondents_frame()
        people = mission.respondents()
        answers = mission.answers_frame()
    assert list(frame["respondent"]) == [p.code for p in people]
    assert list(frame["institution_type"]) == [p.institution_type for p in people]
    assert list(frame["interview_date"]) == [p.interview_date for p in people]
    assert list(frame["consent"]) == [p.consent for p in people]
    counts = answers.groupby("respondent").size()
    assert list(frame["answers"]) == [int(counts.get(p.code, 0)) for p in people]
    assert frame["answers"].sum() == len(answers)
    assert str(frame["consent"].dtype) == "bool"
    assert str(frame["answers"].dtype) == "int64"


def test_respondents_frame_of_a_mission_without_respondents(tmp_path: Path) -> None:
    from assessment_kit.questionnaire import builtin

    with Mission.create(
        tmp_path / "new.db",
        country="Freedonia",
        title="New",
        questionnaires=[builtin("organ_removal")],
    ) as mission:
        frame = mission.respondents_frame()
    assert frame.empty
    assert list(frame.columns) == [
        "respondent", "institution_type", "sector", "interview_date", "interviewer", "consent",
        "answers",
    ]  # fmt: skip


@pytest.mark.parametrize("questionnaire", [None, "criminal_justice", "nothing"])
def test_postgresql_reads_the_same_frames_as_the_file(
    random_mission: Path, pg_server: PgServer, questionnaire: str | None
) -> None:
    # The random mission (every kind of value, big integers, backslashes) copied to a
    # server: its frames, read by PostgreSQL's path, equal the file's.
    url = pg_server.new_database()
    copy_mission(random_mission, url)
    with Mission.open(random_mission) as file, Mission.open(url) as server:
        _assert_same(server.answers_frame(questionnaire), file.answers_frame(questionnaire))
        assert server.respondents_frame().equals(file.respondents_frame())
        assert server.history_frame().equals(file.history_frame())
