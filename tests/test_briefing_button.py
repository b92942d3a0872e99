"""The 'Export briefing' button, headless: click it and read what it wrote and shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from briefing_support import make_mission

from assessment_kit.widgets.export_button import ExportBriefingButton


@pytest.fixture(scope="module")
def mission(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_mission(tmp_path_factory.mktemp("button") / "mission.db")


def test_html_export_with_progress_and_link(mission: Path, tmp_path: Path) -> None:
    button = ExportBriefingButton(mission, out_dir=tmp_path, background=False)
    button.format.value = ".html"
    button.button.click()
    assert button.error is None
    assert button.result is not None
    assert button.result.path == tmp_path / "mission-briefing.html"
    assert button.result.path.exists()
    assert button.progress.value == button.progress.max == 4
    assert button.progress.bar_style == "success"
    assert "mission-briefing.html" in button.link.value
    assert not button.button.disabled


def test_failure_is_shown_not_raised(tmp_path: Path) -> None:
    button = ExportBriefingButton(tmp_path / "missing.db", out_dir=tmp_path, background=False)
    button.format.value = ".html"
    button.button.click()
    assert button.result is None
    assert button.error is not None
    assert button.progress.bar_style == "danger"
    assert "no such mission file" in button.link.value
    assert not button.button.disabled


@pytest.mark.slow
@pytest.mark.browser
def test_pdf_export_in_background(mission: Path, tmp_path: Path) -> None:
    button = ExportBriefingButton(mission, out_dir=tmp_path)
    button.button.click()
    assert button._thread is not None
    button._thread.join(timeout=120)
    assert button.error is None
    assert button.result is not None
    assert button.result.pages
    assert button.result.path.read_bytes().startswith(b"%PDF")
    assert button.stage.value.startswith("Done in")
