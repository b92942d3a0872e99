"""What the briefing may say of respondents' answers: counts, and the text that is safe.

This is where respondents are protected, once, for every output:

- no respondent code, interviewer name or respondent-level answer ever leaves this
  module: answers are summarised as counts per answer;
- answers marked confidential, answers declined, and every answer to a question marked
  ``sensitive`` contribute no note and no evidence;
- notes, evidence and answers in words that still name a respondent code or an
  interviewer have the name replaced (:class:`~assessment_kit.briefing.text.NameScrubber`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assessment_kit.briefing.facts import Key, MissionFacts, text_of, value_label
from assessment_kit.briefing.text import NameScrubber
from assessment_kit.columns import Columns

if TYPE_CHECKING:
    from assessment_kit.scoring.layout import AnswerTable
    from assessment_kit.store import Respondent

__all__ = ["RespondentText", "records", "respondent_text", "scrubber"]


def scrubber(respondents: Sequence[Respondent]) -> NameScrubber:
    """The scrubber of every respondent code and interviewer name of the mission."""
    return NameScrubber(
        [r.code for r in respondents], [r.interviewer for r in respondents if r.interviewer]
    )


def records(table: AnswerTable | None) -> list[dict[str, Any]]:
    """The rows of a store table or frame as dicts (none for a missing or empty one)."""
    if table is None or len(table) == 0:
        return []
    if isinstance(table, Columns):
        return table.records()
    return [{str(key): value for key, value in row.items()} for row in table.to_dict("records")]


@dataclass(frozen=True)
class RespondentText:
    """Per question: how many respondents gave each answer, and the safe notes and evidence.

    ``consolidated`` holds the team's consolidated answer in words.
    """

    answer_counts: dict[Key, Counter[str]] = field(default_factory=dict)
    notes: dict[Key, list[str]] = field(default_factory=dict)
    evidence: dict[Key, list[str]] = field(default_factory=dict)
    consolidated: dict[Key, str] = field(default_factory=dict)

    def counts(self, key: Key) -> tuple[tuple[str, int], ...]:
        """(answer in words, how many respondents) for a question, most frequent first."""
        counted = self.answer_counts.get(key, Counter())
        return tuple(sorted(counted.items(), key=lambda pair: (-pair[1], pair[0])))


def respondent_text(
    facts: MissionFacts,
    answers: Iterable[dict[str, Any]],
    consolidated: Iterable[dict[str, Any]],
) -> RespondentText:
    """Count the answers and keep the notes and evidence that may be shown, scrubbed."""
    scrub = facts.scrub
    result = RespondentText()
    for row in answers:
        key = (str(row["questionnaire"]), str(row["question"]))
        question = facts.question(key)
        value = row.get("value")
        result.answer_counts.setdefault(key, Counter())[scrub(value_label(question, value))] += 1
        if bool(row.get("confidential")) or question is None or question.sensitive:
            continue
        if isinstance(value, str) and value == "declined":
            continue
        _keep(result.notes, key, scrub(text_of(row.get("note"))))
        _keep(result.evidence, key, scrub(text_of(row.get("evidence"))))
    for row in consolidated:
        key = (str(row["questionnaire"]), str(row["question"]))
        label = value_label(facts.question(key), row.get("value"))
        result.consolidated[key] = scrub(label)
    return result


def _keep(target: dict[Key, list[str]], key: Key, text: str) -> None:
    """Add ``text`` to the question's list once (nothing for empty text)."""
    if text and text not in target.setdefault(key, []):
        target[key].append(text)
