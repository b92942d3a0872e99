"""Benchmark: opening the interview form, building its largest section, saving an answer.

Run with ``python benchmarks/bench_widgets.py``. A fresh mission holds both built-in
instruments; the respondent sees every question ("show all"), so the largest section of
the 150-question criminal justice instrument is built. It times

* opening the form (lazy: the respondent panel, the navigation and the first section);
* building each section, and reports the largest; baseline in the same run: building every
  section eagerly, as a form without lazy sections would on opening;
* a value change to 'saved' (clicking a choice button: validation, SQLite commit, skip
  logic, progress, the saved indicator); baseline in the same run: the bare
  ``Mission.set_answer`` for the same values.

Each figure is measured twice: in this process (widgets without a front-end) and inside a
real IPython kernel (nbclient), where every widget also opens a comm and sends its state,
as in JupyterLab or Voilà. Targets: a section under 300 ms, value change to saved under
50 ms.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

INSTRUMENT = "criminal_justice"
RUNS = 5
CLICKS = 60

# The measurement, as source, so the same code runs here and inside a kernel.
MEASURE = r"""
import json, statistics, tempfile, time
from pathlib import Path

from assessment_kit.questionnaire import builtin
from assessment_kit.store import Mission
from assessment_kit.widgets import InterviewForm


def _measure(instrument, runs, clicks):
    folder = Path(tempfile.mkdtemp())
    questionnaires = [builtin("criminal_justice"), builtin("organ_removal")]
    mission = Mission.create(
        folder / "bench.db", country="Bench", title="Bench", questionnaires=questionnaires
    )
    mission.add_respondent("B01", institution_type="prosecutor", consent=True)
    mission.add_respondent("B02", institution_type="prosecutor", consent=True)
    q = mission.questionnaires[instrument]
    largest = max(q.sections, key=lambda s: len(s.questions))
    result = {"largest_section": largest.id, "largest_questions": len(largest.questions),
              "questions": len(q.questions)}

    opening, section, eager = [], [], []
    for _ in range(runs):
        t = time.perf_counter()
        form = InterviewForm(mission, questionnaire=instrument, respondent="B01", show_all=True)
        opening.append(time.perf_counter() - t)
        controller = form.controller
        t = time.perf_counter()
        controller.open_section(largest.id)
        section.append(time.perf_counter() - t)
        t = time.perf_counter()
        for s in q.sections:
            if s.id not in controller.state.built:
                controller.open_section(s.id)
        eager.append(time.perf_counter() - t + section[-1] + opening[-1])
    result["open_ms"] = 1000 * statistics.median(opening)
    result["section_ms"] = 1000 * statistics.median(section)
    result["eager_ms"] = 1000 * statistics.median(eager)

    # Value change -> saved, through the widget.
    card = form.card(next(x.id for x in largest.questions if x.type == "scale"
                          and x.relevant_expr is None))
    values = [c.value for c in card.question.choices]
    through = []
    for i in range(clicks):
        value = values[i % len(values)]
        t = time.perf_counter()
        card.control.choice_buttons[value].value = True
        through.append(time.perf_counter() - t)
        assert "Saved" in card.status.value
    # Baseline: the bare store call for the same values, another respondent.
    bare = []
    for i in range(clicks):
        value = values[i % len(values)]
        t = time.perf_counter()
        mission.set_answer("B02", instrument, card.question.id, value)
        bare.append(time.perf_counter() - t)
    through.sort()
    bare.sort()
    result["save_ms"] = 1000 * statistics.median(through)
    result["save_p95_ms"] = 1000 * through[int(0.95 * (len(through) - 1))]
    result["bare_ms"] = 1000 * statistics.median(bare)
    mission.close()
    return result
"""


def in_process() -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(MEASURE, namespace)
    return dict(namespace["_measure"](INSTRUMENT, RUNS, CLICKS))


def in_kernel() -> dict[str, Any] | None:
    try:
        import nbformat
        from nbclient import NotebookClient
    except ImportError:  # pragma: no cover - the jupyter extra is not installed
        return None
    source = MEASURE + f"\nprint(json.dumps(_measure({INSTRUMENT!r}, {RUNS}, {CLICKS})))\n"
    book = nbformat.v4.new_notebook()
    book.cells = [nbformat.v4.new_code_cell(source)]
    with tempfile.TemporaryDirectory() as folder:
        NotebookClient(
            book, timeout=600, kernel_name="python3", resources={"metadata": {"path": folder}}
        ).execute()
    text = "".join(o.get("text", "") for o in book.cells[0].outputs if o.output_type == "stream")
    return dict(json.loads(text.strip().splitlines()[-1]))


def report(where: str, r: dict[str, Any]) -> None:
    print(f"\n== {where}")
    print(
        f"instrument {INSTRUMENT}: {r['questions']} questions; largest section"
        f" {r['largest_section']} ({r['largest_questions']} questions)"
    )
    print(f"open the form (lazy, first section):   {r['open_ms']:8.1f} ms (median of {RUNS})")
    print(
        f"build the largest section:              {r['section_ms']:8.1f} ms"
        f"   target < 300 ms  {'OK' if r['section_ms'] < 300 else 'MISSED'}"
    )
    print(
        f"baseline, every section eagerly:        {r['eager_ms']:8.1f} ms"
        f"   lazy opening is {r['eager_ms'] / r['open_ms']:.1f}x quicker"
    )
    print(
        f"value change -> saved (widget):         {r['save_ms']:8.2f} ms median,"
        f" p95 {r['save_p95_ms']:.2f} ms   target < 50 ms"
        f"  {'OK' if r['save_p95_ms'] < 50 else 'MISSED'}"
    )
    print(
        f"baseline, bare Mission.set_answer:      {r['bare_ms']:8.2f} ms median"
        f"   widget/bare ratio {r['save_ms'] / r['bare_ms']:.1f}x"
    )


def main() -> int:
    started = time.perf_counter()
    report("in this process (no front-end)", in_process())
    kernel = in_kernel()
    if kernel is not None:
        report("inside an IPython kernel (comms sent, as in JupyterLab/Voila)", kernel)
    print(
        f"\n(total {time.perf_counter() - started:.1f} s; python {sys.version.split()[0]};"
        f" mission on {Path(tempfile.gettempdir())})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
