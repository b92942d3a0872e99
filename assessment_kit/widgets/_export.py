"""The 'Export briefing' button's behaviour: export the mission's briefing from a notebook.

A button, a choice of format, a progress bar that follows the export's stages, and a link
to the file when it is written. The export runs in a background thread so the notebook stays
responsive (the widgets update from that thread).
"""

from __future__ import annotations

import html
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import ipywidgets as W

from assessment_kit.i18n import translations

if TYPE_CHECKING:
    from assessment_kit.briefing import BriefingResult

FORMATS = (("PDF", ".pdf"), ("HTML", ".html"))


class ExportController:
    """The export button's behaviour; ``ExportBriefingButton`` is its face."""

    def __init__(
        self,
        mission_path: str | Path,
        *,
        out_dir: str | Path | None = None,
        background: bool = True,
        baseline: str | Path | None = None,
    ) -> None:
        from assessment_kit.store.connection import is_url
        from assessment_kit.store.postgres import database_name

        # A mission on a server (a URL) has no folder: its briefing goes to the notebook's.
        self.mission_path: str | Path
        if is_url(mission_path):
            self.mission_path = str(mission_path)
            self._stem = database_name(self.mission_path) or "mission"
            beside = Path.cwd()
        else:
            self.mission_path = Path(mission_path)
            self._stem = self.mission_path.stem
            beside = self.mission_path.parent
        self.out_dir = Path(out_dir) if out_dir is not None else beside
        # A follow-up's baseline file: the briefing gains its progress section.
        self.baseline = baseline
        self.background = background
        self.result: BriefingResult | None = None
        self.error: Exception | None = None
        self._thread: threading.Thread | None = None
        #: The button's words, in the mission's language (the briefing's).
        self._ = translations(_mission_language(self.mission_path)).gettext
        self.button = W.Button(
            description=self._("Export briefing"),
            icon="file-pdf",
            button_style="primary",
            tooltip=self._("Export the briefing (cover, summary, areas, recommendations, annex)"),
            layout=W.Layout(width="auto"),
        )
        self.format = W.Dropdown(
            options=FORMATS, value=".pdf", layout=W.Layout(width="90px"), description=""
        )
        self.progress = W.IntProgress(
            value=0, min=0, max=6, layout=W.Layout(width="160px", visibility="hidden")
        )
        self.stage = W.Label(value="")
        self.link = W.HTML(value="")
        self.button.on_click(self._clicked)
        self.widget = W.VBox(
            [W.HBox([self.button, self.format, self.progress, self.stage]), self.link]
        )

    @property
    def out(self) -> Path:
        """The file the next export writes."""
        return self.out_dir / f"{self._stem}-briefing{self.format.value}"

    def wait(self, timeout: float | None = None) -> None:
        """Wait for an export running in the background to finish."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _progress(self, stage: str, done: int, total: int) -> None:
        self.progress.max = total
        self.progress.value = done
        self.stage.value = stage

    def _clicked(self, _button: object = None) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self.button.disabled = True
        self.format.disabled = True
        self.progress.layout.visibility = "visible"
        self.progress.bar_style = ""
        self.link.value = ""
        if self.background:
            self._thread = threading.Thread(target=self._export, daemon=True)
            self._thread.start()
        else:
            self._export()

    def _export(self) -> None:
        from assessment_kit.briefing import export_briefing
        from assessment_kit.briefing.browser import find_browser
        from assessment_kit.briefing.svg import shared_renderer
        from assessment_kit.errors import AssessmentKitError

        out = self.out
        self.result = None
        self.error = None
        try:
            # The kernel keeps one browser session: the second export starts warm.
            renderer = shared_renderer(find_browser()) if out.suffix == ".pdf" else None
            # The button writes its own briefing again each time (never over a mission).
            self.result = export_briefing(
                self.mission_path,
                out,
                progress=self._progress,
                renderer=renderer,
                force=True,
                baseline=self.baseline,
            )
        except (AssessmentKitError, OSError) as error:
            self.error = error
            self.progress.bar_style = "danger"
            self.stage.value = self._("Export failed")
            message = html.escape(str(error)).replace("\n", "<br>")
            self.link.value = f'<div style="color:#a4262c">{message}</div>'
        else:
            self.progress.bar_style = "success"
            seconds = f"{self.result.seconds:.1f}"
            if self.result.pages:
                done = self._("Done in {seconds} s, {pages} pages").format(
                    seconds=seconds, pages=self.result.pages
                )
            else:
                done = self._("Done in {seconds} s").format(seconds=seconds)
            self.stage.value = done
            self.link.value = self._link(out, self._("Briefing written:"))
        finally:
            self.button.disabled = False
            self.format.disabled = False

    @staticmethod
    def _link(path: Path, written: str) -> str:
        # Relative to the kernel's folder (the notebook's): JupyterLab opens such links in
        # a new tab through its file resolver.
        try:
            href = os.path.relpath(path, Path.cwd())
        except ValueError:  # another drive on Windows
            href = str(path)
        href = Path(href).as_posix()
        return (
            f'{html.escape(written)} <a href="{html.escape(href)}" target="_blank" '
            f'rel="noopener">{html.escape(path.name)}</a>'
        )


def _mission_language(path: str | Path) -> str:
    """The mission's language, English when the mission cannot be read (the export itself
    reports why)."""
    from assessment_kit.errors import AssessmentKitError
    from assessment_kit.store import Mission

    try:
        with Mission.open(path) as mission:
            return mission.info.language
    except (AssessmentKitError, OSError):
        return "en"
