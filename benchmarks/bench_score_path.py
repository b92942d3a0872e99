"""Benchmark: scoring from the mission file, the whole path, 1,000 respondents.

Run with ``python benchmarks/bench_score_path.py``. It builds a mission file with both
built-in instruments and 1,000 respondents (the answers of ``bench_scoring.synthesise``
to the questions meant for each respondent's institution type, about 120,000), then times

* the whole path in process: ``Mission.open``, ``answers_frame``, ``consolidated_frame``
  and ``score_mission``, best of 5 (parsed instruments are cached by their text, as in a
  notebook session);
* the read alone: ``answers_frame`` and ``consolidated_frame`` on an open mission;
* the baseline, in the same run: the engine alone (``score_answers``) on the same frames;
* ``assessment-kit score --json`` as a subprocess, next to a bare ``python -c pass``:
  best of 3 as a user runs it, after one warm-up run. The subprocesses run with bytecode
  allowed (``PYTHONDONTWRITEBYTECODE`` removed from their environment): an installed
  package has its ``.pyc`` files (pip compiles them), and an environment that forbids
  writing them would time compiling every module from source instead. The warm-up run
  (printed too) writes the bytecode of a source checkout and fills the instrument cache
  (``questionnaire/cache.py``, here a folder of the run's own), as a user's first run does.

Each figure is the best wall time and the best CPU time (user + system, children
included): on a shared machine the wall clock also counts other programs' turns.

Targets (issue 10): the whole path <= 0.4 s; ``score --json`` <= 1.0 s.
"""

from __future__ import annotations

import gc
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_scoring import INSTRUMENTS, synthesise

from assessment_kit.questionnaire import builtin
from assessment_kit.questionnaire.cache import ENV_VAR
from assessment_kit.scoring import score_answers, score_mission
from assessment_kit.store import Mission
from assessment_kit.store.values import encode_value

RESPONDENTS = 1_000
WHOLE_PATH_TARGET = 0.4
CLI_TARGET = 1.0


def build_mission(path: Path) -> int:
    """A 1,000-respondent mission file; returns the number of answers written.

    The mission and its instruments are created through the store; the respondents and
    answers are inserted in one transaction with plain SQL, as the store writes them,
    because 120,000 interview-style writes (one transaction each) would take minutes.
    """
    questionnaires = {name: builtin(name) for name in INSTRUMENTS}
    answers, consolidated = synthesise(questionnaires, RESPONDENTS)
    # Each respondent answers the questions meant for their institution type, as in the
    # interview form (about 120,000 answers, as on the mission measured in issue 10).
    meant = {
        (name, kind, question.id)
        for name, questionnaire in questionnaires.items()
        for kind in set(answers["institution_type"])
        for question in questionnaire.questions_for(kind)
    }
    columns = (answers["questionnaire"], answers["institution_type"], answers["question"])
    keys = zip(*columns, strict=True)
    answers = answers[[key in meant for key in keys]].reset_index(drop=True)
    with Mission.create(
        path, country="Benchland", title="Score path", questionnaires=list(questionnaires.values())
    ) as mission:
        sectors = mission.institution_types()
    stamp = "2026-11-25T10:00:00.000000+00:00"
    conn = sqlite3.connect(path)
    with conn:
        first = answers.drop_duplicates("respondent")
        conn.executemany(
            "INSERT INTO respondents (code, institution_type, sector, interviewer, consent,"
            " created_at, updated_at) VALUES (?, ?, ?, 'bench', 1, ?, ?)",
            [
                (code, kind, sectors.get(kind, ""), f"{stamp[:20]}{n:06d}+00:00", stamp)
                for n, (code, kind) in enumerate(
                    zip(first["respondent"], first["institution_type"], strict=True)
                )
            ],
        )
        conn.executemany(
            "INSERT INTO answers (respondent, questionnaire, question, value, note, evidence,"
            " confidential, updated_by, updated_at) VALUES (?, ?, ?, ?, '', '', 0, 'bench', ?)",
            [
                (r, qn, q, encode_value(v), stamp)
                for r, qn, q, v in zip(
                    answers["respondent"],
                    answers["questionnaire"],
                    answers["question"],
                    answers["value"],
                    strict=True,
                )
            ],
        )
        conn.executemany(
            "INSERT INTO consolidated (questionnaire, question, value, rationale, updated_by,"
            " updated_at) VALUES (?, ?, ?, ?, 'bench', ?)",
            [
                (qn, q, encode_value(v), rationale, stamp)
                for qn, q, v, rationale in zip(
                    consolidated["questionnaire"],
                    consolidated["question"],
                    consolidated["value"],
                    consolidated["rationale"],
                    strict=True,
                )
            ],
        )
    conn.close()
    return len(answers)


