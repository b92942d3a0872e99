"""Validated instruments kept across processes, keyed by the SHA-256 of their text.

Every process that opens a mission reads its instruments' YAML again: about 60 ms for each
shipped instrument, and for one that is not shipped the JSON Schema and meaning checks on
top. This cache keeps, per text, the document as read and found valid, as JSON, in the
user's cache folder (``$ASSESSMENT_KIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/assessment-kit``,
else ``~/.cache/assessment-kit``; an empty ``ASSESSMENT_KIT_CACHE_DIR`` turns it off). The
loader builds the model from it (a few ms), as it does from freshly read YAML.

Why JSON of the document rather than a pickle of the model: it is quicker here (for the
larger shipped instrument, reading the JSON and building the model take about 3 ms, a
pickle of the model about 5.5 ms and twice the bytes, the YAML about 50 ms; and pickle
refuses the model's ``MappingProxyType`` fields without a reducer registered for the whole
process), and reading it runs no code from the file, so a planted entry can at worst
describe another questionnaire, never execute anything.

Scoring profiles are kept the same way (:func:`assessment_kit.scoring.profile.loads_profile`),
under the SHA-256 of their text behind a prefix of their own, so that a profile's document
is never taken for a questionnaire's.

The cache can only make loading faster, never change its outcome:

- only a text found valid is written, so an invalid file is checked every time and its
  problems keep their file and line;
- an entry records the fingerprint of the code that validated it (the package's version
  and the questionnaire layer's own files): after an upgrade or an edit of the validator,
  every entry is stale, and is read again from the YAML and rewritten;
- an entry carries the SHA-256 of its data: a corrupt entry (truncated, edited, not JSON)
  is ignored and rewritten;
- writes are atomic; a cache folder that cannot be written (read-only, full) is no error;
- the folder keeps the 64 entries written last, so editing an instrument many times does
  not fill the disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["ENV_VAR", "cache_folder", "entry_path", "fingerprint", "keep_latest", "read", "write"]

#: The environment variable naming the cache folder (empty: no cache).
ENV_VAR = "ASSESSMENT_KIT_CACHE_DIR"
#: The layout of an entry; change it when the entry's form changes.
FORMAT = 1
#: How many entries the folder keeps (the ones written last); each is 100-200 KB.
KEEP = 64
_DIGEST = re.compile("[0-9a-f]{64}")
_PACKAGE = Path(__file__).resolve().parent


def cache_folder() -> Path | None:
    """Where the instruments are cached, or None when the cache is turned off."""
    given = os.environ.get(ENV_VAR)
    if given is not None:
        return Path(given) if given else None
    base = os.environ.get("XDG_CACHE_HOME", "")
    # The XDG base directory rules ignore a relative path.
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "assessment-kit"


def entry_path(digest: str) -> Path | None:
    """The file of the entry for a text of SHA-256 ``digest`` (None: no cache)."""
    folder = cache_folder()
    return None if folder is None else folder / "instruments" / f"{digest}.json"


@cache
def fingerprint() -> str:
    """What decides whether a text is valid and how it reads: the package's version and the
    content of the questionnaire layer's files (the reader, the schema, the validator...)
    and of ``areas.py``, so that an edit in a source checkout makes the entries stale too."""
    from assessment_kit import __version__

    digest = hashlib.sha256(f"{FORMAT}:{__version__}".encode())
    files = sorted(
        path
        for path in _PACKAGE.rglob("*")
        if path.suffix in {".py", ".json"} and "__pycache__" not in path.parts
    )
    for path in [*files, _PACKAGE.parent / "areas.py"]:
        digest.update(path.relative_to(_PACKAGE.parent).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def read(digest: str) -> dict[str, Any] | None:
    """The validated document of the text of SHA-256 ``digest``, None if there is no
    usable entry (none, stale, corrupt or unreadable: all mean read the YAML again)."""
    path = entry_path(digest)
    if path is None:
        return None
    try:
        head, _, body = path.read_bytes().partition(b"\n")
        header = json.loads(head)
        if header != _header(digest, hashlib.sha256(body).hexdigest()):
            return None
        data = json.loads(body)
    except (OSError, ValueError):  # ValueError covers bad JSON and bad UTF-8
        return None
    return data if isinstance(data, dict) else None


def write(digest: str, data: dict[str, Any]) -> None:
    """Keep the validated document of the text of SHA-256 ``digest``.

    A document that JSON would not give back the same (a key that is not a string, a
    float that is not finite) is not kept: what is read back must be what was validated.
    """
    path = entry_path(digest)
    if path is None:
        return
    try:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        if json.loads(body) != data:
            return
    except (TypeError, ValueError):  # a value JSON cannot hold (a date, not finite...)
        return
    encoded = body.encode("utf-8")
    header = json.dumps(_header(digest, hashlib.sha256(encoded).hexdigest()))
    from assessment_kit.atomic import write_atomically

    # A cache that cannot be written (read-only, full) only means the YAML is read again.
    with contextlib.suppress(OSError):
        write_atomically(header.encode("utf-8") + b"\n" + encoded, path)
        # Each edit of an instrument being written makes an entry: keep the folder bounded.
        keep_latest(path.parent, ".json", KEEP)


def keep_latest(folder: Path, suffix: str, keep: int) -> None:
    """Keep the ``keep`` entries of ``folder`` written (or touched) last, remove the others.

    Entries are the files named by a SHA-256 and ending in ``suffix``; nothing else that
    may be in the folder is ever removed. (The chart cache keeps its folder so too.)
    """
    entries = [
        path
        for path in folder.iterdir()
        if path.suffix == suffix and _DIGEST.fullmatch(path.stem) is not None
    ]
    if len(entries) <= keep:
        return
    entries.sort(key=lambda path: path.stat().st_mtime_ns, reverse=True)
    for path in entries[keep:]:
        path.unlink(missing_ok=True)


def _header(digest: str, data_digest: str) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "fingerprint": fingerprint(),
        "text_sha256": digest,
        "data_sha256": data_digest,
    }
