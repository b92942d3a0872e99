"""Translation files: finding, reading, checking and writing them.

A translation file sits beside its instrument
(``questionnaires/translations/<instrument>.<language>.yaml``)::

    instrument: criminal_justice
    version: 2.0.0
    language: fr
    strings:
      questions.sd_forms_detected.text:
        en: <the English source it was translated from>
        text: <the translation>

Every problem of a file is reported at once, with its line (the reader of
:mod:`~assessment_kit.questionnaire.yaml_source`). A file identical to a shipped one is
trusted and read only when its language is first asked for.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from assessment_kit.errors import Code, Problem
from assessment_kit.questionnaire.model import Questionnaire
from assessment_kit.questionnaire.translations import (
    Catalogue,
    Entry,
    Source,
    TranslationFile,
    translatable,
    with_catalogue,
)
from assessment_kit.questionnaire.yaml_source import Document, read_trusted, read_yaml

#: Where translation files live, beside the instrument (and beside a mission file).
FOLDER = "translations"

#: A language code: ``fr``, ``es``, ``pt-BR``...
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_TOP_FIELDS = ("instrument", "version", "language", "strings")
_ENTRY_FIELDS = ("en", "text")


# -- reading and writing ------------------------------------------------------------------


def file_name(instrument: str, language: str) -> str:
    """``criminal_justice.fr.yaml``: the name of an instrument's translation file."""
    return f"{instrument}.{language}.yaml"


def _entries(strings: Any) -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    for key, value in (strings or {}).items():
        if isinstance(value, dict) and value.get("text") is not None:
            entries[str(key)] = Entry(str(value.get("en", "")), str(value["text"]))
    return entries


def parse_translation_file(
    text: str, file: str, questionnaire: Questionnaire, *, language: str | None = None
) -> tuple[TranslationFile | None, list[Problem]]:
    """Read and check a translation file of ``questionnaire``; every problem at once.

    ``language`` is the one its file name gives, when it has one. The file is returned
    only when it has no problem.
    """
    document, problems = read_yaml(text, file)
    if document is None:
        return None, problems
    problems += _check_document(document, questionnaire, language)
    if problems:
        return None, problems
    data = document.data
    return (
        TranslationFile(
            instrument=str(data["instrument"]),
            version=str(data["version"]),
            language=str(data["language"]),
            entries=MappingProxyType(_entries(data["strings"])),
            file=file,
        ),
        [],
    )


def _check_document(
    document: Document, questionnaire: Questionnaire, language: str | None
) -> list[Problem]:
    data = document.data
    file = document.file
    problems: list[Problem] = []

    def add(code: Code, path: tuple[str | int, ...], **fields: Any) -> None:
        shown = ".".join(str(part) for part in path)
        problems.append(
            Problem.make(code, file=file, line=document.line(path), path=shown, **fields)
        )

    if not isinstance(data, dict):
        add(Code.TRANSLATION_NOT_MAPPING, (), what="the file", example=_EXAMPLE)
        return problems
    for name in data:
        if name not in _TOP_FIELDS:
            add(Code.UNKNOWN_FIELD, (name,), field=name, known=", ".join(_TOP_FIELDS))
    for name in _TOP_FIELDS:
        if name not in data:
            add(Code.MISSING_FIELD, (), field=name)
    if "instrument" in data and str(data["instrument"]) != questionnaire.id:
        add(
            Code.TRANSLATION_INSTRUMENT,
            ("instrument",),
            found=str(data["instrument"]),
            expected=questionnaire.id,
        )
    if "version" in data and str(data["version"]) != questionnaire.version:
        add(
            Code.TRANSLATION_VERSION,
            ("version",),
            found=str(data["version"]),
            expected=questionnaire.version,
            instrument=questionnaire.id,
        )
    if "language" in data:
        found = data["language"]
        if not isinstance(found, str) or not LANGUAGE_CODE.match(found) or found == "en":
            add(Code.TRANSLATION_LANGUAGE, ("language",), found=str(found))
        elif language is not None and found != language:
            add(
                Code.TRANSLATION_FILE_NAME,
                ("language",),
                found=found,
                name=file_name(questionnaire.id, language),
                expected=file_name(questionnaire.id, found),
            )
    strings = data.get("strings")
    if "strings" in data and not isinstance(strings, dict):
        add(Code.TRANSLATION_NOT_MAPPING, ("strings",), what="'strings'", example=_EXAMPLE)
    elif isinstance(strings, dict):
        known = dict(translatable(questionnaire))
        for key, value in strings.items():
            _check_entry(add, known, str(key), value)
    return problems


_EXAMPLE = "questions.<id>.text: {en: <English>, text: <translation>}"


