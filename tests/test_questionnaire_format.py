"""The format's newer fields: practice questions and no_cases, versions and replaces,
the source rule and the validator's warnings. One small inline questionnaire each."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessment_kit.errors import AnswerError, Code, QuestionnaireError
from assessment_kit.questionnaire import NO_CASES, cites_provision, loads, validate_files
from assessment_kit.store.values import validate_value

BASE = """\
id: mini
version: {version}
title: A small instrument
references:
  model_law: {{title: Model Law}}
scales:
  yn:
    choices:
      - {{value: yes, label: "Yes", score: 1}}
      - {{value: no, label: "No", score: 0}}
sections:
  - id: practice
    title: Practice
    questions:
{questions}
"""

PROSECUTED = """\
      - id: prosecuted
        type: scale
        scale: yn
        practice: true
        {no_cases}
        text: Were officials complicit in trafficking prosecuted in the period?
        guidance: Ask for the cases.
        areas: {{criminal_justice: 1}}
        recommendation: {{text: Prosecute complicity., references: [model_law]}}
"""


def _doc(*questions: str, version: str = "1.0.0", top: str = "") -> str:
    body = "".join(questions)
    return top + BASE.format(version=version, questions=body)


def _prosecuted(no_cases: str = "no_cases: not_applicable") -> str:
    return PROSECUTED.format(no_cases=no_cases)


def _codes(text: str, folder: Path | None = None) -> list[Code]:
    with pytest.raises(QuestionnaireError) as caught:
        loads(text, file="mini.yaml", folder=folder)
    return caught.value.codes


def test_no_cases_fields_are_read() -> None:
    counted = _prosecuted("no_cases: 0.25").replace("prosecuted", "seized")
    q = loads(_doc(_prosecuted(), counted))
    na, scored = q.question("prosecuted"), q.question("seized")
    assert (na.practice, na.no_cases, na.offers_no_cases) == (True, "not_applicable", True)
    assert na.score_of(NO_CASES) is None
    assert (scored.no_cases, scored.score_of(NO_CASES)) == (0.25, 0.25)
    assert NO_CASES in na.states
    assert NO_CASES in scored.states


def test_scored_practice_question_must_declare_no_cases() -> None:
    assert _codes(_doc(_prosecuted(""))) == [Code.PRACTICE_WITHOUT_NO_CASES]


@pytest.mark.parametrize("bad", ["no_cases: none", "no_cases: 1.5", "no_cases: true"])
def test_no_cases_is_not_applicable_or_a_score(bad: str) -> None:
    assert Code.SCHEMA in _codes(_doc(_prosecuted(bad)))


def test_no_cases_score_needs_a_scored_question() -> None:
    count = """\
      - id: count
        type: integer
        practice: true
        no_cases: 0.5
        text: How many cases?
        guidance: Statistics.
"""
    assert _codes(_doc(_prosecuted(), count)) == [Code.NO_CASES_SCORE_UNSCORED]
    # Not applicable is fine on an unscored question.
    loads(_doc(_prosecuted(), count.replace("no_cases: 0.5", "no_cases: not_applicable")))


def test_no_cases_is_a_reserved_choice_value() -> None:
    text = _doc(_prosecuted()).replace(
        '{value: no, label: "No", score: 0}', "{value: no_cases, label: None}"
    )
    assert Code.RESERVED_VALUE in _codes(text)


def test_comparing_with_no_cases_needs_the_declaration() -> None:
    follow = """\
      - id: follow
        type: text
        text: Why?
        guidance: Ask.
        relevant: "{expr}"
