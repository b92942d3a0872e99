"""Answers read and scored without pandas (assessment_kit.columns): the same codes as
pandas.factorize, the same rows as the frames, the same scores, and no pandas imported on a
briefing export's path."""

from __future__ import annotations

import json
import math
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from assessment_kit.columns import Columns, factorize, is_missing
from assessment_kit.demo import create_demo_mission
from assessment_kit.scoring import score_mission
from assessment_kit.scoring.engine import score_answers
from assessment_kit.store import Mission

CELLS = st.one_of(
    st.none(),
    st.just(math.nan),
    st.sampled_from(["yes", "no", "partly", "unknown", ""]),
    st.integers(-3, 3),
    st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(["c", "d"])),
)


def _pandas_codes(values: list[object], *, sort: bool = False) -> tuple[list[int], list[object]]:
    cells = np.empty(len(values), dtype=object)
    for index, value in enumerate(values):  # cell by cell: tuples stay whole
        cells[index] = value
    codes, uniques = pd.factorize(cells, sort=sort)
    return codes.tolist(), list(uniques)


@settings(max_examples=200, deadline=None)
@given(st.lists(CELLS, max_size=30))
def test_factorize_codes_as_pandas_does(values: list[object]) -> None:
    codes, uniques = factorize(values)
    assert (codes.tolist(), uniques) == _pandas_codes(values)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["b", "a", "é", "Z", "a1"])), max_size=20))
def test_factorize_sorted_as_pandas_does(values: list[object]) -> None:
    codes, uniques = factorize(values, sort=True)
    assert (codes.tolist(), uniques) == _pandas_codes(values, sort=True)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-5, 40), max_size=40), st.booleans())
def test_factorize_integers_as_pandas_does(values: list[int], sort: bool) -> None:
    array = np.array(values, dtype=np.int64)
    codes, uniques = factorize(array, sort=sort)
    expected_codes, expected_uniques = pd.factorize(array, sort=sort)
    assert codes.tolist() == expected_codes.tolist()
    assert uniques == expected_uniques.tolist()


def test_missing_values_and_unhashable_ones() -> None:
    assert all(is_missing(v) for v in (None, math.nan, np.float64("nan"), pd.NA, pd.NaT))
    assert not any(is_missing(v) for v in ("", 0, 0.0, False, ("a",)))
    with pytest.raises(TypeError):
        factorize([["a"], "b"])  # a list cannot be a key, as in pandas


def test_columns_behave_as_a_table() -> None:
    table = Columns(
        {"name": ["a", "b", "c"], "value": [1, ("x", "y"), None], "flag": np.array([1, 0, 1]) > 0},
        objects=("value",),
    )
    assert (len(table), table.empty, "value" in table, "other" in table) == (3, False, True, False)
    taken = table.take([2, 0])
    assert taken.records() == [
        {"name": "c", "value": None, "flag": True},
        {"name": "a", "value": 1, "flag": True},
    ]
    assert type(taken.records()[0]["flag"]) is bool  # numpy's scalars unboxed
    frame = table.to_frame()
    assert frame["value"].dtype == object
    assert frame["value"].tolist() == [1, ("x", "y"), None]
    assert Columns({}).empty
    assert Columns.from_records([], ["a"]).to_frame().columns.tolist() == ["a"]
    with pytest.raises(ValueError, match="different lengths"):
        Columns({"a": [1], "b": [1, 2]})


@pytest.fixture(scope="module")
def mission_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo mission, with an answer to a question its instrument no longer has (the
    rows that sort by id) and a consolidated answer."""
    path = tmp_path_factory.mktemp("columns") / "demo.db"
    with create_demo_mission(path) as mission:
        respondent = mission.respondents()[0].code
        questionnaire = next(iter(mission.questionnaires))
        question, answer = next(iter(mission.answers_for(respondent, questionnaire).items()))
        mission.consolidate(questionnaire, question, answer.value, rationale="agreed")
    with sqlite3.connect(path) as db:  # as an older instrument's answers would be kept
        db.execute(
            "INSERT INTO answers (respondent, questionnaire, question, value, updated_at)"
            " VALUES (?, ?, 'retired_question', ?, '2026-01-01T00:00:00Z')",
            (respondent, questionnaire, json.dumps("yes")),
        )
    return path


def test_tables_hold_what_the_frames_hold(mission_path: Path) -> None:
    with Mission.open(mission_path) as mission:
        for details in (True, False):
            table = mission.answers_table(details=details)
            assert_frame_equal(table.to_frame(), mission.answers_frame(details=details))
            assert "retired_question" in list(table["question"])
        assert_frame_equal(mission.consolidated_table().to_frame(), mission.consolidated_frame())
        questionnaire = next(iter(mission.questionnaires))
        assert_frame_equal(
            mission.answers_table(questionnaire).to_frame(), mission.answers_frame(questionnaire)
        )


def test_scores_from_tables_are_the_scores_from_frames(mission_path: Path) -> None:
    with Mission.open(mission_path) as mission:
        from_tables = score_mission(mission)
        from_frames = score_answers(
            dict(mission.questionnaires),
            mission.answers_frame(details=False),
            mission.consolidated_frame(),
            sections=mission.sections,
        )
    assert from_tables == from_frames
    assert from_tables.question_scores
    assert any(q.source == "consolidated" for q in from_tables.question_scores)


IMPORTED_BY_AN_EXPORT = """
import sys
from assessment_kit.briefing import export_briefing
result = export_briefing(sys.argv[1], sys.argv[2])
print(result.pages, "pandas" in sys.modules, "plotly" in sys.modules)
"""


def test_a_briefing_export_imports_neither_pandas_nor_plotly(
    mission_path: Path, tmp_path: Path
) -> None:
    """Reading, scoring, the page, the charts and the print: pandas is a quarter of a
    second to import, which every export would pay; plotly (with the package metadata it
    reads) a twentieth, for the one template file the charts' specs take from it."""
    out = tmp_path / "briefing.pdf"
    environment = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run(
        [sys.executable, "-c", IMPORTED_BY_AN_EXPORT, str(mission_path), str(out)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    pages, pandas, plotly = done.stdout.split()
    assert int(pages) > 10
    assert out.read_bytes().startswith(b"%PDF")
    assert (pandas, plotly) == ("False", "False")
