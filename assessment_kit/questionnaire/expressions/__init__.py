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
  (``'unknown'``, ``'not_applicable'``, ``'not_assessed'``, ``'declined'``, and
  ``'no_cases'`` where a question declares it) are plain strings.
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

The package is split by job: :mod:`.values` (what a value means), :mod:`.functions`,
:mod:`.tree` (the syntax tree and its source text), :mod:`.lexer`, :mod:`.parser` and
:mod:`.evaluation`. Import from the package: its names below are the public API.

Parsing is cached: :func:`parse` returns the same (immutable) AST for the same text.
Nesting is capped at :data:`MAX_DEPTH` levels so that no input can exhaust the stack.
"""

from __future__ import annotations

from assessment_kit.questionnaire.expressions.evaluation import evaluate, evaluate_bool
from assessment_kit.questionnaire.expressions.parser import parse
from assessment_kit.questionnaire.expressions.tree import (
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
    compared_values,
    references,
    to_source,
    uses_current,
)
from assessment_kit.questionnaire.expressions.values import Value, truthy

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
