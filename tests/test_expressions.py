"""The expression language: parsing, printing, evaluation and errors, as tables."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import pytest

from assessment_kit.errors import AssessmentKitError, ExpressionError
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
    Value,
    evaluate,
    evaluate_bool,
    parse,
    references,
    to_source,
    truthy,
    uses_current,
)
from assessment_kit.questionnaire.model import AnswerValue

ANSWERS: Mapping[str, AnswerValue | None] = {
    "yes_q": "yes",
    "no_q": "no",
    "partly": "partly",
    "n3": 3,
    "n0": 0,
    "neg": -4,
    "half": 0.5,
    "num_text": "3",
    "word": "hello",
    "empty": "",
    "multi": ("sex", "age"),
    "multi_none": (),
    "spaced": "sex age form",
    "date1": "2024-01-05",
    "date2": "2024-01-10",
    "unk": "unknown",
    "na": "not_applicable",
    "unanswered": None,
    "apos": "it's",
}


# ---------------------------------------------------------------------------------------
# Parsing into the AST


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1", Number(1)),
        ("2.5", Number(2.5)),
        (".5", Number(0.5)),
        ("5.", Number(5.0)),
        ("'a'", String("a")),
        ('"a"', String("a")),
        ("'it''s'", String("it's")),
        ('"say ""hi"""', String('say "hi"')),
        ("''", String("")),
        ("${q1}", Ref("q1")),
        ("${_x_2}", Ref("_x_2")),
        (".", Current()),
        ("-1", Negate(Number(1))),
        ("--1", Negate(Negate(Number(1)))),
        ("1 + 2 * 3", Binary("+", Number(1), Binary("*", Number(2), Number(3)))),
        ("(1 + 2) * 3", Binary("*", Binary("+", Number(1), Number(2)), Number(3))),
        ("1 - 2 - 3", Binary("-", Binary("-", Number(1), Number(2)), Number(3))),
        ("1 - (2 - 3)", Binary("-", Number(1), Binary("-", Number(2), Number(3)))),
        ("8 div 2 mod 3", Binary("mod", Binary("div", Number(8), Number(2)), Number(3))),
        ("-2 * 3", Binary("*", Negate(Number(2)), Number(3))),
        (
            "1 < 2 = 3 > 4",
            Binary("=", Binary("<", Number(1), Number(2)), Binary(">", Number(3), Number(4))),
        ),
        ("1 + 2 < 3", Binary("<", Binary("+", Number(1), Number(2)), Number(3))),
        (
            "${a} or ${b} and ${c}",
            Binary("or", Ref("a"), Binary("and", Ref("b"), Ref("c"))),
        ),
        ("${a} = 1 and ${b}", Binary("and", Binary("=", Ref("a"), Number(1)), Ref("b"))),
        ("not(${a})", Not(Ref("a"))),
        ("not(${a}) = 1", Binary("=", Not(Ref("a")), Number(1))),
        ("not ${a} = 1", Not(Binary("=", Ref("a"), Number(1)))),
        ("not ${a} and ${b}", Binary("and", Not(Ref("a")), Ref("b"))),
        ("${b} or not ${a} < 2", Binary("or", Ref("b"), Not(Binary("<", Ref("a"), Number(2))))),
        ("1 = not ${a}", Binary("=", Number(1), Not(Ref("a")))),
        ("not not ${a}", Not(Not(Ref("a")))),
        ("selected(${m}, 'x')", Call("selected", (Ref("m"), String("x")))),
        ("count-selected(${m})", Call("count-selected", (Ref("m"),))),
        ("string-length(.)", Call("string-length", (Current(),))),
        ("if(1, 2, 3)", Call("if", (Number(1), Number(2), Number(3)))),
        ("coalesce(${a}, 0)", Call("coalesce", (Ref("a"), Number(0)))),
        ("true()", Call("true")),
        ("false( )", Call("false")),
        ("number('3')", Call("number", (String("3"),))),
        ("true()-false()", Binary("-", Call("true"), Call("false"))),
        ("1 mod-1", Binary("mod", Number(1), Negate(Number(1)))),
        ("\t${a}\n=\r\n'x'  ", Binary("=", Ref("a"), String("x"))),
        ("'${not_a_ref}'", String("${not_a_ref}")),
        ("'a\nb'", String("a\nb")),
    ],
)
def test_parse_builds_the_tree(source: str, expected: Expr) -> None:
    assert parse(source) == expected


