"""An XLSForm in as a questionnaire: the workbook read into our YAML, then validated.

Reads what :mod:`~assessment_kit.files.xlsform_out` writes, and forms written by hand in
a spreadsheet: one ``begin_group`` ... ``end_group`` per section, select lists in the
``choices`` sheet (a ``score`` column makes them scored), expressions in XLSForm syntax
(read by our own parser), texts in ``label``, ``label::French (fr)`` style columns. Our
extra columns carry what XLSForm lacks: ``areas`` (``legislation:1 criminal_justice:0.5``),
``weight``, ``evidence``, ``recommendation``, ``references``, ``source``, ``sensitive``,
``practice``, ``no_cases``, ``replaces``, ``respondent_types``.

Every problem names the sheet, the row (as the spreadsheet numbers it) and the column,
as pyxform does; the questionnaire's own validation is mapped back to them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assessment_kit.areas import AREA_IDS
from assessment_kit.errors import (
    Code,
    ExpressionError,
    Problem,
    QuestionnaireError,
    StoreError,
    count_problems,
)
from assessment_kit.files.exporting import write_output
from assessment_kit.files.xlsform_expr import (
    EXCLUSIVE_STATES_MESSAGE,
    from_xlsform,
    required_from_xlsform,
    without_exclusive_states,
)
from assessment_kit.files.xlsform_out import (
    INTERVIEW_GROUP,
    NO_CASES_SUFFIX,
)
from assessment_kit.files.xlsform_sheets import Sheet, read_sheets, split_column
from assessment_kit.questionnaire.expressions import parse
from assessment_kit.questionnaire.loader import loads
from assessment_kit.questionnaire.model import (
    NO_CASES,
    NON_SCORED_STATES,
    RESERVED_VALUES,
    Questionnaire,
)
from assessment_kit.store.outputs import check_output

__all__ = ["XLSFormImportResult", "import_xlsform"]

#: XLSForm's metadata types: recorded by the device, not asked; left out of the instrument.
_METADATA_TYPES = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "phonenumber",
        "username",
        "email",
        "audit",
        "simserial",
        "subscriberid",
        "start-geopoint",
    }
)
_PLAIN_TYPES = {
    "integer": "integer",
    "int": "integer",
    "decimal": "decimal",
    "text": "text",
    "string": "text",
    "date": "date",
    "note": "note",
    "calculate": "calculate",
}
_KNOWN_TYPES = (
    "select_one LIST, select_multiple LIST, integer, decimal, text, date, note, calculate"
)
_TRUE = frozenset({"yes", "true", "1", "y"})
_FALSE = frozenset({"no", "false", "0", "n", ""})
#: Our field -> the survey column that holds it, to place validation problems.
_COLUMN_OF = {
    "text": "label",
    "guidance": "guidance_hint",
    "calculate": "calculation",
    "title": "label",
    "description": "hint",
}


@dataclass(frozen=True, slots=True)
class XLSFormImportResult:
    """What :func:`import_xlsform` wrote: the questionnaire file and what it holds."""

    path: Path
    questionnaire: Questionnaire
    sections: int
    questions: int


class _Reader:
    def __init__(self, where: str, sheets: Mapping[str, Sheet]) -> None:
        self.where = where
        self.sheets = sheets
        self.problems: list[Problem] = []
        self.languages: dict[str, None] = {"en": None}
        #: (section id, question id or "") -> survey row, to place validation problems.
        self.rows: dict[tuple[str, str], int] = {}

    def add(self, code: Code, sheet: str, row: int, column: str, **fields: object) -> None:
        """A problem at one cell of the workbook (its sheet, row and column; templates that
        do not name the column ignore it)."""
        self.problems.append(
            Problem.make(
                code,
                file=self.where,
                line=row,
                path=f"{sheet}:{column}",
                sheet=sheet,
                row=row,
                column=column,
                **fields,
            )
        )

    def problem(self, sheet: str, row: int, column: str, detail: str, fix: str) -> None:
        self.add(Code.XLSFORM_CELL, sheet, row, column, detail=detail, fix=fix)

    def text(self, row: Mapping[str, Any], field: str) -> str | dict[str, str] | None:
        found: dict[str, str] = {}
        for header, value in row.items():
            name, language = split_column(header)
            if name == field and str(value):
                found[language] = str(value)
                self.languages.setdefault(language, None)
        if not found:
            return None
        if set(found) == {"en"}:
            return found["en"]
        return found

    def flag(self, sheet: str, number: int, row: Mapping[str, Any], field: str) -> bool:
        value = str(row.get(field, "")).strip().lower()
        if value in _TRUE:
            return True
        if value not in _FALSE:
            self.problem(sheet, number, field, f"{value!r} is not yes or no", "write yes or no")
        return False

    def number(self, sheet: str, number: int, column: str, value: object) -> float | None:
        try:
            result = float(str(value))
        except ValueError:
            self.problem(sheet, number, column, f"{value!r} is not a number", "write a number")
            return None
        return result

    def expression(self, number: int, column: str, value: object) -> str | None:
        text = str(value)
        try:
            if column == "required":
                return required_from_xlsform(text)
            return str(from_xlsform(text))
        except ExpressionError as error:
            self.add(Code.XLSFORM_EXPRESSION, "survey", number, column, detail=str(error))
            return None

    # -- sheets ---------------------------------------------------------------------------

    def choice_lists(self) -> dict[str, list[dict[str, Any]]]:
        lists: dict[str, list[dict[str, Any]]] = {}
        sheet = self.sheets.get("choices")
        for number, row in sheet.rows if sheet else ():
            list_name, value = str(row.get("list_name", "")), row.get("name", "")
            if not list_name or value == "":
                self.problem(
                    "choices", number, "name" if list_name else "list_name",
                    "a choice needs a list_name and a name", "fill both in",
                )  # fmt: skip
                continue
            choice: dict[str, Any] = {"value": str(value), "label": self.text(row, "label")}
            if choice["label"] is None:
                self.problem("choices", number, "label", "the choice has no label", "add one")
            if row.get("score", "") != "":
                choice["score"] = self.number("choices", number, "score", row["score"])
            if row.get("sector", "") != "":
                choice["sector"] = str(row["sector"])
            lists.setdefault(list_name, []).append(choice)
        return lists

    def settings(self) -> dict[str, Any]:
        sheet = self.sheets.get("settings")
        return dict(sheet.rows[0][1]) if sheet and sheet.rows else {}

    def instrument(self) -> dict[str, Any]:
        sheet = self.sheets.get("instrument")
        settings = self.settings()
        row = dict(sheet.rows[0][1]) if sheet and sheet.rows else {}
        document: dict[str, Any] = {
            "id": str(row.get("id") or settings.get("form_id", "")),
            "version": str(row.get("version") or settings.get("version", "")),
        }
        if row.get("previous"):
            document["previous"] = str(row["previous"])
        if row.get("dropped"):
            document["dropped"] = str(row["dropped"]).split()
        document["title"] = self.text(row, "title") or str(settings.get("form_title", ""))
        description = self.text(row, "description")
        if description:
            document["description"] = description
        for language in str(row.get("languages", "")).split():
            self.languages.setdefault(language, None)
        return document

    def scales(self, lists: Mapping[str, list[dict[str, Any]]]) -> dict[str, Any]:
        scales: dict[str, Any] = {}
        sheet = self.sheets.get("scales")
        for number, row in sheet.rows if sheet else ():
            scale_id = str(row.get("id", ""))
            if scale_id not in lists:
                self.problem(
                    "scales", number, "id", f"no list {scale_id!r} on the choices sheet",
                    "name a list_name of the choices sheet",
                )  # fmt: skip
                continue
            scale: dict[str, Any] = {}
            label = self.text(row, "label")
            if label is not None:
                scale["label"] = label
            scale["choices"] = _without_states(lists[scale_id])
            scales[scale_id] = scale
        return scales

    def survey(
        self, lists: Mapping[str, list[dict[str, Any]]], scales: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        sheet = self.sheets.get("survey")
        if sheet is None:
            self.problems.append(Problem.make(Code.XLSFORM_SHEET, file=self.where, sheet="survey"))
            return []
        sections: list[dict[str, Any]] = []
        current: dict[str, Any] | None = None
        skipping = False
        for number, row in sheet.rows:
            kind = " ".join(str(row.get("type", "")).split())
            word = kind.replace(" ", "_").lower()
            if word in ("begin_group", "begin_repeat"):
                if current is not None or skipping:
                    self.groups(number, "a group inside a group")
                    continue
                if word == "begin_repeat":
                    self.groups(number, "a repeat group cannot be a section")
                    continue
                name = str(row.get("name", ""))
                if name == INTERVIEW_GROUP:
                    skipping = True  # the interview details: the respondent, not questions
                    continue
                current = self.section(number, row)
                sections.append(current)
            elif word in ("end_group", "end_repeat"):
                if current is None and not skipping:
                    self.groups(number, "end_group without a begin_group")
                current, skipping = None, False
            elif skipping or row.get("state_of") or word in _METADATA_TYPES:
                continue
            elif current is None:
                self.groups(number, f"question {row.get('name', '')!r} is outside any group")
            else:
                question = self.question(number, row, kind, lists, scales)
                if question is not None:
                    current["questions"].append(question)
                    self.rows[(current["id"], question["id"])] = number
        if current is not None:
            self.groups(len(sheet.rows) + 1, f"group {current['id']!r} has no end_group")
        return sections

    def groups(self, number: int, detail: str) -> None:
        self.add(Code.XLSFORM_GROUPS, "survey", number, "type", detail=detail)

    def section(self, number: int, row: Mapping[str, Any]) -> dict[str, Any]:
        section: dict[str, Any] = {"id": str(row.get("name", "")), "title": self.text(row, "label")}
        description = self.text(row, "hint")
        if description is not None:
            section["description"] = description
        if row.get("respondent_types"):
            section["respondent_types"] = str(row["respondent_types"]).split()
        section["questions"] = []
        self.rows[(section["id"], "")] = number
        return section

    def question_type(
        self,
        number: int,
        kind: str,
        lists: Mapping[str, list[dict[str, Any]]],
        scales: Mapping[str, Any],
    ) -> dict[str, Any] | None:
        head, _, list_name = kind.partition(" ")
        head = head.lower()
        if head in ("select_one", "select_multiple"):
            list_name = list_name.strip()
            if list_name not in lists:
                self.problem(
                    "survey", number, "type", f"no list {list_name!r} on the choices sheet",
                    "add the list's choices to the choices sheet",
                )  # fmt: skip
                return None
            base = list_name.removesuffix(NO_CASES_SUFFIX)
            if head == "select_one" and base in scales:
                return {"type": "scale", "scale": base}
            choices = _without_states(lists[list_name])
            return {"type": "single" if head == "select_one" else "multiple", "choices": choices}
        if head in _PLAIN_TYPES and not list_name:
            return {"type": _PLAIN_TYPES[head]}
        self.add(Code.XLSFORM_TYPE, "survey", number, "type", type=kind, known=_KNOWN_TYPES)
        return None

    def question(
        self,
        number: int,
        row: Mapping[str, Any],
        kind: str,
        lists: Mapping[str, list[dict[str, Any]]],
        scales: Mapping[str, Any],
    ) -> dict[str, Any] | None:
        typed = self.question_type(number, kind, lists, scales)
        if typed is None:
            return None
        question: dict[str, Any] = {"id": str(row.get("name", "")), "type": typed.pop("type")}
        question.update(typed)
        question["text"] = self.text(row, "label")
        for field, column in (
            ("guidance", "guidance_hint"),
            ("evidence", "evidence"),
            ("constraint_message", "constraint_message"),
        ):
            value = self.text(row, column)
            if value is None and field == "guidance":
                value = self.text(row, "hint")  # a hand-written form's hint is the guidance
            if value is not None:
                question[field] = value
        if row.get("areas"):
            question["areas"] = self.areas(number, str(row["areas"]))
        if row.get("weight", "") != "":
            question["weight"] = _plain(self.number("survey", number, "weight", row["weight"]))
        for field, column in (
            ("relevant", "relevant"),
            ("constraint", "constraint"),
            ("required", "required"),
            ("calculate", "calculation"),
        ):
            if row.get(column, "") != "":
                value = self.expression(number, column, row[column])
                if value is not None:
                    question[field] = value
        self.extras(number, row, question)
        if question["type"] == "multiple" and "constraint" in question:
            _drop_exclusive_states(question)
        return question

    def extras(self, number: int, row: Mapping[str, Any], question: dict[str, Any]) -> None:
        recommendation = self.text(row, "recommendation")
        references = str(row.get("references", "")).split()
        if recommendation is not None:
            question["recommendation"] = (
                {"text": recommendation, "references": references}
                if references or isinstance(recommendation, dict)
                else recommendation
            )
        elif references:
            self.problem(
                "survey", number, "references", "references without a recommendation",
                "write the recommendation the references support",
            )  # fmt: skip
        if row.get("source"):
            question["source"] = str(row["source"])
        if self.flag("survey", number, row, "sensitive"):
            question["sensitive"] = True
        if self.flag("survey", number, row, "practice"):
            question["practice"] = True
        no_cases = row.get("no_cases", "")
        if no_cases != "":
            question["no_cases"] = (
                "not_applicable"
                if str(no_cases) == "not_applicable"
                else _plain(self.number("survey", number, "no_cases", no_cases))
            )
        for field in ("replaces", "respondent_types"):
            if row.get(field):
                question[field] = str(row[field]).split()

    def areas(self, number: int, text: str) -> dict[str, float | int]:
        areas: dict[str, float | int] = {}
        for item in text.replace(",", " ").split():
            area, _, weight = item.partition(":")
            try:
                value = float(weight or 1)
            except ValueError:
                self.problem(
                    "survey", number, "areas", f"{item!r} is not area:weight",
                    f"write for example 'legislation:1 criminal_justice:0.5' "
                    f"(areas: {', '.join(AREA_IDS)})",
                )  # fmt: skip
                continue
            areas[area] = int(value) if value.is_integer() else value
        return areas

    def respondent_types(self, lists: Mapping[str, list[dict[str, Any]]]) -> dict[str, Any]:
        types: dict[str, Any] = {}
        for choice in lists.get("institution_type", ()):
            entry: dict[str, Any] = {"label": choice["label"]}
            if choice.get("sector"):
                entry["sector"] = choice["sector"]
            types[choice["value"]] = entry
        return types

    def references(self) -> dict[str, Any]:
        tools: dict[str, Any] = {}
        sheet = self.sheets.get("references")
        for _, row in sheet.rows if sheet else ():
            entry: dict[str, Any] = {"title": self.text(row, "title")}
            if row.get("url"):
                entry["url"] = str(row["url"])
            tools[str(row.get("id", ""))] = entry
        return tools


def _drop_exclusive_states(question: dict[str, Any]) -> None:
    """Take out the check ``xlsform`` adds to a select_multiple (a state stands alone),
    with its message: the store makes that check itself."""
    states = (*NON_SCORED_STATES, NO_CASES) if "no_cases" in question else NON_SCORED_STATES
    rest, found = without_exclusive_states(parse(question["constraint"]), states)
    if not found:
        return
    if rest is None:
        del question["constraint"]
    else:
        question["constraint"] = str(rest)
    if question.get("constraint_message") == EXCLUSIVE_STATES_MESSAGE:
        del question["constraint_message"]  # added with the check, for want of one


def _plain(value: float | None) -> float | int | None:
    if value is not None and value.is_integer():
        return int(value)
    return value


def _without_states(choices: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A list's own choices: the non-scored states are offered by every question anyway."""
    kept = []
    for choice in choices:
        if choice["value"] in RESERVED_VALUES:
            continue
        entry = {key: value for key, value in choice.items() if key != "sector"}
        if "score" in entry:
            entry["score"] = _plain(entry["score"])
        kept.append(entry)
    return kept


