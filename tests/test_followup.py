"""Follow-up missions end to end: the stored baseline, the commands, the briefing and the demo.

The comparison itself is worked by hand in ``test_compare.py``; here real mission files go
through ``new --baseline``, ``compare`` and ``brief --baseline``, and the demo's PDF is read
back with pypdf and held to ``compare --json``.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from store_support import SURVEY_YAML

from assessment_kit.cli import main
from assessment_kit.errors import Code, ComparisonError
from assessment_kit.questionnaire import Questionnaire, loads
from assessment_kit.scoring.compare import (
    WORDS,
    baseline_ref,
    compare_files,
    compare_with_baseline,
)
from assessment_kit.store import Mission
from assessment_kit.store.mission import MissionRef

OTHER_YAML = SURVEY_YAML.replace("id: survey", "id: other", 1)


@pytest.fixture(scope="module")
def survey() -> Questionnaire:
    return loads(SURVEY_YAML, file="survey.yaml")


def make(path: Path, questionnaire: Questionnaire, **extra: object) -> Path:
    title = str(extra.pop("title", f"Mission {path.stem}"))
    with Mission.create(
        path,
        country="Freedonia",
        title=title,
        questionnaires=[questionnaire],
        start_date=date(2023, 3, 6),
        **extra,  # type: ignore[arg-type]
    ) as mission:
        mission.add_respondent("R1", institution_type="police", by="t")
        mission.set_answer("R1", questionnaire.id, "law", "partly", by="t")
    return path


def test_a_follow_up_records_its_baseline(tmp_path: Path, survey: Questionnaire) -> None:
    base = make(tmp_path / "base.db", survey)
    with Mission.open(base) as mission:
        assert mission.info.baseline is None
        ref = mission.info.ref()
    assert ref == MissionRef(ref.uuid, "Mission base", "Freedonia", date(2023, 3, 6), None)
    follow = make(tmp_path / "follow.db", survey, baseline=ref)
    # Reopened, and in a copy: the baseline travels with the file.
    shutil.copyfile(follow, tmp_path / "copy.db")
    for path in (follow, tmp_path / "copy.db"):
        with Mission.open(path) as mission:
            assert mission.info.baseline == ref
            assert mission.info.uuid != ref.uuid


def test_new_with_a_baseline_and_compare(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    survey_file = tmp_path / "survey.yaml"
    survey_file.write_text(SURVEY_YAML, encoding="utf-8")
    base = make(tmp_path / "base.db", loads(SURVEY_YAML, file="survey.yaml"))
    follow = tmp_path / "follow.db"
    args = ["new", str(follow), "--country", "Freedonia", "--questionnaire", str(survey_file)]
    assert main([*args, "--baseline", str(base)]) == 0
    assert "follow-up of Mission base" in capsys.readouterr().out
    with Mission.open(base) as before, Mission.open(follow) as after:
        assert after.info.baseline == before.info.ref()
        after.add_respondent("R1", institution_type="police", by="t")
        after.set_answer("R1", "survey", "law", "yes", by="t")
    assert main(["compare", str(base), str(follow), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == compare_files(base, follow).to_json()
    law = next(q for q in data["questions"] if q["question"] == "law")
    assert (law["then"]["score"], law["now"]["score"], law["status"]) == (0.5, 1.0, "improved")
    assert data["baseline"]["title"] == "Mission base"
    assert main(["compare", str(base), str(follow)]) == 0
    table = capsys.readouterr().out
    assert "Baseline recommendations" in table
    assert "Overall" in table


def test_a_baseline_of_other_instruments_is_refused(
    tmp_path: Path, survey: Questionnaire, capsys: pytest.CaptureFixture[str]
) -> None:
    base = make(tmp_path / "base.db", loads(OTHER_YAML, file="other.yaml"))
    with pytest.raises(ComparisonError) as caught:
        baseline_ref(base, [survey])
    assert caught.value.codes == [Code.COMPARE_INSTRUMENTS]
    follow = make(tmp_path / "follow.db", survey)
    with pytest.raises(ComparisonError) as caught:
        compare_files(base, follow)
    assert caught.value.codes == [Code.COMPARE_INSTRUMENTS]
    # The command: one line, exit 1, no file made, no traceback.
    survey_file = tmp_path / "survey.yaml"
    survey_file.write_text(SURVEY_YAML, encoding="utf-8")
    new = tmp_path / "new.db"
    status = main(
        ["new", str(new), "--country", "F", "--questionnaire", str(survey_file),
         "--baseline", str(base)]
    )  # fmt: skip
    assert status == 1
    assert not new.exists()
    assert "Traceback" not in capsys.readouterr().err
    assert main(["compare", str(base), str(follow)]) == 1


def test_the_briefing_refuses_a_file_that_is_not_the_baseline(
    tmp_path: Path, survey: Questionnaire
) -> None:
    base = make(tmp_path / "base.db", survey)
    stranger = make(tmp_path / "stranger.db", survey)
    with Mission.open(base) as mission:
        ref = mission.info.ref()
    follow = make(tmp_path / "follow.db", survey, baseline=ref)
    with Mission.open(follow) as mission:
        with pytest.raises(ComparisonError) as caught:
            compare_with_baseline(mission, stranger)
        assert caught.value.codes == [Code.NOT_THE_BASELINE]
        # A copy of the baseline is the baseline (copies share the mission's identity).
        shutil.copyfile(base, tmp_path / "base-copy.db")
        assert compare_with_baseline(mission, tmp_path / "base-copy.db").baseline == ref
    with Mission.open(stranger) as mission, pytest.raises(ComparisonError) as caught:
        compare_with_baseline(mission, base)
    assert caught.value.codes == [Code.NO_BASELINE]


def test_the_html_briefing_shows_the_progress_section(
    tmp_path: Path, survey: Questionnaire
) -> None:
    pytest.importorskip("nbconvert")
    from assessment_kit.briefing import export_briefing

    # User text from the baseline file reaches the page escaped.
    base = make(tmp_path / "base.db", survey, title="<script>alert(1)</script> baseline")
    with Mission.open(base) as mission:
        ref = mission.info.ref()
    follow = make(tmp_path / "follow.db", survey, baseline=ref)
    plain = export_briefing(follow, tmp_path / "plain.html", date=date(2026, 11, 25))
    plain_html = plain.path.read_text(encoding="utf-8")
    assert 'id="progress"' not in plain_html
    assert "Progress since the baseline (" not in plain_html
    out = export_briefing(
        follow, tmp_path / "brief.html", date=date(2026, 11, 25), baseline=base
    ).path.read_text(encoding="utf-8")
    assert "Progress since the baseline (March 2023)" in out
    assert 'href="#progress"' in out  # in the contents
    assert "<script>alert(1)" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt; baseline" in out
    assert 'id="progress"' in out
    with pytest.raises(ComparisonError) as caught:
        export_briefing(base, tmp_path / "wrong.html", baseline=follow)
    assert caught.value.codes == [Code.NO_BASELINE]
    assert not (tmp_path / "wrong.html").exists()


# -- the demo, printed --------------------------------------------------------------------


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _row(*cells: str) -> re.Pattern[str]:
    """A table row as pypdf reads it: the cells in order, any whitespace between."""
    return re.compile(r"\s+".join(re.escape(cell).replace(r"\ ", r"\s+") for cell in cells))


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _signed(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1f}"


@pytest.mark.slow
def test_the_demo_pdf_shows_the_numbers_of_compare_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("nbconvert")
    from pypdf import PdfReader

    from assessment_kit.briefing.browser import find_browser
    from assessment_kit.errors import BrowserNotFoundError

    try:
        find_browser()
    except BrowserNotFoundError:
        pytest.skip("no Chromium to print the demo's PDF")
    assert main(["demo", "--out", str(tmp_path), "--quiet"]) == 0
    capsys.readouterr()
    base, follow = tmp_path / "freedonia-baseline.db", tmp_path / "freedonia-demo.db"
    assert main(["compare", str(base), str(follow), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    # The demo shows what a follow-up is for: some recommendations acted on, others not.
    counts = data["counts"]["recommendations"]
    assert counts["acted_on"] > 0
    assert counts["not_yet"] > 0
    assert {q["match"] for q in data["questions"]} == {"same", "renamed", "split", "merged"}
    assert any(q["now"]["state"] == "no_cases" for q in data["questions"])

    reader = PdfReader(tmp_path / "freedonia-briefing.pdf")
    pages = [page.extract_text() or "" for page in reader.pages]
    start = next(i for i, text in enumerate(pages) if "This mission follows up" in text)
    end = next(i for i, text in enumerate(pages) if i > start and "3.1 " in text)
    section = _words(" ".join(pages[start:end]))
    assert "Progress since the baseline (March 2023)" in section
    for area in data["areas"]:
        then, now = area["then"], area["now"]
        expected = _row(
            area["name"], _score(then["score"]), _score(now["score"]), _signed(area["change"])
        )
        assert expected.search(section), area["name"]
        assert f"{_score(then['low'])}–{_score(then['high'])}" in section
    overall = data["overall"]
    assert _row(
        "Overall", _score(overall["then"]), _score(overall["now"]), _signed(overall["change"])
    ).search(section)
    assert (
        f"Of the {len(data['recommendations'])} recommendations of the baseline, "
        f"{counts['acted_on']} acted on, {counts['partly']} partly, {counts['not_yet']} not "
        f"yet; cannot tell for {counts['cannot_tell']}."
    ) in section
    # Each recommendation's row: number, then and now on 0..100 (the JSON's 0..1), status.
    for number, rec in enumerate(data["recommendations"], start=1):
        then = _score(100 * rec["then_score"])
        now = "—" if rec["now_score"] is None else _score(100 * rec["now_score"])
        status = rec["status"].replace("_", " ")
        assert _row(then, now, status).search(section), (number, rec["text"])
    worsened = sorted(
        (q for q in data["questions"] if q["status"] == "worsened"), key=lambda q: q["change"]
    )
    for question in worsened[:15]:
        assert _row(
            _score(100 * question["then"]["score"]),
            _score(100 * question["now"]["score"]),
            _signed(100 * question["change"]),
        ).search(section), question["question"]


# -- the scores dashboard -----------------------------------------------------------------


def test_the_dashboard_draws_the_baseline_beside_the_scores(
    tmp_path: Path, survey: Questionnaire
) -> None:
    pytest.importorskip("ipywidgets")
    pytest.importorskip("plotly")
    from assessment_kit.widgets import ScoresDashboard, baseline_for

    base = make(tmp_path / "base.db", survey)
    with Mission.open(base) as mission:
        ref = mission.info.ref()
    follow = make(tmp_path / "follow.db", survey, baseline=ref)
    with Mission.open(follow) as mission:
        mission.set_answer("R1", "survey", "law", "yes", by="t")
        assert baseline_for(mission, "base.db") == tmp_path / "base.db"  # beside the mission
        dashboard = ScoresDashboard(mission, baseline=baseline_for(mission, "base.db"))
        controller = dashboard.controller
        names = {trace.name for key in ("radar", "bars") for trace in controller.figures[key].data}
        assert "Baseline (March 2023)" in names
        assert controller.baseline_scores is not None
        assert controller.comparison is not None
        # The notebook's numbers are compare --json's.
        expected = compare_files(base, follow).to_json()
        assert controller.comparison.to_json()["areas"] == expected["areas"]
        legislation = next(a for a in expected["areas"] if a["id"] == "legislation")
        assert f"{legislation['change']:+.1f}" in controller.progress.value
        # Without a baseline: no overlay; with another mission's file: refused by code.
        plain = ScoresDashboard(mission).controller
        assert "Baseline" not in {t.name for t in plain.figures["radar"].data}
        with pytest.raises(ComparisonError) as caught:
            ScoresDashboard(mission, baseline=make(tmp_path / "other.db", survey))
        assert caught.value.codes == [Code.NOT_THE_BASELINE]
    with Mission.open(base) as mission:
        assert baseline_for(mission, "base.db") is None  # a baseline has no baseline


def test_the_progress_chart_says_what_compare_json_says(
    tmp_path: Path, survey: Questionnaire
) -> None:
    pytest.importorskip("plotly")
    from assessment_kit.charts import progress_figure

    base = make(tmp_path / "base.db", survey)
    with Mission.open(base) as mission:
        ref = mission.info.ref()
    follow = make(tmp_path / "follow.db", survey, baseline=ref)
    with Mission.open(follow) as mission:
        mission.set_answer("R1", "survey", "law", "yes", by="t")
    comparison = compare_files(base, follow)
    figure = progress_figure(comparison)
    baseline_bars, now_bars, labels = figure.data
    assert (baseline_bars.name, now_bars.name) == ("Baseline", "Now")
    areas = list(reversed(comparison.to_json()["areas"]))  # the first area on top
    assert list(labels.y) == [area["name"] for area in areas]
    for area, label in zip(areas, labels.text, strict=True):
        words = WORDS[area["verdict"]]
        assert label == (words if area["change"] is None else f"{area['change']:+.1f} · {words}")


def test_the_demo_baseline_is_2023_on_the_earlier_instruments(tmp_path: Path) -> None:
    from assessment_kit.demo import create_demo_baseline, demo_baseline_path

    assert demo_baseline_path(tmp_path / "freedonia-demo-2.db").name == "freedonia-baseline-2.db"
    assert demo_baseline_path(tmp_path / "m.db").name == "m-baseline.db"
    with create_demo_baseline(tmp_path / "b.db") as mission:
        info = mission.info
        respondents = mission.respondents()
        answers = mission.answers_frame()
    assert info.instruments == (("criminal_justice", "1.0.0"), ("organ_removal", "1.0.0"))
    assert (info.start_date, info.baseline) == (date(2023, 3, 6), None)
    assert 4 <= len(respondents) < 13
    assert len(answers) > 100
