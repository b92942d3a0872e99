"""The loader and validator, one small inline questionnaire per kind of mistake."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from assessment_kit.errors import Code, QuestionnaireError
from assessment_kit.questionnaire import load, loads, validate_files

VALID = """\
id: mini
version: 1.0.0
title: A small instrument
languages: [en, fr]
respondent_types:
  prosecutor: {label: Prosecutor, sector: justice}
  ngo: {label: NGO, sector: civil_society}
references:
  model_law: {title: Model Law against Trafficking in Persons}
scales:
  ypn:
    label: Yes, partly or no
    choices:
      - {value: yes, label: "Yes", score: 1}
      - {value: partly, label: Partly, score: 0.5}
      - {value: no, label: "No", score: 0}
sections:
  - id: legal
    title: {en: Legal framework, fr: Cadre juridique}
    respondent_types: [prosecutor]
    questions:
      - id: offence
        type: scale
        scale: ypn
        text: Is trafficking in persons a distinct offence?
        guidance: Ask for the penal code article.
        areas: {legislation: 1}
        weight: 2
        recommendation:
          text: Adopt a specific offence.
          references: [model_law]
      - id: consent
        type: scale
        scale: ypn
        text: Is consent irrelevant once a means is used?
        guidance: Read the definition.
        relevant: "${offence} != 'no'"
        areas: {legislation: 1, criminal_justice: 0.5}
        recommendation: Make consent irrelevant.
      - id: cases
        type: integer
        text: How many cases were prosecuted last year?
        guidance: Prosecution statistics.
        constraint: ". >= 0"
        respondent_types: [prosecutor, ngo]
