"""The cache of validated instruments across processes (questionnaire/cache.py).

Each test points the cache at its own folder and loads a real questionnaire text. That an
entry is read is shown by planting one (a consistent entry whose document says something
else): a load that answers with the planted title read the cache, not the YAML.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assessment_kit.errors import Code, QuestionnaireError
from assessment_kit.questionnaire import cache, loads
from assessment_kit.questionnaire.loader import builtin_path, loads_known

TEXT = """\
id: cached
version: 1.0.0
title: A cached instrument
scales:
  yn:
    choices:
      - {value: yes, label: "Yes", score: 1}
      - {value: no, label: "No", score: 0}
sections:
  - id: legal
    title: Legal framework
    questions:
      - id: offence
        type: scale
        scale: yn
        text: Is trafficking in persons a distinct offence?
        guidance: Ask for the penal code article.
        areas: {legislation: 1}
        source: assessment-kit
        recommendation: Adopt a specific offence.
"""


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV_VAR, str(where))
    return where


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _entry(text: str) -> Path:
    path = cache.entry_path(_digest(text))
    assert path is not None
    return path


def _plant(text: str, title: str) -> None:
    """A well-formed entry for ``text`` whose document has another title."""
    data = cache.read(_digest(text))
    assert data is not None
    cache.write(_digest(text), {**data, "title": title})


def test_a_valid_text_is_cached_and_read_back(folder: Path) -> None:
    first = loads(TEXT, file="first.yaml")
    assert _entry(TEXT).is_file()
    assert _entry(TEXT).is_relative_to(folder)
    _plant(TEXT, "Read from the cache")
    again = loads(TEXT, file="again.yaml")
    assert again.title.en == "Read from the cache"
    # Built anew from the document: the file name and text are this call's own.
    assert again.source_file == "again.yaml"
    assert again.source_text == TEXT
    assert first.title.en == "A cached instrument"


def test_the_model_from_the_cache_equals_the_model_from_the_yaml(folder: Path) -> None:
    text = builtin_path("organ_removal").read_text(encoding="utf-8")
    from_yaml = loads_known(text, file="organ.yaml")
    assert _entry(text).is_file()
    assert loads_known(text, file="organ.yaml") == from_yaml


def test_an_edited_text_misses_and_gets_its_own_entry(folder: Path) -> None:
    loads(TEXT)
    _plant(TEXT, "Stale")
    edited = TEXT.replace("A cached instrument", "An edited instrument")
    assert loads(edited).title.en == "An edited instrument"
    assert _entry(edited).is_file()
    assert _entry(edited) != _entry(TEXT)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: b"not json at all", id="not-json"),
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: data.replace(b"A cached", b"A forged"), id="edited-data"),
        pytest.param(lambda data: b"\xff\xfe" + data, id="not-utf8"),
        pytest.param(
            lambda data: data.replace(b'"format": 1', b'"format": 0', 1), id="other-format"
        ),
    ],
)
def test_a_corrupt_entry_is_ignored_and_rewritten(folder: Path, damage: object) -> None:
    loads(TEXT)
    entry = _entry(TEXT)
    assert callable(damage)
    entry.write_bytes(damage(entry.read_bytes()))
    assert cache.read(_digest(TEXT)) is None
    assert loads(TEXT).title.en == "A cached instrument"
    assert cache.read(_digest(TEXT)) is not None  # rewritten whole


def test_an_entry_that_does_not_build_is_ignored(folder: Path) -> None:
    loads(TEXT)
    data = cache.read(_digest(TEXT))
    assert data is not None
    cache.write(_digest(TEXT), {key: v for key, v in data.items() if key != "sections"})
    assert [q.id for q in loads(TEXT).questions.values()] == ["offence"]


def test_an_entry_from_other_code_is_stale(folder: Path) -> None:
    loads(TEXT)
    entry = _entry(TEXT)
    head, _, body = entry.read_bytes().partition(b"\n")
    header = json.loads(head)
    header["fingerprint"] = "0" * 64  # as written by another version of the validator
    entry.write_bytes(json.dumps(header).encode() + b"\n" + body)
    assert cache.read(_digest(TEXT)) is None
    assert loads(TEXT).title.en == "A cached instrument"
    assert json.loads(entry.read_bytes().partition(b"\n")[0]) == {
        **header,
        "fingerprint": cache.fingerprint(),
    }


def test_an_invalid_text_is_never_cached_and_keeps_its_lines(folder: Path) -> None:
    broken = TEXT.replace("scale: yn", "scale: nope")
    for _ in range(2):
        with pytest.raises(QuestionnaireError) as caught:
            loads(broken, file="broken.yaml")
        problem = caught.value.problems[0]
        assert problem.code is Code.UNKNOWN_SCALE
        assert (problem.file, problem.line) == ("broken.yaml", 15)
    assert not _entry(broken).exists()


def test_an_empty_setting_turns_the_cache_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.ENV_VAR, "")
    assert cache.cache_folder() is None
    assert loads(TEXT).title.en == "A cached instrument"


def test_the_default_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(cache.ENV_VAR)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_folder() == tmp_path / "assessment-kit"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # ignored, as the XDG rules say
    assert cache.cache_folder() == Path.home() / ".cache" / "assessment-kit"


@pytest.mark.parametrize("kind", ["read-only folder", "a file in the way"])
def test_a_cache_that_cannot_be_written_is_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    where = tmp_path / "cache"
    if kind == "read-only folder":
        where.mkdir()
        where.chmod(0o555)
        if os.access(where, os.W_OK):  # root writes anyway, but not into sysfs
            where.chmod(0o755)
            where = Path("/sys/assessment-kit-cache")
    else:
        where.write_text("a file where the cache folder should be", encoding="utf-8")
    monkeypatch.setenv(cache.ENV_VAR, str(where))
    try:
        assert loads(TEXT).title.en == "A cached instrument"
        assert cache.read(_digest(TEXT)) is None
        assert loads(TEXT).title.en == "A cached instrument"
        assert not where.is_dir() or not any(where.rglob("*.json"))
    finally:
        if where.is_dir() and where.is_relative_to(tmp_path):
            where.chmod(0o755)


@pytest.mark.slow
def test_a_second_process_reads_what_the_first_wrote(folder: Path) -> None:
    # Across processes, as the command line runs: the first writes the entry, the second
    # builds from it (the planted title proves it), and neither reads the other's memory.
    script = (
        "import sys\n"
        "from assessment_kit.questionnaire import loads\n"
        "print(loads(sys.stdin.read()).title.en)\n"
    )
    run = [sys.executable, "-c", script]
    first = subprocess.run(run, input=TEXT, capture_output=True, text=True, check=True)
    assert first.stdout.strip() == "A cached instrument"
    _plant(TEXT, "From the first process")
    second = subprocess.run(run, input=TEXT, capture_output=True, text=True, check=True)
    assert second.stdout.strip() == "From the first process"


def test_the_folder_keeps_the_entries_written_last(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "KEEP", 3)
    texts = [TEXT.replace("A cached instrument", f"Edit {n}") for n in range(5)]
    for n, text in enumerate(texts):
        loads(text)
        os.utime(_entry(text), ns=(n * 10**9, n * 10**9))  # written in this order
    other = folder / "instruments" / "notes.json"  # not an entry: never removed
    other.write_text("{}", encoding="utf-8")
    loads(TEXT)  # the sixth entry, written now
    kept = sorted(path.name for path in (folder / "instruments").iterdir())
    expected = [_entry(text).name for text in (TEXT, texts[3], texts[4])]
    assert kept == sorted([*expected, "notes.json"])


PROFILE = """\
name: cached profile
bands:
  - {from: 0, label: Low}
  - {from: 50, label: High}