def _check_entry(add: Callable[..., None], known: Mapping[str, str], key: str, value: Any) -> None:
    path: tuple[str | int, ...] = ("strings", key)
    if key not in known:
        add(Code.TRANSLATION_UNKNOWN_KEY, path, key=key)
        return
    if not isinstance(value, dict):
        add(Code.TRANSLATION_NOT_MAPPING, path, what=f"the entry {key!r}", example=_EXAMPLE)
        return
    for name in value:
        if name not in _ENTRY_FIELDS:
            add(Code.UNKNOWN_FIELD, (*path, name), field=name, known="en, text")
    for name in _ENTRY_FIELDS:
        if name not in value:
            add(Code.MISSING_FIELD, path, field=name)
        elif not isinstance(value[name], str) or not value[name].strip():
            add(Code.TRANSLATION_EMPTY, (*path, name), field=name)


def dump_translation_file(content: TranslationFile) -> str:
    """The YAML text of a translation file (UTF-8 text, entries in the order given)."""
    import yaml

    head = (
        f"# {content.language} translation of the instrument {content.instrument} "
        f"{content.version}.\n"
        "# Each entry keeps the English it was translated from: when the English changes,\n"
        "# the translation is outdated and the English is shown until it is checked again.\n"
    )
    data = {
        "instrument": content.instrument,
        "version": content.version,
        "language": content.language,
        "strings": {
            key: {"en": entry.en, "text": entry.text} for key, entry in content.entries.items()
        },
    }
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    return head + body


def _trusted_file(text: str, file: str) -> TranslationFile:
    """A shipped translation file, read without checks (the test suite checks it)."""
    data = read_trusted(text)
    return TranslationFile(
        instrument=str(data["instrument"]),
        version=str(data["version"]),
        language=str(data["language"]),
        entries=MappingProxyType(_entries(data["strings"])),
        file=file,
    )


# -- finding the files --------------------------------------------------------------------


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def find_files(folder: Path, instrument: str) -> dict[str, Path]:
    """The translation files of ``instrument`` in ``folder``, by language."""
    if not folder.is_dir():
        return {}
    prefix = f"{instrument}."
    found: dict[str, Path] = {}
    for path in sorted(folder.glob(f"{instrument}.*.yaml")):
        language = path.name[len(prefix) : -len(".yaml")]
        if "." not in language:
            found[language] = path
    return found


@dataclass(frozen=True, slots=True)
class Folder:
    """A folder of translation files, and how strictly they are taken.

    ``strict``: a file for another version of the instrument is a problem (the folder
    beside a questionnaire file); otherwise it is skipped (the shipped folder, a mission's
    folder: they may hold the translations of other versions).
    """

    path: Path
    strict: bool = True


def attach_translations(
    questionnaire: Questionnaire,
    folders: Sequence[Folder],
    trusted: Callable[[str], bool] = lambda digest: False,
) -> tuple[Questionnaire, list[Problem]]:
    """The questionnaire reading translations from the files in ``folders``, and the
    problems of those files (each file with a problem is left out).

    A file whose SHA-256 is ``trusted`` (a shipped file) is read on first use without
    checks; any other file is read and checked now.
    """
    sources: dict[str, list[Source]] = {}
    problems: list[Problem] = []
    seen: set[Path] = set()
    for folder in folders:
        for language, path in find_files(folder.path, questionnaire.id).items():
            resolved = path.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            source, found = _source(questionnaire, path, language, folder.strict, trusted)
            problems += found
            if source is not None:
                sources.setdefault(language, []).append(source)
    if not sources:
        return questionnaire, problems
    return with_catalogue(questionnaire, Catalogue(sources)), problems


def _version_of(text: str) -> str | None:
    """The ``version:`` line of a translation file, read without parsing the whole file."""
    match = re.search(r"^version:\s*['\"]?([^'\"\s#]+)", text, re.MULTILINE)
    return None if match is None else match.group(1)


def _source(
    questionnaire: Questionnaire,
    path: Path,
    language: str,
    strict: bool,
    trusted: Callable[[str], bool],
) -> tuple[Source | None, list[Problem]]:
    file = str(path)
    text = _read_text(path)
    if text is None:
        return None, [Problem.make(Code.YAML_SYNTAX, file=file, detail="cannot read the file")]
    if not strict and _version_of(text) != questionnaire.version:
        return None, []
    if trusted(hashlib.sha256(text.encode("utf-8")).hexdigest()):
        return (lambda: _trusted_file(text, file)), []
    parsed, problems = parse_translation_file(text, file, questionnaire, language=language)
    if parsed is None:
        return None, problems
    return (lambda: parsed), []
