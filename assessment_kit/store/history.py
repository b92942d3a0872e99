"""The append-only history of every change: read as a table, as entries (with their global
identity, for merging copies of a mission), and the conflicts it holds."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from assessment_kit.store.base import MissionBase, object_frame
from assessment_kit.store.writes import HistoryKind, Lineage, tips

__all__ = ["ENTRY_COLUMNS", "Conflict", "HistoryEntry", "HistoryMixin", "Item", "conflicts_among"]

#: Which respondent, answer or consolidated answer an entry changes: (kind, respondent,
#: questionnaire, question), None where the kind has no such key.
Item = tuple[str, str | None, str | None, str | None]


def _decode(text: str | None) -> Any:
    if text is None:
        return None
    loaded: Any = json.loads(text)
    return tuple(loaded) if isinstance(loaded, list) else loaded


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One change as the history holds it, its texts as stored (JSON or None).

    ``uuid`` is the entry's identity in every copy of the mission; ``parent`` the entry
    that was current for the same item when the change was made; ``resolved`` the other
    entries, in conflict with the parent, that the change settled (space-separated).
    """

    uuid: str
    kind: HistoryKind
    respondent: str | None
    questionnaire: str | None
    question: str | None
    old_value: str | None
    new_value: str | None
    detail: str | None
    by: str
    at: str
    parent: str | None
    resolved: str | None

    @property
    def item(self) -> Item:
        """The respondent, answer or consolidated answer this entry changes."""
        return (self.kind, self.respondent, self.questionnaire, self.question)

    @property
    def lineage(self) -> Lineage:
        """Where the entry stands among its item's changes."""
        return Lineage(self.uuid, self.at, self.parent, self.resolved)

    @property
    def value(self) -> Any:
        """The value after the change, decoded (None: cleared)."""
        return _decode(self.new_value)

    def row(self) -> tuple[str | None, ...]:
        """The entry's fields in the order of :data:`ENTRY_COLUMNS`."""
        return (
            self.uuid, self.kind, self.respondent, self.questionnaire, self.question,
            self.old_value, self.new_value, self.detail, self.by, self.at, self.parent,
            self.resolved,
        )  # fmt: skip

    def details(self) -> dict[str, Any]:
        """The note, evidence and confidential flag (an answer) or the rationale
        (consolidated) after the change; empty when cleared."""
        loaded: Any = json.loads(self.detail) if self.detail else {}
        return loaded if isinstance(loaded, dict) else {}


@dataclass(frozen=True, slots=True)
class Conflict:
    """An item changed in two copies of the mission since they last met: ``current`` is
    the change now in force (the later one), ``kept`` the others, kept in the history.
    Listed until someone sets the item again."""

    current: HistoryEntry
    kept: tuple[HistoryEntry, ...]

    @property
    def item(self) -> Item:
        """The respondent, answer or consolidated answer in conflict."""
        return self.current.item

    def describe(self) -> str:
        """``R1 survey.law: 'yes' (ana, 2026-11-30 10:02) over 'no' (ben, ...)``."""
        entry = self.current
        if entry.kind == "respondent":
            where = f"respondent {entry.respondent}"
        elif entry.kind == "sections":
            where = f"sections of {entry.questionnaire}"
        else:
            who = "consolidated" if entry.respondent is None else entry.respondent
            where = f"{who} {entry.questionnaire}.{entry.question}"
        sides = [_side(side) for side in (self.current, *self.kept)]
        return f"{where}: {sides[0]} over {', '.join(sides[1:])}"


def _side(entry: HistoryEntry) -> str:
    if entry.kind == "sections":
        chosen = entry.value
        value = ", ".join(map(str, chosen)) if isinstance(chosen, (list, tuple)) else "all"
    else:
        value = "cleared" if entry.new_value is None else repr(entry.value)
    when = entry.at.replace("T", " ")[:16]
    who = f"{entry.by}, " if entry.by else ""
    return f"{value} ({who}{when})"


def conflicts_among(entries: Iterable[HistoryEntry]) -> list[Conflict]:
    """The conflicts the given entries hold: every item with more than one tip, where the
    tips differ."""
    by_item: dict[Item, list[HistoryEntry]] = {}
    for entry in entries:
        by_item.setdefault(entry.item, []).append(entry)
    found = []
    for item_entries in by_item.values():
        if len(item_entries) < 2:
            continue
        known = {entry.uuid: entry for entry in item_entries}
        heads = [known[head.uuid] for head in tips(entry.lineage for entry in item_entries)]
        # Copies that made the same change apart (same value, note, evidence, flag or
        # rationale) leave nothing to settle: not listed, though both entries are kept.
        if len({(head.new_value, head.detail) for head in heads}) > 1:
            found.append(Conflict(heads[0], tuple(heads[1:])))
    found.sort(key=lambda conflict: tuple(key or "" for key in conflict.item))
    return found


#: The history's columns in the order of :class:`HistoryEntry`'s fields.
ENTRY_COLUMNS = (
    'uuid, kind, respondent, questionnaire, question, old_value, new_value, detail, "by", at,'
    " parent, resolved"
)


class HistoryMixin(MissionBase):
    """The mission's history (written by every change; triggers keep it append-only)."""

    def history_frame(self) -> pd.DataFrame:
        """The append-only history, oldest first.

        Columns: id, kind ('answer' | 'consolidated' | 'respondent'), respondent,
        questionnaire, question, old_value, new_value (decoded; None when absent), by, at.
        """

        rows = self._query(
            'SELECT id, kind, respondent, questionnaire, question, old_value, new_value, "by",'
            " at FROM history ORDER BY id"
        )
        records = [
            {
                **dict(row),
                "old_value": _decode(row["old_value"]),
                "new_value": _decode(row["new_value"]),
            }
            for row in rows
        ]
        columns = [
            "id", "kind", "respondent", "questionnaire", "question", "old_value", "new_value",
            "by", "at",
        ]  # fmt: skip
        return object_frame(records, columns, objects=("old_value", "new_value"))

    def history_entries(
        self, questionnaire: str | None = None, question: str | None = None
    ) -> list[HistoryEntry]:
        """Every history entry (or those of one questionnaire, or one question), in the
        order this copy received them, with their global identities."""
        sql = f"SELECT {ENTRY_COLUMNS} FROM history"
        params: Sequence[str] = ()
        if questionnaire is not None and question is not None:
            sql, params = (
                sql + " WHERE questionnaire = ? AND question = ?",
                (questionnaire, question),
            )
        elif questionnaire is not None:
            sql, params = sql + " WHERE questionnaire = ?", (questionnaire,)
        with self._lock, self._reading():
            rows = self._db.execute(sql + " ORDER BY id", tuple(params)).fetchall()
        return [HistoryEntry(*row) for row in rows]

    def conflicts(
        self, questionnaire: str | None = None, question: str | None = None
    ) -> list[Conflict]:
        """The changes made in two copies of the mission since they last met, still in
        conflict (of one questionnaire or question when given): each until someone sets
        that answer, consolidated answer or respondent again."""
        return conflicts_among(self.history_entries(questionnaire, question))
