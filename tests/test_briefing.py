"""The briefing end to end: export PDF and HTML, read the PDF back, check what it says.

One PDF and two HTML exports are shared by the module (a PDF takes a few seconds).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from briefing_support import (
    CODE_EVIDENCE,
    CONFIDENTIAL_MARKER,
    INTERVIEWER,
    RESPONDENTS,
    SENSITIVE_MARKER,
    SURNAME_NOTE,
    footer_last,
    make_mission,
)
from pypdf import PdfReader

from assessment_kit.briefing import BriefingResult, export_briefing
from assessment_kit.errors import BriefingError, BrowserNotFoundError

DATE = dt.date(2026, 3, 20)
#: Never in a briefing, in any case: the surname stands for the interviewer's name by part.
FORBIDDEN = (
    CONFIDENTIAL_MARKER,
    SENSITIVE_MARKER,
    INTERVIEWER,
    INTERVIEWER.split()[-1],
    *(c for c, _ in RESPONDENTS),
)


@dataclass
class Exported:
    mission: Path
    pdf: BriefingResult
    html: BriefingResult
    html_again: BriefingResult
    pages: list[str]
    stages: list[tuple[str, int, int]]


def _normalise(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Exported:
    folder = tmp_path_factory.mktemp("briefing")
    mission = make_mission(folder / "mission.db")
    stages: list[tuple[str, int, int]] = []
    pdf = export_briefing(
        mission, folder / "out" / "briefing.pdf", date=DATE, progress=lambda *a: stages.append(a)
    )
    html = export_briefing(mission, folder / "one.html", date=DATE)
    html_again = export_briefing(mission, folder / "two.html", date=DATE)
    reader = PdfReader(pdf.path)
    pages = [_normalise(footer_last(page.extract_text())) for page in reader.pages]
    return Exported(mission, pdf, html, html_again, pages, stages)


@pytest.fixture(scope="module")
def score_json(exported: Exported) -> dict[str, object]:
    """What ``assessment-kit score --json`` prints for the mission."""
    script = (
        "import sys; from assessment_kit.cli import main; "
        "sys.exit(main(['score', sys.argv[1], '--json']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(exported.mission)],
        capture_output=True,
        text=True,
        check=True,
    )
    data: dict[str, object] = json.loads(done.stdout)
    return data


pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_pdf_pages_and_progress(exported: Exported) -> None:
    assert exported.pdf.pages == len(exported.pages) >= 12
    assert exported.pdf.path.read_bytes().startswith(b"%PDF")
    assert [stage for stage, _, _ in exported.stages] == [
        "Finding a browser",
        "Reading the mission",
        "Scoring",
        "Drawing charts",
        "Building the briefing",
        "Printing the PDF",
        "Done",
    ]
    assert exported.stages[-1][1:] == (6, 6)
    assert not [p for p in exported.pdf.path.parent.iterdir() if ".part" in p.name]


def test_cover_contents_and_page_numbers(exported: Exported) -> None:
    cover, contents = exported.pages[0], exported.pages[1]
    assert "Freedonia" in cover
    assert "20 March 2026" in cover
    assert "Page" not in cover  # the cover has no footer
    total = len(exported.pages)
    for number, text in enumerate(exported.pages[1:], start=2):
        assert f"Page {number} of {total}" in text
    # The contents give each chapter's page; check them against where the headings are.
    for heading in ("1 Executive summary", "4 Recommendations", "5 Methodology"):
        found = re.search(re.escape(heading) + r"\s*(\d+)", contents)
        assert found, heading
        page = int(found.group(1))
        assert exported.pages[page - 1].startswith(heading)


def test_every_area_with_the_score_and_band_of_score_json(
    exported: Exported, score_json: dict[str, object]
) -> None:
    areas = score_json["areas"]
    assert isinstance(areas, list)
    assert len(areas) == 7
    for number, area in enumerate(areas, start=1):
        heading = f"3.{number} {area['name']}"
        page = next(text for text in exported.pages if text.startswith(heading))
        score = "—" if area["score"] is None else f"{area['score']:.1f}"
        assert f"{heading} " in page
        assert score in page
        assert area["band"] in page
    summary = next(t for t in exported.pages if t.startswith("1 Executive summary"))
    for area in areas:
        assert area["name"] in summary


def test_recommendations_and_charts_present(exported: Exported) -> None:
    text = " ".join(exported.pages)
    assert "4 Recommendations" in text
    assert "R1 " in text
    assert "Standard tools referred to" in text
    # Chart text is real text in the PDF: the SVGs are vector, not pictures.
    assert "Score by area, with its range" in text
    assert "Scores, ranges and coverage" in text
    assert exported.pdf.charts == 3


def test_nothing_confidential_and_script_shown_as_text(exported: Exported) -> None:
    pdf_text = " ".join(exported.pages)
    html = exported.html.path.read_text(encoding="utf-8")
    for forbidden in FORBIDDEN:
        assert forbidden.lower() not in pdf_text.lower()
        assert forbidden.lower() not in html.lower()
    # The note and the evidence that named them are shown, with the names replaced.
    assert f"[the interviewer] {SURNAME_NOTE.split(' ', 1)[1]}" in pdf_text
    assert CODE_EVIDENCE.split(" by ")[0] in pdf_text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script> shelters are full" in pdf_text  # shown, not run
    assert "def " not in pdf_text
    assert "import " not in pdf_text


def test_mission_title_and_country_are_escaped(tmp_path: Path) -> None:
    title = "<img src=x onerror=alert(1)>"
    mission = make_mission(tmp_path / "mission.db", country="A & B", title=title)
    html = export_briefing(mission, tmp_path / "b.html", date=DATE).path.read_text("utf-8")
    pdf = export_briefing(mission, tmp_path / "b.pdf", date=DATE).path
    page = re.sub(r"<script>.*?</script>", "", html, flags=re.DOTALL)  # without plotly.js
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<title>A &amp; B: needs assessment briefing</title>" in page
    assert "A & B" not in page
    reader = PdfReader(pdf)
    pages = [_normalise(footer_last(p.extract_text())) for p in reader.pages]
    assert title in pages[0]  # shown as text
    assert "A & B · Needs assessment briefing" in pages[1]  # the footer, escaped as text
    assert reader.metadata is not None
    assert reader.metadata.title == "A & B: needs assessment briefing"


def test_same_input_same_html(exported: Exported, tmp_path: Path) -> None:
    first = exported.html.path.read_bytes()
    assert first == exported.html_again.path.read_bytes()
    # SOURCE_DATE_EPOCH fixes the date as well as the option does.
    script = (
        "import sys; from assessment_kit.briefing import export_briefing; "
        "export_briefing(sys.argv[1], sys.argv[2])"
    )
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1773964800"}  # 2026-03-20
    out = tmp_path / "epoch.html"
    subprocess.run(
        [sys.executable, "-c", script, str(exported.mission), str(out)], env=env, check=True
    )
    assert out.read_bytes() == first


def test_html_is_interactive_and_self_contained(exported: Exported) -> None:
    html = exported.html.path.read_text(encoding="utf-8")
    assert html.count('class="chart-interactive') == 3
    assert "Plotly.newPlot" in html
    assert "https://" not in html.split("<script>", 1)[0]  # no remote stylesheet or font
    assert exported.html.pages is None


def test_notebook_output(exported: Exported, tmp_path: Path) -> None:
    import nbformat

    result = export_briefing(exported.mission, tmp_path / "briefing.ipynb", date=DATE)
    nb = nbformat.read(result.path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["assessment_kit"]["briefing"]["country"] == "Freedonia"


def test_unknown_suffix_is_refused_before_any_work(exported: Exported, tmp_path: Path) -> None:
    with pytest.raises(BriefingError, match=r"\.pdf, \.html or \.ipynb"):
        export_briefing(exported.mission, tmp_path / "briefing.docx")
    assert not list(tmp_path.iterdir())


def test_no_browser_clear_message_and_no_file(
    exported: Exported, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(empty))
    out = tmp_path / "out" / "briefing.pdf"
    with pytest.raises(BrowserNotFoundError) as caught:
        export_briefing(exported.mission, out)
    message = str(caught.value)
    assert "No Chromium or Chrome was found" in message
    assert "apt-get install chromium" in message
    assert "BROWSER_PATH" in message
    assert not out.exists()
    assert not out.parent.exists() or not list(out.parent.iterdir())


def _font_descriptors(reader: PdfReader) -> list[object]:
    found = []
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                found.append(descendant.get_object().get("/FontDescriptor").get_object())
    return found


def test_fonts_are_embedded(exported: Exported) -> None:
    descriptors = _font_descriptors(PdfReader(exported.pdf.path))
    assert descriptors
    for descriptor in descriptors:
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_browser_that_cannot_start(
    exported: Exported, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROWSER_PATH", shutil.which("true") or "/bin/true")
    out = tmp_path / "briefing.pdf"
    with pytest.raises(BriefingError, match="could not start the browser"):
        export_briefing(exported.mission, out)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
@pytest.mark.browser
def test_contents_links_lead_to_their_pages(exported: Exported) -> None:
    """The contents page is printed again once numbered; its links must still resolve."""
    reader = PdfReader(exported.pdf.path)
    names = reader.named_destinations
    targets = []
    for annotation in reader.pages[1].get("/Annots") or []:
        link = annotation.get_object()
        destination = link.get("/Dest")
        if destination is None:
            continue
        name = str(destination).lstrip("/")
        targets.append(reader.get_destination_page_number(names["/" + name]) + 1)
    # Each entry is "number title page": a page is a number after a word, before the next
    # entry's number (or the annex, or the end).
    contents = exported.pages[1].split(" Freedonia · Needs assessment briefing")[0]  # no footer
    entries = re.findall(r"(?<=[a-z)]) (\d+)(?= \d| Annex|$)", contents)
    numbers = [int(n) for n in entries]
    assert len(targets) >= 10
    assert targets == numbers[: len(targets)]


#: The fill colour of the contents' dotted leaders (#9aa5b1), as the PDF sets it.
LEADER_FILL = b".6039 .6471 .6941 rg"


def test_contents_leaders_are_painted_on_their_page_only(exported: Exported) -> None:
    """Each dot of a leader is a little rectangle: painted on every page (clipped away, so
    unseen), they made some prints a fifth larger than others of the same page."""
    reader = PdfReader(exported.pdf.path)
    painted = [
        number
        for number, page in enumerate(reader.pages, start=1)
        if LEADER_FILL in page.get_contents().get_data()
    ]
    assert painted == [2]


def test_footer_text_is_one_css_string_whatever_it_holds() -> None:
    from assessment_kit.briefing.pdf import css_string

    hostile = 'A & B " } @page { x } </style><script>\\ \n · Côte d’Ivoire 😀 end'
    literal = css_string(hostile)
    inner = literal[1:-1]
    assert literal[0] == literal[-1] == '"'
    assert not set('"\n<>{};') & set(inner.replace("\\", ""))
    decoded = re.sub(r"\\([0-9a-f]{6}) ", lambda m: chr(int(m.group(1), 16)), inner)
    assert decoded == hostile
