"""The questionnaire expression language: an XLSForm-compatible subset.

Expressions drive skip logic (``relevant``), checks (``constraint``), ``required`` and
``calculate``. They are tokenized and parsed by our own recursive-descent parser into an
immutable AST; nothing is ever handed to ``eval``, ``exec`` or ``compile``.

Syntax
------
- ``${question_id}`` refers to another question's answer (ids: ``[A-Za-z_][A-Za-z0-9_]*``);
  ``.`` is the current question's own value (in constraints).
- Numbers ``3``, ``2.5``, ``.5`` (no exponents, no sign: ``-3`` is unary minus); strings in
  single or double quotes (a doubled quote inside, ``'it''s'``, stands for one quote).
- Operators, loosest first: ``or``; ``and``; ``=`` ``!=``; ``<`` ``<=`` ``>`` ``>=``;
  ``+`` ``-``; ``*`` ``div`` ``mod``; unary ``-``. Binary operators are left-associative.
- ``not(x)`` as in XLSForm. A bare prefix ``not x`` is also accepted and binds looser than
  comparisons, so ``not ${a} = 'yes'`` means ``not(${a} = 'yes')``.
- Functions: ``selected(x, 'v')``, ``count-selected(x)``, ``string-length(x)``,
  ``if(c, a, b)``, ``coalesce(a, b)``, ``true()``, ``false()``, ``number(x)``.

Semantics
---------
Values are ``None`` (empty), ``bool``, ``int``, ``float``, ``str`` and ``tuple[str, ...]``
(the answer to a ``multiple`` question). Evaluation never raises anything but
:class:`~assessment_kit.errors.ExpressionError`.

- An unanswered reference, and ``.`` with no current value, are ``None``. A float NaN in
  the answers (a missing value from pandas) is ``None`` too. Non-scored states
  (``'unknown'``, ``'not_applicable'``, ``'not_assessed'``, ``'declined'``) are plain strings.
- ``truthy``: ``None``, ``False``, ``0``, ``''`` and ``()`` are false; everything else is
  true (so the string ``'no'`` is true, as in XPath). ``and``/``or`` short-circuit and
  give a ``bool``; ``if()`` evaluates only the chosen branch.
- ``=`` / ``!=``: ``None`` equals only ``None``, ``''`` and ``()``. Otherwise a boolean
  operand compares by truthiness (XPath). A tuple compares as its space-separated text.
  When one side is a number, the other compares numerically if it is a number or a numeric
  string (``'3' = 3``), and is unequal otherwise. Two strings compare as strings.
- ``< <= > >=``: numerically when both sides are numbers, booleans or numeric strings; as
  strings when both are non-numeric strings (ISO dates sort correctly); otherwise
  (``None``, a tuple, a number against text) the comparison is false.
- Arithmetic converts numeric strings and booleans to numbers; ``None``, tuples and other
  text give ``None``. ``div`` always gives a float; ``mod`` takes the sign of the dividend
  (XPath). Division or ``mod`` by zero, and results out of the float range, give ``None``.
- ``selected(x, v)`` is true when the text of ``v`` is one of x's values: the items of a
  tuple, or the space-separated words of a string (XLSForm). ``count-selected(x)`` counts
  them; a non-scored state counts as nothing selected (0). ``string-length(x)`` is the
  length of x's text (``None`` -> 0, numbers as written, a tuple as its space-separated
  text). ``coalesce(a, b)`` is ``a`` unless it is empty (``None``, ``''``, ``()``).
  ``number(x)`` is x as a number, or ``None``.

Parsing is cached: :func:`parse` returns the same (immutable) AST for the same text.
Nesting is capped at :data:`MAX_DEPTH` levels so that no input can exhaust the stack.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from numbers import Integral, Real
from typing import Any, TypeAlias

from assessment_kit.errors import ExpressionError
from assessment_kit.questionnaire.model import RESERVED_VALUES, AnswerValue

__all__ = [
    "MAX_DEPTH",
    "Binary",
    "Call",
    "Current",
    "Expr",
    "Negate",
    "Not",
    "Number",
    "Ref",
    "String",
    "Value",
    "compared_values",
    "evaluate",
    "evaluate_bool",
    "parse",
    "references",
    "to_source",
    "truthy",
    "uses_current",
]

#: The result of evaluating an expression.
Value: TypeAlias = bool | int | float | str | tuple[str, ...] | None
Answers: TypeAlias = Mapping[str, AnswerValue | None]

#: Maximum nesting of an expression (parentheses, calls, operators); deeper is an error.
MAX_DEPTH = 100

# Integers beyond the float range are refused (literals, answers) or become None
# (arithmetic), so every number can be printed and mixed with floats without overflow.
_MAX_INT = 2**1023
_MAX_INT_DIGITS = 310

_EQUALITY_PREC = 3
_PRECEDENCE: Mapping[str, int] = {
    "or": 1,
    "and": 2,
    "=": _EQUALITY_PREC,
    "!=": _EQUALITY_PREC,
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
_KEYWORD_OPERATORS = frozenset({"and", "or", "div", "mod"})
_STATES = frozenset(RESERVED_VALUES)


def _is_id(name: str) -> bool:
    """Whether ``name`` is a question id: ``[A-Za-z_][A-Za-z0-9_]*``."""
    return (
        name.isascii() and name != "" and not name[0].isdigit() and name.replace("_", "a").isalnum()
    )


def _depth_of(children: tuple[Expr, ...]) -> int:
    return 1 + max((child._depth for child in children), default=0)


# ---------------------------------------------------------------------------------------
# The AST


class Expr:
    """Base class of expression nodes: immutable, comparable and hashable.

    ``str(expr)`` gives the canonical source text (see :func:`to_source`).
    """

    __slots__ = ("_depth",)
    _depth: int

    def _eval(self, answers: Answers, current: Value) -> Value:
        raise NotImplementedError

    def _source(self) -> str:
        raise NotImplementedError

    def _children(self) -> tuple[Expr, ...]:
        return ()

    def _set_depth(self, children: tuple[Expr, ...]) -> None:
        for child in children:
            if not isinstance(child, Expr):
                raise ExpressionError(f"{type(self).__name__} operand {child!r} is not an Expr")
        depth = _depth_of(children)
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
        elif value < 0 or value > _MAX_INT:
            raise ExpressionError("Number value is negative or too large")
        self._set_depth(())

    def _eval(self, answers: Answers, current: Value) -> Value:
        return self.value

    def _source(self) -> str:
        if isinstance(self.value, float):
            text = _float_text(self.value)
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

    def _eval(self, answers: Answers, current: Value) -> Value:
        return self.value

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
        if not isinstance(self.name, str) or not _is_id(self.name):
            raise ExpressionError(f"Ref name {self.name!r} is not a question id")
        self._set_depth(())

    def _eval(self, answers: Answers, current: Value) -> Value:
        return _normalise(answers.get(self.name), self.name)

    def _source(self) -> str:
        return "${" + self.name + "}"


@dataclass(frozen=True, slots=True)
class Current(Expr):
    """``.``: the current question's own value."""

    def __post_init__(self) -> None:
        self._set_depth(())

    def _eval(self, answers: Answers, current: Value) -> Value:
        return current

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

    def _eval(self, answers: Answers, current: Value) -> Value:
        number = _numeric(self.operand._eval(answers, current))
        return None if number is None else -number

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

    def _eval(self, answers: Answers, current: Value) -> Value:
        return not truthy(self.operand._eval(answers, current))

    def _source(self) -> str:
        return f"not({self.operand._source()})"


