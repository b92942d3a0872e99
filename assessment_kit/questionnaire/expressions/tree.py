"""The syntax tree: immutable, hashable nodes that check themselves, and their source text.

A node is valid when built (a question id in a reference, a known function with the right
number of arguments, a depth within :data:`MAX_DEPTH`), so any tree can be printed,
compared and evaluated. :func:`to_source` prints the canonical text, which parses back
into an equal tree.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from assessment_kit.errors import ExpressionError
from assessment_kit.questionnaire.expressions.functions import (
    FUNCTIONS,
    arity_message,
    unknown_function_message,
)
from assessment_kit.questionnaire.expressions.values import MAX_INT, Answers, Value, float_text

#: Maximum nesting of an expression (parentheses, calls, operators); deeper is an error.
MAX_DEPTH = 100

#: Binding strength of the binary operators, loosest first.
EQUALITY_PREC = 3
PRECEDENCE: Mapping[str, int] = {
    "or": 1,
    "and": 2,
    "=": EQUALITY_PREC,
    "!=": EQUALITY_PREC,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "div": 6,
    "mod": 6,
}


def is_id(name: str) -> bool:
    """Whether ``name`` is a question id: ``[A-Za-z_][A-Za-z0-9_]*``."""
    return (
        name.isascii() and name != "" and not name[0].isdigit() and name.replace("_", "a").isalnum()
    )


def depth_of(children: tuple[Expr, ...]) -> int:
    """The depth of a node with these children."""
    return 1 + max((child._depth for child in children), default=0)


class Expr:
    """Base class of expression nodes: immutable, comparable and hashable.

    ``str(expr)`` gives the canonical source text (see :func:`to_source`).
    """

    # _compiled: the evaluator's closure for this node, made on first evaluation and kept
    # (see .evaluation); it is not a field, so equality and hashing ignore it.
    __slots__ = ("_compiled", "_depth")
    _depth: int
    _compiled: Callable[[Answers, Value], Value]

    def _source(self) -> str:
        raise NotImplementedError

    def _children(self) -> tuple[Expr, ...]:
        return ()

    def _set_depth(self, children: tuple[Expr, ...]) -> None:
        for child in children:
            if not isinstance(child, Expr):
                raise ExpressionError(f"{type(self).__name__} operand {child!r} is not an Expr")
        depth = depth_of(children)
        if depth > MAX_DEPTH:
            raise ExpressionError(f"expression is nested more than {MAX_DEPTH} levels deep")
        # Frozen dataclass: the cached depth is set once, here.
        object.__setattr__(self, "_depth", depth)

    def __str__(self) -> str:
        return to_source(self)


@dataclass(frozen=True, slots=True)
class Number(Expr):
    """A number literal: a finite, non-negative int or float (``-`` is :class:`Negate`)."""

    value: int | float

    def __post_init__(self) -> None:
        value = self.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ExpressionError(f"Number value {value!r} is not an int or float")
        if isinstance(value, float):
            if not math.isfinite(value) or math.copysign(1.0, value) < 0:
                raise ExpressionError(f"Number value {value!r} is not finite and non-negative")
        elif value < 0 or value > MAX_INT:
            raise ExpressionError("Number value is negative or too large")
        self._set_depth(())

    def _source(self) -> str:
        if isinstance(self.value, float):
            text = float_text(self.value)
            return text if "." in text else text + ".0"
        return str(self.value)


@dataclass(frozen=True, slots=True)
class String(Expr):
    """A string literal."""

    value: str

    def __post_init__(self) -> None:
        if not isinstance(self.value, str):
            raise ExpressionError(f"String value {self.value!r} is not a str")
        self._set_depth(())

    def _source(self) -> str:
        value = self.value
        if "'" not in value:
            return f"'{value}'"
        if '"' not in value:
            return f'"{value}"'
        return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True, slots=True)
class Ref(Expr):
    """A reference ``${name}`` to another question's answer."""

    name: str

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not is_id(self.name):
            raise ExpressionError(f"Ref name {self.name!r} is not a question id")
        self._set_depth(())

    def _source(self) -> str:
        return "${" + self.name + "}"


@dataclass(frozen=True, slots=True)
class Current(Expr):
    """``.``: the current question's own value."""

    def __post_init__(self) -> None:
        self._set_depth(())

    def _source(self) -> str:
        return "."


