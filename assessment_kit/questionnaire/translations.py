"""Translations of an instrument's texts: the keys, applying translations, completeness.

Every text a respondent or a reader sees has a key (``questions.sd_forms_detected.text``).
A translation file (read and checked by
:mod:`~assessment_kit.questionnaire.translation_files`) holds, per key, the English it was
translated from and the translation. A translation is applied only while its English is the
current English: when the English text changes, the translation is *outdated* and the
English is shown, as for a missing one. Translations are read when a language is first asked
for (a shipped instrument is loaded in many places, and most of them only ever show English).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any, Literal

from assessment_kit.i18n import _
from assessment_kit.questionnaire.model import (
    Choice,
    Question,
    Questionnaire,
    Scale,
    Text,
)

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


# -- the content of a translation file ----------------------------------------------------


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
        return _(
            "{language}: {translated}/{total} translated ({percent}%), {outdated} outdated, "
            "{missing} missing"
        ).format(
            language=self.language,
            translated=self.translated,
            total=self.total,
            percent=f"{self.percent:.0f}",
            outdated=len(self.outdated),
            missing=len(self.missing),
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
