"""Headless widget tests: set values and click buttons in Python, then read the SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import ipywidgets as W
import pytest

from assessment_kit.questionnaire import loads
from assessment_kit.questionnaire.model import NON_SCORED_STATES, Questionnaire
from assessment_kit.store import Mission
from assessment_kit.widgets import (
    ConsolidationView,
    InterviewForm,
    ScoresDashboard,
    SectionsChooser,
)
from assessment_kit.widgets._controls import parsed

MINI = """\
id: mini
version: 1.0.0
title: A small instrument
languages: [en]
respondent_types:
  prosecutor: {label: Prosecutor, sector: justice}
  ngo: {label: NGO, sector: civil_society}
scales:
  ypn:
    label: Yes, partly or no
    choices:
      - {value: "yes", label: "Yes", score: 1}
      - {value: partly, label: Partly, score: 0.5}
      - {value: "no", label: "No", score: 0}
sections:
  - id: legal
    title: Legal framework
    questions:
      - id: intro
        type: note
        text: Ask for the penal code first.
      - id: offence
        type: scale
        recommendation: Strengthen this.
        scale: ypn
        text: Is trafficking in persons a distinct offence?
        guidance: Ask for the penal code article.
        evidence: The penal code.
        areas: {legislation: 1}
      - id: consent
        type: scale
        guidance: Ask for documents.
        recommendation: Strengthen this.
        scale: ypn
        text: Is consent irrelevant once a means is used?
        relevant: "${offence} != 'no'"
        areas: {legislation: 1}
      - id: consent_detail
        type: text
        guidance: Ask for documents.
        text: Quote the provision on consent.
        relevant: "${consent} = 'yes'"
      - id: cases
        type: integer
        guidance: Ask for documents.
        text: How many cases were prosecuted last year?
        constraint: ". >= 0 and . <= 500"
        constraint_message: Enter a number of cases between 0 and 500.
        required: "true()"
      - id: share
        type: decimal
        guidance: Ask for documents.
        text: Share of cases with a conviction (0 to 1)?
        constraint: ". >= 0 and . <= 1"
  - id: practice
    title: Practice
    respondent_types: [ngo]
    questions:
      - id: services
        type: multiple
        guidance: Ask for documents.
        recommendation: Strengthen this.
        text: Which services are offered?
        practice: true
        no_cases: not_applicable
        choices:
          - {value: shelter, label: Shelter, score: 0.5}
          - {value: legal, label: Legal aid, score: 0.5}
        areas: {protection: 1}
      - id: since
        type: date
        guidance: Ask for documents.
        text: Since when?
      - id: total
        type: calculate
        text: Cases times two
        calculate: "${cases} * 2"
"""


@pytest.fixture
def mini() -> Questionnaire:
    return loads(MINI, file="mini.yaml")


@pytest.fixture
def mission(tmp_path: Path, mini: Questionnaire) -> Mission:
    m = Mission.create(tmp_path / "m.db", country="Freedonia", title="Test", questionnaires=[mini])
    m.add_respondent("R01", institution_type="prosecutor", consent=True)
    return m


def rows(path: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Read the mission file directly, as another program would."""
    with sqlite3.connect(path) as conn:
        return conn.execute(sql, params).fetchall()


def stored(path: Path, question: str, respondent: str = "R01") -> object:
    found = rows(
        path,
        "SELECT value FROM answers WHERE respondent = ? AND question = ?",
        (respondent, question),
    )
    return found[0][0] if found else None


def test_clicking_a_choice_saves_it_with_history(mission: Mission) -> None:
    form = InterviewForm(mission, by="ana")
    card = form.card("offence")
    card.control.choice_buttons["partly"].value = True  # type: ignore[union-attr]
    assert stored(mission.path, "offence") == '"partly"'
    assert "Saved" in card.status.value
    card.control.choice_buttons["yes"].value = True  # type: ignore[union-attr]
    assert stored(mission.path, "offence") == '"yes"'
    history = rows(
        mission.path,
        "SELECT old_value, new_value, \"by\" FROM history WHERE kind = 'answer' ORDER BY id",
    )
    assert history == [(None, '"partly"', "ana"), ('"partly"', '"yes"', "ana")]
    # Choices stay exclusive.
    buttons = card.control.choice_buttons  # type: ignore[union-attr]
    assert [b.value for b in buttons.values()] == [True, False, False]


