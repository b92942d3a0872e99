"""Check a questionnaire document: first the JSON Schema, then the meaning.

Every problem is collected (never only the first), each with the file, the line and the
path in the document, so an author can fix a whole file in one pass.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from assessment_kit.areas import is_area
from assessment_kit.errors import Code, ExpressionError, Problem
from assessment_kit.questionnaire.expressions import compared_values, parse, references
from assessment_kit.questionnaire.model import NO_CASES, QUESTION_TYPES, RESERVED_VALUES
from assessment_kit.questionnaire.yaml_source import Document, PathKey, format_path

if TYPE_CHECKING:
    import jsonschema

EXPRESSION_FIELDS = ("relevant", "constraint", "required", "calculate")
_SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
_SCORED_TYPES = ("scale", "single", "multiple")


@cache
def questionnaire_schema() -> dict[str, Any]:
    """The JSON Schema of the questionnaire format (shipped in the package)."""
    text = resources.files("assessment_kit.questionnaire").joinpath("schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def import_jsonschema() -> Any:
    """Import jsonschema without its optional IRI grammar.

    When the Jupyter stack is installed, jsonschema imports ``rfc3987_syntax`` to check
    the "iri" format, which builds a grammar and costs about a second at every start of the
    command line or a kernel. Our schema checks no formats, so when jsonschema is not yet
    loaded we import it with that module blocked (jsonschema treats it as not installed),
    then unblock it so that anyone importing it directly still gets it.
    """
    if "jsonschema" in sys.modules:
        return sys.modules["jsonschema"]
    blocked = "rfc3987_syntax" not in sys.modules
    if blocked:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
    try:
        import jsonschema
    finally:
        if blocked:
            del sys.modules["rfc3987_syntax"]
    return jsonschema


@cache
def _schema_validator() -> jsonschema.Draft202012Validator:
    validator: jsonschema.Draft202012Validator = import_jsonschema().Draft202012Validator(
        questionnaire_schema()
    )
    return validator


class _Checker:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.data = document.data
        self.problems: list[Problem] = []

    def add(self, code: Code, path: PathKey, **fields: Any) -> None:
        self.problems.append(self.document.problem(code, path, **fields))

    # -- schema ---------------------------------------------------------------------------

    def check_schema(self) -> None:
        errors = sorted(_schema_validator().iter_errors(self.data), key=_error_order)
        for error in errors:
            self._schema_problem(error, tuple(error.absolute_path))

    def _schema_problem(self, error: jsonschema.ValidationError, path: PathKey) -> None:
        if error.validator == "required":
            missing = re.match(r"'([^']+)' is a required property", error.message)
            field = missing.group(1) if missing else error.message
            self.add(Code.MISSING_FIELD, path, field=field)
        elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = sorted(error.schema.get("properties", {}))
            for key in error.instance:
                if key not in allowed:
                    self.add(Code.UNKNOWN_FIELD, (*path, key), field=key, known=", ".join(allowed))
        elif error.validator == "enum" and path and path[-1] == "type":
            self.add(Code.UNKNOWN_TYPE, path, type=error.instance, known=", ".join(QUESTION_TYPES))
        elif error.validator == "oneOf" and error.context:
            # Report the branch that got furthest rather than jsonschema's summary.
            best = max(error.context, key=lambda e: len(e.absolute_path))
            self._schema_problem(best, (*path, *best.relative_path))
        else:
            where = format_path(path, self.data) or "the document"
            self.add(Code.SCHEMA, path, detail=f"{where}: {_plain(error)}")

    # -- meaning --------------------------------------------------------------------------

    def check_meaning(self) -> None:
        data = self.data
        if not isinstance(data, dict):
            return
        version = data.get("version")
        if isinstance(version, str) and not _SEMVER.match(version):
            self.add(Code.VERSION, ("version",), version=version)
        languages = _list(data.get("languages")) or ["en"]
        if "en" not in languages:
            self.add(Code.MISSING_ENGLISH, ("languages",))
        self.languages = {lang for lang in languages if isinstance(lang, str)} | {"en"}
        self.scales = _mapping(data.get("scales"))
        self.types = _mapping(data.get("respondent_types"))
        self.tools = _mapping(data.get("references"))
        for key, scale in self.scales.items():
            if isinstance(scale, dict):
                self.check_choices(scale.get("choices"), ("scales", key, "choices"))
        self.check_texts(data, ())
        self.check_sections()

    def check_texts(self, node: Any, path: PathKey) -> None:
        """Every text mapping needs English and only declared languages."""
        if isinstance(node, list):
            for index, item in enumerate(node):
                self.check_texts(item, (*path, index))
            return
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            child = (*path, key)
            if key in _TEXT_FIELDS and isinstance(value, dict):
                if "en" not in value:
                    self.add(Code.MISSING_ENGLISH, child)
                for lang in value:
                    if lang not in self.languages:
                        self.add(Code.UNKNOWN_LANGUAGE, (*child, lang), lang=lang)
            else:
                self.check_texts(value, child)

    def check_choices(self, choices: Any, path: PathKey) -> None:
        if not isinstance(choices, list):
            return
        seen: dict[str, int | None] = {}
        for index, choice in enumerate(choices):
            if not isinstance(choice, dict):
                continue
            where = (*path, index)
            value = str(choice.get("value"))
            if value in RESERVED_VALUES:
                self.add(Code.RESERVED_VALUE, (*where, "value"), value=value)
            if value in seen:
                self.add(
                    Code.DUPLICATE_ID,
                    (*where, "value"),
                    id=value,
                    first_line=seen[value],
                    kind="choice",
                )
            else:
                seen[value] = self.document.line((*where, "value"))
            score = choice.get("score")
            if isinstance(score, int | float) and not 0 <= score <= 1:
                self.add(Code.SCORE_RANGE, (*where, "score"), score=score)

    def questions(self) -> Iterator[tuple[PathKey, dict[str, Any]]]:
        for s_index, section in enumerate(_list(self.data.get("sections"))):
            if not isinstance(section, dict):
                continue
            for q_index, question in enumerate(_list(section.get("questions"))):
                if isinstance(question, dict):
                    yield ("sections", s_index, "questions", q_index), question

    def check_sections(self) -> None:
        section_ids: dict[str, int | None] = {}
        for index, section in enumerate(_list(self.data.get("sections"))):
            if not isinstance(section, dict):
                continue
            path: PathKey = ("sections", index)
            self._unique(section_ids, section.get("id"), (*path, "id"), "section")
            self._check_types(section.get("respondent_types"), (*path, "respondent_types"))
        question_ids: dict[str, int | None] = {}
        for path, question in self.questions():
            self._unique(question_ids, question.get("id"), (*path, "id"), "question")
            self.check_question(question, path)
        self.check_expressions(question_ids)

    def _unique(self, seen: dict[str, int | None], value: Any, path: PathKey, kind: str) -> None:
        if not isinstance(value, str):
            return
        if value in seen:
            self.add(Code.DUPLICATE_ID, path, id=value, first_line=seen[value], kind=kind)
        else:
            seen[value] = self.document.line(path)

    def _check_types(self, types: Any, path: PathKey) -> None:
        known = ", ".join(self.types) or "(none defined)"
        for index, type_id in enumerate(_list(types)):
            if isinstance(type_id, str) and type_id not in self.types:
                self.add(Code.UNKNOWN_RESPONDENT_TYPE, (*path, index), type=type_id, known=known)

    def check_question(self, question: dict[str, Any], path: PathKey) -> None:
        qtype = question.get("type")
        self._check_types(question.get("respondent_types"), (*path, "respondent_types"))
        scored = False
        if qtype == "scale":
            scale_id = question.get("scale")
            known = ", ".join(self.scales) or "(none defined)"
            if scale_id is None:
                self.add(Code.MISSING_SCALE, path, known=known)
            elif not isinstance(scale_id, str):
                pass  # the schema reported it
            elif scale_id not in self.scales:
                self.add(Code.UNKNOWN_SCALE, (*path, "scale"), scale=scale_id, known=known)
            else:
                scale = self.scales[scale_id]
                choices = scale.get("choices") if isinstance(scale, dict) else None
                scored = _has_scores(choices)
        elif qtype in ("single", "multiple"):
            choices = question.get("choices")
            if choices is None:
                self.add(Code.MISSING_CHOICES, path, type=qtype)
            self.check_choices(choices, (*path, "choices"))
            scored = _has_scores(choices)
        areas = question.get("areas")
        if scored:
            if not areas:
                self.add(Code.MISSING_AREAS, path)
            if not question.get("recommendation"):
                self.add(Code.MISSING_FIELD, path, field="recommendation")
        elif areas and qtype in QUESTION_TYPES:
            self.add(Code.NOT_SCORED_AREAS, (*path, "areas"), type=qtype)
        for area, area_weight in _mapping(areas).items():
            if not is_area(area):
                self.add(Code.UNKNOWN_AREA, (*path, "areas", area), area=area)
            self._check_finite(area_weight, (*path, "areas", area))
        self._check_finite(question.get("weight"), (*path, "weight"))
        recommendation = question.get("recommendation")
        if isinstance(recommendation, dict):
            known = ", ".join(self.tools) or "(none defined)"
            for index, ref in enumerate(_list(recommendation.get("references"))):
                if isinstance(ref, str) and ref not in self.tools:
                    where = (*path, "recommendation", "references", index)
                    self.add(Code.UNKNOWN_REFERENCE_TOOL, where, ref=ref, known=known)
        answerable = qtype in QUESTION_TYPES and qtype not in ("note", "calculate")
        self._check_no_cases(question, path, scored, answerable)
        if answerable and not question.get("guidance"):
            self.add(Code.MISSING_FIELD, path, field="guidance")
        if qtype == "calculate" and not question.get("calculate"):
            self.add(Code.MISSING_FIELD, path, field="calculate")

    def _check_no_cases(
        self, question: dict[str, Any], path: PathKey, scored: bool, answerable: bool
    ) -> None:
        no_cases = question.get("no_cases")
        if no_cases is None:
            if scored and question.get("practice") is True:
                self.add(Code.PRACTICE_WITHOUT_NO_CASES, path)
            return
        qtype = question.get("type")
        if not answerable and qtype in QUESTION_TYPES:
            self.add(Code.NO_CASES_NOT_ANSWERED, (*path, "no_cases"), type=qtype)
        elif not scored and isinstance(no_cases, int | float) and qtype in QUESTION_TYPES:
            self.add(Code.NO_CASES_SCORE_UNSCORED, (*path, "no_cases"), type=qtype)

    def _check_finite(self, weight: Any, path: PathKey) -> None:
        # The schema accepts .inf as a number above 0; a score weighted by it is NaN.
        if isinstance(weight, float) and math.isinf(weight):
            where = format_path(path, self.data)
            self.add(Code.SCHEMA, path, detail=f"{where}: a weight must be a finite number")

    def check_expressions(self, question_ids: dict[str, int | None]) -> None:
        graph: dict[str, set[str]] = {}
        where: dict[str, PathKey] = {}
        offers_no_cases = {
            question.get("id")
            for _, question in self.questions()
            if question.get("no_cases") is not None
        }
        for path, question in self.questions():
            qid = question.get("id")
            if not isinstance(qid, str):
                continue
            where.setdefault(qid, path)
            edges = graph.setdefault(qid, set())
            for field in EXPRESSION_FIELDS:
                source = question.get(field)
                if source is None or isinstance(source, bool):
                    continue
                field_path = (*path, field)
                try:
                    expr = parse(str(source))
                except ExpressionError as error:
                    self.add(Code.EXPRESSION_SYNTAX, field_path, field=field, detail=str(error))
                    continue
                for ref, text in sorted(compared_values(expr)):
                    if text == NO_CASES and ref in question_ids and ref not in offers_no_cases:
                        self.add(Code.NO_CASES_NOT_DECLARED, field_path, field=field, ref=ref)
                for ref in sorted(references(expr)):
                    if ref not in question_ids:
                        self.add(Code.DANGLING_REFERENCE, field_path, field=field, ref=ref)
                    elif ref == qid and field != "constraint":
                        self.add(Code.SELF_REFERENCE, field_path, field=field)
                    elif ref != qid:
                        edges.add(ref)
        for cycle in _cycles(graph):
            first = cycle[0]
            self.add(
                Code.CYCLE,
                where[first],
                field=f"question {first!r}",
                cycle=" -> ".join(f"${{{q}}}" for q in (*cycle, first)),
            )


_TEXT_FIELDS = frozenset(
    {"title", "description", "label", "text", "guidance", "evidence", "constraint_message"}
)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _has_scores(choices: Any) -> bool:
    return any(
        isinstance(choice, dict) and isinstance(choice.get("score"), int | float)
        for choice in _list(choices)
    )


def _error_order(error: jsonschema.ValidationError) -> tuple[str, ...]:
    return tuple(str(part) for part in error.absolute_path)


def _plain(error: jsonschema.ValidationError) -> str:
    if error.validator == "type":
        return f"expected {error.validator_value}, found {type(error.instance).__name__}"
    if error.validator == "pattern":
        return (
            f"{error.instance!r} must be letters, digits and underscores, not starting with a digit"
        )
    if error.validator == "exclusiveMinimum":
        return f"{error.instance!r} must be greater than {error.validator_value}"
    return str(error.message)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each elementary cycle found by depth-first search, reported once."""
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(graph, white)
    stack: list[str] = []
    found: list[list[str]] = []
    seen: set[frozenset[str]] = set()

    def visit(node: str) -> None:
        colour[node] = grey
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if colour.get(nxt, black) == grey:
                cycle = stack[stack.index(nxt) :]
                key = frozenset(cycle)
                if key not in seen:
                    seen.add(key)
                    found.append(cycle)
            elif colour.get(nxt) == white:
                visit(nxt)
        stack.pop()
        colour[node] = black

    for node in graph:
        if colour[node] == white:
            visit(node)
    return found