def timed(function: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Best wall time and best CPU time (this process and its children) of ``repeat`` runs.

    CPU time is printed next to wall time because on a shared machine the wall clock also
    counts the time other programs held the processor.
    """
    walls, cpus = [], []
    for _ in range(repeat):
        gc.collect()
        before = _cpu()
        start = time.perf_counter()
        function()
        walls.append(time.perf_counter() - start)
        cpus.append(_cpu() - before)
    return min(walls), min(cpus)


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def whole_path(path: Path) -> None:
    with Mission.open(path) as mission:
        score_mission(mission)


def cli_command() -> list[str]:
    script = shutil.which("assessment-kit", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "assessment_kit.cli"]


def subprocess_environment(cache_folder: Path) -> dict[str, str]:
    """The environment of the timed subprocesses: bytecode allowed, as in an installed
    package, and an instrument cache of their own."""
    environment = dict(os.environ)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    environment[ENV_VAR] = str(cache_folder)
    return environment


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench-mission.db"
        start = time.perf_counter()
        count = build_mission(path)
        size = path.stat().st_size / 2**20
        print(f"Mission: {RESPONDENTS:,} respondents, {count:,} answers, {size:.1f} MiB")
        print(f"  (built in {time.perf_counter() - start:.1f} s)\n")

        # Parsed instruments are kept in memory by their text, as in a notebook session:
        # the subprocesses below start cold (imports, and the instruments from the cache).
        warm = timed(lambda: whole_path(path), 5)
        with Mission.open(path) as mission:
            read = timed(lambda: (mission.answers_frame(), mission.consolidated_frame()), 5)
            answers, consolidated = mission.answers_frame(), mission.consolidated_frame()
            questionnaires = dict(mission.questionnaires)
        engine = timed(lambda: score_answers(questionnaires, answers, consolidated), 5)

        def row(name: str, figures: tuple[float, float], note: str = "") -> None:
            wall, cpu = figures
            print(f"  {name:<27} {wall * 1000:8.1f} ms {cpu * 1000:8.1f} ms  {note}".rstrip())

        print(f"In process (best of 5):       {'wall':>8}    {'CPU':>8}")
        row("whole path", warm, "(open, read, score)")
        row("read answers+consolidated", read)
        row("baseline: engine alone", engine, "(same frames)")
        wall_ratio, cpu_ratio = warm[0] / engine[0], warm[1] / engine[1]
        print(f"  ratio whole / engine        {wall_ratio:8.2f}x    {cpu_ratio:8.2f}x")

        command = [*cli_command(), "score", str(path), "--json"]
        environment = subprocess_environment(Path(tmp) / "cache")

        def score() -> None:
            subprocess.run(command, check=True, capture_output=True, env=environment)

        first = timed(score, 1)  # the warm-up: writes the instrument cache (and bytecode)
        cli = timed(score, 3)
        bare = timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), 3)
        print(f"\nSubprocess (best of 3):       {'wall':>8}    {'CPU':>8}")
        row("assessment-kit score --json", cli, "(after one warm-up run)")
        row("  warm-up run", first, "(writes the instrument cache)")
        row("python -c pass", bare, "(interpreter start)")
        if os.environ.get("PYTHONDONTWRITEBYTECODE"):
            print(
                "  (PYTHONDONTWRITEBYTECODE is set here; the subprocesses run without it, as"
                " an installed package,\n   whose .pyc files pip wrote, runs)"
            )

    print("\nTargets (wall time; CPU time in brackets):")
    for name, (wall, cpu), target in (
        ("whole path", warm, WHOLE_PATH_TARGET),
        ("score --json", cli, CLI_TARGET),
    ):
        verdict = (
            "met" if wall <= target else "missed" + (" (met in CPU time)" if cpu <= target else "")
        )
        print(f"  {name:<13} {wall:5.2f} s ({cpu:4.2f} s)  target <= {target} s: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
