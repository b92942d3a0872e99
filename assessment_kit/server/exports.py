"""Briefing exports started from the mission panel, run in the background.

An export takes seconds (a PDF starts a browser), longer than a request should wait: the
panel starts one, then asks how far it has got (the stages ``export_briefing`` reports)
until it is done, and links to the file. The briefing is written beside the mission under
a name no file has yet, so an earlier briefing is never replaced.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from assessment_kit.errors import AssessmentKitError, Code, Problem, RequestRefused

__all__ = ["ExportJobs", "ExportState", "briefing_path"]

FORMATS = ("pdf", "html")
#: Finished exports kept for the panel to read; older ones are forgotten first.
KEEP_FINISHED = 50


@dataclass(frozen=True, slots=True)
class ExportState:
    """How far an export has got; ``output`` is set once it is written."""

    job: str
    stage: str
    done: int
    total: int
    finished: bool = False
    output: Path | None = None
    error: str | None = None
    code: str | None = None


def briefing_path(mission: Path, fmt: str) -> Path:
    """A name beside ``mission`` for its briefing that no file has yet."""
    candidate = mission.with_name(f"{mission.stem}-briefing.{fmt}")
    number = 2
    while candidate.exists():
        candidate = mission.with_name(f"{mission.stem}-briefing-{number}.{fmt}")
        number += 1
    return candidate


class ExportJobs:
    """The exports this server has started, by job id (shared by the request handlers)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._states: dict[str, ExportState] = {}

    def start(self, mission: Path, fmt: str) -> ExportState:
        """Start exporting ``mission``'s briefing as ``fmt`` in a thread; its first state."""
        if fmt not in FORMATS:
            raise RequestRefused(
                Problem.make(
                    Code.REQUEST_FIELD,
                    field="format",
                    detail=f"is {fmt!r}",
                    expected=" or ".join(repr(f) for f in FORMATS),
                )
            )
        job = secrets.token_hex(8)
        state = ExportState(job=job, stage="Starting", done=0, total=1)
        with self._lock:
            self._forget_old()
            self._states[job] = state
        thread = threading.Thread(
            target=self._run, args=(job, mission, fmt), name=f"briefing-{job}", daemon=True
        )
        thread.start()
        return state

    def state(self, job: str) -> ExportState:
        """The export's latest state."""
        with self._lock:
            if job not in self._states:
                raise RequestRefused(Problem.make(Code.UNKNOWN_EXPORT, job=job), status=404)
            return self._states[job]

    def _set(self, job: str, **changes: object) -> None:
        with self._lock:
            self._states[job] = replace(self._states[job], **changes)  # type: ignore[arg-type]

    def _forget_old(self) -> None:
        finished = [job for job, state in self._states.items() if state.finished]
        for job in finished[: max(0, len(finished) - KEEP_FINISHED)]:
            del self._states[job]

    def _run(self, job: str, mission: Path, fmt: str) -> None:
        from assessment_kit.briefing import export_briefing

        def progress(stage: str, done: int, total: int) -> None:
            self._set(job, stage=stage, done=done, total=total)

        try:
            result = export_briefing(mission, briefing_path(mission, fmt), progress=progress)
        except AssessmentKitError as error:
            code = getattr(error, "code", None)
            self._set(
                job,
                finished=True,
                error=str(error),
                code=code.name if isinstance(code, Code) else type(error).__name__,
            )
        except Exception as error:  # a thread must report, not die silently
            self._set(job, finished=True, error=f"{type(error).__name__}: {error}")
        else:
            self._set(job, finished=True, output=result.path, stage="Done")