def test_parse_is_cached_and_nodes_are_immutable() -> None:
    first = parse("${a} + 1")
    assert parse("${a} + 1") is first
    with pytest.raises(AttributeError):
        first.op = "-"  # type: ignore[attr-defined]
    assert hash(first) == hash(Binary("+", Ref("a"), Number(1)))


def test_str_of_a_node_is_its_source() -> None:
    assert str(parse("(${a}+1)*2")) == "(${a} + 1) * 2"


# ---------------------------------------------------------------------------------------
# Canonical printing


@pytest.mark.parametrize(
    ("source", "printed"),
    [
        ("1+2*3", "1 + 2 * 3"),
        ("(1+2)*3", "(1 + 2) * 3"),
        ("1-(2-3)", "1 - (2 - 3)"),
        ("(1-2)-3", "1 - 2 - 3"),
        ("-(1+2)", "-(1 + 2)"),
        ("- -1", "--1"),
        ("not ${a} = 1", "not(${a} = 1)"),
        ("${a}=1 or(${b}=2 and ${c})", "${a} = 1 or ${b} = 2 and ${c}"),
        ("(${a} or ${b}) and ${c}", "(${a} or ${b}) and ${c}"),
        ('"it\'s"', '"it\'s"'),
        ("'say \"x\"'", "'say \"x\"'"),
        ("'it''s \"x\"'", "'it''s \"x\"'"),
        ("2.50", "2.5"),
        ("0.0000001", "0.0000001"),
        ("5.", "5.0"),
        ("count-selected( ${m} )", "count-selected(${m})"),
        ("if(.,true(),false())", "if(., true(), false())"),
    ],
)
def test_to_source_is_canonical_and_round_trips(source: str, printed: str) -> None:
    expr = parse(source)
    assert to_source(expr) == printed
    assert parse(printed) == expr


@pytest.mark.parametrize(
    "expr",
    [
        Number(1e300),
        Number(1e-300),
        Number(2**1023),
        Binary("-", Number(1), Binary("+", Number(2), Number(3))),
        Binary("*", Negate(Binary("+", Number(1), Number(2))), Number(3)),
        Negate(Not(Ref("a"))),
        Binary("=", Ref("a"), Binary("=", Ref("b"), Ref("c"))),
        String("both ' and \" quotes"),
    ],
)
def test_to_source_round_trips_built_trees(expr: Expr) -> None:
    assert parse(to_source(expr)) == expr


