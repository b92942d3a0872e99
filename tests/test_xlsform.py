"""XLSForm out and in: both shipped instruments convert with pyxform (the converter ODK
Central and KoboToolbox run) without an error or a warning, and come back from the
spreadsheet as the same questionnaire; a form written by hand becomes an instrument, and
its problems are named by sheet, row and column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assessment_kit.cli import main
from assessment_kit.errors import Code, ExpressionError, QuestionnaireError, StoreError
from assessment_kit.files.xlsform_expr import (
    from_xlsform,
    required_from_xlsform,
    required_to_xlsform,
    to_xlsform,
)
from assessment_kit.files.xlsform_in import import_xlsform
from assessment_kit.files.xlsform_out import write_xlsform, xlsform_sheets
from assessment_kit.questionnaire import builtin, builtin_ids, loads
from assessment_kit.questionnaire.expressions import parse
from assessment_kit.questionnaire.model import Questionnaire, Text

openpyxl = pytest.importorskip("openpyxl")
xls2xform = pytest.importorskip("pyxform.xls2xform")


def _convert(path: Path) -> tuple[str, list[str]]:
    """pyxform's XForm of a workbook, and every warning it gave."""
    warnings: list[str] = []
    result = xls2xform.convert(xlsform=str(path), warnings=warnings)
    return result.xform, [*warnings, *result.warnings]


def _texts(text: Text) -> tuple[str, dict[str, str]]:
    return text.en, dict(text.translations)


def _same(a: Questionnaire, b: Questionnaire) -> None:
    """The same instrument: sections, questions, scales, logic and texts (translations
    too, which the model's equality leaves out)."""
    assert (a.id, a.version, a.previous, a.dropped) == (b.id, b.version, b.previous, b.dropped)
    assert set(a.languages) == set(b.languages)
    assert _texts(a.title) == _texts(b.title)
    assert _texts(a.description) == _texts(b.description)
    assert dict(a.scales) == dict(b.scales)
    assert dict(a.respondent_types) == dict(b.respondent_types)
    assert dict(a.references) == dict(b.references)
    assert a.sections == b.sections
    for section_a, section_b in zip(a.sections, b.sections, strict=True):
        assert _texts(section_a.title) == _texts(section_b.title)
        assert _texts(section_a.description) == _texts(section_b.description)
        for qa, qb in zip(section_a.questions, section_b.questions, strict=True):
            assert dict(qa.areas) == dict(qb.areas), qa.id
            for field in ("text", "guidance", "evidence", "constraint_message"):
                assert _texts(getattr(qa, field)) == _texts(getattr(qb, field)), (qa.id, field)
            for field in ("relevant_expr", "constraint_expr", "required_expr", "calculate_expr"):
                assert getattr(qa, field) == getattr(qb, field), (qa.id, field)
            for choice_a, choice_b in zip(qa.choices, qb.choices, strict=True):
                assert _texts(choice_a.label) == _texts(choice_b.label)


@pytest.mark.parametrize("questionnaire_id", builtin_ids())
def test_pyxform_converts_a_shipped_instrument_without_warnings(
    tmp_path: Path, questionnaire_id: str
) -> None:
    questionnaire = builtin(questionnaire_id)
    result = write_xlsform(questionnaire, tmp_path / "form.xlsx")
    xform, warnings = _convert(result.path)
    assert warnings == []
    # The form's identity and version are the instrument's.
    assert f'<data id="{questionnaire_id}" version="{questionnaire.version}">' in xform
    # One group per section, after the interview group with its five fields.
    for section in questionnaire.sections:
        assert f'<group ref="/data/{section.id}">' in xform
    assert xform.index('<group ref="/data/interview">') < xform.index(
        f'<group ref="/data/{questionnaire.sections[0].id}">'
    )
    for field in ("respondent", "institution_type", "interview_date", "interviewer", "consent"):
        assert f'nodeset="/data/interview/{field}"' in xform
    # Skip logic reaches the XForm as XPath over the group paths.
    assert "relevant=" in xform


