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
- two tips or more that differ are a conflict: the item was changed in two copies since
  they last met. The later change is current, the others stay in the history, and it is
  listed (:meth:`Mission.conflicts <assessment_kit.store.history.HistoryMixin.conflicts>`)
  until someone sets the item again (that change follows every tip).

A merge is one transaction: killed in the middle, the mission is left as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assessment_kit.errors import Code, JoinError, Problem
from assessment_kit.store.connection import Connection, target_name
from assessment_kit.store.history import (
    ENTRY_COLUMNS,
    Conflict,
    HistoryEntry,
    HistoryMixin,
    conflicts_among,
)
from assessment_kit.store.records import MissionInfo
from assessment_kit.store.writes import Lineage, tips

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

#: A row of the history or of a current table, as the database gives it.
Row = tuple[Any, ...]

#: Called as ``progress(stage, done, total)`` while a merge runs (inside its transaction).
Progress = Callable[[str, int, int], None]


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
    #: Instruments whose chosen sections changed.
    sections_changed: int = 0
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
            f"{_count(c.history_added, 'history entry', 'history entries')}, "
            f"{_count(c.respondents_added, 'respondent')}, {_count(c.answers_added, 'answer')}, "
            f"{_count(c.consolidated_added, 'consolidated answer')} added; "
            f"{_count(c.respondents_changed, 'respondent')}, "
            f"{_count(c.answers_changed, 'answer')}, "
            f"{_count(c.consolidated_changed, 'consolidated answer')} changed"
            + (
                f"; the sections of {_count(c.sections_changed, 'instrument')} changed"
                if c.sections_changed
                else ""
            ),
            _count(len(c.conflicts), "conflict"),
        ]
        lines += [f"  conflict: {conflict.describe()}" for conflict in c.conflicts]
        if self.dry_run:
            lines.append("dry run: nothing was written")
        return "\n".join(lines)


def _count(n: int, one: str, many: str = "") -> str:
    """``"1 answer"``, ``"3 answers"``, ``"1,000 history entries"``."""
    return f"{n:,} {one if n == 1 else many or one + 's'}"


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
    conn: Connection, offered: list[HistoryEntry], progress: Progress | None
) -> MergeCounts:
    # Entries are handled as rows (ENTRY_COLUMNS: uuid, kind, respondent, questionnaire,
    # question, ..., at, parent, resolved), keyed by item (row[1:5]): a merge meets tens of
    # thousands, and only the entries that decide an item become records.
    held = conn.execute(f"SELECT {ENTRY_COLUMNS} FROM history").fetchall()
    known = {row[0] for row in held}
    new: dict[str, Row] = {}
    for entry in offered:
        if entry.uuid not in known and entry.uuid not in new:
            new[entry.uuid] = entry.row()
    # A deterministic order for the local ids, whatever order the copies came in.
    arriving = sorted(new.values(), key=lambda row: (row[9], row[0]))
    total = len(arriving)
    if progress is not None:
        progress("adding history entries", 0, total)
    conn.executemany(
        f"INSERT INTO history ({ENTRY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (uuid) DO NOTHING",
        arriving,
    )
    by_item: dict[Row, list[Row]] = {}
    for row in (*held, *arriving):
        by_item.setdefault(row[1:5], []).append(row)
    touched = {row[1:5] for row in arriving}
    if progress is not None:
        progress("setting current answers", 0, len(touched))
    added = dict.fromkeys(_TABLES, 0)
    changed = dict.fromkeys(_TABLES, 0)
    done = 0
    # Kind by kind (respondents before the answers that refer to them), in chunks: one
    # read of each table, then the rows to write and remove many at a time.
    for kind, table in _TABLES.items():
        items = sorted(
            (item for item in touched if item[0] == kind),
            key=lambda item: tuple(key or "" for key in item[1:]),
        )
        rows = table.current(conn)
        for start in range(0, len(items), _CHUNK):
            upserts, deletes = [], []
            for item in items[start : start + _CHUNK]:
                entries = by_item[item]
                key, wanted = table.state(_current_entry(entries), entries)
                row = rows.get(key)
                if wanted is None:
                    if row is not None and table.removable:
                        deletes.append(key)
                        changed[kind] += 1
                elif row != wanted:
                    upserts.append(table.row_params(key, wanted))
                    added[kind] += row is None
                    changed[kind] += row is not None
            conn.executemany(table.upsert, upserts)
            conn.executemany(table.delete, deletes)
            done += len(items[start : start + _CHUNK])
            if progress is not None:
                progress("setting current answers", done, len(touched))
    # Only an item with two entries or more can be in conflict.
    shared = [HistoryEntry(*row) for rows in by_item.values() if len(rows) > 1 for row in rows]
    return MergeCounts(
        history_added=total,
        respondents_added=added["respondent"],
        respondents_changed=changed["respondent"],
        answers_added=added["answer"],
        answers_changed=changed["answer"],
        consolidated_added=added["consolidated"],
        consolidated_changed=changed["consolidated"],
        sections_changed=changed["sections"],
        conflicts=tuple(conflicts_among(shared)),
    )


#: Items set per statement batch (and per progress step).
_CHUNK = 500


