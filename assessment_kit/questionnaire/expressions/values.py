"""What a value means in an expression: truth, text, number, comparison and arithmetic.

The rules follow XPath as XLSForm uses it; the package docstring states them. Nothing here
knows the syntax tree, so the functions and the evaluator share one set of rules.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from decimal import Decimal
from numbers import Integral, Real
from typing import Any, TypeAlias

from assessment_kit.errors import ExpressionError
from assessment_kit.questionnaire.model import RESERVED_VALUES, AnswerValue

#: The result of evaluating an expression.
Value: TypeAlias = bool | int | float | str | tuple[str, ...] | None
#: Question id -> answer; a missing id or ``None`` is unanswered.
Answers: TypeAlias = Mapping[str, AnswerValue | None]

# Integers beyond the float range are refused (literals, answers) or become None
# (arithmetic), so every number can be printed and mixed with floats without overflow.
MAX_INT = 2**1023
MAX_INT_DIGITS = 310

#: The non-scored states (no_cases too): plain strings, but count-selected() counts them
#: as nothing.
STATES = frozenset(RESERVED_VALUES)


def truthy(value: Value) -> bool:
    """Truth value of an expression result.

    ``None``, ``False``, ``0`` (and NaN), ``''`` and ``()`` are false; everything else is true.
    """
    if value is None:
        return False
    if isinstance(value, float):
        return value != 0 and value == value
    return bool(value)


def normalise(value: object, name: str) -> Value:
    """An answer as a :data:`Value`; the common types pass straight through."""
    if value is None or type(value) is str or type(value) is bool:
        return value
    if type(value) is int:
        if -MAX_INT <= value <= MAX_INT:
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
        return normalise(int(value), name)
    if isinstance(value, Real | Decimal):
        number = float(value)
        return None if number != number else number
    if isinstance(value, tuple | list | set | frozenset):
        return tuple(
            item if isinstance(item, str) else text(normalise(item, name)) for item in value
        )
    raise ExpressionError(f"the answer to {name} has an unsupported type {type(value).__name__}")


def _parse_number(source: str) -> int | float | None:
    """A numeric string as a number (``' -3.5 '`` -> -3.5), else ``None``.

    Stricter than ``float()``: no exponents, ``inf``, ``nan``, underscores or non-ASCII digits.
    """
    source = source.strip()
    body = source[1:] if source[:1] == "-" else source
    if not body or body == "." or not body.isascii():
        return None
    if body.isdigit():
        if len(body) <= MAX_INT_DIGITS:
            integer = int(source)
            if -MAX_INT <= integer <= MAX_INT:
                return integer
        number = float(source)
        return number if math.isfinite(number) else None
    if body.replace(".", "", 1).isdigit():
        number = float(source)
        return number if math.isfinite(number) else None
    return None


def numeric(value: Value) -> int | float | None:
    """A value as a number for arithmetic and ordering, or ``None``."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        return _parse_number(value)
    return None


def float_text(value: float) -> str:
    """A float written positionally (XPath has no exponents), shortest round-trip digits."""
    if value != value:
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    written = repr(value)
    if "e" in written:
        written = format(Decimal(written), "f")
    return written


def text(value: Value) -> str:
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
        return float_text(value)
    return " ".join(value)


def is_empty(value: Value) -> bool:
    """Whether a value is empty: ``None``, ``''`` or ``()``."""
    return value is None or value == "" or value == ()


def items(value: Value) -> tuple[str, ...]:
    """The selected values: a tuple's items, or the words of its text."""
    if isinstance(value, tuple):
        return value
    return tuple(text(value).split())


def _equals(left: Value, right: Value) -> bool:
    if left is None or right is None:
        return is_empty(right if left is None else left)
    if isinstance(left, bool) or isinstance(right, bool):
        return truthy(left) == truthy(right)
    if isinstance(left, tuple):
        left = " ".join(left)
    if isinstance(right, tuple):
        right = " ".join(right)
    if isinstance(left, str) and isinstance(right, str):
        return left == right
    # At least one side is a number: compare numerically or not at all.
    a, b = numeric(left), numeric(right)
    return a is not None and b is not None and a == b


def _not_equals(left: Value, right: Value) -> bool:
    return not _equals(left, right)


def _relational(compare: Callable[[Any, Any], Any]) -> Callable[[Value, Value], Value]:
    def apply(left: Value, right: Value) -> Value:
        if left is None or right is None or isinstance(left, tuple) or isinstance(right, tuple):
            return False
        a, b = numeric(left), numeric(right)
        if a is not None and b is not None:
            return bool(compare(a, b))
        if isinstance(left, str) and isinstance(right, str):
            return bool(compare(left, right))
        return False

    return apply


def _number_result(result: int | float) -> Value:
    # Out of the float range (or NaN from inf - inf) is as good as no answer.
    if isinstance(result, int):
        return result if -MAX_INT <= result <= MAX_INT else None
    return result if math.isfinite(result) else None


def _arithmetic(
    compute: Callable[[int | float, int | float], int | float | None],
) -> Callable[[Value, Value], Value]:
    def apply(left: Value, right: Value) -> Value:
        a, b = numeric(left), numeric(right)
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


#: Every binary operator but the short-circuiting ``and`` and ``or``: operator -> rule.
OPERATIONS: Mapping[str, Callable[[Value, Value], Value]] = {
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
