"""Benchmark: scoring 1,000 respondents answering both built-in instruments.

Run with ``python benchmarks/bench_scoring.py``. It synthesises answers in the shape of
``Mission.answers_frame()`` (seeded: mostly scored choices, some non-scored states, some
unanswered questions, a few consolidated answers), then times

* ``score_answers`` (vectorised pandas/numpy): best of 3 and median, peak memory;
* a baseline in the same run: the same method written as a plain per-answer Python loop,
  which must give the same area scores, ranges and coverage;

and prints the ratio, and how the time scales with 10, 100 and 1,000 respondents.
"""

from __future__ import annotations

import gc
import math
import random
import statistics
import sys
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from assessment_kit.areas import AREA_IDS
from assessment_kit.questionnaire import Questionnaire, builtin
from assessment_kit.questionnaire.expressions import evaluate, evaluate_bool
from assessment_kit.questionnaire.model import NON_SCORED_STATES
from assessment_kit.scoring import MissionScores, score_answers
from assessment_kit.scoring.relevance import representative

INSTRUMENTS = ("criminal_justice", "organ_removal")
ANSWER_COLUMNS = (
    "respondent",
    "institution_type",
    "sector",
    "questionnaire",
    "question",
    "value",
    "note",
    "evidence",
    "confidential",
    "updated_by",
    "updated_at",
)