"""


def test_a_valid_profile_is_read_from_the_cache_the_next_time(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assessment_kit.scoring import profile

    first = profile.loads_profile(PROFILE, "first.yaml")
    assert first.name == "cached profile"

    def no_yaml(text: str, file: str) -> None:
        raise AssertionError(f"{file} read as YAML again")

    monkeypatch.setattr(profile, "read_yaml", no_yaml)
    again = profile.loads_profile(PROFILE, "again.yaml")
    assert again == dataclasses.replace(first, file="again.yaml")  # its own file name
    # Under a digest of its own: the same text given as a questionnaire is read, and refused.
    monkeypatch.undo()
    monkeypatch.setenv(cache.ENV_VAR, str(folder))
    with pytest.raises(QuestionnaireError):
        loads(PROFILE, file="profile-as-questionnaire.yaml")


def test_an_invalid_profile_is_never_cached(folder: Path) -> None:
    from assessment_kit.scoring.profile import ProfileError, loads_profile

    bad = PROFILE.replace("name: cached profile", "nmae: cached profile")
    for _ in range(2):
        with pytest.raises(ProfileError) as raised:
            loads_profile(bad, "bad.yaml")
        assert "nmae" in str(raised.value.problems)
    assert not list((folder / "instruments").glob("*.json"))


@pytest.mark.slow
def test_an_export_whose_instruments_and_profile_are_kept_never_imports_pyyaml(
    folder: Path, tmp_path: Path
) -> None:
    from assessment_kit.demo import create_demo_mission

    mission = tmp_path / "demo.db"
    create_demo_mission(mission).close()
    script = (
        "import sys\n"
        "from assessment_kit.briefing import export_briefing\n"
        "export_briefing(sys.argv[1], sys.argv[2])\n"
        "print('yaml' in sys.modules)\n"
    )
    seen = []
    for name in ("first.html", "second.html"):
        run = [sys.executable, "-c", script, str(mission), str(tmp_path / name)]
        done = subprocess.run(run, capture_output=True, text=True, check=True, timeout=300)
        seen.append(done.stdout.strip())
    assert seen == ["True", "False"]  # read once, then kept
