"""What an answer is: one rule set for text from a form, a CSV or XLSX cell, a Kobo cell.

An inline questionnaire, tables of what each type accepts and refuses (asserting codes),
then hypothesis properties: what a file writes and what a display shows read back to the
same value.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment_kit.errors import AnswerError, Code
from assessment_kit.questionnaire import loads
from assessment_kit.questionnaire.answers import (
    INVALID,
    SCORED,
    agreed_choice,
    check,
    coerce,
    counts_as,
    label,
    parse_text,
    score_of,
    state_label,
    to_text,
    validate,
)
from assessment_kit.questionnaire.model import RESERVED_VALUES as RESERVED
from assessment_kit.questionnaire.model import AnswerValue, Question

RULES_YAML = """\
id: rules
version: 1.0.0
title: Answer rules
languages: [en, fr]
scales:
  ypn:
    choices:
      - {value: "yes", label: {en: "Yes", fr: "Oui"}, score: 1}
      - {value: partly, label: {en: Partly, fr: En partie}, score: 0.5}
      - {value: "no", label: {en: "No", fr: "Non"}, score: 0}
sections:
  - id: main
    title: Main
    questions:
      - id: intro
        type: note
        text: Read this first.
      - id: law
        type: scale
        scale: ypn
        text: Is there a law?
        guidance: Ask for it.
        areas: {legislation: 1}
        recommendation: Adopt a law.
      - id: prosecuted
        type: scale
        scale: ypn
        practice: true
        no_cases: not_applicable
        text: Were cases prosecuted in the period?
        guidance: Ask for the cases.
        areas: {criminal_justice: 1}
        recommendation: Prosecute.
      - id: services
        type: multiple
        text: Which services are offered?
        guidance: Ask the providers.
        areas: {protection: 1}
        recommendation: Offer services.
        choices:
          - {value: shelter, label: Safe shelter, score: 0.5}
          - {value: medical, label: Medical care, score: 0.25}
          - {value: legal, label: Legal aid, score: 0.5}
      - id: cases
        type: integer
        text: How many cases?
        guidance: Statistics.
        constraint: ". >= 0"
      - id: budget
        type: decimal
        text: What budget?
        guidance: The budget law.
      - id: since
        type: date
        text: Since when?
        guidance: The gazette.
      - id: comment
        type: text
        text: Any comment?
        guidance: Anything.
