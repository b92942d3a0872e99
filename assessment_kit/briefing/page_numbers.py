"""The contents' page numbers of the last print, kept so that the next print with the same
contents can take them instead of guessing.

The briefing's contents page shows on which page each part starts, which only a print can
tell for certain. Without kept numbers, they are guessed from the page laid out in
page-sized columns (:data:`.pdf._GUESS_PAGES`, about 50 ms in the page). LaTeX solves the
same problem with its ``.aux`` file, the page numbers of the last run; so do we. The numbers
of the last print with the same contents entries (their anchors, in order) are filled in
before the print, which is final when it shows the same numbers (every print is checked:
see :func:`.pdf.cdp_print`); when they differ, the page is numbered from that print and
printed once more, as after a wrong guess.

Entries live in the user's cache folder (``page-numbers/``); what they hold is a list of
section anchors and page numbers, nothing from the mission's answers.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from assessment_kit.atomic import write_atomically
from assessment_kit.questionnaire.cache import cache_folder, keep_latest

__all__ = ["KEEP", "PageNumbers"]

#: How many contents the folder keeps (the ones printed last); each is under 2 KB.
KEEP = 64


class PageNumbers:
    """The last printed page of each contents anchor, by contents (see the module)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def for_user(cls) -> PageNumbers | None:
        """The user's store; None when the cache is turned off."""
        root = cache_folder()
        return None if root is None else cls(root / "page-numbers")

    def _path(self, anchors: Sequence[str]) -> Path:
        digest = hashlib.sha256(json.dumps(list(anchors)).encode()).hexdigest()
        return self.folder / f"{digest}.json"

    def get(self, anchors: Sequence[str]) -> dict[str, int] | None:
        """The pages last printed for these contents, or None (never printed, or an entry
        that is not a page for every anchor: then the page is numbered by a print)."""
        try:
            kept = json.loads(self._path(anchors).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(kept, dict) or set(kept) != set(anchors):
            return None
        if not all(type(page) is int and page > 0 for page in kept.values()):
            return None
        return {str(name): int(page) for name, page in kept.items()}

    def put(self, anchors: Sequence[str], pages: Mapping[str, int]) -> None:
        """Keep the printed ``pages`` of these contents (all of them, or nothing)."""
        if set(pages) != set(anchors):
            return  # an anchor not found in the print: nothing worth guessing from
        with contextlib.suppress(OSError):
            text = json.dumps({name: pages[name] for name in anchors})
            write_atomically(text.encode(), self._path(anchors))
            keep_latest(self.folder, ".json", KEEP)
