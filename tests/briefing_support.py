"""A mission for the briefing tests: the built-in criminal justice questionnaire, five
respondents, seeded answers, and marker strings that must never reach a briefing."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import re
import time
from collections.abc import Callable
from pathlib import Path

from assessment_kit.questionnaire import builtin
from assessment_kit.questionnaire.model import Question
from assessment_kit.store import Mission

#: Strings that must never appear in a briefing (HTML or PDF).
SCRIPT_NOTE = "<script>alert(1)</script> shelters are full"
CONFIDENTIAL_MARKER = "ZQX-CONFIDENTIAL-7731"
SENSITIVE_MARKER = "ZQX-SENSITIVE-4410"
RESPONDENT_CODE = "RSPX93"
INTERVIEWER = "Ingrid Vantongeren"
#: A non-confidential note that should be shown (as text).
VISIBLE_NOTE = "Prosecutors cite the 2024 circular on victim-centred interviews"
#: A note naming the interviewer by surname only, and evidence naming a respondent in
#: lower case: both are shown with the name replaced.
SURNAME_NOTE = f"{INTERVIEWER.split()[-1].lower()} was told the registry is paper-based"
CODE_EVIDENCE = f"Registry extract handed over by {RESPONDENT_CODE.lower()}"

RESPONDENTS = (
    (RESPONDENT_CODE, "ministry_justice"),
    ("RSPA11", "ministry_interior"),
    ("RSPB22", "ministry_labour"),
    ("RSPC33", "ministry_justice"),
    ("RSPD44", "ministry_interior"),
)


def _value(question: Question, rng: random.Random) -> object:
    scored = [c.value for c in question.choices if c.score is not None]
    if question.type == "multiple":
        return tuple(rng.sample(scored, k=min(len(scored), rng.randint(1, 2))))
    if rng.random() < 0.08:
        return rng.choice(["unknown", "not_assessed"])
    return rng.choice(scored)


def make_mission(
    path: Path,
    *,
    seed: int = 7,
    country: str = "Freedonia",
    title: str = "Freedonia 2026 needs assessment",
) -> Path:
    """Create the test mission at ``path`` and return the path."""
    rng = random.Random(seed)
    questionnaire = builtin("criminal_justice")
    with Mission.create(
        path,
        country=country,
        title=title,
        questionnaires=[questionnaire],
        start_date=dt.date(2026, 3, 2),
        end_date=dt.date(2026, 3, 13),
    ) as mission:
        types = list(questionnaire.respondent_types)
        for code, kind in RESPONDENTS:
            kind = kind if kind in types else types[0]
            mission.add_respondent(
                code, institution_type=kind, interviewer=INTERVIEWER, consent=True, by="test"
            )
        scored = [q for q in questionnaire.iter_questions() if q.scored]
        sensitive = next((q for q in questionnaire.iter_questions() if q.sensitive), None)
        for index, (code, _) in enumerate(RESPONDENTS):
            for number, question in enumerate(scored):
                if question.relevant and rng.random() < 0.5:
                    continue
                note = ""
                confidential = False
                if index == 0 and number == 0:
                    note = SCRIPT_NOTE
                elif index == 0 and number == 1:
                    note = f"{CONFIDENTIAL_MARKER} named an official"
                    confidential = True
                elif index == 1 and number == 2:
                    note = f"{VISIBLE_NOTE} (said {RESPONDENT_CODE} to {INTERVIEWER})"
                elif index == 2 and number == 3:
                    note = SURNAME_NOTE
                evidence = "Annual report of the prosecution service" if number % 7 == 0 else ""
                if index == 2 and number == 3:
                    evidence = CODE_EVIDENCE
                try:
                    mission.set_answer(
                        code,
                        questionnaire.id,
                        question.id,
                        _value(question, rng),
                        note=note,
                        evidence=evidence,
                        confidential=confidential,
                        by="test",
                    )
                except Exception:  # skip answers the questionnaire's checks refuse
                    continue
        if sensitive is not None:
            with contextlib.suppress(Exception):
                mission.set_answer(
                    RESPONDENTS[1][0],
                    questionnaire.id,
                    sensitive.id,
                    _value(sensitive, rng) if sensitive.scored else "x",
                    note=f"{SENSITIVE_MARKER} case of a named victim",
                    by="test",
                )
    return path


#: The running footer as pypdf reads it: drawn in the page margin, it comes before the body.
_FOOTER_FIRST = re.compile(r"^(Page \d+ of \d+)(.*?Needs assessment briefing · \d{1,2} \w+ \d{4})")


def footer_last(text: str) -> str:
    """A PDF page's text with its running footer moved after the body, where a reader sees
    it: "body... footer text Page 3 of 14"."""
    found = _FOOTER_FIRST.match(text)
    if found is None:
        return text
    body = text[found.end() :].lstrip()
    return f"{body}\n{found.group(2).strip()} {found.group(1)}"


def wait_for(condition: Callable[[], object], what: str, seconds: float = 60.0) -> None:
    """Poll ``condition`` until it holds; fail saying ``what`` was awaited after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)
