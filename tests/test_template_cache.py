"""The briefing's templates kept compiled: a later process takes them from the cache folder
and renders the same page; a damaged entry, an unwritable folder or a folder others can
write only mean compiling again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from jinja2.bccache import bc_magic

from assessment_kit.briefing.template_cache import FOLDER, template_cache
from assessment_kit.questionnaire.cache import ENV_VAR

#: Renders the briefing's sections for a small context, in a fresh process, and prints
#: whether Jinja's cache gave it compiled code.
RENDER = """
import sys
from briefing_support import make_mission
from pathlib import Path
from assessment_kit.briefing.context import briefing_context
from assessment_kit.briefing import notebook
from assessment_kit.scoring import score_mission
from assessment_kit.store import Mission
mission_path = Path(sys.argv[1])
if not mission_path.exists():
    make_mission(mission_path)
with Mission.open(mission_path) as mission:
    context = briefing_context(mission, score_mission(mission))
environment = notebook._environment()
cache = environment.bytecode_cache
source, filename, _ = environment.loader.get_source(environment, "briefing.html.j2")
bucket = cache.get_bucket(environment, "briefing.html.j2", filename, source) if cache else None
print("cached" if bucket is not None and bucket.code is not None else "compiled")
sections = notebook.render_sections(context)
sys.stdout.write("".join(sections[name] for name in sorted(sections)))
"""


def _render(cache: Path | str, mission: Path) -> tuple[str, str]:
    done = subprocess.run(
        [sys.executable, "-c", RENDER, str(mission)],
        env={**os.environ, ENV_VAR: str(cache), "PYTHONPATH": str(Path(__file__).parent)},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    state, _, page = done.stdout.partition("\n")
    return state, page


def test_a_later_process_renders_the_same_page_from_kept_code(tmp_path: Path) -> None:
    mission = tmp_path / "mission.db"
    cache = tmp_path / "cache"
    first_state, first = _render(cache, mission)
    entries = list((cache / FOLDER).iterdir())
    assert first_state == "compiled"
    assert len(entries) == 1
    assert (cache / FOLDER).stat().st_mode & 0o777 == 0o700
    second_state, second = _render(cache, mission)
    assert second_state == "cached"
    assert second == first
    # A damaged entry (the right header, then a broken pickle): compiled again.
    entries[0].write_bytes(bc_magic + b"\x80\x05garbage")
    third_state, third = _render(cache, mission)
    assert third_state == "compiled"
    assert third == first
    assert _render(cache, mission)[0] == "cached"  # and kept again


def test_a_folder_others_can_write_gets_no_compiled_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    (tmp_path / FOLDER).mkdir(mode=0o700)
    (tmp_path / FOLDER).chmod(0o777)
    assert template_cache() is None
    (tmp_path / FOLDER).chmod(0o700)
    assert template_cache() is not None
    monkeypatch.setenv(ENV_VAR, "")
    assert template_cache() is None


def test_an_unwritable_cache_is_no_error(tmp_path: Path) -> None:
    mission = tmp_path / "mission.db"
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    state, page = _render(blocker, mission)
    assert state == "compiled"
    assert "<" in page