"""
    plain = _prosecuted().replace("practice: true", "").replace("no_cases: not_applicable", "")
    for expr in ("${prosecuted} = 'no_cases'", "selected(${prosecuted}, 'no_cases')"):
        assert _codes(_doc(plain, follow.format(expr=expr))) == [Code.NO_CASES_NOT_DECLARED]
        loads(_doc(_prosecuted(), follow.format(expr=expr)))  # declared: fine


def test_answer_no_cases_is_refused_where_not_declared() -> None:
    plain = _prosecuted().replace("practice: true", "").replace("no_cases: not_applicable", "")
    q = loads(_doc(plain))
    with pytest.raises(AnswerError) as caught:
        validate_value(q.question("prosecuted"), "no_cases")
    assert caught.value.codes == [Code.NO_CASES_NOT_OFFERED]
    declared = loads(_doc(_prosecuted()))
    assert validate_value(declared.question("prosecuted"), "no_cases") == "no_cases"


# -- versions ---------------------------------------------------------------------------

OLD = _doc(
    _prosecuted(),
    _prosecuted().replace("prosecuted", "seized"),
    _prosecuted().replace("prosecuted", "convicted"),
)


def _folder(tmp_path: Path, text: str = OLD, name: str = "mini-1.0.0.yaml") -> Path:
    (tmp_path / "previous").mkdir(exist_ok=True)
    (tmp_path / "previous" / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_every_old_question_is_kept_replaced_or_dropped(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    merged = _prosecuted().replace("practice: true", "practice: true\n        replaces: [seized]")
    text = _doc(merged, version="1.1.0", top="dropped: [convicted]\n")
    q = loads(text, folder=folder)
    assert q.question("prosecuted").replaces == ("seized",)
    assert q.dropped == ("convicted",)
    # Forgetting one is a problem, naming the old id.
    assert _codes(_doc(merged, version="1.1.0"), folder) == [Code.UNACCOUNTED_QUESTION]


def test_replaced_and_dropped_ids_must_exist_in_the_previous_version(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    merged = _prosecuted().replace("practice: true", "practice: true\n        replaces: [seizd]")
    text = _doc(merged, version="2.0.0", top="dropped: [convicted, seized, prosecuted]\n")
    assert sorted(_codes(text, folder), key=str) == sorted(
        [Code.NOT_IN_PREVIOUS, Code.DROPPED_STILL_PRESENT], key=str
    )


def test_the_newest_lower_version_is_the_previous_one(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    newer = _doc(_prosecuted(), version="1.1.0", top="dropped: [seized, convicted]\n")
    _folder(tmp_path, newer, "mini-1.1.0.yaml")
    _folder(tmp_path, "not even read", "mini-3.0.0.yaml")  # higher: never the previous one
    loads(_doc(_prosecuted(), version="2.0.0"), folder=folder)  # against 1.1.0: all there
    # Named explicitly, 1.0.0 is checked instead.
    text = _doc(_prosecuted(), version="2.0.0", top="previous: 1.0.0\n")
    assert _codes(text, folder) == [Code.UNACCOUNTED_QUESTION] * 2


def test_a_named_previous_version_must_exist_and_be_older(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    text = _doc(_prosecuted(), version="2.0.0", top="previous: 1.5.0\n")
    assert _codes(text, folder) == [Code.PREVIOUS_NOT_FOUND]
    text = _doc(_prosecuted(), version="1.0.0", top="previous: 1.0.0\n")
    assert _codes(text, folder) == [Code.PREVIOUS_NOT_OLDER]


def test_replaces_without_a_previous_version_cannot_be_checked() -> None:
    merged = _prosecuted().replace("practice: true", "practice: true\n        replaces: [seized]")
    assert _codes(_doc(merged, version="1.1.0")) == [Code.NO_PREVIOUS]


def test_shipped_previous_versions_are_found_for_a_named_previous() -> None:
    # A copy of a shipped instrument, read from text, finds the shipped 1.0.0 by name.
    shipped = Path(__file__).resolve().parents[1] / "questionnaires" / "previous"
    text = (shipped / "organ_removal-1.0.0.yaml").read_text(encoding="utf-8")
    revised = text.replace("version: 1.0.0", "version: 1.0.1\nprevious: 1.0.0", 1)
    assert loads(revised).previous == "1.0.0"
    dropped = revised.replace("- id: ic_travel_data", "- id: ic_travel_data_renamed", 1)
    assert _codes(dropped) == [Code.UNACCOUNTED_QUESTION]


# -- warnings and the source rule --------------------------------------------------------


def test_unused_reference_is_a_warning_not_a_problem(tmp_path: Path) -> None:
    text = _doc(_prosecuted()).replace(
        "  model_law: {title: Model Law}",
        "  model_law: {title: Model Law}\n  spare: {title: Spare}",
    )
    path = tmp_path / "mini.yaml"
    path.write_text(text, encoding="utf-8")
    report = validate_files([path])
    assert report.ok
    assert [w.code for w in report.warnings] == [Code.UNUSED_REFERENCE]
    assert report.warnings[0].line == 6


@pytest.mark.parametrize(
    ("source", "ok"),
    [
        ("Trafficking Protocol art. 6(1)", True),
        ("Smuggling Protocol art. 16", True),
        ("UNTOC art. 14(2); CETS 197 art. 27", True),
        ("Model Law art. 5", True),
        ("Model Legislative Provisions (2020) art. 8", True),
        ("CETS 216 arts. 4-7", True),
        ("WHO GP 5", True),
        ("Declaration of Istanbul principle 6", True),
        ("GRETA questionnaire question 12", True),
        ("assessment-kit", True),
        ("WHO GP 9; assessment-kit", True),
        ("Needs Assessment Toolkit (2010), legal framework", False),
        ("Trafficking Protocol", False),
        ("CETS 198 art. 3", False),
        ("WHO Guiding Principles", False),
        ("UNTOC art. 14; toolkit chapter 3", False),
        ("", False),
    ],
)
def test_cites_provision(source: str, ok: bool) -> None:
    assert cites_provision(source) is ok
