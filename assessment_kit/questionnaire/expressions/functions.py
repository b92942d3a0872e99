"""The functions of the language: ``selected()``, ``count-selected()``, ``if()`` and the rest.

Each receives its arguments unevaluated, as callables ``argument(answers, current)``, so
``if()`` and ``coalesce()`` evaluate only what they need. The table gives the parser and
the syntax tree each function's arity.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeAlias

from assessment_kit.questionnaire.expressions.values import (
    STATES,
    Answers,
    Value,
    is_empty,
    items,
    numeric,
    text,
    truthy,
)

#: An argument, ready to evaluate: ``argument(answers, current)`` gives its value.
Argument: TypeAlias = Callable[[Answers, Value], Value]
Apply: TypeAlias = Callable[[tuple[Argument, ...], Answers, Value], Value]


@dataclass(frozen=True, slots=True)
class Function:
    """A function of the language: how many arguments it takes and what it does."""

    arity: int
    apply: Apply


def _selected(args: tuple[Argument, ...], answers: Answers, current: Value) -> Value:
    wanted = text(args[1](answers, current)).strip()
    return wanted != "" and wanted in items(args[0](answers, current))


def _count_selected(args: tuple[Argument, ...], answers: Answers, current: Value) -> Value:
    value = args[0](answers, current)
    if isinstance(value, str) and value.strip() in STATES:
        return 0  # 'unknown' and the other states mean nothing was selected
    return sum(1 for item in items(value) if item)


def _string_length(args: tuple[Argument, ...], answers: Answers, current: Value) -> Value:
    return len(text(args[0](answers, current)))


def _if(args: tuple[Argument, ...], answers: Answers, current: Value) -> Value:
    chosen = args[1] if truthy(args[0](answers, current)) else args[2]
    return chosen(answers, current)


def _coalesce(args: tuple[Argument, ...], answers: Answers, current: Value) -> Value:
    first = args[0](answers, current)
    return args[1](answers, current) if is_empty(first) else first


def _true(args: tuple[Argument, ...], answers: Answers, current: Value) -> Value:
    return True


def _false(args: tuple[Argument, ...], answers: Answers, current: Value) -> Value:
    return False


def _number(args: tuple[Argument, ...], answers: Answers, current: Value) -> Value:
    return numeric(args[0](answers, current))


#: name -> function; ``not()`` is an operator of the syntax tree, not a function here.
FUNCTIONS: Mapping[str, Function] = {
    "selected": Function(2, _selected),
    "count-selected": Function(1, _count_selected),
    "string-length": Function(1, _string_length),
    "if": Function(3, _if),
    "coalesce": Function(2, _coalesce),
    "true": Function(0, _true),
    "false": Function(0, _false),
    "number": Function(1, _number),
}


def unknown_function_message(name: object) -> str:
    """The message for a call to a function that does not exist, listing those that do."""
    known = ", ".join(f"{known}()" for known in sorted([*FUNCTIONS, "not"]))
    return f"unknown function {name!s}(); the functions are {known}"


def arity_message(name: str, expected: int, got: int) -> str:
    """The message for a call with the wrong number of arguments."""
    plural = "" if expected == 1 else "s"
    return f"{name}() takes {expected} argument{plural}, got {got}"
