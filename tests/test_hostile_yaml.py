"""Hostile questionnaires: YAML bombs, deep nesting, huge files and unreadable values.

Questionnaires come from other teams and travel inside mission files received by email, so
each case must end in a catalogued problem naming the file and line, quickly and in little
memory, whichever parser PyYAML uses (libyaml or pure Python). The bomb tests run in a
subprocess under an address-space limit, so a regression fails instead of eating the machine.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from assessment_kit.errors import Code, QuestionnaireError
from assessment_kit.questionnaire import load, loads
from assessment_kit.questionnaire.yaml_source import MAX_DEPTH, MAX_DOCUMENT_BYTES, read_yaml
from assessment_kit.store import Mission
from tests.store_support import SURVEY_YAML

REPO = Path(__file__).resolve().parents[1]

# 1 GiB of address space: the interpreter, PyYAML and the mission store fit easily; nine
# levels of ten aliases (10^9 strings) would need well over a hundred times more.
MEMORY_LIMIT = 1 << 30

PARSERS = [
    pytest.param(False, id="libyaml" if hasattr(yaml, "CSafeLoader") else "default"),
    pytest.param(True, id="pure-python"),
]


def billion_laughs(levels: int = 9) -> str:
    """The classic bomb: each level is a list of ten aliases of the level below."""
    lines = ['lol0: &lol0 "lol"']
    for level in range(1, levels + 1):
        items = ", ".join([f"*lol{level - 1}"] * 10)
        lines.append(f"lol{level}: &lol{level} [{items}]")
    return "\n".join(lines) + "\n"


def deep_block(levels: int) -> str:
    return "".join("  " * i + "k:\n" for i in range(levels)) + "  " * levels + "v\n"


def deep_flow(levels: int) -> str:
    return "a: " + "[" * levels + "]" * levels + "\n"


def run_limited(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter whose address space is capped first."""
    driver = textwrap.dedent(
        f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_LIMIT}, {MEMORY_LIMIT}))
        sys.path.insert(0, {str(REPO)!r})
        """
    ) + textwrap.dedent(code)
    return subprocess.run(
        [sys.executable, "-c", driver, *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        timeout=300,
    )


# --- the reader, on both parsers -------------------------------------------------------


@pytest.mark.parametrize("pure_python", PARSERS)
def test_aliases_and_anchors_are_refused_with_their_line(pure_python: bool) -> None:
    text = "a: &base {x: 1}\nb: 2\nc: *base\n"
    document, problems = read_yaml(text, "q.yaml", pure_python=pure_python)
    assert document is None
    assert [(p.code, p.file, p.line) for p in problems] == [
        (Code.YAML_ALIAS, "q.yaml", 1),
        (Code.YAML_ALIAS, "q.yaml", 3),
    ]
    assert "&base" in problems[0].message
    assert "*base" in problems[1].message


@pytest.mark.parametrize("pure_python", PARSERS)
def test_billion_laughs_is_refused_before_it_expands(pure_python: bool) -> None:
    document, problems = read_yaml(billion_laughs(), "bomb.yaml", pure_python=pure_python)
    assert document is None
    assert problems
    assert {p.code for p in problems} == {Code.YAML_ALIAS}
    assert problems[0].line == 1
    # A file full of aliases gets a bounded list, not one problem per alias.
    assert len(problems) <= 20


@pytest.mark.parametrize("pure_python", PARSERS)
@pytest.mark.parametrize("shape", [deep_block, deep_flow])
@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 995, 1500])
def test_deep_nesting_is_a_problem_not_a_recursion_error(
    pure_python: bool, shape: object, levels: int
) -> None:
    # 995 levels gave a RecursionError traceback. Past 1000 levels of brackets libyaml's
    # scanner, which reads ahead of the events, reports its own limit as a syntax error.
    assert callable(shape)
    document, problems = read_yaml(shape(levels), "deep.yaml", pure_python=pure_python)
    assert document is None
    expected = Code.YAML_TOO_DEEP
    if levels > 1000 and shape is deep_flow and not pure_python:
        expected = Code.YAML_SYNTAX
    assert [(p.code, p.file) for p in problems] == [(expected, "deep.yaml")]
    assert problems[0].line is not None


@pytest.mark.parametrize("pure_python", PARSERS)
def test_nesting_up_to_the_limit_is_read(pure_python: bool) -> None:
    document, problems = read_yaml(deep_block(MAX_DEPTH - 1), "ok.yaml", pure_python=pure_python)
    assert problems == []
    assert document is not None


@pytest.mark.parametrize("pure_python", PARSERS)
def test_oversized_text_is_refused_before_parsing(pure_python: bool) -> None:
    text = "a: " + "x" * MAX_DOCUMENT_BYTES + "\n"
    document, problems = read_yaml(text, "big.yaml", pure_python=pure_python)
    assert document is None
    assert [p.code for p in problems] == [Code.YAML_TOO_LARGE]
    assert problems[0].file == "big.yaml"


def test_size_is_counted_in_bytes() -> None:
    # Under the limit in characters, over it in UTF-8 bytes (each é takes two).
    text = "a: " + "é" * (MAX_DOCUMENT_BYTES // 2 + 10) + "\n"
    assert len(text) < MAX_DOCUMENT_BYTES
    _, problems = read_yaml(text, "big.yaml")
    assert [p.code for p in problems] == [Code.YAML_TOO_LARGE]


def test_oversized_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(MAX_DOCUMENT_BYTES + 1)  # sparse: no memory, no disk
    with pytest.raises(QuestionnaireError) as caught:
        load(big)
    assert caught.value.codes == [Code.YAML_TOO_LARGE]
    assert caught.value.problems[0].file == str(big)


@pytest.mark.parametrize("pure_python", PARSERS)
@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: " + "1" * 5000 + "\n", 1),  # past Python's 4300-digit limit on int()
        ("a: 1\nb: 2026-13-45\n", 2),  # looks like a date, is not one
        ("a: !!int x\n", 1),
        ("? 2026-02-30\n: 1\n", 1),  # as a key
    ],
)
def test_unreadable_values_are_problems_not_tracebacks(
    pure_python: bool, text: str, line: int
) -> None:
    _, problems = read_yaml(text, "v.yaml", pure_python=pure_python)
    assert [(p.code, p.line) for p in problems] == [(Code.YAML_VALUE, line)]


def test_loads_reports_the_bomb_as_a_questionnaire_error() -> None:
    with pytest.raises(QuestionnaireError) as caught:
        loads(billion_laughs(), file="bomb.yaml")
    assert set(caught.value.codes) == {Code.YAML_ALIAS}
    assert "bomb.yaml:1" in str(caught.value)


# --- the real thing, in a subprocess with capped memory ---------------------------------


def test_validate_billion_laughs_fails_fast_in_little_memory(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(billion_laughs(), encoding="utf-8")
    result = run_limited(
        """
        from assessment_kit.cli import main
        sys.exit(main(["validate", sys.argv[1]]))
        """,
        str(bomb),
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "MemoryError" not in output
    assert "Traceback" not in output
    assert f"{bomb}:1:" in output
    assert "anchor '&lol0'" in output


@pytest.mark.parametrize("pure_python", PARSERS)
def test_both_parsers_refuse_the_bomb_in_little_memory(pure_python: bool) -> None:
    result = run_limited(
        f"""
        from assessment_kit.questionnaire.yaml_source import read_yaml
        from tests.test_hostile_yaml import billion_laughs
        document, problems = read_yaml(billion_laughs(), "bomb.yaml", pure_python={pure_python})
        assert document is None
        print(sorted({{p.code.name for p in problems}}))
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['YAML_ALIAS']"


