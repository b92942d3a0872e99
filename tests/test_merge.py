"""Copies of one mission merged without loss: history identities (schema 4), merge,
conflicts, refusals and a kill in the middle.

Missions are made through the ``new_mission`` and ``copy_mission`` fixtures only, so the
``backend`` fixture runs every test against SQLite and PostgreSQL alike (and copies are
made with ``copy``, as an assessor takes one offline). Tests of older files stay on SQLite.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from random import Random

import pytest
from conftest import Backend
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_support import SURVEY_YAML

from assessment_kit.errors import Code, JoinError
from assessment_kit.questionnaire import Questionnaire, loads
from assessment_kit.store import SCHEMA_VERSION, Mission, merge
from assessment_kit.store.copying import copy_mission as copy_store
from assessment_kit.store.writes import Lineage, tips

NewMission = Callable[[str], Mission]
CopyMission = Callable[[Mission, str], Mission]


@pytest.fixture(scope="module")
def survey() -> Questionnaire:
    return loads(SURVEY_YAML, file="survey.yaml")


@pytest.fixture
def opened() -> Iterator[list[Mission]]:
    missions: list[Mission] = []
    yield missions
    for mission in missions:
        mission.close()


@pytest.fixture
def new_mission(backend: Backend, survey: Questionnaire, opened: list[Mission]) -> NewMission:
    """A new, empty mission named ``name`` on the backend under test."""

    def make(name: str) -> Mission:
        mission = Mission.create(
            backend.target(name), country="Freedonia", title="Test", questionnaires=[survey]
        )
        opened.append(mission)
        return mission

    return make


@pytest.fixture
def copy_mission(backend: Backend, opened: list[Mission]) -> CopyMission:
    """A copy of ``mission`` named ``name``, as an assessor takes one offline."""

    def copy(mission: Mission, name: str) -> Mission:
        target = backend.target(name)
        copy_store(mission.location, target)
        copied = Mission.open(target)
        opened.append(copied)
        return copied

    return copy


def address(mission: Mission) -> str:
    """How commands and other processes name the mission (its file; a URL on a server)."""
    return mission.location


def history_rows(mission: Mission) -> list[tuple[object, ...]]:
    rows = mission._query("SELECT uuid, parent, resolved, kind, question FROM history ORDER BY id")
    return [tuple(row) for row in rows]


# -- schema 4: every history entry has an identity and a parent ---------------------------


def test_new_entries_get_a_uuid_and_their_parent(new_mission: NewMission) -> None:
    mission = new_mission("a")
    mission.add_respondent("P1", institution_type="police")
    mission.set_answer("P1", "survey", "law", "no")
    mission.set_answer("P1", "survey", "law", "yes")
    mission.set_answer("P1", "survey", "plan", "yes")
    rows = history_rows(mission)
    assert [row[3:] for row in rows] == [
        ("respondent", None),
        ("answer", "law"),
        ("answer", "law"),
        ("answer", "plan"),
    ]
    identities = [str(row[0]) for row in rows]
    assert all(uuid.UUID(identity).version == 4 for identity in identities)
    assert len(set(identities)) == 4
    # Each change follows the one that was current for the same item.
    assert [row[1] for row in rows] == [None, None, identities[1], None]
    assert [row[2] for row in rows] == [None, None, None, None]


@pytest.mark.parametrize(
    ("entries", "current", "others"),
    [
        # a chain: only its last entry is a tip
        ([("a", "t1", None, None), ("b", "t2", "a", None)], "b", []),
        # two changes apart: the later is current
        ([("a", "t1", None, None), ("b", "t3", "a", None), ("c", "t2", "a", None)], "b", ["c"]),
        # at the same time: the greater uuid, whatever the order given
        ([("a", "t1", None, None), ("b", "t2", "a", None), ("c", "t2", "a", None)], "c", ["b"]),
        ([("a", "t1", None, None), ("c", "t2", "a", None), ("b", "t2", "a", None)], "c", ["b"]),
        # a change that settled the conflict follows both tips, even if it is older
        (
            [("a", "t1", None, None), ("b", "t3", "a", None), ("c", "t2", "a", None),
             ("d", "t0", "b", "c")],
            "d",
            [],
        ),
    ],
)  # fmt: skip
def test_the_current_entry_is_the_latest_tip(
    entries: list[tuple[str, str, str | None, str | None]], current: str, others: list[str]
) -> None:
    heads = tips(Lineage(*entry) for entry in entries)
    assert [head.uuid for head in heads] == [current, *others]


_OLD_ENTRY = (
    "INSERT INTO history (kind, respondent, questionnaire, question, old_value, new_value,"
    " \"by\", at) VALUES (?, ?, ?, ?, NULL, ?, '', ?)"
)


def _schema_3_file(path: Path, survey: Questionnaire, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file written by the release before history identities (schema 3)."""
    from assessment_kit.store import schema

    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:3])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 3)
    # Written as that release wrote it (today's Mission.create writes today's columns).
    conn = schema.connect(path, create=True)
    schema.migrate(conn, str(path))
    conn.execute(
        "INSERT INTO mission (id, country, title, created_at, uuid)"
        " VALUES (1, 'F', 'T', '2025-01-01', ?)",
        (str(uuid.uuid4()),),
    )
    conn.execute(
        "INSERT INTO instruments (id, version, title, source_text, added_at)"
        " VALUES (?, ?, ?, ?, '2025-01-01')",
        (survey.id, survey.version, str(survey.title), survey.source_text),
    )
    conn.close()
    monkeypatch.undo()
    with sqlite3.connect(path) as raw:
        for kind, code, question, value in (
            ("respondent", "P1", None, {"institution_type": "police"}),
            ("answer", "P1", "law", "no"),
            ("answer", "P1", "law", "yes"),
        ):
            questionnaire = None if question is None else "survey"
            raw.execute(
                _OLD_ENTRY,
                (kind, code, questionnaire, question, json.dumps(value), "2025-01-01"),
            )
    raw.close()


