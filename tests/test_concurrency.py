"""Concurrency tests: several processes write the same mission at once; all succeed and
nothing is lost, on an SQLite file and on a PostgreSQL database."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Backend
from store_support import SURVEY_YAML, WORKER_ANSWERS

from assessment_kit.questionnaire import loads
from assessment_kit.store import Mission

WORKER = Path(__file__).with_name("store_support.py")
PER_WORKER = 200
#: Writers at once: two share a file; a server takes more.
WRITERS = {"sqlite": ("A", "B"), "postgresql": ("A", "B", "C", "D")}


@pytest.mark.slow
def test_writers_at_once(backend: Backend) -> None:
    target = backend.target()
    survey = loads(SURVEY_YAML, file="survey.yaml")
    Mission.create(target, country="F", title="T", questionnaires=[survey]).close()
    prefixes = WRITERS[backend.name]
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), target, prefix, str(PER_WORKER)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for prefix in prefixes
    ]
    outputs = [worker.communicate(timeout=300) for worker in workers]
    for worker, (_, stderr) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, stderr
    acknowledged = {tuple(line.split()) for stdout, _ in outputs for line in stdout.splitlines()}
    assert len(acknowledged) == len(prefixes) * PER_WORKER

    with Mission.open(target) as mission:
        frame = mission.answers_frame()
        history = mission.history_frame()
        if backend.name == "sqlite":
            assert mission._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert set(zip(frame.respondent, frame.question, strict=True)) == acknowledged
    answered = history[history.kind == "answer"]
    assert len(answered) == len(prefixes) * PER_WORKER
    assert set(zip(answered.respondent, answered.question, strict=True)) == acknowledged
    respondents = -(-PER_WORKER // len(WORKER_ANSWERS))
    assert (history.kind == "respondent").sum() == len(prefixes) * respondents
    assert set(answered["by"]) == set(prefixes)
    # The writers really interleaved (they were writing at the same time).
    sequence = list(answered["by"])
    switches = sum(1 for a, b in itertools.pairwise(sequence) if a != b)
    assert switches >= 1


# Each process adds the same respondents: the store reads, checks (a duplicate?) and
# writes, so without writers taking turns two of them would both find a code free.
RACER = """
import sys
from assessment_kit.errors import AnswerError, Code
from assessment_kit.store import Mission

with Mission.open(sys.argv[1]) as mission:
    for n in range(int(sys.argv[2])):
        try:
            mission.add_respondent(f"C{n:03d}", institution_type="police", by=sys.argv[3])
        except AnswerError as error:
            assert error.codes == [Code.DUPLICATE_RESPONDENT], error
            continue
        print(f"C{n:03d}", flush=True)
"""


@pytest.mark.slow
def test_racing_writers_each_add_a_respondent_once(backend: Backend) -> None:
    target = backend.target()
    survey = loads(SURVEY_YAML, file="survey.yaml")
    Mission.create(target, country="F", title="T", questionnaires=[survey]).close()
    count = 60
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, target, str(count), name],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("A", "B", "C")
    ]
    outputs = [racer.communicate(timeout=300) for racer in racers]
    for racer, (_, stderr) in zip(racers, outputs, strict=True):
        assert racer.returncode == 0, stderr
    added = [line for stdout, _ in outputs for line in stdout.split()]
    assert sorted(added) == [f"C{n:03d}" for n in range(count)]  # each once, by one racer
    with Mission.open(target) as mission:
        history = mission.history_frame()
        assert len(mission.respondents()) == count
    assert sorted(history.respondent) == sorted(added)