def _document(file: str | Path) -> tuple[dict[str, Any], list[Problem], _Placer]:
    """The questionnaire document an XLSForm holds, its problems, and where each part
    came from (to place the validation's problems on the sheets)."""
    path = Path(file)
    if not path.is_file():
        raise StoreError(problem=Problem.make(Code.FILE_NOT_FOUND, file=str(path)))
    reader = _Reader(str(path), read_sheets(path))
    lists = reader.choice_lists()
    document = reader.instrument()
    respondent_types = reader.respondent_types(lists)
    references = reader.references()
    scales = reader.scales(lists)
    sections = reader.survey(lists, scales)
    document["languages"] = list(reader.languages)
    if respondent_types:
        document["respondent_types"] = respondent_types
    if references:
        document["references"] = references
    if scales:
        document["scales"] = scales
    document["sections"] = sections
    return document, reader.problems, _Placer(str(path), reader.rows)


@dataclass(frozen=True, slots=True)
class _Placer:
    """Puts a validation problem (``sections[s].questions[q].field``) on its sheet row."""

    where: str
    rows: Mapping[tuple[str, str], int]

    def place(self, problem: Problem) -> Problem:
        match = re.match(r"sections\[([^\]]*)\](?:\.questions\[([^\]]*)\])?\.?(\w*)", problem.path)
        if match is None:
            return dataclasses.replace(problem, file=self.where, line=None)
        section, question, field = match.group(1), match.group(2) or "", match.group(3)
        row = self.rows.get((section, question))
        column = _COLUMN_OF.get(field, field) or "name"
        return dataclasses.replace(
            problem,
            file=self.where,
            line=row,
            path=f"survey:{column}" if row is not None else problem.path,
        )