def test_schema_3_copies_upgraded_apart_share_the_ids_of_their_shared_entries(
    tmp_path: Path, survey: Questionnaire, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tmp_path / "old.db"
    _schema_3_file(old, survey, monkeypatch)
    copies = [tmp_path / "a.db", tmp_path / "b.db"]
    for copy in copies:
        with sqlite3.connect(old) as source, sqlite3.connect(copy) as dest:
            source.backup(dest)
        dest.close()
    # Each copy changes one more answer, still at schema 3, then both are upgraded.
    for copy, value in zip(copies, ("no", "partly"), strict=True):
        with sqlite3.connect(copy) as raw:
            raw.execute(
                _OLD_ENTRY, ("answer", "P1", "survey", "plan", json.dumps(value), "2026-01-01")
            )
        raw.close()
    with Mission.open(copies[0]) as first, Mission.open(copies[1]) as second:
        a, b = history_rows(first), history_rows(second)
    assert a[:3] == b[:3]  # the shared entries: same ids, same parents
    assert a[3][0] != b[3][0]  # written apart: different ids
    assert a[2][1] == a[1][0]  # the second change of 'law' follows the first
    with sqlite3.connect(copies[0]) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        with pytest.raises(sqlite3.IntegrityError):
            raw.execute("UPDATE history SET uuid = 'x'")
    raw.close()


# -- merge ----------------------------------------------------------------------------------


def state(mission: Mission) -> dict[str, object]:
    """Everything a merge may change: current rows, the set of history entries and the
    conflicts (local history ids left out: each copy numbers its own)."""
    return {
        "respondents": mission.respondents_frame().to_dict("records"),
        "answers": mission.answers_frame().to_dict("records"),
        "consolidated": mission.consolidated_frame().to_dict("records"),
        "history": {entry.row() for entry in mission.history_entries()},
        "conflicts": {
            (c.item, c.current.uuid, tuple(k.uuid for k in c.kept)) for c in mission.conflicts()
        },
    }


@pytest.fixture
def base(new_mission: NewMission) -> Mission:
    """A mission with two respondents and an answer, before assessors take copies."""
    mission = new_mission("base")
    mission.add_respondent("P1", institution_type="police", by="lead")
    mission.add_respondent("N1", institution_type="ngo", by="lead")
    mission.set_answer("P1", "survey", "law", "no", by="lead")
    return mission


def test_merge_brings_in_everything_with_every_history_entry(
    base: Mission, copy_mission: CopyMission
) -> None:
    ana, ben = copy_mission(base, "ana"), copy_mission(base, "ben")
    ben.add_respondent(
        "P2",
        institution_type="police",
        sector="borders",
        interview_date=date(2026, 11, 20),
        interviewer="Ben",
        consent=True,
        by="ben",
    )
    ben.set_answer(
        "P2", "survey", "roles", ("origin", "transit"), note="two roles", evidence="report 7",
        confidential=True, by="ben",
    )  # fmt: skip
    ben.update_respondent("N1", interviewer="Ben", by="ben")
    ben.consolidate("survey", "plan", "partly", rationale="draft plan seen", by="ben")
    ben.clear_answer("P1", "survey", "law", by="ben")
    before = {entry.uuid for entry in ana.history_entries()}
    result = merge(ana, [ben])
    assert result.counts.history_added == 5
    assert result.counts.respondents_added == 1
    assert result.counts.answers_added == 1
    assert result.counts.consolidated_added == 1
    assert result.counts.respondents_changed == 1
    assert result.counts.answers_changed == 1  # the cleared answer
    assert result.conflicts == ()
    assert "0 conflicts" in result.summary()
    # Lossless: every entry of both copies, and the same current rows as ben's copy.
    assert {e.uuid for e in ana.history_entries()} == before | {
        e.uuid for e in ben.history_entries()
    }
    assert state(ana) == state(ben)
    assert ana.respondent("P2") == ben.respondent("P2")
    assert ana.respondent("P2").consent is True
    answer = ana.answer("P2", "survey", "roles")
    assert answer is not None
    assert (answer.value, answer.note, answer.evidence, answer.confidential) == (
        ("origin", "transit"), "two roles", "report 7", True,
    )  # fmt: skip
    assert ana.consolidated("survey")["plan"].rationale == "draft plan seen"
    assert ana.answer("P1", "survey", "law") is None


def test_merging_again_changes_nothing(base: Mission, copy_mission: CopyMission) -> None:
    ana, ben = copy_mission(base, "ana"), copy_mission(base, "ben")
    ben.set_answer("P1", "survey", "plan", "yes", by="ben")
    ana.set_answer("N1", "survey", "plan", "no", by="ana")
    merge(ana, [ben])
    merged = state(ana)
    again = merge(ana, [ben, ben])
    assert again.counts.history_added == 0
    assert (again.counts.answers_added, again.counts.answers_changed) == (0, 0)
    assert state(ana) == merged


def test_merge_order_does_not_matter(base: Mission, copy_mission: CopyMission) -> None:
    ana, ben = copy_mission(base, "ana"), copy_mission(base, "ben")
    ana.set_answer("P1", "survey", "law", "yes", by="ana")
    ana.add_respondent("X1", institution_type="ngo", interviewer="Ana", by="ana")
    ben.set_answer("P1", "survey", "law", "partly", by="ben")
    ben.add_respondent("X1", institution_type="police", interviewer="Ben", by="ben")
    ben.set_answer("X1", "survey", "year", 2020, by="ben")
    merge(ana, [ben])
    merge(ben, [ana])
    assert state(ana) == state(ben)
    assert len(ana.conflicts()) == 2  # the answer and the respondent added twice


def test_a_conflict_keeps_both_lists_the_later_and_clears_when_set_again(
    base: Mission, copy_mission: CopyMission
) -> None:
    ana, ben = copy_mission(base, "ana"), copy_mission(base, "ben")
    ana.set_answer("P1", "survey", "law", "yes", by="ana")
    ben.set_answer("P1", "survey", "law", "partly", by="ben")  # later
    preview = merge(ana, [ben], dry_run=True)
    assert len(preview.conflicts) == 1
    assert "1 conflict\n" in preview.summary()
    assert ana.answer("P1", "survey", "law").value == "yes"  # type: ignore[union-attr]
    assert ana.conflicts() == []  # a dry run writes nothing
    result = merge(ana, [ben])
    [conflict] = result.conflicts
    assert conflict.item == ("answer", "P1", "survey", "law")
    assert (conflict.current.value, [k.value for k in conflict.kept]) == ("partly", ["yes"])
    assert ana.answer("P1", "survey", "law").value == "partly"  # type: ignore[union-attr]
    values = [e.value for e in ana.history_entries("survey", "law") if e.respondent == "P1"]
    assert sorted(values) == ["no", "partly", "yes"]  # nothing dropped
    assert ana.conflicts("survey", "law") == [conflict]
    # Set again, even to the value it holds: settled, here and in every copy it reaches.
    ana.set_answer("P1", "survey", "law", "partly", by="ana")
    assert ana.conflicts() == []
    assert merge(ben, [ana]).conflicts == ()
    assert state(ben) == state(ana)


def test_the_same_change_made_on_two_laptops_is_no_conflict(
    base: Mission, copy_mission: CopyMission
) -> None:
    ana, ben = copy_mission(base, "ana"), copy_mission(base, "ben")
    ana.set_answer("P1", "survey", "law", "yes", note="seen", by="ana")
    ben.set_answer("P1", "survey", "law", "yes", note="seen", by="ben")
    ben.set_answer("N1", "survey", "law", "yes", note="", by="ben")
    ana.set_answer("N1", "survey", "law", "yes", note="the 2024 law", by="ana")
    result = merge(ana, [ben])
    # Only the answer whose note differs is listed; both entries of each are kept.
    assert [c.item for c in result.conflicts] == [("answer", "N1", "survey", "law")]
    assert len([e for e in ana.history_entries("survey", "law") if e.respondent == "P1"]) == 3


def test_a_consolidated_conflict_is_settled_by_consolidating_again(
    base: Mission, copy_mission: CopyMission
) -> None:
    ana, ben = copy_mission(base, "ana"), copy_mission(base, "ben")
    ana.consolidate("survey", "law", "yes", rationale="the 2024 law", by="ana")
    ben.consolidate("survey", "law", "no", rationale="not in force", by="ben")
    [conflict] = merge(ana, [ben]).conflicts
    assert conflict.item == ("consolidated", None, "survey", "law")
    assert ana.consolidated("survey")["law"].rationale == "not in force"
    ana.consolidate("survey", "law", "no", rationale="not in force", by="ana")
    assert ana.conflicts() == []


def test_another_mission_is_refused_naming_both(base: Mission, new_mission: NewMission) -> None:
    other = new_mission("other")
    other.add_respondent("Z1", institution_type="police")
    before = state(base)
    with pytest.raises(JoinError) as raised:
        merge(base, [other])
    assert raised.value.codes == [Code.MISSION_MISMATCH]
    message = str(raised.value)
    for named in (address(base), address(other), base.info.uuid, other.info.uuid):
        assert named in message
    assert state(base) == before


def test_other_questionnaire_versions_are_refused(
    base: Mission, copy_mission: CopyMission, new_mission: NewMission
) -> None:
    newer = copy_mission(base, "newer")
    with newer._write() as conn:  # a copy whose questionnaire was upgraded
        conn.execute("UPDATE instruments SET version = '1.1.0' WHERE id = 'survey'")
    other = new_mission("other")
    before = state(base)
    with pytest.raises(JoinError) as raised:
        merge(base, [newer, other])
    # Every problem at once: the version of one, the identity of the other.
    assert raised.value.codes == [Code.VERSION_MISMATCH, Code.MISSION_MISMATCH]
    assert "survey 1.1.0" in str(raised.value)
    assert "survey 1.0.0" in str(raised.value)
    assert state(base) == before


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assessment_kit.cli", *args],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip


def test_the_merge_command(
    base: Mission, copy_mission: CopyMission, new_mission: NewMission
) -> None:
    ana, ben = copy_mission(base, "ana"), copy_mission(base, "ben")
    ana.set_answer("P1", "survey", "law", "yes", by="ana")
    ben.set_answer("P1", "survey", "law", "partly", by="ben")
    into, source = address(ana), address(ben)
    before = state(ana)
    dry = run_cli("merge", into, source, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "1 conflict\n" in dry.stdout
    assert "P1 survey.law" in dry.stdout
    assert state(ana) == before
    done = run_cli("merge", into, source)
    assert done.returncode == 0, done.stderr
    assert "1 conflict\n" in done.stdout
    assert ana.answer("P1", "survey", "law").value == "partly"  # type: ignore[union-attr]
    refused = run_cli("merge", into, address(new_mission("other")))
    assert refused.returncode == 1
    assert "Traceback" not in refused.stderr
    assert "another mission" in refused.stderr


def test_importing_a_mission_merges_a_copy_and_refuses_another_mission(
    base: Mission, copy_mission: CopyMission, new_mission: NewMission
) -> None:
    ana = copy_mission(base, "ana")
    ana.set_answer("N1", "survey", "plan", "yes", by="ana")
    other = new_mission("other")
    refused = run_cli("import", address(base), address(other))
    assert refused.returncode == 1
    assert "Traceback" not in refused.stderr
    assert other.info.uuid in refused.stderr
    assert base.answer("N1", "survey", "plan") is None
    done = run_cli("import", address(base), address(ana))
    assert done.returncode == 0, done.stderr
    assert "0 conflicts" in done.stdout
    assert state(base) == state(ana)


def test_the_consolidation_view_shows_a_conflict_until_set_again(
    base: Mission, copy_mission: CopyMission
) -> None:
    from assessment_kit.widgets import ConsolidationView

    ana, ben = copy_mission(base, "ana"), copy_mission(base, "ben")
    ana.consolidate("survey", "law", "yes", rationale="seen", by="ana")
    ben.consolidate("survey", "law", "no", rationale="not in force", by="ben")
    merge(ana, [ben])
    card = ConsolidationView(ana, by="team").card("law")
    assert "Changed on two laptops" in card.conflicts.value
    assert "ana" in card.conflicts.value
    assert "ben" in card.conflicts.value
    card.rationale.value = "agreed: not in force"
    card.save_button.click()
    assert card.conflicts.value == ""
    assert "Changed on two laptops" not in ConsolidationView(ana).card("law").conflicts.value


def test_the_consolidation_view_shows_a_respondent_answer_changed_on_two_laptops(
    base: Mission, copy_mission: CopyMission
) -> None:
    from assessment_kit.widgets import ConsolidationView

    ana, ben = copy_mission(base, "ana"), copy_mission(base, "ben")
    ana.set_answer("P1", "survey", "law", "yes", by="ana")
    ben.set_answer("P1", "survey", "law", "partly", by="ben")
    merge(ana, [ben])
    shown = ConsolidationView(ana).card("law").conflicts.value
    assert "Changed on two laptops" in shown
    assert "<b>P1</b>" in shown
    assert "Partly" in shown  # the values as the question labels them
    assert "Yes" in shown
    ana.set_answer("P1", "survey", "law", "yes", by="ana")  # the interview sets it again
    assert ConsolidationView(ana).card("law").conflicts.value == ""


# -- property: random edits on copies, merged in random orders ------------------------------

_VALUES = {"law": ["yes", "partly", "no"], "plan": ["yes", "no"], "year": [1999, 2020]}

_edit = st.one_of(
    st.tuples(
        st.just("answer"),
        st.sampled_from(["P1", "N1"]),
        st.sampled_from(sorted(_VALUES)),
        st.integers(0, 2),
    ),
    st.tuples(st.just("clear"), st.sampled_from(["P1", "N1"]), st.sampled_from(["law", "plan"])),
    st.tuples(st.just("consolidate"), st.sampled_from(["law", "plan"]), st.integers(0, 2)),
    st.tuples(st.just("interviewer"), st.sampled_from(["P1", "N1"]), st.sampled_from("AB")),
    st.tuples(st.just("add"), st.sampled_from(["X1", "X2"])),
    st.tuples(st.just("sync"), st.integers(0, 2)),  # merge another copy into this one
)


def _pick(question: str, index: object) -> object:
    choices = _VALUES[question]
    return choices[int(str(index)) % len(choices)]


def _apply(mission: Mission, edit: tuple[object, ...], copies: list[Mission], by: str) -> None:
    kind, *args = (str(part) for part in edit)
    if kind == "answer":
        code, question, pick = args
        mission.set_answer(code, "survey", question, _pick(question, pick), by=by)
    elif kind == "clear":
        mission.clear_answer(args[0], "survey", args[1], by=by)
    elif kind == "consolidate":
        mission.consolidate("survey", args[0], _pick(args[0], args[1]), by=by)
    elif kind == "interviewer":
        mission.update_respondent(args[0], interviewer=args[1], by=by)
    elif kind == "add":
        if args[0] not in {r.code for r in mission.respondents()}:
            mission.add_respondent(args[0], institution_type="ngo", interviewer=by, by=by)
    else:
        merge(mission, [copies[int(args[0]) % len(copies)]])


@settings(
    max_examples=20,
    deadline=None,
    # The fixtures are factories: each example makes missions of its own names.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    scripts=st.lists(st.lists(_edit, max_size=6), min_size=2, max_size=3),
    order=st.randoms(use_true_random=False),
)
def test_random_edits_merged_in_any_order_give_equal_copies(
    new_mission: NewMission,
    copy_mission: CopyMission,
    scripts: list[list[tuple[object, ...]]],
    order: Random,
) -> None:
    run = uuid.uuid4().hex[:8]
    base = new_mission(f"base-{run}")
    base.add_respondent("P1", institution_type="police")
    base.add_respondent("N1", institution_type="ngo")
    base.set_answer("P1", "survey", "law", "no")
    copies = [copy_mission(base, f"copy{i}-{run}") for i in range(len(scripts))]
    # Edits interleaved across the copies, as assessors work at the same time.
    steps = [(i, edit) for i, script in enumerate(scripts) for edit in script]
    order.shuffle(steps)
    for i, edit in steps:
        _apply(copies[i], edit, copies, by=f"a{i}")
    written = set().union(*({e.uuid for e in c.history_entries()} for c in copies))
    # Each copy takes in the others, one at a time, in its own random order; then the
    # same again (what a copy brought in may be news to the ones merged before it).
    targets = [copy_mission(copy, f"final{i}-{run}") for i, copy in enumerate(copies)]
    for target in targets:
        others = list(copies)
        order.shuffle(others)
        for other in others:
            merge(target, [other])
    finals = [state(target) for target in targets]
    assert all(final == finals[0] for final in finals[1:])
    history = finals[0]["history"]
    assert isinstance(history, set)
    assert {row[0] for row in history} == written
    # A second merge of everything changes nothing.
    merge(targets[0], copies)
    assert state(targets[0]) == finals[0]


# -- a kill in the middle -------------------------------------------------------------------

WORKER = Path(__file__).with_name("merge_support.py")


@pytest.mark.parametrize(
    ("stop", "merged"),
    [
        ("adding history entries:start", False),  # the transaction open, nothing written
        ("setting current answers:start", False),  # every history entry added, no answer set
        ("setting current answers:middle", False),  # some of the answers set
        ("committed", True),  # the merge returned
    ],
)
def test_a_merge_killed_leaves_the_mission_as_it_was_or_fully_merged(
    base: Mission, copy_mission: CopyMission, stop: str, merged: bool
) -> None:
    into, source = copy_mission(base, "into"), copy_mission(base, "laptop")
    into.set_answer("P1", "survey", "plan", "no", by="into")
    with source.batch(by="laptop") as batch:
        for n in range(200):
            code = f"L{n:03d}"
            batch.add_respondent(code, institution_type="police")
            for question, value in (("law", "yes"), ("plan", "partly"), ("year", 2020)):
                batch.set_answer(code, "survey", question, value)
    source.set_answer("P1", "survey", "plan", "yes", by="laptop")  # a conflict too
    expected_target = copy_mission(into, "expected")
    merge(expected_target, [source])
    expected, before = state(expected_target), state(into)
    assert expected != before
    worker = subprocess.Popen(
        [sys.executable, str(WORKER), address(into), address(source), stop],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    seen = []
    try:
        assert worker.stdout is not None
        for line in worker.stdout:  # waits for the worker to reach the step: no sleeping
            seen.append(line.strip())
            if line.strip() == "stopped":
                break
        worker.send_signal(signal.SIGKILL)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.communicate(timeout=60)
    assert seen[-1] == "stopped", seen
    assert worker.returncode == -signal.SIGKILL
    with Mission.open(address(into)) as reopened:
        assert state(reopened) == (expected if merged else before)
        # And the merge run again completes it.
        merge(reopened, [source])
        assert state(reopened) == expected
