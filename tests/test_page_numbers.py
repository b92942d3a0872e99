"""The contents' page numbers of the last print: a print with the same contents takes them
instead of guessing from the layout, and is still numbered right when they are wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from briefing_support import make_mission
from pypdf import PdfReader

from assessment_kit.briefing import export_briefing
from assessment_kit.briefing.browser import find_browser
from assessment_kit.briefing.page_numbers import PageNumbers
from assessment_kit.briefing.svg import ChartRenderer
from assessment_kit.questionnaire.cache import ENV_VAR

ANCHORS = ["summary", "scores", "area-1"]


@pytest.fixture
def numbers(tmp_path: Path) -> PageNumbers:
    return PageNumbers(tmp_path / "page-numbers")


def test_numbers_put_are_got_back_for_the_same_contents_only(numbers: PageNumbers) -> None:
    assert numbers.get(ANCHORS) is None
    numbers.put(ANCHORS, {"summary": 3, "scores": 4, "area-1": 5})
    assert numbers.get(ANCHORS) == {"summary": 3, "scores": 4, "area-1": 5}
    assert numbers.get(list(reversed(ANCHORS))) is None  # other contents: another entry
    assert numbers.get(ANCHORS[:2]) is None


def test_numbers_for_part_of_the_contents_are_not_kept(numbers: PageNumbers) -> None:
    numbers.put(ANCHORS, {"summary": 3, "scores": 4})
    assert numbers.get(ANCHORS) is None


@pytest.mark.parametrize(
    "damage",
    [
        "not json",
        "[3, 4, 5]",
        '{"summary": 3, "scores": 4}',
        '{"summary": 3, "scores": 4, "area-1": "5"}',
        '{"summary": 3, "scores": 0, "area-1": 5}',
        '{"summary": 3, "scores": true, "area-1": 5}',
    ],
)
def test_a_damaged_entry_is_no_guess(numbers: PageNumbers, damage: str) -> None:
    numbers.put(ANCHORS, {"summary": 3, "scores": 4, "area-1": 5})
    (entry,) = numbers.folder.glob("*.json")
    entry.write_text(damage, encoding="utf-8")
    assert numbers.get(ANCHORS) is None


def test_turned_off_by_an_empty_cache_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "")
    assert PageNumbers.for_user() is None


def _contents_page(pdf: Path) -> str:
    return str(PdfReader(pdf).pages[1].extract_text())


@pytest.mark.slow
@pytest.mark.browser
def test_a_second_print_takes_the_kept_numbers_and_a_wrong_one_is_corrected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "cache"))
    mission = make_mission(tmp_path / "mission.db")
    browser = find_browser()
    prints = []
    for name in ("first", "second", "planted"):
        if name == "planted":  # the kept numbers are wrong: every entry one page off
            (entry,) = (tmp_path / "cache" / "page-numbers").glob("*.json")
            kept = json.loads(entry.read_text(encoding="utf-8"))
            entry.write_text(json.dumps({k: v + 1 for k, v in kept.items()}), "utf-8")
        with ChartRenderer(browser) as session:
            export_briefing(mission, tmp_path / f"{name}.pdf", renderer=session)
            prints.append(session.prints)
    assert prints == [1, 1, 2]  # guessed from the layout; kept; corrected
    monkeypatch.setenv(ENV_VAR, "")
    export_briefing(mission, tmp_path / "uncached.pdf")
    expected = _contents_page(tmp_path / "uncached.pdf")
    for name in ("first", "second", "planted"):
        assert _contents_page(tmp_path / f"{name}.pdf") == expected
    assert json.loads(entry.read_text(encoding="utf-8")) == kept  # the right ones again