def test_non_scored_states_are_reachable_and_exclusive(mission: Mission) -> None:
    form = InterviewForm(mission)
    card = form.card("offence")
    control = card.control
    assert control is not None
    assert set(control.state_buttons) == set(NON_SCORED_STATES)
    assert all("ak-state" in b._dom_classes for b in control.state_buttons.values())
    assert all("ak-choice" in b._dom_classes for b in control.choice_buttons.values())  # type: ignore[attr-defined]
    control.choice_buttons["yes"].value = True  # type: ignore[attr-defined]
    control.state_buttons["unknown"].value = True
    assert stored(mission.path, "offence") == '"unknown"'
    assert not control.choice_buttons["yes"].value  # type: ignore[attr-defined]
    control.state_buttons["declined"].value = True
    assert stored(mission.path, "offence") == '"declined"'
    assert not control.state_buttons["unknown"].value
    # A number question has the states too; choosing one empties the box.
    cases = form.card("cases").control
    assert cases is not None
    cases.text.value = "12"  # type: ignore[attr-defined]
    cases.state_buttons["not_assessed"].value = True
    assert cases.text.value == ""  # type: ignore[attr-defined]
    assert stored(mission.path, "cases") == '"not_assessed"'


def test_no_cases_is_offered_only_where_declared(mission: Mission) -> None:
    mission.add_respondent("N01", institution_type="ngo", consent=True)
    form = InterviewForm(mission, respondent="N01")
    offence, services = form.card("offence").control, form.card("services").control
    assert offence is not None
    assert services is not None
    assert "no_cases" not in offence.state_buttons
    button = services.state_buttons["no_cases"]
    assert button.description == "No cases in the period"
    services.checkboxes["shelter"].value = True  # type: ignore[attr-defined]
    assert stored(mission.path, "services", "N01") == '["shelter"]'
    button.value = True
    assert stored(mission.path, "services", "N01") == '"no_cases"'
    assert not services.checkboxes["shelter"].value  # type: ignore[attr-defined]
    # Loaded again, the saved state shows as selected.
    again = InterviewForm(mission, respondent="N01")
    control = again.card("services").control
    assert control is not None
    assert control.state == "no_cases"


def test_sections_chooser_saves_a_partial_assessment(mission: Mission) -> None:
    chooser = SectionsChooser(mission, by="ana")
    saved: list[str] = []
    chooser.listeners.append(saved.append)
    boxes = chooser.controller.checkboxes["mini"]
    assert all(box.value for box in boxes.values())
    assert "Full assessment" in chooser.controller.status.value
    boxes["practice"].value = False
    assert rows(mission.path, "SELECT sections FROM instruments") == [('["legal"]',)]
    assert saved == ["mini"]
    assert "Left out (not scored, not counted as gaps): A small instrument: Practice" in (
        chooser.controller.status.value
    )
    boxes["legal"].value = False  # the last one stays ticked: nothing is saved
    assert boxes["legal"].value
    assert rows(mission.path, "SELECT sections FROM instruments") == [('["legal"]',)]
    boxes["practice"].value = True  # whole again
    assert rows(mission.path, "SELECT sections FROM instruments") == [(None,)]
    # Each change is in the history, by the assessor, for a merge to carry.
    assert rows(mission.path, "SELECT new_value, by FROM history WHERE kind = 'sections'") == [
        ('["legal"]', "ana"),
        ("null", "ana"),
    ]
    # Opened again, the chooser shows what the file holds.
    mission.set_sections("mini", ["practice"])
    again = SectionsChooser(mission).controller.checkboxes["mini"]
    assert (again["legal"].value, again["practice"].value) == (False, True)


