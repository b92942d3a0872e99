"""Whatever a file holds, the loader answers with a questionnaire or a QuestionnaireError."""

from __future__ import annotations

import copy
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment_kit.errors import Problem, QuestionnaireError
from assessment_kit.questionnaire import loads
from tests.test_questionnaire_loader import VALID

BASE: dict[str, Any] = yaml.safe_load(VALID.replace("yes,", '"yes",').replace("no,", '"no",'))

# Values a careless edit might leave anywhere in the document.
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=5),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
    st.sampled_from(["${offence} !=", "${nope} = 1", "count-selected(", "legislature", "-1"]),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


PATHS = _paths(BASE)


def _problems(text: str, file: str) -> list[Problem]:
    """The problems ``loads`` reports (none when it loads); anything else propagates."""
    try:
        loads(text, file=file)
    except QuestionnaireError as error:
        problems = list(error.problems)
    else:
        return []
    assert problems, "a QuestionnaireError must list its problems"
    return problems


def _set(document: Any, path: tuple[Any, ...], value: Any, delete: bool) -> None:
    parent = document
    for part in path[:-1]:
        parent = parent[part]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value


@settings(max_examples=150, deadline=None)
@given(
    edits=st.lists(
        st.tuples(st.sampled_from(PATHS), ODD_VALUES, st.booleans()), min_size=1, max_size=4
    )
)
def test_edited_documents_load_or_fail_with_catalogued_problems(
    edits: list[tuple[tuple[Any, ...], Any, bool]],
) -> None:
    document = copy.deepcopy(BASE)
    for path, value, delete in edits:
        try:
            _set(document, path, value, delete)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed or replaced this path
    for problem in _problems(yaml.safe_dump(document, allow_unicode=True), "edited.yaml"):
        assert problem.file == "edited.yaml"
        assert problem.message
        assert problem.hint


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_loads_or_fails_with_catalogued_problems(text: str) -> None:
    for problem in _problems(text, "random.yaml"):
        assert problem.file == "random.yaml"
