"""The parser: tokens to a syntax tree, by precedence climbing, with cached results."""

from __future__ import annotations

from functools import lru_cache

from assessment_kit.errors import ExpressionError
from assessment_kit.questionnaire.expressions.functions import (
    FUNCTIONS,
    arity_message,
    unknown_function_message,
)
from assessment_kit.questionnaire.expressions.lexer import Token, tokenize
from assessment_kit.questionnaire.expressions.tree import (
    EQUALITY_PREC,
    MAX_DEPTH,
    PRECEDENCE,
    Binary,
    Call,
    Current,
    Expr,
    Negate,
    Not,
    Number,
    Ref,
    String,
    depth_of,
)


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


class _Parser:
    """Precedence climbing over the token list; ``nesting`` counts open levels."""

    __slots__ = ("index", "nesting", "source", "tokens")

    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.index = 0
        self.nesting = 0

    def fail(self, message: str, position: int) -> ExpressionError:
        return ExpressionError(message, self.source, position)

    @property
    def peek(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
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
        if depth_of(children) > MAX_DEPTH:
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
            and min_prec <= EQUALITY_PREC
        ):
            # Prefix 'not' binds looser than comparisons: not ${a} = 1 is not(${a} = 1).
            self.advance()
            self.enter(token.pos)
            operand = self.binary(EQUALITY_PREC)
            self.nesting -= 1
            self.check_depth(token.pos, operand)
            left = Not(operand)
        else:
            left = self.unary()
        while True:
            token = self.peek
            prec = PRECEDENCE.get(token.text) if token.kind == "op" else None
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

    def name(self, token: Token) -> Expr:
        name = token.text
        if self.at_op("("):
            if name != "not" and name not in FUNCTIONS:
                raise self.fail(unknown_function_message(name), token.pos)
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
            expected = 1 if name == "not" else FUNCTIONS[name].arity
            if len(args) != expected:
                raise self.fail(arity_message(name, expected, len(args)), token.pos)
            self.check_depth(token.pos, *args)
            return Not(args[0]) if name == "not" else Call(name, tuple(args))
        if name == "not":
            # A bare 'not' where an operand is expected binds tightly: 1 = not ${a}.
            self.enter(token.pos)
            operand = self.unary()
            self.nesting -= 1
            self.check_depth(token.pos, operand)
            return Not(operand)
        if name in FUNCTIONS:
            raise self.fail(f"missing '(' after the function name {name}", token.pos)
        raise self.fail(
            f"unexpected name {name!r}: put text in quotes ('{name}') or refer to a question "
            f"as ${{{name}}}",
            token.pos,
        )
