"""Concurrency test: two processes write the same mission at once; both succeed."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import pytest
from store_support import SURVEY_YAML, WORKER_ANSWERS

from assessment_kit.questionnaire import loads
from assessment_kit.store import Mission

WORKER = Path(__file__).with_name("store_support.py")
PER_WORKER = 200


@pytest.mark.slow
def test_two_writers_at_once(tmp_path: Path) -> None:
    path = tmp_path / "mission.db"
    survey = loads(SURVEY_YAML, file="survey.yaml")
    Mission.create(path, country="F", title="T", questionnaires=[survey]).close()
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), str(path), prefix, str(PER_WORKER)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for prefix in ("A", "B")
    ]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    for worker, (_, stderr) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, stderr
    acknowledged = {tuple(line.split()) for stdout, _ in outputs for line in stdout.splitlines()}
    assert len(acknowledged) == 2 * PER_WORKER

    with Mission.open(path) as mission:
        frame = mission.answers_frame()
        history = mission.history_frame()
        assert mission._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert set(zip(frame.respondent, frame.question, strict=True)) == acknowledged
    answered = history[history.kind == "answer"]
    assert len(answered) == 2 * PER_WORKER
    assert set(zip(answered.respondent, answered.question, strict=True)) == acknowledged
    respondents = -(-PER_WORKER // len(WORKER_ANSWERS))
    assert (history.kind == "respondent").sum() == 2 * respondents
    assert set(answered["by"]) == {"A", "B"}
    # The two writers really interleaved (both were writing at the same time).
    sequence = list(answered["by"])
    switches = sum(1 for a, b in itertools.pairwise(sequence) if a != b)
    assert switches >= 1