def test_skip_logic_hides_and_shows_live(mission: Mission) -> None:
    form = InterviewForm(mission)
    offence = form.card("offence").control
    consent = form.card("consent")
    detail = form.card("consent_detail")
    assert offence is not None
    assert consent.control is not None
    offence.click("yes")  # type: ignore[attr-defined]
    assert consent.visible
    consent.control.click("yes")  # type: ignore[attr-defined]
    assert detail.visible
    offence.click("no")  # type: ignore[attr-defined]
    assert not consent.visible
    assert not detail.visible  # the chain collapses: consent no longer counts
    offence.click("partly")  # type: ignore[attr-defined]
    assert consent.visible
    assert detail.visible
    # Progress follows relevance: hidden questions are not counted.
    answered, relevant = form.controller.progress()
    assert (answered, relevant) == (2, 5)


def test_out_of_range_number_is_refused_inline_and_not_written(mission: Mission) -> None:
    form = InterviewForm(mission)
    card = form.card("cases")
    control = card.control
    assert control is not None
    control.text.value = "600"  # type: ignore[attr-defined]
    assert "between 0 and 500" in card.message.value
    assert "Not saved" in card.status.value
    assert stored(mission.path, "cases") is None
    control.text.value = "12"  # type: ignore[attr-defined]
    assert stored(mission.path, "cases") == "12"
    assert card.message.value == ""
    control.text.value = "twelve"  # type: ignore[attr-defined]
    assert "not a whole number" in card.message.value
    assert "still 12" in card.status.value
    control.text.value = "-3"  # type: ignore[attr-defined]
    assert stored(mission.path, "cases") == "12"
    assert rows(mission.path, "SELECT count(*) FROM history WHERE question = 'cases'") == [(1,)]
    share = form.card("share")
    share.control.text.value = "1.5"  # type: ignore[union-attr]
    assert share.message.value
    assert stored(mission.path, "share") is None
    share.control.text.value = "0,25"  # type: ignore[union-attr]
    assert stored(mission.path, "share") == "0.25"


@pytest.mark.parametrize(
    ("text", "integer", "value", "error"),
    [
        ("12", True, 12, False),
        (" -4 ", True, -4, False),
        ("1.5", True, None, True),
        ("1e3", True, None, True),
        ("", True, None, False),
        ("0,5", False, 0.5, False),
        (".5", False, 0.5, False),
        ("abc", False, None, True),
    ],
)
def test_number_parsing(text: str, integer: bool, value: object, error: bool) -> None:
    # The form reads typed text as every other way in does (questionnaire.answers).
    mini = loads(MINI, file="mini.yaml")
    entry = parsed(mini.question("cases" if integer else "share"), text)
    assert entry.value == value
    assert (entry.error is not None) is error


def test_impossible_date_is_refused_inline_and_the_saved_one_kept(mission: Mission) -> None:
    form = InterviewForm(mission, show_all=True)
    card = form.card("since")
    control = card.control
    assert control is not None
    control.text.value = "2024-03-01"  # type: ignore[attr-defined]
    assert stored(mission.path, "since") == '"2024-03-01"'
    control.text.value = "2026-13-45"  # type: ignore[attr-defined]
    assert "“2026-13-45” is not a date" in card.message.value
    assert "ak-invalid" in card.widget._dom_classes
    assert "still 2024-03-01" in card.status.value
    assert stored(mission.path, "since") == '"2024-03-01"'
    control.text.value = "2024-04-02"  # type: ignore[attr-defined]
    assert stored(mission.path, "since") == '"2024-04-02"'
    assert card.message.value == ""


@pytest.mark.parametrize(
    ("text", "value", "error"),
    [
        ("2024-03-01", "2024-03-01", False),
        (" 2024-02-29 ", "2024-02-29", False),
        ("", None, False),
        ("2026-13-45", None, True),
        ("2025-02-29", None, True),
        ("01/03/2024", None, True),
        ("20240301", None, True),
    ],
)
def test_date_parsing(text: str, value: object, error: bool) -> None:
    entry = parsed(loads(MINI, file="mini.yaml").question("since"), text)
    assert entry.value == value
    assert (entry.error is not None) is error


