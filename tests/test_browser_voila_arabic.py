"""The interview form served by Voilà for an Arabic mission, in a real browser.

The page lays the form out right to left; the fixed words are Arabic; the instruments,
which have no Arabic translation yet, show their English text marked as English. An answer
clicked in Arabic is stored as the same value. A screenshot goes to test-artifacts/; with
UPDATE_SCREENSHOTS=1 it is also written to docs/voila-arabic.png, which the README shows
(tests never rewrite committed files otherwise).
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_browser_voila import ARTIFACTS, _card, serve_voila

from assessment_kit.briefing.browser import find_browser
from assessment_kit.briefing.pdf import CHROMIUM_ARGS
from assessment_kit.i18n import translations
from assessment_kit.questionnaire import builtin
from assessment_kit.store import Mission

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "02_interview.ipynb"
DOCS = ROOT / "docs"
ARABIC = translations("ar").gettext

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture
def mission_file(tmp_path: Path) -> Path:
    path = tmp_path / "arabic.db"
    instrument = builtin("organ_removal")
    with Mission.create(
        path,
        country="Freedonia",
        title="Browser test",
        questionnaires=[instrument],
        language="ar",
    ) as mission:
        mission.add_respondent("T01", institution_type="prosecutor", consent=True)
    return path


@pytest.fixture
def voila(mission_file: Path, tmp_path: Path) -> Iterator[str]:
    with serve_voila(mission_file, tmp_path) as url:
        yield url


def _shot(page: Any, name: str, docs_name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        DOCS.mkdir(exist_ok=True)
        page.screenshot(path=str(DOCS / docs_name))


def test_the_form_in_arabic_right_to_left(voila: str, mission_file: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    instrument = builtin("organ_removal")
    question = instrument.question("cl_protocol_status")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(find_browser()), args=list(CHROMIUM_ARGS))
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(voila, timeout=120_000)
            page.wait_for_selector(".ak-root", timeout=120_000)
            root = page.locator(".ak-root").first
            expect(root).to_have_class(re.compile(r"\bak-rtl\b"))
            assert root.evaluate("e => getComputedStyle(e).direction") == "rtl"
            # The form's own words are Arabic.
            expect(page.get_by_role("button", name=ARABIC("New respondent"))).to_be_visible()
            expect(page.locator(".ak-banner").first).to_contain_text("T01")
            # The instrument is English only: its text is shown marked as English.
            card = _card(page, question.id)
            expect(card.locator("span[lang=en]").first).to_contain_text(question.text.en[:30])
            expect(card.locator(".ak-english").first).to_have_text(ARABIC("(English)"))
            expect(card.locator("button.ak-state").first).to_have_text(ARABIC("Unknown"))
            first = question.choices[0]
            card.locator("button.ak-choice").filter(has_text=str(first.label)).click()
            expect(card.locator(".ak-saved")).to_be_visible()
            _shot(page, "voila-arabic.png", "voila-arabic.png")
        finally:
            browser.close()
    with sqlite3.connect(mission_file) as conn:
        stored = dict(conn.execute("SELECT question, value FROM answers").fetchall())
    assert stored == {question.id: f'"{first.value}"'}
