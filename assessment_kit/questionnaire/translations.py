"""Translations of an instrument's texts: the keys, translation files and completeness.

Every text a respondent or a reader sees has a key (``questions.sd_forms_detected.text``).
A translation file holds, per key, the English it was translated from and the translation
(``questionnaires/translations/<instrument>.<language>.yaml``)::

    instrument: criminal_justice
    version: 2.0.0
    language: fr
    strings:
      questions.sd_forms_detected.text:
        en: <the English source it was translated from>
        text: <the translation>

A translation is applied only while its English is the current English: when the English
text changes, the translation is *outdated* and the English is shown, as for a missing one.
Translations are read when a language is first asked for (a shipped instrument is loaded
in many places, and most of them only ever show English).
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from assessment_kit.errors import Code, Problem
from assessment_kit.questionnaire.model import (
    Choice,
    Question,
    Questionnaire,
    Scale,
    Text,
)
from assessment_kit.questionnaire.yaml_source import Document, read_trusted, read_yaml

#: Where translation files live, beside the instrument (and beside a mission file).
FOLDER = "translations"

#: A language code: ``fr``, ``es``, ``pt-BR``...
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_TOP_FIELDS = ("instrument", "version", "language", "strings")
_ENTRY_FIELDS = ("en", "text")

State = Literal["translated", "outdated", "missing"]


# -- keys ---------------------------------------------------------------------------------


def _choice_fields(prefix: str, choices: Sequence[Choice]) -> Iterator[tuple[str, Text]]:
    for choice in choices:
        yield f"{prefix}.choices.{choice.value}", choice.label


def _question_fields(question: Question) -> Iterator[tuple[str, Text]]:
    prefix = f"questions.{question.id}"
    yield f"{prefix}.text", question.text
    yield f"{prefix}.guidance", question.guidance
    yield f"{prefix}.evidence", question.evidence
    if question.type != "scale":  # a scale question's choices are the scale's
        yield from _choice_fields(prefix, question.choices)
    yield f"{prefix}.constraint_message", question.constraint_message
    if question.recommendation is not None:
        yield f"{prefix}.recommendation", question.recommendation.text


def _all_fields(questionnaire: Questionnaire) -> Iterator[tuple[str, Text]]:
    yield "title", questionnaire.title
    yield "description", questionnaire.description
    for type_id, respondent_type in questionnaire.respondent_types.items():
        yield f"respondent_types.{type_id}.label", respondent_type.label
    for ref_id, reference in questionnaire.references.items():
        yield f"references.{ref_id}.title", reference.title
    for scale_id, scale in questionnaire.scales.items():
        yield f"scales.{scale_id}.label", scale.label
        yield from _choice_fields(f"scales.{scale_id}", scale.choices)
    for section in questionnaire.sections:
        yield f"sections.{section.id}.title", section.title
        yield f"sections.{section.id}.description", section.description
        for question in section.questions:
            yield from _question_fields(question)


def text_fields(questionnaire: Questionnaire) -> Iterator[tuple[str, Text]]:
    """Every translatable text with its key, in file order (empty texts left out)."""
    return ((key, text) for key, text in _all_fields(questionnaire) if text)


def translatable(questionnaire: Questionnaire) -> tuple[tuple[str, str], ...]:
    """Every translatable string as ``(key, English text)``, in file order."""
    return tuple((key, text.en) for key, text in text_fields(questionnaire))


def field_of(key: str) -> str:
    """The kind of text a key names: ``text``, ``guidance``, ``choice``, ``title``..."""
    parts = key.split(".")
    if len(parts) >= 2 and parts[-2] == "choices":
        return "choice"
    return parts[-1]


# -- translation files --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """One translated string: the English it was made from, and the translation."""

    en: str
    text: str


@dataclass(frozen=True, slots=True)
class TranslationFile:
    """The content of one translation file."""

    instrument: str
    version: str
    language: str
    entries: Mapping[str, Entry]
    file: str = ""


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


# -- applying translations ----------------------------------------------------------------


Source = Callable[[], TranslationFile]


class Catalogue:
    """The translations of one instrument, per language, read on first use.

    Each language has sources in order; a later source's entry wins over an earlier one's
    (a mission's own translations over the shipped ones).
    """

    def __init__(self, sources: Mapping[str, Sequence[Source]]) -> None:
        self._sources = {language: tuple(found) for language, found in sources.items()}
        self._tables: dict[str, dict[str, Entry]] = {}
        self._lock = threading.Lock()

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages that have a translation file."""
        return tuple(sorted(self._sources))

    def table(self, language: str) -> Mapping[str, Entry]:
        """Every entry of ``language``, by key (read from the files on first use)."""
        table = self._tables.get(language)
        if table is None:
            with self._lock:
                table = self._tables.get(language)
                if table is None:
                    table = {}
                    for source in self._sources.get(language, ()):
                        table.update(source().entries)
                    self._tables[language] = table
        return table


class Translations(Mapping[str, str]):
    """The translations of one text: its own (written in the instrument) and the files'.

    A file's translation counts only while its English is the text's current English.
    """

    __slots__ = ("_catalogue", "_en", "_inline", "_key")

    def __init__(self, inline: Mapping[str, str], catalogue: Catalogue, key: str, en: str) -> None:
        self._inline = inline
        self._catalogue = catalogue
        self._key = key
        self._en = en

    @property
    def catalogue(self) -> Catalogue:
        return self._catalogue

    @property
    def key(self) -> str:
        return self._key

    def state(self, language: str) -> State:
        """Whether the text is translated into ``language``, outdated or missing."""
        if language in self._inline:
            return "translated"
        entry = self._catalogue.table(language).get(self._key)
        if entry is None:
            return "missing"
        return "translated" if entry.en == self._en else "outdated"

    def __getitem__(self, language: str) -> str:
        if language in self._inline:
            return self._inline[language]
        entry = self._catalogue.table(language).get(self._key)
        if entry is None or entry.en != self._en:
            raise KeyError(language)
        return entry.text

    def __iter__(self) -> Iterator[str]:
        yield from self._inline
        for language in self._catalogue.languages:
            if language not in self._inline and self.state(language) == "translated":
                yield language

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return f"Translations({self._key!r}, {list(self)!r})"


def with_catalogue(questionnaire: Questionnaire, catalogue: Catalogue) -> Questionnaire:
    """The questionnaire whose texts also read their translations from ``catalogue``."""

    def text(key: str, value: Text) -> Text:
        if not value:
            return value
        return Text(value.en, Translations(value.translations, catalogue, key, value.en))

    def choices(prefix: str, items: Sequence[Choice]) -> tuple[Choice, ...]:
        return tuple(
            replace(item, label=text(f"{prefix}.choices.{item.value}", item.label))
            for item in items
        )

    scales = {
        scale_id: Scale(
            scale_id,
            text(f"scales.{scale_id}.label", scale.label),
            choices(f"scales.{scale_id}", scale.choices),
        )
        for scale_id, scale in questionnaire.scales.items()
    }

    def question(item: Question) -> Question:
        prefix = f"questions.{item.id}"
        recommendation = item.recommendation
        if recommendation is not None:
            recommendation = replace(
                recommendation, text=text(f"{prefix}.recommendation", recommendation.text)
            )
        return replace(
            item,
            text=text(f"{prefix}.text", item.text),
            guidance=text(f"{prefix}.guidance", item.guidance),
            evidence=text(f"{prefix}.evidence", item.evidence),
            choices=scales[item.scale].choices
            if item.type == "scale" and item.scale in scales
            else choices(prefix, item.choices),
            constraint_message=text(f"{prefix}.constraint_message", item.constraint_message),
            recommendation=recommendation,
        )

    return replace(
        questionnaire,
        title=text("title", questionnaire.title),
        description=text("description", questionnaire.description),
        scales=MappingProxyType(scales),
        respondent_types=MappingProxyType(
            {
                key: replace(value, label=text(f"respondent_types.{key}.label", value.label))
                for key, value in questionnaire.respondent_types.items()
            }
        ),
        references=MappingProxyType(
            {
                key: replace(value, title=text(f"references.{key}.title", value.title))
                for key, value in questionnaire.references.items()
            }
        ),
        sections=tuple(
            replace(
                section,
                title=text(f"sections.{section.id}.title", section.title),
                description=text(f"sections.{section.id}.description", section.description),
                questions=tuple(question(item) for item in section.questions),
            )
            for section in questionnaire.sections
        ),
    )


def catalogue_of(questionnaire: Questionnaire) -> Catalogue | None:
    """The catalogue a questionnaire's texts read translations from, if any."""
    translations = questionnaire.title.translations
    return translations.catalogue if isinstance(translations, Translations) else None


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


# -- completeness -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Completeness:
    """How complete one language of one instrument is."""

    instrument: str
    version: str
    language: str
    total: int
    translated: int
    outdated: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return self.translated == self.total

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0

    def summary(self) -> str:
        """``fr: 1106/1106 translated (100%), 0 outdated, 0 missing``."""
        return (
            f"{self.language}: {self.translated}/{self.total} translated "
            f"({self.percent:.0f}%), {len(self.outdated)} outdated, {len(self.missing)} missing"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "version": self.version,
            "language": self.language,
            "total": self.total,
            "translated": self.translated,
            "outdated": list(self.outdated),
            "missing": list(self.missing),
            "complete": self.complete,
        }


def languages(questionnaire: Questionnaire) -> tuple[str, ...]:
    """The languages an instrument declares or has translation files for (not English)."""
    found = [language for language in questionnaire.languages if language != "en"]
    catalogue = catalogue_of(questionnaire)
    for language in catalogue.languages if catalogue is not None else ():
        if language not in found:
            found.append(language)
    return tuple(found)


def completeness(questionnaire: Questionnaire, language: str) -> Completeness:
    """Count the texts translated into ``language``, and list the outdated and missing."""
    translated = 0
    outdated: list[str] = []
    missing: list[str] = []
    for key, text in text_fields(questionnaire):
        mapping = text.translations
        if isinstance(mapping, Translations):
            state = mapping.state(language)
        else:
            state = "translated" if language in mapping else "missing"
        if state == "translated":
            translated += 1
        elif state == "outdated":
            outdated.append(key)
        else:
            missing.append(key)
    return Completeness(
        instrument=questionnaire.id,
        version=questionnaire.version,
        language=language,
        total=translated + len(outdated) + len(missing),
        translated=translated,
        outdated=tuple(outdated),
        missing=tuple(missing),
    )
