"""Benchmark: a team writing at once: 20 writer processes x 500 answers each, on a
PostgreSQL mission and on an SQLite file.

Run with ``python benchmarks/bench_team.py`` (``--writers`` and ``--answers`` change the
load). Each writer process opens the mission, adds its respondents, waits for the others at
a barrier, then saves its answers one by one through ``Mission.set_answer`` (validation, one
transaction holding the writer lock, the answer and a history row, COMMIT), timing each
call. Writers take turns on both backends, so a write's time includes waiting for the
others: this is what an assessor's "Saved" waits for while the whole team types.

PostgreSQL is a throwaway server started here (Debian's ``postgresql``; see
tools/system-packages.sh) with fsync on, as durable as the SQLite file's
synchronous=FULL. Afterwards every acknowledged answer and its history row must be in the
mission: zero lost, or the benchmark fails.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import statistics
import sys
import tempfile
import time
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store import QUESTIONNAIRE, percentile

QUESTIONS = 50


def writer(target: str, name: str, answers: int, barrier: Barrier, out: Any) -> None:
    """One assessor: their respondents, then ``answers`` answers timed one by one. A save
    the store refuses (it waited longer than its timeout for the others) is counted, as the
    form would show it, and not acknowledged; the result is sent whatever happens."""
    from assessment_kit.errors import StoreError
    from assessment_kit.store import Mission

    choices = ("yes", "partly", "no", "unknown")
    times: list[float] = []
    keys: list[tuple[str, str]] = []
    refused: list[str] = []
    try:
        with Mission.open(target) as mission:
            codes = [f"{name}-{k:03d}" for k in range(-(-answers // QUESTIONS))]
            for code in codes:
                mission.add_respondent(code, institution_type="police", by=name)
            barrier.wait()
            for n in range(answers):
                code, question = codes[n // QUESTIONS], f"q{n % QUESTIONS:02d}"
                start = time.perf_counter()
                try:
                    mission.set_answer(code, "bench", question, choices[n % 4], by=name)
                except StoreError as error:
                    refused.append(str(error))
                    continue
                times.append((time.perf_counter() - start) * 1000)
                keys.append((code, question))
    finally:
        out.put((name, times, keys, refused))


def run(target: str, writers: int, answers: int) -> dict[str, Any]:
    """Every writer at once on ``target``; the timings, and a check that nothing is lost."""
    from assessment_kit.questionnaire import loads
    from assessment_kit.store import Mission

    questionnaire = loads(QUESTIONNAIRE, file="bench.yaml")
    Mission.create(target, country="Bench", title="Team", questionnaires=[questionnaire]).close()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(writers)
    out = context.Queue()
    processes = [
        context.Process(target=writer, args=(target, f"W{i:02d}", answers, barrier, out))
        for i in range(writers)
    ]
    started = time.perf_counter()
    for process in processes:
        process.start()
    results = [out.get(timeout=3600) for _ in processes]
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise SystemExit(f"a writer failed (exit {process.exitcode})")
    elapsed = time.perf_counter() - started
    times = [t for _, samples, _, _ in results for t in samples]
    acknowledged = {key for _, _, keys, _ in results for key in keys}
    refused = [text for _, _, _, texts in results for text in texts]
    with Mission.open(target) as mission:
        frame = mission.answers_frame()
        history = mission.history_frame()
    stored = set(zip(frame.respondent, frame.question, strict=True))
    answered = history[history.kind == "answer"]
    lost = len(acknowledged - stored) + (len(acknowledged) - len(answered))
    return {
        "writes": len(times),
        "p50": statistics.median(times),
        "p95": percentile(times, 0.95),
        "max": max(times),
        "seconds": elapsed,
        "lost": lost,
        "refused": len(refused),
        "first_refusal": refused[0] if refused else "",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--answers", type=int, default=500, help="answers per writer")
    args = parser.parse_args(argv)

    from pg_support import PgServer

    import assessment_kit.store  # noqa: F401  (imported once, before the writers fork)

    print(f"{args.writers} writer processes x {args.answers} answers each, at once")
    # Stopped by a signal, the server is still stopped and its folder removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    server = PgServer(fsync=True)
    os.environ.update(server.environment())
    measured: dict[str, dict[str, Any]] = {}
    try:
        with tempfile.TemporaryDirectory() as folder:
            targets = {
                "PostgreSQL": lambda: server.new_database("bench"),
                "SQLite": lambda: str(Path(folder) / "team.db"),
            }
            for name, target in targets.items():
                m = measured[name] = run(target(), args.writers, args.answers)
                print(
                    f"{name:<10} {m['writes']:>6.0f} writes in {m['seconds']:6.1f} s:"
                    f" p50 {m['p50']:7.2f} ms, p95 {m['p95']:7.2f} ms, slowest"
                    f" {m['max'] / 1000:5.1f} s per answer;"
                    f" {m['lost']:.0f} answers lost, {m['refused']} saves refused",
                    flush=True,
                )
                if m["refused"]:
                    print(f"           first refusal: {m['first_refusal']}", flush=True)
    finally:
        server.stop()
    pg, lite = measured["PostgreSQL"], measured["SQLite"]
    print(
        f"PostgreSQL / SQLite: p50 x{pg['p50'] / lite['p50']:.2f},"
        f" p95 x{pg['p95'] / lite['p95']:.2f}, total time x{pg['seconds'] / lite['seconds']:.2f}"
    )
    if pg["lost"] or lite["lost"]:
        print("FAIL: answers were lost")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