@dataclass(frozen=True, slots=True)
class Binary(Expr):
    """A binary operation; ``op`` is one of ``or and = != < <= > >= + - * div mod``."""

    op: str
    left: Expr
    right: Expr

    def __post_init__(self) -> None:
        if not isinstance(self.op, str) or self.op not in _PRECEDENCE:
            raise ExpressionError(f"unknown operator {self.op!r}")
        self._set_depth((self.left, self.right))

    def _children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)

    def _eval(self, answers: Answers, current: Value) -> Value:
        op = self.op
        if op == "and":
            return truthy(self.left._eval(answers, current)) and truthy(
                self.right._eval(answers, current)
            )
        if op == "or":
            return truthy(self.left._eval(answers, current)) or truthy(
                self.right._eval(answers, current)
            )
        return _OPERATIONS[op](
            self.left._eval(answers, current), self.right._eval(answers, current)
        )

    def _source(self) -> str:
        prec = _PRECEDENCE[self.op]
        left, right = self.left._source(), self.right._source()
        # Left-associative: a looser left operand, or an equally loose right one, needs
        # parentheses to parse back into the same tree.
        if isinstance(self.left, Binary) and _PRECEDENCE[self.left.op] < prec:
            left = f"({left})"
        if isinstance(self.right, Binary) and _PRECEDENCE[self.right.op] <= prec:
            right = f"({right})"
        return f"{left} {self.op} {right}"


