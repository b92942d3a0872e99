"""The briefing's templates kept compiled between processes, in the user's cache folder.

Jinja compiles ``briefing.html.j2`` to Python on first use: about 0.12 s of every export, on
the way to the page the browser waits for. Jinja's own bytecode cache keeps the compiled
code, checked against the template's source (an edited template is compiled again).

Compiled code is code: it is read only from a folder that this user alone owns and can
write (``templates/``, made with mode 0700). A cache folder shared with others
(``ASSESSMENT_KIT_CACHE_DIR`` on a shared server, say) gets no compiled templates at all,
and a damaged or unwritable entry only means compiling again.
"""

from __future__ import annotations

import contextlib
import os

import jinja2

from assessment_kit.questionnaire.cache import cache_folder

__all__ = ["template_cache"]

#: The folder's name in the cache folder.
FOLDER = "templates"


class _Kept(jinja2.FileSystemBytecodeCache):
    """Jinja's cache, for which a bad entry or a full disk is no error."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a damaged entry (its header is a pickle): compile again
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):  # not kept: the next process compiles it
            super().dump_bytecode(bucket)


def template_cache() -> jinja2.BytecodeCache | None:
    """Jinja's bytecode cache in the user's private cache folder, or None (see the module)."""
    root = cache_folder()
    if root is None:
        return None
    folder = root / FOLDER
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = folder.stat()
    except OSError:
        return None
    if status.st_uid != os.getuid() or status.st_mode & 0o077:
        return None  # others could write code there: never load any from it
    return _Kept(str(folder))
