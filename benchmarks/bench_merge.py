"""Benchmark: merging two copies of a mission, 1,000 respondents each.

Run with ``python benchmarks/bench_merge.py``. Two assessors take copies of one mission
(50 respondents, 20 answers each); each adds 1,000 respondents of their own with 20
answers each and changes the shared respondents' answers (so the merge also meets 1,000
conflicts). ``assessment-kit merge`` then brings one copy into the other: 21,000 history
entries and 20,000 answers.

Measured: the merge's time (opening both files included) and its peak memory (Python
allocations, tracemalloc, in a second run on fresh copies so that tracing does not slow
the timed one). Baselines measured in the same run, on the same disk: copying the mission
file (the floor of any merge that reads a copy), and importing the same answers through
the long-format import (the way to combine laptops before merge: it loses the history
and the consent, and is not idempotent). Target: the merge under 5 s.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from scale_survey import scale_survey

RESPONDENTS = 1_000
ANSWERS = 20
SHARED = 50
CHOICES = ("yes", "partly", "no")

QUESTIONNAIRE = scale_survey(ANSWERS)


def make_copies(directory: Path) -> tuple[Path, Path]:
    """The two assessors' copies, each with its own 1,000 respondents."""
    from assessment_kit.questionnaire import loads
    from assessment_kit.store import Mission

    questionnaire = loads(QUESTIONNAIRE, file="bench.yaml")
    base = directory / "base.db"
    with (
        Mission.create(
            base, country="Freedonia", title="Bench", questionnaires=[questionnaire]
        ) as m,
        m.batch(by="lead") as batch,
    ):
        for n in range(SHARED):
            batch.add_respondent(f"S{n:03d}", institution_type="police")
            for q in range(ANSWERS):
                batch.set_answer(f"S{n:03d}", "bench", f"q{q:02d}", "no")
    copies = []
    for who, pick in (("ana", 0), ("ben", 1)):
        copy = directory / f"{who}.db"
        shutil.copyfile(base, copy)
        with Mission.open(copy) as m, m.batch(by=who) as batch:
            for n in range(RESPONDENTS):
                code = f"{who.upper()}{n:04d}"
                batch.add_respondent(code, institution_type="police", consent=True)
                for q in range(ANSWERS):
                    batch.set_answer(code, "bench", f"q{q:02d}", CHOICES[(n + q + pick) % 3])
            for n in range(SHARED):
                for q in range(ANSWERS):
                    batch.set_answer(f"S{n:03d}", "bench", f"q{q:02d}", CHOICES[pick])
        copies.append(copy)
    return copies[0], copies[1]


def fresh(directory: Path, source: Path, name: str) -> Path:
    target = directory / name
    shutil.copyfile(source, target)
    return target


def main() -> int:
    from assessment_kit.files import export_answers, import_answers
    from assessment_kit.store import merge_missions

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        ana, ben = make_copies(directory)
        print(
            f"Merging two copies of a mission, {RESPONDENTS:,} respondents each "
            f"({ANSWERS} answers each, {SHARED} shared respondents changed on both)"
        )
        # Baseline 1: copying the file the merge reads.
        start = time.perf_counter()
        shutil.copyfile(ben, directory / "copied.db")
        copy_s = time.perf_counter() - start
        # Baseline 2: the same answers through the long-format import.
        csv = directory / "ben.csv"
        export_answers(ben, "csv", csv)
        target = fresh(directory, ana, "imported.db")
        start = time.perf_counter()
        imported = import_answers(target, csv, by="import")
        import_s = time.perf_counter() - start
        # The merge, timed.
        target = fresh(directory, ana, "merged.db")
        start = time.perf_counter()
        result = merge_missions(target, [ben])
        merge_s = time.perf_counter() - start
        # The merge again on fresh copies, for its peak memory.
        target = fresh(directory, ana, "traced.db")
        tracemalloc.start()
        merge_missions(target, [ben])
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    counts = result.counts
    print(
        f"  merged: {counts.history_added:,} history entries, {counts.respondents_added:,}"
        f" respondents, {counts.answers_added:,} answers added;"
        f" {len(counts.conflicts):,} conflicts"
    )
    print(f"  {'baseline: copy the file':<40} {copy_s:7.3f} s")
    print(
        f"  {'baseline: long-format import':<40} {import_s:7.3f} s"
        f"   ({imported.answers_written:,} answers)"
    )
    print(f"  {'merge':<40} {merge_s:7.3f} s   peak memory {peak / 2**20:6.1f} MiB")
    print(f"  {'ratio merge/import':<40} {merge_s / import_s:7.2f}x")
    print(f"  {'ratio merge/copy':<40} {merge_s / copy_s:7.1f}x")
    verdict = "MET" if merge_s < 5.0 else "MISSED"
    print(f"  target merge < 5 s: {verdict} ({merge_s:.2f} s)")
    return 0 if merge_s < 5.0 else 1


if __name__ == "__main__":
    sys.exit(main())
