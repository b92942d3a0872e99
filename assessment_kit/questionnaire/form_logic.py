"""Form logic: relevance, required, constraints and calculations over one dependency graph.

The one place that knows what a questionnaire's expressions do to a set of answers. The
interview form, the scoring engine and the demo all use it:

* :func:`form_graph` builds (once per questionnaire, cached) the dependency graph of the
  ``relevant``, ``required``, ``constraint`` and ``calculate`` expressions: which questions
  read which, and an evaluation order in which every question comes after the questions it
  reads (questionnaire order where the graph leaves a choice).
* :class:`FormState` holds one set of answers (a respondent's, or the mission's
  consolidated answers) and what follows from them. :meth:`FormState.set` changes one
  answer and re-evaluates only the questions that depend on it, transitively, returning
  the :class:`Changes`.

Rules (as in XLSForm, and as the README's scoring method states them):

* a question that is not relevant counts as empty: expressions read ``None`` for it, so a
  chain of skips collapses (its answer stays stored; the form hides it, scoring drops it);
* a calculation's value is what expressions read for its question; it is ``None`` when the
  question is not relevant or the calculation fails;
* non-scored states (``'unknown'``, ``'not_applicable'``, ...) are plain strings;
* an expression that cannot be evaluated leaves the question relevant (hiding it would
  hide answers), not required, its calculation ``None`` and its constraint failed; the
  error is kept in :attr:`FormState.problems`;
* a constraint is checked only on a relevant question's own answer, and never on a
  non-scored state.

Cycles are refused by the validator; for a questionnaire built without it, the questions of
a cycle are evaluated in questionnaire order and each at most once per change.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from assessment_kit.errors import ExpressionError
from assessment_kit.questionnaire.expressions import (
    Expr,
    Value,
    evaluate,
    evaluate_bool,
    references,
)
from assessment_kit.questionnaire.model import (
    RESERVED_VALUES,
    AnswerValue,
    Question,
    Questionnaire,
    per_questionnaire,
)

__all__ = [
    "FIELDS",
    "Changes",
    "FormGraph",
    "FormState",
    "LogicProblem",
    "constraint_holds",
    "form_graph",
]

#: The expression fields of a question, in the order they are evaluated and reported.
FIELDS: tuple[str, ...] = ("calculate", "relevant", "required", "constraint")


def _expressions(question: Question) -> Iterator[tuple[str, Expr]]:
    for name, expr in (
        ("calculate", question.calculate_expr),
        ("relevant", question.relevant_expr),
        ("required", question.required_expr),
        ("constraint", question.constraint_expr),
    ):
        if expr is not None:
            yield name, expr


# --------------------------------------------------------------------------- the graph


@dataclass(frozen=True, slots=True, eq=False)
class FormGraph:
    """The dependency graph of one questionnaire's expressions.

    Attributes
    ----------
    order
        Every question id, in evaluation order: each after the questions it reads.
    position
        Question id -> index in ``order``.
    dependents
        Question id -> the ids of the questions whose expressions read it, in evaluation
        order (a constraint reading its own question is not an edge).
    relevance_inputs
        The ids read by some ``relevant`` or ``calculate`` expression: the answers that
        decide relevance (scoring gathers representatives for these only).
    with_logic
        The ids of the questions that have at least one expression, in evaluation order;
        the others are always relevant, never required, and read as their answer.
    """

    order: tuple[str, ...]
    position: Mapping[str, int]
    dependents: Mapping[str, tuple[str, ...]]
    relevance_inputs: frozenset[str]
    with_logic: tuple[str, ...]

    def affected(self, question_id: str) -> tuple[str, ...]:
        """Every question depending on ``question_id``, transitively, in evaluation order."""
        seen: set[str] = set()
        stack = list(self.dependents.get(question_id, ()))
        while stack:
            qid = stack.pop()
            if qid not in seen:
                seen.add(qid)
                stack.extend(self.dependents.get(qid, ()))
        seen.discard(question_id)
        return tuple(sorted(seen, key=self.position.__getitem__))


def _build_graph(questionnaire: Questionnaire) -> FormGraph:
    ids = list(questionnaire.questions)
    index = {qid: i for i, qid in enumerate(ids)}
    reads: dict[str, set[str]] = {qid: set() for qid in ids}
    inputs: set[str] = set()
    with_logic: set[str] = set()
    for question in questionnaire.iter_questions():
        for name, expr in _expressions(question):
            with_logic.add(question.id)
            refs = references(expr)
            reads[question.id].update(ref for ref in refs if ref != question.id and ref in index)
            if name in ("relevant", "calculate"):
                inputs |= refs
    readers: dict[str, list[str]] = {qid: [] for qid in ids}
    for qid, read in reads.items():
        for ref in read:
            readers[ref].append(qid)
    # Kahn's algorithm, taking the earliest question in questionnaire order when free.
    waiting = {qid: len(read) for qid, read in reads.items()}
    ready = [index[qid] for qid, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        qid = ids[heapq.heappop(ready)]
        order.append(qid)
        for reader in readers[qid]:
            waiting[reader] -= 1
            if waiting[reader] == 0:
                heapq.heappush(ready, index[reader])
    placed = set(order)
    order.extend(qid for qid in ids if qid not in placed)  # a cycle: questionnaire order
    position = {qid: i for i, qid in enumerate(order)}
    dependents = {
        qid: tuple(sorted(found, key=position.__getitem__))
        for qid, found in readers.items()
        if found
    }
    return FormGraph(
        order=tuple(order),
        position=position,
        dependents=dependents,
        relevance_inputs=frozenset(inputs),
        with_logic=tuple(qid for qid in order if qid in with_logic),
    )


# Keyed by id(): Questionnaire holds mappings, so it is not hashable, and it has slots, so
# it takes no weak reference. The cache holds the questionnaire itself, so its id cannot be
# reused while cached; it is bounded, oldest out first.
@per_questionnaire
def form_graph(questionnaire: Questionnaire) -> FormGraph:
    """The dependency graph of ``questionnaire`` (built once, then cached)."""
    return _build_graph(questionnaire)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class LogicProblem:
    """An expression that could not be evaluated over the current answers."""

    question: str
    field: str  # one of FIELDS
    message: str


@dataclass(frozen=True, slots=True)
class Changes:
    """What one answer's change did: the questions whose logic outcome changed.

    ``evaluated`` lists the questions re-evaluated, in order (the changed question first):
    only those that depend on it, transitively.
    """

    question: str
    relevant: frozenset[str] = frozenset()
    required: frozenset[str] = frozenset()
    constraint: frozenset[str] = frozenset()
    calculated: frozenset[str] = frozenset()
    evaluated: tuple[str, ...] = ()

    @property
    def changed(self) -> frozenset[str]:
        """Every question whose relevance, requirement, constraint or calculation changed."""
        return self.relevant | self.required | self.constraint | self.calculated


@dataclass(frozen=True, slots=True)
class _Outcome:
    relevant: bool
    required: bool
    constraint_ok: bool
    calculated: Value


# Question ids by the field whose outcome changed (named here: FormState.set shadows set).
_Found = dict[str, set[str]]

_DEFAULT = _Outcome(relevant=True, required=False, constraint_ok=True, calculated=None)
_HIDDEN = _Outcome(relevant=False, required=False, constraint_ok=True, calculated=None)


# --------------------------------------------------------------------------- the state


class FormState:
    """One set of answers to a questionnaire and what its expressions make of them.

    Parameters
    ----------
    questionnaire
        The questionnaire.
    answers
        Question id -> answer (``None`` or absent: unanswered).
    checks
        Also evaluate ``required`` and ``constraint``; the scoring engine and the demo need
        relevance and calculations only.
    """

    def __init__(
        self,
        questionnaire: Questionnaire,
        answers: Mapping[str, AnswerValue | None] | None = None,
        *,
        checks: bool = True,
    ) -> None:
        self.questionnaire = questionnaire
        self.graph = form_graph(questionnaire)
        self.checks = checks
        self._answers: dict[str, AnswerValue] = {
            qid: value for qid, value in (answers or {}).items() if value is not None
        }
        self._logic = frozenset(self.graph.with_logic)
        position = self.graph.position
        # A question without expressions reads as its answer, whatever the order.
        self._context: dict[str, Value] = {
            qid: value
            for qid, value in self._answers.items()
            if qid in position and qid not in self._logic
        }
        self._outcomes: dict[str, _Outcome] = {}
        self._problems: dict[tuple[str, str], str] = {}
        # First pass, in evaluation order: each question after everything it reads.
        question = questionnaire.question
        for qid in self.graph.with_logic:
            outcome, own = self._outcome(question(qid))
            self._outcomes[qid] = outcome
            if own is not None:
                self._context[qid] = own

    # ---------------------------------------------------------------- reading
    @property
    def answers(self) -> Mapping[str, AnswerValue]:
        """The answers given (relevant or not), by question id."""
        return self._answers

    @property
    def values(self) -> Mapping[str, Value]:
        """What expressions read: answers and calculations of relevant questions."""
        return self._context

    def relevant(self, question_id: str) -> bool:
        """Whether the question is relevant (shown, scored); unknown ids are."""
        return self._outcomes.get(question_id, _DEFAULT).relevant

    def required(self, question_id: str) -> bool:
        """Whether the question's ``required`` expression holds."""
        return self._outcomes.get(question_id, _DEFAULT).required

    def constraint_ok(self, question_id: str) -> bool:
        """Whether the question's answer satisfies its constraint (True when not checked)."""
        return self._outcomes.get(question_id, _DEFAULT).constraint_ok

    def calculated(self, question_id: str) -> Value:
        """The value of a ``calculate`` question (``None`` when not relevant or failed)."""
        return self._outcomes.get(question_id, _DEFAULT).calculated

    def value(self, question_id: str) -> Value:
        """What expressions read for the question: ``None`` when it is not relevant."""
        return self._context.get(question_id)

    @property
    def problems(self) -> tuple[LogicProblem, ...]:
        """Expressions that failed over the current answers, in evaluation order."""
        field_order = {name: i for i, name in enumerate(FIELDS)}
        position = self.graph.position
        keys = sorted(
            self._problems,
            key=lambda k: (position.get(k[0], len(position)), field_order[k[1]]),
        )
        return tuple(LogicProblem(qid, name, self._problems[qid, name]) for qid, name in keys)

    # ---------------------------------------------------------------- changing
    def set(self, question_id: str, value: AnswerValue | None) -> Changes:
        """Change one answer (``None`` clears it) and re-evaluate what depends on it."""
        if value is None:
            self._answers.pop(question_id, None)
        else:
            self._answers[question_id] = value
        if question_id not in self.graph.position:
            return Changes(question_id)
        return self._propagate(question_id)

    def clear(self, question_id: str) -> Changes:
        """Remove one answer; the same as ``set(question_id, None)``."""
        return self.set(question_id, None)

    def _propagate(self, question_id: str) -> Changes:
        position, order = self.graph.position, self.graph.order
        found: _Found = {name: set() for name in FIELDS}
        evaluated: list[str] = []
        # The changed question first (its constraint reads its own answer), then, when what
        # expressions read of a question changed, its readers in evaluation order: each is
        # evaluated once, after everything it reads.
        queue = [position[question_id]]
        queued = {question_id}
        while queue:
            qid = order[heapq.heappop(queue)]
            evaluated.append(qid)
            if self._evaluate(qid, found):
                for reader in self.graph.dependents.get(qid, ()):
                    if reader not in queued:
                        queued.add(reader)
                        heapq.heappush(queue, position[reader])
        return Changes(
            question_id,
            relevant=frozenset(found["relevant"]),
            required=frozenset(found["required"]),
            constraint=frozenset(found["constraint"]),
            calculated=frozenset(found["calculate"]),
            evaluated=tuple(evaluated),
        )

    # ---------------------------------------------------------------- evaluating
    def _evaluate(self, question_id: str, found: _Found | None = None) -> bool:
        """Evaluate one question's expressions; True when what others read of it changed."""
        if self._problems:
            for name in FIELDS:
                self._problems.pop((question_id, name), None)
        if question_id in self._logic:
            outcome, own = self._outcome(self.questionnaire.question(question_id))
        else:  # most questions: nothing to evaluate (the scoring engine's hot path)
            outcome, own = _DEFAULT, self._answers.get(question_id)
        before = self._outcomes.get(question_id)
        self._outcomes[question_id] = outcome
        context = self._context
        old = context.get(question_id)
        if own is None:
            context.pop(question_id, None)
        else:
            context[question_id] = own
        if found is not None and before is not None and before is not outcome:
            _record(found, question_id, before, outcome)
        return not _same(old, own)

    def _outcome(self, question: Question) -> tuple[_Outcome, Value]:
        """A question's outcome, and what expressions read of it."""
        context = self._context
        calculated: Value = None
        if question.calculate_expr is not None:
            try:
                calculated = evaluate(question.calculate_expr, context)
            except ExpressionError as error:
                self._problems[question.id, "calculate"] = str(error)
        relevant = True
        if question.relevant_expr is not None:
            try:
                relevant = evaluate_bool(question.relevant_expr, context)
            except ExpressionError as error:
                # Show rather than silently hide: hiding on an error would hide answers.
                self._problems[question.id, "relevant"] = str(error)
        if not relevant:
            calculated = None
        if not self.checks and calculated is None:
            # Shared outcomes: the scoring engine builds one state per score.
            if not relevant:
                return _HIDDEN, None
            if question.calculate_expr is None:
                return _DEFAULT, self._answers.get(question.id)
        required = self.checks and self._required(question)
        constraint_ok = not self.checks or self._constraint_ok(question, relevant)
        own: Value = calculated
        if question.calculate_expr is None:
            own = self._answers.get(question.id) if relevant else None
        return _Outcome(relevant, required, constraint_ok, calculated), own

    def _required(self, question: Question) -> bool:
        if question.required_expr is None:
            return False
        try:
            return evaluate_bool(question.required_expr, self._context)
        except ExpressionError as error:
            self._problems[question.id, "required"] = str(error)
            return False

    def _constraint_ok(self, question: Question, relevant: bool) -> bool:
        value = self._answers.get(question.id)
        if not relevant or value is None:
            return True
        holds, error = constraint_holds(question, value, self._context)
        if error is not None:
            self._problems[question.id, "constraint"] = error
        return holds


def constraint_holds(
    question: Question, value: AnswerValue, answers: Mapping[str, Value]
) -> tuple[bool, str | None]:
    """Whether ``value`` satisfies the question's constraint, over ``answers``.

    Returns ``(holds, error)``: ``error`` is why the constraint could not be evaluated (it
    then does not hold). No constraint, and a non-scored state, always hold.
    """
    expr = question.constraint_expr
    if expr is None or (isinstance(value, str) and value in RESERVED_VALUES):
        return True, None
    try:
        return evaluate_bool(expr, answers, current=value), None
    except ExpressionError as error:
        return False, str(error)


def _same(old: Value, new: Value) -> bool:
    # 1 == True and 1 == 1.0 in Python, but expressions may tell them apart.
    return type(old) is type(new) and old == new


def _record(found: _Found, qid: str, before: _Outcome, after: _Outcome) -> None:
    if before.relevant != after.relevant:
        found["relevant"].add(qid)
    if before.required != after.required:
        found["required"].add(qid)
    if before.constraint_ok != after.constraint_ok:
        found["constraint"].add(qid)
    if not _same(before.calculated, after.calculated):
        found["calculate"].add(qid)