def synthesise(
    questionnaires: Mapping[str, Questionnaire], respondents: int, seed: int = 7
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Answers and consolidated frames shaped as the mission store gives them."""
    rng = random.Random(seed)
    types = ["police_specialised", "prosecutor", "judge", "ngo_shelter", "ministry_justice"]
    rows: list[tuple[Any, ...]] = []
    for r in range(respondents):
        code = f"R{r:04d}"
        institution = rng.choice(types)
        for name, questionnaire in questionnaires.items():
            for question in questionnaire.iter_questions():
                if not question.answerable or rng.random() < 0.08:  # some left unanswered
                    continue
                roll = rng.random()
                value: Any
                if roll < 0.12:
                    value = rng.choice(NON_SCORED_STATES)
                elif question.type == "multiple":
                    picks = [c.value for c in question.choices if rng.random() < 0.4]
                    value = tuple(picks)
                elif question.choices:
                    value = rng.choice(question.choices).value
                elif question.type == "integer":
                    value = rng.randint(0, 40)
                elif question.type == "decimal":
                    value = round(rng.uniform(0, 100), 1)
                elif question.type == "date":
                    value = f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
                else:
                    value = rng.choice(["see notes", "not documented", "partly in law"])
                rows.append(
                    (
                        code,
                        institution,
                        "government",
                        name,
                        question.id,
                        value,
                        "",
                        "",
                        False,
                        "bench",
                        "2026-11-25T10:00:00",
                    )
                )
    answers = pd.DataFrame.from_records(rows, columns=list(ANSWER_COLUMNS))
    answers["value"] = answers["value"].astype(object)
    cons: list[tuple[Any, ...]] = []
    for name, questionnaire in questionnaires.items():
        scored = [q for q in questionnaire.iter_questions() if q.scored and q.type != "multiple"]
        for question in rng.sample(scored, k=min(10, len(scored))):
            value = rng.choice([*(c.value for c in question.choices), "unknown"])
            cons.append((name, question.id, value, "team view", "bench", "2026-11-25"))
    consolidated = pd.DataFrame.from_records(
        cons,
        columns=["questionnaire", "question", "value", "rationale", "updated_by", "updated_at"],
    )
    consolidated["value"] = consolidated["value"].astype(object)
    return answers, consolidated


def baseline(
    questionnaires: Mapping[str, Questionnaire], answers: pd.DataFrame, consolidated: pd.DataFrame
) -> dict[str, tuple[float, float, float, float]]:
    """The same method as a plain loop over answers (default profile, no caps).

    Returns area -> (score, low, high, coverage), NaN for null; it also works out each
    question's spread (disagreement), as the vectorised engine does.
    """
    by_question: dict[tuple[str, str], list[Any]] = defaultdict(list)
    columns = (answers["questionnaire"], answers["question"], answers["value"])
    for name, qid, value in zip(*columns, strict=True):
        if name in questionnaires and qid in questionnaires[name].questions:
            by_question[(name, qid)].append(value)
    cons = {
        (n, q): v
        for n, q, v in zip(
            consolidated["questionnaire"],
            consolidated["question"],
            consolidated["value"],
            strict=True,
        )
        if n in questionnaires
    }
    num: dict[str, float] = defaultdict(float)
    den: dict[str, float] = defaultdict(float)
    unc: dict[str, float] = defaultdict(float)
    spreads: dict[tuple[str, str], float] = {}
    for name, questionnaire in questionnaires.items():
        # The mission's answer map for skip logic: consolidated, else representative.
        answer_map: dict[str, Any] = {}
        for question in questionnaire.iter_questions():
            key = (name, question.id)
            if key in cons:
                answer_map[question.id] = cons[key]
            elif by_question.get(key):
                answer_map[question.id] = representative(question, by_question[key])
        relevant: dict[str, bool] = {}
        for question in questionnaire.iter_questions():
            if question.calculate_expr is not None:
                answer_map[question.id] = evaluate(question.calculate_expr, answer_map)
            keep = question.relevant_expr is None or evaluate_bool(
                question.relevant_expr, answer_map
            )
            relevant[question.id] = keep
            if not keep:
                answer_map[question.id] = None
        for question in questionnaire.iter_questions():
            if not question.scored or not relevant[question.id]:
                continue
            key = (name, question.id)
            # Respondents: scores and non-scored states, one answer at a time.
            scores: list[float] = []
            states: dict[str, int] = dict.fromkeys(NON_SCORED_STATES, 0)
            for value in by_question.get(key, []):
                if isinstance(value, str) and value in NON_SCORED_STATES:
                    states[value] += 1
                    continue
                if question.type != "multiple" and isinstance(value, str):
                    choice = question.choice(value)
                    if choice is None:
                        continue  # not a choice: ignored
                    if choice.score is None:
                        states["unknown"] += 1
                        continue
                s = question.score_of(value)
                if s is not None:
                    scores.append(s)
            if scores:
                spreads[key] = max(scores) - min(scores)
            score: float | None = None
            state = "not_assessed"
            if key in cons and cons[key] in NON_SCORED_STATES:
                state = cons[key]
            elif key in cons:
                score, state = question.score_of(cons[key]), "scored"
            elif scores:
                score, state = sum(scores) / len(scores), "scored"
            elif sum(states.values()):
                if states["not_applicable"] == sum(states.values()):
                    state = "not_applicable"
                else:
                    state = max(
                        ("unknown", "not_assessed", "declined"),
                        key=lambda k: (
                            states[k],
                            -("unknown", "not_assessed", "declined").index(k),
                        ),
                    )
            for area, a in question.areas.items():
                wa = question.weight * a
                if state == "scored" and score is not None:
                    num[area] += wa * score
                    den[area] += wa
                elif state != "not_applicable":
                    unc[area] += wa
    result = {}
    nan = float("nan")
    for area in AREA_IDS:
        d, u = den[area], unc[area]
        result[area] = (
            100 * num[area] / d if d else nan,
            100 * num[area] / (d + u) if d else nan,
            100 * (num[area] + u) / (d + u) if d else nan,
            d / (d + u) if d + u else nan,
        )
    return result


def timed(function: Callable[[], Any], repeat: int = 3) -> tuple[list[float], Any]:
    times = []
    result = None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return times, result


def main() -> int:
    try:
        questionnaires = {name: builtin(name) for name in INSTRUMENTS}
    except Exception as exc:  # the instruments are data; say which one fails and stop
        print(f"cannot load the built-in instruments: {exc}", file=sys.stderr)
        return 1
    sizes = {n: sum(q.answerable for q in qn.iter_questions()) for n, qn in questionnaires.items()}
    print("Instruments:", ", ".join(f"{n} ({k} answerable questions)" for n, k in sizes.items()))

    answers, consolidated = synthesise(questionnaires, 1000)
    print(f"Answers: {len(answers):,} from 1,000 respondents; {len(consolidated)} consolidated\n")

    score_answers(questionnaires, answers.head(100), consolidated)  # build static tables once
    times, scores = timed(lambda: score_answers(questionnaires, answers, consolidated))
    assert isinstance(scores, MissionScores)
    tracemalloc.start()
    score_answers(questionnaires, answers, consolidated)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print("score_answers (vectorised), 1,000 respondents:")
    print(f"  best of 3   {min(times) * 1000:8.1f} ms")
    print(f"  median      {statistics.median(times) * 1000:8.1f} ms")
    print(f"  peak memory {peak / 2**20:8.1f} MiB (tracemalloc, Python allocations)")

    base_times, expected = timed(lambda: baseline(questionnaires, answers, consolidated))
    areas = scores.areas.set_index("area")
    for area, values in expected.items():
        got = tuple(float(areas.loc[area, c]) for c in ("score", "low", "high", "coverage"))
        for want, have in zip(values, got, strict=True):
            same = (math.isnan(want) and math.isnan(have)) or math.isclose(want, have, abs_tol=1e-9)
            assert same, f"{area}: baseline {values} != vectorised {got}"
    print("\nBaseline (per-answer Python loop, same method; same scores, ranges, coverage):")
    print(f"  best of 3   {min(base_times) * 1000:8.1f} ms")
    print(f"  median      {statistics.median(base_times) * 1000:8.1f} ms")
    print(f"  ratio       {min(base_times) / min(times):8.1f}x faster (best vs best)")

    print("\nScaling (best of 3):")
    print(f"  {'respondents':>11}  {'answers':>9}  {'vectorised':>11}  {'loop':>9}")
    for n in (10, 100, 1000):
        sub_answers, sub_cons = synthesise(questionnaires, n, seed=11)
        t_vec, _ = timed(lambda a=sub_answers, c=sub_cons: score_answers(questionnaires, a, c))
        t_loop, _ = timed(lambda a=sub_answers, c=sub_cons: baseline(questionnaires, a, c))
        print(
            f"  {n:>11,}  {len(sub_answers):>9,}  {min(t_vec) * 1000:>8.1f} ms"
            f"  {min(t_loop) * 1000:>6.1f} ms"
        )
    print("\nOverall:", scores.to_json()["overall"])
    print(scores.to_table())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
