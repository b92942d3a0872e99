"""The briefing context and its HTML sections: pure data, respondents protected, escaped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from briefing_support import (
    CODE_EVIDENCE,
    CONFIDENTIAL_MARKER,
    INTERVIEWER,
    RESPONDENT_CODE,
    RESPONDENTS,
    SCRIPT_NOTE,
    SENSITIVE_MARKER,
    SURNAME_NOTE,
    VISIBLE_NOTE,
    make_mission,
)

from assessment_kit.areas import AREA_IDS
from assessment_kit.briefing.context import BriefingContext, briefing_context, briefing_date
from assessment_kit.scoring import score_mission
from assessment_kit.store import Mission

DATE = dt.date(2026, 3, 20)


@pytest.fixture(scope="module")
def mission_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_mission(tmp_path_factory.mktemp("context") / "mission.db")


@pytest.fixture(scope="module")
def context(mission_path: Path) -> Iterator[BriefingContext]:
    with Mission.open(mission_path) as mission:
        yield briefing_context(mission, date=DATE)


@pytest.fixture(scope="module")
def sections(context: BriefingContext) -> dict[str, str]:
    from assessment_kit.briefing.notebook import render_sections

    return render_sections(context)


def test_mission_facts_and_scores(context: BriefingContext, mission_path: Path) -> None:
    with Mission.open(mission_path) as mission:
        expected = score_mission(mission).to_json()
    assert context.country == "Freedonia"
    assert context.date == DATE
    assert [area.id for area in context.areas] == list(AREA_IDS)
    for area, row in zip(context.areas, expected["areas"], strict=True):
        assert area.name == row["name"]
        shown = None if area.score.score is None else round(area.score.score, 1)
        assert shown == row["score"]
        assert area.score.band == row["band"]
    assert context.overall.band == expected["overall"]["band"]


def test_no_respondent_identity_or_confidential_text(context: BriefingContext) -> None:
    text = repr(context)
    for code, _ in RESPONDENTS:
        assert code not in text
    for forbidden in (INTERVIEWER, CONFIDENTIAL_MARKER, SENSITIVE_MARKER):
        assert forbidden not in text


def test_notes_become_findings_with_names_scrubbed(context: BriefingContext) -> None:
    notes = [note.text for area in context.areas for note in area.notes]
    assert SCRIPT_NOTE in notes  # raw here; escaping is the renderer's job
    visible = [note for note in notes if VISIBLE_NOTE in note]
    assert visible == [f"{VISIBLE_NOTE} (said [a respondent] to [the interviewer])"]


def test_names_are_scrubbed_in_any_case_and_by_part(context: BriefingContext) -> None:
    surname = INTERVIEWER.split()[-1]
    notes = [note.text for area in context.areas for note in area.notes]
    evidence = [item.text for area in context.areas for item in area.evidence]
    assert SURNAME_NOTE.replace(surname.lower(), "[the interviewer]") in notes
    assert CODE_EVIDENCE.replace(RESPONDENT_CODE.lower(), "[a respondent]") in evidence
    text = repr(context).lower()
    assert surname.lower() not in text
    assert RESPONDENT_CODE.lower() not in text


def test_scoring_warnings_are_scrubbed_too(mission_path: Path) -> None:
    import dataclasses

    with Mission.open(mission_path) as mission:
        scores = score_mission(mission)
        warning = f"consolidated answer '{RESPONDENT_CODE} said so, {INTERVIEWER}' is ignored"
        scores = dataclasses.replace(scores, warnings=(warning,))
        context = briefing_context(mission, scores, date=DATE)
    assert context.warnings == (
        "consolidated answer '[a respondent] said so, [the interviewer]' is ignored",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("R10 and r1 met", "[a respondent] and [a respondent] met"),
        ("INGRID  VANTONGEREN said", "[the interviewer] said"),
        ("Vantongeren's view", "[the interviewer]'s view"),
        ("with Jan van der Berg, then Berg", "with [the interviewer], then [the interviewer]"),
        ("a van and a der", "a van and a der"),
        ("R1x and xR1 are other words", "R1x and xR1 are other words"),
    ],
)
def test_scrubber(text: str, expected: str) -> None:
    from assessment_kit.briefing.text import NameScrubber

    scrub = NameScrubber(["R1", "R10"], ["Ingrid Vantongeren", "Jan van der Berg", " "])
    assert scrub(text) == expected


def test_recommendations_ordered_by_priority_and_grouped_by_area(
    context: BriefingContext,
) -> None:
    items = context.recommendations
    assert items, "the test mission has weak answers"
    priorities = [item.priority for item in items]
    assert priorities == sorted(priorities, reverse=True)
    assert [item.rank for item in items] == list(range(1, len(items) + 1))
    grouped = [item for group in context.recommendation_groups for item in group.items]
    assert sorted(grouped, key=lambda item: item.rank) == list(items)
    order = list(AREA_IDS)
    assert [g.area for g in context.recommendation_groups] == sorted(
        (g.area for g in context.recommendation_groups), key=order.index
    )
    for item in items:
        assert item.score is not None
        assert item.score < 50
        for reference in item.references:
            assert reference.label.startswith("T")
            assert reference.title
            assert reference.title != reference.id
    assert {ref.id for item in items for ref in item.references} == {
        ref.id for ref in context.tools
    }


def test_methodology_counts_respondents_by_type_and_sector(context: BriefingContext) -> None:
    method = context.methodology
    assert method.respondents == len(RESPONDENTS)
    assert sum(count for _, _, count in method.by_institution) == len(RESPONDENTS)
    assert sum(count for _, count in method.by_sector) == len(RESPONDENTS)
    assert [label for label, _, _ in method.bands] == [
        "Absent",
        "Initial",
        "Developing",
        "Established",
        "Advanced",
    ]


def test_annex_has_one_row_per_relevant_scored_question(
    context: BriefingContext, mission_path: Path
) -> None:
    with Mission.open(mission_path) as mission:
        questions = score_mission(mission).questions
    relevant = questions[questions["relevant"].astype(bool)]
    assert len(context.annex) == len(relevant)
    assert len({(row.questionnaire, row.question) for row in context.annex}) == len(relevant)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"SOURCE_DATE_EPOCH": "1773964800"}, dt.date(2026, 3, 20)),
        ({"SOURCE_DATE_EPOCH": "not a number"}, None),  # today
        ({}, None),
    ],
)
def test_briefing_date(env: dict[str, str], expected: dt.date | None) -> None:
    # "Today" is read around the call, not when the tests are collected: a run that crosses
    # midnight (CI's did) must still pass.
    before = dt.date.today()
    got = briefing_date(None, env)
    after = dt.date.today()
    assert got == expected if expected is not None else got in (before, after)
    assert briefing_date(DATE, env) == DATE


def test_sections_escape_user_text(sections: dict[str, str]) -> None:
    html = "\n".join(sections.values())
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert RESPONDENT_CODE not in html
    assert INTERVIEWER not in html


def test_contents_link_to_existing_anchors(
    context: BriefingContext, sections: dict[str, str]
) -> None:
    from assessment_kit.briefing.notebook import table_of_contents

    html = "\n".join(sections.values())
    for anchor, _, _ in table_of_contents(context):
        assert f'href="#{anchor}"' in sections["contents"]
        assert f'id="{anchor}"' in html or anchor == "findings-by-area"


def test_briefing_notebook_is_valid_and_deterministic(context: BriefingContext) -> None:
    import nbformat

    from assessment_kit.briefing.notebook import Chart, briefing_notebook

    charts = {"radar": Chart("radar", {"data": [], "layout": {}}, "caption", "<svg></svg>")}
    first = briefing_notebook(context, charts)
    nbformat.validate(first)
    assert nbformat.writes(first) == nbformat.writes(briefing_notebook(context, charts))
    assert all(cell.source == "" for cell in first.cells)
    assert first.metadata["assessment_kit"]["briefing"]["date"] == DATE.isoformat()


def test_stable_svg_replaces_only_plotlys_uid() -> None:
    from assessment_kit.briefing.svg import placeholder_svg, stable_svg

    svg = (
        '<svg><defs id="defs-ad1c0f"><clipPath id="clipad1c0fxyplot"/></defs>'
        '<g clip-path="url(#clipad1c0fxyplot)" style="fill: #ad1c0f"/></svg>'
    )
    fixed = stable_svg(svg, "c00001")
    assert 'id="defs-c00001"' in fixed
    assert "url(#clipc00001xyplot)" in fixed
    assert "#ad1c0f" in fixed  # a colour that happens to look like the uid stays
    assert stable_svg(fixed, "c00001") == fixed
    assert 'viewBox="0 0 700 400"' in placeholder_svg({"layout": {"width": 700, "height": 400}})


def test_plotly_json_cannot_close_its_script_element() -> None:
    import json

    from assessment_kit.briefing.exporters import plotly_json

    figure = {"layout": {"title": {"text": "</script><script>alert(1)</script> & more"}}}
    text = plotly_json(figure)
    assert "</script" not in text
    assert "<" not in text
    assert json.loads(text) == figure
