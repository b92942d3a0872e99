"""The interface in the six UN languages: catalogues complete, strings marked, the
English text unchanged.

The test extracts the strings itself (Babel, with babel.cfg, as
``tools/update_catalogues.py`` does) and compares them with the template and with every
language's ``.po``: a string added to the code without its translations fails here.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from assessment_kit import i18n
from assessment_kit.areas import AREAS
from assessment_kit.errors import Code
from assessment_kit.i18n import LANGUAGES, N_, _, language

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "assessment_kit" / "locale"
TRANSLATED = [code for code in LANGUAGES if code != "en"]
#: As pybabel's defaults and tools/update_catalogues.py: Jinja's trans blocks extract as
#: gettext and ngettext calls.
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}

WIDGETS = Path(__file__).resolve().parent.parent / "assessment_kit" / "widgets"
#: Python modules whose user-facing strings must all be marked (see test_strings_are_marked).
MARKED_MODULES = (
    "assessment_kit/areas.py",
    "assessment_kit/errors.py",
    "assessment_kit/error_codes.py",
    "assessment_kit/cli.py",
    "assessment_kit/cli_parser.py",
    "assessment_kit/briefing/context.py",
    "assessment_kit/briefing/notebook.py",
)


def _extracted() -> set[str | tuple[str, str]]:
    method_map = [
        ("assessment_kit/**.py", "python"),
        ("assessment_kit/briefing/templates/fragments/**.j2", "jinja2"),
    ]
    options = {
        "assessment_kit/briefing/templates/fragments/**.j2": {"extensions": "jinja2.ext.i18n"}
    }
    found: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map=options, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found


@pytest.fixture(scope="module")
def extracted() -> set[str | tuple[str, str]]:
    return _extracted()


def _ids(path: Path) -> dict[object, object]:
    with path.open("rb") as stream:
        catalog = read_po(stream)
    return {(m.id if isinstance(m.id, str) else (m.id[0], m.id[1])): m for m in catalog if m.id}


def test_the_template_holds_every_marked_string(extracted: set[object]) -> None:
    template = set(_ids(LOCALE / "assessment_kit.pot"))
    assert extracted - template == set(), "run python tools/update_catalogues.py"
    assert template - extracted == set(), "run python tools/update_catalogues.py"


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_catalogue_translates_every_string(code: str, extracted: set[object]) -> None:
    entries = _ids(LOCALE / code / "LC_MESSAGES" / "assessment_kit.po")
    missing = sorted(str(key) for key in extracted - set(entries))
    assert missing == [], f"{code}: not in the catalogue"
    empty = [str(k) for k, m in entries.items() if k in extracted and not _complete(m)]
    assert empty == [], f"{code}: no translation"
    fuzzy = [str(k) for k, m in entries.items() if getattr(m, "fuzzy", False)]
    assert fuzzy == [], f"{code}: fuzzy entries"


def _complete(message: object) -> bool:
    string = getattr(message, "string", "")
    if isinstance(string, str):
        return bool(string.strip())
    return all(str(form).strip() for form in string)


_PLACEHOLDER = re.compile(r"\{[a-z_]+(?:![rsa])?\}|%\([a-z_]+\)s")


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_the_placeholders(code: str) -> None:
    entries = _ids(LOCALE / code / "LC_MESSAGES" / "assessment_kit.po")
    wrong = []
    for key, message in entries.items():
        source = set(_PLACEHOLDER.findall(key if isinstance(key, str) else " ".join(key)))
        string = message.string  # type: ignore[attr-defined]
        forms = [string] if isinstance(string, str) else list(string)
        if isinstance(key, str):
            if set(_PLACEHOLDER.findall(forms[0])) != source:
                wrong.append(key)
        # Plural forms may drop the count ("one note"), never invent a placeholder.
        elif any(not set(_PLACEHOLDER.findall(form)) <= source for form in forms):
            wrong.append(str(key))
    assert wrong == []


def test_english_is_the_source_text() -> None:
    with language("en"):
        assert _("Contents") == "Contents"
    assert i18n.format_decimal(48.75, 1) == "48.8"
    assert i18n.format_percent(95) == "95%"
    assert i18n.format_date(dt.date(2026, 11, 5)) == "5 November 2026"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("fr", "Coopération internationale"),
        ("es", "Cooperación internacional"),
        ("ar", "التعاون الدولي"),
        ("ru", "Международное сотрудничество"),
        ("zh", "国际合作"),
    ],
)
def test_each_language_names_the_areas(code: str, expected: str) -> None:
    with language(code):
        assert _(AREAS[-1].name) == expected
        assert i18n.current_language() == code
    assert i18n.current_language() == "en"


def test_numbers_and_dates_follow_the_language() -> None:
    assert i18n.format_decimal(48.75, 1, "fr") == "48,8"
    assert i18n.format_date(dt.date(2026, 11, 5), "fr") == "5 novembre 2026"
    assert i18n.format_date(dt.date(2026, 11, 5), "es") == "5 de noviembre de 2026"
    assert i18n.direction("ar") == "rtl"
    assert i18n.direction("fr") == "ltr"


def test_the_non_scored_states_read_as_the_instruments_translate_them() -> None:
    with language("fr"):
        assert _("No cases in the period") == "Aucune affaire sur la période"
    with language("es"):
        assert _("No cases in the period") == "Ningún caso en el período"


def test_an_unknown_language_means_english() -> None:
    with language("de"):
        assert i18n.current_language() == "en"
        assert _("Contents") == "Contents"


def test_an_error_reads_in_the_language_in_force() -> None:
    from assessment_kit.errors import Problem

    with language("fr"):
        problem = Problem.make(Code.MISSION_LANGUAGE, language="de", known="en, fr")
    assert problem.code is Code.MISSION_LANGUAGE
    assert "de" in problem.message
    assert problem.message != Code.MISSION_LANGUAGE.template.format(language="'de'")
    assert N_("x") == "x"


# --- every user-facing string literal is marked --------------------------------------------

#: Calls whose string arguments a user reads.
_SHOWN = {"print", "HTML", "Label", "Button", "Markdown", "write", "Checkbox", "Dropdown"}
#: Widgets whose value is text a user reads (a dropdown's value is a key).
_SHOWN_TEXTS = {"HTML", "Label", "Markdown"}
#: Keyword arguments and widget attributes whose text a user reads.
_SHOWN_KEYWORDS = {"description", "tooltip", "placeholder", "help", "value"}
#: HTML tags with their attributes: markup, not prose.
_MARKUP = re.compile(r"<[^>]*>|&[a-z]+;")
#: Literals that are not prose: the status column of ``validate``, which scripts read.
_NOT_PROSE = {"ok  ", "FAIL "}


def _unmarked(path: Path) -> list[str]:
    """String literals that a user reads but that no _(), N_() or ngettext() wraps.

    Checked: the values of the error catalogue (``Code``) and the arguments of calls that
    show text. Strings that hold no letters (punctuation, numbers) are not prose.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    marked: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node.func) in {"_", "N_", "gettext", "ngettext"}:
            for inner in ast.walk(node):
                marked.add(id(inner))
    problems: list[str] = []

    def check(node: ast.AST, where: str) -> None:
        for inner in ast.walk(node):
            if (
                isinstance(inner, ast.Constant)
                and isinstance(inner.value, str)
                and id(inner) not in marked
                and inner.value not in _NOT_PROSE
                and re.search(r"[A-Za-z]{2}", _MARKUP.sub("", inner.value))
            ):
                problems.append(f"{path.name}:{inner.lineno} {where}: {inner.value[:50]!r}")

    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "Code":
            for item in node.body:
                if isinstance(item, ast.Assign) and isinstance(item.value, ast.Tuple):
                    check(item.value, "Code")
        elif isinstance(node, ast.Call):
            shown = _name(node.func) in _SHOWN
            if shown:
                for argument in node.args:
                    check(argument, _name(node.func))
            for keyword in node.keywords:
                # Any widget's label, tooltip or placeholder; the value of a shown text.
                if keyword.arg in _SHOWN_KEYWORDS - {"value"} or (
                    keyword.arg == "value" and _name(node.func) in _SHOWN_TEXTS
                ):
                    check(keyword.value, f"{_name(node.func)}({keyword.arg}=)")
        elif isinstance(node, ast.Assign):
            # widget.description = "...", banner.value = f"..."
            for target in node.targets:
                if isinstance(target, ast.Attribute) and target.attr in _SHOWN_KEYWORDS:
                    check(node.value, f".{target.attr} =")
    return problems


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