# ---------------------------------------------------------------------------------------
# Evaluation


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # literals and references
        ("3", 3),
        ("'x'", "x"),
        ("${n3}", 3),
        ("${multi}", ("sex", "age")),
        ("${unanswered}", None),
        ("${missing}", None),
        # equality
        ("${yes_q} = 'yes'", True),
        ("${yes_q} != 'no'", True),
        ("${no_q} != 'no'", False),
        ("${n3} = 3", True),
        ("${n3} = 3.0", True),
        ("${n3} = '3'", True),
        ("${num_text} = 3", True),
        ("${num_text} = ' 3 '", False),
        ("'3' = 3.0", True),
        ("'3' = '3.0'", False),
        ("${word} = 3", False),
        ("${missing} = ''", True),
        ("${missing} = ${unanswered}", True),
        ("${missing} = 0", False),
        ("${missing} != 'no'", True),
        ("${missing} = false()", False),
        ("${empty} = ''", True),
        ("${multi_none} = ''", True),
        ("${multi} = 'sex age'", True),
        ("${multi} = 'sex'", False),
        ("true() = 1", True),
        ("false() = 0", True),
        ("true() = 'no'", True),
        ("${unk} = 'unknown'", True),
        ("${unk} != 'no'", True),
        # relational
        ("${n3} > 2", True),
        ("${n3} >= 3", True),
        ("${n3} < 3", False),
        ("${n3} <= 3", True),
        ("${num_text} > 2", True),
        ("'10' > '9'", True),
        ("${half} < 1", True),
        ("${neg} < 0", True),
        ("${missing} > 0", False),
        ("${missing} <= 0", False),
        ("${missing} < ${missing}", False),
        ("${word} > 1", False),
        ("${word} < 1", False),
        ("${multi} > 0", False),
        ("${unk} >= 0", False),
        ("${date1} < ${date2}", True),
        ("${date2} <= '2024-01-09'", False),
        ("'apple' < 'banana'", True),
        ("true() > false()", True),
        # arithmetic
        ("1 + 2", 3),
        ("${n3} - 5", -2),
        ("${n3} * ${half}", 1.5),
        ("7 div 2", 3.5),
        ("6 div 3", 2.0),
        ("7 mod 3", 1),
        ("-7 mod 3", -1),
        ("7 mod -3", 1),
        ("7.5 mod 2", 1.5),
        ("-${n3}", -3),
        ("-'2'", -2),
        ("-${word}", None),
        ("-${missing}", None),
        ("${num_text} + 1", 4),
        ("'2.5' * 2", 5.0),
        ("true() + true()", 2),
        ("${missing} + 1", None),
        ("${word} + 1", None),
        ("${multi} + 1", None),
        ("${unk} * 2", None),
        ("1 div 0", None),
        ("0 div 0", None),
        ("1 mod 0", None),
        ("1.5 mod 0.0", None),
        ("${n3} div ${n0}", None),
        # precedence
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("10 - 4 - 3", 3),
        ("2 * 3 mod 4", 2),
        ("-2 * -3", 6),
        ("1 + 1 = 2", True),
        ("1 < 2 = 2 < 3", True),
        ("1 = 1 or 1 = 2 and 1 = 3", True),
        ("(1 = 1 or 1 = 2) and 1 = 3", False),
        ("not 1 = 2", True),
        ("not(1) = false()", True),
        # and / or / not
        ("${yes_q} = 'yes' and ${n3} > 2", True),
        ("${yes_q} = 'yes' and ${n3} > 5", False),
        ("${no_q} = 'yes' or ${n3} > 2", True),
        ("${missing} or ${empty}", False),
        ("${n3} and 'x'", True),
        ("not(${missing})", True),
        ("not(${n3})", False),
        ("not(${no_q})", False),
        ("not(${multi_none})", True),
        # selected
        ("selected(${multi}, 'age')", True),
        ("selected(${multi}, 'form')", False),
        ("selected(${spaced}, 'form')", True),
        ("selected(${spaced}, 'for')", False),
        ("selected(${yes_q}, 'yes')", True),
        ("selected(${missing}, 'yes')", False),
        ("selected(${multi}, '')", False),
        ("selected(${n3}, 3)", True),
        ("selected(${unk}, 'unknown')", True),
        ("selected(${multi}, ' sex ')", True),
        # count-selected
        ("count-selected(${multi})", 2),
        ("count-selected(${multi_none})", 0),
        ("count-selected(${spaced})", 3),
        ("count-selected(${yes_q})", 1),
        ("count-selected(${missing})", 0),
        ("count-selected(${empty})", 0),
        ("count-selected(${unk})", 0),
        ("count-selected(${na})", 0),
        # string-length
        ("string-length(${word})", 5),
        ("string-length(${missing})", 0),
        ("string-length(${n3})", 1),
        ("string-length(${half})", 3),
        ("string-length(${multi})", 7),
        ("string-length(6 div 3)", 1),
        ("string-length(true())", 4),
        # if / coalesce / true / false / number
        ("if(${n3} > 2, 'big', 'small')", "big"),
        ("if(${n3} > 5, 'big', 'small')", "small"),
        ("if(${missing}, 1, 0)", 0),
        ("coalesce(${missing}, 'default')", "default"),
        ("coalesce(${empty}, 'default')", "default"),
        ("coalesce(${multi_none}, 'default')", "default"),
        ("coalesce(${n0}, 'default')", 0),
        ("coalesce(${word}, 'default')", "hello"),
        ("true()", True),
        ("false()", False),
        ("number('4.5')", 4.5),
        ("number(${num_text}) + 1", 4),
        ("number(${word})", None),
        ("number(${missing})", None),
        ("number(true())", 1),
        ("number(' -2 ')", -2),
        ("number('1e5')", None),
        ("number('inf')", None),
        # strings with quotes
        ('${apos} = "it\'s"', True),
        ("${apos} = 'it''s'", True),
    ],
)
def test_evaluate(source: str, expected: Value) -> None:
    result = evaluate(parse(source), ANSWERS)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("source", "current", "expected"),
    [
        (". >= 0", 5, True),
        (". >= 0", -1, False),
        (". >= 0", None, False),
        (". = ''", None, True),
        ("string-length(.) <= 3", "abcd", False),
        ("selected(., 'a')", ("a", "b"), True),
        (". < ${n3}", 2, True),
        (". + 1", 1.5, 2.5),
    ],
)
def test_current_value(source: str, current: AnswerValue | None, expected: Value) -> None:
    assert evaluate(parse(source), ANSWERS, current) == expected