@dataclass(frozen=True, slots=True)
class Call(Expr):
    """A function call such as ``selected(${q}, 'v')``; the name and arity are checked."""

    name: str
    args: tuple[Expr, ...] = ()

    def __post_init__(self) -> None:
        function = _FUNCTIONS.get(self.name) if isinstance(self.name, str) else None
        if function is None:
            raise ExpressionError(_unknown_function(self.name))
        # Accept any sequence of arguments but store a tuple, so nodes stay hashable.
        object.__setattr__(self, "args", tuple(self.args))
        if len(self.args) != function[0]:
            raise ExpressionError(_arity_message(self.name, function[0], len(self.args)))
        self._set_depth(self.args)

    def _children(self) -> tuple[Expr, ...]:
        return self.args

    def _eval(self, answers: Answers, current: Value) -> Value:
        return _FUNCTIONS[self.name][1](self.args, answers, current)

    def _source(self) -> str:
        return f"{self.name}({', '.join(arg._source() for arg in self.args)})"


# ---------------------------------------------------------------------------------------
# Values


def truthy(value: Value) -> bool:
    """Truth value of an expression result.

    ``None``, ``False``, ``0`` (and NaN), ``''`` and ``()`` are false; everything else is true.
    """
    if value is None:
        return False
    if isinstance(value, float):
        return value != 0 and value == value
    return bool(value)


def _normalise(value: object, name: str) -> Value:
    """An answer as a :data:`Value`; the common types pass straight through."""
    if value is None or type(value) is str or type(value) is bool:
        return value
    if type(value) is int:
        if -_MAX_INT <= value <= _MAX_INT:
            return value
        raise ExpressionError(f"the answer to {name} is too large a number")
    if type(value) is float:
        return None if value != value else value
    if type(value) is tuple and all(type(item) is str for item in value):
        return value
    return _normalise_other(value, name)


def _normalise_other(value: object, name: str) -> Value:
    # Rarer inputs: subclasses, numpy scalars, Decimal, lists and sets of choice values.
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, Integral):
        return _normalise(int(value), name)
    if isinstance(value, Real | Decimal):
        number = float(value)
        return None if number != number else number
    if isinstance(value, tuple | list | set | frozenset):
        return tuple(
            item if isinstance(item, str) else _text(_normalise(item, name)) for item in value
        )
    raise ExpressionError(f"the answer to {name} has an unsupported type {type(value).__name__}")


def _parse_number(text: str) -> int | float | None:
    """A numeric string as a number (``' -3.5 '`` -> -3.5), else ``None``.

    Stricter than ``float()``: no exponents, ``inf``, ``nan``, underscores or non-ASCII digits.
    """
    text = text.strip()
    body = text[1:] if text[:1] == "-" else text
    if not body or body == "." or not body.isascii():
        return None
    if body.isdigit():
        if len(body) <= _MAX_INT_DIGITS:
            integer = int(text)
            if -_MAX_INT <= integer <= _MAX_INT:
                return integer
        number = float(text)
        return number if math.isfinite(number) else None
    if body.replace(".", "", 1).isdigit():
        number = float(text)
        return number if math.isfinite(number) else None
    return None


def _numeric(value: Value) -> int | float | None:
    """A value as a number for arithmetic and ordering, or ``None``."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        return _parse_number(value)
    return None


def _float_text(value: float) -> str:
    """A float written positionally (XPath has no exponents), shortest round-trip digits."""
    if value != value:
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    text = repr(value)
    if "e" in text:
        text = format(Decimal(text), "f")
    return text


def _text(value: Value) -> str:
    """A value as text, as XPath's string()."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return _float_text(value)
    return " ".join(value)


def _is_empty(value: Value) -> bool:
    return value is None or value == "" or value == ()


def _items(value: Value) -> tuple[str, ...]:
    """The selected values: a tuple's items, or the words of its text."""
    if isinstance(value, tuple):
        return value
    return tuple(_text(value).split())


