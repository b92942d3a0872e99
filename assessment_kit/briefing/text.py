"""Free text on its way into a briefing: names scrubbed, and nothing unprintable.

Notes and evidence are typed by assessors, pasted from Word, or arrive in a mission file
from anyone, so the same name can be spelled in many Unicode ways that look alike on the
page. :class:`NameScrubber` compares text after *folding* it (:func:`fold`):

- compatibility normalisation and case folding (NFKC with case folding: ``ＲＳＰ`` is
  ``rsp``, ``ß`` is ``ss``);
- accents and other combining marks dropped, so a name stored composed (NFC) is found when
  written decomposed (NFD), and ``Vantongéren`` is still Vantongeren;
- every dash (hyphen, non-breaking hyphen, en and em dash, minus sign...) is ``-``, every
  space (no-break, thin, ideographic, line and paragraph separators...) is one space, and
  every apostrophe (typographic or not) is ``'``;
- invisible characters (soft hyphen, zero-width space and joiners, direction marks) and
  control characters are ignored, as the page does not show them.

The replacement is made in the *original* text (folded positions map back to it), so the
rest of a note keeps its spelling exactly.

:func:`printable` is what the HTML renderer applies to every piece of text: control
characters other than tab and newline never reach the page. :func:`shorten` bounds what a
fixed space (the cover, the running footer) shows of a text; the data keep it whole.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

__all__ = ["NameScrubber", "fold", "printable", "shorten"]

RESPONDENT = "[a respondent]"
INTERVIEWER = "[the interviewer]"

# Dash-like characters that are not in the Unicode dash category (Pd).
_OTHER_DASHES = frozenset("\u2212\u2043\u02d7\u2796\ufe63\uff0d")
# Apostrophes, as in O'Brien: word processors turn ' into a right quotation mark.
_APOSTROPHES = frozenset("\u2019\u2018\u02bc\u02b9\u2032\uff07\u00b4\u0060")

# Invisible or unprintable categories: controls (C0, C1), format characters (soft hyphen,
# zero-width, bidirectional controls) and lone surrogates.
_IGNORED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})


def _is_space(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in ("Zs", "Zl", "Zp")


def _is_dash(char: str) -> bool:
    return char in _OTHER_DASHES or unicodedata.category(char) == "Pd"


@lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    """The folded form of one character (possibly several characters, or none)."""
    if char.isascii() and char.isalnum():
        return char.lower()
    if _is_space(char):
        return " "
    if unicodedata.category(char) in _IGNORED_CATEGORIES:
        return ""
    out: list[str] = []
    # Decomposing, case folding, then decomposing again is canonical-equivalence safe:
    # equal NFKC forms give equal results (case folding can leave a composed character).
    for piece in unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", char).casefold()):
        category = unicodedata.category(piece)
        if unicodedata.combining(piece) or category == "Mn" or category in _IGNORED_CATEGORIES:
            continue
        if _is_dash(piece):
            out.append("-")
        elif piece in _APOSTROPHES:
            out.append("'")
        elif _is_space(piece):
            out.append(" ")
        else:
            out.append(piece)
    return "".join(out)


def fold(text: str) -> tuple[str, list[int], list[int]]:
    """Fold ``text`` for comparison; also give, for each folded character, the span
    ``[start, end)`` of the original characters it came from.

    Runs of spaces fold to one space whose span covers the whole run.
    """
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for index, char in enumerate(text):
        for piece in _fold_char(char):
            if piece == " " and chars and chars[-1] == " ":
                ends[-1] = index + 1
                continue
            chars.append(piece)
            starts.append(index)
            ends.append(index + 1)
    return "".join(chars), starts, ends


def _folded_key(text: str) -> str:
    return fold(text)[0].strip(" ")


def _squash(folded: str) -> str:
    """A folded name without its separators: the dictionary key of a match."""
    return folded.replace(" ", "").replace("-", "")


def _name_parts(name: str) -> list[str]:
    """The parts of a name split at spaces and dashes of any kind."""
    parts: list[str] = []
    current: list[str] = []
    for char in name:
        if _is_space(char) or _is_dash(char):
            if current:
                parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if current:
        parts.append("".join(current))
    return parts


class NameScrubber:
    """Replace respondent codes and interviewer names that slipped into free text.

    Matching works on folded text (see the module docstring), so case, Unicode form,
    accents, dash and space kinds and invisible characters do not hide a name; spaces and
    dashes inside a name may also be left out or doubled. An interviewer is also named by
    one part of the name ("vantongeren said..."), so each capitalised part of it matches on
    its own; lower-case particles ("van", "de") do not. A common word that spells a part
    ("will" for "Will Young") is replaced too: a garbled note is better than a named
    interviewer. One pass, longest name first, so "R1" never eats "R10" and no replacement
    is scanned again.
    """

    def __init__(self, codes: Iterable[str], interviewers: Iterable[str]) -> None:
        replacement: dict[str, str] = {}  # squashed folded name -> what replaces it
        keys: dict[str, str] = {}  # folded name -> squashed
        for code in codes:
            key = _folded_key(code)
            if _squash(key):
                keys[key] = _squash(key)
                replacement.setdefault(_squash(key), RESPONDENT)
        for interviewer in interviewers:
            full = unicodedata.normalize("NFC", interviewer).strip()
            for part in [full, *full.split(), *_name_parts(full)]:
                key = _folded_key(part)
                if len(_squash(key)) >= 2 and (part == full or part[0].isupper()):
                    keys[key] = _squash(key)
                    replacement.setdefault(_squash(key), INTERVIEWER)
        self._replacement = replacement
        names = sorted(keys, key=len, reverse=True)
        # Separators inside a name match any run of separators, or none.
        alternatives = "|".join(
            "[ -]*".join(re.escape(segment) for segment in re.split(r"[ -]+", name))
            for name in names
        )
        self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)") if names else None
        #: Texts already scrubbed: a mission's answers repeat the same few labels.
        self._scrubbed: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        scrubbed = self._scrubbed.get(text)
        if scrubbed is None:
            scrubbed = self._scrubbed[text] = self._scrub(self._pattern, text)
        return scrubbed

    def _scrub(self, pattern: re.Pattern[str], text: str) -> str:
        folded, starts, ends = fold(text)
        pieces: list[str] = []
        done = 0
        for match in pattern.finditer(folded):
            if match.start() == match.end():
                continue
            start, end = starts[match.start()], ends[match.end() - 1]
            if start < done:  # two folded characters from one original (rare: ligatures)
                continue
            # Accents written after the name's last letter (decomposed) belong to it.
            while end < len(text) and not _fold_char(text[end]):
                end += 1
            pieces.append(text[done:start])
            pieces.append(self._replacement[_squash(match.group(0))])
            done = end
        if not pieces:
            return text
        pieces.append(text[done:])
        return "".join(pieces)


# Control characters that end a line in a word processor or a spreadsheet: shown as a new
# line (Word writes \x0b for a manual line break); every other control character is dropped.
_LINE_BREAKS = {"\r\n": "\n", "\r": "\n", "\x0b": "\n", "\x0c": "\n", "\x85": "\n"}
_UNPRINTABLE = re.compile(
    r"\r\n|[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]",
)


def printable(text: str) -> str:
    """``text`` without control characters (tab and newline kept, other line breaks made
    newlines) or lone surrogates, which cannot be written as UTF-8."""
    return _UNPRINTABLE.sub(lambda match: _LINE_BREAKS.get(match.group(0), ""), text)


# Characters that join onto the one before them: a cut never leaves them without it.
_JOINERS = frozenset("\u200d\ufe0e\ufe0f\u20e3")


def _joins_previous(char: str) -> bool:
    return (
        char in _JOINERS
        or unicodedata.combining(char) > 0
        or unicodedata.category(char) in ("Mn", "Mc", "Me")
        or "\U0001f3fb" <= char <= "\U0001f3ff"  # skin tone modifiers
        or "\U000e0020" <= char <= "\U000e007f"  # tag characters (flags of regions)
    )


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters with an ellipsis, never inside an
    accented letter or an emoji sequence; unchanged when it fits."""
    if len(text) <= limit:
        return text
    cut = max(limit - 1, 0)
    # Back off to the start of a character cluster: accents, emoji modifiers and
    # zero-width joiners belong with what precedes them.
    while cut > 0 and (_joins_previous(text[cut]) or text[cut - 1] == "\u200d"):
        cut -= 1
    # Regional indicators make flags in pairs: keep an even run of them.
    run = 0
    while cut - run > 0 and "\U0001f1e6" <= text[cut - run - 1] <= "\U0001f1ff":
        run += 1
    if run % 2:
        cut -= 1
    return text[:cut].rstrip() + "…"