def test_current_is_none_without_a_value() -> None:
    assert evaluate(parse("."), {}) is None


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # The right operand would raise on its unsupported answer if it were evaluated.
        ("false() and ${bad}", False),
        ("true() or ${bad}", True),
        ("if(true(), 1, ${bad})", 1),
        ("if(false(), ${bad}, 2)", 2),
        ("coalesce('x', ${bad})", "x"),
    ],
)
def test_short_circuit_evaluates_only_what_is_needed(source: str, expected: Value) -> None:
    answers: dict[str, object] = {"bad": object()}
    assert evaluate(parse(source), answers) == expected  # type: ignore[arg-type]


def test_an_unsupported_answer_raises_expression_error() -> None:
    with pytest.raises(ExpressionError, match="unsupported type"):
        evaluate(parse("${bad} = 1"), {"bad": object()})  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (float("nan"), None),
        ([" a", "b"], (" a", "b")),
        (["a", 2], ("a", "2")),
        (Decimal("1.5"), 1.5),
        (True, True),
    ],
)
def test_answers_are_normalised(value: object, expected: Value) -> None:
    assert evaluate(parse("${q}"), {"q": value}) == expected  # type: ignore[dict-item]


def test_out_of_range_arithmetic_is_none() -> None:
    big = "9" * 300
    assert evaluate(parse(f"{big} * {big} * {big}"), {}) is None
    assert evaluate(parse(f"{big}.0 * {big}.0 * {big}.0"), {}) is None
    assert evaluate(parse("${q} * 2"), {"q": 1e308}) is None
    assert evaluate(parse("${q} mod 2"), {"q": "9" * 400}) is None
    with pytest.raises(ExpressionError, match="too large"):
        evaluate(parse("${q}"), {"q": 10**400})


def test_evaluate_bool() -> None:
    assert evaluate_bool(parse("${n3}"), ANSWERS) is True
    assert evaluate_bool(parse("${missing}"), ANSWERS) is False
    assert evaluate_bool(parse("'no'"), ANSWERS) is True
    assert evaluate_bool(parse(". > 1"), ANSWERS, current=2) is True


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        (False, False),
        (True, True),
        (0, False),
        (0.0, False),
        (float("nan"), False),
        (-1, True),
        (0.1, True),
        ("", False),
        ("no", True),
        ("false", True),
        ("0", True),
        ((), False),
        (("a",), True),
    ],
)
def test_truthy(value: Value, expected: bool) -> None:
    assert truthy(value) is expected


# ---------------------------------------------------------------------------------------
# Analysis


@pytest.mark.parametrize(
    ("source", "refs", "current"),
    [
        ("1", frozenset(), False),
        (".", frozenset(), True),
        ("${a} = 1", frozenset({"a"}), False),
        ("${a} + ${b} * ${a} > .", frozenset({"a", "b"}), True),
        ("if(selected(${m}, 'x'), count-selected(.), ${n})", frozenset({"m", "n"}), True),
        ("not(-${z})", frozenset({"z"}), False),
        ("'${quoted}'", frozenset(), False),
    ],
)
def test_references_and_uses_current(source: str, refs: frozenset[str], current: bool) -> None:
    expr = parse(source)
    assert references(expr) == refs
    assert uses_current(expr) is current


# ---------------------------------------------------------------------------------------
# Errors


