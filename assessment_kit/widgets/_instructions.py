# ruff: noqa: E501 - the notebooks' markdown, line for line (a test compares them)
"""The notebooks' instructions in the mission's language.

Each notebook's markdown cells are its instructions in English, and they are the message
ids: :data:`INSTRUCTIONS` holds them, marked for the catalogues, and a test checks that they
are the notebooks' markdown word for word. A notebook calls :func:`instructions` after it
opens the mission: for a mission in another language it shows the same instructions
translated (right to left for Arabic); for an English mission it shows nothing more.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from assessment_kit.i18n import N_, direction, translations

if TYPE_CHECKING:
    from assessment_kit.store import Mission

__all__ = ["INSTRUCTIONS", "instructions"]

#: The markdown cells of each notebook (by the part of its name after the number).
INSTRUCTIONS: dict[str, tuple[str, ...]] = {
    "mission": (
        N_(
            "# Start or open a mission\n"
            "\n"
            "A *mission* is one country assessment. Everything the team records — respondents, answers, notes, the consolidated answers — is kept in one mission file.\n"
            "\n"
            '1. In the first grey box below, write the name of your mission file between the quotes (for example `"freedonia-2026.db"`), and your name or initials after `assessor =`, also between quotes. If the file does not exist yet, a **demo mission** with made-up interviews is created so you can practise.\n'
            "2. Run the notebook (menu *Run › Run All Cells*).\n"
            "\n"
            "To start a real mission, ask your mission lead to create the file, for example:\n"
            "\n"
            "```\n"
            "assessment-kit new freedonia-2026.db --country Freedonia --questionnaire criminal_justice --questionnaire organ_removal\n"
            "```"
        ),
        N_(
            "## The mission\n"
            "\n"
            "The questionnaires used in this mission and who has been interviewed so far."
        ),
        N_(
            "## Sections assessed\n"
            "\n"
            "A mission assesses whole questionnaires, or only some of their sections (a *partial assessment*). Untick a section to leave it out: its questions are then neither scored nor counted as gaps, and the briefing names the sections left out. Each change is saved at once. (The mission lead can also choose when creating the file: `assessment-kit new ... --section legal_framework --section victim_protection`.)"
        ),
        N_(
            "## Respondents and how far each interview has got\n"
            "\n"
            "Each respondent is known by a pseudonymous code, never by name."
        ),
        N_(
            "## Next steps\n"
            "\n"
            "* **Interview**: open `02_interview.ipynb` to record an interview.\n"
            "* **Consolidate**: open `03_consolidate.ipynb` when several people have been interviewed, to agree on the team's answers.\n"
            "* **Scores**: open `04_scores.ipynb` to see the scores in the seven areas and export the briefing."
        ),
    ),
    "interview": (
        N_(
            "# Interview\n"
            "\n"
            "Run the notebook (menu *Run › Run All Cells*); the interview form appears at the bottom.\n"
            "\n"
            "**Before the interview**: choose the respondent in the list, or click **New respondent** and fill in the pseudonymous code (never a name), the institution type, the interview date, your name and the respondent's consent.\n"
            "\n"
            "**During the interview**: go through the sections on the left. Click the answer that fits; type numbers and dates (year-month-day, for example 2024-03-01) and press Enter. If there is no answer to give, use the grey buttons: *Unknown*, *Not applicable*, *Not assessed* or *Declined*. *Guidance* tells you what to look for; *Note & evidence* keeps what was said and which documents back it up. Every answer is **saved as soon as you give it** (you will see *✓ Saved*). Questions that do not apply disappear by themselves.\n"
            "\n"
            "**Coming back later**: open this notebook again; your answers are there and the form offers to continue at the first unanswered question."
        ),
    ),
    "consolidate": (
        N_(
            "# Consolidate the answers\n"
            "\n"
            "After several interviews, the team agrees on one answer per question for the whole country: the *consolidated answer*.\n"
            "\n"
            "For each question you see what every respondent said, by pseudonym and institution type. Questions where respondents **disagree** come first. Choose the team's answer, write in a sentence or two **why** (which sources you trust and why), then click **Save consolidated answer**. Every change is kept in the history, so you can always see who changed what and when."
        ),
        N_(
            "## Scores as you consolidate\n"
            "\n"
            "The scores below follow your consolidated answers as you save them."
        ),
    ),
    "scores": (
        N_(
            "# Scores\n"
            "\n"
            "The scores of the seven areas, from 0 (nothing in place) to 100 (fully in place). The consolidated answer is used where the team has set one; otherwise the respondents' answers are combined.\n"
            "\n"
            "* The **radar** shows each area's score; the shaded band is the range it could take if the questions not yet answered went either way.\n"
            "* The **bars** show the same scores with their *coverage*: a pale bar rests on few answers.\n"
            "* The **weakest questions** are where support would help most.\n"
            "\n"
            "For a follow-up mission, the scores of its **baseline** (the earlier mission it follows up) are drawn in grey beside today's, and a table gives each area then and now, the change, and whether it is real: only where the two ranges do not overlap.\n"
            "\n"
            "Choose one questionnaire or both in the list. Click **Refresh scores** after new interviews or consolidation."
        ),
        N_(
            "## Export the briefing\n"
            "\n"
            "The **Export briefing** button at the top of the dashboard, next to **Refresh scores**, writes the briefing (PDF or HTML) next to the mission file: a cover, the executive summary with the radar, a page per area, the recommendations, the methodology and a data annex. It never shows respondents' codes or confidential notes. The same briefing comes from `assessment-kit brief MISSION.db --out briefing.pdf` and from JupyterLab's *File › Save and Export Notebook As › Briefing_pdf* menu."
        ),
    ),
}


def instructions(mission: Mission, notebook: str) -> Any:
    """The instructions of ``notebook`` (``mission``, ``interview``, ``consolidate`` or
    ``scores``) in the mission's language, to display; None for an English mission, whose
    notebook already shows them."""
    code = mission.info.language
    if code == "en":
        return None
    from IPython.display import HTML, Markdown

    _ = translations(code).gettext
    text = "\n\n".join(_(cell) for cell in INSTRUCTIONS[notebook])
    if direction(code) == "rtl":
        # Markdown has no direction: the text as HTML in a right-to-left block.
        block = f'<div dir="rtl" lang="{html.escape(code)}">\n\n{_markdown(text)}\n\n</div>'
        return HTML(block)  # type: ignore[no-untyped-call]
    return Markdown(text)  # type: ignore[no-untyped-call]


def _markdown(text: str) -> str:
    """Markdown to HTML with nbconvert's renderer (mistune), which the notebooks need anyway."""
    from nbconvert.filters.markdown import markdown2html

    return str(markdown2html(text))
