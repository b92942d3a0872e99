"""Submissions from KoboToolbox and ODK Central, imported as interviews, all or nothing.

A form made by :func:`~assessment_kit.files.xlsform_out.write_xlsform` and filled on ODK
Collect or KoboCollect comes back as the server's export: one row per submission, one
column per field, named by its group path (Kobo ``section/question``, ODK Central
``section-question``). Each submission becomes one respondent's interview:

- the respondent's code is the pseudonymous code typed in ``interview/respondent``,
  followed by ``~`` and the first ten hex digits of the submission's instance id (Kobo
  ``meta/rootUuid`` when the export has it, else ``_uuid``; ODK ``KEY``): two interviews
  given the same code stay apart, and a submission
  imported again is recognised by its id and skipped (nothing is stored beyond the code,
  so the mission's schema is unchanged). No other column (a submitter's name, the
  interviewer) ever goes into the code;
- ``institution_type``, ``interview_date``, ``interviewer`` and ``consent`` describe the
  respondent; every answered question becomes an answer; ``<question>__state`` gives a
  non-scored state to a typed field;
- Kobo's one 0/1 column per option of a select_multiple is redundant with the question's
  space-separated column, which is the one read; the servers' metadata are not answers.

Every bad cell is reported with its row (the header is row 1) and column, and nothing is
written unless the whole file is good.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from assessment_kit.errors import (
    AnswerError,
    Code,
    ImportProblems,
    Problem,
    StoreError,
)
from assessment_kit.files.export_tables import (
    INSTANCE_COLUMNS,
    KOBO_METADATA,
    ODK_METADATA,
    SEPARATORS,
    FileFormat,
    read_table,
    recognise_format,
)
from assessment_kit.files.importing import ImportResult, import_answers
from assessment_kit.files.long_format import Checker
from assessment_kit.files.xlsform_out import INTERVIEW_FIELDS, STATE_SUFFIX
from assessment_kit.questionnaire import answers as answer_rules
from assessment_kit.questionnaire.model import (
    NO_CASES,
    NON_SCORED_STATES,
    AnswerValue,
    Question,
    Questionnaire,
)
from assessment_kit.store import CheckedAnswers, Mission, Respondent
from assessment_kit.store.writes import check_code

__all__ = [
    "FileFormat",
    "SubmissionsResult",
    "cell_value",
    "import_file",
    "import_submissions",
    "read_table",
    "recognise_format",
]

#: The metadata columns of a KoboToolbox export (not answers).
#: Hex digits of the instance id kept in a respondent's code.
ID_DIGITS = 10
#: Submissions written in one bulk write (a slice of an export's 200,000 answers).
WRITE_SLICE = 100
_YES = frozenset({"yes", "true", "1", "y"})
_NO = frozenset({"no", "false", "0", "n", ""})


@dataclass(frozen=True, slots=True)
class SubmissionsResult:
    """What an import of submissions did."""

    format: str
    questionnaire: str
    submissions: int
    respondents_added: int
    answers_written: int
    #: Submissions skipped because their instance id was imported before.
    already_imported: int
    #: Columns that are neither a field of the form nor a known metadata column.
    ignored_columns: tuple[str, ...] = ()


def cell_value(question: Question, raw: object) -> AnswerValue:
    """A cell of an export as the answer to ``question``: what a spreadsheet made of the
    cell (a date, a number for a choice code) undone, then read by the one answer parser,
    :func:`assessment_kit.questionnaire.answers.coerce`, as the long-format import does.

    Raises
    ------
    AnswerError
        The value is not one the question takes.
    """
    value = raw
    if isinstance(value, datetime):
        value = value.date().isoformat() if question.type == "date" else value.isoformat()
    if question.type not in ("integer", "decimal") and isinstance(value, int | float):
        # A spreadsheet turned a choice value such as "1" or a text such as "12" into a number.
        value = str(int(value)) if float(value).is_integer() else str(value)
    if question.type != "text" and isinstance(value, str):
        value = value.strip()  # free text is kept as typed; values and numbers are trimmed
    return answer_rules.coerce(question, value)


# -- columns ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Columns:
    """Which column holds what, for one questionnaire."""

    instances: list[int] = field(default_factory=list)
    interview: dict[str, int] = field(default_factory=dict)
    answers: dict[str, int] = field(default_factory=dict)
    states: dict[str, int] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)


def _best_questionnaire(
    questionnaires: Mapping[str, Questionnaire], header: Sequence[str], separator: str
) -> Questionnaire | None:
    # The groups of the form are the sections of its questionnaire: instruments can share
    # a section or a question id, never all of them.
    groups = {
        parts[0]
        for parts in (name.split(separator) for name in header)
        if len(parts) >= 2 and parts[0] not in ("interview", "meta", "formhub")
    }
    best: tuple[int, Questionnaire | None] = (0, None)
    for questionnaire in questionnaires.values():
        # (A question as first part is a Kobo one-hot column in a header without groups.)
        if not groups - set(questionnaire.questions) <= {s.id for s in questionnaire.sections}:
            continue
        found = sum(1 for name in header if _is_question(questionnaire, name.split(separator)))
        if found > best[0]:
            best = (found, questionnaire)
    return best[1]


def _is_question(questionnaire: Questionnaire, parts: Sequence[str]) -> bool:
    """Whether a column's path names a question of the questionnaire, in its section when
    the path has groups (Kobo can leave the groups out of the headers)."""
    question = questionnaire.questions.get(parts[-1])
    return question is not None and (len(parts) == 1 or parts[-2] == question.section)


def _columns(
    questionnaire: Questionnaire, header: Sequence[str], fmt: str, checker: Checker
) -> _Columns:
    separator = SEPARATORS[fmt]
    metadata = KOBO_METADATA if fmt == "kobo" else ODK_METADATA
    sections = {section.id for section in questionnaire.sections}
    columns = _Columns()
    for index, name in enumerate(header):
        if not name:
            continue
        parts = name.split(separator)
        last = parts[-1]
        if name in INSTANCE_COLUMNS[fmt]:
            columns.instances.append(index)
        if name in metadata:
            continue
        question = questionnaire.questions.get(last)
        if question is not None and question.answerable:
            columns.answers[last] = index
        elif last.endswith(STATE_SUFFIX) and last[: -len(STATE_SUFFIX)] in questionnaire.questions:
            columns.states[last[: -len(STATE_SUFFIX)]] = index
        elif last in INTERVIEW_FIELDS and parts[:-1] in ([], ["interview"]):
            columns.interview[last] = index
        elif len(parts) >= 2 and parts[-2] in questionnaire.questions:
            continue  # Kobo's 0/1 column of one option of a select_multiple
        elif question is not None:
            continue  # a note or a calculation: nothing to answer
        elif len(parts) >= 2 and parts[0] in sections:
            checker.add(
                1,
                name,
                f"section {parts[0]!r} of {questionnaire.id!r} has no question {last!r}",
                "export the form made from this version of the questionnaire",
            )
        else:
            columns.ignored.append(name)
    columns.instances.sort(key=lambda index: INSTANCE_COLUMNS[fmt].index(header[index]))
    if not columns.instances:
        wanted = " or ".join(INSTANCE_COLUMNS[fmt])
        checker.add(1, wanted, f"no {wanted} column: submissions cannot be told apart",
                    "export the submissions again with their metadata")  # fmt: skip
    if "respondent" not in columns.interview:
        wanted = f"interview{separator}respondent"
        checker.add(1, wanted, f"no {wanted} column: the respondent's code is needed",
                    "export the form made with 'assessment-kit xlsform'")  # fmt: skip
    return columns


# -- one submission -----------------------------------------------------------------------


@dataclass(slots=True)
class _Submission:
    line: int
    instance: str
    code: str
    institution_type: str
    sector: str
    interview_date: date | None
    interviewer: str
    consent: bool
    answers: dict[str, AnswerValue]


def _short_id(instance: str) -> str:
    digits = "".join(ch for ch in instance.removeprefix("uuid:").lower() if ch.isalnum())
    return digits[:ID_DIGITS]


def _text(cells: Sequence[object], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    value = cells[index]
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class _Reader:
    def __init__(
        self,
        questionnaire: Questionnaire,
        header: Sequence[str],
        columns: _Columns,
        checker: Checker,
    ) -> None:
        self.q = questionnaire
        self.header = header
        self.columns = columns
        self.checker = checker
        # What each cell text gave, by question: thousands of submissions repeat a few
        # choice values, and reading one is a pure function of the question and the text.
        # (Free text is not kept: it is seldom repeated.)
        self.read: dict[tuple[str, type, object], AnswerValue] = {}

    def value(self, question: Question, raw: object) -> AnswerValue:
        """:func:`cell_value`, remembered for repeated cells (by type as well: the
        number 1 and the text "1" are read apart)."""
        if question.type == "text":
            return cell_value(question, raw)
        key = (question.id, raw.__class__, raw)
        value = self.read.get(key)
        if value is None:
            value = self.read[key] = cell_value(question, raw)
        return value

    def bad(self, line: int, index: int | None, detail: str, fix: str) -> None:
        name = self.header[index] if index is not None else ""
        self.checker.add(line, name, detail, fix)

    def submission(self, line: int, cells: Sequence[object]) -> _Submission | None:
        columns = self.columns
        problems = len(self.checker.problems)
        instance = next((text for i in columns.instances if _short_id(text := _text(cells, i))), "")
        if columns.instances and not instance:
            self.bad(line, columns.instances[0], "the submission has no instance id",
                     "export the submissions again with their metadata")  # fmt: skip
        typed = _text(cells, columns.interview.get("respondent"))
        respondent = columns.interview.get("respondent")
        code = f"{typed}~{_short_id(instance)}"
        if not typed:
            self.bad(line, respondent, "the respondent code is empty",
                     "fill in the respondent's pseudonymous code")  # fmt: skip
        else:
            try:
                check_code(code)
            except AnswerError as error:
                self.checker.add_error(line, self.header[respondent or 0], error)
        institution_type, sector = self.institution(line, cells)
        interview_date = self.date(line, cells)
        consent = self.consent(line, cells)
        interviewer = _text(cells, columns.interview.get("interviewer"))
        if interviewer:
            try:
                answer_rules.check_text("interviewer", interviewer)
            except AnswerError as error:
                self.checker.add_error(line, self.header[columns.interview["interviewer"]], error)
        answers = self.answers(line, cells)
        if len(self.checker.problems) > problems:
            return None
        return _Submission(
            line, instance, code, institution_type, sector, interview_date, interviewer,
            consent, answers,
        )  # fmt: skip

    def institution(self, line: int, cells: Sequence[object]) -> tuple[str, str]:
        index = self.columns.interview.get("institution_type")
        value = _text(cells, index)
        types = self.q.respondent_types
        if not value:
            self.bad(line, index, "the institution type is empty", "fill in the institution type")
            return "", ""
        if types and value not in types:
            self.bad(line, index, f"institution type {value!r} is not defined by {self.q.id!r}",
                     f"use one of: {', '.join(types)}")  # fmt: skip
            return "", ""
        return value, types[value].sector if value in types else ""

    def date(self, line: int, cells: Sequence[object]) -> date | None:
        index = self.columns.interview.get("interview_date")
        if index is None or index >= len(cells):
            return None
        value = cells[index]
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = _text(cells, index)
        if not text:
            return None
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            self.bad(line, index, f"{text!r} is not a date", "write it as YYYY-MM-DD")
            return None

    def consent(self, line: int, cells: Sequence[object]) -> bool:
        index = self.columns.interview.get("consent")
        value = _text(cells, index).lower()
        if value in _YES:
            return True
        if value not in _NO:
            self.bad(line, index, f"{value!r} is not yes or no", "write yes or no")
        return False

    def answers(self, line: int, cells: Sequence[object]) -> dict[str, AnswerValue]:
        answers: dict[str, AnswerValue] = {}
        questions, read, width = self.q.questions, self.read, len(cells)
        for question_id, index in self.columns.answers.items():
            raw = cells[index] if index < width else ""
            if raw is None or raw == "" or (isinstance(raw, str) and not raw.strip()):
                continue
            # What the same text gave this question before (see value()), looked up here:
            # this loop reads every cell of the export.
            value = read.get((question_id, raw.__class__, raw))
            if value is not None:
                answers[question_id] = value
                continue
            try:
                answers[question_id] = self.value(questions[question_id], raw)
            except AnswerError as error:
                self.checker.add_error(line, self.header[index], error)
        for question_id, index in self.columns.states.items():
            state = _text(cells, index)
            if not state:
                continue
            if question_id in answers:
                self.bad(line, index, "both an answer and a non-scored state are given",
                         "keep one of them")  # fmt: skip
            elif state not in (*NON_SCORED_STATES, NO_CASES):
                offered = ", ".join(self.q.questions[question_id].states)
                self.bad(line, index, f"{state!r} is not a non-scored state",
                         f"use one of: {offered}")  # fmt: skip
            else:
                try:
                    answers[question_id] = self.value(self.q.questions[question_id], state)
                except AnswerError as error:
                    self.checker.add_error(line, self.header[index], error)
        self.constraints(line, answers)
        return answers

    def constraints(self, line: int, answers: Mapping[str, AnswerValue]) -> None:
        for question_id, value in answers.items():
            question = self.q.questions[question_id]
            if question.constraint_expr is None:
                continue
            try:
                answer_rules.validate(question, value, answers)
            except AnswerError as error:
                index = self.columns.answers[question_id]
                self.checker.add_error(line, self.header[index], error)


def _rows(data: Sequence[Sequence[object]]) -> Iterator[tuple[int, Sequence[object]]]:
    for offset, cells in enumerate(data):
        if all(cell in ("", None) for cell in cells):
            continue  # blank lines at the end of a sheet are not submissions
        yield offset + 2, cells


# -- the import ---------------------------------------------------------------------------


def import_submissions(
    mission_path: str | Path,
    file: str | Path,
    *,
    format: Literal["kobo", "odk"] | None = None,
    by: str = "",
) -> SubmissionsResult:
    """Import a KoboToolbox or ODK Central export into a mission, all or nothing.

    Parameters
    ----------
    mission_path
        The mission.
    file
        The export (CSV with ``,`` or ``;``, or XLSX) of a form made by ``xlsform``.
    format
        ``kobo`` or ``odk``; recognised from the columns when None.
    by
        Who imports (recorded in the history).

    Raises
    ------
    ImportProblems
        Every bad cell, with its row and column; nothing was written.
    """
    header, data = read_table(file)
    where = str(file)
    fmt = format or recognise_format(header)
    if fmt not in ("kobo", "odk"):
        problem = Problem.make(Code.SUBMISSIONS_FORMAT, file=where, line=1,
                               columns=", ".join(header[:6]) or "none")  # fmt: skip
        raise ImportProblems([problem], summary=f"{where}: not a KoboToolbox or ODK export")
    return _import_table(mission_path, where, header, data, fmt, by)


def _import_table(
    mission_path: str | Path,
    where: str,
    header: Sequence[str],
    data: Sequence[Sequence[object]],
    fmt: Literal["kobo", "odk"],
    by: str,
) -> SubmissionsResult:
    checker = Checker(where)
    with Mission.open(mission_path) as mission, mission.batch(by=by) as batch:
        questionnaire = _best_questionnaire(mission.questionnaires, header, SEPARATORS[fmt])
        if questionnaire is None:
            problem = Problem.make(
                Code.SUBMISSIONS_QUESTIONNAIRE,
                file=where,
                line=1,
                detail=f"{len(header)} columns, none a question",
                known=", ".join(mission.questionnaires),
            )
            raise ImportProblems([problem], summary=f"{where}: nothing to import")
        columns = _columns(questionnaire, header, fmt, checker)
        reader = _Reader(questionnaire, header, columns, checker)
        submissions = [
            s for line, cells in _rows(data) if (s := reader.submission(line, cells)) is not None
        ]
        instance_column = header[columns.instances[0]] if columns.instances else ""
        fresh, skipped = _new_submissions(mission, submissions, checker, instance_column)
        if checker.problems:
            problems = sorted(checker.problems, key=lambda p: p.line or 0)
            bad = len({p.line for p in problems})
            raise ImportProblems(
                problems, summary=f"{where}: {bad:,} bad row(s); nothing was imported"
            )
        # Every cell and constraint was checked above (to name each bad one): the batch
        # writes the interviews in bulk without reading the values again, a slice of them
        # at a time so that a large export is not held twice in memory.
        written = 0
        for start in range(0, len(fresh), WRITE_SLICE):
            items: list[Respondent | CheckedAnswers] = []
            for submission in fresh[start : start + WRITE_SLICE]:
                code = submission.code
                items.append(
                    Respondent(code, submission.institution_type, submission.sector,
                               submission.interview_date, submission.interviewer,
                               submission.consent)
                )  # fmt: skip
                items.append(CheckedAnswers(code, questionnaire.id, submission.answers))
            written += batch.write_checked(items)
    return SubmissionsResult(
        format=fmt,
        questionnaire=questionnaire.id,
        submissions=len(submissions),
        respondents_added=len(fresh),
        answers_written=written,
        already_imported=skipped,
        ignored_columns=tuple(columns.ignored),
    )


def _new_submissions(
    mission: Mission, submissions: Sequence[_Submission], checker: Checker, column: str
) -> tuple[list[_Submission], int]:
    """The submissions not imported before (by instance id), and how many were."""
    known = {r.code.rpartition("~")[2] for r in mission.respondents() if "~" in r.code}
    seen: dict[str, int] = {}
    fresh: list[_Submission] = []
    skipped = 0
    for submission in submissions:
        short = _short_id(submission.instance)
        if not short:
            continue  # no instance id: already reported
        if short in seen:
            checker.add(submission.line, column,
                        f"the same submission is given again (first at row {seen[short]})",
                        "keep one row per submission")  # fmt: skip
            continue
        seen[short] = submission.line
        if short in known:
            skipped += 1
        else:
            fresh.append(submission)
    return fresh, skipped


def import_file(
    mission_path: str | Path,
    file: str | Path,
    *,
    format: FileFormat | None = None,
    by: str = "",
) -> ImportResult | SubmissionsResult:
    """Import answers or submissions, the kind recognised from the columns (or ``format``).

    A file that is neither a Kobo nor an ODK export is read as our long format, whose
    import says which columns are missing.

    Raises
    ------
    ImportProblems
        The file has bad rows; nothing was written.
    """
    if format == "long":
        return import_answers(mission_path, file, by=by)
    try:
        header, data = read_table(file)
    except (StoreError, ImportProblems):
        if format is not None:
            raise
        # Not a table we read: the long-format import names the cause most precisely
        # (UTF-16 text, a protected workbook, a mission file...).
        return import_answers(mission_path, file, by=by)
    fmt = format or recognise_format(header)
    if fmt in ("kobo", "odk"):
        return _import_table(mission_path, str(file), header, data, fmt, by)
    # Our own format, or none recognised: the long-format import lists what is missing.
    return import_answers(mission_path, file, by=by)