@pytest.mark.parametrize(
    ("source", "position", "fragment"),
    [
        ("", 0, "empty expression"),
        ("   ", 0, "empty expression"),
        ("1 +", 3, "end of the expression"),
        ("(1 + 2", 6, "expected ')'"),
        ("1 + 2)", 5, "unmatched ')'"),
        ("()", 1, "expected a value"),
        ("1 2", 2, "after a complete expression"),
        ("${a} ${b}", 5, "after a complete expression"),
        ("${a} = 'x' 'y'", 11, "after a complete expression"),
        ("'abc", 0, "unterminated string"),
        ('${a} = "abc', 7, "unterminated string"),
        ("${a", 0, "unterminated reference"),
        ("1 + ${}", 4, "empty reference"),
        ("${1a}", 2, "must not start with a digit"),
        ("${a-b}", 3, "in a reference"),
        ("${a b}", 3, "in a reference"),
        ("$a", 0, "expected '{'"),
        ("foo(1)", 0, "unknown function foo()"),
        ("1 + __import__('os')", 4, "unknown function __import__()"),
        ("selected(${a})", 0, "selected() takes 2 arguments, got 1"),
        ("count-selected()", 0, "count-selected() takes 1 argument, got 0"),
        ("if(1, 2)", 0, "if() takes 3 arguments"),
        ("coalesce(1, 2, 3)", 0, "coalesce() takes 2 arguments"),
        ("true(1)", 0, "true() takes 0 arguments"),
        ("not(1, 2)", 0, "not() takes 1 argument"),
        ("not()", 0, "not() takes 1 argument"),
        ("selected(${a} 'x')", 14, "expected ',' or ')'"),
        ("selected(${a},)", 14, "expected a value"),
        ("yes", 0, "put text in quotes"),
        ("${a} = yes", 7, "put text in quotes"),
        ("count-selected", 0, "missing '('"),
        ("1 == 1", 2, "use '=' to compare"),
        ("1 && 1", 2, "use 'and'"),
        ("1 || 1", 2, "use 'or'"),
        ("!${a}", 0, "not(...)"),
        ("1 / 2", 2, "use 'div'"),
        ("1 % 2", 2, "use 'mod'"),
        ("1 # 2", 2, "unexpected character '#'"),
        ("${a} ; 1", 5, "unexpected character ';'"),
        ("1 é 2", 2, "unexpected character"),
        ("..", 0, "'..' is not supported"),
        ("${a}.__class__", 4, "after a complete expression"),
        ("1 and", 5, "end of the expression"),
        ("and 1", 0, "expected a value"),
        ("not", 3, "end of the expression"),
        ("1e5", 1, "after a complete expression"),
        ("9" * 400, 0, "too large"),
        ("9" * 400 + ".0", 0, "too large"),
        ("(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1), MAX_DEPTH, "nested more than"),
        ("-" * (MAX_DEPTH + 5) + "1", MAX_DEPTH, "nested more than"),
        ("not " * (MAX_DEPTH + 5) + "1", 4 * MAX_DEPTH, "nested more than"),
        ("+".join(["1"] * (MAX_DEPTH + 1)), 2 * MAX_DEPTH - 1, "nested more than"),
    ],
)
def test_parse_errors(source: str, position: int, fragment: str) -> None:
    with pytest.raises(ExpressionError) as raised:
        parse(source)
    error = raised.value
    assert isinstance(error, AssessmentKitError)
    assert error.position == position
    assert error.source == source
    assert fragment in error.detail
    assert f"at character {position + 1}" in str(error)


def test_the_deepest_allowed_expression_parses_and_evaluates() -> None:
    sum_source = "+".join(["1"] * MAX_DEPTH)
    assert evaluate(parse(sum_source), {}) == MAX_DEPTH
    nested = "(" * (MAX_DEPTH - 1) + "1" + ")" * (MAX_DEPTH - 1)
    assert evaluate(parse(nested), {}) == 1


def test_parse_refuses_what_is_not_text() -> None:
    with pytest.raises(ExpressionError, match="must be text"):
        parse(5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "build",
    [
        lambda: Number(-1),
        lambda: Number(float("inf")),
        lambda: Number(float("nan")),
        lambda: Number(-0.0),
        lambda: Number(True),
        lambda: Number("1"),  # type: ignore[arg-type]
        lambda: Number(2**1024),
        lambda: String(1),  # type: ignore[arg-type]
        lambda: Ref("1a"),
        lambda: Ref("a-b"),
        lambda: Ref(""),
        lambda: Binary("**", Number(1), Number(2)),
        lambda: Binary("+", Number(1), 2),  # type: ignore[arg-type]
        lambda: Negate("x"),  # type: ignore[arg-type]
        lambda: Call("eval", (String("1"),)),
        lambda: Call("selected", (Ref("a"),)),
    ],
)
def test_malformed_nodes_are_refused(build: object) -> None:
    with pytest.raises(ExpressionError):
        build()  # type: ignore[operator]


def test_building_a_tree_deeper_than_the_cap_is_refused() -> None:
    expr: Expr = Number(1)
    for _ in range(MAX_DEPTH - 1):
        expr = Negate(expr)
    with pytest.raises(ExpressionError, match="nested more than"):
        Negate(expr)
