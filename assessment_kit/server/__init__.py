"""The Jupyter server extension behind the JupyterLab extension.

Its REST routes live under ``/assessment-kit/api/`` and go through Jupyter Server's
authentication and XSRF checks; every path they take is confined to the folder the server
serves (:mod:`._paths`). What they answer is built by :mod:`.missions` (mission summaries,
new missions and their notebooks) and :mod:`.exports` (briefings in the background) from
the store's and the briefing's public API; a pre-save hook (:mod:`._guard`) refuses to
save anything over a mission file, and the file browser hides SQLite's ``-wal`` and
``-shm`` files. Installing the package enables the extension
(``etc/jupyter/jupyter_server_config.d/assessment_kit.json``); nothing else imports it.
"""

from __future__ import annotations

from typing import Any

__all__: list[str] = []

#: SQLite's files beside a database, hidden from the file browser.
SIDE_FILE_GLOBS = tuple(
    f"*.{suffix}-{side}" for suffix in ("db", "sqlite", "sqlite3") for side in ("wal", "shm")
)


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """Where Jupyter Server finds the extension (this module)."""
    return [{"module": "assessment_kit.server"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Register the routes with the running server (called by Jupyter Server)."""
    # Imported here: tornado and jupyter_server are there only when a server runs.
    from assessment_kit.server._guard import refuse_saving_over_missions
    from assessment_kit.server.handlers import setup_handlers

    contents = serverapp.contents_manager
    allow_hidden = bool(getattr(contents, "allow_hidden", False))
    setup_handlers(serverapp.web_app, serverapp.root_dir, allow_hidden=allow_hidden)
    contents.register_pre_save_hook(refuse_saving_over_missions)
    # SQLite's write-ahead log and shared memory beside each open mission are not for
    # people: the file browser no longer lists them (they stay on disk, untouched).
    if hasattr(contents, "hide_globs"):
        contents.hide_globs = [*contents.hide_globs, *SIDE_FILE_GLOBS]
    serverapp.log.info("assessment-kit: routes under /assessment-kit/api/")
