"""Golden files for the demo mission: what users see must not change by accident.

The demo mission is seeded, so ``score --json``, the answers export (CSV), the briefing
HTML (with ``--date``, and the progress since the demo's baseline, as ``assessment-kit
demo`` prints it) and ``compare --json`` against that baseline are the same byte for byte
on every run. A refactoring must leave
them unchanged; a deliberate change (a revised instrument, a new briefing section) updates
them, and the diff of ``tests/golden/`` shows reviewers what users will see::

    UPDATE_GOLDEN=1 pytest tests/test_golden.py

Only one thing is stripped: the body of the inlined plotly.js library (about 5 MB) in the
briefing HTML. It is plotly's code, not ours, and it changes with the installed plotly
version; the test checks that it is there and replaces it with a marker.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from assessment_kit.cli import main
from assessment_kit.demo import create_demo_baseline, create_demo_mission

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
BRIEFING_DATE = "2026-11-25"

#: The inlined plotly.js library: a <script> whose body opens with plotly's licence banner.
PLOTLY_JS = re.compile(r"(<script>)(/\*\*\s*\* plotly\.js v[^\n]*\n.*?)(</script>)", re.DOTALL)
PLOTLY_MARKER = "/* plotly.js: stripped by tests/test_golden.py */"


@pytest.fixture(scope="module")
def demo_mission(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo mission, a follow-up of the demo's baseline beside it (as the demo makes)."""
    folder = tmp_path_factory.mktemp("golden")
    with create_demo_baseline(folder / "freedonia-baseline.db") as baseline:
        reference = baseline.info.ref()
    path = folder / "freedonia-demo.db"
    create_demo_mission(path, baseline=reference).close()
    return path


def _baseline(mission: Path) -> Path:
    return mission.with_name("freedonia-baseline.db")


def _compare(name: str, text: str) -> None:
    golden = GOLDEN / name
    if UPDATE:
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(text.encode("utf-8"))
    assert golden.is_file(), f"{golden} is missing: run UPDATE_GOLDEN=1 pytest {__file__}"
    expected = golden.read_bytes().decode("utf-8")
    # Compare line lists first so a failure shows the lines that differ, not 200 KB.
    assert text.splitlines() == expected.splitlines()
    assert text == expected


def test_score_json_is_golden(demo_mission: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(demo_mission), "--json"]) == 0
    _compare("demo_score.json", capsys.readouterr().out)


def test_answers_export_is_golden(demo_mission: Path, tmp_path: Path) -> None:
    out = tmp_path / "answers.csv"
    assert main(["export", str(demo_mission), "--format", "csv", "--out", str(out)]) == 0
    _compare("demo_answers.csv", out.read_bytes().decode("utf-8"))


def strip_plotly_js(html: str) -> str:
    """The briefing HTML with the inlined plotly.js body replaced by a marker."""
    stripped, count = PLOTLY_JS.subn(rf"\g<1>{PLOTLY_MARKER}\g<3>", html)
    assert count == 1, "the briefing HTML should inline plotly.js exactly once"
    return stripped


def test_briefing_html_is_golden(demo_mission: Path, tmp_path: Path) -> None:
    out = tmp_path / "briefing.html"
    args = ["brief", str(demo_mission), "--out", str(out), "--date", BRIEFING_DATE, "--quiet"]
    assert main([*args, "--baseline", str(_baseline(demo_mission))]) == 0
    _compare("demo_briefing.html", strip_plotly_js(out.read_bytes().decode("utf-8")))


def test_compare_json_is_golden(demo_mission: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(_baseline(demo_mission)), str(demo_mission), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    # The missions' identities are new on every run: the only volatile fields.
    for side in ("baseline", "followup"):
        data[side]["uuid"] = "(uuid)"
    _compare("demo_compare.json", json.dumps(data, indent=2) + "\n")
