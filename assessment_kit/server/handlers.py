"""The REST routes under ``/assessment-kit/api/``.

Every handler is a Jupyter Server ``APIHandler`` behind ``@tornado.web.authenticated``: a
request without the server's token (or login cookie) is refused, and a POST from a page
that is not Jupyter's fails its XSRF check. Paths come as the file browser names them and
are confined to the served folder (:mod:`._paths`). A user's mistake answers with its
catalogued code and message as JSON, never a traceback.

=========================================  ===============================================
``GET  instruments``                       the shipped instruments and their sections, and the
                                           languages a mission can be in
``GET  mission?path=P``                    the panel's summary (``{"mission": null}`` when
                                           P is not a mission by its content)
``GET  missions?folder=F``                 the missions in folder F
``POST missions``                          create a mission and its four notebooks
``POST notebooks``                         the mission's notebook of a kind (written if missing)
``POST exports``                           start a briefing export
``GET  exports/JOB``                       how far the export has got
=========================================  ===============================================
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from assessment_kit.errors import (
    AssessmentKitError,
    Code,
    Problem,
    ProblemsError,
    RequestRefused,
    StoreError,
)
from assessment_kit.server._paths import api_path, api_text, resolve
from assessment_kit.server.exports import ExportJobs, ExportState
from assessment_kit.server.missions import (
    find_missions,
    instrument_choices,
    language_choices,
    mission_notebook,
    mission_summary,
    new_mission,
)
from assessment_kit.store.outputs import is_mission_file

__all__ = ["setup_handlers"]

T = TypeVar("T")

#: Store problems that are about the request's target, with the status they answer.
_STATUS = {Code.FILE_NOT_FOUND: 404, Code.MISSION_EXISTS: 409, Code.NOT_A_MISSION: 422}


def _jsonable(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


class _Handler(APIHandler):
    """Shared parts: the served root, JSON in and out, refusals as JSON."""

    @property
    def root(self) -> Path:
        return Path(self.settings["assessment_kit_root"])

    @property
    def jobs(self) -> ExportJobs:
        jobs: ExportJobs = self.settings["assessment_kit_exports"]
        return jobs

    def resolve(self, path: str) -> Path:
        """``path`` inside the served root (hidden parts refused as the server refuses them)."""
        return resolve(self.root, path, allow_hidden=self.settings["assessment_kit_allow_hidden"])

    def path_argument(self, name: str) -> Path:
        return self.resolve(self.get_query_argument(name, ""))

    def body(self) -> dict[str, Any]:
        try:
            data = json.loads(self.request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            data = None
        if not isinstance(data, dict):
            raise RequestRefused(
                Problem.make(
                    Code.REQUEST_FIELD,
                    field="body",
                    detail="is not a JSON object",
                    expected="a JSON object",
                )
            )
        return data

    def send(self, payload: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(payload, default=_jsonable, ensure_ascii=False))

    async def answer(self, work: Callable[[], T], reply: Callable[[T], Any]) -> None:
        """Run ``work`` off the event loop and send ``reply(result)``, or the refusal."""
        try:
            result = await asyncio.to_thread(work)
        except AssessmentKitError as error:
            self.refuse(error)
            return
        self.send(reply(result))

    def refuse(self, error: AssessmentKitError) -> None:
        status = 400
        codes: list[Code] = []
        if isinstance(error, RequestRefused):
            status, codes = error.status, [error.code]
        elif isinstance(error, ProblemsError):
            codes = error.codes
        elif isinstance(error, StoreError) and error.code is not None:
            codes = [error.code]
            status = _STATUS.get(error.code, 400)
        self.send(
            {
                "code": codes[0].name if codes else type(error).__name__,
                "codes": [code.name for code in codes],
                "message": api_text(self.root, str(error)),
            },
            status,
        )


def _text_field(data: dict[str, Any], name: str, default: str | None = None) -> str:
    value = data.get(name, default)
    if not isinstance(value, str):
        detail = "is missing or not text"
        raise RequestRefused(
            Problem.make(Code.REQUEST_FIELD, field=name, detail=detail, expected="text")
        )
    return value


def _list_field(data: dict[str, Any], name: str) -> list[str]:
    value = data.get(name, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RequestRefused(
            Problem.make(
                Code.REQUEST_FIELD, field=name, detail="is not a list", expected="a list of ids"
            )
        )
    return value


class InstrumentsHandler(_Handler):
    @tornado.web.authenticated
    async def get(self) -> None:
        await self.answer(
            lambda: (instrument_choices(), language_choices()),
            lambda found: {
                "instruments": [dataclasses.asdict(i) for i in found[0]],
                "languages": found[1],
            },
        )


class MissionHandler(_Handler):
    @tornado.web.authenticated
    async def get(self) -> None:
        def work() -> Any:
            path = self.path_argument("path")
            if not path.exists():
                problem = Problem.make(Code.FILE_NOT_FOUND, file=api_path(self.root, path))
                raise StoreError(problem=problem)
            return mission_summary(path, self.root)

        await self.answer(
            work, lambda found: {"mission": None if found is None else dataclasses.asdict(found)}
        )


class MissionsHandler(_Handler):
    @tornado.web.authenticated
    async def get(self) -> None:
        def work() -> list[str]:
            return [api_path(self.root, p) for p in find_missions(self.path_argument("folder"))]

        await self.answer(work, lambda found: {"missions": found})

    @tornado.web.authenticated
    async def post(self) -> None:
        def work() -> dict[str, Any]:
            data = self.body()
            made = new_mission(
                self.resolve(_text_field(data, "folder", "")),
                _text_field(data, "file"),
                country=_text_field(data, "country"),
                title=_text_field(data, "title", ""),
                instruments=_list_field(data, "instruments"),
                sections=_list_field(data, "sections"),
                language=_text_field(data, "language", "en"),
            )
            return {
                "path": api_path(self.root, made.path),
                "notebooks": {k: api_path(self.root, p) for k, p in made.notebooks.items()},
            }

        await self.answer(work, lambda made: made)


class NotebooksHandler(_Handler):
    @tornado.web.authenticated
    async def post(self) -> None:
        def work() -> str:
            data = self.body()
            mission = self.resolve(_text_field(data, "mission"))
            _require_mission(self.root, mission)
            return api_path(self.root, mission_notebook(mission, _text_field(data, "kind")))

        await self.answer(work, lambda path: {"path": path})


def _require_mission(root: Path, path: Path) -> None:
    """Refuse ``path`` unless it is a mission file, judged by its content."""
    if not path.exists():
        raise StoreError(problem=Problem.make(Code.FILE_NOT_FOUND, file=api_path(root, path)))
    if not (path.is_file() and is_mission_file(path)):
        problem = Problem.make(
            Code.NOT_A_MISSION, file=api_path(root, path), detail="this file is not a mission"
        )
        raise StoreError(problem=problem)


def _state(root: Path, state: ExportState) -> dict[str, Any]:
    output = None if state.output is None else api_path(root, state.output)
    error = None if state.error is None else api_text(root, state.error)
    return {**dataclasses.asdict(state), "output": output, "error": error}


class ExportsHandler(_Handler):
    @tornado.web.authenticated
    async def post(self) -> None:
        def work() -> ExportState:
            data = self.body()
            mission = self.resolve(_text_field(data, "mission"))
            _require_mission(self.root, mission)
            return self.jobs.start(mission, _text_field(data, "format", "pdf"))

        await self.answer(work, lambda state: _state(self.root, state))


class ExportHandler(_Handler):
    @tornado.web.authenticated
    async def get(self, job: str) -> None:
        await self.answer(lambda: self.jobs.state(job), lambda state: _state(self.root, state))


def setup_handlers(web_app: Any, root_dir: str, *, allow_hidden: bool = False) -> None:
    """Add the routes to the server's tornado application."""
    web_app.settings["assessment_kit_root"] = str(Path(root_dir).resolve())
    web_app.settings["assessment_kit_allow_hidden"] = allow_hidden
    web_app.settings["assessment_kit_exports"] = ExportJobs()
    base = url_path_join(web_app.settings["base_url"], "assessment-kit", "api")
    routes: list[tuple[str, type[_Handler]]] = [
        ("instruments", InstrumentsHandler),
        ("mission", MissionHandler),
        ("missions", MissionsHandler),
        ("notebooks", NotebooksHandler),
        ("exports", ExportsHandler),
        (r"exports/([0-9a-f]{16})", ExportHandler),
    ]
    web_app.add_handlers(".*$", [(url_path_join(base, route), h) for route, h in routes])
