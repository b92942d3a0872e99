"""Charts kept as SVG between exports, so that a briefing whose charts did not change is
printed without loading plotly.js at all.

Drawing is the longest step of a cold export: before its first chart the browser loads
4.7 MB of plotly.js (about a second on a laptop). A chart's SVG depends only on its figure
(a plain plotly spec, see :func:`.api.briefing_charts`) and on what drew it: plotly.js and
kaleido's page script (their files), the browser and the fonts it measured text with. So
each SVG is kept under the SHA-256 of both, in the user's cache folder (the one the
instrument cache uses, :func:`assessment_kit.questionnaire.cache.cache_folder`; an empty
``ASSESSMENT_KIT_CACHE_DIR`` turns both off), in ``charts/``.

The cache can only make an export faster, never change it:

- a figure that changed (another score, another label, another language) has another key;
- an upgrade of plotly or kaleido, another browser, an updated browser or a change in the
  installed fonts gives every figure another key;
- an entry is checked before use (an SVG document, whole); a corrupt or unreadable entry is
  drawn again and rewritten; a folder that cannot be written is no error;
- writes are atomic; the folder keeps the ``KEEP`` entries used last.

Each PDF export also notes what it drew for its mission (``charts/missions/``, by the
SHA-256 of the mission file's path): the file's stamp then and its charts' keys. The next
export of the same file foresees from it whether a chart will have to be drawn, and if so
starts loading plotly.js at once, while the mission is read and scored (see
:meth:`ChartCache.expects_drawing`). A foresight can only be wrong about time.

What is kept is what the briefing shows (area scores and names, never respondents), in the
user's own folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from assessment_kit.atomic import write_atomically
from assessment_kit.briefing.chart_page import file_stamp, page_scripts
from assessment_kit.briefing.chart_tab import stable_svg
from assessment_kit.questionnaire.cache import cache_folder, keep_latest

__all__ = ["KEEP", "ChartCache", "mission_stamp"]

#: The layout of an entry and of its key; change it when either changes.
FORMAT = 2
#: How many charts the folder keeps (the ones used last); each is 10-60 KB.
KEEP = 256
#: The folder, in the cache's, of what each mission's last export drew.
MISSIONS = "missions"
#: Where Linux keeps fonts; a font installed or removed changes one of these folders.
_FONT_FOLDERS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")


def _fonts_stamp() -> str:
    """The modification times of the font folders and their subfolders (one per package)."""
    parts = []
    for name in _FONT_FOLDERS:
        folder = Path(name).expanduser()
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            continue
        parts.append(f"{folder}={file_stamp(folder)}")
        parts += [f"{entry.name}={file_stamp(Path(entry.path))}" for entry in entries]
    return ";".join(parts)


def drawn_by(browser: Path) -> str:
    """Everything besides the figure that decides its SVG, as one line.

    The page's two scripts are named by their files (path, size, time): the very code that
    draws, and two ``stat`` calls where asking the packages' versions scans every installed
    distribution (30 to 60 ms, on the way to starting the browser).
    """
    resolved = browser.resolve()
    scripts = [f"{path} {file_stamp(path)}" for path in page_scripts()]
    return "|".join(
        [
            f"format {FORMAT}",
            *scripts,
            f"browser {resolved} {file_stamp(resolved)}",
            f"fonts {_fonts_stamp()}",
        ]
    )


def mission_stamp(mission: Path | str) -> str | None:
    """What changes whenever a mission file is written: the :func:`.file_stamp` of the file
    and of its write-ahead log (where SQLite writes first); None for a mission that is not
    a file (a database URL)."""
    if not isinstance(mission, Path):
        return None
    return "|".join(file_stamp(path) for path in (mission, Path(f"{mission}-wal")))


class ChartCache:
    """SVG charts under ``folder``, for figures drawn by one browser (see the module).

    Parameters
    ----------
    folder
        Where the entries go (created when the first is written).
    drawn_by
        What besides the figure decides its SVG (:func:`drawn_by`); part of every key.
    """

    def __init__(self, folder: Path, drawn_by: str) -> None:
        self.folder = folder
        self.drawn_by = drawn_by

    @classmethod
    def for_browser(cls, browser: Path | str) -> ChartCache | None:
        """The user's chart cache for ``browser``; None when the cache is turned off."""
        root = cache_folder()
        return None if root is None else cls(root / "charts", drawn_by(Path(browser)))

    def key(self, figure: Mapping[str, Any]) -> str:
        """The SHA-256 naming ``figure``'s entry."""
        spec = json.dumps(figure, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(f"{self.drawn_by}\n{spec}".encode()).hexdigest()

    def _path(self, figure: Mapping[str, Any]) -> Path:
        return self.folder / f"{self.key(figure)}.svg"

    def get(self, figure: Mapping[str, Any], uid: str) -> str | None:
        """``figure``'s SVG with ``uid`` as its ids' key, or None when it is not kept (or
        its entry is not a whole SVG document: then it is drawn again)."""
        path = self._path(figure)
        try:
            svg = path.read_text(encoding="utf-8")
        except (OSError, ValueError):  # ValueError: not UTF-8
            return None
        if not (svg.startswith("<svg") and svg.rstrip().endswith("</svg>")):
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # used now: kept longer than charts not used for a while
        return stable_svg(svg, uid)

    def get_all(self, figures: Sequence[Mapping[str, Any]], first: int) -> list[str] | None:
        """The SVGs of all ``figures`` (ids keyed from ``first`` on, as when drawn), or None
        if any is missing: the chart page is then loaded anyway, and all are drawn."""
        svgs = []
        for index, figure in enumerate(figures):
            svg = self.get(figure, chart_uid(first + index))
            if svg is None:
                return None
            svgs.append(svg)
        return svgs

    def put(self, figure: Mapping[str, Any], svg: str) -> None:
        """Keep ``figure``'s SVG; a folder that cannot be written only means no cache."""
        with contextlib.suppress(OSError):
            write_atomically(svg.encode("utf-8"), self._path(figure))
            keep_latest(self.folder, ".svg", KEEP)  # get() touches what it uses

    def _drawn_for(self, mission: Path | str) -> Path:
        digest = hashlib.sha256(str(Path(mission).resolve()).encode()).hexdigest()
        return self.folder / MISSIONS / f"{digest}.json"

    def expects_drawing(self, mission: Path | str) -> bool:
        """Whether an export of ``mission`` will likely draw a chart: unless its last export
        noted (:meth:`remember`) the file as it is now and every one of its charts is still
        kept. False for a mission that is not a file: its charts are then drawn, or not,
        as found when its figures are known."""
        stamp = mission_stamp(mission)
        if stamp is None:
            return False
        try:
            noted = json.loads(self._drawn_for(mission).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return True
        if not isinstance(noted, dict) or noted.get("stamp") != stamp:
            return True
        keys = noted.get("charts")
        if not isinstance(keys, list) or not keys:
            return True
        return not all(
            isinstance(key, str) and (self.folder / f"{key}.svg").is_file() for key in keys
        )

    def remember(self, mission: Path | str, figures: Sequence[Mapping[str, Any]]) -> None:
        """Note that ``mission``, as its file is now, gave these ``figures`` (see
        :meth:`expects_drawing`)."""
        stamp = mission_stamp(mission)
        if stamp is None:
            return
        noted = {"stamp": stamp, "charts": [self.key(figure) for figure in figures]}
        with contextlib.suppress(OSError):
            path = self._drawn_for(mission)
            write_atomically(json.dumps(noted).encode("utf-8"), path)
            keep_latest(path.parent, ".json", KEEP)


def chart_uid(number: int) -> str:
    """The key of the ``number``-th chart of a session: its SVG's ids are made unique by it
    (six letters and digits, as plotly's own, see :func:`.chart_tab.stable_svg`)."""
    return f"c{number:05d}"
