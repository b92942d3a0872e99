"""The briefing in the mission's language: French and Arabic PDFs read back with pypdf.

The demo mission is made in French and in Arabic (the same seeded answers) and exported
by Chromium. The text extracted from the PDF carries the areas and headings in the
language; the Arabic text extracts in logical order (the order it is read in, which is
what a screen reader and a search get); the fonts are embedded, Noto Naskh Arabic among
them for Arabic. The HTML says its language and direction.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from assessment_kit.briefing import export_briefing
from assessment_kit.demo import create_demo_mission

pytestmark = [pytest.mark.slow, pytest.mark.browser]

DATE = dt.date(2026, 11, 25)


def _export(folder: Path, language: str, suffix: str) -> Path:
    mission = folder / f"{language}.db"
    if not mission.exists():
        create_demo_mission(mission, language=language).close()
    out = folder / f"{language}{suffix}"
    export_briefing(mission, out, date=DATE)
    return out


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("languages")


def _text(pdf: Path) -> str:
    """The PDF's text; Arabic glyphs map to presentation forms (the shaped letters), which
    compatibility normalisation turns back into letters."""
    reader = PdfReader(pdf)
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return unicodedata.normalize("NFKC", text)


def _font_names(pdf: Path) -> set[str]:
    """The base names of the fonts the pages use, each checked to be embedded."""
    names: set[str] = set()
    for page in PdfReader(pdf).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            if font.get("/Subtype") == "/Type3":
                # Glyphs drawn in the PDF itself (Chromium's synthetic bold of a font that
                # has none, as WenQuanYi Micro Hei): embedded by nature.
                assert "/CharProcs" in font
                continue
            for descendant in font.get("/DescendantFonts", [font]):
                descendant = descendant.get_object()
                descriptor = descendant.get("/FontDescriptor").get_object()
                assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
                # A subset's name is prefixed with six letters and a plus sign.
                names.add(str(descendant.get("/BaseFont")).lstrip("/").split("+")[-1])
    return names


def test_a_french_briefing(folder: Path) -> None:
    pdf = _export(folder, "fr", ".pdf")
    text = _text(pdf)
    for words in (
        "Résumé analytique",
        "Constatations par domaine",
        "Méthodologie",
        "Prévention et sensibilisation",
        "Coopération internationale",
        "Protection et assistance des victimes",
        "Recommandations prioritaires",
        "25 novembre 2026",
    ):
        assert words in text, words
    # Numbers in the French way: a decimal comma.
    assert re.search(r"\b\d{2},\d\b", text)
    assert "Executive summary" not in text
    assert "Findings by area" not in text
    assert _font_names(pdf)


def test_an_arabic_briefing_reads_in_logical_order(folder: Path) -> None:
    pdf = _export(folder, "ar", ".pdf")
    text = _text(pdf)
    # Logical order: the words come out as they are written (first letter first), not
    # mirrored as they are drawn from right to left.
    for words in ("موجز تنفيذي", "التعاون الدولي", "الإطار التشريعي", "المنهجية", "التوصيات"):
        assert words in text, words
        assert words[::-1] not in text
    assert "Executive summary" not in text
    names = _font_names(pdf)
    assert any("Naskh" in name or "NotoSansArabic" in name for name in names), names


def test_an_arabic_page_is_right_to_left(folder: Path) -> None:
    html = _export(folder, "ar", ".html").read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in html
    assert '<meta name="briefing-page-label" content="الصفحة {page} من {pages}">' in html
    # The instruments have no Arabic translation yet: their texts are English, marked so.
    assert "(بالإنكليزية)" in html


def test_an_english_briefing_keeps_its_page(folder: Path) -> None:
    html = _export(folder, "en", ".html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html
    assert "briefing-page-label" not in html
    assert "(English)" not in html


def test_the_demo_in_french(tmp_path: Path) -> None:
    from assessment_kit.cli import main

    assert main(["demo", "--out", str(tmp_path), "--quiet", "--language", "fr"]) == 0
    (html,) = tmp_path.glob("*.html")
    page = html.read_text(encoding="utf-8")
    assert '<html lang="fr">' in page
    # The follow-up's progress section, in French too.
    assert "Progrès depuis la référence" in page
    (pdf,) = tmp_path.glob("*.pdf")
    assert "Résumé analytique" in _text(pdf)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_page_is_the_exporters_page_in_another_language(folder: Path, language: str) -> None:
    """``brief`` renders the page without nbconvert (briefing/page.py): in French and in
    Arabic too it is the page our nbconvert exporter makes of the briefing notebook."""
    from assessment_kit.briefing.api import _charts, briefing_charts
    from assessment_kit.briefing.context import briefing_context
    from assessment_kit.briefing.exporters import BriefingHTMLExporter
    from assessment_kit.briefing.notebook import briefing_notebook
    from assessment_kit.briefing.page import briefing_page
    from assessment_kit.i18n import language as in_language
    from assessment_kit.scoring import score_mission
    from assessment_kit.store import Mission

    path = folder / f"{language}.db"
    if not path.exists():
        create_demo_mission(path, language=language).close()
    with Mission.open(path) as mission:
        scores = score_mission(mission)
        context = briefing_context(mission, scores, date=DATE)
        with in_language(language):
            figures = briefing_charts(scores, dict(mission.questionnaires))
    charts = _charts(figures, {}, language)
    page = briefing_page(context, charts, interactive_charts=False)
    exported, _ = BriefingHTMLExporter(interactive_charts=False).from_notebook_node(
        briefing_notebook(context, charts)
    )
    assert page.splitlines() == str(exported).splitlines()
    assert f'<html lang="{language}"' in page


def test_a_chinese_briefing_prints_in_a_cjk_font(folder: Path) -> None:
    pdf = _export(folder, "zh", ".pdf")
    text = _text(pdf)
    for words in ("内容提要", "国际合作", "方法"):
        assert words in text, words
    assert any("WenQuanYi" in name for name in _font_names(pdf))
