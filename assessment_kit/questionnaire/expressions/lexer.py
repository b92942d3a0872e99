"""The lexer: expression text to tokens, with a message and position for every mistake."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from assessment_kit.errors import ExpressionError
from assessment_kit.questionnaire.expressions.tree import PRECEDENCE
from assessment_kit.questionnaire.expressions.values import MAX_INT, MAX_INT_DIGITS


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind, its text, where it starts and, for literals, its value."""

    kind: str  # number, string, ref, dot, name, op, end
    text: str
    pos: int
    value: int | float | str | None = None

    def describe(self) -> str:
        """The token in words, for messages."""
        if self.kind == "end":
            return "the end of the expression"
        if self.kind == "op":
            return repr(self.text)
        label = {"number": "number", "string": "string", "ref": "reference", "name": "name"}
        return f"{label[self.kind]} {self.text}" if self.kind in label else repr(self.text)


_KEYWORD_OPERATORS = frozenset(op for op in PRECEDENCE if op.isalpha())
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
_MISTAKEN_OPS: Mapping[str, str] = {
    "==": "use '=' to compare",
    "&&": "use 'and'",
    "||": "use 'or'",
}


def _is_name_start(char: str) -> bool:
    return char == "_" or (char.isascii() and char.isalpha())


def _is_name_char(char: str) -> bool:
    return char == "_" or (char.isascii() and char.isalnum())


def _is_digit(char: str) -> bool:
    return "0" <= char <= "9"


def tokenize(source: str) -> list[Token]:
    """The tokens of ``source``, ending with an ``end`` token.

    Raises
    ------
    ExpressionError
        With the 0-based position of the first character that is not part of the language.
    """
    lexer = _Lexer(source)
    tokens: list[Token] = []
    while (token := lexer.next_token()) is not None:
        tokens.append(token)
    tokens.append(Token("end", "", len(source)))
    return tokens


class _Lexer:
    """Reads one token at a time; ``i`` is the position of the next character."""

    __slots__ = ("i", "length", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self.length = len(source)
        self.i = 0

    def fail(self, message: str, position: int) -> ExpressionError:
        return ExpressionError(message, self.source, position)

    def next_token(self) -> Token | None:
        """The next token, or None at the end of the text."""
        source, length = self.source, self.length
        while self.i < length and source[self.i] in _WHITESPACE:
            self.i += 1
        if self.i >= length:
            return None
        i = self.i
        char = source[i]
        nxt = source[i + 1] if i + 1 < length else ""
        if _is_digit(char) or (char == "." and _is_digit(nxt)):
            return self.number()
        if char == ".":
            if nxt == ".":
                raise self.fail("'..' is not supported; refer to a question as ${question_id}", i)
            self.i += 1
            return Token("dot", ".", i)
        if char in "'\"":
            return self.string()
        if char == "$":
            return self.reference()
        if _is_name_start(char):
            return self.name()
        return self.operator(char, nxt)

    def digits(self) -> None:
        while self.i < self.length and _is_digit(self.source[self.i]):
            self.i += 1

    def number(self) -> Token:
        start = self.i
        self.digits()
        is_float = self.i < self.length and self.source[self.i] == "."
        if is_float:
            self.i += 1
            self.digits()
        text = self.source[start : self.i]
        number: int | float
        if is_float:
            number = float(text)
            if not math.isfinite(number):
                raise self.fail(f"number {text[:20]}... is too large", start)
        else:
            if len(text) > MAX_INT_DIGITS or int(text) > MAX_INT:
                raise self.fail(f"number {text[:20]}... is too large", start)
            number = int(text)
        return Token("number", text, start, number)

    def string(self) -> Token:
        source, start = self.source, self.i
        quote = source[start]
        parts: list[str] = []
        i = start + 1
        while True:
            end = source.find(quote, i)
            if end < 0:
                raise self.fail(f"unterminated string: missing closing {quote}", start)
            parts.append(source[i:end])
            i = end + 1
            if i < self.length and source[i] == quote:  # a doubled quote stands for one
                parts.append(quote)
                i += 1
                continue
            break
        self.i = i
        return Token("string", source[start:i], start, "".join(parts))

    def reference(self) -> Token:
        source, length, start = self.source, self.length, self.i
        if source[start + 1 : start + 2] != "{":
            raise self.fail("expected '{' after '$': write a reference as ${question_id}", start)
        i = start + 2
        while i < length and _is_name_char(source[i]):
            i += 1
        name = source[start + 2 : i]
        if i >= length:
            raise self.fail("unterminated reference: missing '}'", start)
        if source[i] != "}":
            raise self.fail(
                f"unexpected {source[i]!r} in a reference: question ids are letters, "
                "digits and '_'",
                i,
            )
        if not name:
            raise self.fail("empty reference ${}: put a question id inside", start)
        if _is_digit(name[0]):
            raise self.fail(
                f"invalid question id {name!r}: it must not start with a digit", start + 2
            )
        self.i = i + 1
        return Token("ref", source[start : self.i], start, name)

    def name(self) -> Token:
        source, length, start = self.source, self.length, self.i
        i = start + 1
        while True:
            while i < length and _is_name_char(source[i]):
                i += 1
            # XPath names may contain '-' (count-selected); '-' followed by anything
            # but a letter is the minus operator.
            if i + 1 < length and source[i] == "-" and _is_name_start(source[i + 1]):
                i += 2
                continue
            break
        self.i = i
        text = source[start:i]
        return Token("op" if text in _KEYWORD_OPERATORS else "name", text, start)

    def operator(self, char: str, nxt: str) -> Token:
        i = self.i
        pair = char + nxt
        if pair in ("!=", "<=", ">="):
            self.i += 2
            return Token("op", pair, i)
        if pair in _MISTAKEN_OPS:
            raise self.fail(f"unexpected {pair!r}: {_MISTAKEN_OPS[pair]}", i)
        if char in _SINGLE_OPS:
            self.i += 1
            return Token("op", char, i)
        hint = _HINTS.get(char)
        raise self.fail(f"unexpected character {char!r}" + (f": {hint}" if hint else ""), i)
