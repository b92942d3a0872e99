"""The notebooks New mission writes beside a mission run headless on that mission.

Their ``parameters`` cell names the mission beside them, so a kernel started in their
folder (as JupyterLab starts it) opens that mission, never the demo one.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from assessment_kit.server.missions import new_mission

pytestmark = pytest.mark.slow


def test_a_written_notebook_runs_on_its_mission(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One notebook stands for the four: they share the parameters cell and its rewriting
    # (the shipped notebooks themselves run headless in test_notebooks.py).
    # Nothing outside the notebook chooses the mission.
    monkeypatch.delenv("ASSESSMENT_KIT_MISSION", raising=False)
    made = new_mission(
        tmp_path, "dorado", country="Dorado", title="", instruments=["organ_removal"]
    )
    assert made.path == tmp_path / "dorado.db"
    book = nbformat.read(made.notebooks["mission"], as_version=4)
    client = NotebookClient(
        book, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    outputs = [o for c in book.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    assert sorted(p.name for p in tmp_path.glob("*.db")) == ["dorado.db"]
    with sqlite3.connect(made.path) as conn:
        assert conn.execute("SELECT country FROM mission").fetchone() == ("Dorado",)
        assert conn.execute("SELECT count(*) FROM respondents").fetchone() == (0,)
    assert os.environ.get("ASSESSMENT_KIT_MISSION") is None