def test_required_message_and_next_section(mission: Mission) -> None:
    form = InterviewForm(mission, show_all=True)
    controller = form.controller
    assert controller.state.current == "legal"
    controller.next_button.click()
    assert controller.state.current == "legal"  # warned first
    assert "needs an answer" in form.card("cases").message.value
    controller.next_button.click()
    assert controller.state.current == "practice"


def test_note_evidence_confidential_saved_with_answer(mission: Mission) -> None:
    form = InterviewForm(mission)
    card = form.card("offence")
    card.control.click("partly")  # type: ignore[union-attr]
    card.details_button.value = True
    assert card.note_area is not None
    assert card.evidence_text is not None
    assert card.confidential_box is not None
    card.note_area.value = "Draft law pending"
    card.evidence_text.value = "Penal code art. 12"
    card.confidential_box.value = True
    assert rows(
        mission.path,
        "SELECT value, note, evidence, confidential FROM answers WHERE question = 'offence'",
    ) == [('"partly"', "Draft law pending", "Penal code art. 12", 1)]
    assert card.guidance_box is None  # built on demand
    card.guidance_button.value = True
    assert card.guidance_box is not None
    assert "penal code article" in card.guidance_box.value
    assert "The penal code." in card.guidance_box.value
    card.guidance_button.value = False
    assert card.guidance_box.layout.display == "none"


def test_other_types_save_and_calculate(mission: Mission) -> None:
    form = InterviewForm(mission, show_all=True)
    services = form.card("services").control
    assert services is not None
    services.checkboxes["legal"].value = True  # type: ignore[attr-defined]
    services.checkboxes["shelter"].value = True  # type: ignore[attr-defined]
    assert stored(mission.path, "services") == '["shelter", "legal"]'
    since = form.card("since").control
    since.text.value = "2024-03-01"  # type: ignore[union-attr]
    assert stored(mission.path, "since") == '"2024-03-01"'
    form.card("cases").control.text.value = "7"  # type: ignore[union-attr]
    assert "14" in form.card("total").calculated.value  # type: ignore[union-attr]
    detail = form.card("consent_detail")
    form.card("offence").control.click("yes")  # type: ignore[union-attr]
    form.card("consent").control.click("yes")  # type: ignore[union-attr]
    detail.control.text.value = "Article 3(b)"  # type: ignore[union-attr]
    assert stored(mission.path, "consent_detail") == '"Article 3(b)"'
    # Clicking the chosen button again clears the answer.
    form.card("consent").control.choice_buttons["yes"].value = False  # type: ignore[union-attr]
    assert stored(mission.path, "consent") is None
    assert not detail.visible


def test_institution_filter_and_show_all(mission: Mission) -> None:
    form = InterviewForm(mission)
    controller = form.controller
    buttons = controller.section_buttons
    assert buttons["practice"].layout.display == "none"  # NGO section hidden for a prosecutor
    controller.show_all.value = True
    assert buttons["practice"].layout.display is None
    assert buttons["legal"].description.endswith("0/4")  # consent_detail is not relevant yet
    controller.open_section("practice")
    assert form.card("services").visible
    controller.show_all.value = False
    # The open section is no longer for this respondent: the form goes back to one that is.
    assert controller.state.current == "legal"
    assert "Legal framework" in controller.section_title.value
    assert not form.card("services").visible


def test_sections_left_out_are_not_asked(mission: Mission) -> None:
    mission.add_respondent("N01", institution_type="ngo", consent=True)
    mission.set_sections("mini", ["practice"])
    form = InterviewForm(mission, respondent="N01")
    controller = form.controller
    buttons = controller.section_buttons
    assert buttons["legal"].layout.display == "none"  # left out of this mission
    assert buttons["practice"].layout.display is None
    assert controller.state.current == "practice"
    controller.show_all.value = True  # everything, on demand
    assert buttons["legal"].layout.display is None


