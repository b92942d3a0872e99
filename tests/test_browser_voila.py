"""A real browser: Voilà serves the interview notebook, Playwright drives Debian's Chromium.

An assessor adds a respondent and answers questions by clicking, one of which triggers skip
logic; the answers are read back from the SQLite file, the page is reloaded and the answers
are shown again. Screenshots go to test-artifacts/ (gitignored) for a human to look at.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assessment_kit.briefing.browser import find_browser
from assessment_kit.briefing.pdf import CHROMIUM_ARGS
from assessment_kit.questionnaire import builtin
from assessment_kit.store import Mission

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "02_interview.ipynb"
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"voila exited with {proc.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"voila did not listen on {port}")


@pytest.fixture
def mission_file(tmp_path: Path) -> Path:
    path = tmp_path / "browser.db"
    mission = Mission.create(
        path,
        country="Freedonia",
        title="Browser test",
        questionnaires=[builtin("organ_removal"), builtin("criminal_justice")],
    )
    mission.close()
    return path


@contextlib.contextmanager
def serve_voila(mission_file: Path, tmp_path: Path) -> Iterator[str]:
    """Voilà serving the interview notebook on ``mission_file``; yields its URL."""
    port = _free_port()
    voila_bin = Path(sys.executable).with_name("voila")
    env = {**os.environ, "ASSESSMENT_KIT_MISSION": str(mission_file)}
    env["ASSESSMENT_KIT_ASSESSOR"] = "browser"
    log = (tmp_path / "voila.log").open("wb")
    proc = subprocess.Popen(
        [
            str(voila_bin),
            str(NOTEBOOK),
            "--no-browser",
            f"--port={port}",
            "--Voila.ip=127.0.0.1",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its kernels go with it when the group is stopped
    )
    try:
        _wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


@pytest.fixture
def voila(mission_file: Path, tmp_path: Path) -> Iterator[str]:
    with serve_voila(mission_file, tmp_path) as url:
        yield url


def _card(page: Any, question_id: str) -> Any:
    return page.locator(".ak-card").filter(
        has=page.locator(".ak-qid", has_text=re.compile(rf"^{question_id}( |$)"))
    )


def _click_choice(page: Any, question_id: str, label: str) -> None:
    card = _card(page, question_id)
    card.locator("button.ak-choice").filter(has_text=re.compile(rf"^{label}$")).click()


def _stored(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as conn:
        return dict(
            conn.execute("SELECT question, value FROM answers WHERE respondent = 'T01'").fetchall()
        )


def test_assessor_adds_respondent_answers_and_sees_answers_after_reload(
    voila: str, mission_file: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    prosecutor = str(builtin("organ_removal").respondent_types["prosecutor"].label)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            # The browser the briefing uses: BROWSER_PATH, then Chromium on PATH. `make test`
            # installs Debian's chromium, so a missing browser fails here rather than skips.
            executable_path=str(find_browser()),
            args=list(CHROMIUM_ARGS),
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            # Each page request starts a kernel and runs the notebook: wait for the widget.
            page.goto(voila, timeout=120_000)
            page.wait_for_selector(".ak-root", timeout=120_000)
            page.screenshot(path=str(ARTIFACTS / "voila-1-opened.png"), full_page=True)

            page.get_by_role("button", name="New respondent").click()
            page.locator(".widget-text", has_text="Code").locator("input").fill("T01")
            page.locator(".widget-dropdown", has_text="Institution type").locator(
                "select"
            ).select_option(label=prosecutor)
            page.locator(".widget-checkbox", has_text="informed consent").locator("input").check()
            page.screenshot(path=str(ARTIFACTS / "voila-2-new-respondent.png"), full_page=True)
            page.get_by_role("button", name="Add respondent").click()
            expect(page.locator(".ak-banner", has_text="New interview with")).to_be_visible(
                timeout=30_000
            )

            _click_choice(page, "cl_protocol_status", "Ratified or acceded")
            first = _card(page, "cl_protocol_status")
            expect(first.locator(".ak-saved")).to_be_visible()
            # Guidance on demand.
            first.get_by_role("button", name="Guidance").click()
            expect(first.locator(".ak-guidance")).to_be_visible()
            _click_choice(page, "cl_organ_removal_purpose", "Partly")
            expect(_card(page, "cl_organ_removal_purpose").locator(".ak-saved")).to_be_visible()
            dependent = _card(page, "cl_consent_irrelevant")
            expect(dependent).to_be_visible()
            # Skip logic: "No" hides the follow-up question, "Partly" brings it back.
            _click_choice(page, "cl_organ_removal_purpose", "No")
            expect(dependent).to_be_hidden()
            page.screenshot(path=str(ARTIFACTS / "voila-3-skip-hidden.png"), full_page=True)
            _click_choice(page, "cl_organ_removal_purpose", "Partly")
            expect(dependent).to_be_visible()
            _click_choice(page, "cl_consent_irrelevant", "Yes")
            expect(dependent.locator(".ak-saved")).to_be_visible()
            _card(page, "cl_child_no_means").locator("button.ak-state").filter(
                has_text="Unknown"
            ).click()
            expect(_card(page, "cl_child_no_means").locator(".ak-saved")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "voila-4-answered.png"), full_page=True)

            stored = _stored(mission_file)
            assert stored == {
                "cl_protocol_status": '"ratified"',
                "cl_organ_removal_purpose": '"partly"',
                "cl_consent_irrelevant": '"yes"',
                "cl_child_no_means": '"unknown"',
            }

            page.reload(timeout=120_000)
            page.wait_for_selector(".ak-root", timeout=120_000)
            expect(page.locator(".ak-banner", has_text="Welcome back")).to_be_visible()
            for question_id, label in [
                ("cl_protocol_status", "Ratified or acceded"),
                ("cl_organ_removal_purpose", "Partly"),
                ("cl_consent_irrelevant", "Yes"),
            ]:
                chosen = _card(page, question_id).locator("button.ak-choice.mod-active")
                expect(chosen).to_have_text(label)
            expect(
                _card(page, "cl_child_no_means").locator("button.ak-state.mod-active")
            ).to_have_text("Unknown")
            page.screenshot(path=str(ARTIFACTS / "voila-5-reloaded.png"), full_page=True)
        finally:
            browser.close()