@pytest.mark.parametrize("questionnaire_id", builtin_ids())
def test_round_trip_gives_the_same_instrument(tmp_path: Path, questionnaire_id: str) -> None:
    original = builtin(questionnaire_id)
    form = write_xlsform(original, tmp_path / "form.xlsx").path
    result = import_xlsform(form, tmp_path / f"{questionnaire_id}.yaml")
    _same(original, result.questionnaire)
    # The file written is a valid questionnaire on its own.
    again = loads(result.path.read_text(encoding="utf-8"), file=str(result.path))
    _same(original, again)


def test_sheets_follow_the_xlsform_standard() -> None:
    sheets = xlsform_sheets(builtin("criminal_justice"))
    survey_columns, survey = sheets["survey"]
    rows = [dict(zip(survey_columns, row, strict=True)) for row in survey]
    assert (rows[0]["type"], rows[0]["name"]) == ("begin_group", "interview")
    assert [row["name"] for row in rows[1:6]] == [
        "respondent",
        "institution_type",
        "interview_date",
        "interviewer",
        "consent",
    ]
    assert rows[2]["type"] == "select_one institution_type"
    assert "label::English (en)" in survey_columns
    assert "guidance_hint::English (en)" in survey_columns
    choice_columns, choices = sheets["choices"]
    by_list: dict[str, list[str]] = {}
    for row in choices:
        cells = dict(zip(choice_columns, row, strict=True))
        by_list.setdefault(str(cells["list_name"]), []).append(str(cells["name"]))
    # The non-scored states are choices of every scale.
    assert by_list["yes_partly_no"] == [
        "yes",
        "partly",
        "no",
        "unknown",
        "not_applicable",
        "not_assessed",
        "declined",
    ]
    assert by_list["institution_type"] == list(builtin("criminal_justice").respondent_types)
    settings_columns, settings = sheets["settings"]
    assert dict(zip(settings_columns, settings[0], strict=True))["version"] == "2.0.0"


TRANSLATED = """
id: bilingual
version: 1.2.0
title: {en: Survey, fr: Enquête}
languages: [en, fr]
respondent_types:
  police: {label: {en: Police, fr: Police}, sector: law_enforcement}
scales:
  ypn:
    label: {en: Yes or no, fr: Oui ou non}
    choices:
      - {value: "yes", label: {en: "Yes", fr: Oui}, score: 1}
      - {value: "no", label: {en: "No", fr: Non}, score: 0}
sections:
  - id: law
    title: {en: Law, fr: Loi}
    description: {en: The law., fr: La loi.}
    questions:
      - id: has_law
        type: scale
        scale: ypn
        text: {en: Is there a law?, fr: Y a-t-il une loi ?}
        guidance: {en: Read it., fr: Lisez-la.}
        areas: {legislation: 1, criminal_justice: 0.5}
        recommendation: {text: {en: Adopt one., fr: Adoptez-en une.}, references: []}
        source: "UNTOC art. 5"
      - id: year
        type: integer
        text: {en: Which year?, fr: Quelle année ?}
        guidance: {en: The year of adoption., fr: L'année de son adoption.}
        relevant: "${has_law} = 'yes' and not(${has_law} = 'no')"
        constraint: ". >= 1990 and . <= 2100"
        constraint_message: {en: A year., fr: Une année.}
        required: true
        sensitive: true
      - id: kinds
        type: multiple
        text: {en: Which kinds?, fr: Quels types ?}
        guidance: Ask.
        choices:
          - {value: a, label: {en: A, fr: A}}
          - {value: b, label: {en: B, fr: B}}
        relevant: "string-length(${year}) < 3 or selected(${has_law}, 'yes')"
        constraint: "count-selected(.) < 2 or selected(., 'a')"
"""


def test_translations_become_language_columns_and_come_back(tmp_path: Path) -> None:
    original = loads(TRANSLATED, file="bilingual.yaml")
    form = write_xlsform(original, tmp_path / "form.xlsx").path
    xform, warnings = _convert(form)
    assert warnings == []
    assert 'lang="French (fr)"' in xform
    survey_columns = xlsform_sheets(original)["survey"][0]
    assert "label::French (fr)" in survey_columns
    result = import_xlsform(form, tmp_path / "bilingual.yaml")
    _same(original, result.questionnaire)
    assert result.questionnaire.question("has_law").text.get("fr") == "Y a-t-il une loi ?"


