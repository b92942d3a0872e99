"""Benchmark: importing a KoboToolbox export of 1,000 submissions of the criminal-justice
instrument.

Run with ``python benchmarks/bench_interop.py [--submissions N] [--runs R]``. The export
is a Kobo CSV in the exact shape the server gives (tests/interop_support.py, shared with
the tests): ``group/question`` headers, one 0/1 column per option of a select_multiple,
Kobo's metadata. Each run imports it into a fresh mission with ``import_submissions``
(reading, recognising the form, checking every cell and constraint once, then the store's
bulk write, ``Batch.write_checked``: respondents, answers and their history rows, a
statement per table for each slice of submissions, in one transaction).

The baseline, measured in the same run on the same disk, is our own long-format import
(``import_answers``) of the same answers into a fresh mission: the same writes through the
same bulk path, from one row per answer. Time is the best of the runs; peak memory is
Python's allocations (tracemalloc) in one further run of each. The machine's load average
is printed beside the times, since a shared machine can slow both several times over; the
CPU time (the process's own) is printed too, as it depends less on what else runs.
Target: under 3 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

# The writer of the servers' export shapes lives with the tests, which check it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from interop_support import kobo_table, long_rows, random_submissions, write_csv

from assessment_kit.files import import_answers, import_submissions
from assessment_kit.questionnaire import builtin
from assessment_kit.store import Mission

TARGET_SECONDS = 3.0


def _fresh(folder: Path, name: str) -> Path:
    path = folder / name
    with Mission.create(
        path, country="Freedonia", title="Benchmark", questionnaires=[builtin("criminal_justice")]
    ):
        pass
    return path


def _measure(
    folder: Path, label: str, run: Callable[[Path], object], runs: int
) -> tuple[float, float, float]:
    """Best wall time of ``runs`` runs and the CPU time of that run, then the peak of
    Python's allocations in one more (MB)."""
    times = []
    for number in range(runs):
        mission = _fresh(folder, f"{label}-{number}.db")
        started, cpu = time.perf_counter(), time.process_time()
        run(mission)
        times.append((time.perf_counter() - started, time.process_time() - cpu))
    mission = _fresh(folder, f"{label}-traced.db")
    tracemalloc.start()
    run(mission)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    wall, cpu = min(times)
    return wall, cpu, peak / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=1, help="timed runs of each (best kept)")
    args = parser.parse_args()
    questionnaire = builtin("criminal_justice")
    submissions = random_submissions(questionnaire, args.submissions)
    answers = sum(len(s.answers) for s in submissions)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        kobo = write_csv(folder / "kobo.csv", kobo_table(questionnaire, submissions))
        # The baseline's rows carry the codes the Kobo import gives, so both write the same.
        probe = _fresh(folder, "probe.db")
        import_submissions(probe, kobo)
        with Mission.open(probe) as mission:
            codes = sorted(r.code for r in mission.respondents())
        long = write_csv(folder / "long.csv", long_rows(questionnaire, submissions, codes))
        ours, ours_cpu, ours_mb = _measure(
            folder, "kobo", lambda m: import_submissions(m, kobo), args.runs
        )
        base, base_cpu, base_mb = _measure(
            folder, "long", lambda m: import_answers(m, long), args.runs
        )
        print(
            f"{args.submissions:,} Kobo submissions of criminal_justice, {answers:,} answers "
            f"({kobo.stat().st_size / 2**20:.1f} MB CSV, {len(kobo_table(questionnaire, [])[0])} "
            "columns)"
        )
    print(
        f"import_submissions (Kobo CSV):        {ours:7.2f} s (CPU {ours_cpu:6.2f} s)  "
        f"peak {ours_mb:7.1f} MB"
    )
    print(
        f"import_answers (long CSV, baseline):  {base:7.2f} s (CPU {base_cpu:6.2f} s)  "
        f"peak {base_mb:7.1f} MB"
    )
    print(
        f"ratio Kobo / long: time {ours / base:.2f}x, CPU {ours_cpu / base_cpu:.2f}x, "
        f"memory {ours_mb / base_mb:.2f}x"
    )
    print(f"load average (1, 5, 15 min): {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    verdict = "met" if ours < TARGET_SECONDS else "MISSED"
    print(f"target under {TARGET_SECONDS:.0f} s: {verdict}")
    return 0 if ours < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