def validate_document(document: Document) -> list[Problem]:
    """Every problem in a parsed document: schema first, then meaning."""
    checker = _Checker(document)
    checker.check_schema()
    checker.check_meaning()
    return sorted(checker.problems, key=lambda p: (p.line or 0, p.path))


def validation_warnings(document: Document) -> list[Problem]:
    """Things worth a look that do not make a document invalid.

    A reference tool that no recommendation cites is a warning: the catalogue is meant
    to list the tools the briefing points to, and an unused entry is usually a leftover.
    """
    data = document.data
    if not isinstance(data, dict):
        return []
    cited: set[str] = set()
    for section in _list(data.get("sections")):
        for question in _list(section.get("questions") if isinstance(section, dict) else None):
            recommendation = question.get("recommendation") if isinstance(question, dict) else None
            if isinstance(recommendation, dict):
                cited |= {
                    ref for ref in _list(recommendation.get("references")) if isinstance(ref, str)
                }
    return [
        Problem.make(
            Code.UNUSED_REFERENCE,
            file=document.file,
            line=document.line(("references", ref)),
            path=format_path(("references", ref), data),
            ref=ref,
        )
        for ref in _mapping(data.get("references"))
        if ref not in cited
    ]


__all__ = ["questionnaire_schema", "validate_document", "validation_warnings"]
