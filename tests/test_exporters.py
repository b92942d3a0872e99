"""The nbconvert exporters on ordinary notebooks, through nbconvert's CLI and the Jupyter
server's download route (what JupyterLab's File > Save and Export Notebook As calls), and
browser discovery."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest
from pypdf import PdfReader

from assessment_kit.briefing.browser import find_browser
from assessment_kit.errors import BrowserNotFoundError

CHART_TITLE = "Shelter beds by region"
AXIS_TITLE = "Region of Freedonia"
JUPYTER = Path(sys.executable).with_name("jupyter")


def _plotly_notebook(path: Path) -> Path:
    """A user notebook as JupyterLab saves it after running a plotly cell."""
    import plotly.graph_objects as go

    figure = go.Figure(go.Bar(x=["North", "South", "East"], y=[12, 30, 7]))
    figure.update_layout(title=CHART_TITLE, xaxis_title=AXIS_TITLE)
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("fig = make_chart()\nfig")
    code.execution_count = 1
    code.outputs = [
        nbformat.v4.new_output(
            "execute_result",
            data={
                "application/vnd.plotly.v1+json": json.loads(figure.to_json()),
                "text/plain": "Figure()",
            },
            execution_count=1,
        )
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# Shelter capacity"), code]
    nbformat.write(nb, path)
    return path


def _nbconvert(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(JUPYTER), "nbconvert", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )


def test_exporters_are_registered_with_server_safe_names() -> None:
    from importlib.metadata import entry_points

    from nbconvert.exporters import get_exporter

    from assessment_kit.briefing.exporters import BriefingHTMLExporter, BriefingPDFExporter

    names = {ep.name for ep in entry_points(group="nbconvert.exporters")}
    assert {"briefing_html", "briefing_pdf"} <= names
    assert all(re.fullmatch(r"[A-Za-z0-9_]+", name) for name in ("briefing_html", "briefing_pdf"))
    assert get_exporter("briefing_html") is BriefingHTMLExporter
    assert get_exporter("briefing_pdf") is BriefingPDFExporter
    pdf = BriefingPDFExporter()
    assert pdf.file_extension == ".pdf"
    assert pdf.template_extension == ".html.j2"  # else the server answers 500
    assert BriefingHTMLExporter().template_extension == ".html.j2"


@pytest.mark.slow
@pytest.mark.browser
def test_nbconvert_briefing_pdf_keeps_plotly_chart(tmp_path: Path) -> None:
    notebook = _plotly_notebook(tmp_path / "user.ipynb")
    done = _nbconvert("--to", "briefing_pdf", notebook.name, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    text = " ".join(page.extract_text() for page in PdfReader(tmp_path / "user.pdf").pages)
    assert CHART_TITLE in text
    assert AXIS_TITLE in text
    assert "fig = make_chart()" in text  # code kept for ordinary notebooks
    # The stock exporter drops the chart without a word: the reason for ours.
    stock = _nbconvert("--to", "html", notebook.name, cwd=tmp_path)
    assert stock.returncode == 0, stock.stderr
    assert CHART_TITLE not in (tmp_path / "user.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_nbconvert_briefing_html_interactive_and_no_input(tmp_path: Path) -> None:
    notebook = _plotly_notebook(tmp_path / "user.ipynb")
    done = _nbconvert("--to", "briefing_html", "--no-input", notebook.name, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "user.html").read_text(encoding="utf-8")
    assert 'id="chart-1"' in html
    assert CHART_TITLE in html
    assert "make_chart" not in html
    found = re.search(r'<script[^>]*id="chart-1-data"[^>]*>(.*?)</script>', html, re.S)
    assert found is not None
    assert json.loads(found.group(1))["layout"]["title"]["text"] == CHART_TITLE


@pytest.mark.slow
def test_nbconvert_briefing_pdf_without_browser(tmp_path: Path) -> None:
    notebook = _plotly_notebook(tmp_path / "user.ipynb")
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "BROWSER_PATH"}
    env.update(PATH=str(empty), PLAYWRIGHT_BROWSERS_PATH=str(empty))
    done = _nbconvert("--to", "briefing_pdf", notebook.name, cwd=tmp_path, env=env)
    assert done.returncode != 0
    assert "No Chromium or Chrome was found" in done.stderr
    assert not (tmp_path / "user.pdf").exists()


@pytest.mark.slow
@pytest.mark.browser
def test_one_session_draws_every_chart_in_turn() -> None:
    """Charts share one kaleido tab; each keeps its own size and text, batch after batch."""
    from assessment_kit.briefing.svg import ChartRenderer

    figures = [
        {
            "data": [{"type": "bar", "x": ["North", "South"], "y": [n, 2 * n]}],
            "layout": {"title": {"text": f"Chart {n}"}, "width": 300 + n, "height": 200 + n},
        }
        for n in (1, 2, 3)
    ]
    with ChartRenderer(find_browser()) as renderer:
        first = renderer.render(figures)
        again = renderer.render(figures[:1])
    for number, svg in enumerate([*first, *again], start=1):
        n = (number - 1) % 3 + 1
        assert svg.startswith("<svg")
        assert f'width="{300 + n}" height="{200 + n}"' in svg
        assert f"Chart {n}" in svg
    # Ids come from the chart's place in the session, so inlined SVGs never share one.
    assert 'id="defs-c00000"' in first[0]
    assert 'id="defs-c00003"' in again[0]


def test_find_browser_order(tmp_path: Path) -> None:
    fake = tmp_path / "bin" / "chromium"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    explicit = tmp_path / "my-chrome"
    explicit.write_text("#!/bin/sh\n")
    explicit.chmod(0o755)
    assert find_browser({"PATH": str(fake.parent)}) == fake
    # the headless shell prints the same PDF and starts in a third of the time
    shell = fake.with_name("chromium-headless-shell")
    shell.write_text("#!/bin/sh\n")
    shell.chmod(0o755)
    assert find_browser({"PATH": str(fake.parent)}) == shell
    assert find_browser({"PATH": str(fake.parent), "BROWSER_PATH": str(explicit)}) == explicit
    assert find_browser({"PATH": str(fake.parent), "BROWSER_PATH": "chromium"}) == fake
    with pytest.raises(BrowserNotFoundError, match="BROWSER_PATH="):
        find_browser({"PATH": str(fake.parent), "BROWSER_PATH": str(tmp_path / "missing")})


def test_find_browser_falls_back_to_playwrights_own(tmp_path: Path) -> None:
    import playwright

    manifest = Path(playwright.__file__).parent / "driver" / "package" / "browsers.json"
    browsers = json.loads(manifest.read_text(encoding="utf-8"))["browsers"]
    revision = next(b["revision"] for b in browsers if b["name"] == "chromium")
    chrome = tmp_path / f"chromium-{revision}" / "chrome-linux64" / "chrome"
    chrome.parent.mkdir(parents=True)
    chrome.write_text("#!/bin/sh\n")
    chrome.chmod(0o755)
    env = {"PATH": str(tmp_path / "nothing"), "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path)}
    assert find_browser(env) == chrome
    chrome.unlink()
    with pytest.raises(BrowserNotFoundError, match="apt-get install chromium"):
        find_browser(env)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.slow
@pytest.mark.browser
def test_jupyter_server_download_route(tmp_path: Path) -> None:
    """GET /nbconvert/briefing_pdf/<path>?download=true: what Lab's export menu calls."""
    _plotly_notebook(tmp_path / "user.ipynb")
    port, token = _free_port(), "briefing-test-token"
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path / "runtime")
    server = subprocess.Popen(
        [
            str(JUPYTER),
            "server",
            "--no-browser",
            "--allow-root",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={tmp_path}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"token {token}"}
        deadline = time.monotonic() + 60
        while True:  # poll for readiness
            try:
                with urllib.request.urlopen(
                    urllib.request.Request(f"{base}/api/status", headers=headers), timeout=5
                ):
                    break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        request = urllib.request.Request(
            f"{base}/nbconvert/briefing_pdf/user.ipynb?download=true", headers=headers
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            body = response.read()
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("application/pdf")
            assert "user.pdf" in response.headers.get("Content-Disposition", "")
        assert body.startswith(b"%PDF")
        out = tmp_path / "download.pdf"
        out.write_bytes(body)
        text = " ".join(page.extract_text() for page in PdfReader(out).pages)
        assert CHART_TITLE in text
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stderr is not None:
            server.stderr.close()
        shutil.rmtree(tmp_path / "runtime", ignore_errors=True)
