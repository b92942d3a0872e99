"""Every notebook in notebooks/ runs top to bottom headless (nbclient, a real kernel)."""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
ALL = sorted(NOTEBOOKS.glob("*.ipynb"))

pytestmark = pytest.mark.slow

JARGON = ("widget", "kernel", "dataframe", "sqlite", "python", "import", "api", "parameter")


@pytest.fixture(scope="module")
def mission_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("notebooks") / "mission.db"


def test_there_are_notebooks_for_each_step() -> None:
    names = [path.stem for path in ALL]
    for step in ("mission", "interview", "consolidate", "scores"):
        assert any(step in name for name in names), step


@pytest.mark.parametrize("path", ALL, ids=[p.stem for p in ALL])
def test_notebook_has_a_parameters_cell_and_plain_instructions(path: Path) -> None:
    book = nbformat.read(path, as_version=4)
    tagged = [c for c in book.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    assert "mission_file" in tagged[0].source
    assert book.cells[0].cell_type == "markdown"
    # Committed clean: no outputs, counts, widget state or editor settings.
    assert all(not c.get("outputs") for c in book.cells if c.cell_type == "code")
    assert all(c.get("execution_count") is None for c in book.cells if c.cell_type == "code")
    assert set(book.metadata) <= {"kernelspec", "language_info"}
    assert all(set(c.metadata) <= {"tags"} for c in book.cells)
    # What an assessor reads is in their words, not a programmer's.
    words = " ".join(c.source for c in book.cells if c.cell_type == "markdown").lower()
    for jargon in JARGON:
        assert not re.search(rf"\b{jargon}", words), jargon


@pytest.mark.parametrize("path", ALL, ids=[p.stem for p in ALL])
def test_notebook_runs_headless(path: Path, mission_file: Path, tmp_path: Path) -> None:
    book = nbformat.read(path, as_version=4)
    env = {"ASSESSMENT_KIT_MISSION": str(mission_file), "ASSESSMENT_KIT_ASSESSOR": "tester"}
    old = {key: os.environ.get(key) for key in env}
    os.environ.update(env)  # the kernel inherits the environment
    try:
        client = NotebookClient(
            book,
            timeout=120,
            kernel_name="python3",
            resources={"metadata": {"path": str(tmp_path)}},
        )
        client.execute()
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    outputs = [o for c in book.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    # The demo mission was created where the parameter said, not next to the notebook.
    assert mission_file.exists()
    assert not (tmp_path / "freedonia-demo.db").exists()
    if any(step in path.stem for step in ("interview", "consolidate", "scores")):
        mimes = [key for o in outputs for key in o.get("data", {})]
        assert "application/vnd.jupyter.widget-view+json" in mimes
    with sqlite3.connect(mission_file) as conn:
        assert conn.execute("SELECT count(*) FROM respondents").fetchone()[0] >= 12