def _mission_carrying(tmp_path: Path, text: str) -> Path:
    """A real mission whose stored questionnaire text is replaced by ``text``.

    This is what a hostile mission file received by email looks like: the questionnaire
    travels inside it, so opening it parses ``text``.
    """
    path = tmp_path / "hostile.db"
    Mission.create(
        path, country="Freedonia", title="T", questionnaires=[loads(SURVEY_YAML)]
    ).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE instruments SET source_text = ?", (text,))
    conn.close()
    return path


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (billion_laughs(), Code.YAML_ALIAS),
        (deep_block(995), Code.YAML_TOO_DEEP),
        ("id: " + "x" * MAX_DOCUMENT_BYTES + "\n", Code.YAML_TOO_LARGE),
    ],
    ids=["billion-laughs", "deep-nesting", "too-large"],
)
def test_mission_carrying_a_hostile_questionnaire(tmp_path: Path, text: str, code: Code) -> None:
    path = _mission_carrying(tmp_path, text)
    with Mission.open(path) as mission, pytest.raises(QuestionnaireError) as caught:
        _ = mission.questionnaires
    assert code in caught.value.codes
    # The message names the mission file and the questionnaire inside it, and the line.
    first = caught.value.problems[0]
    assert first.file == "hostile.db:instruments/survey"
    assert (first.line is None) == (code is Code.YAML_TOO_LARGE)


def test_score_of_a_mission_carrying_a_bomb_fails_fast_in_little_memory(
    tmp_path: Path,
) -> None:
    path = _mission_carrying(tmp_path, billion_laughs())
    result = run_limited(
        """
        from assessment_kit.cli import main
        sys.exit(main(["score", sys.argv[1]]))
        """,
        str(path),
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    assert "MemoryError" not in output
    assert "hostile.db:instruments/survey:1:" in output
    assert "anchor '&lol0'" in output


# --- scoring profiles are YAML from anyone too --------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (billion_laughs(), Code.YAML_ALIAS),
        (deep_block(995), Code.YAML_TOO_DEEP),
        ("name: x\nbands: " + "[" * 995 + "]" * 995 + "\n", Code.YAML_TOO_DEEP),
        ("name: " + "1" * 5000 + "\n", Code.YAML_VALUE),
    ],
    ids=["billion-laughs", "deep-block", "deep-flow", "huge-integer"],
)
def test_hostile_scoring_profile_is_a_profile_error(text: str, code: Code) -> None:
    from assessment_kit.scoring import ProfileError, loads_profile

    with pytest.raises(ProfileError) as caught:
        loads_profile(text, file="mine.yaml")
    assert caught.value.codes[0] == code
    assert caught.value.problems[0].file == "mine.yaml"


def test_oversized_scoring_profile_is_refused_without_reading_it(tmp_path: Path) -> None:
    from assessment_kit.scoring import ProfileError, load_profile

    big = tmp_path / "profile.yaml"
    with big.open("wb") as handle:
        handle.truncate(MAX_DOCUMENT_BYTES + 1)
    with pytest.raises(ProfileError) as caught:
        load_profile(big)
    assert caught.value.codes == [Code.YAML_TOO_LARGE]
