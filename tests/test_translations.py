"""Translations of the instruments: keys, translation files, completeness, XLSX round trip."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from assessment_kit.cli import main
from assessment_kit.errors import (
    Code,
    ImportProblems,
    ProblemsError,
    QuestionnaireError,
    StoreError,
)
from assessment_kit.files.translations import export_translations, import_translations
from assessment_kit.questionnaire import builtin, builtin_dir, load, loads, validate_files
from assessment_kit.questionnaire.loader import loads_known
from assessment_kit.questionnaire.translation_files import parse_translation_file
from assessment_kit.questionnaire.translations import completeness, translatable
from assessment_kit.store import Mission

#: Export and import need the xlsx extra (openpyxl).
needs_xlsx = pytest.mark.skipif(
    importlib.util.find_spec("openpyxl") is None, reason="the xlsx extra is not installed"
)

MINI = """\
id: mini
version: 1.0.0
title: A small instrument
description: Two questions.
languages: [en]
respondent_types:
  prosecutor: {label: Prosecutor, sector: justice}
references:
  model_law: {title: Model Law against Trafficking in Persons}
scales:
  ypn:
    label: Yes, partly or no
    choices:
      - {value: yes, label: "Yes", score: 1}
      - {value: no, label: "No", score: 0}
sections:
  - id: legal
    title: Legal framework
    questions:
      - id: offence
        type: scale
        scale: ypn
        text: Is trafficking in persons a distinct offence?
        guidance: Ask for the penal code article.
        areas: {legislation: 1}
        recommendation:
          text: Criminalise trafficking in persons.
          references: [model_law]
      - id: forms
        type: multiple
        text: Which forms are covered?
        guidance: Read the definition of exploitation.
        choices:
          - {value: labour, label: Forced labour, score: 0.5}
          - {value: sexual, label: Sexual exploitation, score: 0.5}
        areas: {legislation: 1}
        constraint: count-selected(.) <= 2
        constraint_message: At most two.
        recommendation: Cover every form of exploitation.
"""

#: Every key of MINI, in file order (the scale question's choices are the scale's).
MINI_KEYS = [
    "title",
    "description",
    "respondent_types.prosecutor.label",
    "references.model_law.title",
    "scales.ypn.label",
    "scales.ypn.choices.yes",
    "scales.ypn.choices.no",
    "sections.legal.title",
    "questions.offence.text",
    "questions.offence.guidance",
    "questions.offence.recommendation",
    "questions.forms.text",
    "questions.forms.guidance",
    "questions.forms.choices.labour",
    "questions.forms.choices.sexual",
    "questions.forms.constraint_message",
    "questions.forms.recommendation",
]

FR = """\
instrument: mini
version: 1.0.0
language: fr
strings:
  title: {en: A small instrument, text: Un petit instrument}
  questions.offence.text:
    en: Is trafficking in persons a distinct offence?
    text: La traite des personnes est-elle une infraction distincte ?
  questions.forms.text:
    en: Which forms were covered?
    text: Quelles formes étaient couvertes ?
