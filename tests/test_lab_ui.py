"""A real JupyterLab with the extension, driven by Debian's Chromium through Playwright.

The journey of issue 14: the launcher's Assessment section, New mission, the dialog, the
mission panel at 0%, Interview (the notebook runs on the venv's python3 kernel), one
answer, back to the panel, and the progress has moved. JupyterLab runs as a subprocess on
a free port with a token, in a temporary root folder, with settings and workspaces of its
own; the front-end is the one built from labextension/ into assessment_kit/labextension/.

Screenshots go to test-artifacts/; with UPDATE_SCREENSHOTS=1 the two the README shows are
written to docs/ as well (tests never rewrite committed files otherwise).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assessment_kit.briefing.browser import find_browser
from assessment_kit.briefing.pdf import CHROMIUM_ARGS
from assessment_kit.questionnaire import builtin
from assessment_kit.store import Mission

ROOT = Path(__file__).resolve().parent.parent
BUILT = ROOT / "assessment_kit" / "labextension"
ARTIFACTS = ROOT / "test-artifacts"
DOCS = ROOT / "docs"

pytestmark = [pytest.mark.slow, pytest.mark.browser]

#: Generous bounds for a busy machine; every wait ends as soon as its condition holds.
START_TIMEOUT = 90.0
UI_TIMEOUT_MS = 60_000


@dataclass(frozen=True)
class Lab:
    url: str
    token: str
    root: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_serving(url: str, token: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    request = urllib.request.Request(
        f"{url}api/status", headers={"Authorization": f"token {token}"}
    )
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise TimeoutError(f"jupyter lab did not answer on {url}")


def _settings(folder: Path) -> None:
    # No news or update pop-ups over what the test clicks.
    notification = (
        folder / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    )
    notification.parent.mkdir(parents=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    if not (BUILT / "package.json").exists():
        pytest.fail(
            "the JupyterLab extension is not built: `pip install -e .` builds it (or run "
            "`jlpm install && jlpm build:prod` in labextension/)"
        )
    root = tmp_path / "root"
    root.mkdir()
    data = tmp_path / "data"
    (data / "labextensions").mkdir(parents=True)
    # This tree's build, found before any installed copy of the extension.
    (data / "labextensions" / "assessment-kit").symlink_to(BUILT, target_is_directory=True)
    _settings(tmp_path / "settings")
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_PATH": str(data),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
        # The kernel imports this tree's package, as the server does.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "ASSESSMENT_KIT_ASSESSOR": "lab-test",
    }
    env.pop("ASSESSMENT_KIT_MISSION", None)
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        "--ServerApp.ip=127.0.0.1",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        # Enabled here as the installed config enables it (etc/jupyter/...d/assessment_kit.json).
        "--ServerApp.jpserver_extensions=assessment_kit.server=True",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        # Server extensions the journey does not use, left out to start faster.
        "--ServerApp.jpserver_extensions=jupyter_lsp=False",
        "--ServerApp.jpserver_extensions=voila.server_extension=False",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = (tmp_path / "lab.log").open("wb")
    proc = subprocess.Popen(
        command,
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its kernels go with it when the group is stopped
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_serving(url, token, proc)
        yield Lab(url=url, token=token, root=root)
    finally:
        # The server first, which shuts its kernels down; then whatever of its group is left.
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def _shot(page: Any, name: str, docs_name: str | None = None) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))
    if docs_name and os.environ.get("UPDATE_SCREENSHOTS") == "1":
        DOCS.mkdir(exist_ok=True)
        page.screenshot(path=str(DOCS / docs_name))


def test_launcher_new_mission_interview_and_progress(lab: Lab) -> None:
    from playwright.sync_api import expect, sync_playwright

    prosecutor = str(builtin("organ_removal").respondent_types["prosecutor"].label)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(find_browser()), args=list(CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.set_default_timeout(UI_TIMEOUT_MS)
        expect.set_options(timeout=UI_TIMEOUT_MS)
        try:
            page.goto(f"{lab.url}lab?token={lab.token}")

            # The launcher has an Assessment section with its four cards.
            section = page.locator(".jp-Launcher-section").filter(
                has=page.locator(".jp-Launcher-sectionTitle", has_text="Assessment")
            )
            cards = section.locator(".jp-LauncherCard")
            expect(cards).to_have_count(4)
            expect(cards.first).to_contain_text("New mission")
            for name in ("Interview", "Consolidate", "Scores"):
                expect(section.locator(".jp-LauncherCard", has_text=name)).to_be_visible()
            _shot(page, "lab-1-launcher.png", "lab-launcher.png")

            # New mission: the dialog.
            section.locator(".jp-LauncherCard", has_text="New mission").click()
            dialog = page.locator(".jp-Dialog")
            dialog.locator('input[name="country"]').fill("Freedonia")
            dialog.locator('input[name="instrument"][value="criminal_justice"]').uncheck()
            dialog.locator('input[name="instrument"][value="organ_removal"]').check()
            expect(dialog.locator('input[name="file"]')).to_have_value(
                re.compile(r"^freedonia-\d{4}\.db$")
            )
            dialog.locator('input[name="file"]').fill("freedonia.db")
            # The six languages, in their own words; English unless another is chosen.
            language = dialog.locator('select[name="language"]')
            expect(language.locator("option")).to_have_count(6)
            expect(language.locator('option[value="fr"]')).to_have_text("Français")
            expect(language).to_have_value("en")
            _shot(page, "lab-2-dialog.png")
            dialog.locator(".jp-Dialog-button.jp-mod-accept").click()

            # The mission panel at 0%.
            panel = page.locator(".jp-AssessmentKit-panel")
            expect(panel.locator("h1")).to_have_text("Needs assessment: Freedonia")
            percent = panel.locator(".jp-AssessmentKit-percent")
            expect(percent).to_have_text("0%")
            mission_path = lab.root / "freedonia.db"
            with Mission.open(mission_path) as mission:
                assert [qid for qid, _ in mission.info.instruments] == ["organ_removal"]
                assert mission.info.language == "en"
            assert (lab.root / "freedonia-interview.ipynb").is_file()

            # Interview: the notebook beside the mission, run on the venv's kernel.
            panel.locator('button[data-notebook="interview"]').click()
            notebook = page.locator(".jp-NotebookPanel:visible")
            # Run All only once the kernel is up (before, JupyterLab asks which kernel to use).
            expect(
                page.locator("#jp-main-statusbar").get_by_text(re.compile(r"^Python 3.*\| Idle$"))
            ).to_be_visible()
            page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
            page.locator(".lm-Menu-item:visible").filter(
                has_text=re.compile(r"^Run All Cells")
            ).first.click()
            expect(notebook.locator(".ak-root")).to_be_visible()

            notebook.get_by_role("button", name="New respondent").click()
            notebook.locator(".widget-text", has_text="Code").locator("input").fill("T01")
            notebook.locator(".widget-dropdown", has_text="Institution type").locator(
                "select"
            ).select_option(label=prosecutor)
            notebook.locator(".widget-checkbox", has_text="informed consent").locator(
                "input"
            ).check()
            notebook.get_by_role("button", name="Add respondent").click()
            expect(notebook.locator(".ak-banner", has_text="New interview with")).to_be_visible()
            card = notebook.locator(".ak-card").filter(
                has=page.locator(".ak-qid", has_text=re.compile(r"^cl_protocol_status( |$)"))
            )
            card.locator("button.ak-choice").filter(
                has_text=re.compile(r"^Ratified or acceded$")
            ).click()
            expect(card.locator(".ak-saved")).to_be_visible()

            # Back to the panel: it reads the mission again and the progress has moved.
            page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text="freedonia.db").click()
            expect(percent).not_to_have_text("0%")
            expect(percent).to_have_attribute("data-answered", "1")
            expect(panel.locator(".jp-AssessmentKit-respondents")).to_contain_text("T01")
            expect(panel.locator(".jp-AssessmentKit-changes")).to_contain_text(
                "T01 answered cl_protocol_status"
            )
            _shot(page, "lab-3-panel.png", "lab-mission-panel.png")

            # Export briefing (HTML: no browser to start): progress, then a link to the file.
            panel.locator(".jp-AssessmentKit-export select").select_option("html")
            panel.locator('button[data-action="export"]').click()
            expect(panel.locator(".jp-AssessmentKit-link")).to_have_text("freedonia-briefing.html")
            assert "Freedonia" in (lab.root / "freedonia-briefing.html").read_text(encoding="utf-8")

            # A .db file that is not a mission opens in the editor, as it did before.
            (lab.root / "notes.db").write_text("just some notes\n", encoding="utf-8")
            page.locator(".jp-FileBrowser .jp-ToolbarButtonComponent[title^='Refresh']").click()
            page.locator(".jp-DirListing-item", has_text="notes.db").dblclick()
            editor = page.locator(".jp-FileEditor:visible")
            expect(editor).to_contain_text("just some notes")
            expect(page.locator(".jp-AssessmentKit-panel")).to_have_count(1)
        except Exception:
            _shot(page, "lab-failed.png")  # what the page showed, for whoever reads the failure
            raise
        finally:
            browser.close()
