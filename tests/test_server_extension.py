"""The server extension's REST routes, through a real Jupyter Server (pytest-jupyter).

Each test gets a server whose root is a temporary folder, with the extension enabled as
the installed config enables it. Requests go through Jupyter's authentication: ``jp_fetch``
sends the token; the security tests send none, climb out of the root, and read every
byte of a summary for the notes, evidence and names a mission holds.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPResponse

from assessment_kit.questionnaire import builtin
from assessment_kit.server._paths import api_text
from assessment_kit.store import Mission

pytest_plugins = ["pytest_jupyter.jupyter_server"]

Fetch = Callable[..., Awaitable[HTTPResponse]]

NOTE = "Officer Zebedee Quarrington said the unit has no budget"
EVIDENCE = "Letter from Judge Philomena Brackenbury, ref 77-XQ"
CONFIDENTIAL = "Whistle-blower Ottoline Farquharson named in confidence"
INTERVIEWER = "Interviewer Balthazar Oyelaran"


#: The config the wheel installs as etc/jupyter/jupyter_server_config.d/assessment_kit.json.
SERVER_CONFIG = Path(__file__).resolve().parents[1] / "jupyter-config" / "server-config"


@pytest.fixture
def jp_server_config() -> dict[str, Any]:
    # The server runs with the shipped config, so the tests also show that it enables us.
    config: dict[str, Any] = json.loads(
        (SERVER_CONFIG / "assessment_kit.json").read_text(encoding="utf-8")
    )
    return config


async def _get(fetch: Fetch, route: str, **params: str) -> tuple[int, dict[str, Any]]:
    response = await fetch(
        "assessment-kit", "api", route, params=params, method="GET", raise_error=False
    )
    return response.code, json.loads(response.body)


async def _post(fetch: Fetch, route: str, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = await fetch(
        "assessment-kit", "api", route, method="POST", body=json.dumps(data), raise_error=False
    )
    return response.code, json.loads(response.body)


def _mission_with_notes(path: Path) -> None:
    with Mission.create(
        path, country="Freedonia", title="Baseline", questionnaires=[builtin("criminal_justice")]
    ) as mission:
        mission.add_respondent(
            "R01", institution_type="ministry_justice", interviewer=INTERVIEWER, consent=True
        )
        mission.set_answer(
            "R01", "criminal_justice", "lf_offence_exists", "partly", note=NOTE, evidence=EVIDENCE
        )
        mission.set_answer(
            "R01",
            "criminal_justice",
            "pc_nap_exists",
            "yes",
            note=CONFIDENTIAL,
            confidential=True,
            by=INTERVIEWER,
        )


async def test_instruments_are_the_shipped_ones_with_their_sections(jp_fetch: Fetch) -> None:
    status, body = await _get(jp_fetch, "instruments")
    assert status == 200
    by_id = {item["id"]: item for item in body["instruments"]}
    assert set(by_id) == {"criminal_justice", "organ_removal"}
    sections = [section_id for section_id, _ in by_id["criminal_justice"]["sections"]]
    assert "legal_framework" in sections


async def test_new_mission_makes_the_file_and_its_four_notebooks(
    jp_fetch: Fetch, jp_root_dir: Path
) -> None:
    (jp_root_dir / "work").mkdir()
    status, made = await _post(
        jp_fetch,
        "missions",
        {
            "folder": "work",
            "file": "freedonia-2026",
            "country": "Freedonia",
            "title": "",
            "instruments": ["criminal_justice"],
            "sections": ["legal_framework"],
        },
    )
    assert status == 200, made
    assert made["path"] == "work/freedonia-2026.db"
    assert Mission.open(jp_root_dir / made["path"]).info.sections == {
        "criminal_justice": ("legal_framework",)
    }
    assert set(made["notebooks"]) == {"mission", "interview", "consolidate", "scores"}
    for kind, path in made["notebooks"].items():
        assert path == f"work/freedonia-2026-{kind}.ipynb"
        notebook = json.loads((jp_root_dir / path).read_text(encoding="utf-8"))
        parameters = [c for c in notebook["cells"] if "parameters" in c["metadata"].get("tags", [])]
        assert len(parameters) == 1
        assert "mission_file = 'freedonia-2026.db'" in parameters[0]["source"]

    status, body = await _get(jp_fetch, "mission", path=made["path"])
    assert status == 200
    summary = body["mission"]
    assert (summary["country"], summary["title"]) == ("Freedonia", "Needs assessment: Freedonia")
    assert summary["answered"] == 0
    assert summary["total"] > 0
    [instrument] = summary["instruments"]
    assert [s["id"] for s in instrument["sections"]] == ["legal_framework"]
    assert summary["notebooks"]["interview"] == "work/freedonia-2026-interview.ipynb"
    assert summary["respondents"] == []


async def test_new_mission_refusals_carry_their_codes(jp_fetch: Fetch, jp_root_dir: Path) -> None:
    base = {"folder": "", "file": "m.db", "country": "Freedonia", "instruments": ["organ_removal"]}
    assert (await _post(jp_fetch, "missions", base))[0] == 200
    cases = [
        ({}, 409, "MISSION_EXISTS"),
        ({"file": "x.db", "instruments": []}, 400, "REQUEST_FIELD"),
        ({"file": "x.db", "instruments": ["nope"]}, 400, "UNKNOWN_QUESTIONNAIRE"),
        ({"file": "sub/x.db"}, 400, "REQUEST_FIELD"),
        ({"file": ".hidden.db"}, 400, "REQUEST_FIELD"),
        ({"file": "x.db", "country": 3}, 400, "REQUEST_FIELD"),
        ({"file": "x.db", "folder": "missing"}, 404, "NOT_A_FOLDER"),
    ]
    for change, status, code in cases:
        got, body = await _post(jp_fetch, "missions", {**base, **change})
        assert (got, body["code"]) == (status, code), change
    # Nothing was made by a refused request.
    assert sorted(p.name for p in jp_root_dir.iterdir() if p.suffix == ".db") == ["m.db"]


async def test_the_summary_never_carries_notes_evidence_or_names(
    jp_fetch: Fetch, jp_root_dir: Path
) -> None:
    _mission_with_notes(jp_root_dir / "baseline.db")
    response = await jp_fetch(
        "assessment-kit", "api", "mission", params={"path": "baseline.db"}, method="GET"
    )
    raw = response.body.decode("utf-8")
    for secret in (NOTE, EVIDENCE, CONFIDENTIAL, INTERVIEWER, "Zebedee", "Balthazar"):
        assert secret not in raw
    summary = json.loads(raw)["mission"]
    assert summary["respondents"] == [
        {
            "code": "R01",
            "institution_type": "ministry_justice",
            "institution": summary["respondents"][0]["institution"],
        }
    ]
    assert summary["answered"] == 2
    # The last changes say which question changed, newest first, and nothing of the value.
    assert [c["question"] for c in summary["changes"]] == [
        "pc_nap_exists",
        "lf_offence_exists",
        None,
    ]
    assert set(summary["changes"][0]) == {"at", "kind", "respondent", "questionnaire", "question"}
    sections = {s["id"]: s for s in summary["instruments"][0]["sections"]}
    assert sections["legal_framework"]["answered"] == 1
    assert sections["policy_coordination"]["answered"] == 1


async def test_a_file_is_a_mission_by_its_content_not_its_name(
    jp_fetch: Fetch, jp_root_dir: Path
) -> None:
    _mission_with_notes(jp_root_dir / "interviews.sqlite3")
    (jp_root_dir / "notes.db").write_text("not a database", encoding="utf-8")
    other = sqlite3.connect(jp_root_dir / "other.db")
    other.execute("CREATE TABLE t (x)")
    other.commit()
    other.close()

    for name in ("notes.db", "other.db"):
        assert await _get(jp_fetch, "mission", path=name) == (200, {"mission": None})
    status, body = await _get(jp_fetch, "mission", path="interviews.sqlite3")
    assert status == 200
    assert body["mission"]["country"] == "Freedonia"
    assert await _get(jp_fetch, "missions", folder="") == (
        200,
        {"missions": ["interviews.sqlite3"]},
    )
    status, body = await _get(jp_fetch, "mission", path="absent.db")
    assert (status, body["code"]) == (404, "FILE_NOT_FOUND")
    status, body = await _post(jp_fetch, "notebooks", {"mission": "other.db", "kind": "interview"})
    assert (status, body["code"]) == (422, "NOT_A_MISSION")


async def test_paths_outside_the_root_are_refused(
    jp_fetch: Fetch, jp_root_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    _mission_with_notes(outside / "theirs.db")
    (jp_root_dir / "link").symlink_to(outside, target_is_directory=True)
    escapes = [
        "../theirs.db",
        f"../{outside.name}/theirs.db",
        str(outside / "theirs.db"),
        "/etc/passwd",
        "link/theirs.db",
        "sub/../../theirs.db",
    ]
    for path in escapes:
        status, body = await _get(jp_fetch, "mission", path=path)
        assert (status, body["code"]) == (403, "PATH_OUTSIDE_ROOT"), path
    for folder in ("..", str(outside), "link"):
        status, body = await _get(jp_fetch, "missions", folder=folder)
        assert (status, body["code"]) == (403, "PATH_OUTSIDE_ROOT"), folder
        status, body = await _post(
            jp_fetch,
            "missions",
            {"folder": folder, "file": "x.db", "country": "C", "instruments": ["organ_removal"]},
        )
        assert (status, body["code"]) == (403, "PATH_OUTSIDE_ROOT"), folder
    for route, data in (
        ("notebooks", {"mission": str(outside / "theirs.db"), "kind": "interview"}),
        ("exports", {"mission": "../theirs.db", "format": "html"}),
    ):
        status, body = await _post(jp_fetch, route, data)
        assert (status, body["code"]) == (403, "PATH_OUTSIDE_ROOT"), route
    assert sorted(p.name for p in outside.iterdir()) == ["theirs.db"]


async def test_requests_without_the_token_are_refused(
    jp_fetch: Fetch, jp_http_port: int, jp_base_url: str, jp_root_dir: Path
) -> None:
    _mission_with_notes(jp_root_dir / "baseline.db")
    # The same request with the token is answered: the refusals below are the token's.
    assert (await _get(jp_fetch, "mission", path="baseline.db"))[0] == 200
    client = AsyncHTTPClient()
    base = f"http://127.0.0.1:{jp_http_port}{jp_base_url}assessment-kit/api"
    requests: list[tuple[str, str, dict[str, str], str | None]] = [
        ("GET", "/mission?path=baseline.db", {}, None),
        ("GET", "/missions?folder=", {}, None),
        ("GET", "/mission?path=baseline.db", {"Authorization": "token wrong"}, None),
        ("POST", "/missions", {}, json.dumps({"file": "x.db", "country": "C"})),
        ("POST", "/exports", {}, json.dumps({"mission": "baseline.db", "format": "html"})),
        # A browser's cookie-less cross-site POST: no token, an XSRF cookie it made up.
        (
            "POST",
            "/notebooks",
            {"Cookie": "_xsrf=forged", "X-XSRFToken": "other"},
            json.dumps({"mission": "baseline.db", "kind": "interview"}),
        ),
    ]
    for method, route, headers, body in requests:
        response = await client.fetch(
            base + route, method=method, headers=headers, body=body, raise_error=False
        )
        assert response.code == 403, (method, route, headers)
    # None of the refused writes happened.
    assert sorted(p.name for p in jp_root_dir.iterdir()) == ["baseline.db"]


async def test_notebooks_are_written_once_and_never_replaced(
    jp_fetch: Fetch, jp_root_dir: Path
) -> None:
    _mission_with_notes(jp_root_dir / "baseline.db")
    status, body = await _post(jp_fetch, "notebooks", {"mission": "baseline.db", "kind": "scores"})
    assert (status, body["path"]) == (200, "baseline-scores.ipynb")
    notebook = jp_root_dir / "baseline-scores.ipynb"
    notebook.write_text("someone's work", encoding="utf-8")
    assert (await _post(jp_fetch, "notebooks", {"mission": "baseline.db", "kind": "scores"}))[
        1
    ] == {"path": "baseline-scores.ipynb"}
    assert notebook.read_text(encoding="utf-8") == "someone's work"
    status, body = await _post(jp_fetch, "notebooks", {"mission": "baseline.db", "kind": "x"})
    assert (status, body["code"]) == (400, "UNKNOWN_NOTEBOOK")
    assert not any(p.name.endswith(".partial") for p in jp_root_dir.iterdir())


async def _finished(fetch: Fetch, job: str) -> dict[str, Any]:
    # Wait on the export's own state (it reports each stage), up to a generous bound.
    for _ in range(1200):
        status, state = await _get(fetch, f"exports/{job}")
        assert status == 200
        if state["finished"]:
            return state
        await asyncio.sleep(0.1)
    raise AssertionError(f"export {job} did not finish: {state}")


@pytest.mark.slow
async def test_export_writes_a_new_briefing_beside_the_mission(
    jp_fetch: Fetch, jp_root_dir: Path
) -> None:
    (jp_root_dir / "m").mkdir()
    _mission_with_notes(jp_root_dir / "m" / "baseline.db")
    (jp_root_dir / "m" / "baseline-briefing.html").write_text("an earlier one", encoding="utf-8")
    status, state = await _post(jp_fetch, "exports", {"mission": "m/baseline.db", "format": "html"})
    assert status == 200
    done = await _finished(jp_fetch, state["job"])
    assert done["error"] is None
    assert done["output"] == "m/baseline-briefing-2.html"
    assert (done["stage"], done["done"], done["total"]) == ("Done", 4, 4)
    html = (jp_root_dir / done["output"]).read_text(encoding="utf-8")
    assert "Freedonia" in html
    assert CONFIDENTIAL not in html
    assert (jp_root_dir / "m" / "baseline-briefing.html").read_text() == "an earlier one"

    # The panel's default: a PDF, printed by Chromium from the server's thread.
    status, state = await _post(jp_fetch, "exports", {"mission": "m/baseline.db", "format": "pdf"})
    assert status == 200
    done = await _finished(jp_fetch, state["job"])
    assert (done["error"], done["output"]) == (None, "m/baseline-briefing.pdf")
    assert (jp_root_dir / done["output"]).read_bytes().startswith(b"%PDF")

    status, body = await _post(jp_fetch, "exports", {"mission": "m/baseline.db", "format": "doc"})
    assert (status, body["code"]) == (400, "REQUEST_FIELD")
    status, body = await _get(jp_fetch, "exports/0123456789abcdef")
    assert (status, body["code"]) == (404, "UNKNOWN_EXPORT")


async def test_no_save_through_jupyter_replaces_a_mission(
    jp_fetch: Fetch, jp_root_dir: Path
) -> None:
    # What an editor's Save, or an upload of a file of the same name, would send.
    _mission_with_notes(jp_root_dir / "baseline.db")
    before = (jp_root_dir / "baseline.db").read_bytes()
    for name in ("baseline.db", "baseline.db-wal"):
        response = await jp_fetch(
            "api",
            "contents",
            name,
            method="PUT",
            body=json.dumps({"type": "file", "format": "text", "content": ""}),
            raise_error=False,
        )
        assert response.code == 403, name
    assert (jp_root_dir / "baseline.db").read_bytes() == before
    Mission.open(jp_root_dir / "baseline.db").close()
    # Other files save as before.
    response = await jp_fetch(
        "api",
        "contents",
        "notes.txt",
        method="PUT",
        body=json.dumps({"type": "file", "format": "text", "content": "hello"}),
    )
    assert response.code == 201
    assert (jp_root_dir / "notes.txt").read_text() == "hello"


async def test_the_file_browser_no_longer_lists_sqlite_side_files(
    jp_fetch: Fetch, jp_root_dir: Path
) -> None:
    _mission_with_notes(jp_root_dir / "baseline.db")
    with Mission.open(jp_root_dir / "baseline.db") as mission:
        # While a mission is open (as in a kernel), SQLite keeps its -wal and -shm beside it.
        mission.add_respondent("R02", institution_type="ministry_justice")
        assert (jp_root_dir / "baseline.db-wal").exists()
        response = await jp_fetch("api", "contents", "", method="GET")
        names = {item["name"] for item in json.loads(response.body)["content"]}
    assert names == {"baseline.db"}


async def test_a_logged_in_post_without_the_xsrf_token_is_refused(
    jp_fetch: Fetch, jp_http_port: int, jp_base_url: str, jp_serverapp: Any, jp_root_dir: Path
) -> None:
    # A browser that logged in with the token holds Jupyter's login cookie; a page elsewhere
    # can make it send its cookies, but cannot read _xsrf to repeat it in a header. (jp_fetch
    # starts the server listening; the requests below carry no token.)
    client = AsyncHTTPClient()
    base = f"http://127.0.0.1:{jp_http_port}{jp_base_url}"
    token = jp_serverapp.identity_provider.token
    login = await client.fetch(
        f"{base}login?token={token}", follow_redirects=False, raise_error=False
    )
    cookies = [c.split(";")[0] for c in login.headers.get_list("Set-Cookie")]
    assert any(c.startswith("username-") for c in cookies), cookies
    # The login cookie alone (what a cross-site form would send) is refused.
    body = json.dumps(
        {"folder": "", "file": "m.db", "country": "Freedonia", "instruments": ["organ_removal"]}
    )
    url = f"{base}assessment-kit/api/missions"
    headers = {"Cookie": "; ".join(cookies)}
    refused = await client.fetch(url, method="POST", body=body, headers=headers, raise_error=False)
    assert refused.code == 403
    # So is an _xsrf cookie that the request does not repeat in its X-XSRFToken header.
    headers["Cookie"] += "; _xsrf=0123456789abcdef"
    refused = await client.fetch(url, method="POST", body=body, headers=headers, raise_error=False)
    assert refused.code == 403
    assert not (jp_root_dir / "m.db").exists()
    # The same request repeating it, as JupyterLab's pages do, is answered.
    headers["X-XSRFToken"] = "0123456789abcdef"
    accepted = await client.fetch(url, method="POST", body=body, headers=headers)
    assert accepted.code == 200
    assert (jp_root_dir / "m.db").exists()


async def test_hidden_paths_are_refused_as_jupyter_refuses_them(
    jp_fetch: Fetch, jp_root_dir: Path
) -> None:
    (jp_root_dir / ".private").mkdir()
    _mission_with_notes(jp_root_dir / ".private" / "baseline.db")
    _mission_with_notes(jp_root_dir / ".hidden.db")
    for path in (".private/baseline.db", ".hidden.db"):
        status, body = await _get(jp_fetch, "mission", path=path)
        assert (status, body["code"]) == (403, "HIDDEN_PATH"), path
    status, body = await _get(jp_fetch, "missions", folder=".private")
    assert (status, body["code"]) == (403, "HIDDEN_PATH")
    # Listing the root does not offer the hidden mission either.
    assert await _get(jp_fetch, "missions", folder="") == (200, {"missions": []})


async def test_refusals_never_show_where_the_server_keeps_its_files(
    jp_fetch: Fetch, jp_root_dir: Path
) -> None:
    """A store refusal names the file as the front-end knows it, never the server's
    absolute folder (on a shared server, whose account and where)."""
    (jp_root_dir / "work").mkdir()
    _mission_with_notes(jp_root_dir / "work" / "newer.db")
    database = sqlite3.connect(jp_root_dir / "work" / "newer.db")
    database.execute("PRAGMA user_version = 999")  # written by a later assessment-kit
    database.commit()
    database.close()
    status, body = await _get(jp_fetch, "mission", path="work/newer.db")
    assert (status, body["code"]) == (400, "SCHEMA_TOO_NEW"), body
    assert body["message"].startswith("work/newer.db: ")
    assert str(jp_root_dir) not in body["message"]
    assert str(jp_root_dir.resolve()) not in body["message"]


def test_api_text_leaves_out_the_root_only() -> None:
    root = "/srv/jupyter"
    assert api_text(root, "cannot open /srv/jupyter/work/m.db: locked") == (
        "cannot open work/m.db: locked"
    )
    assert api_text(root, "the folder /srv/jupyter is full") == "the folder . is full"
    assert api_text(root, "/srv/jupyter2/x, /srv/jupyter-old/y") == (
        "/srv/jupyter2/x, /srv/jupyter-old/y"
    )
    assert api_text("/", "/etc/passwd") == "/etc/passwd"


async def test_new_mission_in_another_language(jp_fetch: Fetch, jp_root_dir: Path) -> None:
    status, body = await _get(jp_fetch, "instruments")
    assert status == 200
    assert [code for code, _ in body["languages"]] == ["en", "fr", "es", "ar", "ru", "zh"]
    base = {"folder": "", "country": "Freedonie", "instruments": ["organ_removal"]}
    status, made = await _post(jp_fetch, "missions", {**base, "file": "fr.db", "language": "fr"})
    assert status == 200, made
    with Mission.open(jp_root_dir / "fr.db") as mission:
        assert mission.info.language == "fr"
    status, made = await _post(jp_fetch, "missions", {**base, "file": "en.db"})
    assert status == 200, made
    with Mission.open(jp_root_dir / "en.db") as mission:
        assert mission.info.language == "en"  # none given: English
    status, body = await _post(jp_fetch, "missions", {**base, "file": "x.db", "language": "xx"})
    assert (status, body["code"]) == (400, "MISSION_LANGUAGE")
    assert not (jp_root_dir / "x.db").exists()