"""


def write_mini(folder: Path, translations: dict[str, str] | None = None) -> Path:
    path = folder / "mini.yaml"
    path.write_text(MINI, encoding="utf-8")
    for name, text in (translations or {}).items():
        (folder / "translations").mkdir(exist_ok=True)
        (folder / "translations" / name).write_text(text, encoding="utf-8")
    return path


def test_translatable_lists_every_text_in_file_order() -> None:
    strings = translatable(loads(MINI))
    assert [key for key, _ in strings] == MINI_KEYS
    assert dict(strings)["questions.forms.choices.labour"] == "Forced labour"


def test_translations_apply_while_their_english_is_current(tmp_path: Path) -> None:
    questionnaire = load(write_mini(tmp_path, {"mini.fr.yaml": FR}))
    assert questionnaire.title.get("fr") == "Un petit instrument"
    offence = questionnaire.question("offence")
    assert offence.text.get("fr") == "La traite des personnes est-elle une infraction distincte ?"
    # The entry for forms was made from other English: outdated, so English is shown.
    assert questionnaire.question("forms").text.get("fr") == "Which forms are covered?"
    assert offence.guidance.get("fr") == "Ask for the penal code article."
    assert questionnaire.title.get("en") == "A small instrument"
    count = completeness(questionnaire, "fr")
    assert (count.total, count.translated) == (len(MINI_KEYS), 2)
    assert count.outdated == ("questions.forms.text",)
    assert len(count.missing) == len(MINI_KEYS) - 3
    assert not count.complete


def test_a_scale_questions_choices_read_the_scales_translations(tmp_path: Path) -> None:
    text = FR + "  scales.ypn.choices.yes: {en: 'Yes', text: Oui}\n"
    questionnaire = load(write_mini(tmp_path, {"mini.fr.yaml": text}))
    (yes, _) = questionnaire.question("offence").choices
    assert yes.label.get("fr") == "Oui"
    assert questionnaire.scales["ypn"].choices[0].label.get("fr") == "Oui"


BAD_FILES = [
    # (file text, code, line)
    ("- a list\n", Code.TRANSLATION_NOT_MAPPING, 1),
    (FR.replace("instrument: mini", "instrument: other"), Code.TRANSLATION_INSTRUMENT, 1),
    (FR.replace("version: 1.0.0", "version: 0.9.0"), Code.TRANSLATION_VERSION, 2),
    (FR.replace("language: fr", "language: French"), Code.TRANSLATION_LANGUAGE, 3),
    (FR.replace("language: fr", "language: es"), Code.TRANSLATION_FILE_NAME, 3),
    (FR.replace("language: fr\n", "language: fr\nauthor: me\n"), Code.UNKNOWN_FIELD, 4),
    (FR.replace("strings:\n", "strings: none\n#\n").split("#")[0], Code.TRANSLATION_NOT_MAPPING, 4),
    (FR + "  questions.nope.text: {en: x, text: y}\n", Code.TRANSLATION_UNKNOWN_KEY, 12),
    (FR + "  questions.offence.guidance: {en: x}\n", Code.MISSING_FIELD, 12),
    (FR + "  questions.offence.guidance: {en: x, text: ''}\n", Code.TRANSLATION_EMPTY, 12),
    (FR + "  questions.offence.guidance: just text\n", Code.TRANSLATION_NOT_MAPPING, 12),
    (FR + "  title: {en: again, text: encore}\n", Code.DUPLICATE_KEY, 12),
]


@pytest.mark.parametrize(("text", "code", "line"), BAD_FILES)
def test_a_bad_translation_file_is_reported_with_its_line(
    tmp_path: Path, text: str, code: Code, line: int
) -> None:
    path = write_mini(tmp_path, {"mini.fr.yaml": text})
    with pytest.raises(QuestionnaireError) as caught:
        load(path)
    assert [(p.code, p.line) for p in caught.value.problems] == [(code, line)]
    assert caught.value.problems[0].file == str(tmp_path / "translations" / "mini.fr.yaml")


def test_every_problem_of_a_translation_file_is_reported_at_once(tmp_path: Path) -> None:
    text = FR.replace("version: 1.0.0", "version: 0.9.0") + "  nope: {en: x, text: y}\n"
    report = validate_files([write_mini(tmp_path, {"mini.fr.yaml": text})])
    assert [p.code for p in report.problems] == [
        Code.TRANSLATION_VERSION,
        Code.TRANSLATION_UNKNOWN_KEY,
    ]


def test_validate_reports_completeness_and_require_fails_when_incomplete(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_mini(tmp_path, {"mini.fr.yaml": FR})
    assert main(["validate", str(path)]) == 0
    assert f"fr: 2/{len(MINI_KEYS)} translated" in capsys.readouterr().out
    assert main(["validate", str(path), "--verbose"]) == 0
    out = capsys.readouterr().out
    assert "outdated: questions.forms.text" in out
    assert "missing: questions.offence.guidance" in out
    report = validate_files([path], require=["fr"])
    assert [p.code for p in report.problems] == [Code.TRANSLATION_INCOMPLETE]
    assert main(["validate", str(path), "--require", "fr"]) == 1


def test_validate_json_lists_the_missing_and_outdated_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_mini(tmp_path, {"mini.fr.yaml": FR})
    assert main(["validate", str(path), "--json", "--require", "fr"]) == 1
    (report,) = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    (french,) = report["languages"]
    assert french["language"] == "fr"
    assert (french["total"], french["translated"], french["complete"]) == (17, 2, False)
    assert french["outdated"] == ["questions.forms.text"]
    assert french["missing"][:2] == ["description", "respondent_types.prosecutor.label"]


def test_validate_require_passes_when_every_text_is_translated(tmp_path: Path) -> None:
    strings = "".join(
        f"  {key}: {{en: {english!r}, text: {'fr ' + english!r}}}\n"
        for key, english in translatable(loads(MINI))
    )
    text = "instrument: mini\nversion: 1.0.0\nlanguage: fr\nstrings:\n" + strings
    path = write_mini(tmp_path, {"mini.fr.yaml": text})
    report = validate_files([path], require=["fr"])
    assert report.ok
    (count,) = report.files[0].completeness
    assert count.complete
    assert count.translated == len(MINI_KEYS)
    assert main(["validate", str(path), "--require", "fr"]) == 0
    # A language nobody translated is not complete.
    assert main(["validate", str(path), "--require", "es"]) == 1


def test_validate_checks_a_translation_file_given_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_mini(tmp_path, {"mini.fr.yaml": FR})
    path = tmp_path / "translations" / "mini.fr.yaml"
    report = validate_files([path])
    assert report.ok
    (file_report,) = report.files
    assert file_report.translates == "fr"
    (count,) = file_report.completeness
    assert (count.translated, count.outdated) == (2, ("questions.forms.text",))
    assert main(["validate", str(path)]) == 0
    assert f"ok  {path}: fr translation of mini 1.0.0" in capsys.readouterr().out
    assert [p.code for p in validate_files([path], require=["fr"]).problems] == [
        Code.TRANSLATION_INCOMPLETE
    ]
    path.write_text(FR + "  nope: {en: x, text: y}\n", encoding="utf-8")
    assert [(p.code, p.line) for p in validate_files([path]).problems] == [
        (Code.TRANSLATION_UNKNOWN_KEY, 12)
    ]
    assert main(["validate", str(path)]) == 1


def _translate(workbook: Path, rows: dict[int, tuple[str | None, str]]) -> None:
    """Fill rows of an exported workbook: row number -> (new English or None, translation)."""
    import openpyxl

    book = openpyxl.load_workbook(workbook)
    sheet = book["strings"]
    for row, (english, translation) in rows.items():
        if english is not None:
            sheet.cell(row=row, column=3, value=english)
        sheet.cell(row=row, column=4, value=translation)
    book.save(workbook)


@needs_xlsx
def test_export_and_import_round_trip(tmp_path: Path) -> None:
    path = write_mini(tmp_path)
    out = tmp_path / "fr.xlsx"
    exported = export_translations(path, "fr", out)
    assert (exported.rows, exported.missing, exported.translated) == (17, 17, 0)
    # Row 2 is the title; row 10 the first question's text, whose English the translator's
    # copy has in another wording (changed since the export).
    _translate(out, {2: (None, "Un petit instrument"), 10: ("Old English?", "Ancien ?")})
    imported = import_translations(out, instrument=path)
    assert imported.path == tmp_path / "translations" / "mini.fr.yaml"
    assert (imported.written, imported.changed) == (2, ("questions.offence.text",))
    questionnaire = load(path)
    assert questionnaire.title.get("fr") == "Un petit instrument"
    assert (
        questionnaire.question("offence").text.get("fr")
        == questionnaire.question("offence").text.en
    )
    # Exported again, the sheet holds the current translations and their states.
    again = export_translations(path, "fr", tmp_path / "again.xlsx")
    assert (again.translated, again.outdated, again.missing) == (1, 1, 15)
    import openpyxl

    sheet = openpyxl.load_workbook(tmp_path / "again.xlsx")["strings"]
    assert [c.value for c in sheet[2]] == [
        "title",
        "title",
        "A small instrument",
        "Un petit instrument",
        "translated",
    ]
    assert [c.value for c in sheet[10]][3:] == ["Ancien ?", "outdated"]


@needs_xlsx
def test_import_is_all_or_nothing_and_names_every_bad_row(tmp_path: Path) -> None:
    path = write_mini(tmp_path, {"mini.fr.yaml": FR})
    before = (tmp_path / "translations" / "mini.fr.yaml").read_bytes()
    out = tmp_path / "fr.xlsx"
    export_translations(path, "fr", out)
    import openpyxl

    book = openpyxl.load_workbook(out)
    sheet = book["strings"]
    sheet.cell(row=3, column=4, value="Deux questions.")
    sheet.cell(row=4, column=1, value="respondent_types.judge.label")
    sheet.cell(row=6, column=1, value="title")
    sheet.cell(row=7, column=3).value = None
    sheet.cell(row=7, column=4, value="Oui")
    book.save(out)
    with pytest.raises(ImportProblems) as caught:
        import_translations(out, instrument=path)
    assert [(p.code, p.line) for p in caught.value.problems] == [
        (Code.TRANSLATION_UNKNOWN_KEY, 4),
        (Code.TRANSLATION_ROW_DUPLICATE, 6),
        (Code.TRANSLATION_EMPTY, 7),
    ]
    assert (tmp_path / "translations" / "mini.fr.yaml").read_bytes() == before


@needs_xlsx
def test_translations_cli_export_then_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_mini(tmp_path)
    out = tmp_path / "es.xlsx"
    assert main(["translations", "export", str(path), "--language", "es", "--out", str(out)]) == 0
    assert "17 missing (es)" in capsys.readouterr().out
    _translate(out, {2: (None, "Un pequeño instrumento")})
    assert main(["translations", "import", str(out), "--instrument", str(path)]) == 0
    assert load(path).title.get("es") == "Un pequeño instrumento"
    # Exporting over the workbook needs --force.
    assert main(["translations", "export", str(path), "--language", "es", "--out", str(out)]) == 1


def test_export_refuses_english_a_bad_code_and_the_instrument_itself(tmp_path: Path) -> None:
    path = write_mini(tmp_path)
    for language in ("en", "French"):
        with pytest.raises(ProblemsError) as caught:
            export_translations(path, language, tmp_path / "x.xlsx")
        assert caught.value.codes == [Code.TRANSLATION_LANGUAGE]
    with pytest.raises(StoreError) as refused:
        export_translations(path, "fr", path, force=True)
    assert refused.value.code == Code.OUTPUT_IS_INPUT
    assert path.read_text(encoding="utf-8") == MINI
    assert not (tmp_path / "x.xlsx").exists()


@needs_xlsx
@pytest.mark.parametrize("language", ["fr", "es"])
def test_a_shipped_translation_goes_through_a_workbook_unchanged(
    tmp_path: Path, language: str
) -> None:
    out = tmp_path / f"{language}.xlsx"
    exported = export_translations("criminal_justice", language, out)
    assert (exported.translated, exported.outdated, exported.missing) == (1106, 0, 0)
    written = tmp_path / "back.yaml"
    imported = import_translations(out, out=written)
    assert (imported.written, imported.changed, imported.untranslated) == (1106, (), 0)
    shipped = builtin_dir() / "translations" / f"criminal_justice.{language}.yaml"
    assert written.read_bytes() == shipped.read_bytes()


@needs_xlsx
def test_import_refuses_a_workbook_of_another_instrument(tmp_path: Path) -> None:
    out = tmp_path / "fr.xlsx"
    export_translations("organ_removal", "fr", out)
    with pytest.raises(ImportProblems) as caught:
        import_translations(out, instrument=write_mini(tmp_path))
    assert caught.value.codes == [Code.TRANSLATION_INSTRUMENT]
    assert not (tmp_path / "translations").exists()


def test_import_of_a_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(ImportProblems) as caught:
        import_translations(tmp_path / "none.xlsx", instrument=write_mini(tmp_path))
    assert caught.value.codes == [Code.FILE_NOT_FOUND]


def test_a_missions_instruments_read_the_translations_beside_it(tmp_path: Path) -> None:
    (tmp_path / "source").mkdir()
    questionnaire = load(write_mini(tmp_path / "source"))
    mission_path = tmp_path / "missions" / "m.db"
    mission_path.parent.mkdir()
    Mission.create(
        mission_path, country="Freedonia", title="t", questionnaires=[questionnaire]
    ).close()
    with Mission.open(mission_path) as mission:
        assert mission.questionnaires["mini"].title.get("fr") == "A small instrument"
    (mission_path.parent / "translations").mkdir()
    (mission_path.parent / "translations" / "mini.fr.yaml").write_text(FR, encoding="utf-8")
    with Mission.open(mission_path) as mission:
        assert mission.questionnaires["mini"].title.get("fr") == "Un petit instrument"
    # A file there for another version of the instrument is skipped, not an error: missions
    # of several versions may share a folder.
    other = FR.replace("version: 1.0.0", "version: 0.9.0").replace("Un petit", "Un autre")
    (mission_path.parent / "translations" / "mini.fr.yaml").write_text(other, encoding="utf-8")
    with Mission.open(mission_path) as mission:
        assert mission.questionnaires["mini"].title.get("fr") == "A small instrument"
    # Nor does a broken file stop the mission opening: it is left out (validate names it).
    broken = FR + "  nope: {en: x, text: y}\n"
    (mission_path.parent / "translations" / "mini.fr.yaml").write_text(broken, encoding="utf-8")
    with Mission.open(mission_path) as mission:
        assert mission.questionnaires["mini"].title.get("fr") == "A small instrument"


# -- the shipped instruments ----------------------------------------------------------------

#: French and Spanish are complete for both shipped instruments (issue 16); Arabic, Russian
#: and Chinese may stay partial, so they are not listed here.
SHIPPED = [
    ("criminal_justice", "fr"),
    ("criminal_justice", "es"),
    ("organ_removal", "fr"),
    ("organ_removal", "es"),
]


@pytest.mark.parametrize(("instrument", "language"), SHIPPED)
def test_shipped_translation_files_are_valid(instrument: str, language: str) -> None:
    # Shipped files are read without checks (by their SHA-256): this is where they are checked.
    path = builtin_dir() / "translations" / f"{instrument}.{language}.yaml"
    parsed, problems = parse_translation_file(
        path.read_text(encoding="utf-8"), str(path), builtin(instrument), language=language
    )
    assert problems == []
    assert parsed is not None


@pytest.mark.parametrize(("instrument", "language"), SHIPPED)
def test_shipped_instruments_are_complete_in_french_and_spanish(
    instrument: str, language: str
) -> None:
    questionnaire = builtin(instrument)
    count = completeness(questionnaire, language)
    assert count.missing == ()
    assert count.outdated == ()
    assert count.translated == count.total == len(translatable(questionnaire))
    assert language in questionnaire.languages


def test_validate_require_passes_for_the_shipped_instruments(
    capsys: pytest.CaptureFixture[str],
) -> None:
    paths = [str(builtin_dir() / f"{name}.yaml") for name in ("criminal_justice", "organ_removal")]
    assert main(["validate", *paths, "--require", "fr", "--require", "es"]) == 0
    assert "fr: 1106/1106 translated (100%)" in capsys.readouterr().out


def test_a_missions_copy_of_a_shipped_instrument_reads_the_shipped_translations() -> None:
    # A mission stores the instrument's text; read back it gets the shipped translations of
    # its id and version (loads_known: the path a mission opened in a new process takes).
    shipped = builtin("criminal_justice")
    stored = loads_known(shipped.source_text, "m.db:instruments/criminal_justice")
    assert stored is not shipped
    assert stored.title.get("es") == "Respuesta de la justicia penal a la trata de personas"
    question = stored.question("lf_protocol_ratified")
    assert "Protocolo para prevenir, reprimir y sancionar la trata de personas" in (
        question.text.get("es")
    )
    assert "Protocole visant à prévenir, réprimer et punir la traite des personnes" in (
        question.text.get("fr")
    )
    # A language nobody translated shows the English.
    assert question.text.get("ar") == question.text.en