def _current_entry(entries: list[Row]) -> HistoryEntry:
    """The entry in force for an item, from its entries' rows: its latest tip."""
    if len(entries) == 1:
        return HistoryEntry(*entries[0])
    known = {row[0]: row for row in entries}
    heads = tips(Lineage(row[0], row[9], row[10], row[11]) for row in entries)
    return HistoryEntry(*known[heads[0].uuid])


def _answer_state(entry: HistoryEntry, entries: list[Row]) -> tuple[Row, Row | None]:
    key = (entry.respondent, entry.questionnaire, entry.question)
    if entry.new_value is None:
        return key, None
    details = entry.details()
    return key, (
        entry.new_value,
        str(details.get("note", "")),
        str(details.get("evidence", "")),
        int(bool(details.get("confidential", False))),
        entry.by,
        entry.at,
    )


def _consolidated_state(entry: HistoryEntry, entries: list[Row]) -> tuple[Row, Row | None]:
    key = (entry.questionnaire, entry.question)
    if entry.new_value is None:
        return key, None
    return key, (entry.new_value, str(entry.details().get("rationale", "")), entry.by, entry.at)


def _respondent_state(entry: HistoryEntry, entries: list[Row]) -> tuple[Row, Row | None]:
    details = entry.value
    if not isinstance(details, dict):
        # Respondents are never removed: their entries always hold details. Should one
        # not, the row is left as it is rather than guessed.
        return (entry.respondent,), None
    return (entry.respondent,), (
        str(details.get("institution_type", "")),
        str(details.get("sector", "")),
        details.get("interview_date"),
        str(details.get("interviewer", "")),
        int(bool(details.get("consent", False))),
        # The first time any copy added the respondent: the same in every merge order.
        min(str(row[9]) for row in entries),
        entry.at,
    )


def _sections_state(entry: HistoryEntry, entries: list[Row]) -> tuple[Row, Row | None]:
    # The instrument is in both copies (merging checks they hold the same instruments);
    # its row is only ever updated, to the list of sections or NULL for all of them.
    return (entry.questionnaire,), (None if entry.new_value == "null" else entry.new_value,)


@dataclass(frozen=True, slots=True)
class _Table:
    """How the current rows of one kind of item are read and written."""

    name: str
    keys: tuple[str, ...]
    columns: tuple[str, ...]
    #: (the item's current entry, all its entries' rows) -> its key and row (None: none).
    state: Callable[[HistoryEntry, list[Row]], tuple[Row, Row | None]]
    #: Whether an item cleared in its history is removed (respondents never are).
    removable: bool = True
    #: Whether the item's row always exists and is only updated (an instrument's sections).
    update_only: bool = False

    def current(self, conn: Connection) -> dict[Row, Row]:
        n = len(self.keys)
        rows = conn.execute(f"SELECT {', '.join(self.keys + self.columns)} FROM {self.name}")
        return {tuple(row[:n]): tuple(row[n:]) for row in rows}

    @property
    def upsert(self) -> str:
        if self.update_only:  # parameters: see row_params
            where = " AND ".join(f"{key} = ?" for key in self.keys)
            sets = ", ".join(f"{column} = ?" for column in self.columns)
            return f"UPDATE {self.name} SET {sets} WHERE {where}"
        names = self.keys + self.columns
        marks = ", ".join("?" for _ in names)
        updates = ", ".join(f"{column} = excluded.{column}" for column in self.columns)
        return (
            f"INSERT INTO {self.name} ({', '.join(names)}) VALUES ({marks})"
            f" ON CONFLICT ({', '.join(self.keys)}) DO UPDATE SET {updates}"
        )

    def row_params(self, key: Row, row: Row) -> Row:
        """The parameters of :attr:`upsert` for the item ``key`` set to ``row``."""
        return (*row, *key) if self.update_only else (*key, *row)

    @property
    def delete(self) -> str:
        where = " AND ".join(f"{key} = ?" for key in self.keys)
        return f"DELETE FROM {self.name} WHERE {where}"


_RESPONDENT_COLUMNS = (
    "institution_type", "sector", "interview_date", "interviewer", "consent", "created_at",
    "updated_at",
)  # fmt: skip

_TABLES = {
    "respondent": _Table(
        "respondents",
        ("code",),
        _RESPONDENT_COLUMNS,
        _respondent_state,
        removable=False,
    ),
    "consolidated": _Table(
        "consolidated",
        ("questionnaire", "question"),
        ("value", "rationale", "updated_by", "updated_at"),
        _consolidated_state,
    ),
    "answer": _Table(
        "answers",
        ("respondent", "questionnaire", "question"),
        ("value", "note", "evidence", "confidential", "updated_by", "updated_at"),
        _answer_state,
    ),
    "sections": _Table(
        "instruments", ("id",), ("sections",), _sections_state, removable=False, update_only=True
    ),
}


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
    labels = list(names) or [into.location, *(source.location for source in sources)]
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
        names = [target_name(location) for location in (into, *sources)]
        return merge(opened[0], opened[1:], dry_run=dry_run, progress=progress, names=names)
    finally:
        for mission in opened:
            mission.close()
