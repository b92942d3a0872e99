"""The briefing says what the method did: sections left out of a partial assessment,
"No cases in the period", the disagreement threshold, and what the instruments are."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assessment_kit.briefing.context import BriefingContext, briefing_context
from assessment_kit.briefing.notebook import render_sections
from assessment_kit.questionnaire import loads
from assessment_kit.store import Mission

YAML = """\
id: mini
version: 1.0.0
title: Mini instrument
respondent_types:
  police: {label: Police, sector: law_enforcement}
scales:
  ypn:
    choices:
      - {value: "yes", label: "Yes", score: 1}
      - {value: partly, label: Partly, score: 0.5}
      - {value: "no", label: "No", score: 0}
sections:
  - id: law
    title: Law
    questions:
      - {id: offence, type: scale, scale: ypn, text: Offence?, guidance: Code.,
         areas: {legislation: 1}, recommendation: Adopt.}
  - id: practice
    title: Practice
    questions:
      - {id: prosecuted, type: scale, scale: ypn, text: Were cases prosecuted?,
         guidance: Cases., practice: true, no_cases: not_applicable,
         areas: {criminal_justice: 1}, recommendation: Prosecute.}
      - {id: convicted, type: scale, scale: ypn, text: Were traffickers convicted?,
         guidance: Cases., areas: {criminal_justice: 1}, recommendation: Convict.}
  - id: care
    title: Victim care
    questions:
      - {id: shelters, type: scale, scale: ypn, text: Shelters?, guidance: Visit.,
         areas: {protection: 1}, recommendation: Open shelters.}
"""


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> BriefingContext:
    path: Path = tmp_path_factory.mktemp("method") / "m.db"
    questionnaire = loads(YAML, file="mini.yaml")
    with Mission.create(
        path, country="Freedonia", title="T", questionnaires=[questionnaire],
        sections=["law", "practice"],
    ) as mission:  # fmt: skip
        mission.add_respondent("P1", institution_type="police")
        mission.set_answer("P1", "mini", "offence", "yes")
        mission.set_answer("P1", "mini", "prosecuted", "no_cases")
        mission.set_answer("P1", "mini", "convicted", "partly")
        mission.set_answer("P1", "mini", "shelters", "no")  # not assessed: not a gap
        return briefing_context(mission, date=dt.date(2026, 3, 20))


def test_partial_assessment_is_said_and_not_counted_as_gaps(context: BriefingContext) -> None:
    assert context.methodology.left_out == (("mini", "Victim care"),)
    assert "Partial assessment: Victim care (mini) not assessed." in context.key_messages
    protection = next(area for area in context.areas if area.id == "protection")
    assert protection.score.score is None
    assert all(item.question != "shelters" for item in context.recommendations)
    assert "shelters" not in {row.question for row in context.annex}
    methodology = render_sections(context)["methodology"]
    assert "Partial assessment, left out:" in methodology
    assert "Victim care (mini)." in methodology


def test_no_cases_is_labelled(context: BriefingContext) -> None:
    row = next(row for row in context.annex if row.question == "prosecuted")
    assert (row.answer, row.state, row.score) == (
        "No cases in the period",
        "No cases in the period",
        None,
    )
    assert all(item.question != "prosecuted" for item in context.recommendations)


def test_methodology_states_what_the_instruments_are(context: BriefingContext) -> None:
    methodology = render_sections(context)["methodology"]
    text = " ".join(methodology.split())
    assert "modelled on UNODC's needs assessment toolkits" in text.replace("&#39;", "'")
    assert "not endorsed by UNODC" in text
    assert "No cases in the period" in text
    assert "Disagreement: answers 2+ scale steps apart." in text
