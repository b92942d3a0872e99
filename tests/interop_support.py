"""Exports of KoboToolbox and ODK Central, written in the exact shape each server gives,
for the submission tests and the interop benchmark.

The shapes (see the docstrings of tests/test_submissions.py for the documentation):

- KoboToolbox, "XML values and headers", groups in headers with ``/``, select_multiple
  "both" (the space-separated column, then one 0/1 column per option), CSV with ``,`` or
  ``;`` or XLSX, metadata ``_id, _uuid, _submission_time, _validation_status, _notes,
  _status, _submitted_by, __version__, _tags, _index`` after the fields; notes carry no
  data and have no column;
- ODK Central, the CSV of the Submissions page (Briefcase's format): ``SubmissionDate``
  first, group paths joined with ``-``, every field of the instance (notes included, empty),
  then ``meta-instanceID, KEY, SubmitterID, SubmitterName, AttachmentsPresent,
  AttachmentsExpected, Status, ReviewState, DeviceID, Edits, FormVersion``.
"""

from __future__ import annotations

import csv
import io
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assessment_kit.errors import AnswerError
from assessment_kit.files.xlsform_out import STATE_SUFFIX, xlsform_sheets
from assessment_kit.questionnaire.expressions import evaluate_bool
from assessment_kit.questionnaire.model import Question, Questionnaire
from assessment_kit.store.values import check_constraint

KOBO_TAIL = (
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
)
ODK_TAIL = (
    "meta-instanceID",
    "KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
)


@dataclass
class Submission:
    """One filled form: the interview details and the answers (text as typed)."""

    respondent: str
    institution_type: str
    answers: dict[str, str]
    interview_date: str = "2026-03-02"
    interviewer: str = "Team A"
    consent: str = "yes"
    uuid: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass(frozen=True)
class _Field:
    path: tuple[str, ...]
    name: str
    kind: str
    choices: tuple[str, ...] = ()


def _fields(questionnaire: Questionnaire) -> list[_Field]:
    columns, rows = xlsform_sheets(questionnaire)["survey"]
    choice_columns, choice_rows = xlsform_sheets(questionnaire)["choices"]
    lists: dict[str, list[str]] = {}
    for row in choice_rows:
        cells = dict(zip(choice_columns, row, strict=True))
        lists.setdefault(str(cells["list_name"]), []).append(str(cells["name"]))
    groups: list[str] = []
    found: list[_Field] = []
    for row in rows:
        cells = dict(zip(columns, row, strict=True))
        kind = str(cells["type"])
        if kind == "begin_group":
            groups.append(str(cells["name"]))
        elif kind == "end_group":
            groups.pop()
        else:
            head, _, list_name = kind.partition(" ")
            found.append(
                _Field(tuple(groups), str(cells["name"]), head, tuple(lists.get(list_name, ())))
            )
    return found


def _value(questionnaire: Questionnaire, submission: Submission, name: str) -> str:
    """The cell of one field: a non-scored state of a typed question goes to its
    ``__state`` companion, as the form on the tablet records it."""
    interview = {
        "respondent": submission.respondent,
        "institution_type": submission.institution_type,
        "interview_date": submission.interview_date,
        "interviewer": submission.interviewer,
        "consent": submission.consent,
    }
    if name in interview:
        return interview[name]
    typed = name.removesuffix(STATE_SUFFIX)
    value = submission.answers.get(typed, "")
    question = questionnaire.questions.get(typed)
    if question is None or question.type in ("scale", "single", "multiple"):
        return value
    is_state = value in question.states
    return value if is_state == name.endswith(STATE_SUFFIX) else ""


def kobo_table(
    questionnaire: Questionnaire, submissions: Sequence[Submission]
) -> list[list[object]]:
    """Header and rows of a Kobo export ("XML values and headers", groups with '/')."""
    fields = [f for f in _fields(questionnaire) if f.kind != "note"]
    header: list[str] = []
    for f in fields:
        header.append("/".join((*f.path, f.name)))
        if f.kind == "select_multiple":
            header += ["/".join((*f.path, f.name, choice)) for choice in f.choices]
    header += KOBO_TAIL
    rows: list[list[object]] = [list(header)]
    for index, submission in enumerate(submissions, start=1):
        row: list[object] = []
        for f in fields:
            value = _value(questionnaire, submission, f.name)
            row.append(value)
            if f.kind == "select_multiple":
                chosen = value.split()
                row += [("1" if c in chosen else "0") if value else "" for c in f.choices]
        row += [
            1000 + index,
            submission.uuid,
            f"{submission.interview_date}T10:{index % 60:02d}:00",
            "",
            "",
            "submitted_via_web",
            "field_team",
            "vQp3mTgSx8Rf6yKc2bH9aN",
            "",
            index,
        ]
        rows.append(row)
    return rows


