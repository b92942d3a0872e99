"""Shared by the store tests and their subprocess workers: a small inline questionnaire.

Run as a script it is the worker of the crash and concurrency tests::

    python tests/store_support.py MISSION RESPONDENT_PREFIX COUNT

(MISSION a file or a ``postgresql://`` URL.)

It adds respondents and writes answers one by one, printing each acknowledged answer's key
(``respondent question value``) and flushing only after ``set_answer`` has returned.
"""

from __future__ import annotations

import sys
from pathlib import Path

SURVEY_YAML = """\
id: survey
version: 1.0.0
title: Test survey
description: A small questionnaire for the store tests.
languages: [en]
respondent_types:
  police: {label: Police, sector: law_enforcement}
  ngo: {label: NGO, sector: civil_society}
scales:
  ypn:
    label: Yes, partly or no
    choices:
      - {value: "yes", label: "Yes", score: 1}
      - {value: partly, label: Partly, score: 0.5}
      - {value: "no", label: "No", score: 0}
sections:
  - id: main
    title: Main
    description: The questions.
    questions:
      - id: intro
        type: note
        text: Read this first.
      - id: law
        type: scale
        scale: ypn
        text: Is there a law?
        guidance: Ask for documents.
        areas: {legislation: 1}
        recommendation: Adopt a law.
      - id: plan
        type: scale
        scale: ypn
        text: Is there a plan?
        guidance: Ask for documents.
        areas: {policy: 1}
        recommendation: Adopt a plan.
      - id: roles
        type: multiple
        text: Which roles?
        guidance: Ask for documents.
        choices:
          - {value: origin, label: Origin}
          - {value: transit, label: Transit}
          - {value: destination, label: Destination}
      - id: kind
        type: single
        text: Which kind?
        guidance: Ask for documents.
        choices:
          - {value: a, label: A}
          - {value: b, label: B}
      - id: year
        type: integer
        text: Which year?
        guidance: Ask for documents.
        constraint: ". >= 1990 and . <= 2100"
        constraint_message: Enter a four-digit year.
      - id: victims
        type: integer
        text: How many victims?
        guidance: Ask for documents.
        constraint: ". >= 0"
      - id: convicted
        type: integer
        text: How many convicted?
        guidance: Ask for documents.
        constraint: ". <= coalesce(${victims}, 1000000)"
        constraint_message: No more convicted than victims.
      - id: budget
        type: decimal
        text: What budget?
        guidance: Ask for documents.
      - id: since
        type: date
        text: Since when?
        guidance: Ask for documents.
      - id: comment
        type: text
        text: Any comment?
        guidance: Ask for documents.
"""

OTHER_YAML = """\
id: other
version: 2.1.0
title: Other survey
description: A second questionnaire.
languages: [en]
sections:
  - id: only
    title: Only
    description: One question.
    questions:
      - id: ok
        type: single
        text: OK?
        guidance: Ask for documents.
        choices:
          - {value: "yes", label: "Yes", score: 1}
          - {value: "no", label: "No", score: 0}
        areas: {data: 1}
        recommendation: Collect data.
"""

#: Scorable questions of the survey the workers answer, with a valid value each.
WORKER_ANSWERS: tuple[tuple[str, object], ...] = (
    ("law", "yes"),
    ("plan", "partly"),
    ("roles", ("origin", "transit")),
    ("kind", "b"),
    ("year", 2024),
    ("victims", 12),
    ("budget", 1.5),
    ("since", "2020-01-31"),
    ("comment", "fine"),
)


def work(mission_path: str | Path, prefix: str, count: int) -> None:
    """Write ``count`` answers to respondents ``<prefix>-<n>``, reporting each one."""
    from assessment_kit.store import Mission

    with Mission.open(mission_path) as mission:
        written = 0
        n = 0
        while written < count:
            code = f"{prefix}-{n:04d}"
            mission.add_respondent(code, institution_type="police", by=prefix)
            for question, value in WORKER_ANSWERS:
                if written >= count:
                    break
                mission.set_answer(code, "survey", question, value, by=prefix)
                sys.stdout.write(f"{code} {question}\n")
                sys.stdout.flush()
                written += 1
            n += 1


if __name__ == "__main__":
    work(sys.argv[1], sys.argv[2], int(sys.argv[3]))
