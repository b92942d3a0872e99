"""Translations out to a spreadsheet for translators, and back into the YAML file.

``export_translations`` writes one row per string of an instrument (key, field, English,
current translation, state) and a sheet ``about`` naming the instrument, its version and
the language. ``import_translations`` reads the rows back, all or nothing (every bad row
named), and writes ``translations/<instrument>.<language>.yaml`` beside the instrument in
one atomic step. A row whose English is no longer the instrument's English (the text
changed since the export) is kept as an outdated translation and reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assessment_kit.errors import (
    Code,
    ImportProblems,
    Problem,
    ProblemsError,
    QuestionnaireError,
)
from assessment_kit.files.cells import read_cell
from assessment_kit.files.exporting import write_output
from assessment_kit.files.xlsx_cells import load_openpyxl, read_xlsx, xlsx_bytes
from assessment_kit.questionnaire import builtin, builtin_dir, builtin_ids, load
from assessment_kit.questionnaire.model import Questionnaire, Text
from assessment_kit.questionnaire.translation_files import (
    FOLDER,
    LANGUAGE_CODE,
    dump_translation_file,
    file_name,
)
from assessment_kit.questionnaire.translations import (
    Entry,
    TranslationFile,
    Translations,
    field_of,
    text_fields,
)
from assessment_kit.store.outputs import check_output
from assessment_kit.store.schema import refuse_folder

__all__ = [
    "TRANSLATION_COLUMNS",
    "TranslationExport",
    "TranslationImport",
    "export_translations",
    "import_translations",
]

#: The columns of the strings sheet, in order.
TRANSLATION_COLUMNS: tuple[str, ...] = ("key", "field", "english", "translation", "state")
_NEEDED = ("key", "english", "translation")


@dataclass(frozen=True, slots=True)
class TranslationExport:
    """What an export wrote: the workbook and its counts of strings."""

    path: Path
    instrument: str
    version: str
    language: str
    rows: int
    translated: int
    outdated: int
    missing: int


@dataclass(frozen=True, slots=True)
class TranslationImport:
    """What an import wrote: the translation file, and the strings whose English changed."""

    path: Path
    instrument: str
    version: str
    language: str
    written: int
    #: Keys whose English changed since the export: kept, but outdated until re-checked.
    changed: tuple[str, ...]
    #: Rows left without a translation (the English will be shown).
    untranslated: int


def _resolve(instrument: str | Path) -> tuple[Questionnaire, Path]:
    """The instrument (a shipped id or a file) and the folder of its translation files."""
    if str(instrument) in builtin_ids():
        return builtin(str(instrument)), builtin_dir() / FOLDER
    path = Path(instrument)
    if not path.exists():
        known = ", ".join(builtin_ids())
        problem = Problem.make(Code.UNKNOWN_INSTRUMENT, name=str(instrument), known=known)
        raise QuestionnaireError([problem], summary=f"unknown questionnaire {str(instrument)!r}")
    return load(path), path.parent / FOLDER


def _current(text: Text, language: str) -> tuple[str, str]:
    """The translation a text has now in ``language`` (outdated ones too), and its state."""
    mapping = text.translations
    if isinstance(mapping, Translations):
        state = mapping.state(language)
        entry = mapping.catalogue.table(language).get(mapping.key)
        if state == "translated":
            return mapping[language], state
        return ("" if entry is None else entry.text), state
    if language in mapping:
        return mapping[language], "translated"
    return "", "missing"


def export_translations(
    instrument: str | Path, language: str, out: str | Path, *, force: bool = False
) -> TranslationExport:
    """Write a workbook of every string of ``instrument`` for translators.

    ``instrument`` is a shipped id or a questionnaire file. The sheet ``strings`` has one
    row per string (key, field, English, current translation, state: translated, outdated
    or missing); the sheet ``about`` names the instrument, version and language, which
    :func:`import_translations` reads back. An existing ``out`` is replaced only with
    ``force``.
    """
    out = Path(out)
    refuse_folder(out, f"give a file name, such as {language}.xlsx")
    _check_language(language, str(out), ProblemsError)
    questionnaire, folder = _resolve(instrument)
    # Never over the instrument or its translations, even with force.
    inputs = [
        folder.parent / f"{questionnaire.id}.yaml",
        folder / file_name(questionnaire.id, language),
    ]
    check_output(out, inputs=inputs, force=force)
    rows: list[list[object]] = []
    counts = {"translated": 0, "outdated": 0, "missing": 0}
    for key, text in text_fields(questionnaire):
        current, state = _current(text, language)
        counts[state] += 1
        rows.append([key, field_of(key), text.en, current, state])
    about = [
        ["instrument", questionnaire.id],
        ["version", questionnaire.version],
        ["language", language],
    ]
    data = xlsx_bytes(
        out,
        {"strings": (list(TRANSLATION_COLUMNS), rows), "about": (["name", "value"], about)},
    )
    write_output(data, out)
    return TranslationExport(
        path=out,
        instrument=questionnaire.id,
        version=questionnaire.version,
        language=language,
        rows=len(rows),
        **counts,
    )


def _check_language(language: str, where: str, error: type[ProblemsError]) -> None:
    if not LANGUAGE_CODE.match(language) or language == "en":
        problem = Problem.make(Code.TRANSLATION_LANGUAGE, file=where, found=language)
        raise error([problem], summary=f"{where}: nothing written")


def _about(path: Path) -> dict[str, str]:
    """The sheet ``about`` of a workbook made by :func:`export_translations`."""
    openpyxl = load_openpyxl(str(path))
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        if "about" not in book.sheetnames:
            return {}
        found: dict[str, str] = {}
        for row in book["about"].iter_rows(min_row=2, values_only=True):
            if len(row) >= 2 and row[0] is not None and row[1] is not None:
                found[str(row[0]).strip()] = str(row[1]).strip()
        return found
    finally:
        book.close()


def _cell(row: list[object], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    value = read_cell(row[index])
    return str(value).strip()


def import_translations(
    file: str | Path, *, instrument: str | Path | None = None, out: str | Path | None = None
) -> TranslationImport:
    """Bring a translators' workbook back into the instrument's translation file.

    The instrument is the one the workbook's sheet ``about`` names (a shipped id), or
    ``instrument`` (a shipped id or a questionnaire file); the file written is
    ``translations/<instrument>.<language>.yaml`` beside it, or ``out``. All or nothing:
    every bad row is reported and nothing is written. A row whose English differs from the
    instrument's English (changed since the export) is kept, as an outdated translation,
    and reported in :attr:`TranslationImport.changed`. A workbook exported from an earlier
    version is accepted the same way: its rows are checked against the current keys and
    English, and the file written names the current version.

    Raises
    ------
    ImportProblems
        Every bad row (row numbers as the spreadsheet shows them).
    """
    path = Path(file)
    where = str(path)
    questionnaire, folder, language, rows = _open_workbook(path, instrument)
    english = {key: text.en for key, text in text_fields(questionnaire)}
    entries, changed, problems = _read_rows(where, rows, english)
    if problems:
        raise ImportProblems(problems, summary=f"{where}: nothing imported")
    target = Path(out) if out is not None else folder / file_name(questionnaire.id, language)
    ordered = {key: entries[key] for key in english if key in entries}
    content = TranslationFile(questionnaire.id, questionnaire.version, language, ordered)
    write_output(dump_translation_file(content).encode("utf-8"), target)
    return TranslationImport(
        path=target,
        instrument=questionnaire.id,
        version=questionnaire.version,
        language=language,
        written=len(ordered),
        changed=tuple(changed),
        untranslated=len(english) - len(ordered),
    )


def _refuse(problem: Problem) -> ImportProblems:
    return ImportProblems([problem], summary=f"{problem.file}: nothing imported")


def _open_workbook(
    path: Path, instrument: str | Path | None
) -> tuple[Questionnaire, Path, str, list[list[object]]]:
    """The instrument a workbook translates, its translations folder, the language and the
    rows of the strings sheet (header first), or the one problem that stops the import."""
    where = str(path)
    refuse_folder(path, "give the workbook made by 'assessment-kit translations export'")
    if not path.is_file():
        raise _refuse(Problem.make(Code.FILE_NOT_FOUND, file=where))
    rows = read_xlsx(path, _NEEDED)
    about = _about(path)
    missing_about = [name for name in ("instrument", "language") if not about.get(name)]
    if missing_about:
        detail = ", ".join(missing_about)
        raise _refuse(Problem.make(Code.TRANSLATION_SHEET_ABOUT, file=where, detail=detail))
    language = about["language"]
    _check_language(language, where, ImportProblems)
    questionnaire, folder = _resolve(instrument if instrument is not None else about["instrument"])
    if about["instrument"] != questionnaire.id:
        found, expected = about["instrument"], questionnaire.id
        raise _refuse(
            Problem.make(Code.TRANSLATION_INSTRUMENT, file=where, found=found, expected=expected)
        )
    header = [str(read_cell(name)).strip().lower() for name in (rows[0] if rows else [])]
    absent = [name for name in _NEEDED if name not in header]
    if absent:
        missing = ", ".join(absent)
        raise _refuse(
            Problem.make(Code.TRANSLATION_SHEET_COLUMNS, file=where, line=1, missing=missing)
        )
    return questionnaire, folder, language, rows


def _read_rows(
    where: str, rows: list[list[object]], english: dict[str, str]
) -> tuple[dict[str, Entry], list[str], list[Problem]]:
    """The entries of the strings sheet, the keys whose English changed since the export,
    and every bad row (numbered as the spreadsheet shows them: the header is row 1)."""
    header = [str(read_cell(name)).strip().lower() for name in rows[0]]
    column = {name: header.index(name) for name in _NEEDED}
    entries: dict[str, Entry] = {}
    first_row: dict[str, int] = {}
    changed: list[str] = []
    problems: list[Problem] = []
    for number, row in enumerate(rows[1:], start=2):
        key = _cell(row, column["key"])
        if not key and not any(_cell(row, index) for index in range(len(row))):
            continue  # a blank row
        if key not in english:
            problems.append(
                Problem.make(Code.TRANSLATION_UNKNOWN_KEY, file=where, line=number, key=key)
            )
            continue
        if key in first_row:
            first = first_row[key]
            problems.append(
                Problem.make(
                    Code.TRANSLATION_ROW_DUPLICATE, file=where, line=number, key=key, first=first
                )
            )
            continue
        first_row[key] = number
        source, text = _cell(row, column["english"]), _cell(row, column["translation"])
        if not text:
            continue
        if not source:
            problems.append(
                Problem.make(
                    Code.TRANSLATION_EMPTY, file=where, line=number, path=key, field="english"
                )
            )
            continue
        current = english[key]
        if source != current.strip():
            changed.append(key)
        # The English written is the one translated, so a changed text stays outdated
        # (shown in English) until a translator checks it.
        entries[key] = Entry(current if source == current.strip() else source, text)
    return entries, changed, problems
