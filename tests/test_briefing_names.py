"""The name filter cannot be bypassed by spelling: any Unicode form, case, accent, dash or
space kind, or invisible character still has the name replaced, and only the name.

The reproductions come from issue 9: an interviewer name stored composed (NFC) and written
decomposed (NFD), and a respondent code written with a non-breaking hyphen, reached the
HTML briefing.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment_kit.briefing.text import INTERVIEWER, RESPONDENT, NameScrubber, fold

CODES = ["R-U", "RSPX93", "AB 12", "r10"]
INTERVIEWERS = ["Ingrid Vantongeren", "José Müller-Lüdenscheidt", "Zoë O'Brien", "Jan Strauß"]


@pytest.fixture(scope="module")
def scrub() -> NameScrubber:
    return NameScrubber(CODES, INTERVIEWERS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The two bypasses of the issue.
        (
            "met " + unicodedata.normalize("NFD", "José Müller-Lüdenscheidt") + " twice",
            f"met {INTERVIEWER} twice",
        ),
        ("code R\u2011U said", f"code {RESPONDENT} said"),
        # Other dashes and spaces.
        ("R\u2013U, R\u2014U, R\u2212U, R\u2010U", ", ".join([RESPONDENT] * 4)),
        ("Ingrid\u00a0Vantongeren / Ingrid\u2009Vantongeren", f"{INTERVIEWER} / {INTERVIEWER}"),
        ("AB\u3000 12 and AB12", f"{RESPONDENT} and {RESPONDENT}"),
        # Compatibility forms, case folding, invisible characters, accents added.
        ("\uff32\uff33\uff30\uff38\uff19\uff13 agreed", f"{RESPONDENT} agreed"),
        ("JAN STRAUSS wrote", f"{INTERVIEWER} wrote"),
        ("R\u00adSPX\u200b93 and Vanto\u200dngeren", f"{RESPONDENT} and {INTERVIEWER}"),
        ("Vantóngeren noted", f"{INTERVIEWER} noted"),
        ("O\u2019Brien and o'brien", f"{INTERVIEWER} and {INTERVIEWER}"),
        # The rest of the note keeps its exact spelling, decomposed accents included.
        (
            unicodedata.normalize("NFD", "Café — R\u2011U — naïve"),
            unicodedata.normalize("NFD", "Café — ")
            + RESPONDENT
            + unicodedata.normalize("NFD", " — naïve"),
        ),
        # Not names: other words, and a code inside a longer word.
        ("RSPX930 and xr10 and Vantongerenx", "RSPX930 and xr10 and Vantongerenx"),
    ],
)
def test_spellings_are_caught_and_the_rest_is_unchanged(
    scrub: NameScrubber, text: str, expected: str
) -> None:
    assert scrub(text) == expected


def test_a_name_stored_decomposed_is_found_composed() -> None:
    scrub = NameScrubber([], [unicodedata.normalize("NFD", "Zoë Ångström")])
    assert scrub("Zoë Ångström and ångström") == f"{INTERVIEWER} and {INTERVIEWER}"


def test_fold_maps_positions_back() -> None:
    text = "Ｒ\u2011ß\u0301 x"
    folded, starts, ends = fold(text)
    assert folded == "r-ss x"
    # "ß" folds to two characters, both from position 2; the accent after it folds away.
    assert [(s, e) for s, e in zip(starts, ends, strict=True)] == [
        (0, 1),
        (1, 2),
        (2, 3),
        (2, 3),
        (4, 5),
        (5, 6),
    ]


# --- properties --------------------------------------------------------------------------

DASHES = ["-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "\ufe63"]
SPACES = [" ", "\u00a0", "\u2009", "\u202f", "\u2002", "\u3000", "\t", "\n", "  "]
INVISIBLE = ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\x00"]
ACCENTS = ["\u0301", "\u0300", "\u0308", "\u0327"]


def _fullwidth(char: str) -> str:
    if char.isascii() and char.isalnum():
        return chr(ord(char) - 0x21 + 0xFF01)
    return char


@st.composite
def respelled(draw: st.DrawFn, name: str) -> str:
    """``name`` as a careless or hostile writer might spell it: same on the page."""
    form = draw(st.sampled_from(["NFC", "NFD", "NFKC", "NFKD"]))
    out: list[str] = []
    chars = list(unicodedata.normalize("NFC", name))
    for index, char in enumerate(chars):
        if char == " " or char == "-":
            out.append(draw(st.sampled_from(DASHES if char == "-" else SPACES)))
            continue
        if char == "'":
            out.append(draw(st.sampled_from(["'", "\u2019", "\u02bc"])))
            continue
        variant = draw(st.sampled_from(["same", "upper", "lower", "fullwidth", "accent"]))
        piece = {
            "same": char,
            "upper": char.upper(),
            "lower": char.lower(),
            "fullwidth": _fullwidth(char),
            "accent": char + draw(st.sampled_from(ACCENTS)),
        }[variant]
        out.append(unicodedata.normalize(form, piece))
        if index < len(chars) - 1 and draw(st.booleans()):
            out.append(draw(st.sampled_from(INVISIBLE)))
    return "".join(out)


# Surrounding text: words that spell no name, with the characters notes are made of.
SURROUNDING = st.lists(
    st.sampled_from(
        [
            "the",
            "Shelter",
            "ÉTÉ",
            "naïve",
            "—",
            "«",
            "»",
            "12",
            "…",
            "<b>",
            "=cmd",
            "said",
            "\u00a0",
        ]
    ),
    max_size=6,
).map(" ".join)


@st.composite
def note_naming(draw: st.DrawFn) -> tuple[str, str, str, str]:
    kind = draw(st.sampled_from(["code", "interviewer", "part"]))
    if kind == "code":
        name, replacement = draw(st.sampled_from(CODES)), RESPONDENT
    elif kind == "interviewer":
        name, replacement = draw(st.sampled_from(INTERVIEWERS)), INTERVIEWER
    else:
        full = draw(st.sampled_from(INTERVIEWERS))
        name, replacement = full.split()[-1], INTERVIEWER
    return draw(SURROUNDING), draw(respelled(name)), draw(SURROUNDING), replacement


@settings(max_examples=400, deadline=None)
@given(note_naming())
def test_any_spelling_of_a_name_is_replaced_and_nothing_else(
    case: tuple[str, str, str, str],
) -> None:
    before, name, after, replacement = case
    scrub = NameScrubber(CODES, INTERVIEWERS)
    assert scrub(f"{before} ({name}) {after}") == f"{before} ({replacement}) {after}"


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(INTERVIEWERS + CODES), st.sampled_from(["NFC", "NFD", "NFKC", "NFKD"]))
def test_stored_in_any_form_found_in_any_form(name: str, stored_form: str) -> None:
    scrub = NameScrubber([], [unicodedata.normalize(stored_form, name)])
    for written in ("NFC", "NFD", "NFKC", "NFKD"):
        text = unicodedata.normalize(written, name)
        assert scrub(f"by {text}.") == f"by {INTERVIEWER}."


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=200))
def test_text_without_names_is_unchanged(text: str) -> None:
    # Names no random text will spell; every character of the text is kept as it is.
    scrub = NameScrubber(["QXZ-7Q9"], ["Wqxzvorth Jjqlyp"])
    assert scrub(text) == text