def _equals(left: Value, right: Value) -> bool:
    if left is None or right is None:
        return _is_empty(right if left is None else left)
    if isinstance(left, bool) or isinstance(right, bool):
        return truthy(left) == truthy(right)
    if isinstance(left, tuple):
        left = " ".join(left)
    if isinstance(right, tuple):
        right = " ".join(right)
    if isinstance(left, str) and isinstance(right, str):
        return left == right
    # At least one side is a number: compare numerically or not at all.
    a, b = _numeric(left), _numeric(right)
    return a is not None and b is not None and a == b


def _not_equals(left: Value, right: Value) -> bool:
    return not _equals(left, right)


def _relational(compare: Callable[[Any, Any], Any]) -> Callable[[Value, Value], Value]:
    def apply(left: Value, right: Value) -> Value:
        if left is None or right is None or isinstance(left, tuple) or isinstance(right, tuple):
            return False
        a, b = _numeric(left), _numeric(right)
        if a is not None and b is not None:
            return bool(compare(a, b))
        if isinstance(left, str) and isinstance(right, str):
            return bool(compare(left, right))
        return False

    return apply


def _number_result(result: int | float) -> Value:
    # Out of the float range (or NaN from inf - inf) is as good as no answer.
    if isinstance(result, int):
        return result if -_MAX_INT <= result <= _MAX_INT else None
    return result if math.isfinite(result) else None


def _arithmetic(
    compute: Callable[[int | float, int | float], int | float | None],
) -> Callable[[Value, Value], Value]:
    def apply(left: Value, right: Value) -> Value:
        a, b = _numeric(left), _numeric(right)
        if a is None or b is None:
            return None
        try:
            result = compute(a, b)
        except (ArithmeticError, ValueError):  # overflow, or math.fmod of an infinity
            return None
        return None if result is None else _number_result(result)

    return apply


def _divide(a: int | float, b: int | float) -> float | None:
    return None if b == 0 else a / b


def _modulo(a: int | float, b: int | float) -> int | float | None:
    if b == 0:
        return None
    if isinstance(a, int) and isinstance(b, int):
        # XPath mod truncates: the result has the sign of the dividend.
        remainder = abs(a) % abs(b)
        return remainder if a >= 0 else -remainder
    return math.fmod(a, b)


_OPERATIONS: Mapping[str, Callable[[Value, Value], Value]] = {
    "=": _equals,
    "!=": _not_equals,
    "<": _relational(operator.lt),
    "<=": _relational(operator.le),
    ">": _relational(operator.gt),
    ">=": _relational(operator.ge),
    "+": _arithmetic(operator.add),
    "-": _arithmetic(operator.sub),
    "*": _arithmetic(operator.mul),
    "div": _arithmetic(_divide),
    "mod": _arithmetic(_modulo),
}


# ---------------------------------------------------------------------------------------
# Functions: each receives its unevaluated arguments, so if() and coalesce() can be lazy.

_Function: TypeAlias = Callable[[tuple[Expr, ...], Answers, Value], Value]


def _fn_selected(args: tuple[Expr, ...], answers: Answers, current: Value) -> Value:
    wanted = _text(args[1]._eval(answers, current)).strip()
    return wanted != "" and wanted in _items(args[0]._eval(answers, current))


def _fn_count_selected(args: tuple[Expr, ...], answers: Answers, current: Value) -> Value:
    value = args[0]._eval(answers, current)
    if isinstance(value, str) and value.strip() in _STATES:
        return 0  # 'unknown' and the other states mean nothing was selected
    return sum(1 for item in _items(value) if item)


def _fn_string_length(args: tuple[Expr, ...], answers: Answers, current: Value) -> Value:
    return len(_text(args[0]._eval(answers, current)))


def _fn_if(args: tuple[Expr, ...], answers: Answers, current: Value) -> Value:
    chosen = args[1] if truthy(args[0]._eval(answers, current)) else args[2]
    return chosen._eval(answers, current)


def _fn_coalesce(args: tuple[Expr, ...], answers: Answers, current: Value) -> Value:
    first = args[0]._eval(answers, current)
    return args[1]._eval(answers, current) if _is_empty(first) else first


def _fn_true(args: tuple[Expr, ...], answers: Answers, current: Value) -> Value:
    return True


def _fn_false(args: tuple[Expr, ...], answers: Answers, current: Value) -> Value:
    return False


