"""Crash test: a writer killed with SIGKILL loses nothing it had acknowledged (on an SQLite
file and on a PostgreSQL database)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Backend
from store_support import SURVEY_YAML

from assessment_kit.questionnaire import loads
from assessment_kit.store import Mission

WORKER = Path(__file__).with_name("store_support.py")


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_loses_no_acknowledged_answer(backend: Backend) -> None:
    path = backend.target()
    survey = loads(SURVEY_YAML, file="survey.yaml")
    Mission.create(path, country="F", title="T", questionnaires=[survey]).close()
    acknowledged: list[tuple[str, ...]] = []
    with subprocess.Popen(
        [sys.executable, str(WORKER), path, "K", "1000000"],
        stdout=subprocess.PIPE,
        text=True,
    ) as worker:
        assert worker.stdout is not None
        try:
            for line in worker.stdout:
                acknowledged.append(tuple(line.split()))
                if len(acknowledged) == 300:
                    break
            # Kill it mid-stream: it is still writing (the loop runs a million answers).
            os.kill(worker.pid, signal.SIGKILL)
            # Lines printed between our last read and the kill were acknowledged too.
            acknowledged += [tuple(line.split()) for line in worker.stdout]
        finally:
            worker.kill()
            worker.wait()
    assert worker.returncode == -signal.SIGKILL
    assert len(acknowledged) >= 300

    with Mission.open(path) as mission:
        if backend.name == "sqlite":
            assert mission._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {(row.respondent, row.question) for row in mission.answers_frame().itertuples()}
        history = mission.history_frame()
    assert set(acknowledged) <= stored
    answered = history[history.kind == "answer"]
    assert set(acknowledged) <= set(zip(answered.respondent, answered.question, strict=True))
    if backend.name == "sqlite":
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
