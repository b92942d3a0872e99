"""A mission is never written over through Jupyter's contents API.

Saving a mission file from an editor (or uploading a file of the same name) would replace
the live SQLite database with whatever the browser holds, losing every answer written
since it was read. The contents manager runs this hook before every save; refusing with
an ``HTTPError`` is how a hook stops one (other exceptions are only logged).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tornado.web import HTTPError

from assessment_kit.server._paths import resolve
from assessment_kit.store.outputs import is_mission_file

__all__ = ["refuse_saving_over_missions"]


def refuse_saving_over_missions(
    model: dict[str, Any], path: str, contents_manager: Any, **_: Any
) -> None:
    """Pre-save hook: refuse (403) a save whose target is a mission file, or beside one."""
    root = getattr(contents_manager, "root_dir", None)
    if root is None or model.get("type") == "directory":
        return
    target = resolve(root, path.strip("/"))
    for suffix in ("-wal", "-shm", "-journal"):
        if target.name.endswith(suffix):
            database = target.with_name(target.name[: -len(suffix)])
            if database.is_file() and is_mission_file(database):
                target = database
    if target.is_file() and is_mission_file(Path(target)):
        raise HTTPError(
            403,
            f"{path} is an assessment-kit mission: saving over it would lose its answers "
            "(open it with the mission panel, or save under another name)",
        )