def _fn_number(args: tuple[Expr, ...], answers: Answers, current: Value) -> Value:
    return _numeric(args[0]._eval(answers, current))


#: name -> (number of arguments, implementation)
_FUNCTIONS: Mapping[str, tuple[int, _Function]] = {
    "selected": (2, _fn_selected),
    "count-selected": (1, _fn_count_selected),
    "string-length": (1, _fn_string_length),
    "if": (3, _fn_if),
    "coalesce": (2, _fn_coalesce),
    "true": (0, _fn_true),
    "false": (0, _fn_false),
    "number": (1, _fn_number),
}


def _unknown_function(name: object) -> str:
    known = ", ".join(f"{known}()" for known in sorted([*_FUNCTIONS, "not"]))
    return f"unknown function {name!s}(); the functions are {known}"


def _arity_message(name: str, expected: int, got: int) -> str:
    plural = "" if expected == 1 else "s"
    return f"{name}() takes {expected} argument{plural}, got {got}"


# ---------------------------------------------------------------------------------------
# Tokenizer


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # number, string, ref, dot, name, op, end
    text: str
    pos: int
    value: int | float | str | None = None

    def describe(self) -> str:
        if self.kind == "end":
            return "the end of the expression"
        if self.kind == "op":
            return repr(self.text)
        label = {"number": "number", "string": "string", "ref": "reference", "name": "name"}
        return f"{label[self.kind]} {self.text}" if self.kind in label else repr(self.text)


_WHITESPACE = frozenset(" \t\r\n")
_SINGLE_OPS = frozenset("=<>+-*(),")
_HINTS: Mapping[str, str] = {
    "!": "use '!=' to compare or not(...) to negate",
    "&": "use 'and'",
    "|": "use 'or'",
    "/": "use 'div' to divide",
    "%": "use 'mod' for the remainder",
    "[": "brackets are not supported; use parentheses",
    "{": "write a reference as ${question_id}",
}


def _is_name_start(char: str) -> bool:
    return char == "_" or (char.isascii() and char.isalpha())


def _is_name_char(char: str) -> bool:
    return char == "_" or (char.isascii() and char.isalnum())


def _is_digit(char: str) -> bool:
    return "0" <= char <= "9"


def _tokenize(source: str) -> list[_Token]:
    def fail(message: str, position: int) -> ExpressionError:
        return ExpressionError(message, source, position)

    tokens: list[_Token] = []
    length = len(source)
    i = 0
    while i < length:
        char = source[i]
        nxt = source[i + 1] if i + 1 < length else ""
        start = i
        if char in _WHITESPACE:
            i += 1
        elif _is_digit(char) or (char == "." and _is_digit(nxt)):
            while i < length and _is_digit(source[i]):
                i += 1
            is_float = i < length and source[i] == "."
            if is_float:
                i += 1
                while i < length and _is_digit(source[i]):
                    i += 1
            text = source[start:i]
            number: int | float
            if is_float:
                number = float(text)
                if not math.isfinite(number):
                    raise fail(f"number {text[:20]}... is too large", start)
            else:
                if len(text) > _MAX_INT_DIGITS or int(text) > _MAX_INT:
                    raise fail(f"number {text[:20]}... is too large", start)
                number = int(text)
            tokens.append(_Token("number", text, start, number))
        elif char == ".":
            if nxt == ".":
                raise fail("'..' is not supported; refer to a question as ${question_id}", i)
            tokens.append(_Token("dot", ".", i))
            i += 1
        elif char in "'\"":
            parts: list[str] = []
            i += 1
            while True:
                end = source.find(char, i)
                if end < 0:
                    raise fail(f"unterminated string: missing closing {char}", start)
                parts.append(source[i:end])
                i = end + 1
                if i < length and source[i] == char:  # a doubled quote stands for one
                    parts.append(char)
                    i += 1
                    continue
                break
            tokens.append(_Token("string", source[start:i], start, "".join(parts)))
        elif char == "$":
            if nxt != "{":
                raise fail("expected '{' after '$': write a reference as ${question_id}", i)
            i += 2
            while i < length and _is_name_char(source[i]):
                i += 1
            name = source[start + 2 : i]
            if i >= length:
                raise fail("unterminated reference: missing '}'", start)
            if source[i] != "}":
                raise fail(
                    f"unexpected {source[i]!r} in a reference: question ids are letters, "
                    "digits and '_'",
                    i,
                )
            if not name:
                raise fail("empty reference ${}: put a question id inside", start)
            if _is_digit(name[0]):
                raise fail(
                    f"invalid question id {name!r}: it must not start with a digit", start + 2
                )
            i += 1
            tokens.append(_Token("ref", source[start:i], start, name))
        elif _is_name_start(char):
            i += 1
            while True:
                while i < length and _is_name_char(source[i]):
                    i += 1
                # XPath names may contain '-' (count-selected); '-' followed by anything
                # but a letter is the minus operator.
                if i + 1 < length and source[i] == "-" and _is_name_start(source[i + 1]):
                    i += 2
                    continue
                break
            text = source[start:i]
            kind = "op" if text in _KEYWORD_OPERATORS else "name"
            tokens.append(_Token(kind, text, start))
        elif char + nxt in ("!=", "<=", ">="):
            tokens.append(_Token("op", char + nxt, i))
            i += 2
        elif char + nxt in ("==", "&&", "||"):
            advice = {"==": "use '=' to compare", "&&": "use 'and'", "||": "use 'or'"}[char + nxt]
            raise fail(f"unexpected {char + nxt!r}: {advice}", i)
        elif char in _SINGLE_OPS:
            tokens.append(_Token("op", char, i))
            i += 1
        else:
            hint = _HINTS.get(char)
            raise fail(f"unexpected character {char!r}" + (f": {hint}" if hint else ""), i)
    tokens.append(_Token("end", "", length))
    return tokens


