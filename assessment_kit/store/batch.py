"""Many writes in one transaction: :meth:`Mission.batch <assessment_kit.store.Mission.batch>`.

>>> with mission.batch(by="ana") as batch:  # doctest: +SKIP
...     batch.add_respondent("P1", institution_type="police")
...     batch.set_answer("P1", "criminal_justice", "cj_law", "partly")
...     batch.consolidate("criminal_justice", "cj_law", "yes", rationale="law of 2024")

Either every write is kept or none is: a refused write (or any error in the ``with``
block) rolls the whole batch back. Each write checks its value against the question's
type as it is made and appends its change to the history, exactly as the single writes of
:class:`~assessment_kit.store.mission.Mission` do. Constraints, which read the other
answers, are checked when the batch closes, against the answers as they stand then: so the
order of the writes in a batch does not matter. Every write of a batch carries one time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

from assessment_kit.errors import AnswerError, Code, Problem, StoreError
from assessment_kit.questionnaire.expressions import references
from assessment_kit.questionnaire.model import AnswerValue, Question
from assessment_kit.store import bulk, writes
from assessment_kit.store.connection import Connection
from assessment_kit.store.records import (
    Answer,
    CheckedAnswer,
    CheckedAnswers,
    ConsolidatedAnswer,
    Respondent,
)
from assessment_kit.store.values import check_constraint, coerce_value

if TYPE_CHECKING:
    from assessment_kit.store.mission import Mission

__all__ = ["Batch"]


class Batch:
    """The writes of one transaction; made by :meth:`Mission.batch`, used inside its ``with``.

    Attributes
    ----------
    by, now
        Who writes (recorded in the history) and the time every write carries.
    """

    def __init__(self, mission: Mission, conn: Connection, *, by: str, now: str) -> None:
        self._mission = mission
        self._conn: Connection | None = conn
        self.by = by
        self.now = now
        self._codes: set[str] | None = None
        # (respondent or None for consolidated, questionnaire) -> questions written that
        # carry a constraint: checked when the batch closes.
        self._constrained: dict[tuple[str | None, str], dict[str, Question]] = {}

    @property
    def _db(self) -> Connection:
        if self._conn is None:
            raise StoreError(f"{self._mission.location}: the batch is closed; open another")
        return self._conn

    def stored_values(
        self, respondent: str | None, questionnaire: str
    ) -> dict[str, AnswerValue | None]:
        """A respondent's values in one questionnaire as they stand in this transaction
        (the consolidated answers when ``respondent`` is None), by question id."""
        return writes.stored_values(self._db, respondent, questionnaire)

    def add_respondent(
        self,
        code: str,
        *,
        institution_type: str,
        sector: str = "",
        interview_date: date | None = None,
        interviewer: str = "",
        consent: bool = False,
    ) -> Respondent:
        """Add a respondent, as :meth:`Mission.add_respondent` does."""
        respondent = bulk.insert_respondent(
            self._db,
            code,
            institution_type=institution_type,
            sector=sector,
            interview_date=interview_date,
            interviewer=interviewer,
            consent=consent,
            known_types=self._mission.institution_types(),
            by=self.by,
            now=self.now,
        )
        self._respondent_codes().add(respondent.code)
        return respondent

    def set_answer(
        self,
        respondent: str,
        questionnaire: str,
        question: str,
        value: object,
        *,
        note: str = "",
        evidence: str = "",
        confidential: bool = False,
    ) -> Answer:
        """Save one answer, as :meth:`Mission.set_answer` does (constraint: at the close)."""
        target = self._mission.question(questionnaire, question)
        if respondent not in self._respondent_codes():
            raise AnswerError(
                [Problem.make(Code.UNKNOWN_RESPONDENT, path=respondent, respondent=respondent)]
            )
        answer = Answer(
            respondent=respondent,
            questionnaire=questionnaire,
            question=question,
            value=coerce_value(target, value),
            note=note,
            evidence=evidence,
            confidential=bool(confidential),
            updated_by=self.by,
            updated_at=self.now,
        )
        self._remember(respondent, target, questionnaire)
        return writes.put_answer(self._db, answer)

    def set_answers(self, respondent: str, questionnaire: str, values: Mapping[str, object]) -> int:
        """Save many answers of one respondent (question id -> value), as
        :meth:`set_answer` saves each, without notes; one statement per table for all of
        them, as an import of thousands needs. Returns how many were written (an unchanged
        answer is left alone)."""
        if respondent not in self._respondent_codes():
            raise AnswerError(
                [Problem.make(Code.UNKNOWN_RESPONDENT, path=respondent, respondent=respondent)]
            )
        answers = []
        for question, value in values.items():
            target = self._mission.question(questionnaire, question)
            answers.append(
                CheckedAnswer(respondent, questionnaire, question, coerce_value(target, value))
            )
            self._remember(respondent, target, questionnaire)
        return bulk.put_interviews(self._db, answers, by=self.by, now=self.now)

    def write_checked(self, items: Sequence[Respondent | CheckedAnswer | CheckedAnswers]) -> int:
        """Add respondents and save answers an import has checked itself, in one go: the
        bulk write of thousands of interviews.

        Each :class:`Respondent` is added as :meth:`add_respondent` adds one (its code,
        texts and institution type checked, a taken code refused); each
        :class:`CheckedAnswer`, and each answer of a :class:`CheckedAnswers`, is saved as
        :meth:`set_answer` saves one, but its value and constraint are not checked again
        (the record says they were), and its respondent must be stored or come before it.
        The history entries follow the items' order.
        Returns how many answers were written (an unchanged answer is left alone).

        Raises
        ------
        AnswerError
            A respondent, questionnaire or question that is not known, a respondent code
            that is taken, a note or evidence too long; nothing of the batch is kept.
        """
        codes = self._respondent_codes()
        known_types = self._mission.institution_types()
        added: set[str] = set()
        questions: dict[str, Mapping[str, Question]] = {}
        records = list(items)
        for position, item in enumerate(items):
            if isinstance(item, Respondent):
                respondent = writes.checked_respondent(
                    item.code,
                    institution_type=item.institution_type,
                    sector=item.sector,
                    interview_date=item.interview_date,
                    interviewer=item.interviewer,
                    consent=item.consent,
                    known_types=known_types,
                )
                added.add(respondent.code)
                records[position] = respondent
                continue
            if item.respondent not in codes and item.respondent not in added:
                raise AnswerError([Problem.make(Code.UNKNOWN_RESPONDENT, path=item.respondent,
                                                respondent=item.respondent)])  # fmt: skip
            known = questions.get(item.questionnaire)
            if known is None:
                if item.questionnaire not in self._mission.questionnaires:
                    self._mission.question(item.questionnaire, "")  # raises, naming it
                known = questions[item.questionnaire] = self._mission.questionnaires[
                    item.questionnaire
                ].questions
            if isinstance(item, CheckedAnswers):
                strangers = item.values.keys() - known.keys()
                unknown = (
                    next((q for q in item.values if q in strangers), None) if strangers else None
                )
            else:
                unknown = None if item.question in known else item.question
            if unknown is not None:
                self._mission.question(item.questionnaire, unknown)  # raises, naming it
        written = bulk.put_interviews(self._db, records, by=self.by, now=self.now)
        codes.update(added)
        return written

    def consolidate(
        self, questionnaire: str, question: str, value: object, *, rationale: str = ""
    ) -> ConsolidatedAnswer:
        """Set a consolidated answer, as :meth:`Mission.consolidate` does (constraint: at
        the close)."""
        target = self._mission.question(questionnaire, question)
        answer = ConsolidatedAnswer(
            questionnaire, question, coerce_value(target, value), rationale, self.by, self.now
        )
        self._remember(None, target, questionnaire)
        return writes.put_consolidated(self._db, answer)

    def _respondent_codes(self) -> set[str]:
        if self._codes is None:
            rows = self._db.execute("SELECT code FROM respondents").fetchall()
            self._codes = {row[0] for row in rows}
        return self._codes

    def _remember(self, respondent: str | None, target: Question, questionnaire: str) -> None:
        if target.constraint_expr is not None:
            key = (respondent, questionnaire)
            self._constrained.setdefault(key, {})[target.id] = target

    def check(self) -> None:
        """Check the constraints of what was written against the answers as they stand
        now; :class:`AnswerError` lists every failure. Called when the batch closes."""
        problems: list[Problem] = []
        for (respondent, questionnaire), targets in self._constrained.items():
            # Only what the constraints read is decoded: the questions and their references.
            needed = frozenset(targets).union(
                *(references(t.constraint_expr) for t in targets.values() if t.constraint_expr)
            )
            answers: Mapping[str, AnswerValue | None] = writes.stored_values(
                self._db, respondent, questionnaire, needed
            )
            for question, target in targets.items():
                value = answers.get(question)
                if value is None:
                    continue
                try:
                    check_constraint(target, value, answers)
                except AnswerError as error:
                    problems.extend(error.problems)
        if problems:
            raise AnswerError(problems)

    def close(self) -> None:
        """Refuse further writes (the transaction is over)."""
        self._conn = None
