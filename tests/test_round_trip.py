"""Every value the store accepts survives export then import, in CSV and XLSX, exactly;
where a format cannot hold a value the export says so and stops; CSV cells never run as
formulas in a spreadsheet program."""

from __future__ import annotations

import csv
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_support import SURVEY_YAML

from assessment_kit.errors import AnswerError, Code, ImportProblems, StoreError
from assessment_kit.files import (
    CSV_CELL_LIMIT,
    XLSX_CELL_LIMIT,
    csv_cell,
    csv_value,
    export_answers,
    import_answers,
    xlsx_text,
    xlsx_value,
)
from assessment_kit.questionnaire import loads
from assessment_kit.store import Mission
from assessment_kit.store.values import TEXT_LIMIT

SURVEY = loads(SURVEY_YAML, file="survey.yaml")
FORMATS = ["csv", "xlsx"]
HEADER = "respondent,institution_type,questionnaire,question,answer,note"


def _mission(path: Path) -> Mission:
    return Mission.create(path, country="Freedonia", title="T", questionnaires=[SURVEY])


def _state(path: Path) -> tuple[Any, ...]:
    """Everything an export carries: respondents, answers and consolidated answers."""
    with Mission.open(path) as mission:
        respondents = sorted(
            (r.code, r.institution_type, r.sector, r.interview_date, r.interviewer, r.consent)
            for r in mission.respondents()
        )
        answers = sorted(
            (a.respondent, a.question, repr(a.value), a.note, a.evidence, a.confidential)
            for code, *_ in respondents
            for a in mission.answers_for(code, "survey").values()
        )
        consolidated = sorted(
            (c.question, repr(c.value), c.rationale)
            for c in mission.consolidated("survey").values()
        )
    return respondents, answers, consolidated


def _round_trip(source: Path, folder: Path, fmt: str) -> Path:
    out = folder / f"answers.{fmt}"
    export_answers(source, fmt, out)  # type: ignore[arg-type]
    target = folder / f"copy-{fmt}.db"
    _mission(target).close()
    import_answers(target, out)
    assert _state(target) == _state(source)
    return out


# ------------------------------------------------------------------ the cases


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_note_at_the_limit_round_trips_and_a_longer_one_is_refused(
    tmp_path: Path, fmt: str
) -> None:
    source = tmp_path / "m.db"
    note = ("A long interview transcript. " * 5000)[:TEXT_LIMIT]
    with _mission(source) as mission:
        mission.add_respondent("P1", institution_type="police")
        # The issue: a 131,073-character note was saved, exported, and the CSV did not
        # import back. The store now refuses it when it is written, naming the limit.
        with pytest.raises(AnswerError) as caught:
            mission.set_answer("P1", "survey", "law", "yes", note="x" * 131_073)
        assert caught.value.codes == [Code.TEXT_TOO_LONG]
        with pytest.raises(AnswerError) as caught:
            mission.set_answer("P1", "survey", "law", "yes", evidence="x" * (TEXT_LIMIT + 1))
        assert caught.value.codes == [Code.TEXT_TOO_LONG]
        assert mission.answer("P1", "survey", "law") is None
        if fmt == "csv":
            mission.set_answer("P1", "survey", "law", "yes", note=note)
        else:
            mission.set_answer("P1", "survey", "law", "yes", note=note[:XLSX_CELL_LIMIT])
    _round_trip(source, tmp_path, fmt)


def test_xlsx_export_names_a_cell_too_long_and_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "m.db"
    with _mission(source) as mission:
        mission.add_respondent("P1", institution_type="police")
        mission.set_answer("P1", "survey", "law", "yes", note="n" * 40_000)
    out = tmp_path / "answers.xlsx"
    with pytest.raises(StoreError) as caught:
        export_answers(source, "xlsx", out)
    assert caught.value.code is Code.XLSX_CELL_TOO_LONG
    problem = caught.value.problem
    assert problem is not None
    assert (problem.line, problem.path) == (2, "note")
    assert "40,000" in str(caught.value)
    # Nothing cut short, nothing half-written.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.db"]
    # CSV holds it whole.
    _round_trip(source, tmp_path, "csv")


@pytest.mark.parametrize("fmt", FORMATS)
def test_control_characters_and_big_integers_round_trip(tmp_path: Path, fmt: str) -> None:
    source = tmp_path / "m.db"
    with _mission(source) as mission:
        mission.add_respondent("P1", institution_type="police")
        # \x0b is Word's manual line break; openpyxl refused it with IllegalCharacterError
        # and left a 0-byte .partial file.
        mission.set_answer("P1", "survey", "law", "yes", note="line\x0bbreak\r\nand\rmore")
        mission.set_answer("P1", "survey", "comment", "\x00\x1f_x000B_ literal", evidence="\ufffe")
        mission.set_answer("P1", "survey", "victims", 2**53 + 1)
        mission.add_respondent("P2", institution_type="police")
        mission.set_answer("P2", "survey", "victims", 2**70)
        mission.set_answer("P2", "survey", "budget", -0.0)
    _round_trip(source, tmp_path, fmt)
    assert not list(tmp_path.glob("*.partial"))