@pytest.mark.parametrize(
    "source",
    [
        "${a} != 'no'",
        "${a} = 'yes' and (${b} > 2 or ${c} <= 1.5)",
        "not(selected(${m}, 'x'))",
        "count-selected(${m}) >= 2",
        "if(${a} = 'yes', 1, 0) + -${n} * 2 div 3 mod 4",
        "string-length(coalesce(${t}, '')) > 0",
        "number(${t}) - (1 - 2)",
        ". >= 0",
        '${a} = "it\'s"',
        "true()",
    ],
)
def test_expressions_read_back_as_the_same_tree(source: str) -> None:
    expr = parse(source)
    assert from_xlsform(to_xlsform(expr)) == expr


def test_an_expression_xpath_cannot_write_is_refused() -> None:
    with pytest.raises(ExpressionError):
        to_xlsform(parse("${a} = 'it''s \"so\"'"))


@pytest.mark.parametrize(
    ("cell", "ours"),
    [("yes", "true()"), ("TRUE", "true()"), ("", None), ("no", None), ("${a} = 1", "${a} = 1")],
)
def test_required_cells(cell: str, ours: str | None) -> None:
    assert required_from_xlsform(cell) == ours


def test_required_always_is_yes() -> None:
    assert required_to_xlsform(parse("true()")) == "yes"
    assert required_to_xlsform(parse("${a} = 1")) == "${a} = 1"


# -- forms written by hand --------------------------------------------------------------


def _workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


SURVEY_HEADER = ["type", "name", "label", "hint", "relevant", "areas", "recommendation", "source"]
CHOICES = [
    ["list_name", "name", "label", "score"],
    ["ynp", "yes", "Yes", 1],
    ["ynp", "partly", "Partly", 0.5],
    ["ynp", "no", "No", 0],
    ["institution_type", "police", "Police", None],
]
SETTINGS = [["form_title", "form_id", "version"], ["Hand made", "hand_made", "1.0.0"]]


def test_a_hand_written_form_becomes_an_instrument(tmp_path: Path) -> None:
    form = _workbook(
        tmp_path / "form.xlsx",
        {
            "survey": [
                SURVEY_HEADER,
                ["start", "start", None, None, None, None, None, None],
                ["begin_group", "law", "The law", "About the law", None, None, None, None],
                [
                    "select_one ynp", "has_law", "Is there a law?", "Read the code", None,
                    "legislation:1 criminal_justice:0.5", "Adopt a law", "UNTOC art. 5",
                ],
                [
                    "integer", "year", "Since when?", "The year", "${has_law} != 'no'", None,
                    None, "assessment-kit",
                ],
                ["end_group", None, None, None, None, None, None, None],
            ],
            "choices": CHOICES,
            "settings": SETTINGS,
        },
    )  # fmt: skip
    _, warnings = _convert(form)
    assert warnings == []
    result = import_xlsform(form, tmp_path / "hand_made.yaml")
    questionnaire = result.questionnaire
    assert questionnaire.id == "hand_made"
    assert [s.id for s in questionnaire.sections] == ["law"]
    has_law = questionnaire.question("has_law")
    assert has_law.type == "single"
    assert [(c.value, c.score) for c in has_law.choices] == [
        ("yes", 1.0),
        ("partly", 0.5),
        ("no", 0.0),
    ]
    assert dict(has_law.areas) == {"legislation": 1.0, "criminal_justice": 0.5}
    assert has_law.guidance.en == "Read the code"
    assert questionnaire.question("year").relevant_expr == parse("${has_law} != 'no'")
    assert list(questionnaire.respondent_types) == ["police"]


