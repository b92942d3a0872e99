"""Expressions between our language and XLSForm: printed from our syntax tree, read back
with our own parser.

Our language is the XLSForm subset field teams know (``${name}``, ``selected()``,
``count-selected()``...), so most expressions read the same in both. The differences
handled here:

- XPath has no escape inside a string literal: a text holding both quote kinds cannot be
  written, and is refused (:class:`~assessment_kit.errors.ExpressionError`);
- ``required`` in XLSForm is ``yes``/``no`` or an expression; ours is an expression
  (``true()`` when always required);
- XLSForm functions we do not evaluate (``today()``, ``concat()``...) are refused on the
  way in, with our parser's message.

Nothing is ever evaluated: the tree is walked to print, and text is parsed to read.
"""

from __future__ import annotations

from assessment_kit.errors import ExpressionError
from assessment_kit.questionnaire.expressions import (
    Binary,
    Call,
    Current,
    Expr,
    Negate,
    Not,
    Number,
    Ref,
    String,
    parse,
)
from assessment_kit.questionnaire.expressions.tree import PRECEDENCE

__all__ = [
    "EXCLUSIVE_STATES_MESSAGE",
    "exclusive_states",
    "from_xlsform",
    "required_from_xlsform",
    "required_to_xlsform",
    "to_xlsform",
    "with_exclusive_states",
    "without_exclusive_states",
]

#: The message of the check that a select_multiple gives a non-scored state alone.
EXCLUSIVE_STATES_MESSAGE = (
    "Unknown, Not applicable, Not assessed, Declined and No cases stand alone: "
    "do not select them with other choices."
)

#: XLSForm's words for "always" and "never" in the ``required`` column.
_YES = frozenset({"yes", "true", "true()", "1"})
_NO = frozenset({"no", "false", "false()", "0", ""})


def to_xlsform(expr: Expr) -> str:
    """The XLSForm text of an expression (walking the tree; nothing is evaluated).

    Raises
    ------
    ExpressionError
        A string literal holds both ``'`` and ``"``, which XPath cannot write.
    """
    return _print(expr)


def _print(node: Expr) -> str:
    if isinstance(node, Number | Ref | Current):
        return str(node)
    if isinstance(node, String):
        value = node.value
        if "'" not in value:
            return f"'{value}'"
        if '"' not in value:
            return f'"{value}"'
        raise ExpressionError(
            f"the text {value!r} holds both kinds of quote, which XLSForm cannot write"
        )
    if isinstance(node, Negate):
        inner = _print(node.operand)
        return f"-({inner})" if isinstance(node.operand, Binary) else f"-{inner}"
    if isinstance(node, Not):
        return f"not({_print(node.operand)})"
    if isinstance(node, Call):
        return f"{node.name}({', '.join(_print(arg) for arg in node.args)})"
    if isinstance(node, Binary):
        prec = PRECEDENCE[node.op]
        left, right = _print(node.left), _print(node.right)
        # Left-associative, as our parser and XPath both are.
        if isinstance(node.left, Binary) and PRECEDENCE[node.left.op] < prec:
            left = f"({left})"
        if isinstance(node.right, Binary) and PRECEDENCE[node.right.op] <= prec:
            right = f"({right})"
        return f"{left} {node.op} {right}"
    raise ExpressionError(f"unknown expression node {type(node).__name__}")


def from_xlsform(text: str) -> Expr:
    """Our syntax tree for an XLSForm expression, parsed by our own parser.

    Raises
    ------
    ExpressionError
        The text uses something our language lacks (a function, a path such as
        ``/data/q``), with the position of the problem.
    """
    return parse(text.strip())


def required_to_xlsform(expr: Expr) -> str:
    """The ``required`` cell: ``yes`` when always required, else the expression."""
    if isinstance(expr, Call) and expr.name == "true":
        return "yes"
    if isinstance(expr, Call) and expr.name == "false":
        return ""
    return to_xlsform(expr)


def required_from_xlsform(text: str) -> str | None:
    """Our ``required`` expression text for a cell: ``true()``, an expression, or None."""
    stripped = text.strip()
    if stripped.lower() in _YES:
        return "true()"
    if stripped.lower() in _NO:
        return None
    return str(from_xlsform(stripped))


def exclusive_states(states: tuple[str, ...]) -> Expr:
    """The check a select_multiple needs on the tablet: a non-scored state is selected
    alone (the store refuses it combined with choices)."""
    alone = " or ".join(f"selected(., '{state}')" for state in states)
    return parse(f"count-selected(.) <= 1 or not({alone})")


def with_exclusive_states(expr: Expr | None, states: tuple[str, ...]) -> Expr:
    """A select_multiple's constraint with :func:`exclusive_states` added."""
    clause = exclusive_states(states)
    return clause if expr is None else Binary("and", expr, clause)


def without_exclusive_states(expr: Expr, states: tuple[str, ...]) -> tuple[Expr | None, bool]:
    """The constraint without the check :func:`with_exclusive_states` added, and whether
    it was there (compared as syntax trees, so spacing does not matter)."""
    clause = exclusive_states(states)
    if expr == clause:
        return None, True
    if isinstance(expr, Binary) and expr.op == "and" and expr.right == clause:
        return expr.left, True
    return expr, False