def test_a_csv_cell_beyond_the_reader_limit_is_named(tmp_path: Path) -> None:
    target = tmp_path / "m.db"
    _mission(target).close()
    big = tmp_path / "big.csv"
    big.write_text(f"{HEADER}\nP1,police,survey,law,yes,{'x' * 200_000}\n", encoding="utf-8")
    with pytest.raises(ImportProblems) as caught:
        import_answers(target, big)
    assert caught.value.codes == [Code.TEXT_TOO_LONG]
    assert caught.value.problems[0].line == 2
    huge = tmp_path / "huge.csv"
    huge.write_text(f"{HEADER}\nP1,police,survey,law,yes,{'x' * (CSV_CELL_LIMIT + 1)}\n")
    with pytest.raises(StoreError) as raised:
        import_answers(target, huge)
    assert raised.value.code is Code.CELL_TOO_LARGE
    assert csv.field_size_limit() == 131_072  # the module's setting is given back


# ------------------------------------------------------------------ formula injection

HOSTILE = [
    '=HYPERLINK("http://x","c")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted",
    "'",
    "''",
    "-",
]


def test_csv_cells_that_would_run_as_formulas_are_quoted_and_read_back(tmp_path: Path) -> None:
    source = tmp_path / "m.db"
    with _mission(source) as mission:
        for index, text in enumerate(HOSTILE):
            code = f"P{index}"
            mission.add_respondent(code, institution_type="police")
            mission.set_answer(code, "survey", "comment", text, note=text, evidence=text)
        mission.add_respondent("N", institution_type="police")
        mission.set_answer("N", "survey", "budget", -3.5)
        mission.set_answer("N", "survey", "comment", "-3")
        mission.set_answer("N", "survey", "convicted", -3)
        mission.consolidate("survey", "comment", "=1+1", rationale="@rationale")
    out = _round_trip(source, tmp_path, "csv")
    with out.open(encoding="utf-8", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    # No cell a spreadsheet would run: each starts with a quote or a harmless character.
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]
    assert not [c for c in cells if c.startswith("-") and c not in ("-3", "-3.5")]
    # Negative numbers stay numbers.
    assert "-3" in cells
    assert "-3.5" in cells
    assert '\'=HYPERLINK("http://x","c")' in cells


@given(st.text())
def test_the_csv_cell_rule_is_reversible(text: str) -> None:
    assert csv_value(str(csv_cell(text))) == text
    assert xlsx_value(xlsx_text(text)) == text


# ------------------------------------------------------------------ the property

_HOSTILE_TEXT = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [*HOSTILE, "_x000D_", "_x005F_x000B_", "_x0000_x0000_", "e\u0301", "\u00e9", "R\u2011U"]
    ),
    st.builds(
        lambda head, body: head + body,
        st.sampled_from(["=", "+", "-", "@", "\t", "\r", "'", " ", "\x0b", "_x0041_"]),
        st.text(max_size=40),
    ),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=20),
    st.text(max_size=3).map(lambda t: t * 4000),
)
_CODE = st.text(
    st.characters(exclude_categories=("Cc", "Cf", "Cs", "Zl", "Zp")), min_size=1, max_size=20
).filter(lambda c: bool(c.strip()) and c.strip().casefold() != "consolidated")
_SOLID_TEXT = _HOSTILE_TEXT.filter(lambda t: bool(t.strip()))


@st.composite
def _answers(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "code": draw(_CODE),
        "interviewer": draw(_HOSTILE_TEXT),
        "consent": draw(st.booleans()),
        "sector": draw(_SOLID_TEXT),
        "interview_date": draw(st.none() | st.dates(date(1900, 1, 1), date(2100, 12, 31))),
        "roles": draw(st.lists(st.sampled_from(["origin", "transit", "destination"]), min_size=1)),
        "victims": draw(st.integers(min_value=0, max_value=2**80)),
        "convicted": draw(st.integers(min_value=-(2**80), max_value=-1)),
        "budget": draw(st.floats(allow_nan=False, allow_infinity=False)),
        "since": draw(st.dates(date(1900, 1, 1), date(2100, 12, 31))),
        "comment": draw(_SOLID_TEXT),
        "state": draw(st.sampled_from(["unknown", "not_applicable", "declined", "yes"])),
        "note": draw(_HOSTILE_TEXT),
        "evidence": draw(_HOSTILE_TEXT),
        "confidential": draw(st.booleans()),
        "rationale": draw(_HOSTILE_TEXT),
    }


@pytest.mark.parametrize("fmt", FORMATS)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
)
@given(data=_answers())
def test_every_value_the_store_accepts_survives_export_and_import(
    fmt: str, data: dict[str, Any]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "m.db"
        with _mission(source) as mission:
            code = mission.add_respondent(
                data["code"],
                institution_type="police",
                sector=data["sector"],
                interview_date=data["interview_date"],
                interviewer=data["interviewer"],
                consent=data["consent"],
            ).code
            extra = {"note": data["note"], "evidence": data["evidence"]}
            for question in ("roles", "victims", "convicted", "budget", "since", "comment"):
                mission.set_answer(code, "survey", question, data[question], **extra)
            mission.set_answer(
                code, "survey", "law", data["state"], confidential=data["confidential"], **extra
            )
            mission.consolidate("survey", "comment", data["comment"], rationale=data["rationale"])
        # The one refusal allowed: a text longer than an XLSX cell holds (a control
        # character counts as the seven characters of its escape).
        longest = max(len(xlsx_text(str(v)).encode("utf-16-le")) // 2 for v in data.values())
        if fmt == "xlsx" and longest > XLSX_CELL_LIMIT:
            with pytest.raises(StoreError) as caught:
                export_answers(source, "xlsx", folder / "answers.xlsx")
            assert caught.value.code is Code.XLSX_CELL_TOO_LONG
            assert sorted(p.name for p in folder.iterdir()) == ["m.db"]
        else:
            _round_trip(source, folder, fmt)
