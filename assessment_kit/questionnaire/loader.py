"""Load questionnaire files into the model: read YAML, validate, build frozen dataclasses."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from assessment_kit.errors import Code, Problem, QuestionnaireError, count_problems
from assessment_kit.questionnaire import cache as instrument_cache
from assessment_kit.questionnaire.expressions import Expr, parse
from assessment_kit.questionnaire.model import (
    EMPTY_TEXT,
    Choice,
    Question,
    Questionnaire,
    Recommendation,
    ReferenceTool,
    RespondentType,
    Scale,
    Section,
    Text,
)
from assessment_kit.questionnaire.translation_files import (
    FOLDER,
    Folder,
    attach_translations,
    parse_translation_file,
)
from assessment_kit.questionnaire.translations import (
    Catalogue,
    Completeness,
    completeness,
    languages,
    with_catalogue,
)
from assessment_kit.questionnaire.validator import validate_document, validation_warnings
from assessment_kit.questionnaire.versions import check_versions
from assessment_kit.questionnaire.yaml_source import Document, read_yaml, too_large

BUILTIN_IDS: tuple[str, ...] = ("criminal_justice", "organ_removal")


def _check(
    text: str, file: str, folder: Path | None
) -> tuple[Document | None, list[Problem], list[Problem]]:
    """The document, its problems and its warnings.

    ``folder`` is where the file lives: its ``previous/`` subfolder holds earlier versions
    (see :mod:`assessment_kit.questionnaire.versions`). Without it the lineage is not
    checked.
    """
    document, problems = read_yaml(text, file)
    if document is None:
        return None, problems, []
    problems = [*problems, *validate_document(document)]
    if folder is not None:  # text alone (a mission's stored copy) has no versions beside it
        problems += check_versions(document, folder / "previous", builtin_dir() / "previous")
    return document, problems, validation_warnings(document)


def loads(text: str, file: str = "<string>", *, folder: str | Path | None = None) -> Questionnaire:
    """Build a questionnaire from YAML text.

    ``folder`` is the folder the text comes from, whose ``previous/`` subfolder (then the
    shipped one) holds the earlier versions its ``replaces`` and ``dropped`` are checked
    against; without it they are not checked (a mission's stored copy was checked when it
    was added, and must open anywhere).

    A text found valid is kept in the instrument cache (:mod:`.cache`, by its SHA-256):
    without ``folder``, the same text is built from there next time, in any process,
    without reading the YAML or checking it again. An invalid text is never cached.

    Raises
    ------
    QuestionnaireError
        Listing every problem found, each with file, line and path.
    """
    digest = _sha256(text)
    if folder is None:  # with a folder, the earlier versions beside it are checked too
        cached = _from_cache(digest, file, text)
        if cached is not None:
            return cached
    document, problems, _ = _check(text, file, None if folder is None else Path(folder))
    if problems or document is None:
        raise QuestionnaireError(problems, summary=f"{file}: {count_problems(len(problems))}")
    # Valid with its folder implies valid without (the checks are a superset): cache it.
    instrument_cache.write(digest, document.data)
    return _build(document.data, file, text)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _from_cache(digest: str, file: str, text: str) -> Questionnaire | None:
    """The questionnaire built from the cached, validated document of the text, if any."""
    data = instrument_cache.read(digest)
    if data is None:
        return None
    try:
        return _build(data, file, text)
    except Exception:  # whatever it raises, an entry that does not build is corrupt
        return None


@cache
def _shipped_digests() -> frozenset[str]:
    """SHA-256 of every questionnaire file shipped with assessment-kit (previous ones too)."""
    folder = builtin_dir()
    paths = [*folder.glob("*.yaml"), *(folder / "previous").glob("*.yaml")]
    return frozenset(hashlib.sha256(path.read_bytes()).hexdigest() for path in paths)


@cache
def _shipped_translation_digests() -> frozenset[str]:
    """SHA-256 of every translation file shipped with assessment-kit."""
    return frozenset(
        hashlib.sha256(path.read_bytes()).hexdigest()
        for path in (builtin_dir() / FOLDER).glob("*.yaml")
    )


def _shipped_translation(digest: str) -> bool:
    # Like loads_known: a file identical to a shipped one is not checked again (the test
    # suite checks the shipped ones), and is only read when its language is asked for.
    return digest in _shipped_translation_digests()


def translation_folders(beside: Path | None = None) -> list[Folder]:
    """Where an instrument's translations are looked for: the shipped ones (of the same
    version only), then those in the ``translations/`` folder ``beside`` it (a file there
    for another version is a problem)."""
    shipped = builtin_dir() / FOLDER
    folders = [] if beside is None else [Folder(beside / FOLDER, strict=True)]
    if beside is None or (beside / FOLDER).resolve() != shipped.resolve():
        folders.insert(0, Folder(shipped, strict=False))
    return folders


def with_translations(
    questionnaire: Questionnaire, folders: Sequence[Folder]
) -> tuple[Questionnaire, list[Problem]]:
    """The questionnaire with the translations found in ``folders``, and their problems."""
    return attach_translations(questionnaire, folders, _shipped_translation)


def _translated(questionnaire: Questionnaire, folders: Sequence[Folder]) -> Questionnaire:
    translated, problems = with_translations(questionnaire, folders)
    if problems:
        summary = f"translations of {questionnaire.id}: {count_problems(len(problems))}"
        raise QuestionnaireError(problems, summary=summary)
    return translated


def loads_known(
    text: str, file: str = "<string>", *, translations: Sequence[Path] = ()
) -> Questionnaire:
    """Like :func:`loads`, but text identical to a shipped file is not validated again.

    The result reads the shipped translations of the same instrument and version, then
    those of the ``translations`` folders (a mission's ``translations/`` folder), where
    files for other versions, and files with problems, are left out: a stray file beside a
    mission must not stop the interviews (``validate`` names its problems).

    A mission carries its questionnaires' text, and most missions carry the shipped ones
    unchanged: validating them anew (the JSON Schema walk alone is half the time of opening
    a mission) would repeat what the test suite proves for every release. The comparison is
    by SHA-256 of the whole text, so any edit, or a hostile file, is validated in full.
    Either way the instrument cache is read first, and written after (see :func:`loads`).
    """
    folders = [
        *translation_folders(),
        *(Folder(Path(folder), strict=False) for folder in translations),
    ]
    digest = _sha256(text)
    known = _from_cache(digest, file, text)
    if known is not None:
        questionnaire = known
    elif digest not in _shipped_digests():
        questionnaire = loads(text, file)
    else:
        document, problems = read_yaml(text, file)
        if problems or document is None:  # cannot happen for a shipped file; never trust
            questionnaire = loads(text, file)
        else:
            instrument_cache.write(digest, document.data)
            questionnaire = _build(document.data, file, text)
    translated, _ = with_translations(questionnaire, folders)
    return translated


def _read(path: Path) -> str:
    try:
        # Look at the size first: a hostile file is refused before it is read into memory.
        oversize = too_large(path.stat().st_size, str(path))
        if oversize is not None:
            raise QuestionnaireError([oversize])
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problem = Problem.make(Code.FILE_NOT_FOUND, file=str(path))
        raise QuestionnaireError([problem]) from None
    except (OSError, UnicodeDecodeError) as error:
        problem = Problem.make(Code.YAML_SYNTAX, file=str(path), detail=str(error))
        raise QuestionnaireError([problem]) from None


def load(path: str | Path) -> Questionnaire:
    """Load and validate a questionnaire file (earlier versions in ``previous/`` beside it).

    Its translations are read from ``translations/`` beside it (and the shipped ones of the
    same instrument and version); a problem in a translation file is raised like the
    questionnaire's own.
    """
    path = Path(path)
    questionnaire = loads(_read(path), file=str(path), folder=path.parent)
    return _translated(questionnaire, translation_folders(path.parent))


@dataclass(frozen=True, slots=True)
class FileReport:
    """The outcome of validating one file."""

    path: str
    problems: tuple[Problem, ...]
    questionnaire: Questionnaire | None = None
    #: Things worth a look that do not make the file invalid (an unused reference...).
    warnings: tuple[Problem, ...] = ()
    #: How complete each language is (those declared, with files, or required).
    completeness: tuple[Completeness, ...] = ()
    #: For a translation file: its language (``questionnaire`` is the instrument it
    #: translates, read with it).
    translates: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """The outcome of ``validate_files``: one report per file."""

    files: tuple[FileReport, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return all(report.ok for report in self.files)

    @property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(problem for report in self.files for problem in report.problems)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(warning for report in self.files for warning in report.warnings)


def validate_files(paths: Iterable[str | Path], *, require: Sequence[str] = ()) -> ValidationReport:
    """Validate questionnaire files, collecting every problem and warning of every file.

    Translation files are checked with their instrument, and the completeness of each
    language reported; a language in ``require`` that is not complete is a problem.
    """
    reports = []
    for name in paths:
        path = Path(name)
        try:
            text = _read(path)
        except QuestionnaireError as error:
            reports.append(FileReport(str(name), error.problems))
            continue
        named = _translation_file_name(path)
        if named is not None:
            reports.append(_validate_translation_file(path, text, named, require))
            continue
        document, problems, warnings = _check(text, str(path), path.parent)
        if problems or document is None:
            reports.append(FileReport(str(name), tuple(problems), None, tuple(warnings)))
        else:
            built = _build(document.data, str(path), text)
            questionnaire, problems = with_translations(built, translation_folders(path.parent))
            counted = tuple(
                completeness(questionnaire, language)
                for language in dict.fromkeys([*languages(questionnaire), *require])
            )
            problems += [
                _incomplete(path, count)
                for count in counted
                if count.language in require and not count.complete
            ]
            reports.append(
                FileReport(
                    str(name),
                    tuple(problems),
                    None if problems else questionnaire,
                    tuple(warnings),
                    counted,
                )
            )
    return ValidationReport(tuple(reports))


def _translation_file_name(path: Path) -> tuple[str, str] | None:
    """``(instrument, language)`` when ``path`` is named like a translation file."""
    parts = path.name.split(".")
    if path.parent.name != FOLDER or len(parts) != 3 or parts[2] != "yaml":
        return None
    return parts[0], parts[1]


def _incomplete(path: Path, count: Completeness) -> Problem:
    return Problem.make(
        Code.TRANSLATION_INCOMPLETE,
        file=str(path),
        instrument=count.instrument,
        language=count.language,
        missing=len(count.missing),
        outdated=len(count.outdated),
        total=count.total,
    )


def _validate_translation_file(
    path: Path, text: str, named: tuple[str, str], require: Sequence[str]
) -> FileReport:
    """A translation file given to ``validate`` itself: checked against its instrument (the
    file of that id in the folder above, else the shipped one), read without any other
    translation so that only this file counts."""
    instrument_id, language = named
    beside = path.parent.parent / f"{instrument_id}.yaml"
    try:
        source = beside if beside.is_file() else builtin_path(instrument_id)
        instrument = loads(_read(source), file=str(source), folder=source.parent)
    except QuestionnaireError as error:
        return FileReport(str(path), error.problems)
    parsed, problems = parse_translation_file(text, str(path), instrument, language=language)
    if parsed is None:
        return FileReport(str(path), tuple(problems), translates=language)
    checked = parsed  # bound for the closure: the file is read once
    translated = with_catalogue(instrument, Catalogue({language: [lambda: checked]}))
    count = completeness(translated, language)
    found = [_incomplete(path, count)] if language in require and not count.complete else []
    return FileReport(
        str(path),
        tuple(found),
        None if found else translated,
        completeness=(count,),
        translates=language,
    )


def builtin_dir() -> Path:
    """The folder of the instruments shipped with assessment-kit."""
    packaged = resources.files("assessment_kit").joinpath("_questionnaires")
    if packaged.is_dir():
        return Path(str(packaged))
    # A source checkout or an editable install: the repository's questionnaires/ folder.
    return Path(__file__).resolve().parents[2] / "questionnaires"


def builtin_ids() -> tuple[str, ...]:
    """Ids of the instruments shipped with assessment-kit."""
    return BUILTIN_IDS


def builtin_path(questionnaire_id: str) -> Path:
    """The file of a shipped instrument."""
    if questionnaire_id not in BUILTIN_IDS:
        problem = Problem.make(
            Code.UNKNOWN_QUESTIONNAIRE,
            questionnaire=questionnaire_id,
            known=", ".join(BUILTIN_IDS),
        )
        raise QuestionnaireError([problem])
    return builtin_dir() / f"{questionnaire_id}.yaml"


@cache
def builtin(questionnaire_id: str) -> Questionnaire:
    """A shipped instrument by id (``criminal_justice`` or ``organ_removal``), cached."""
    path = builtin_path(questionnaire_id)
    return loads_known(_read(path), file=str(path))


# -- building the model from validated data ------------------------------------------------


def _text(value: Any) -> Text:
    if value is None:
        return EMPTY_TEXT
    if isinstance(value, dict):
        others = {lang: str(text) for lang, text in value.items() if lang != "en"}
        return Text(str(value.get("en", "")), MappingProxyType(others))
    return Text(str(value))


def _choices(items: Any) -> tuple[Choice, ...]:
    return tuple(
        Choice(
            value=str(item["value"]),
            label=_text(item.get("label")),
            score=None if item.get("score") is None else float(item["score"]),
        )
        for item in items or ()
    )


def _expression(value: Any) -> tuple[str | None, Expr | None]:
    if value is None:
        return None, None
    source = ("true()" if value else "false()") if isinstance(value, bool) else str(value)
    return source, parse(source)


def _no_cases(value: Any) -> float | str | None:
    if value is None or isinstance(value, str):
        return value
    return float(value)


def _question(data: dict[str, Any], section_id: str, scales: Mapping[str, Scale]) -> Question:
    qtype = data["type"]
    choices = scales[data["scale"]].choices if qtype == "scale" else _choices(data.get("choices"))
    relevant, relevant_expr = _expression(data.get("relevant"))
    constraint, constraint_expr = _expression(data.get("constraint"))
    required, required_expr = _expression(data.get("required"))
    calculate, calculate_expr = _expression(data.get("calculate"))
    recommendation = data.get("recommendation")
    if isinstance(recommendation, str):
        recommendation = {"text": recommendation}
    return Question(
        id=data["id"],
        type=qtype,
        text=_text(data["text"]),
        section=section_id,
        guidance=_text(data.get("guidance")),
        evidence=_text(data.get("evidence")),
        scale=data.get("scale"),
        choices=choices,
        areas=MappingProxyType({k: float(v) for k, v in (data.get("areas") or {}).items()}),
        weight=float(data.get("weight", 1)),
        relevant=relevant,
        constraint=constraint,
        constraint_message=_text(data.get("constraint_message")),
        required=required,
        calculate=calculate,
        recommendation=None
        if not recommendation
        else Recommendation(
            text=_text(recommendation["text"]),
            references=tuple(recommendation.get("references") or ()),
        ),
        source=str(data.get("source", "")),
        sensitive=bool(data.get("sensitive", False)),
        respondent_types=tuple(data.get("respondent_types") or ()),
        practice=bool(data.get("practice", False)),
        no_cases=_no_cases(data.get("no_cases")),
        replaces=tuple(str(old) for old in data.get("replaces") or ()),
        relevant_expr=relevant_expr,
        constraint_expr=constraint_expr,
        required_expr=required_expr,
        calculate_expr=calculate_expr,
    )


def _build(data: dict[str, Any], file: str, text: str) -> Questionnaire:
    scales = {
        key: Scale(key, _text(value.get("label", key)), _choices(value["choices"]))
        for key, value in (data.get("scales") or {}).items()
    }
    sections = tuple(
        Section(
            id=section["id"],
            title=_text(section["title"]),
            description=_text(section.get("description")),
            questions=tuple(_question(q, section["id"], scales) for q in section["questions"]),
            respondent_types=tuple(section.get("respondent_types") or ()),
        )
        for section in data["sections"]
    )
    return Questionnaire(
        id=data["id"],
        version=str(data["version"]),
        title=_text(data["title"]),
        description=_text(data.get("description")),
        languages=tuple(data.get("languages") or ("en",)),
        scales=MappingProxyType(scales),
        respondent_types=MappingProxyType(
            {
                key: RespondentType(key, _text(value["label"]), str(value.get("sector", "")))
                for key, value in (data.get("respondent_types") or {}).items()
            }
        ),
        references=MappingProxyType(
            {
                key: ReferenceTool(key, _text(value["title"]), str(value.get("url", "")))
                for key, value in (data.get("references") or {}).items()
            }
        ),
        sections=sections,
        previous=None if data.get("previous") is None else str(data["previous"]),
        dropped=tuple(str(old) for old in data.get("dropped") or ()),
        source_file=file,
        source_text=text,
    )
