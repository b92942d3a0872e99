"""Property tests: the expression language never crashes, round-trips and executes nothing."""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment_kit.errors import ExpressionError
from assessment_kit.questionnaire.expressions import (
    MAX_DEPTH,
    Binary,
    Call,
    Current,
    Expr,
    Negate,
    Not,
    Number,
    Ref,
    String,
    evaluate,
    evaluate_bool,
    parse,
    references,
    to_source,
    truthy,
    uses_current,
)

QUICK = settings(max_examples=300, deadline=None)

IDS = ("a", "b", "q_1", "_x")
ids = st.sampled_from(IDS)

# Text made from the pieces of the language, so that many samples almost parse.
FRAGMENTS = (
    *(f"${{{name}}}" for name in IDS),
    "${",
    "}",
    "$",
    ".",
    "..",
    "0",
    "1",
    "2.5",
    ".5",
    "'x'",
    '"y"',
    "'",
    '"',
    "''",
    "'no'",
    "(",
    ")",
    ",",
    " ",
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "+",
    "-",
    "*",
    " div ",
    " mod ",
    " and ",
    " or ",
    "not",
    " not ",
    "selected(",
    "count-selected(",
    "string-length(",
    "if(",
    "coalesce(",
    "true()",
    "false()",
    "number(",
    "foo(",
    "yes",
    "==",
    "!",
    "#",
    "é",
    "\n",
)
expression_text = st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("".join)

OPERATORS = ("or", "and", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "div", "mod")
ARITIES = {
    "selected": 2,
    "count-selected": 1,
    "string-length": 1,
    "if": 3,
    "coalesce": 2,
    "true": 0,
    "false": 0,
    "number": 1,
}

leaves: st.SearchStrategy[Expr] = st.one_of(
    st.integers(min_value=0, max_value=10**30).map(Number),
    st.floats(min_value=0.0, allow_nan=False, allow_infinity=False)
    .filter(lambda x: math.copysign(1.0, x) > 0)
    .map(Number),
    st.text(max_size=8).map(String),
    st.sampled_from(["yes", "no", "sex", "unknown", "", "3", "2024-01-05", "it's"]).map(String),
    ids.map(Ref),
    st.just(Current()),
)


def _children(expr: Expr) -> tuple[Expr, ...]:
    if isinstance(expr, Binary):
        return (expr.left, expr.right)
    if isinstance(expr, Negate | Not):
        return (expr.operand,)
    if isinstance(expr, Call):
        return expr.args
    return ()


def _nodes(expr: Expr) -> Iterator[Expr]:
    yield expr
    for child in _children(expr):
        yield from _nodes(child)


def _depth(expr: Expr) -> int:
    return 1 + max((_depth(child) for child in _children(expr)), default=0)


