"""Benchmark: writing 1,000 answers one by one, as the interview form does.

Run with ``python benchmarks/bench_store.py``. Each answer goes through
``Mission.set_answer`` (validation, one BEGIN IMMEDIATE transaction, the answer upsert and
a history row, COMMIT with synchronous=FULL). The baseline, measured in the same run on
the same disk, is a bare sqlite3 INSERT + COMMIT per answer with the same PRAGMAs. Target:
p95 under 5 ms per answer.
"""

from __future__ import annotations

import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from scale_survey import scale_survey

N = 1_000
SCALE_CHOICES = ("yes", "partly", "no", "unknown")

QUESTIONNAIRE = scale_survey(50)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed_interleaved(
    writers: list[Callable[[int], None]],
) -> list[list[float]]:
    """Time each writer's n-th write in turn, so both see the same disk and cache state."""
    times: list[list[float]] = [[] for _ in writers]
    for n in range(N):
        for write, samples in zip(writers, times, strict=True):
            start = time.perf_counter()
            write(n)
            samples.append((time.perf_counter() - start) * 1000)
    return times


def store_writer(directory: Path, stack: ExitStack) -> Callable[[int], None]:
    from assessment_kit.questionnaire import loads
    from assessment_kit.store import Mission

    questionnaire = loads(QUESTIONNAIRE, file="bench.yaml")
    mission = Mission.create(
        directory / "bench.db", country="Freedonia", title="Bench", questionnaires=[questionnaire]
    )
    stack.callback(mission.close)
    codes = [f"R{n:02d}" for n in range(N // 50)]
    for code in codes:
        mission.add_respondent(code, institution_type="police")

    def write(n: int) -> None:
        mission.set_answer(
            codes[n // 50], "bench", f"q{n % 50:02d}", SCALE_CHOICES[n % 4], by="bench"
        )

    return write


def baseline_writer(directory: Path, stack: ExitStack) -> Callable[[int], None]:
    conn = sqlite3.connect(directory / "baseline.db", isolation_level=None)
    stack.callback(conn.close)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("CREATE TABLE answers (respondent TEXT, question TEXT, value TEXT)")

    def write(n: int) -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO answers VALUES (?, ?, ?)",
            (f"R{n // 50:02d}", f"q{n % 50:02d}", SCALE_CHOICES[n % 4]),
        )
        conn.execute("COMMIT")

    return write


def report(name: str, times: list[float]) -> tuple[float, float]:
    p50 = statistics.median(times)
    p95 = percentile(times, 0.95)
    print(
        f"  {name:<34} p50 {p50:7.3f} ms   p95 {p95:7.3f} ms   max {max(times):7.3f} ms"
        f"   total {sum(times) / 1000:6.2f} s"
    )
    return p50, p95


def main() -> int:
    print(f"Writing {N:,} answers one by one (WAL, synchronous=FULL, one transaction each)")
    print("  (baseline and store writes interleaved, same directory, same PRAGMAs)")
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        directory = Path(tmp)
        writers = [baseline_writer(directory, stack), store_writer(directory, stack)]
        baseline, store = timed_interleaved(writers)
    base50, base95 = report("baseline: bare INSERT + COMMIT", baseline)
    p50, p95 = report("Mission.set_answer", store)
    print(f"  {'ratio store/baseline':<34} p50 {p50 / base50:6.2f}x     p95 {p95 / base95:6.2f}x")
    verdict = "MET" if p95 < 5.0 else "MISSED"
    print(f"  target p95 < 5 ms: {verdict} ({p95:.3f} ms)")
    return 0 if p95 < 5.0 else 1


if __name__ == "__main__":
    sys.exit(main())