# ---------------------------------------------------------------------------------------
# Parser: precedence climbing over the token list.


class _Parser:
    __slots__ = ("index", "nesting", "source", "tokens")

    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = _tokenize(source)
        self.index = 0
        self.nesting = 0

    def fail(self, message: str, position: int) -> ExpressionError:
        return ExpressionError(message, self.source, position)

    @property
    def peek(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def at_op(self, text: str, offset: int = 0) -> bool:
        token = self.tokens[min(self.index + offset, len(self.tokens) - 1)]
        return token.kind == "op" and token.text == text

    def enter(self, position: int) -> None:
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            raise self.fail(f"expression is nested more than {MAX_DEPTH} levels deep", position)

    def check_depth(self, position: int, *children: Expr) -> None:
        if _depth_of(children) > MAX_DEPTH:
            raise self.fail(f"expression is nested more than {MAX_DEPTH} levels deep", position)

    def parse(self) -> Expr:
        if self.peek.kind == "end":
            raise self.fail("empty expression", 0)
        expr = self.binary(1)
        token = self.peek
        if token.kind != "end":
            if token.text == ")":
                raise self.fail("unmatched ')'", token.pos)
            raise self.fail(
                f"unexpected {token.describe()} after a complete expression; "
                "is an operator missing?",
                token.pos,
            )
        return expr

    def binary(self, min_prec: int) -> Expr:
        token = self.peek
        left: Expr
        if (
            token.kind == "name"
            and token.text == "not"
            and not self.at_op("(", 1)
            and min_prec <= _EQUALITY_PREC
        ):
            # Prefix 'not' binds looser than comparisons: not ${a} = 1 is not(${a} = 1).
            self.advance()
            self.enter(token.pos)
            operand = self.binary(_EQUALITY_PREC)
            self.nesting -= 1
            self.check_depth(token.pos, operand)
            left = Not(operand)
        else:
            left = self.unary()
        while True:
            token = self.peek
            prec = _PRECEDENCE.get(token.text) if token.kind == "op" else None
            if prec is None or prec < min_prec:
                return left
            self.advance()
            right = self.binary(prec + 1)
            self.check_depth(token.pos, left, right)
            left = Binary(token.text, left, right)

    def unary(self) -> Expr:
        token = self.peek
        if token.kind == "op" and token.text == "-":
            self.advance()
            self.enter(token.pos)
            operand = self.unary()
            self.nesting -= 1
            self.check_depth(token.pos, operand)
            return Negate(operand)
        return self.primary()

    def primary(self) -> Expr:
        token = self.advance()
        kind = token.kind
        if kind == "number":
            assert isinstance(token.value, int | float)
            return Number(token.value)
        if kind == "string":
            assert isinstance(token.value, str)
            return String(token.value)
        if kind == "ref":
            assert isinstance(token.value, str)
            return Ref(token.value)
        if kind == "dot":
            return Current()
        if kind == "name":
            return self.name(token)
        if kind == "op" and token.text == "(":
            self.enter(token.pos)
            expr = self.binary(1)
            if not self.at_op(")"):
                raise self.fail(
                    f"expected ')' to close the '(' at character {token.pos + 1}, "
                    f"found {self.peek.describe()}",
                    self.peek.pos,
                )
            self.advance()
            self.nesting -= 1
            return expr
        if kind == "end":
            raise self.fail("unexpected end of the expression: a value is missing", token.pos)
        raise self.fail(f"expected a value, found {token.describe()}", token.pos)

    def name(self, token: _Token) -> Expr:
        name = token.text
        if self.at_op("("):
            if name != "not" and name not in _FUNCTIONS:
                raise self.fail(_unknown_function(name), token.pos)
            self.advance()
            self.enter(token.pos)
            args: list[Expr] = []
            if not self.at_op(")"):
                while True:
                    args.append(self.binary(1))
                    if not self.at_op(","):
                        break
                    self.advance()
            if not self.at_op(")"):
                raise self.fail(
                    f"expected ',' or ')' in the arguments of {name}(), "
                    f"found {self.peek.describe()}",
                    self.peek.pos,
                )
            self.advance()
            self.nesting -= 1
            expected = 1 if name == "not" else _FUNCTIONS[name][0]
            if len(args) != expected:
                raise self.fail(_arity_message(name, expected, len(args)), token.pos)
            self.check_depth(token.pos, *args)
            return Not(args[0]) if name == "not" else Call(name, tuple(args))
        if name == "not":
            # A bare 'not' where an operand is expected binds tightly: 1 = not ${a}.
            self.enter(token.pos)
            operand = self.unary()
            self.nesting -= 1
            self.check_depth(token.pos, operand)
            return Not(operand)
        if name in _FUNCTIONS:
            raise self.fail(f"missing '(' after the function name {name}", token.pos)
        raise self.fail(
            f"unexpected name {name!r}: put text in quotes ('{name}') or refer to a question "
            f"as ${{{name}}}",
            token.pos,
        )


# ---------------------------------------------------------------------------------------
# Public functions


def parse(source: str) -> Expr:
    """Parse an expression.

    Parameters
    ----------
    source
        The expression text, for example ``"${lf_law_exists} != 'no'"``.

    Returns
    -------
    Expr
        The AST (cached: the same text gives the same immutable object).

    Raises
    ------
    ExpressionError
        With ``position``, the 0-based offset of the problem in ``source``.
    """
    if not isinstance(source, str):
        raise ExpressionError(f"an expression must be text, not {type(source).__name__}")
    return _parse_cached(source)


@lru_cache(maxsize=4096)
def _parse_cached(source: str) -> Expr:
    return _Parser(source).parse()


def _walk(expr: Expr) -> Iterator[Expr]:
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node._children())