"""

RULES = loads(RULES_YAML, file="rules.yaml")


def q(question_id: str) -> Question:
    return RULES.question(question_id)


@pytest.mark.parametrize(
    ("question", "text", "value"),
    [
        ("law", "yes", "yes"),
        ("law", " Partly ", "partly"),  # a label, as a person or a Kobo label export writes it
        ("law", "en partie", "partly"),  # a label in another of the questionnaire's languages
        ("law", "unknown", "unknown"),
        ("law", "Not applicable", "not_applicable"),
        ("law", "   ", None),  # blank text is no answer
        ("prosecuted", "no_cases", "no_cases"),
        ("prosecuted", "No cases in the period", "no_cases"),
        ("services", "legal shelter", ("shelter", "legal")),
        ("services", "Legal aid; Safe shelter;", ("shelter", "legal")),
        ("services", "medical;legal", ("medical", "legal")),
        ("services", "Safe shelter", ("shelter",)),
        ("services", "declined", "declined"),
        ("cases", "12", 12),
        ("cases", " -4 ", -4),
        ("cases", "+7", 7),
        ("cases", "not_assessed", "not_assessed"),
        ("budget", "12.5", 12.5),
        ("budget", "12,5", 12.5),  # a decimal comma, everywhere
        ("budget", ".5", 0.5),
        ("budget", ",5", 0.5),
        ("budget", "0,125", 0.125),  # a lone zero before three digits is not a thousand
        ("budget", "1e-05", 1e-05),  # as Python and spreadsheets write small numbers
        ("budget", "-3", -3.0),
        ("since", " 2024-02-29 ", "2024-02-29"),
        ("comment", "  spaces kept  ", "  spaces kept  "),
        ("comment", "Not applicable", "Not applicable"),  # text is taken as typed
        ("comment", "unknown", "unknown"),  # but a state's code is the state
    ],
)
def test_text_accepted(question: str, text: str, value: AnswerValue | None) -> None:
    parsed = parse_text(q(question), text)
    assert parsed == value
    assert type(parsed) is type(value)


@pytest.mark.parametrize(
    ("question", "text", "code"),
    [
        ("law", "maybe", Code.BAD_VALUE),
        ("law", "no_cases", Code.NO_CASES_NOT_OFFERED),
        ("services", "shelter unknown", Code.BAD_VALUE),
        ("services", "Safe shelter medical", Code.BAD_VALUE),  # spaces separate codes only
        ("cases", "1.5", Code.BAD_VALUE),
        ("cases", "12.0", Code.BAD_VALUE),
        ("cases", "1e3", Code.BAD_VALUE),
        ("cases", "twelve", Code.BAD_VALUE),
        ("cases", "9" * 5000, Code.BAD_VALUE),  # more digits than Python converts
        ("cases", "1,000", Code.NUMBER_GROUPED),  # a whole number has no decimals to mark
        ("cases", "1.000", Code.NUMBER_GROUPED),
        ("cases", "1 000", Code.NUMBER_GROUPED),
        ("cases", "1\u202f000", Code.NUMBER_GROUPED),
        ("budget", "1 000", Code.NUMBER_GROUPED),
        ("budget", "1'000", Code.NUMBER_GROUPED),
        ("budget", "1_000", Code.NUMBER_GROUPED),  # Python's float() would take it
        ("budget", "1,000.5", Code.NUMBER_GROUPED),
        ("budget", "1.000,5", Code.NUMBER_GROUPED),
        ("budget", "1,000,000", Code.NUMBER_GROUPED),
        ("budget", "1.000.000", Code.NUMBER_GROUPED),
        ("budget", "1,000", Code.NUMBER_AMBIGUOUS),  # a thousand, or one and a decimal comma?
        ("budget", "-12,500", Code.NUMBER_AMBIGUOUS),
        ("budget", "abc", Code.BAD_VALUE),
        ("budget", "inf", Code.BAD_VALUE),
        ("budget", "nan", Code.BAD_VALUE),
        ("budget", "1" + "0" * 400, Code.BAD_VALUE),  # too large for a float
        ("since", "2025-02-29", Code.BAD_VALUE),
        ("since", "01/03/2024", Code.BAD_VALUE),
        ("since", "20240301", Code.BAD_VALUE),
        ("intro", "yes", Code.NOT_ANSWERABLE),
        ("intro", "", Code.NOT_ANSWERABLE),
    ],
)
def test_text_refused(question: str, text: str, code: Code) -> None:
    with pytest.raises(AnswerError) as caught:
        parse_text(q(question), text)
    assert caught.value.codes == [code]
    problem = caught.value.problems[0]
    assert problem.path == question  # the message names the question
    assert problem.hint  # and says how to fix it


def test_an_ambiguous_number_offers_both_readings() -> None:
    with pytest.raises(AnswerError) as caught:
        parse_text(q("budget"), "12,500")
    assert "12500" in caught.value.problems[0].hint
    assert "12.500" in caught.value.problems[0].hint


@pytest.mark.parametrize(
    ("question", "value", "stored"),
    [
        ("cases", 12.0, 12),  # a spreadsheet's number
        ("budget", 3, 3.0),
        ("services", ["legal", "shelter", "legal"], ("shelter", "legal")),
        ("since", "2024-03-01", "2024-03-01"),
    ],
)
def test_coerce_takes_values_as_well_as_text(
    question: str, value: object, stored: AnswerValue
) -> None:
    assert coerce(q(question), value) == stored


@pytest.mark.parametrize(
    ("question", "value"),
    [("law", ""), ("law", None), ("cases", True), ("budget", math.inf), ("comment", 12)],
)
def test_coerce_refuses_no_answer_and_wrong_types(question: str, value: object) -> None:
    with pytest.raises(AnswerError) as caught:
        coerce(q(question), value)
    assert caught.value.codes == [Code.BAD_VALUE]


def test_validate_checks_the_constraint_only_on_answers() -> None:
    validate(q("cases"), 0)
    validate(q("cases"), "unknown")  # a state is never constrained
    with pytest.raises(AnswerError) as caught:
        validate(q("cases"), -1)
    assert caught.value.codes == [Code.CONSTRAINT]
    assert check(q("cases"), "5") == 5


@pytest.mark.parametrize(
    ("question", "value", "score", "counts"),
    [
        ("law", "partly", 0.5, (SCORED, 0.5)),
        ("law", "unknown", None, ("unknown", None)),
        ("law", ("unknown",), None, ("unknown", None)),
        ("law", "perhaps", None, (INVALID, None)),
        ("prosecuted", "no_cases", None, ("no_cases", None)),
        ("law", "no_cases", None, (INVALID, None)),
        ("services", ("shelter", "legal"), 1.0, (SCORED, 1.0)),
        ("services", ("shelter", "medical", "legal"), 1.0, (SCORED, 1.0)),  # capped at 1
        ("services", "medical", 0.25, (SCORED, 0.25)),
        ("cases", 3, None, (INVALID, None)),
    ],
)
def test_scores(
    question: str, value: AnswerValue, score: float | None, counts: tuple[str, float | None]
) -> None:
    assert score_of(q(question), value) == score
    assert counts_as(q(question), value) == counts


@pytest.mark.parametrize(
    ("question", "value", "words"),
    [
        ("law", "partly", "Partly"),
        ("law", "not_applicable", "Not applicable"),
        ("law", None, "no answer"),
        ("prosecuted", "no_cases", "No cases in the period"),
        ("services", ("shelter", "legal"), "Safe shelter; Legal aid"),
        ("services", (), "none selected"),
        ("cases", 12, "12"),
        ("budget", 12.0, "12"),
        ("budget", 0.25, "0.25"),
        ("since", "2024-03-01", "2024-03-01"),
        ("law", "gone", "gone"),  # a value the question no longer has reads as its code
    ],
)
def test_label(question: str, value: AnswerValue | None, words: str) -> None:
    assert label(q(question), value) == words


def test_label_in_another_language_and_without_a_question() -> None:
    assert label(q("law"), "partly", "fr") == "En partie"
    assert label(q("law"), "partly", "de") == "Partly"  # English when not translated
    assert label(None, "partly") == "partly"
    assert state_label("declined") == "Declined / confidential"
    assert state_label("other") == "other"


def test_agreed_choice() -> None:
    assert agreed_choice(q("law"), 0.5) == q("law").choice("partly")
    assert agreed_choice(q("law"), 0.75) is None  # no choice has that score
    assert agreed_choice(q("services"), 0.5) is None  # a score does not say what was ticked


# -- properties: what is written or shown reads back to the same value

ANSWERED = [question for question in RULES.iter_questions() if question.answerable]


@st.composite
def answers(draw: st.DrawFn) -> tuple[Question, AnswerValue]:
    question = draw(st.sampled_from(ANSWERED))
    value: AnswerValue
    if draw(st.integers(0, 4)) == 0:
        value = draw(st.sampled_from(question.states))
    elif question.type in ("scale", "single"):
        value = draw(st.sampled_from([c.value for c in question.choices]))
    elif question.type == "multiple":
        ticked = draw(st.sets(st.sampled_from([c.value for c in question.choices]), min_size=1))
        value = tuple(c.value for c in question.choices if c.value in ticked)
    elif question.type == "integer":
        value = draw(st.integers(-(10**12), 10**12))
    elif question.type == "decimal":
        value = draw(st.floats(allow_nan=False, allow_infinity=False))
    elif question.type == "date":
        value = draw(st.dates()).isoformat()
    else:
        # Text that is a state's code once trimmed is that state, so it is not drawn here.
        value = draw(st.text(min_size=1).filter(lambda t: t.strip() not in ("", *RESERVED)))
    return question, value


PROPERTY = settings(max_examples=300, deadline=None)


@PROPERTY
@given(answers())
def test_what_a_file_writes_reads_back(answer: tuple[Question, AnswerValue]) -> None:
    question, value = answer
    assert parse_text(question, to_text(value)) == value


@PROPERTY
@given(answers())
def test_what_a_display_shows_reads_back(answer: tuple[Question, AnswerValue]) -> None:
    question, value = answer
    if question.type == "text":
        return  # free text is shown as typed, and a state's label is text: see above
    assert parse_text(question, label(question, value)) == value


@PROPERTY
@given(st.text())
def test_any_text_gives_a_value_or_a_catalogued_refusal(text: str) -> None:
    for question in ANSWERED:
        refusal: AnswerError | None = None
        try:
            value = parse_text(question, text)
        except AnswerError as error:
            refusal = error
        if refusal is not None:
            assert [p.path for p in refusal.problems] == [question.id]
        else:
            assert value is None or coerce(question, value) == value