@dataclass(frozen=True, slots=True)
class Negate(Expr):
    """Unary minus."""

    operand: Expr

    def __post_init__(self) -> None:
        self._set_depth((self.operand,))

    def _children(self) -> tuple[Expr, ...]:
        return (self.operand,)

    def _source(self) -> str:
        inner = self.operand._source()
        return f"-({inner})" if isinstance(self.operand, Binary) else "-" + inner


@dataclass(frozen=True, slots=True)
class Not(Expr):
    """``not(x)``: the negation of x's truth value."""

    operand: Expr

    def __post_init__(self) -> None:
        self._set_depth((self.operand,))

    def _children(self) -> tuple[Expr, ...]:
        return (self.operand,)

    def _source(self) -> str:
        return f"not({self.operand._source()})"


@dataclass(frozen=True, slots=True)
class Binary(Expr):
    """A binary operation; ``op`` is one of ``or and = != < <= > >= + - * div mod``."""

    op: str
    left: Expr
    right: Expr

    def __post_init__(self) -> None:
        if not isinstance(self.op, str) or self.op not in PRECEDENCE:
            raise ExpressionError(f"unknown operator {self.op!r}")
        self._set_depth((self.left, self.right))

    def _children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)

    def _source(self) -> str:
        prec = PRECEDENCE[self.op]
        left, right = self.left._source(), self.right._source()
        # Left-associative: a looser left operand, or an equally loose right one, needs
        # parentheses to parse back into the same tree.
        if isinstance(self.left, Binary) and PRECEDENCE[self.left.op] < prec:
            left = f"({left})"
        if isinstance(self.right, Binary) and PRECEDENCE[self.right.op] <= prec:
            right = f"({right})"
        return f"{left} {self.op} {right}"


@dataclass(frozen=True, slots=True)
class Call(Expr):
    """A function call such as ``selected(${q}, 'v')``; the name and arity are checked."""

    name: str
    args: tuple[Expr, ...] = ()

    def __post_init__(self) -> None:
        function = FUNCTIONS.get(self.name) if isinstance(self.name, str) else None
        if function is None:
            raise ExpressionError(unknown_function_message(self.name))
        # Accept any sequence of arguments but store a tuple, so nodes stay hashable.
        object.__setattr__(self, "args", tuple(self.args))
        if len(self.args) != function.arity:
            raise ExpressionError(arity_message(self.name, function.arity, len(self.args)))
        self._set_depth(self.args)

    def _children(self) -> tuple[Expr, ...]:
        return self.args

    def _source(self) -> str:
        return f"{self.name}({', '.join(arg._source() for arg in self.args)})"


def walk(expr: Expr) -> Iterator[Expr]:
    """Every node of a tree, ``expr`` first."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node._children())


def references(expr: Expr) -> frozenset[str]:
    """The question ids that ``expr`` refers to with ``${...}``."""
    return frozenset(node.name for node in walk(expr) if isinstance(node, Ref))


def compared_values(expr: Expr) -> frozenset[tuple[str, str]]:
    """The (question id, text) pairs ``expr`` tests an answer against.

    ``${q} = 'v'``, ``'v' != ${q}`` and ``selected(${q}, 'v')`` each give ``(q, 'v')``; the
    validator uses them to refuse a comparison with a value the question never takes.
    """
    found: set[tuple[str, str]] = set()
    for node in walk(expr):
        pair: tuple[Expr, Expr] | None = None
        if isinstance(node, Binary) and node.op in ("=", "!="):
            pair = (node.left, node.right)
        elif isinstance(node, Call) and node.name == "selected":
            pair = (node.args[0], node.args[1])
        if pair is None:
            continue
        for ref, text in (pair, pair[::-1]):
            if isinstance(ref, Ref) and isinstance(text, String):
                found.add((ref.name, text.value))
    return frozenset(found)


def uses_current(expr: Expr) -> bool:
    """Whether ``expr`` uses ``.``, the current question's own value."""
    return any(isinstance(node, Current) for node in walk(expr))


def to_source(expr: Expr) -> str:
    """Canonical source text of an expression: ``parse(to_source(e)) == e``."""
    try:
        return expr._source()
    except RecursionError as exc:
        raise ExpressionError("expression is nested too deeply to print") from exc