def references(expr: Expr) -> frozenset[str]:
    """The question ids that ``expr`` refers to with ``${...}``."""
    return frozenset(node.name for node in _walk(expr) if isinstance(node, Ref))


def compared_values(expr: Expr) -> frozenset[tuple[str, str]]:
    """The (question id, text) pairs ``expr`` tests an answer against.

    ``${q} = 'v'``, ``'v' != ${q}`` and ``selected(${q}, 'v')`` each give ``(q, 'v')``; the
    validator uses them to refuse a comparison with a value the question never takes.
    """
    found: set[tuple[str, str]] = set()
    for node in _walk(expr):
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
    return any(isinstance(node, Current) for node in _walk(expr))


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
        return expr._eval(answers, _normalise(current, "."))
    except RecursionError as exc:  # only reachable when called near the recursion limit
        raise ExpressionError("expression is nested too deeply to evaluate") from exc


def evaluate_bool(expr: Expr, answers: Answers, current: AnswerValue | None = None) -> bool:
    """Evaluate an expression and take its truth value (see :func:`truthy`)."""
    return truthy(evaluate(expr, answers, current))


def to_source(expr: Expr) -> str:
    """Canonical source text of an expression: ``parse(to_source(e)) == e``."""
    try:
        return expr._source()
    except RecursionError as exc:
        raise ExpressionError("expression is nested too deeply to print") from exc