@pytest.mark.parametrize("module", MARKED_MODULES)
def test_strings_are_marked(module: str) -> None:
    assert _unmarked(ROOT / module) == []


def test_the_marking_check_finds_an_unmarked_string(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from enum import Enum\n"
        "class Code(Enum):\n"
        "    A = (N_('marked'), 'not marked')\n"
        "print(_('fine'))\n"
        "print('shown as is')\n"
    )
    assert [p.split(" ", 1)[1] for p in _unmarked(sample)] == [
        "Code: 'not marked'",
        "print: 'shown as is'",
    ]


# --- the command line speaks the user's language ----------------------------------------------


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LANGUAGE": "de:es", "LANG": "fr_FR.UTF-8"}, "es"),
        ({"LC_ALL": "C", "LANG": "fr_FR.UTF-8"}, "en"),
        ({"ASSESSMENT_KIT_LANGUAGE": "ar", "LANG": "fr_FR.UTF-8"}, "ar"),
    ],
)
def test_the_users_language_comes_from_the_environment(
    environ: dict[str, str], expected: str
) -> None:
    assert i18n.environment_language(environ) == expected


def test_a_command_line_error_in_french(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from assessment_kit.cli import main

    monkeypatch.setenv("ASSESSMENT_KIT_LANGUAGE", "fr")
    status = main(["new", str(tmp_path / "m.db"), "--country", "F", "--questionnaire", "nope"])
    assert status == 1
    err = capsys.readouterr().err
    french = i18n.translations("fr").gettext
    assert french("error: {message}").split("{")[0] in err
    assert french(Code.UNKNOWN_INSTRUMENT.template).split("{")[0] in err
    assert "no questionnaire ships" not in err
    assert not (tmp_path / "m.db").exists()


# --- the notebooks' instructions ----------------------------------------------------------------


def test_the_instructions_are_the_notebooks_markdown() -> None:
    import nbformat

    from assessment_kit.widgets._instructions import INSTRUCTIONS

    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        book = nbformat.read(path, as_version=4)
        cells = tuple(c.source for c in book.cells if c.cell_type == "markdown")
        name = path.stem.split("_", 1)[1]
        assert INSTRUCTIONS[name] == cells, path.name
        calls = [c.source for c in book.cells if f'instructions(mission, "{name}")' in c.source]
        assert len(calls) == 1, path.name


@pytest.mark.parametrize("code", TRANSLATED)
def test_a_notebook_shows_its_instructions_in_the_missions_language(
    tmp_path: Path, code: str
) -> None:
    from assessment_kit.questionnaire import builtin
    from assessment_kit.store import Mission
    from assessment_kit.widgets import instructions
    from assessment_kit.widgets._instructions import INSTRUCTIONS

    questionnaires = [builtin("organ_removal")]
    with Mission.create(
        tmp_path / "m.db", country="F", title="T", questionnaires=questionnaires, language=code
    ) as mission:
        shown = instructions(mission, "interview")
    translated = i18n.translations(code).gettext(INSTRUCTIONS["interview"][0])
    assert translated != INSTRUCTIONS["interview"][0]
    first_line = translated.splitlines()[0].lstrip("# ")
    assert first_line in shown.data
    if code == "ar":
        assert 'dir="rtl"' in shown.data
    with Mission.create(
        tmp_path / "en.db", country="F", title="T", questionnaires=questionnaires
    ) as english:
        assert instructions(english, "interview") is None
