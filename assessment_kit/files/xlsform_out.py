"""An instrument out as an XLSForm, for ODK Collect and KoboToolbox.

The workbook has the three sheets of the standard (``survey``, ``choices``, ``settings``)
and three of ours that pyxform leaves alone (``instrument``, ``scales``, ``references``),
so that :mod:`~assessment_kit.files.xlsform_in` gives the same questionnaire back. The
``survey`` sheet holds, in order:

- an ``interview`` group: ``respondent`` (the pseudonymous code), ``institution_type``
  (select_one of the respondent types), ``interview_date``, ``interviewer``, ``consent``;
- one group per section (``hint``: its description), one row per question, with
  ``relevant``, ``constraint`` and ``required`` translated to XLSForm, the guidance as
  ``guidance_hint`` and our columns for what XLSForm lacks (``areas``, ``weight``,
  ``evidence``, ``recommendation``, ``references``, ``source``, ``sensitive``, ``practice``,
  ``no_cases``, ``replaces``, ``respondent_types``);
- after each integer, decimal, text or date question, a select_one of the non-scored states
  named ``<question>__state`` (``state_of`` says whose), since such a field cannot hold
  "unknown". Choice questions offer the states among their choices.

Texts in every language of the instrument go in ``label::English (en)`` style columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from assessment_kit.errors import Code, ExpressionError, Problem, QuestionnaireError
from assessment_kit.files.exporting import write_output
from assessment_kit.files.xlsform_expr import (
    EXCLUSIVE_STATES_MESSAGE,
    required_to_xlsform,
    to_xlsform,
    with_exclusive_states,
)
from assessment_kit.files.xlsx_cells import xlsx_bytes
from assessment_kit.questionnaire.expressions import Expr
from assessment_kit.questionnaire.model import (
    NON_SCORED_LABELS,
    NON_SCORED_STATES,
    Choice,
    Question,
    Questionnaire,
    Section,
    Text,
)
from assessment_kit.store.outputs import check_output

__all__ = [
    "INTERVIEW_FIELDS",
    "INTERVIEW_GROUP",
    "STATE_SUFFIX",
    "XLSFormResult",
    "language_column",
    "write_xlsform",
    "xlsform_sheets",
]

#: The group of interview details that opens every form, and its fields.
INTERVIEW_GROUP = "interview"
INTERVIEW_FIELDS: tuple[str, ...] = (
    "respondent",
    "institution_type",
    "interview_date",
    "interviewer",
    "consent",
)
#: The suffix of the companion question holding a non-scored state of a typed field.
STATE_SUFFIX = "__state"
STATES_LIST = "kit_states"
STATES_NO_CASES_LIST = "kit_states_no_cases"
NO_CASES_SUFFIX = "__no_cases"
CONSENT_LIST = "kit_consent"

#: Names of common languages, for XLSForm's ``Language (code)`` column headers.
LANGUAGE_NAMES: Mapping[str, str] = {
    "ar": "Arabic",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fa": "Persian",
    "fr": "French",
    "it": "Italian",
    "ja": "Japanese",
    "nl": "Dutch",
    "pt": "Portuguese",
    "ru": "Russian",
    "sw": "Swahili",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "zh": "Chinese",
}

Sheet = tuple[list[str], list[list[object]]]


@dataclass(frozen=True, slots=True)
class XLSFormResult:
    """What :func:`write_xlsform` wrote."""

    path: Path
    questionnaire: str
    version: str
    groups: int
    questions: int


def language_column(field: str, language: str) -> str:
    """The column of ``field`` in ``language``: ``label::English (en)``."""
    return f"{field}::{LANGUAGE_NAMES.get(language, language)} ({language})"


class _Rows:
    """Rows of one sheet as dicts; the columns are the keys met, in order."""

    def __init__(self, first: Iterable[str]) -> None:
        self.columns: dict[str, None] = dict.fromkeys(first)
        self.rows: list[dict[str, object]] = []

    def add(self, **cells: object) -> None:
        row = {key: value for key, value in cells.items() if value not in (None, "")}
        for key in row:
            self.columns.setdefault(key, None)
        self.rows.append(row)

    def sheet(self) -> Sheet:
        columns = list(self.columns)
        return columns, [[row.get(name, "") for name in columns] for row in self.rows]


class _Builder:
    def __init__(self, questionnaire: Questionnaire) -> None:
        self.q = questionnaire
        self.languages = questionnaire.languages or ("en",)
        self.survey = _Rows(["type", "name", language_column("label", "en")])
        self.choices = _Rows(["list_name", "name", language_column("label", "en")])
        self.problems: list[Problem] = []
        self.lists: set[str] = set()

    def texts(self, field: str, text: Text | str | None) -> dict[str, str]:
        if text is None:
            return {}
        if isinstance(text, str):
            return {language_column(field, "en"): text} if text else {}
        cells = {language_column(field, "en"): text.en} if text.en else {}
        for language in self.languages:
            if language != "en" and language in text.translations:
                cells[language_column(field, language)] = text.translations[language]
        return cells

    def expression(self, question: Question, field: str, expr: Expr | None) -> str:
        if expr is None:
            return ""
        try:
            return required_to_xlsform(expr) if field == "required" else to_xlsform(expr)
        except ExpressionError as error:
            self.problems.append(
                Problem.make(
                    Code.EXPRESSION_SYNTAX,
                    file=self.q.source_file or None,
                    path=f"{question.id}.{field}",
                    field=field,
                    detail=str(error),
                )
            )
            return ""

    def choice_list(self, name: str, choices: Iterable[Choice], states: Iterable[str]) -> None:
        if name in self.lists:
            return
        self.lists.add(name)
        for choice in choices:
            self.choices.add(
                list_name=name,
                name=choice.value,
                **self.texts("label", choice.label),
                score=choice.score,
            )
        for state in states:
            self.choices.add(list_name=name, name=state, **self.texts("label", _state(state)))

    def interview(self) -> None:
        self.survey.add(
            type="begin_group", name=INTERVIEW_GROUP, **self.texts("label", "Interview")
        )
        self.survey.add(
            type="text",
            name="respondent",
            required="yes",
            **self.texts("label", "Respondent code"),
            **self.texts("hint", "The pseudonymous code of the respondent, never a name."),
        )
        self.survey.add(
            type="select_one institution_type",
            name="institution_type",
            required="yes",
            **self.texts("label", "Institution type"),
        )
        for respondent_type in self.q.respondent_types.values():
            self.choices.add(
                list_name="institution_type",
                name=respondent_type.id,
                **self.texts("label", respondent_type.label),
                sector=respondent_type.sector,
            )
        self.survey.add(
            type="date", name="interview_date", **self.texts("label", "Date of the interview")
        )
        self.survey.add(type="text", name="interviewer", **self.texts("label", "Interviewer"))
        self.survey.add(
            type=f"select_one {CONSENT_LIST}",
            name="consent",
            required="yes",
            **self.texts("label", "Did the respondent give informed consent?"),
        )
        self.choices.add(list_name=CONSENT_LIST, name="yes", **self.texts("label", "Yes"))
        self.choices.add(list_name=CONSENT_LIST, name="no", **self.texts("label", "No"))
        self.survey.add(type="end_group")

    def section(self, section: Section) -> None:
        self.survey.add(
            type="begin_group",
            name=section.id,
            **self.texts("label", section.title),
            **self.texts("hint", section.description),
            respondent_types=" ".join(section.respondent_types),
        )
        for question in section.questions:
            self.question(question)
        self.survey.add(type="end_group")

    def question_type(self, question: Question) -> str:
        states = question.states
        if question.type == "scale" and question.scale is not None:
            name = question.scale + (NO_CASES_SUFFIX if question.offers_no_cases else "")
            self.choice_list(name, question.choices, states)
            return f"select_one {name}"
        if question.type in ("single", "multiple"):
            self.choice_list(question.id, question.choices, states)
            kind = "select_one" if question.type == "single" else "select_multiple"
            return f"{kind} {question.id}"
        return {"decimal": "decimal", "integer": "integer", "date": "date"}.get(
            question.type, question.type
        )

    def question(self, question: Question) -> None:
        recommendation = question.recommendation
        constraint, message = question.constraint_expr, question.constraint_message
        if question.type == "multiple":
            # On the tablet a state must be chosen alone, as the store will require.
            constraint = with_exclusive_states(constraint, question.states)
            message = message or Text(EXCLUSIVE_STATES_MESSAGE)
        areas = " ".join(f"{area}:{_number(weight)}" for area, weight in question.areas.items())
        self.survey.add(
            type=self.question_type(question),
            name=question.id,
            **self.texts("label", question.text),
            **self.texts("guidance_hint", question.guidance),
            **self.texts("constraint_message", message),
            **self.texts("evidence", question.evidence),
            **self.texts("recommendation", None if recommendation is None else recommendation.text),
            relevant=self.expression(question, "relevant", question.relevant_expr),
            constraint=self.expression(question, "constraint", constraint),
            required=self.expression(question, "required", question.required_expr),
            calculation=self.expression(question, "calculate", question.calculate_expr),
            areas=areas,
            weight="" if question.weight == 1 else _number(question.weight),
            references="" if recommendation is None else " ".join(recommendation.references),
            source=question.source,
            sensitive="yes" if question.sensitive else "",
            practice="yes" if question.practice else "",
            no_cases="" if question.no_cases is None else _number(question.no_cases),
            replaces=" ".join(question.replaces),
            respondent_types=" ".join(question.respondent_types),
        )
        if question.type in ("integer", "decimal", "text", "date"):
            name = STATES_NO_CASES_LIST if question.offers_no_cases else STATES_LIST
            self.choice_list(name, (), question.states)
            self.survey.add(
                type=f"select_one {name}",
                name=question.id + STATE_SUFFIX,
                **self.texts("label", "If no answer can be given to the question above:"),
                relevant=self.expression(question, "relevant", question.relevant_expr),
                state_of=question.id,
            )

    def instrument(self) -> Sheet:
        rows = _Rows(["id", "version"])
        rows.add(
            id=self.q.id,
            version=self.q.version,
            previous=self.q.previous or "",
            dropped=" ".join(self.q.dropped),
            languages=" ".join(self.languages),
            **self.texts("title", self.q.title),
            **self.texts("description", self.q.description),
        )
        return rows.sheet()

    def scales(self) -> Sheet:
        rows = _Rows(["id", language_column("label", "en")])
        for scale in self.q.scales.values():
            rows.add(id=scale.id, **self.texts("label", scale.label))
        return rows.sheet()

    def references(self) -> Sheet:
        rows = _Rows(["id", language_column("title", "en"), "url"])
        for tool in self.q.references.values():
            rows.add(id=tool.id, **self.texts("title", tool.title), url=tool.url)
        return rows.sheet()

    def settings(self) -> Sheet:
        columns = ["form_title", "form_id", "version", "default_language"]
        default = LANGUAGE_NAMES["en"] + " (en)"
        return columns, [[self.q.title.en, self.q.id, self.q.version, default]]


def _state(state: str) -> str:
    return NON_SCORED_LABELS[state]


def _number(value: float | str) -> str:
    if isinstance(value, str):
        return value
    return str(int(value)) if float(value).is_integer() else repr(value)


def xlsform_sheets(questionnaire: Questionnaire) -> dict[str, Sheet]:
    """The sheets of the XLSForm of an instrument (title -> columns and rows).

    Raises
    ------
    QuestionnaireError
        A section is named ``interview`` (the form's first group), or an expression cannot
        be written in XLSForm; every such problem is listed.
    """
    builder = _Builder(questionnaire)
    for section in questionnaire.sections:
        if section.id == INTERVIEW_GROUP or section.id in questionnaire.questions:
            builder.problems.append(
                Problem.make(
                    Code.DUPLICATE_ID,
                    file=questionnaire.source_file or None,
                    path=f"sections.{section.id}",
                    id=section.id,
                    first_line="?",
                    kind="section and question (and not 'interview', the form's first group)",
                )
            )
    builder.interview()
    # Every scale has its list, used or not, so that the scale comes back on import.
    for scale in questionnaire.scales.values():
        builder.choice_list(scale.id, scale.choices, NON_SCORED_STATES)
    for section in questionnaire.sections:
        builder.section(section)
    if builder.problems:
        raise QuestionnaireError(
            builder.problems, summary=f"{questionnaire.id}: cannot be written as an XLSForm"
        )
    return {
        "survey": builder.survey.sheet(),
        "choices": builder.choices.sheet(),
        "settings": builder.settings(),
        "instrument": builder.instrument(),
        "scales": builder.scales(),
        "references": builder.references(),
    }


def _survey_counts(questionnaire: Questionnaire) -> tuple[int, int]:
    return len(questionnaire.sections) + 1, len(questionnaire.questions) + len(INTERVIEW_FIELDS)


def write_xlsform(
    questionnaire: Questionnaire, out: str | Path, *, force: bool = False
) -> XLSFormResult:
    """Write an instrument as an XLSForm workbook (atomically; never over a mission).

    Raises
    ------
    QuestionnaireError
        The instrument cannot be written as an XLSForm (see :func:`xlsform_sheets`).
    StoreError
        The output is a mission, exists (without ``force``), a cell is too long, or the
        file cannot be written (``DISK_FULL``, ``STORE_IO``).
    """
    path = check_output(out, force=force)
    data = xlsx_bytes(path, xlsform_sheets(questionnaire))
    write_output(data, path)
    groups, questions = _survey_counts(questionnaire)
    return XLSFormResult(path, questionnaire.id, questionnaire.version, groups, questions)
