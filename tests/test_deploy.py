"""The team deployment of deploy/, tried on a real PostgreSQL server: the roles and grants
of roles.sql and grants.sql (an assessor writes answers but can neither change nor delete
the history), and two kernels driving the interview form against one mission at once,
each signed in as its own assessor."""

from __future__ import annotations

import ast
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pg_support import PgServer

from assessment_kit.errors import Code, StoreError
from assessment_kit.questionnaire import Questionnaire, builtin
from assessment_kit.store import Mission

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
ROOT = DEPLOY.parent


@dataclass(frozen=True)
class Team:
    """A mission database set up as deploy/README.md says, and its people."""

    server: PgServer
    database: str
    passwords: dict[str, str]

    def url(self, person: str) -> str:
        return self.server.url(self.database, user=person)


def _script(server: PgServer, database: str, name: str, *, user: str, password: str) -> None:
    """Run one of deploy/'s SQL files as ``user``, over TCP with a password, as psql would."""
    import psycopg

    with psycopg.connect(
        host="127.0.0.1",
        port=server.port,
        dbname=database,
        user=user,
        password=password,
        autocommit=True,
    ) as conn:
        conn.execute((DEPLOY / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def instrument() -> Questionnaire:
    return builtin("criminal_justice")


@pytest.fixture(scope="module")
def team(pg_server: PgServer, instrument: Questionnaire) -> Team:
    suffix = uuid.uuid4().hex[:8]
    people = {f"lead_{suffix}": "assessment_lead"} | {
        f"{name}_{suffix}": "assessment_assessor" for name in ("ana", "bo")
    }
    passwords = {person: uuid.uuid4().hex for person in people}
    database = f"freedonia_{suffix}"
    with pg_server.admin() as admin:
        admin.execute((DEPLOY / "roles.sql").read_text(encoding="utf-8"))
        admin.execute((DEPLOY / "roles.sql").read_text(encoding="utf-8"))  # safe again
        for person, group in people.items():
            admin.execute(
                f"CREATE ROLE {person} LOGIN PASSWORD '{passwords[person]}' IN ROLE {group}"
            )
        admin.execute(f"CREATE DATABASE {database} OWNER assessment_lead")
    lead = next(iter(people))
    team = Team(pg_server, database, passwords)
    saved = os.environ.get("PGPASSWORD")
    os.environ["PGPASSWORD"] = passwords[lead]
    try:
        Mission.create(
            team.url(lead), country="Freedonia", title="Team", questionnaires=[instrument]
        ).close()
    finally:
        if saved is not None:
            os.environ["PGPASSWORD"] = saved
    _script(pg_server, database, "grants.sql", user=lead, password=passwords[lead])
    _script(pg_server, database, "grants.sql", user=lead, password=passwords[lead])
    return team


def person(team: Team, name: str) -> str:
    return next(p for p in team.passwords if p.startswith(f"{name}_"))


def test_an_assessor_writes_answers_but_cannot_rewrite_history(
    team: Team, instrument: Questionnaire, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    ana = person(team, "ana")
    monkeypatch.setenv("PGPASSWORD", team.passwords[ana])
    kind = next(iter(instrument.respondent_types))
    question = next(q for q in instrument.iter_questions() if q.type == "scale")
    with Mission.open(team.url(ana)) as mission:
        mission.add_respondent("GRANTS-1", institution_type=kind, by=ana)
        mission.set_answer("GRANTS-1", instrument.id, question.id, "unknown", by=ana)
        mission.set_answer("GRANTS-1", instrument.id, question.id, "not_assessed", by=ana)
        assert mission.clear_answer("GRANTS-1", instrument.id, question.id, by=ana)
        mission.consolidate(instrument.id, question.id, "unknown", by=ana)
        mission.update_respondent("GRANTS-1", consent=True, by=ana)
        mission.set_sections(instrument.id, None)
        written = len(mission.history_frame())
        assert written >= 6
        conn = mission._db
        for statement in (
            "UPDATE history SET \"by\" = 'someone else'",
            "DELETE FROM history",
            "TRUNCATE history",
            "ALTER TABLE history DISABLE TRIGGER history_no_update",
            "DROP TRIGGER history_no_update ON history",
            "UPDATE mission SET country = 'Elsewhere'",
            "UPDATE mission_schema SET version = 0",
            "CREATE TABLE notes (x integer)",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
        assert len(mission.history_frame()) == written
    # Through the store, a refused write is a catalogued message, not a traceback.
    with (
        Mission.open(team.url(ana)) as mission,
        pytest.raises(StoreError) as caught,
        mission._write() as conn,
    ):
        conn.execute("DELETE FROM history")
    assert caught.value.code is Code.PG_REFUSED


def test_the_jupyterhub_example_is_python_that_names_the_mission_variable() -> None:
    text = (DEPLOY / "jupyterhub_config.py").read_text(encoding="utf-8")
    ast.parse(text)  # parsed, never run: it is JupyterHub's to load
    assert "ASSESSMENT_KIT_MISSION" in text
    assert "PGPASSWORD" not in text.replace("# ", "")  # passwords live in ~/.pgpass


# ------------------------------------------------------------------ two kernels at once

# Each kernel runs the interview notebook's own steps: open the mission named by
# ASSESSMENT_KIT_MISSION, show the interview form, and answer by clicking choices.
KERNEL_SETUP = """
from assessment_kit.widgets import InterviewForm, open_mission_or_demo

mission, assessor = open_mission_or_demo("unused.db")
respondent = "{respondent}"
mission.add_respondent(respondent, institution_type="{kind}", by=assessor)
form = InterviewForm(mission, respondent=respondent, by=assessor, show_all=True)
"""

KERNEL_ANSWER = """
for question, value in {answers}:
    card = form.card(question)
    card.control.click(value)
    assert "Saved" in card.status.value, (question, card.status.value)
"""


def _run(client: Any, code: str, timeout: float = 240) -> str:
    """Run ``code`` in a kernel; return what it printed (fail on an error)."""
    printed: list[str] = []
    errors: list[str] = []

    def output(message: dict[str, Any]) -> None:
        content = message["content"]
        if message["msg_type"] == "stream":
            printed.append(content["text"])
        elif message["msg_type"] == "error":
            errors.append("\n".join(content["traceback"]))

    reply = client.execute_interactive(code, timeout=timeout, output_hook=output)
    assert reply["content"]["status"] == "ok", "\n".join(errors)
    return "".join(printed)


@pytest.mark.slow
def test_two_kernels_interview_into_one_mission_at_once(
    team: Team, instrument: Questionnaire
) -> None:
    from jupyter_client.manager import KernelManager

    kind = next(iter(instrument.respondent_types))
    scale = [
        q for q in instrument.iter_questions() if q.type == "scale" and q.relevant_expr is None
    ]
    answers = [(q.id, q.choices[0].value) for q in scale[:25]]
    assert len(answers) == 25
    kernels = []
    try:
        for name in ("ana", "bo"):
            who = person(team, name)
            manager = KernelManager(kernel_name="python3")
            env = dict(os.environ)
            env.update(
                ASSESSMENT_KIT_MISSION=team.url(who),
                ASSESSMENT_KIT_ASSESSOR=who,
                PGPASSWORD=team.passwords[who],
                PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
            )
            manager.start_kernel(env=env, cwd=str(ROOT))
            client = manager.client()
            client.start_channels()
            client.wait_for_ready(timeout=120)
            kernels.append((manager, client, who))
        for _, client, who in kernels:
            _run(client, KERNEL_SETUP.format(respondent=f"R-{who}", kind=kind))
        # Both answer at once: each request is sent before either reply is awaited.
        requests = [
            client.execute(KERNEL_ANSWER.format(answers=answers)) for _, client, _ in kernels
        ]
        for (_, client, _), request in zip(kernels, requests, strict=True):
            reply = client.get_shell_msg(timeout=240)
            assert reply["parent_header"]["msg_id"] == request
            assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        for manager, client, _ in kernels:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
    lead = next(p for p in team.passwords if p.startswith("lead_"))
    saved = os.environ.get("PGPASSWORD")
    os.environ["PGPASSWORD"] = team.passwords[lead]
    try:
        with Mission.open(team.url(lead)) as mission:
            frame = mission.answers_frame()
            history = mission.history_frame()
    finally:
        if saved is not None:
            os.environ["PGPASSWORD"] = saved
    for _, _, who in kernels:
        mine = frame[frame.respondent == f"R-{who}"]
        assert sorted(zip(mine.question, mine.value, strict=True)) == sorted(answers)
        assert set(mine.updated_by) == {who}
        written = history[(history.respondent == f"R-{who}") & (history.kind == "answer")]
        assert len(written) == len(answers)
        assert set(written["by"]) == {who}
    assert set(frame.respondent) - {"GRANTS-1"} == {f"R-{who}" for _, _, who in kernels}


def test_the_export_button_of_a_server_mission_writes_beside_the_notebook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assessment_kit.widgets._export import ExportController

    monkeypatch.chdir(tmp_path)
    controller = ExportController("postgresql://ana@db.example.org/freedonia_2026")
    assert controller.out == tmp_path / "freedonia_2026-briefing.pdf"
