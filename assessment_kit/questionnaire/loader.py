"""Load questionnaire files into the model: read YAML, validate, build frozen dataclasses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from assessment_kit.errors import Code, Problem, QuestionnaireError, count_problems
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
from assessment_kit.questionnaire.validator import validate_document, validation_warnings
from assessment_kit.questionnaire.versions import check_versions
from assessment_kit.questionnaire.yaml_source import Document, read_yaml

BUILTIN_IDS: tuple[str, ...] = ("criminal_justice", "organ_removal")


def _check(
    text: str, file: str, folder: Path | None
) -> tuple[Document | None, list[Problem], list[Problem]]:
    """The document, its problems and its warnings.

    ``folder`` is where the file lives: its ``previous/`` subfolder holds earlier versions
    (see :mod:`assessment_kit.questionnaire.versions`).
    """
    document, problems = read_yaml(text, file)
    if document is None:
        return None, problems, []
    problems = [*problems, *validate_document(document)]
    local = None if folder is None else folder / "previous"
    problems += check_versions(document, local, builtin_dir() / "previous")
    return document, problems, validation_warnings(document)


def loads(text: str, file: str = "<string>", *, folder: str | Path | None = None) -> Questionnaire:
    """Build a questionnaire from YAML text.

    ``folder`` is the folder the text comes from, whose ``previous/`` subfolder holds the
    earlier versions its ``replaces`` and ``dropped`` are checked against.

    Raises
    ------
    QuestionnaireError
        Listing every problem found, each with file, line and path.
    """
    document, problems, _ = _check(text, file, None if folder is None else Path(folder))
    if problems or document is None:
        raise QuestionnaireError(problems, summary=f"{file}: {count_problems(len(problems))}")
    return _build(document.data, file, text)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problem = Problem.make(Code.FILE_NOT_FOUND, file=str(path))
        raise QuestionnaireError([problem]) from None
    except (OSError, UnicodeDecodeError) as error:
        problem = Problem.make(Code.YAML_SYNTAX, file=str(path), detail=str(error))
        raise QuestionnaireError([problem]) from None


def load(path: str | Path) -> Questionnaire:
    """Load and validate a questionnaire file (earlier versions in ``previous/`` beside it)."""
    path = Path(path)
    return loads(_read(path), file=str(path), folder=path.parent)


@dataclass(frozen=True, slots=True)
class FileReport:
    """The outcome of validating one file."""

    path: str
    problems: tuple[Problem, ...]
    questionnaire: Questionnaire | None = None
    #: Things worth a look that do not make the file invalid (an unused reference...).
    warnings: tuple[Problem, ...] = ()

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


def validate_files(paths: Iterable[str | Path]) -> ValidationReport:
    """Validate questionnaire files, collecting every problem and warning of every file."""
    reports = []
    for name in paths:
        path = Path(name)
        try:
            text = _read(path)
        except QuestionnaireError as error:
            reports.append(FileReport(str(name), error.problems))
            continue
        document, problems, warnings = _check(text, str(path), path.parent)
        if problems or document is None:
            reports.append(FileReport(str(name), tuple(problems), None, tuple(warnings)))
        else:
            questionnaire = _build(document.data, str(path), text)
            reports.append(FileReport(str(name), (), questionnaire, tuple(warnings)))
    return ValidationReport(tuple(reports))


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
    return load(builtin_path(questionnaire_id))


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
