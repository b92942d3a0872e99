"""The notebooks' first step: open the mission of the parameters cell, or the demo."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessment_kit.widgets import open_mission_or_demo


def test_a_missing_file_becomes_the_demo_mission(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ASSESSMENT_KIT_MISSION", raising=False)
    monkeypatch.delenv("ASSESSMENT_KIT_ASSESSOR", raising=False)
    path = tmp_path / "practice.db"
    mission, assessor = open_mission_or_demo(path, "AB")
    with mission:
        assert mission.path == path
        assert len(mission.respondents()) >= 12
    assert assessor == "AB"
    # The second time the same file is opened, not seeded again.
    mission, _ = open_mission_or_demo(str(path))
    with mission:
        assert len(mission.respondents()) >= 12


def test_the_environment_comes_before_the_parameters_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = tmp_path / "chosen.db"
    monkeypatch.setenv("ASSESSMENT_KIT_MISSION", str(chosen))
    monkeypatch.setenv("ASSESSMENT_KIT_ASSESSOR", "launcher")
    mission, assessor = open_mission_or_demo(tmp_path / "cell.db", "cell")
    with mission:
        assert mission.path == chosen
    assert assessor == "launcher"
    assert chosen.exists()
    assert not (tmp_path / "cell.db").exists()
