"""Benchmark: the briefing PDF end to end, against the floor and against nbconvert.

Every run starts a fresh process, so every run pays for its imports and its browser:

- ours: ``assessment-kit brief DEMO.db --out briefing.pdf`` (read, score, context, the page
  rendered without nbconvert, three charts as SVG and the print, in one Chromium), first
  with what the cache folder keeps of the mission emptied before each run (a mission's
  first export: plotly.js is loaded and the charts drawn, the contents numbered from the
  page's layout; the browser's disk cache, with plotly.js compiled, stays), then again with its
  charts and page numbers kept (an export of a mission whose scores did not change since
  its last export: plotly.js is not loaded, the page printed once), and, for reference, the
  first export after installing (the whole cache folder emptied);
- the floor, measured in the same run: a bare ``chromium --headless --print-to-pdf`` of a
  one-line page, the price of one browser start and one print (target: ours at most
  FLOOR_TARGET times that), and, when the export prints with another browser (Chromium's
  headless shell, which find_browser takes first), the same bare print with that browser,
  for reference: what our browser's own start and print cost;
- the baseline: a notebook doing the same work the usual way (open the mission, score it,
  show the three plotly charts and the tables) executed and printed by
  ``jupyter nbconvert --execute --to webpdf`` (target: ours at least TARGET times faster).

Every command runs as an installed package does: with bytecode (PYTHONDONTWRITEBYTECODE is
taken out of the environment; the warm-up run writes it) and with the benchmark's own cache
folder (ASSESSMENT_KIT_CACHE_DIR), whose parsed instruments the warm-up run fills.

The runs are interleaved, so that every variant sees the same machine load. Then, in one
process: where the time of one export goes (stage timings in three groups: the main thread,
the browser's chain of start, plotly.js and charts alongside it, and the print in its own
tab), and warm re-exports through the browser session a notebook keeps for its kernel's
life: a consultant's next export in the same kernel, one interview corrected since the last
one, so that its charts are drawn again (target: WARM_TARGET seconds), and, for reference,
the session alone with no cache folder at all (its charts drawn, its contents numbered from
its layout), and the second export of new kept sessions at a person's pace (the first
one's charts all kept, so plotly.js is loaded while the consultant corrects an interview).

nbconvert's webpdf has no browser-path option and Playwright reads none from the
environment, so the baseline gets ``PLAYWRIGHT_BROWSERS_PATH`` pointing at a folder laid out
as Playwright expects, each browser a symlink to the system Chromium (never
``playwright install``).

Usage: python benchmarks/bench_briefing.py [--runs N] [--strict]
(--strict exits 1 when a target is missed).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

#: The cache folder's variable (assessment_kit.questionnaire.cache.ENV_VAR).
CACHE_VARIABLE = "ASSESSMENT_KIT_CACHE_DIR"
TARGET = 8.0
FLOOR_TARGET = 2.0
WARM_TARGET = 1.0
ONE_LINE = "<!doctype html><title>floor</title><p>One line.</p>"
BIN = Path(sys.executable).parent

BASELINE_CELLS = [
    "import plotly.io as pio\n"
    "pio.renderers.default = RENDERER\n"
    "from assessment_kit.store import Mission\n"
    "from assessment_kit.scoring import score_mission\n"
    "from assessment_kit import charts",
    "mission = Mission.open(MISSION)\n"
    "scores = score_mission(mission)\n"
    "questionnaires = dict(mission.questionnaires)\n"
    "print(mission.info.country, mission.info.title)",
    "scores.areas[['name', 'score', 'band', 'low', 'high', 'coverage']]",
    "charts.radar_figure(scores).show()",
    "charts.area_bars_figure(scores).show()",
    "charts.section_heatmap_figure(scores, questionnaires).show()",
    "weak = scores.questions[scores.questions['score'] < 0.5]\n"
    "weak.sort_values('gap', ascending=False)[['question', 'text', 'score', 'gap']]",
    "scores.questions[['questionnaire', 'question', 'text', 'state', 'score', 'n_answers']]",
]


#: Plotly renderers for the baseline. "svg" puts the charts in the PDF (via kaleido, as
#: static images: the stock way to print plotly), so its output matches ours; with the
#: default "plotly_mimetype" webpdf drops the charts without a word (shown for reference).
#: ("notebook", HTML with plotly.js, prints one clipped page here.)
RENDERERS = {"svg": "charts as SVG", "plotly_mimetype": "charts dropped"}


def baseline_notebook(mission: Path, path: Path, renderer: str = "svg") -> Path:
    """The equivalent notebook, written to ``path``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_markdown_cell("# Briefing (baseline)")]
    nb.cells.append(
        nbformat.v4.new_code_cell(f"MISSION = {str(mission)!r}\nRENDERER = {renderer!r}")
    )
    nb.cells += [nbformat.v4.new_code_cell(source) for source in BASELINE_CELLS]
    nbformat.write(nb, path)
    return path


