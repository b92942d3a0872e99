"""A questionnaire of N scale questions, shared by the store and merge benchmarks."""

from __future__ import annotations


def scale_survey(questions: int) -> str:
    """The YAML of a one-section questionnaire ``bench`` with ``questions`` scale questions
    (yes, partly, no) ``q00``, ``q01``..., each in the legislation area."""
    items = "".join(
        f"""      - id: q{n:02d}
        type: scale
        scale: ypn
        text: Question {n}?
        guidance: Ask for documents.
        areas: {{legislation: 1}}
        recommendation: Do better.
"""
        for n in range(questions)
    )
    return f"""\
id: bench
version: 1.0.0
title: Benchmark questionnaire
description: {questions} scale questions.
languages: [en]
respondent_types:
  police: {{label: Police, sector: law_enforcement}}
scales:
  ypn:
    label: Yes, partly or no
    choices:
      - {{value: "yes", label: "Yes", score: 1}}
      - {{value: partly, label: Partly, score: 0.5}}
      - {{value: "no", label: "No", score: 0}}
sections:
  - id: main
    title: Main
    description: The questions.
    questions:
{items}"""
