"""``run_demo``: seed the demo mission and its baseline, score it and export its briefing as
HTML and PDF (with the progress since the baseline)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from assessment_kit.briefing.api import BriefingResult, Progress, export_briefing
from assessment_kit.demo import demo_baseline_path
from assessment_kit.i18n import N_

DEMO_MISSION = "freedonia-demo.db"
DEMO_PDF = "freedonia-briefing.pdf"
DEMO_HTML = "freedonia-briefing.html"


@dataclass(frozen=True, slots=True)
class DemoResult:
    """What ``run_demo`` made.

    Attributes
    ----------
    mission, pdf, html
        The demo mission file (the 2026 follow-up) and its briefing as PDF and HTML.
    baseline
        The demo's baseline mission file (2023), which the briefing compares with.
    pages
        Number of pages of the PDF.
    table
        The score table (as ``assessment-kit score`` prints it).
    seconds
        Wall time of the whole demo.
    briefings
        The two export results (PDF first).
    """

    mission: Path
    pdf: Path
    html: Path
    pages: int | None
    table: str
    seconds: float
    briefings: tuple[BriefingResult, ...]
    kept: tuple[Path, ...] = ()
    baseline: Path | None = None

    def summary(self) -> str:
        """The score table and the paths, for the terminal."""
        lines = [self.table, ""]
        if self.kept:
            names = ", ".join(path.name for path in self.kept)
            lines += [
                f"kept      {names} in {self.mission.parent}: already there (a demo mission "
                "may hold answers), so this demo was written under new names",
                "",
            ]
        lines += [
            *([f"baseline  {self.baseline}"] if self.baseline is not None else []),
            f"mission   {self.mission}",
            f"briefing  {self.pdf} ({self.pages} pages)",
            f"          {self.html}",
            f"done in {self.seconds:.1f} s",
        ]
        return "\n".join(lines)


def demo_paths(out_dir: Path) -> tuple[Path, Path, Path, tuple[Path, ...]]:
    """The demo's mission, PDF and HTML in ``out_dir``, and the files found in the way.

    The first free set of names is taken: ``freedonia-demo.db`` with its briefings (and its
    baseline ``freedonia-baseline.db``, see :func:`demo_baseline_path`), else
    ``freedonia-demo-2.db`` and ``freedonia-briefing-2.pdf``, and so on. Nothing already
    there is replaced or deleted: an earlier demo mission may hold real answers (the
    notebooks open ``freedonia-demo.db`` by default).
    """
    mission_stem, pdf_stem, html_stem = (
        Path(name).stem for name in (DEMO_MISSION, DEMO_PDF, DEMO_HTML)
    )
    kept: list[Path] = []
    number = 1
    while True:
        tail = "" if number == 1 else f"-{number}"
        mission = out_dir / f"{mission_stem}{tail}.db"
        pdf = out_dir / f"{pdf_stem}{tail}.pdf"
        html = out_dir / f"{html_stem}{tail}.html"
        baseline = demo_baseline_path(mission)
        sides = [
            Path(f"{database}{suffix}")
            for database in (mission, baseline)
            for suffix in ("-wal", "-shm", "-journal")
        ]
        taken = [path for path in (mission, baseline, *sides, pdf, html) if path.exists()]
        if not taken:
            return mission, pdf, html, tuple(kept)
        kept += taken
        number += 1


def run_demo(
    out_dir: str | Path, *, progress: Progress | None = None, language: str = "en"
) -> DemoResult:
    """Create the seeded demo mission in ``out_dir``, score it, export HTML and PDF.

    ``language`` is the demo mission's language: its briefings are written in it.

    Nothing in ``out_dir`` is replaced or deleted: when an earlier demo is there, this one
    is written under the next free names (see :func:`demo_paths`) and ``kept`` lists the
    files left alone. ``progress(stage, done, total)`` follows every stage.
    """
    from assessment_kit.demo import create_demo_baseline, create_demo_mission
    from assessment_kit.scoring import score_mission

    started = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    mission_path, pdf_path, html_path, kept = demo_paths(out)
    # Stages: create, score, then the PDF export's six and the HTML export's four.
    total = 2 + 6 + 4

    def report(stage: str, done: int) -> None:
        if progress is not None:
            progress(stage, done, total)

    def shifted(offset: int) -> Progress:
        def forward(stage: str, done: int, _total: int) -> None:
            report(
                N_("Done") if done == _total and offset + done == total else stage, offset + done
            )

        return forward

    report(N_("Creating the demo mission"), 0)
    baseline_path = demo_baseline_path(mission_path)
    with create_demo_baseline(baseline_path) as baseline:
        reference = baseline.info.ref()
    mission = create_demo_mission(mission_path, baseline=reference, language=language)
    try:
        report(N_("Scoring"), 1)
        table = score_mission(mission).to_table()
    finally:
        mission.close()
    pdf = export_briefing(mission_path, pdf_path, progress=shifted(2), baseline=baseline_path)
    html = export_briefing(mission_path, html_path, progress=shifted(8), baseline=baseline_path)
    return DemoResult(
        mission=mission_path,
        pdf=pdf.path,
        html=html.path,
        pages=pdf.pages,
        table=table,
        seconds=time.perf_counter() - started,
        briefings=(pdf, html),
        kept=kept,
        baseline=baseline_path,
    )