def playwright_browsers(browser: Path, folder: Path) -> Path:
    """A PLAYWRIGHT_BROWSERS_PATH folder whose browsers are symlinks to ``browser``."""
    import playwright

    manifest = Path(playwright.__file__).parent / "driver" / "package" / "browsers.json"
    revisions = {
        entry["name"]: entry["revision"]
        for entry in json.loads(manifest.read_text(encoding="utf-8"))["browsers"]
    }
    links = {
        f"chromium-{revisions['chromium']}/chrome-linux64/chrome",
        f"chromium_headless_shell-{revisions['chromium-headless-shell']}"
        "/chrome-headless-shell-linux64/chrome-headless-shell",
    }
    for link in links:
        target = folder / link
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            target.symlink_to(browser)
    return folder


#: Failed runs of each variant (the baseline's kaleido hits its own page race under load).
FAILURES: dict[str, int] = {}


def timed(command: list[str], env: dict[str, str] | None = None, *, name: str = "") -> float:
    """Seconds one run of ``command`` takes; a baseline run that fails is counted, and run
    again (twice at most): ours and the floor must never fail."""
    for attempt in range(3):
        started = time.perf_counter()
        # A session of its own, so that what the run leaves behind (a kernel, a browser
        # still shutting down) is waited for before the next run, untimed, instead of
        # slowing it.
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            start_new_session=True,
        )
        _, stderr = process.communicate()
        seconds = time.perf_counter() - started
        _wait_for_session(process.pid)
        if process.returncode == 0:
            return seconds
        FAILURES[name] = FAILURES.get(name, 0) + 1
        if name in ("ours", "again", "floor", "own floor") or attempt == 2:
            break
    raise SystemExit(f"failed: {' '.join(command)}\n{stderr[-2000:]}")


def _wait_for_session(session: int, seconds: float = 30.0) -> None:
    """Wait (30 s at most) until no live process is left in ``session``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(_in_session(entry, session) for entry in Path("/proc").glob("[0-9]*")):
            return
        time.sleep(0.05)


def _in_session(proc: Path, session: int) -> bool:
    try:
        fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return False
    return fields[0] != "Z" and int(fields[3]) == session


def floor_command(browser: Path, folder: Path, name: str = "floor") -> list[str]:
    """A bare headless print of a one-line page: one browser start and one print."""
    page = folder / "one-line.html"
    page.write_text(ONE_LINE, encoding="utf-8")
    return [
        str(browser),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        f"--user-data-dir={folder / f'{name}-profile'}",
        "--no-pdf-header-footer",
        f"--print-to-pdf={folder / f'{name}.pdf'}",
        page.as_uri(),
    ]


def floor_browser(browser: Path) -> Path:
    """The browser of the floor as the issue measured it: Chromium itself (``chromium`` on
    PATH), else the export's own."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return Path(found) if found else browser


STAGE_SCRIPT = """
import json, sys, time
started = time.perf_counter()
from assessment_kit.briefing import export_briefing
imported = time.perf_counter() - started
result = export_briefing(sys.argv[1], sys.argv[2])
print(json.dumps({"imports": imported, **result.timings, "total": result.seconds}))
"""


