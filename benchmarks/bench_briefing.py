"""Benchmark: the briefing PDF end to end, against ``jupyter nbconvert --execute --to webpdf``.

Both runs start a fresh Python process, so both pay for their imports:

- ours: ``assessment-kit brief DEMO.db --out briefing.pdf`` (read, score, context, three
  charts as SVG in one kaleido session, notebook, our exporter, Chromium prints);
- baseline, measured in the same run: a notebook doing the same work the usual way (open
  the mission, score it, show the three plotly charts and the tables) executed and printed
  by ``jupyter nbconvert --execute --to webpdf``.

nbconvert's webpdf has no browser-path option and Playwright reads none from the
environment, so the baseline gets ``PLAYWRIGHT_BROWSERS_PATH`` pointing at a folder laid out
as Playwright expects, each browser a symlink to the system Chromium (never
``playwright install``).

Usage: python benchmarks/bench_briefing.py [--runs N] [--strict]
(--strict exits 1 when ours is not at least TARGET times faster).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

TARGET = 4.0
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


def timed(command: list[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{done.stderr[-2000:]}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each (median reported)")
    parser.add_argument("--strict", action="store_true", help=f"exit 1 below {TARGET}x")
    args = parser.parse_args(argv)

    from assessment_kit.briefing.browser import find_browser
    from assessment_kit.demo import create_demo_mission

    browser = find_browser()
    with tempfile.TemporaryDirectory(prefix="bench-briefing-") as tmp:
        folder = Path(tmp)
        mission = folder / "demo.db"
        create_demo_mission(mission).close()
        env = {
            **os.environ,
            "PLAYWRIGHT_BROWSERS_PATH": str(playwright_browsers(browser, folder / "browsers")),
        }
        commands = {
            "ours": (
                [
                    str(BIN / "assessment-kit"),
                    "brief",
                    str(mission),
                    "--out",
                    str(folder / "briefing.pdf"),
                    "--quiet",
                    "--force",  # each timed run writes the same file again
                ],
                None,
            )
        }
        for renderer in RENDERERS:
            notebook = baseline_notebook(mission, folder / f"baseline_{renderer}.ipynb", renderer)
            command = [str(BIN / "jupyter"), "nbconvert", "--execute", "--to", "webpdf"]
            commands[renderer] = ([*command, str(notebook), "--output-dir", str(folder)], env)
        # One warm-up of each (disk caches, bytecode), then interleave the runs so that
        # every variant sees the same machine load.
        for command, command_env in commands.values():
            timed(command, command_env)
        runs: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, (command, command_env) in commands.items():
                runs[name].append(timed(command, command_env))

        from pypdf import PdfReader

        pages = {"ours": len(PdfReader(folder / "briefing.pdf").pages)}
        for renderer in RENDERERS:
            pages[renderer] = len(PdfReader(folder / f"baseline_{renderer}.pdf").pages)

    median = {name: statistics.median(times) for name, times in runs.items()}
    ratio = median["svg"] / median["ours"]
    print(f"browser: {browser}; {args.runs} runs each, median (all runs)")
    print(
        f"ours      assessment-kit brief -> PDF                 {median['ours']:6.2f} s"
        f"  ({pages['ours']} pages)  [{', '.join(f'{t:.2f}' for t in runs['ours'])}]"
    )
    for renderer, label in RENDERERS.items():
        print(
            f"baseline  nbconvert --execute --to webpdf, {label:15} {median[renderer]:6.2f} s"
            f"  ({pages[renderer]} pages)  [{', '.join(f'{t:.2f}' for t in runs[renderer])}]"
            f"  ratio {median[renderer] / median['ours']:.1f}x"
        )
    verdict = "meets" if ratio >= TARGET else "MISSES"
    print(
        f"ratio     {ratio:.1f}x faster than the equivalent baseline "
        f"({verdict} the target of {TARGET:.0f}x)"
    )
    return 1 if args.strict and ratio < TARGET else 0


if __name__ == "__main__":
    sys.exit(main())
