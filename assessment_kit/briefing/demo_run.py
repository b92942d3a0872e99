"""``run_demo``: seed the demo mission, score it and export its briefing as HTML and PDF."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from assessment_kit.briefing.api import BriefingResult, Progress, export_briefing

DEMO_MISSION = "freedonia-demo.db"
DEMO_PDF = "freedonia-briefing.pdf"
DEMO_HTML = "freedonia-briefing.html"


@dataclass(frozen=True, slots=True)
class DemoResult:
    """What ``run_demo`` made.

    Attributes
    ----------
    mission, pdf, html
        The demo mission file and its briefing as PDF and HTML.
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

    def summary(self) -> str:
        """The score table and the paths, for the terminal."""
        lines = [
            self.table,
            "",
            f"mission   {self.mission}",
            f"briefing  {self.pdf} ({self.pages} pages)",
            f"          {self.html}",
            f"done in {self.seconds:.1f} s",
        ]
        return "\n".join(lines)


def run_demo(out_dir: str | Path, *, progress: Progress | None = None) -> DemoResult:
    """Create the seeded demo mission in ``out_dir``, score it, export HTML and PDF.

    An earlier demo mission of the same name in ``out_dir`` is replaced (the demo is seeded,
    so it comes out the same). ``progress(stage, done, total)`` follows every stage.
    """
    from assessment_kit.demo import create_demo_mission
    from assessment_kit.scoring import score_mission

    started = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    mission_path = out / DEMO_MISSION
    # Stages: create, score, then the PDF export's six and the HTML export's four.
    total = 2 + 6 + 4

    def report(stage: str, done: int) -> None:
        if progress is not None:
            progress(stage, done, total)

    def shifted(offset: int) -> Progress:
        def forward(stage: str, done: int, _total: int) -> None:
            report("Done" if done == _total and offset + done == total else stage, offset + done)

        return forward

    report("Creating the demo mission", 0)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{mission_path}{suffix}").unlink(missing_ok=True)
    mission = create_demo_mission(mission_path)
    try:
        report("Scoring", 1)
        table = score_mission(mission).to_table()
    finally:
        mission.close()
    pdf = export_briefing(mission_path, out / DEMO_PDF, progress=shifted(2))
    html = export_briefing(mission_path, out / DEMO_HTML, progress=shifted(8))
    return DemoResult(
        mission=mission_path,
        pdf=pdf.path,
        html=html.path,
        pages=pdf.pages,
        table=table,
        seconds=time.perf_counter() - started,
        briefings=(pdf, html),
    )
