"""The command line: exit statuses, messages, and no tracebacks for user mistakes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assessment_kit.cli import main
from assessment_kit.questionnaire import builtin, builtin_path

REPO = Path(__file__).resolve().parents[1]


def test_validate_shipped_questionnaires(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(builtin_path("criminal_justice")), str(builtin_path("organ_removal"))]
    assert main(["validate", *files]) == 0
    out = capsys.readouterr().out
    assert out.count("ok  ") == 2
    assert f"criminal_justice {builtin('criminal_justice').version}" in out


def test_validate_prints_warnings_and_still_succeeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = builtin_path("organ_removal").read_text(encoding="utf-8")
    spare = tmp_path / "spare.yaml"
    # A catalogue entry no recommendation cites.
    spare.write_text(
        text.replace("references:\n", "references:\n  spare_tool: {title: Spare}\n", 1),
        encoding="utf-8",
    )
    assert main(["validate", str(spare)]) == 0
    out = capsys.readouterr().out
    assert "ok  " in out
    assert "warning:" in out
    assert "spare_tool" in out


def test_new_with_sections_is_a_partial_assessment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mission = tmp_path / "m.db"
    args = ["new", str(mission), "--country", "X", "--questionnaire", "organ_removal"]
    assert (
        main([*args, "--section", "concepts_legal", "--section", "organ_removal.victim_care"]) == 0
    )
    assert "partial assessment of organ_removal: concepts_legal, victim_care" in (
        capsys.readouterr().out
    )
    assert main(["score", str(mission), "--json"]) == 0
    left = json.loads(capsys.readouterr().out)["sections_left_out"]
    sections = [s.id for s in builtin("organ_removal").sections]
    assert [item["section"] for item in left] == [
        s for s in sections if s not in ("concepts_legal", "victim_care")
    ]
    assert main(["new", str(tmp_path / "n.db"), *args[2:], "--section", "nope"]) == 1
    assert "unknown section 'nope'" in capsys.readouterr().err
    assert not (tmp_path / "n.db").exists()


def test_validate_lists_every_problem_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = builtin_path("organ_removal").read_text(encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    # Two mistakes far apart: an unknown area and a question type that does not exist.
    text = text.replace("legislation: 1", "legislature: 1", 1).replace(
        "type: integer", "type: number", 1
    )
    broken.write_text(text, encoding="utf-8")
    assert main(["validate", str(broken)]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out
    assert "unknown area 'legislature'" in out
    assert "unknown question type 'number'" in out
    assert f"{broken}:" in out


def test_validate_missing_file_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "assessment_kit.cli", "validate", str(tmp_path / "none.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "file not found" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_console_script_is_installed() -> None:
    script = shutil.which("assessment-kit", path=str(Path(sys.executable).parent))
    assert script is not None
    result = subprocess.run([script, "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.startswith("assessment-kit ")


def test_new_then_score_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mission = tmp_path / "freedonia.db"
    args = ["new", str(mission), "--country", "Freedonia", "--questionnaire", "criminal_justice"]
    assert main(args) == 0
    assert mission.exists()
    capsys.readouterr()
    assert main(["score", str(mission), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [area["id"] for area in data["areas"]] == [
        "prevention",
        "data",
        "legislation",
        "policy",
        "criminal_justice",
        "protection",
        "cooperation",
    ]
    # Nothing answered: every score is null, never 0.
    assert all(area["score"] is None for area in data["areas"])
    assert data["overall"]["score"] is None
    # Creating it again is refused with a message.
    assert main(args) == 1
    assert "already exists" in capsys.readouterr().err


def test_opening_a_file_that_is_not_a_mission(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("these are not the droids", encoding="utf-8")
    assert main(["score", str(bogus)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error:")
    assert str(bogus) in err


def _read_all(fd: int) -> bytes:
    """Everything written to a pseudo-terminal whose other end is closed."""
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the other end is closed and all was read
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def test_brief_shows_progress_on_a_terminal_and_writes_html(tmp_path: Path) -> None:
    import fcntl
    import pty
    import struct
    import termios

    from assessment_kit.demo import create_demo_mission

    mission = tmp_path / "demo.db"
    create_demo_mission(mission).close()
    script = Path(sys.executable).parent / "assessment-kit"
    out = tmp_path / "briefing.html"
    command = [str(script), "brief", str(mission), "--date", "2026-11-25", "--out"]
    terminal, terminal_end = pty.openpty()
    # a terminal of 24 rows and 100 columns (a new one has none: the bar would be empty)
    fcntl.ioctl(terminal_end, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    try:
        shown = subprocess.run(
            [*command, str(out)], stdout=subprocess.PIPE, stderr=terminal_end, timeout=300
        )
        os.close(terminal_end)
        bar = _read_all(terminal).decode("utf-8", "replace")
    finally:
        os.close(terminal)
    assert shown.returncode == 0, bar
    # On a terminal the progress bar goes to stderr, through every stage to the end.
    assert "Scoring" in bar
    assert "4/4" in bar
    assert f"wrote {out}" in shown.stdout.decode()
    assert "Freedonia" in out.read_text(encoding="utf-8")
    # Into a pipe or a log file, no bar: only the summary.
    piped = subprocess.run(
        [*command, str(tmp_path / "piped.html")],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert piped.returncode == 0, piped.stderr
    assert piped.stderr == ""
    assert "wrote" in piped.stdout
