"""Evaluation: a syntax tree and the answers to a value.

A tree is turned once into nested Python closures, one per node, each made by a small rule
for its kind of node; the closure is kept on the tree, so the scoring engine's inner loop
(every relevance expression for every respondent) pays no dispatch on node types. No text
is compiled: the closures are ordinary functions built from the tree. The meaning of
values (truth, comparison, arithmetic) lives in :mod:`.values` and the functions in
:mod:`.functions`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from assessment_kit.errors import ExpressionError
from assessment_kit.questionnaire.expressions.functions import FUNCTIONS, Argument
from assessment_kit.questionnaire.expressions.tree import (
    Binary,
    Call,
    Current,
    Expr,
    Negate,
    Not,
    Number,
    Ref,
    String,
)
from assessment_kit.questionnaire.expressions.values import (
    OPERATIONS,
    Answers,
    Value,
    normalise,
    numeric,
    truthy,
)
from assessment_kit.questionnaire.model import AnswerValue


def evaluate(expr: Expr, answers: Answers, current: AnswerValue | None = None) -> Value:
    """Evaluate an expression over answers.

    Parameters
    ----------
    expr
        A parsed expression.
    answers
        Question id -> answer; a missing id or ``None`` is unanswered.
    current
        The value of the question the expression belongs to (``.``).

    Returns
    -------
    Value
        ``None``, a bool, an int, a float, a str or a tuple of str.

    Raises
    ------
    ExpressionError
        Only when an answer has a type that is not an answer value.
    """
    try:
        try:
            run = expr._compiled
        except AttributeError:
            run = compiled(expr)
        return run(answers, normalise(current, "."))
    except RecursionError as exc:  # only reachable when called near the recursion limit
        raise ExpressionError("expression is nested too deeply to evaluate") from exc


def evaluate_bool(expr: Expr, answers: Answers, current: AnswerValue | None = None) -> bool:
    """Evaluate an expression and take its truth value (see :func:`truthy`)."""
    return truthy(evaluate(expr, answers, current))


#: A compiled node: ``run(answers, current)`` gives its value.
Compiled = Argument


def compiled(expr: Expr) -> Compiled:
    """The closure that evaluates ``expr``, made on first use and kept on the node."""
    try:
        return expr._compiled
    except AttributeError:
        pass
    run = _rule(type(expr))(expr)
    # Nodes are frozen: the cache slot is set once, here, like the node's depth.
    object.__setattr__(expr, "_compiled", run)
    return run


Rule = Callable[[Any], Compiled]


def _rule(node_type: type[Expr]) -> Rule:
    # By exact type, else the nearest node class above a subclass made by hand.
    for klass in node_type.__mro__:
        rule = _RULES.get(klass)
        if rule is not None:
            return rule
    raise ExpressionError(f"{node_type.__name__} is not an expression node")


def _literal(expr: Number | String) -> Compiled:
    value = expr.value

    def run(answers: Answers, current: Value) -> Value:
        return value

    return run


def _ref(expr: Ref) -> Compiled:
    name = expr.name

    def run(answers: Answers, current: Value) -> Value:
        value = answers.get(name)
        # The common answers (none, a choice, text) need no normalising: skip the call.
        if value is None or type(value) is str:
            return value
        return normalise(value, name)

    return run


def _current(expr: Current) -> Compiled:
    def run(answers: Answers, current: Value) -> Value:
        return current

    return run


def _negate(expr: Negate) -> Compiled:
    operand = compiled(expr.operand)

    def run(answers: Answers, current: Value) -> Value:
        number = numeric(operand(answers, current))
        return None if number is None else -number

    return run


def _not(expr: Not) -> Compiled:
    operand = compiled(expr.operand)

    def run(answers: Answers, current: Value) -> Value:
        return not truthy(operand(answers, current))

    return run


def _binary(expr: Binary) -> Compiled:
    left, right = compiled(expr.left), compiled(expr.right)
    # and/or short-circuit: the right side is evaluated only when it decides.
    if expr.op == "and":

        def both(answers: Answers, current: Value) -> Value:
            return truthy(left(answers, current)) and truthy(right(answers, current))

        return both
    if expr.op == "or":

        def either(answers: Answers, current: Value) -> Value:
            return truthy(left(answers, current)) or truthy(right(answers, current))

        return either
    operation = OPERATIONS[expr.op]

    def run(answers: Answers, current: Value) -> Value:
        return operation(left(answers, current), right(answers, current))

    return run


def _call(expr: Call) -> Compiled:
    apply = FUNCTIONS[expr.name].apply
    args = tuple(compiled(arg) for arg in expr.args)

    def run(answers: Answers, current: Value) -> Value:
        return apply(args, answers, current)

    return run


#: Node type -> the rule that compiles it.
_RULES: dict[type[Expr], Rule] = {
    Number: _literal,
    String: _literal,
    Ref: _ref,
    Current: _current,
    Negate: _negate,
    Not: _not,
    Binary: _binary,
    Call: _call,
}
