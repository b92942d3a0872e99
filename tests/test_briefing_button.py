"""The 'Export briefing' button, headless: click it and read what it wrote and shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from briefing_support import make_mission

from assessment_kit.widgets import ExportBriefingButton


@pytest.fixture(scope="module")
def mission(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_mission(tmp_path_factory.mktemp("button") / "mission.db")


def test_html_export_with_progress_and_link(mission: Path, tmp_path: Path) -> None:
    button = ExportBriefingButton(mission, out_dir=tmp_path, background=False)
    button.controller.format.value = ".html"
    button.controller.button.click()
    assert button.error is None
    assert button.result is not None
    assert button.result.path == tmp_path / "mission-briefing.html"
    assert button.result.path.exists()
    assert button.controller.progress.value == button.controller.progress.max == 4
    assert button.controller.progress.bar_style == "success"
    assert "mission-briefing.html" in button.controller.link.value
    assert not button.controller.button.disabled


def test_failure_is_shown_not_raised(tmp_path: Path) -> None:
    button = ExportBriefingButton(tmp_path / "missing.db", out_dir=tmp_path, background=False)
    button.controller.format.value = ".html"
    button.controller.button.click()
    assert button.result is None
    assert button.error is not None
    assert button.controller.progress.bar_style == "danger"
    assert "no such mission file" in button.controller.link.value
    assert not button.controller.button.disabled


@pytest.mark.slow
@pytest.mark.browser
def test_pdf_export_in_background_twice_in_one_kept_browser(mission: Path, tmp_path: Path) -> None:
    """The kernel keeps the browser: a second click exports again, over its own file."""
    from assessment_kit.briefing.browser import find_browser
    from assessment_kit.briefing.svg import close_shared_renderer, shared_renderer

    button = ExportBriefingButton(mission, out_dir=tmp_path)
    try:
        written = []
        for _ in range(2):
            button.controller.button.click()
            button.wait(timeout=120)
            assert button.error is None
            assert button.result is not None
            assert button.result.pages
            assert button.result.path.read_bytes().startswith(b"%PDF")
            assert button.controller.stage.value.startswith("Done in")
            written.append(button.result.path.stat().st_mtime_ns)
            kept = shared_renderer(find_browser())
            assert kept.alive
        assert written[1] >= written[0]
        assert shared_renderer(find_browser()) is kept  # one session for both exports
        assert kept.charts_drawn == 6
    finally:
        close_shared_renderer()
    assert not kept.workspace.exists()