def odk_table(
    questionnaire: Questionnaire, submissions: Sequence[Submission]
) -> list[list[object]]:
    """Header and rows of an ODK Central CSV export (group paths with '-')."""
    fields = _fields(questionnaire)
    header = ["SubmissionDate", *("-".join((*f.path, f.name)) for f in fields), *ODK_TAIL]
    rows: list[list[object]] = [header]
    for index, submission in enumerate(submissions, start=1):
        instance = f"uuid:{submission.uuid}"
        rows.append(
            [
                f"{submission.interview_date}T10:{index % 60:02d}:00.000Z",
                *(_value(questionnaire, submission, f.name) for f in fields),
                instance,
                instance,
                "7",
                "Tablet of Maria Lopez",  # a person's name: never a respondent code
                "0",
                "0",
                "",
                "",
                "collect:Xy12Ab34Cd56Ef78",
                "0",
                questionnaire.version,
            ]
        )
    return rows


def write_csv(path: Path, rows: Sequence[Sequence[object]], delimiter: str = ",") -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Interviews"
    for row in rows:
        # Kobo's XLSX holds numbers as numbers.
        sheet.append([int(c) if isinstance(c, str) and c.isdigit() else c for c in row])
    book.save(path)
    return path


def long_rows(
    questionnaire: Questionnaire, submissions: Sequence[Submission], codes: Sequence[str]
) -> list[list[object]]:
    """The same answers in our long format, under the codes the import gives."""
    rows: list[list[object]] = [
        ["respondent", "institution_type", "questionnaire", "question", "answer"]
    ]
    for submission, code in zip(submissions, codes, strict=True):
        for question, value in submission.answers.items():
            rows.append([code, submission.institution_type, questionnaire.id, question, value])
    return rows


def _answer(question: Question, rng: random.Random) -> str:
    if rng.random() < 0.08:
        return rng.choice(question.states)
    if question.type in ("scale", "single"):
        return rng.choice(question.choices).value
    if question.type == "multiple":
        picked = [c.value for c in question.choices if rng.random() < 0.4]
        return " ".join(picked or [question.choices[0].value])
    if question.type == "integer":
        return str(rng.randint(1995, 2025))
    if question.type == "decimal":
        return str(rng.randint(0, 100) / 4)
    if question.type == "date":
        return f"20{rng.randint(10, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
    return rng.choice(["Two cases in 2024.", "See the annual report, p. 4", "Ninguno, según él"])


def random_submissions(
    questionnaire: Questionnaire, count: int, seed: int = 13
) -> list[Submission]:
    """Filled forms as a tablet gives them: questions that are not relevant are left
    empty, and an answer that breaks its constraint is not given."""
    rng = random.Random(seed)
    types = list(questionnaire.respondent_types)
    submissions = []
    for number in range(count):
        answers: dict[str, str] = {}
        typed: dict[str, object] = {}
        for question in questionnaire.iter_questions():
            if not question.answerable:
                continue
            if question.relevant_expr is not None and not evaluate_bool(
                question.relevant_expr, typed
            ):
                continue
            text = _answer(question, rng)
            value: object = tuple(text.split()) if question.type == "multiple" else text
            if question.type in ("integer", "decimal") and text not in question.states:
                value = float(text) if question.type == "decimal" else int(text)
            try:
                if question.constraint_expr is not None:
                    check_constraint(question, value, typed)  # type: ignore[arg-type]
            except AnswerError:
                continue
            answers[question.id] = text
            typed[question.id] = value
        submissions.append(
            Submission(
                respondent=f"R{number:04d}",
                institution_type=rng.choice(types),
                answers=answers,
                uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            )
        )
    return submissions
