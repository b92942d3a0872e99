"""Briefings: a mission's scores, findings and recommendations as a PDF or HTML report.

Pipeline: mission + scores -> :mod:`~assessment_kit.briefing.context` (pure data) ->
:mod:`~assessment_kit.briefing.notebook` (a notebook with rendered outputs) ->
:mod:`~assessment_kit.briefing.exporters` (nbconvert, our template) -> HTML, or PDF printed
by Chromium (:mod:`~assessment_kit.briefing.pdf`), charts drawn as SVG by kaleido
(:mod:`~assessment_kit.briefing.svg`).

Importing this package is light: plotly, nbconvert and kaleido load on first use.
"""

from __future__ import annotations

from assessment_kit.briefing.api import BriefingResult, Progress, export_briefing
from assessment_kit.briefing.browser import find_browser

__all__ = ["BriefingResult", "Progress", "export_briefing", "find_browser"]