def test_problems_are_named_by_sheet_row_and_column(tmp_path: Path) -> None:
    form = _workbook(
        tmp_path / "form.xlsx",
        {
            "survey": [
                SURVEY_HEADER,
                ["integer", "loose", "Outside any group", None, None, None, None, None],
                ["begin_group", "law", "The law", None, None, None, None, None],
                ["geopoint", "where", "Where?", None, None, None, None, None],
                ["integer", "since", "Since?", None, "today() > 1", None, None, None],
                ["integer", "many", "How many?", None, None, "legislation:lots", None, None],
                ["end_group", None, None, None, None, None, None, None],
            ],
            "choices": CHOICES,
            "settings": SETTINGS,
        },
    )
    out = tmp_path / "out.yaml"
    with pytest.raises(QuestionnaireError) as caught:
        import_xlsform(form, out)
    found = {(p.code, p.line, p.path) for p in caught.value.problems}
    assert found == {
        (Code.XLSFORM_GROUPS, 2, "survey:type"),
        (Code.XLSFORM_TYPE, 4, "survey:type"),
        (Code.XLSFORM_EXPRESSION, 5, "survey:relevant"),
        (Code.XLSFORM_CELL, 6, "survey:areas"),
    }
    assert not out.exists()


def test_the_questionnaires_own_problems_point_at_the_row(tmp_path: Path) -> None:
    form = _workbook(
        tmp_path / "form.xlsx",
        {
            "survey": [
                SURVEY_HEADER,
                ["begin_group", "law", "The law", None, None, None, None, None],
                [
                    "select_one ynp", "has_law", "Is there a law?", "Read it", None,
                    "nowhere:1", "Adopt one", "assessment-kit",
                ],
                ["integer", "year", "Since?", None, "${nobody} = 1", None, None, None],
                ["end_group", None, None, None, None, None, None, None],
            ],
            "choices": CHOICES,
            "settings": SETTINGS,
        },
    )  # fmt: skip
    with pytest.raises(QuestionnaireError) as caught:
        import_xlsform(form, tmp_path / "out.yaml")
    placed = {(p.code, p.line, p.path) for p in caught.value.problems}
    assert (Code.UNKNOWN_AREA, 3, "survey:areas") in placed
    assert (Code.DANGLING_REFERENCE, 4, "survey:relevant") in placed
    assert all(p.file == str(form) for p in caught.value.problems)


def test_a_workbook_without_a_survey_sheet(tmp_path: Path) -> None:
    form = _workbook(tmp_path / "form.xlsx", {"settings": SETTINGS})
    with pytest.raises(QuestionnaireError) as caught:
        import_xlsform(form, tmp_path / "out.yaml")
    assert caught.value.codes == [Code.XLSFORM_SHEET]


def test_the_output_is_never_a_mission_or_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "form.xlsx"
    out.write_bytes(b"already here")
    with pytest.raises(StoreError) as caught:
        write_xlsform(builtin("organ_removal"), out)
    assert caught.value.code is Code.OUTPUT_EXISTS
    assert out.read_bytes() == b"already here"


def test_cli_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    form = tmp_path / "form.xlsx"
    assert main(["xlsform", "organ_removal", "--out", str(form)]) == 0
    assert "organ_removal 2.0.0" in capsys.readouterr().out
    out = tmp_path / "organ_removal.yaml"
    assert main(["xlsform-import", str(form), "--out", str(out)]) == 0
    assert "organ_removal 2.0.0" in capsys.readouterr().out
    _same(builtin("organ_removal"), loads(out.read_text(encoding="utf-8"), file=str(out)))
    # A user's mistake is one message and status 1.
    assert main(["xlsform-import", str(tmp_path / "missing.xlsx"), "--out", str(out)]) == 1


def test_a_state_is_chosen_alone_on_the_tablet(tmp_path: Path) -> None:
    # The store refuses "unknown" combined with a choice; the form says so at once.
    original = loads(TRANSLATED, file="bilingual.yaml")
    columns, rows = xlsform_sheets(original)["survey"]
    kinds = next(dict(zip(columns, r, strict=True)) for r in rows if r[1] == "kinds")
    constraint = from_xlsform(str(kinds["constraint"]))
    assert constraint == parse(
        "(count-selected(.) < 2 or selected(., 'a')) and (count-selected(.) <= 1 or "
        "not(selected(., 'unknown') or selected(., 'not_applicable') or "
        "selected(., 'not_assessed') or selected(., 'declined')))"
    )
    # ... and the added check does not come back into the instrument.
    result = import_xlsform(write_xlsform(original, tmp_path / "f.xlsx").path, tmp_path / "b.yaml")
    assert result.questionnaire.question("kinds").constraint_expr == parse(
        "count-selected(.) < 2 or selected(., 'a')"
    )
