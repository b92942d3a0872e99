"""Every notebook in notebooks/ runs top to bottom headless (nbclient, a real kernel)."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
ALL = sorted(NOTEBOOKS.glob("*.ipynb"))
GIT = shutil.which("git")

pytestmark = pytest.mark.slow

JARGON = ("widget", "kernel", "dataframe", "sqlite", "python", "import", "api", "parameter")


def committed_text(path: Path) -> str:
    """The notebook as git holds it (the index), else the file itself.

    Running a notebook in JupyterLab saves its outputs into the working copy; what must be
    clean is what gets committed. Outside a git checkout (an sdist) and for a notebook git
    does not track yet, the file in the folder is what there is.
    """
    if GIT is not None:
        shown = subprocess.run(
            [GIT, "-C", str(path.parent), "show", f":./{path.name}"],
            capture_output=True,
            check=False,
        )
        if shown.returncode == 0:
            return shown.stdout.decode("utf-8")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def mission_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("notebooks") / "mission.db"


def test_there_are_notebooks_for_each_step() -> None:
    names = [path.stem for path in ALL]
    for step in ("mission", "interview", "consolidate", "scores"):
        assert any(step in name for name in names), step


@pytest.mark.parametrize("path", ALL, ids=[p.stem for p in ALL])
def test_notebook_has_a_parameters_cell_and_plain_instructions(path: Path) -> None:
    book = nbformat.reads(committed_text(path), as_version=4)
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


@pytest.mark.skipif(GIT is None, reason="needs git")
def test_the_clean_check_reads_what_git_holds_not_the_working_copy(tmp_path: Path) -> None:
    clean = ALL[0].read_text(encoding="utf-8")
    run = nbformat.reads(clean, as_version=4)
    run.cells[1].outputs = [nbformat.v4.new_output("stream", text="ran")]
    notebook = tmp_path / "notebooks" / "01_mission.ipynb"
    notebook.parent.mkdir()
    notebook.write_text(clean, encoding="utf-8")
    # Outside git: the file itself.
    assert committed_text(notebook) == clean
    git = [str(GIT), "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    git += ["-c", "commit.gpgsign=false"]  # a signing setup of the machine must not interfere
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "notebooks"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "clean"], check=True)
    # Run in JupyterLab: outputs in the working copy, the committed notebook still clean.
    nbformat.write(run, notebook)
    assert "ran" in notebook.read_text(encoding="utf-8")
    assert committed_text(notebook) == clean


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