def _shallow(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    # Long chains of unary nodes cost no leaves; keep generated trees under the cap.
    return children.filter(lambda expr: _depth(expr) < MAX_DEPTH - 1)


def _extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    children = _shallow(children)
    calls = st.sampled_from(sorted(ARITIES)).flatmap(
        lambda name: st.lists(children, min_size=ARITIES[name], max_size=ARITIES[name]).map(
            lambda args: Call(name, tuple(args))
        )
    )
    return st.one_of(
        st.builds(Binary, st.sampled_from(OPERATORS), children, children),
        children.map(Negate),
        children.map(Not),
        calls,
    )


expressions = st.recursive(leaves, _extend, max_leaves=30)

answer_values = st.one_of(
    st.none(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["yes", "no", "partly", "unknown", "declined", "3", " -2.5 ", "a b"]),
    st.lists(st.sampled_from(["sex", "age", "form", ""]), max_size=4).map(tuple),
)
answer_maps = st.dictionaries(ids, answer_values)


def _parse_or_error(source: str) -> Expr | ExpressionError:
    """The parsed tree, or the ExpressionError; any other exception propagates."""
    try:
        return parse(source)
    except ExpressionError as error:
        return error


def _is_value(value: object) -> bool:
    if value is None or isinstance(value, bool | int | float | str):
        return True
    return isinstance(value, tuple) and all(isinstance(item, str) for item in value)


@QUICK
@given(st.text())
def test_any_text_parses_or_raises_expression_error(source: str) -> None:
    outcome = _parse_or_error(source)
    if isinstance(outcome, ExpressionError):
        assert outcome.position is not None
        assert 0 <= outcome.position <= len(source)
    else:
        assert isinstance(outcome, Expr)


@QUICK
@given(expression_text, answer_maps, answer_values)
def test_language_like_text_parses_evaluates_and_round_trips(
    source: str, answers: dict[str, Any], current: Any
) -> None:
    expr = _parse_or_error(source)
    if isinstance(expr, ExpressionError):
        assert expr.position is not None
        assert 0 <= expr.position <= len(source)
        return
    assert parse(to_source(expr)) == expr
    assert _is_value(evaluate(expr, answers, current))


@QUICK
@given(expressions)
def test_printed_trees_parse_back_to_the_same_tree(expr: Expr) -> None:
    source = to_source(expr)
    assert parse(source) == expr
    # Printing is canonical: printing the parsed tree gives the same text.
    assert to_source(parse(source)) == source


@QUICK
@given(expressions, answer_maps, answer_values)
def test_evaluation_returns_a_value(expr: Expr, answers: dict[str, Any], current: Any) -> None:
    result = evaluate(expr, answers, current)
    assert _is_value(result)
    assert evaluate_bool(expr, answers, current) is truthy(result)
    # Evaluation is pure: the same inputs give the same result.
    again = evaluate(expr, answers, current)
    assert again == result or (again != again and result != result)


@QUICK
@given(expressions)
def test_references_and_current_are_found(expr: Expr) -> None:
    nodes = list(_nodes(expr))
    assert references(expr) == {node.name for node in nodes if isinstance(node, Ref)}
    assert uses_current(expr) is any(isinstance(node, Current) for node in nodes)
    # The printed text says the same.
    if uses_current(expr):
        assert "." in to_source(expr)
    for name in references(expr):
        assert f"${{{name}}}" in to_source(expr)


@QUICK
@given(expressions, answer_maps)
def test_unanswered_and_missing_references_agree(expr: Expr, answers: dict[str, Any]) -> None:
    # An id mapped to None behaves exactly like an id that is not there at all.
    with_none = {name: answers.get(name) for name in IDS}
    assert evaluate(expr, with_none) == evaluate(expr, answers) or _both_nan(
        evaluate(expr, with_none), evaluate(expr, answers)
    )


def _both_nan(left: object, right: object) -> bool:
    return isinstance(left, float) and isinstance(right, float) and left != left and right != right


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=1, max_value=MAX_DEPTH * 3))
def test_deep_nesting_never_overflows_the_stack(depth: int) -> None:
    for source in (
        "(" * depth + "1" + ")" * depth,
        "-" * depth + "1",
        "not(" * depth + "1" + ")" * depth,
        " + ".join(["1"] * depth),
        "if(1, " * depth + "1" + ", 0)" * depth,
    ):
        expr = _parse_or_error(source)
        if isinstance(expr, ExpressionError):
            assert "nested more than" in expr.detail
        else:
            assert _is_value(evaluate(expr, {}))


HOSTILE = [
    "__import__('os').system('touch /tmp/pwned')",
    "${a}.__class__",
    "${a}.__class__.__mro__",
    "eval('1')",
    "exec('import os')",
    "compile('1', 'x', 'eval')",
    "open('/etc/passwd')",
    "'x'.join(['a'])",
    "${__builtins__}",
    "${a} + __import__",
    "lambda: 1",
    "[x for x in ()]",
    "getattr(1, 'real')",
    "1; import os",
    "f'{1}'",
    "${a}[0]",
    "{'a': 1}",
    "'; import os; '",
    "selected(${a}, '__import__(\"os\")')",
    "string-length('__class__')",
]


@pytest.fixture
def no_execution(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make eval, exec and compile fail loudly and record any attempt to call them."""
    calls: list[str] = []

    def forbid(name: str) -> Callable[..., Any]:
        def forbidden(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            raise AssertionError(f"{name} was called")

        return forbidden

    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, forbid(name))
    return calls


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_text_is_never_executed(source: str, no_execution: list[str]) -> None:
    # Bypass the parse cache so the tokenizer and parser really run under the patch.
    from assessment_kit.questionnaire.expressions import parser

    parser._parse_cached.cache_clear()
    try:
        expr = parse(source)
    except ExpressionError:
        pass
    else:
        result = evaluate(expr, {"a": "x", "__builtins__": "y"})
        assert _is_value(result)
        assert to_source(expr)
    assert no_execution == []


def test_hostile_strings_stay_data() -> None:
    expr = parse("selected(${a}, '__import__(\"os\")')")
    assert expr == Call("selected", (Ref("a"), String('__import__("os")')))
    assert evaluate(expr, {"a": ('__import__("os")',)}) is True


def test_the_module_does_not_use_dynamic_execution() -> None:
    # A static guard as well: none of these names appear as calls in the source.
    from pathlib import Path

    from assessment_kit.questionnaire import expressions

    # The language is a package: read every one of its modules.
    text = "".join(
        path.read_text(encoding="utf-8") for path in Path(expressions.__file__).parent.glob("*.py")
    )
    assert "def parse(" in text
    for forbidden in ("eval(", "exec(", "compile(", "literal_eval", "__import__", "getattr("):
        assert forbidden not in text.replace("_eval(", "_ev("), forbidden


@QUICK
@given(expressions)
def test_nodes_are_hashable_and_equal_to_their_copies(expr: Expr) -> None:
    copy = parse(to_source(expr))
    assert hash(copy) == hash(expr)
    assert {expr, copy} == {expr}
    # Depth stays within the cap for every tree that could be built.
    assert _depth(expr) <= MAX_DEPTH
