"""Merging copies of one mission: every history entry of the other copies comes in, and
the current answers follow from the history alone.

An assessor takes a copy of the mission offline (a copied file); back together, ``merge``
brings into one copy what the others hold. Each history entry has a global identity and
names the entry it followed (schema 4, see :mod:`~assessment_kit.store.schema`), so:

- the merged copy holds the union of the copies' entries (lossless);
- merging the same copies again adds nothing (idempotent);
- each respondent, answer and consolidated answer is set from its entries alone: the
  current one is the latest of its *tips* (entries no other entry follows), by time, ties
  broken by uuid. So the order of the merges never matters;
- two tips or more are a conflict: the item was changed in two copies since they last
  met. The later change is current, the others stay in the history, and the conflict is
  listed (:meth:`Mission.conflicts <assessment_kit.store.history.HistoryMixin.conflicts>`)
  until someone sets the item again (that change follows every tip).

A merge is one transaction: killed in the middle, the mission is left as it was.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assessment_kit.errors import Code, JoinError, Problem
from assessment_kit.store.history import (
    ENTRY_COLUMNS,
    Conflict,
    HistoryEntry,
    HistoryMixin,
    Item,
    conflicts_among,
)
from assessment_kit.store.records import MissionInfo
from assessment_kit.store.writes import tips

if TYPE_CHECKING:
    from assessment_kit.store.mission import Mission

__all__ = [
    "MergeCounts",
    "MergeMixin",
    "MergeResult",
    "Progress",
    "check_joinable",
    "merge",
    "merge_missions",
]

#: Called as ``progress(stage, done, total)`` while a merge runs (inside its transaction).
Progress = Callable[[str, int, int], None]

# Items are set kind by kind: respondents before the answers that refer to them.
_KIND_ORDER = {"respondent": 0, "consolidated": 1, "answer": 2}


@dataclass(frozen=True, slots=True)
class MergeCounts:
    """What receiving history entries added and changed in a mission.

    ``*_added`` count rows the mission did not have; ``*_changed`` rows whose current value
    changed (an answer cleared counts as changed). ``conflicts`` are every conflict the
    mission holds afterwards, the later change of each current.
    """

    history_added: int = 0
    respondents_added: int = 0
    respondents_changed: int = 0
    answers_added: int = 0
    answers_changed: int = 0
    consolidated_added: int = 0
    consolidated_changed: int = 0
    conflicts: tuple[Conflict, ...] = ()


@dataclass(frozen=True, slots=True)
class MergeResult:
    """The outcome of :func:`merge`: which copies went into which, and what changed."""

    into: str
    sources: tuple[str, ...]
    counts: MergeCounts
    dry_run: bool = False

    @property
    def conflicts(self) -> tuple[Conflict, ...]:
        """The conflicts the merged mission holds (each listed until set again)."""
        return self.counts.conflicts

    def summary(self) -> str:
        """What the command prints: the counts, ``N conflicts`` and each conflict."""
        c = self.counts
        verb = "would merge" if self.dry_run else "merged"
        lines = [
            f"{verb} {', '.join(self.sources)} into {self.into}: "
            f"{c.history_added} history entries, {c.respondents_added} respondents, "
            f"{c.answers_added} answers, {c.consolidated_added} consolidated answers added; "
            f"{c.respondents_changed} respondents, {c.answers_changed} answers, "
            f"{c.consolidated_changed} consolidated answers changed",
            f"{len(c.conflicts)} conflict" + ("" if len(c.conflicts) == 1 else "s"),
        ]
        lines += [f"  conflict: {conflict.describe()}" for conflict in c.conflicts]
        if self.dry_run:
            lines.append("dry run: nothing was written")
        return "\n".join(lines)


def _instruments(info: MissionInfo) -> str:
    return ", ".join(f"{qid} {version}" for qid, version in sorted(info.instruments))


def check_joinable(
    mission: str, info: MissionInfo, other: str, other_info: MissionInfo
) -> list[Problem]:
    """The reasons the mission ``other`` cannot be joined into ``mission`` (both named as
    the user gave them): another mission's identity, other questionnaire versions."""
    problems = []
    if other_info.uuid != info.uuid:
        problems.append(
            Problem.make(
                Code.MISSION_MISMATCH,
                file=other,
                mission=mission,
                mission_uuid=info.uuid,
                other=other,
                other_uuid=other_info.uuid,
            )
        )
    if sorted(other_info.instruments) != sorted(info.instruments):
        problems.append(
            Problem.make(
                Code.VERSION_MISMATCH,
                file=other,
                mission=mission,
                ours=_instruments(info) or "(none)",
                other=other,
                theirs=_instruments(other_info) or "(none)",
            )
        )
    return problems


