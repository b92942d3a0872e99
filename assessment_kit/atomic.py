"""The one atomic-write helper: a file is written whole or not at all.

It lives below every layer so that each may use it: the store's exports, the briefing's
PDF, and the questionnaire layer's cache of parsed instruments.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

__all__ = ["write_atomically"]


def write_atomically(data: bytes, out: str | Path) -> None:
    """Write ``data`` to ``out`` whole or not at all: through a file beside it, then renamed.

    A failed write (a full disk, a killed process) leaves an earlier file of that name as
    it was and removes the temporary file; the rename is atomic on one file system. The
    file gets the permissions a plain ``open()`` gives (tempfile would make it private to
    its owner). Raises the :class:`OSError` met: callers say what they were writing.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # A name of our own (process and a random part), so that two writers never share it.
    temporary = out.with_name(f".{out.name}.{os.getpid()}.{secrets.token_hex(4)}.partial")
    try:
        with temporary.open("xb") as handle:
            handle.write(data)
        os.replace(temporary, out)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
