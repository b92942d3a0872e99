"""Plain-language explanations of area scores and question answers."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from assessment_kit.questionnaire.answers import agreed_choice, label, state_label
from assessment_kit.questionnaire.model import NO_CASES, AnswerValue, Question
from assessment_kit.scoring.rank import Member, weakest

__all__ = ["answer_label", "explain_area", "shorten"]

_WEAKEST = 2


def shorten(text: str, limit: int = 60) -> str:
    """``text`` on one line, cut at a word boundary with an ellipsis when too long."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return f"{cut}…"


def answer_label(
    question: Question,
    value: AnswerValue | None,
    state: str,
    score: float,
    spread: float,
) -> str:
    """How the mission answered a scored question, in words.

    The consolidated value's label when set; otherwise the respondents' common answer when
    they all agree, or their mean score when they differ.
    """
    if state != "scored":
        return state_label(state).lower()
    if value is not None:
        return label(question, value).lower()
    agreed = agreed_choice(question, score) if spread == 0 else None
    if agreed is not None:
        return agreed.label.en.lower()
    return f"respondents differ, mean {score:.2f}"


def explain_area(
    *,
    score: float,
    coverage: float,
    n_scored: int,
    n_relevant: int,
    members: Sequence[Member],
    caps: Sequence[str],
) -> str:
    """One or two plain sentences on how an area's score came about.

    ``members`` holds the area's relevant questions with their area weights, in
    questionnaire order; the weakest are named (:func:`~assessment_kit.scoring.rank.weakest`).
    """
    questions = [question for question, _ in members]
    parts: list[str] = []
    if n_relevant == 0 and n_scored == 0:
        return "No relevant question of the scored questionnaires feeds this area."
    if n_scored == 0:
        parts.append(f"Not scored yet: none of the {n_relevant} relevant questions has a score.")
    elif math.isnan(score):  # the weighted mean is 0/0
        noun = "question carries" if n_scored == 1 else "questions carry"
        parts.append(f"Not scored: its {n_scored} scored {noun} a weight of 0.")
    else:
        cov = "" if math.isnan(coverage) else f" (coverage {100 * coverage:.0f}%)"
        parts.append(f"Scored on {n_scored} of {n_relevant} relevant questions{cov}.")
        weak = weakest(members)
        if weak and not math.isnan(score):
            named = [f"'{shorten(q.text)}' ({q.answer})" for q in weak[:_WEAKEST]]
            parts.append(f"Weakest: {'; '.join(named)}.")
    counts = Counter(q.state for q in questions)
    missing = [
        f"{counts[state]} {label}"
        for state, label in (
            ("unknown", "unknown"),
            ("not_assessed", "not assessed"),
            ("declined", "declined"),
        )
        if counts[state]
    ]
    if missing:
        total = counts["unknown"] + counts["not_assessed"] + counts["declined"]
        noun = "question widens" if total == 1 else "questions widen"
        parts.append(f"{_join(missing)} {noun} the range.")
    if counts[NO_CASES]:
        noun = "question had" if counts[NO_CASES] == 1 else "questions had"
        parts.append(f"{counts[NO_CASES]} {noun} no cases in the period (left out of coverage).")
    disagree = sum(q.disagreement for q in questions)
    if disagree:
        noun = "question" if disagree == 1 else "questions"
        parts.append(f"Respondents disagree on {disagree} {noun}.")
    parts += [f"{reason[0].upper()}{reason[1:]}." for reason in caps]
    return " ".join(parts)


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
