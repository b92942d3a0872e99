"""The form in the mission's language, and an assessor switching language mid-interview:
the display changes, the stored answers never do."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from assessment_kit.questionnaire import builtin
from assessment_kit.questionnaire.model import Question, Questionnaire
from assessment_kit.store import Mission
from assessment_kit.widgets import InterviewForm


@pytest.fixture
def instrument() -> Questionnaire:
    return builtin("criminal_justice")


@pytest.fixture
def mission(tmp_path: Path, instrument: Questionnaire) -> Mission:
    m = Mission.create(
        tmp_path / "m.db",
        country="Freedonia",
        title="Test",
        questionnaires=[instrument],
        language="fr",
    )
    m.add_respondent("R01", institution_type=next(iter(instrument.respondent_types)))
    return m


def _table(path: Path, sql: str) -> list[tuple[object, ...]]:
    """The mission file read directly, as another program would."""
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def _answers(path: Path) -> list[tuple[object, ...]]:
    return _table(
        path,
        "SELECT respondent, questionnaire, question, value, note, evidence, confidential,"
        ' "by", updated_at FROM answers ORDER BY question',
    )


def _choices(form: InterviewForm, count: int) -> list[Question]:
    """The first ``count`` choice questions of the open section."""
    section = form.controller.questionnaire.section(form.controller.state.current or "")
    return [q for q in section.questions if q.choices and q.type in ("scale", "single")][:count]


def test_the_form_opens_in_the_missions_language(mission: Mission) -> None:
    form = InterviewForm(mission, by="ana")
    assert form.controller.language == "fr"
    assert form.controller.language_picker.value == "fr"
    question = _choices(form, 1)[0]
    card = form.card(question.id)
    assert question.text.translations["fr"] in card.header.value
    first = question.choices[0]
    button = card.control.choice_buttons[first.value]  # type: ignore[union-attr]
    assert button.description == first.label.translations["fr"]


def test_switching_language_mid_interview_changes_the_display_only(mission: Mission) -> None:
    form = InterviewForm(mission, by="ana")
    first, second = _choices(form, 2)
    form.card(first.id).control.choice_buttons[first.choices[0].value].value = True  # type: ignore[union-attr]
    before = _answers(mission.path)
    history = _table(mission.path, "SELECT count(*) FROM history")
    assert [row[3] for row in before] == [f'"{first.choices[0].value}"']

    # Arabic: the instrument has no Arabic text, so the English shows, marked as English;
    # the page turns right to left; the answer given is still shown; nothing is written.
    form.controller.language_picker.value = "ar"
    assert "ak-rtl" in form.controller.widget._dom_classes
    card = form.card(first.id)
    assert '<span lang="en" dir="ltr">' in card.header.value
    assert first.text.en in card.header.value
    assert "(بالإنكليزية)" in card.header.value
    assert card.control.choice_buttons[first.choices[0].value].value  # type: ignore[union-attr]
    assert _answers(mission.path) == before
    assert _table(mission.path, "SELECT count(*) FROM history") == history

    # An answer given in Arabic is stored as the same value it would be in French.
    form.card(second.id).control.choice_buttons[second.choices[-1].value].value = True  # type: ignore[union-attr]
    form.controller.language_picker.value = "fr"
    assert "ak-rtl" not in form.controller.widget._dom_classes
    after = _answers(mission.path)
    assert [row for row in after if row[2] == first.id] == before
    values = {row[2]: row[3] for row in after}
    assert values == {
        first.id: f'"{first.choices[0].value}"',
        second.id: f'"{second.choices[-1].value}"',
    }
    assert form.card(second.id).control.choice_buttons[second.choices[-1].value].value  # type: ignore[union-attr]
    assert question_text_in(form, second, "fr")
    # The mission keeps its own language: the switch was the assessor's display alone.
    assert mission.info.language == "fr"


def question_text_in(form: InterviewForm, question: Question, code: str) -> bool:
    return question.text.translations[code] in form.card(question.id).header.value