def test_add_respondent_through_panel(mission: Mission) -> None:
    form = InterviewForm(mission)
    panel = form.controller.panel
    panel.new_button.click()
    panel.code_text.value = "N01"
    panel.type_picker.value = "ngo"
    assert panel.sector_text.value == "civil_society"
    panel.add_button.click()
    assert "consent" in panel.add_message.value  # refused without consent
    assert rows(mission.path, "SELECT count(*) FROM respondents") == [(1,)]
    panel.consent_box.value = True
    panel.add_button.click()
    assert rows(
        mission.path, "SELECT code, institution_type, sector, consent FROM respondents"
    ) == [("R01", "prosecutor", "justice", 1), ("N01", "ngo", "civil_society", 1)]
    assert panel.code == "N01"
    assert form.controller.session is not None
    assert form.controller.session.respondent == "N01"
    panel.add("N01", "ngo")
    assert "already exists" in panel.add_message.value


def test_reopening_shows_saved_answers_and_offers_to_continue(mission: Mission) -> None:
    form = InterviewForm(mission)
    form.card("offence").control.click("yes")  # type: ignore[union-attr]
    form.card("consent").control.click("partly")  # type: ignore[union-attr]
    path = mission.path
    mission.close()
    again = InterviewForm(path)
    controller = again.controller
    assert controller.panel.code == "R01"
    assert "Welcome back" in controller.banner.value
    assert controller.continue_button.layout.display is None
    card = again.card("offence")
    assert card.control.choice_buttons["yes"].value  # type: ignore[union-attr]
    assert "Saved" in card.status.value
    controller.continue_button.click()
    assert "ak-focus" in again.card("cases").widget._dom_classes


def test_section_built_lazily(mission: Mission) -> None:
    form = InterviewForm(mission, show_all=True)
    controller = form.controller
    assert set(controller.state.built) == {"legal"}
    controller.open_section("practice")
    assert set(controller.state.built) == {"legal", "practice"}


def test_consolidation_saves_with_rationale_and_history(mission: Mission) -> None:
    mission.add_respondent("R02", institution_type="prosecutor", consent=True)
    mission.add_respondent("R03", institution_type="prosecutor", consent=True)
    mission.set_answer("R01", "mini", "offence", "yes")
    mission.set_answer("R02", "mini", "offence", "no")
    mission.set_answer("R01", "mini", "cases", 3)
    mission.set_answer("R02", "mini", "cases", 3)
    mission.set_answer("R03", "mini", "cases", 3)
    view = ConsolidationView(mission, by="team")
    controller = view.controller
    assert controller.rows["question"].iloc[0] == "offence"  # disagreement first
    card = view.card("offence")
    assert "R01" in card.header.value
    assert "Prosecutor" in card.header.value
    assert "disagree" in card.header.value
    card.control.click("partly")  # type: ignore[union-attr]
    assert rows(mission.path, "SELECT count(*) FROM consolidated") == [(0,)]  # not yet
    card.rationale.value = "The law exists but is not applied."
    card.save_button.click()
    assert rows(
        mission.path, "SELECT question, value, rationale, updated_by FROM consolidated"
    ) == [("offence", '"partly"', "The law exists but is not applied.", "team")]
    card.control.click("yes")  # type: ignore[union-attr]
    card.save_button.click()
    history = rows(
        mission.path,
        "SELECT old_value, new_value FROM history WHERE kind = 'consolidated' ORDER BY id",
    )
    assert history == [(None, '"partly"'), ('"partly"', '"yes"')]
    assert "History" in card.history.value
    cases = view.card("cases")
    cases.control.text.value = "9999"  # type: ignore[union-attr]
    cases.save_button.click()
    assert rows(mission.path, "SELECT count(*) FROM consolidated WHERE question = 'cases'") == [
        (0,)
    ]
    assert "between 0 and 500" in cases.message.value


def test_consolidation_leaves_out_the_sections_not_assessed(mission: Mission) -> None:
    mission.add_respondent("N01", institution_type="ngo", consent=True)
    mission.set_answer("R01", "mini", "offence", "yes")
    mission.set_answer("N01", "mini", "services", ("shelter",))
    assert set(ConsolidationView(mission).controller.rows["question"]) == {"offence", "services"}
    mission.set_sections("mini", ["legal"])
    assert set(ConsolidationView(mission).controller.rows["question"]) == {"offence"}