def stage_timings(mission: Path, out: Path, env: dict[str, str]) -> dict[str, float]:
    """Where the time of one fresh-process export goes, as the export itself reports it."""
    done = subprocess.run(
        [sys.executable, "-c", STAGE_SCRIPT, str(mission), str(out)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    timings: dict[str, float] = json.loads(done.stdout)
    return timings


def edit_an_interview(mission: Path, step: int) -> None:
    """Change one respondent's scored answers, as a consultant correcting an interview
    before exporting again: the scores, and so the charts, are not those of the last export
    (one answer alone may not move a score's rounded figure)."""
    from assessment_kit.store import Mission

    with Mission.open(mission) as opened:
        answered = [
            (record, question)
            for record in opened.answers_table().records()
            if isinstance(record["value"], str)
            and (question := opened.question(record["questionnaire"], record["question"])).scored
            and len(question.choices) > 1
        ]
        respondents = sorted({record["respondent"] for record, _ in answered})
        chosen = respondents[step % len(respondents)]
        with opened.batch() as batch:
            for record, question in answered:
                if record["respondent"] == chosen:
                    other = next(c.value for c in question.choices if c.value != record["value"])
                    batch.set_answer(chosen, record["questionnaire"], question.id, other)


def warm_exports(
    mission: Path, folder: Path, runs: int, *, edit: bool = False
) -> tuple[float, list[float]]:
    """A cold export and ``runs`` warm ones through the session a notebook keeps; with
    ``edit``, an interview is corrected before each warm one (see edit_an_interview)."""
    from assessment_kit.briefing import export_briefing
    from assessment_kit.briefing.browser import find_browser
    from assessment_kit.briefing.svg import close_shared_renderer, shared_renderer

    times = []
    try:
        renderer = shared_renderer(find_browser())
        for n in range(runs + 1):  # the first is the cold one
            if edit and n:
                edit_an_interview(mission, n)
            out = folder / f"warm-{n}.pdf"
            out.unlink(missing_ok=True)  # brief never writes over a file
            times.append(export_briefing(mission, out, renderer=renderer).seconds)
    finally:
        close_shared_renderer()
    cold, *warm = times
    return cold, warm


def paced_second_exports(mission: Path, folder: Path, runs: int, pause: float = 1.0) -> list[float]:
    """The second export of ``runs`` fresh kept sessions, at a person's pace: the first
    export's charts all come from the cache (the mission as the last export left it); then
    an interview is corrected and, ``pause`` seconds later, exported again, its charts new."""
    from assessment_kit.briefing import export_briefing
    from assessment_kit.briefing.browser import find_browser
    from assessment_kit.briefing.svg import close_shared_renderer, shared_renderer

    times = []
    for n in range(runs):
        try:
            renderer = shared_renderer(find_browser())
            for name in ("paced-first.pdf", "paced-second.pdf"):
                (folder / name).unlink(missing_ok=True)
            first = export_briefing(mission, folder / "paced-first.pdf", renderer=renderer)
            cached = renderer.charts_cached
            edit_an_interview(mission, n)
            time.sleep(pause)
            second = export_briefing(mission, folder / "paced-second.pdf", renderer=renderer)
            if cached != first.charts or renderer.charts_cached > cached:
                raise RuntimeError(
                    "not the scenario measured: the first export drew a chart, "
                    "or the second took one from the cache"
                )
            times.append(second.seconds)
        finally:
            close_shared_renderer()
    return times


#: The groups of stage timings, by the prefix the export gives them.
STAGE_GROUPS = {
    "": "main thread (the process's own steps; 'Printing the PDF' waits for the browser)",
    "browser: ": "browser thread, from the export's start, alongside: start, plotly.js, charts",
    "print: ": "the print, in its own tab: load, numbering (the page laid out in page-sized "
    "columns, while the charts are drawn; the last print's numbers when kept), final print, check",
}


def _print_stages(stages: dict[str, float], what: str) -> None:
    """The stage timings in their three groups, and which chain the print waited for."""
    print(f"\nstages of {what} (seconds)")
    for prefix, title in STAGE_GROUPS.items():
        print(f"  {title}")
        for name, seconds in stages.items():
            if name == "total" or not name.startswith(prefix):
                continue
            if not prefix and any(name.startswith(p) for p in STAGE_GROUPS if p):
                continue
            print(f"    {name.removeprefix(prefix):26} {seconds:6.3f}")
    print(f"  {'total':30} {stages.get('total', 0.0):6.3f}")
    waited = stages.get("print: waiting for charts", 0.0)
    browser = sum(stages.get(f"browser: {step}", 0.0) for step in ("start", "chart page", "charts"))
    print(
        f"  critical path: the browser's chain (start + plotly.js + charts) took {browser:.2f} s; "
        f"the final print waited {waited:.2f} s for the charts after its page was numbered"
    )


#: What a first export finds in the cache folder: nothing of this mission (no chart, no page
#: numbers). The browser's disk cache (plotly.js compiled) stays: the machine has exported
#: a briefing before. "cold" empties the whole folder: the first export after installing.
MISSION_KEPT = ("charts", "page-numbers")


def _forget_mission(cache: Path) -> None:
    for name in MISSION_KEPT:
        shutil.rmtree(cache / name, ignore_errors=True)


def _before(name: str, folder: Path, cache: Path) -> None:
    """Make ready for a run of ``name``: brief never writes over a file, "ours" is a first
    export of the mission, "cold" the first export after installing."""
    if name in ("ours", "again", "cold"):
        (folder / "briefing.pdf").unlink(missing_ok=True)
    if name == "ours":
        _forget_mission(cache)
    if name == "cold":
        shutil.rmtree(folder / "cold-cache", ignore_errors=True)


def _runs(times: list[float]) -> str:
    return "[" + ", ".join(f"{t:.2f}" for t in times) + "]"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each (median reported)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    runs_wanted = max(3, args.runs)

    from assessment_kit.briefing.browser import find_browser
    from assessment_kit.demo import create_demo_mission

    browser = find_browser()
    issue_floor = floor_browser(browser)
    with tempfile.TemporaryDirectory(prefix="bench-briefing-") as tmp:
        folder = Path(tmp)
        mission = folder / "demo.db"
        create_demo_mission(mission).close()
        cache = folder / "cache"
        cold_cache = folder / "cold-cache"
        installed = {
            **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            CACHE_VARIABLE: str(cache),
        }
        os.environ[CACHE_VARIABLE] = str(cache)  # the in-process exports below
        env = {
            **installed,
            "PLAYWRIGHT_BROWSERS_PATH": str(playwright_browsers(browser, folder / "browsers")),
        }
        brief = [str(BIN / "assessment-kit"), "brief", str(mission), "--quiet"]
        out = str(folder / "briefing.pdf")
        commands = {
            # its own cache folder, so that emptying it leaves the others' as they are
            "cold": ([*brief, "--out", out], {**installed, CACHE_VARIABLE: str(cold_cache)}),
            "ours": ([*brief, "--out", out], installed),
            "again": ([*brief, "--out", out], installed),
            "floor": (floor_command(issue_floor, folder), None),
        }
        if issue_floor != browser:
            commands["own floor"] = (floor_command(browser, folder, "own-floor"), None)
        for renderer in RENDERERS:
            notebook = baseline_notebook(mission, folder / f"baseline_{renderer}.ipynb", renderer)
            command = [str(BIN / "jupyter"), "nbconvert", "--execute", "--to", "webpdf"]
            commands[renderer] = ([*command, str(notebook), "--output-dir", str(folder)], env)
        # Warm-up (disk caches, bytecode), then interleave the runs so that every variant
        # sees the same machine load. "ours" warms up twice: Chromium compiles a script into
        # its code cache only the second time it loads it, so until then plotly.js is not
        # yet compiled, which a machine that has exported a briefing before has.
        # (brief never writes over an existing file: each run starts without it.)
        # ("cold" empties the cache folder, "ours" what it keeps of the mission; "again",
        # run next, finds its charts and page numbers.)
        for name, (command, command_env) in commands.items():
            for _ in range(2 if name == "ours" else 1):
                _before(name, folder, cache)
                timed(command, command_env, name=name)
        runs: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs_wanted):
            for name, (command, command_env) in commands.items():
                _before(name, folder, cache)
                runs[name].append(timed(command, command_env, name=name))

        from pypdf import PdfReader

        pages = {"ours": len(PdfReader(folder / "briefing.pdf").pages)}
        for renderer in RENDERERS:
            pages[renderer] = len(PdfReader(folder / f"baseline_{renderer}.pdf").pages)
        _forget_mission(cache)
        stages = stage_timings(mission, folder / "stages.pdf", installed)
        cached_stages = stage_timings(mission, folder / "stages-cached.pdf", installed)
        warm_runs = max(5, runs_wanted)  # a second each
        edited = folder / "edited.db"
        create_demo_mission(edited).close()
        cold, warm = warm_exports(edited, folder, warm_runs, edit=True)
        paced = paced_second_exports(edited, folder, warm_runs)
        os.environ[CACHE_VARIABLE] = ""  # the kept session loads plotly.js once, and draws
        _, alone = warm_exports(mission, folder, warm_runs)

    median = {name: statistics.median(times) for name, times in runs.items()}
    ratio = median["svg"] / median["ours"]
    ratio_again = median["svg"] / median["again"]
    floor_ratio = median["ours"] / median["floor"]
    floor_again = median["again"] / median["floor"]
    warm_median = statistics.median(warm)
    print(f"browser: {browser}; {runs_wanted} runs each, interleaved, median (all runs)")
    print(
        f"ours      assessment-kit brief -> PDF, first export   {median['ours']:6.2f} s"
        f"  ({pages['ours']} pages)  {_runs(runs['ours'])}"
    )
    print(
        f"ours      again, charts and page numbers kept         {median['again']:6.2f} s"
        f"  {_runs(runs['again'])}"
    )
    print(
        f"ours      first export after installing (no cache)    {median['cold']:6.2f} s"
        f"  {_runs(runs['cold'])}  {median['cold'] / median['floor']:.2f}x the floor"
    )
    print(
        f"floor     chromium --headless --print-to-pdf, 1 line  {median['floor']:6.2f} s"
        f"  {_runs(runs['floor'])}  ({issue_floor.name})"
    )
    if "own floor" in median:
        print(
            f"floor     the same with our browser, for reference    {median['own floor']:6.2f} s"
            f"  {_runs(runs['own floor'])}  ({browser.name}): first export "
            f"{median['ours'] / median['own floor']:.2f}x, charts kept "
            f"{median['again'] / median['own floor']:.2f}x"
        )
    for renderer, label in RENDERERS.items():
        print(
            f"baseline  nbconvert --execute --to webpdf, {label:15} {median[renderer]:6.2f} s"
            f"  ({pages[renderer]} pages)  {_runs(runs[renderer])}"
            f"  ratio {median[renderer] / median['ours']:.1f}x"
        )
    for name, count in FAILURES.items():
        print(f"failed    {name}: {count} run(s) failed and were run again")
    _print_stages(stages, "a first export in a fresh process")
    _print_stages(cached_stages, "an export again, charts and page numbers kept")
    print(
        f"\nwarm re-export in one process (the notebook's kept session), an interview corrected "
        f"before each: cold {cold:.2f} s, warm median {warm_median:.2f} s {_runs(warm)}"
        f"\n  the same session with no cache folder (charts drawn, contents numbered "
        f"from its layout): median {statistics.median(alone):.2f} s {_runs(alone)}"
        f"\n  the second export of a new kept session at a person's pace (the first one's "
        f"charts all kept, an interview corrected, a 1 s pause): median "
        f"{statistics.median(paced):.2f} s {_runs(paced)}"
    )
    verdicts = {
        f"first export / floor {floor_ratio:.2f}x (target <= {FLOOR_TARGET:.1f}x)": floor_ratio
        <= FLOOR_TARGET,
        f"charts kept / floor {floor_again:.2f}x (target <= {FLOOR_TARGET:.1f}x)": floor_again
        <= FLOOR_TARGET,
        f"webpdf / first export {ratio:.1f}x (target >= {TARGET:.0f}x)": ratio >= TARGET,
        f"webpdf / charts kept {ratio_again:.1f}x (target >= {TARGET:.0f}x)": ratio_again >= TARGET,
        f"warm re-export {warm_median:.2f} s (target <= {WARM_TARGET:.1f} s)": warm_median
        <= WARM_TARGET,
    }
    print()
    for line, met in verdicts.items():
        print(f"{'meets ' if met else 'MISSES'}  {line}")
    return 1 if args.strict and not all(verdicts.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