"""


def test_valid_questionnaire_builds_the_model() -> None:
    q = loads(VALID, file="mini.yaml")
    assert q.id == "mini"
    assert [s.id for s in q.sections] == ["legal"]
    assert list(q.questions) == ["offence", "consent", "cases"]
    offence = q.question("offence")
    assert offence.scored
    assert offence.weight == 2
    assert offence.score_of("partly") == 0.5
    assert offence.score_of("unknown") is None
    assert q.question("cases").scored is False
    assert q.question("consent").relevant_expr is not None
    assert q.sections[0].title.get("fr") == "Cadre juridique"
    # yes/no stay strings: booleans are only true/false
    assert [c.value for c in offence.choices] == ["yes", "partly", "no"]
    assert [x.id for x in q.questions_for("ngo")] == ["cases"]


def _replace(old: str, new: str) -> str:
    assert old in VALID, old
    return VALID.replace(old, new, 1)


def _line_of(text: str, needle: str, occurrence: int = 1) -> int:
    count = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            count += 1
            if count == occurrence:
                return number
    raise AssertionError(needle)


# (name, text, expected code, a line fragment that locates the problem)
CASES = [
    (
        "duplicate question id",
        _replace("- id: consent", "- id: offence"),
        Code.DUPLICATE_ID,
        ("- id: offence", 2),
    ),
    ("unknown area", _replace("{legislation: 1}", "{legislature: 1}"), Code.UNKNOWN_AREA, None),
    (
        "unknown scale",
        _replace("scale: ypn\n        text: Is traff", "scale: yesno\n        text: Is traff"),
        Code.UNKNOWN_SCALE,
        ("scale: yesno", 1),
    ),
    (
        "dangling reference",
        _replace("${offence} != 'no'", "${ofence} != 'no'"),
        Code.DANGLING_REFERENCE,
        ("${ofence}", 1),
    ),
    (
        "bad expression syntax",
        _replace("${offence} != 'no'", "${offence} !== 'no'"),
        Code.EXPRESSION_SYNTAX,
        ("!==", 1),
    ),
    (
        "unknown type",
        _replace("type: integer", "type: number"),
        Code.UNKNOWN_TYPE,
        ("type: number", 1),
    ),
    (
        "missing text",
        _replace("        text: How many cases were prosecuted last year?\n", ""),
        Code.MISSING_FIELD,
        ("- id: cases", 1),
    ),
    ("score out of [0, 1]", _replace("score: 0.5", "score: 5"), Code.SCORE_RANGE, ("score: 5", 1)),
    (
        "yaml syntax error",
        _replace(
            "areas: {legislation: 1}\n        weight", "areas: {legislation: 1\n        weight"
        ),
        Code.YAML_SYNTAX,
        None,
    ),
    (
        "unknown respondent type",
        _replace("[prosecutor, ngo]", "[prosecutor, judge]"),
        Code.UNKNOWN_RESPONDENT_TYPE,
        ("[prosecutor, judge]", 1),
    ),
    (
        "unknown reference tool",
        _replace("references: [model_law]", "references: [model_lawz]"),
        Code.UNKNOWN_REFERENCE_TOOL,
        ("[model_lawz]", 1),
    ),
    (
        "reserved choice value",
        _replace("{value: partly,", "{value: unknown,"),
        Code.RESERVED_VALUE,
        ("{value: unknown,", 1),
    ),
    (
        "scored question without areas",
        _replace("        areas: {legislation: 1}\n        weight: 2\n", ""),
        Code.MISSING_AREAS,
        ("- id: offence", 1),
    ),
    ("unknown field", _replace("weight: 2", "wieght: 2"), Code.UNKNOWN_FIELD, ("wieght: 2", 1)),
    ("bad version", _replace("version: 1.0.0", "version: one"), Code.VERSION, ("version: one", 1)),
    (
        "translation in an undeclared language",
        _replace("fr: Cadre juridique", "de: Rechtsrahmen"),
        Code.UNKNOWN_LANGUAGE,
        ("de: Rechtsrahmen", 1),
    ),
    (
        "duplicate key",
        _replace("weight: 2", "weight: 2\n        weight: 3"),
        Code.DUPLICATE_KEY,
        ("weight: 3", 1),
    ),
]


@pytest.mark.parametrize(("name", "text", "code", "locate"), CASES, ids=[c[0] for c in CASES])
def test_each_mistake_is_catalogued_with_its_line(
    name: str, text: str, code: Code, locate: tuple[str, int] | None
) -> None:
    with pytest.raises(QuestionnaireError) as caught:
        loads(text, file="mini.yaml")
    problems = [p for p in caught.value.problems if p.code is code]
    assert problems, f"{name}: expected {code}, got {caught.value.codes}"
    problem = problems[0]
    assert problem.file == "mini.yaml"
    assert problem.line is not None
    if locate is not None:
        assert problem.line == _line_of(text, *locate), str(problem)
    assert problem.hint
    assert "mini.yaml:" in str(problem)


def test_yaml_syntax_error_points_at_the_line() -> None:
    text = "id: x\nversion: 1.0.0\ntitle: [unclosed\nsections: []\n"
    with pytest.raises(QuestionnaireError) as caught:
        loads(text, file="broken.yaml")
    assert caught.value.codes == [Code.YAML_SYNTAX]
    assert caught.value.problems[0].line in (3, 4)


def test_cycle_is_reported() -> None:
    text = _replace(
        "- id: offence\n        type: scale",
        "- id: offence\n        relevant: \"${consent} != 'no'\"\n        type: scale",
    )
    with pytest.raises(QuestionnaireError) as caught:
        loads(text, file="mini.yaml")
    cycles = [p for p in caught.value.problems if p.code is Code.CYCLE]
    assert len(cycles) == 1
    assert "${offence}" in cycles[0].message
    assert "${consent}" in cycles[0].message
    assert cycles[0].line == _line_of(text, "- id: offence")


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n"])
def test_empty_file(text: str) -> None:
    with pytest.raises(QuestionnaireError) as caught:
        loads(text, file="empty.yaml")
    assert caught.value.codes == [Code.EMPTY_FILE]
    assert caught.value.problems[0].line == 1


def test_every_problem_is_reported_at_once() -> None:
    text = (
        VALID.replace("{legislation: 1}", "{legislature: 1}", 1)
        .replace("score: 0.5", "score: 5", 1)
        .replace("type: integer", "type: number", 1)
    )
    with pytest.raises(QuestionnaireError) as caught:
        loads(text, file="mini.yaml")
    assert {Code.UNKNOWN_AREA, Code.SCORE_RANGE, Code.UNKNOWN_TYPE} <= set(caught.value.codes)
    lines = [p.line for p in caught.value.problems]
    assert lines == sorted(lines)


def test_path_names_ids_not_positions() -> None:
    with pytest.raises(QuestionnaireError) as caught:
        loads(_replace("{legislation: 1}", "{legislature: 1}"), file="mini.yaml")
    assert caught.value.problems[0].path == "sections[legal].questions[offence].areas.legislature"


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(QuestionnaireError) as caught:
        load(tmp_path / "nope.yaml")
    assert caught.value.codes == [Code.FILE_NOT_FOUND]


def test_validate_files_reports_each_file(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(VALID)
    bad = tmp_path / "bad.yaml"
    bad.write_text(textwrap.dedent(VALID).replace("type: integer", "type: number"))
    report = validate_files([good, bad])
    assert not report.ok
    assert [r.ok for r in report.files] == [True, False]
    assert report.problems[0].file == str(bad)


def test_infinite_weight_is_refused() -> None:
    with pytest.raises(QuestionnaireError) as caught:
        loads(_replace("weight: 2", "weight: .inf"), file="mini.yaml")
    assert caught.value.codes == [Code.SCHEMA]
    assert "finite" in caught.value.problems[0].message