class _Rollback(Exception):
    """Ends a dry run's transaction without keeping anything."""


class MergeMixin(HistoryMixin):
    """Receiving history entries from copies of the mission."""

    def receive_history(
        self,
        entries: Iterable[HistoryEntry],
        *,
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> MergeCounts:
        """Add the entries this copy lacks and set every item they touch from its history,
        in one transaction (nothing is kept when ``dry_run``).

        The caller checks that the entries come from a copy of this mission
        (:func:`check_joinable`); :func:`merge` does.
        """
        counts = MergeCounts()
        try:
            with self._write() as conn:
                counts = _receive(conn, list(entries), progress)
                if dry_run:
                    raise _Rollback
        except _Rollback:
            pass
        return counts


def _receive(
    conn: sqlite3.Connection, offered: list[HistoryEntry], progress: Progress | None
) -> MergeCounts:
    held = [
        HistoryEntry(*row)
        for row in conn.execute(f"SELECT {ENTRY_COLUMNS} FROM history ORDER BY id")
    ]
    known = {entry.uuid for entry in held}
    new: dict[str, HistoryEntry] = {}
    for entry in offered:
        if entry.uuid not in known:
            new.setdefault(entry.uuid, entry)
    # A deterministic order for the local ids, whatever order the copies came in.
    arriving = sorted(new.values(), key=lambda entry: (entry.at, entry.uuid))
    total = len(arriving)
    if progress is not None:
        progress("adding history entries", 0, total)
    conn.executemany(
        f"INSERT INTO history ({ENTRY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (uuid) DO NOTHING",
        [entry.row() for entry in arriving],
    )
    everything = held + arriving
    touched = {entry.item for entry in arriving}
    by_item: dict[Item, list[HistoryEntry]] = {}
    for entry in everything:
        if entry.item in touched:
            by_item.setdefault(entry.item, []).append(entry)
    if progress is not None:
        progress("setting current answers", 0, len(by_item))
    tally = _Tally()
    items = sorted(by_item, key=lambda item: (_KIND_ORDER[item[0]], *(k or "" for k in item[1:])))
    for done, item in enumerate(items, 1):
        _set_item(conn, by_item[item], tally)
        if progress is not None and (done % 500 == 0 or done == len(items)):
            progress("setting current answers", done, len(items))
    return MergeCounts(
        history_added=total,
        respondents_added=tally.added["respondent"],
        respondents_changed=tally.changed["respondent"],
        answers_added=tally.added["answer"],
        answers_changed=tally.changed["answer"],
        consolidated_added=tally.added["consolidated"],
        consolidated_changed=tally.changed["consolidated"],
        conflicts=tuple(conflicts_among(everything)),
    )


class _Tally:
    def __init__(self) -> None:
        self.added = dict.fromkeys(_KIND_ORDER, 0)
        self.changed = dict.fromkeys(_KIND_ORDER, 0)


def _set_item(conn: sqlite3.Connection, entries: list[HistoryEntry], tally: _Tally) -> None:
    """Set one item's current row from its entries: the latest tip's state."""
    known = {entry.uuid: entry for entry in entries}
    current = known[tips(entry.lineage for entry in entries)[0].uuid]
    if current.kind == "answer":
        _set_answer(conn, current, tally)
    elif current.kind == "consolidated":
        _set_consolidated(conn, current, tally)
    else:
        _set_respondent(conn, current, min(entry.at for entry in entries), tally)


def _set_answer(conn: sqlite3.Connection, entry: HistoryEntry, tally: _Tally) -> None:
    key = (entry.respondent, entry.questionnaire, entry.question)
    where = " WHERE respondent = ? AND questionnaire = ? AND question = ?"
    row = conn.execute(
        "SELECT value, note, evidence, confidential, updated_by, updated_at FROM answers" + where,
        key,
    ).fetchone()
    if entry.new_value is None:
        if row is not None:
            conn.execute("DELETE FROM answers" + where, key)
            tally.changed["answer"] += 1
        return
    details = entry.details()
    state = (
        entry.new_value,
        str(details.get("note", "")),
        str(details.get("evidence", "")),
        int(bool(details.get("confidential", False))),
        entry.by,
        entry.at,
    )
    if row is not None and tuple(row) == state:
        return
    conn.execute(
        "INSERT INTO answers (respondent, questionnaire, question, value, note, evidence,"
        " confidential, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (respondent, questionnaire, question) DO UPDATE SET"
        " value = excluded.value, note = excluded.note, evidence = excluded.evidence,"
        " confidential = excluded.confidential, updated_by = excluded.updated_by,"
        " updated_at = excluded.updated_at",
        (*key, *state),
    )
    if row is None:
        tally.added["answer"] += 1
    else:
        tally.changed["answer"] += 1


def _set_consolidated(conn: sqlite3.Connection, entry: HistoryEntry, tally: _Tally) -> None:
    key = (entry.questionnaire, entry.question)
    where = " WHERE questionnaire = ? AND question = ?"
    row = conn.execute(
        "SELECT value, rationale, updated_by, updated_at FROM consolidated" + where, key
    ).fetchone()
    if entry.new_value is None:
        if row is not None:
            conn.execute("DELETE FROM consolidated" + where, key)
            tally.changed["consolidated"] += 1
        return
    state = (entry.new_value, str(entry.details().get("rationale", "")), entry.by, entry.at)
    if row is not None and tuple(row) == state:
        return
    conn.execute(
        "INSERT INTO consolidated (questionnaire, question, value, rationale, updated_by,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (questionnaire, question)"
        " DO UPDATE SET value = excluded.value, rationale = excluded.rationale,"
        " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        (*key, *state),
    )
    if row is None:
        tally.added["consolidated"] += 1
    else:
        tally.changed["consolidated"] += 1


def _set_respondent(
    conn: sqlite3.Connection, entry: HistoryEntry, created_at: str, tally: _Tally
) -> None:
    details = entry.value
    if not isinstance(details, dict):
        return  # respondents are never removed: a respondent entry always holds details
    row = conn.execute(
        "SELECT institution_type, sector, interview_date, interviewer, consent, created_at,"
        " updated_at FROM respondents WHERE code = ?",
        (entry.respondent,),
    ).fetchone()
    state = (
        str(details.get("institution_type", "")),
        str(details.get("sector", "")),
        details.get("interview_date"),
        str(details.get("interviewer", "")),
        int(bool(details.get("consent", False))),
        # The first time any copy added the respondent: the same in every merge order.
        created_at,
        entry.at,
    )
    if row is not None and tuple(row) == state:
        return
    conn.execute(
        "INSERT INTO respondents (code, institution_type, sector, interview_date, interviewer,"
        " consent, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (code) DO UPDATE SET institution_type = excluded.institution_type,"
        " sector = excluded.sector, interview_date = excluded.interview_date,"
        " interviewer = excluded.interviewer, consent = excluded.consent,"
        " created_at = excluded.created_at, updated_at = excluded.updated_at",
        (entry.respondent, *state),
    )
    if row is None:
        tally.added["respondent"] += 1
    else:
        tally.changed["respondent"] += 1


def merge(
    into: Mission,
    sources: Sequence[Mission],
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    names: Sequence[str] = (),
) -> MergeResult:
    """Merge the copies ``sources`` into the mission ``into``, in one transaction.

    ``names`` name the missions in messages (``into`` first, then each source; their paths
    by default). With ``dry_run`` the merge is worked out and reported but not kept.

    Raises
    ------
    JoinError
        ``MISSION_MISMATCH`` for a source of another mission (another uuid) and
        ``VERSION_MISMATCH`` for one with other questionnaire versions: every problem is
        listed and nothing is written.
    """
    labels = list(names) or [str(into.path), *(str(source.path) for source in sources)]
    info = into.info
    problems = []
    for label, source in zip(labels[1:], sources, strict=True):
        problems += check_joinable(labels[0], info, label, source.info)
    if problems:
        raise JoinError(problems, summary=f"cannot merge into {labels[0]}")
    entries = [entry for source in sources for entry in source.history_entries()]
    counts = into.receive_history(entries, dry_run=dry_run, progress=progress)
    return MergeResult(labels[0], tuple(labels[1:]), counts, dry_run)


def merge_missions(
    into: str | Path,
    sources: Sequence[str | Path],
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> MergeResult:
    """Open the mission ``into`` and its copies ``sources`` and :func:`merge` them."""
    from assessment_kit.store.mission import Mission

    opened: list[Mission] = []
    try:
        for location in (into, *sources):
            opened.append(Mission.open(location))
        names = [str(location) for location in (into, *sources)]
        return merge(opened[0], opened[1:], dry_run=dry_run, progress=progress, names=names)
    finally:
        for mission in opened:
            mission.close()
