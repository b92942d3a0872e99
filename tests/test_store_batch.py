"""The store's public batch write: many writes, one transaction, every change in the
history; all or nothing. Real SQLite files and PostgreSQL databases (the ``backend``
fixture), the inline survey questionnaire."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from conftest import Backend
from store_support import SURVEY_YAML

from assessment_kit.errors import AnswerError, Code, StoreError
from assessment_kit.questionnaire import loads
from assessment_kit.store import Batch, Mission


@pytest.fixture
def mission(backend: Backend) -> Iterator[Mission]:
    survey = loads(SURVEY_YAML, file="survey.yaml")
    with Mission.create(
        backend.target(), country="Freedonia", title="T", questionnaires=[survey]
    ) as created:
        created.add_respondent("R1", institution_type="police")
        yield created


def _in_batch(mission: Mission, writes: Callable[[Batch], None]) -> None:
    with mission.batch() as batch:
        writes(batch)


def _rows(mission: Mission, table: str) -> int:
    count: int = mission._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return count


def test_a_batch_writes_everything_with_its_history_and_one_time(mission: Mission) -> None:
    before = _rows(mission, "history")
    with mission.batch(by="importer") as batch:
        added = batch.add_respondent("P1", institution_type="ngo")
        batch.set_answer("P1", "survey", "law", "partly", note="seen the draft")
        batch.set_answer("R1", "survey", "roles", "origin transit")
        batch.consolidate("survey", "law", "yes", rationale="the law of 2024")
        # Reads inside the batch see its own writes.
        assert batch.stored_values("P1", "survey") == {"law": "partly"}
        assert batch.stored_values(None, "survey") == {"law": "yes"}
    assert added.sector == "civil_society"  # the questionnaire's sector for the type
    assert mission.answer("P1", "survey", "law") is not None
    assert mission.consolidated("survey")["law"].rationale == "the law of 2024"
    history = mission.history_frame().iloc[before:]
    assert list(history["kind"]) == ["respondent", "answer", "answer", "consolidated"]
    assert set(history["by"]) == {"importer"}
    assert history["at"].nunique() == 1
    assert history["at"].iloc[0] == batch.now


def test_an_error_in_the_block_writes_nothing(mission: Mission) -> None:
    counts = {table: _rows(mission, table) for table in ("respondents", "answers", "history")}

    def refused(batch: Batch) -> None:
        batch.add_respondent("P1", institution_type="ngo")
        batch.set_answer("P1", "survey", "law", "yes")
        batch.set_answer("P1", "survey", "law", "maybe")  # not a choice

    def failing(batch: Batch) -> None:
        batch.set_answer("R1", "survey", "law", "yes")
        raise RuntimeError("the caller failed")

    with pytest.raises(AnswerError) as caught:
        _in_batch(mission, refused)
    assert caught.value.codes == [Code.BAD_VALUE]
    assert {table: _rows(mission, table) for table in counts} == counts
    with pytest.raises(RuntimeError):
        _in_batch(mission, failing)
    assert {table: _rows(mission, table) for table in counts} == counts


def test_an_unknown_respondent_or_question_is_refused(mission: Mission) -> None:
    with pytest.raises(AnswerError) as caught, mission.batch() as batch:
        batch.set_answer("nobody", "survey", "law", "yes")
    assert caught.value.codes == [Code.UNKNOWN_RESPONDENT]
    with pytest.raises(AnswerError) as caught, mission.batch() as batch:
        batch.set_answer("R1", "survey", "nothing", "yes")
    assert caught.value.codes == [Code.UNKNOWN_QUESTION]


def test_constraints_are_checked_at_the_end_whatever_the_order(mission: Mission) -> None:
    # convicted <= victims: written before victims, the pair holds once both are written.
    with mission.batch() as batch:
        batch.set_answer("R1", "survey", "convicted", 5)
        batch.set_answer("R1", "survey", "victims", 8)
    assert mission.answer("R1", "survey", "convicted") is not None
    # Lowering victims below convicted breaks the constraint of the answer written: the
    # whole batch is refused, every failure listed.

    def breaking(batch: Batch) -> None:
        batch.set_answer("R1", "survey", "convicted", 6)
        batch.set_answer("R1", "survey", "year", 1800)
        batch.set_answer("R1", "survey", "victims", 2)

    with pytest.raises(AnswerError) as caught:
        _in_batch(mission, breaking)
    assert sorted(problem.path or "" for problem in caught.value.problems) == [
        "convicted",
        "year",
    ]
    assert set(caught.value.codes) == {Code.CONSTRAINT}
    stored = mission.answer("R1", "survey", "victims")
    assert stored is not None
    assert stored.value == 8


def test_a_batch_cannot_be_used_after_it_ends(mission: Mission) -> None:
    with mission.batch() as batch:
        pass
    assert isinstance(batch, Batch)
    with pytest.raises(StoreError):
        batch.set_answer("R1", "survey", "law", "yes")
    assert mission.answer("R1", "survey", "law") is None
