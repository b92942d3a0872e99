"""Paths in requests, confined to the folder the server serves.

The front-end speaks in the contents API's paths: relative, ``/``-separated, from the
root folder. A path that is absolute, climbs with ``..`` or leads out of the root through
a symbolic link is refused before any file is touched.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath

from assessment_kit.errors import Code, Problem, RequestRefused

__all__ = ["api_path", "resolve"]


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