class _NoAliases(yaml.SafeDumper):
    """Our questionnaire reader refuses anchors and aliases: write every value out."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _dump(document: Mapping[str, Any]) -> str:
    text = yaml.dump(
        document,
        Dumper=_NoAliases,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
    return "# Made by 'assessment-kit xlsform-import' from an XLSForm.\n" + text


def import_xlsform(
    file: str | Path, out: str | Path, *, force: bool = False
) -> XLSFormImportResult:
    """Turn an XLSForm into a questionnaire file, validated; nothing is written when the
    form or the questionnaire has a problem.

    Raises
    ------
    QuestionnaireError
        Every problem, each with the sheet, row and column it is about.
    StoreError
        The workbook cannot be read, or the output may not be written.
    """
    target = check_output(out, inputs=(file,), force=force)
    document, problems, placer = _document(file)
    where = str(file)
    if problems:
        raise QuestionnaireError(problems, summary=f"{where}: {count_problems(len(problems))}")
    text = _dump(document)
    try:
        questionnaire = loads(text, file=str(target), folder=target.parent)
    except QuestionnaireError as error:
        placed = [placer.place(problem) for problem in error.problems]
        raise QuestionnaireError(
            placed, summary=f"{where}: {count_problems(len(placed))}"
        ) from None
    write_output(text.encode("utf-8"), target)
    return XLSFormImportResult(
        target, questionnaire, len(questionnaire.sections), len(questionnaire.questions)
    )
