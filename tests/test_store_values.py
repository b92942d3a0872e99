"""Answer values: what each question type accepts, normalization and the stored JSON."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from store_support import SURVEY_YAML

from assessment_kit.errors import AnswerError, Code
from assessment_kit.questionnaire import Questionnaire, loads
from assessment_kit.questionnaire.model import AnswerValue
from assessment_kit.store.values import decode_value, encode_value, format_value, validate_value


@pytest.fixture(scope="module")
def survey() -> Questionnaire:
    return loads(SURVEY_YAML, file="survey.yaml")


@pytest.mark.parametrize(
    ("question", "given", "stored"),
    [
        ("law", "yes", "yes"),
        ("law", " partly ", "partly"),
        ("law", "unknown", "unknown"),
        ("law", "declined", "declined"),
        ("kind", "b", "b"),
        ("roles", "transit origin", ("origin", "transit")),
        ("roles", ["destination", "origin", "destination"], ("origin", "destination")),
        ("roles", ("transit",), ("transit",)),
        ("roles", "not_applicable", "not_applicable"),
        ("year", 2024, 2024),
        ("year", "2024", 2024),
        ("year", 2024.0, 2024),
        ("year", "not_assessed", "not_assessed"),
        ("victims", "+12", 12),
        ("budget", 3, 3.0),
        ("budget", "1.25", 1.25),
        ("budget", 0.5, 0.5),
        ("since", "2020-02-29", "2020-02-29"),
        ("since", date(2021, 5, 1), "2021-05-01"),
        ("since", datetime(2021, 5, 1, 10, 30), "2021-05-01"),
        ("comment", "  spaces kept  ", "  spaces kept  "),
        ("comment", "unknown", "unknown"),
    ],
)
def test_accepted(survey: Questionnaire, question: str, given: object, stored: object) -> None:
    value = validate_value(survey.question(question), given)
    assert value == stored
    assert type(value) is type(stored)


@pytest.mark.parametrize(
    ("question", "given", "code"),
    [
        ("law", "maybe", Code.BAD_VALUE),
        ("law", 1, Code.BAD_VALUE),
        ("law", "", Code.BAD_VALUE),
        ("law", None, Code.BAD_VALUE),
        ("kind", "yes", Code.BAD_VALUE),
        ("roles", "origin nowhere", Code.BAD_VALUE),
        ("roles", [], Code.BAD_VALUE),
        ("roles", ["origin", "unknown"], Code.BAD_VALUE),
        ("roles", 3, Code.BAD_VALUE),
        ("year", 1.5, Code.BAD_VALUE),
        ("year", "12.0", Code.BAD_VALUE),
        ("year", True, Code.BAD_VALUE),
        ("year", "soon", Code.BAD_VALUE),
        ("year", 1800, Code.CONSTRAINT),
        ("year", "2101", Code.CONSTRAINT),
        ("victims", -1, Code.CONSTRAINT),
        ("budget", "a lot", Code.BAD_VALUE),
        ("budget", float("nan"), Code.BAD_VALUE),
        ("budget", float("inf"), Code.BAD_VALUE),
        ("budget", False, Code.BAD_VALUE),
        ("since", "2021-02-30", Code.BAD_VALUE),
        ("since", "01/02/2021", Code.BAD_VALUE),
        ("since", 2021, Code.BAD_VALUE),
        ("comment", 12, Code.BAD_VALUE),
        ("comment", "   ", Code.BAD_VALUE),
        ("intro", "yes", Code.NOT_ANSWERABLE),
        ("intro", "unknown", Code.NOT_ANSWERABLE),
    ],
)
def test_refused(survey: Questionnaire, question: str, given: object, code: Code) -> None:
    with pytest.raises(AnswerError) as caught:
        validate_value(survey.question(question), given)
    assert caught.value.codes == [code]
    assert caught.value.problems[0].path == question
    assert caught.value.problems[0].hint  # every refusal says how to fix it


def test_constraint_message_and_other_answers(survey: Questionnaire) -> None:
    convicted = survey.question("convicted")
    assert validate_value(convicted, 5, {"victims": 5}) == 5
    with pytest.raises(AnswerError, match="No more convicted than victims"):
        validate_value(convicted, 6, {"victims": 5})
    with pytest.raises(AnswerError, match="Enter a four-digit year"):
        validate_value(survey.question("year"), 99)


@pytest.mark.parametrize(
    ("value", "text", "written"),
    [
        ("yes", '"yes"', "yes"),
        (12, "12", "12"),
        (1.5, "1.5", "1.5"),
        (("origin", "transit"), '["origin", "transit"]', "origin transit"),
        ("Café «x»", '"Café «x»"', "Café «x»"),
    ],
)
def test_encoding_round_trip(value: AnswerValue, text: str, written: str) -> None:
    assert encode_value(value) == text
    assert decode_value(text) == value
    assert type(decode_value(text)) is type(value)
    assert format_value(value) == written