def test_dashboard_updates_when_answers_change(mission: Mission) -> None:
    form = InterviewForm(mission)
    dashboard = ScoresDashboard(mission)
    dashboard.watch(form)
    controller = dashboard.controller
    assert set(controller.figures) == {"radar", "bars", "heatmap"}
    before = controller.refreshes
    form.card("offence").control.click("yes")  # type: ignore[union-attr]
    assert controller.refreshes == before + 1
    assert controller.scores is not None
    legislation = controller.scores.areas.set_index("area").loc["legislation", "score"]
    assert legislation == pytest.approx(100.0)
    assert "offence" not in controller.weakest.value  # a perfect answer is not weak
    form.card("offence").control.click("no")  # type: ignore[union-attr]
    assert "offence" in controller.weakest.value
    extra = __import__("ipywidgets").Button(description="Export briefing")
    dashboard.add_tool(extra)
    assert extra in controller.tools.children


def test_switching_respondent_closes_the_old_section_widgets(mission: Mission) -> None:
    mission.add_respondent("R02", institution_type="prosecutor", consent=True)
    form = InterviewForm(mission, respondent="R01")
    old = form.card("offence")
    button = old.control.choice_buttons["yes"]  # type: ignore[union-attr]
    shared_layout = button.layout
    form.controller.panel.select("R02")
    assert old.widget.comm is None
    assert button.comm is None
    assert shared_layout.comm is not None  # shared with the new cards, kept open
    new = form.card("offence")
    new.control.click("no")  # type: ignore[union-attr]
    assert stored(mission.path, "offence", respondent="R02") == '"no"'
    assert stored(mission.path, "offence", respondent="R01") is None


HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def html_shown(widget: object) -> str:
    """Every HTML widget's markup under ``widget``, as the browser would receive it."""
    found = []
    stack = [widget]
    while stack:
        item = stack.pop()
        if isinstance(item, W.HTML):
            found.append(item.value)
        stack.extend(getattr(item, "children", ()))
    return "\n".join(found)


def test_typed_text_is_shown_escaped_and_confidential_marked(mission: Mission) -> None:
    code = "R<b>9</b>"
    mission.add_respondent(
        code, institution_type="ngo", sector=HOSTILE, interviewer=HOSTILE, consent=True
    )
    form = InterviewForm(mission, respondent=code, by=HOSTILE)
    form.card("offence").control.click("yes")  # type: ignore[union-attr]
    form.card("consent").control.click("yes")  # type: ignore[union-attr]
    card = form.card("consent_detail")
    card.control.text.value = HOSTILE  # type: ignore[union-attr]
    card.details_button.value = True
    assert card.note_area is not None
    assert card.evidence_text is not None
    assert card.confidential_box is not None
    card.note_area.value = HOSTILE
    card.evidence_text.value = HOSTILE
    card.confidential_box.value = True
    assert stored(mission.path, "consent_detail", code) is not None
    shown = html_shown(form)
    assert "&lt;script&gt;" in shown  # the typed answer, escaped in the 'saved' line
    assert "&lt;b&gt;9&lt;/b&gt;" in shown  # the code in the banner

    view = ConsolidationView(mission, by=HOSTILE)
    view.controller.filter.value = "all"
    consolidation = view.card("consent_detail")
    header = consolidation.header.value
    assert header.count("&lt;script&gt;") == 4  # agreed answer, answer, note, evidence
    assert "R&lt;b&gt;9&lt;/b&gt;" in header
    assert "Confidential" in header
    consolidation.control.text.value = HOSTILE  # type: ignore[union-attr]
    consolidation.rationale.value = HOSTILE
    consolidation.save_button.click()
    assert "&lt;script&gt;" in consolidation.history.value  # who consolidated, and the value
    for markup in (shown, html_shown(view)):
        assert "<script" not in markup
        assert "<img" not in markup
        assert "<b>9</b>" not in markup
