"""Paths in requests, confined to the folder the server serves.

The front-end speaks in the contents API's paths: relative, ``/``-separated, from the
root folder. A path that is absolute, climbs with ``..`` or leads out of the root through
a symbolic link is refused before any file is touched.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath, PureWindowsPath

from assessment_kit.errors import Code, Problem, RequestRefused

__all__ = ["api_path", "api_text", "resolve"]


def _outside(path: str) -> RequestRefused:
    return RequestRefused(Problem.make(Code.PATH_OUTSIDE_ROOT, where=path), status=403)


def resolve(root: str | Path, path: str, *, allow_hidden: bool = True) -> Path:
    """The file or folder ``path`` names inside ``root``, as an absolute path.

    ``allow_hidden=False`` refuses a path with a part starting with a dot, as Jupyter's
    contents API does unless the server allows hidden files.

    Raises
    ------
    RequestRefused
        ``PATH_OUTSIDE_ROOT`` (status 403) for an absolute path, a ``..`` part, a
        backslash or NUL, or a path whose real location is outside ``root``;
        ``HIDDEN_PATH`` (403) for a hidden part when hidden files are not allowed.
    """
    if "\x00" in path or "\\" in path:
        raise _outside(path)
    pure = PurePosixPath(path)
    if pure.is_absolute() or PureWindowsPath(path).is_absolute() or ".." in pure.parts:
        raise _outside(path)
    if not allow_hidden and any(part.startswith(".") for part in pure.parts):
        raise RequestRefused(Problem.make(Code.HIDDEN_PATH, where=path), status=403)
    base = Path(root).resolve()
    # Resolved, so a symbolic link pointing out of the root is caught as well.
    found = (base / pure).resolve()
    if not found.is_relative_to(base):
        raise _outside(path)
    return found


def api_path(root: str | Path, path: Path) -> str:
    """``path`` (inside ``root``) as the front-end names it: relative, ``/``-separated."""
    return path.resolve().relative_to(Path(root).resolve()).as_posix()


def api_text(root: str | Path, text: str) -> str:
    """``text`` (a message for the front-end) with the server's own location left out:
    paths inside ``root`` as the front-end names them, ``root`` itself as ``.``.

    A refusal's message names its file for the person at the desk; the folder the server
    serves from is none of their business (on a shared server it says whose account, and
    where). Paths outside ``root`` are never in a message: requests for them are refused
    with the path as it was asked for.
    """
    for base in sorted({str(Path(root)), str(Path(root).resolve())}, key=len, reverse=True):
        if base in ("", "/", "."):
            continue  # nothing to leave out of a message: every path is already as asked
        # The root followed by a name is a path inside it; followed by nothing that could
        # continue a name, the root itself; otherwise another folder (``/srv/jupyter2``).
        text = re.sub(
            re.escape(base) + r"(?:/(?=[^/])|(?![\w.-]))",
            lambda found: "" if found.group(0).endswith("/") else ".",
            text,
        )
    return text
