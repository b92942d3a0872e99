"""The store's writes, each inside a transaction the caller holds: every one checks what it
writes and appends its change to the history. :class:`~assessment_kit.store.mission.Mission`
(one write, one transaction) and :class:`~assessment_kit.store.batch.Batch` (many writes,
one transaction) both write through these, so the two cannot drift apart."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from assessment_kit.errors import AnswerError, Code, Problem
from assessment_kit.questionnaire.model import AnswerValue
from assessment_kit.store.connection import Connection
from assessment_kit.store.records import (
    CONSOLIDATED,
    Answer,
    ConsolidatedAnswer,
    Respondent,
    date_text,
)
from assessment_kit.store.schema import new_uuid
from assessment_kit.store.values import check_text, decode_value, encode_value

__all__ = [
    "HistoryKind",
    "Lineage",
    "check_code",
    "check_institution_type",
    "checked_respondent",
    "in_conflict",
    "item_lineage",
    "put_answer",
    "put_consolidated",
    "record_history",
    "respondent_json",
    "stored_values",
    "tips",
]

HistoryKind = Literal["answer", "consolidated", "respondent", "sections"]

#: Unicode categories a respondent code may not hold: controls, formats (zero-width
#: characters, direction marks), surrogates, line and paragraph separators.
INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def check_code(code: str) -> None:
    """Refuse a respondent code that is empty, names the consolidated answers (in any case:
    answers files accept the word so), or holds a control or invisible character (a code is
    shown, typed and matched in files; SQLite's length() also stops at a NUL)."""
    if not code or code.casefold() == CONSOLIDATED:
        detail = f"{code!r} cannot be a respondent code"
        fix = "choose a non-empty pseudonymous code other than 'consolidated'"
    elif any(unicodedata.category(ch) in INVISIBLE for ch in code):
        detail = f"respondent code {code!r} holds a control or invisible character"
        fix = "use letters, digits, hyphens and underscores, e.g. 'PROS-01'"
    else:
        return
    problem = Problem.make(Code.BAD_VALUE, path="respondent", detail=detail, fix=fix)
    raise AnswerError([problem])


def check_institution_type(known: Mapping[str, str], code: str, institution_type: str) -> None:
    """Refuse an institution type the mission's questionnaires do not define (``known``:
    id -> sector; an empty mapping accepts any)."""
    if known and institution_type not in known:
        raise AnswerError(
            [
                Problem.make(
                    Code.UNKNOWN_RESPONDENT_TYPE,
                    path=code,
                    type=institution_type,
                    known=", ".join(known),
                )
            ]
        )


def respondent_json(respondent: Respondent) -> str:
    """A respondent's details as the history records them."""
    return json.dumps(
        {
            "institution_type": respondent.institution_type,
            "sector": respondent.sector,
            "interview_date": date_text(respondent.interview_date),
            "interviewer": respondent.interviewer,
            "consent": respondent.consent,
        },
        ensure_ascii=False,
    )


def record_history(
    conn: Connection,
    kind: HistoryKind,
    respondent: str | None,
    questionnaire: str | None,
    question: str | None,
    old_value: str | None,
    new_value: str | None,
    detail: str | None,
    by: str,
    at: str,
) -> None:
    """Append one change to the history (append-only: triggers refuse edits).

    The entry gets a new uuid; its parent is the item's current entry and it settles any
    conflict the item is in (the other tips become ``resolved``), so it is the item's one
    tip afterwards.
    """
    parent, resolved = follow(tips(item_lineage(conn, kind, respondent, questionnaire, question)))
    conn.execute(
        "INSERT INTO history (kind, respondent, questionnaire, question, old_value, new_value,"
        ' detail, "by", at, uuid, parent, resolved) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        (
            kind,
            respondent,
            questionnaire,
            question,
            old_value,
            new_value,
            detail,
            by,
            at,
            new_uuid(),
            parent,
            resolved,
        ),
    )


@dataclass(frozen=True, slots=True)
class Lineage:
    """Where a history entry stands among the changes of its item: its uuid, time,
    parent and the entries it settled (see schema 4 in :mod:`~assessment_kit.store.schema`)."""

    uuid: str
    at: str
    parent: str | None
    resolved: str | None

    def superseded(self) -> list[str]:
        """The entries this one follows: its parent and those it resolved."""
        named = [] if self.parent is None else [self.parent]
        return named + ([] if self.resolved is None else self.resolved.split())


def tips(entries: Iterable[Lineage]) -> list[Lineage]:
    """The entries of one item that no other entry follows, the current one first.

    The current one is the latest by time, ties broken by uuid, so every copy that holds
    the same entries picks the same one whatever order they arrived in. More than one tip
    is a conflict: changes made apart since the copies last met.
    """
    entries = list(entries)
    followed = {name for entry in entries for name in entry.superseded()}
    heads = [entry for entry in entries if entry.uuid not in followed]
    return sorted(heads, key=lambda entry: (entry.at, entry.uuid), reverse=True)


def follow(heads: Sequence[Lineage]) -> tuple[str | None, str | None]:
    """The ``parent`` and ``resolved`` of a new entry of an item whose tips are ``heads``
    (current first): it follows the current one and settles the others."""
    parent = heads[0].uuid if heads else None
    return parent, " ".join(sorted(head.uuid for head in heads[1:])) or None


# The entries of one item by kind; each names its NULL keys literally (portable SQL).
_LINEAGE_SQL: dict[str, str] = {
    "answer": "kind = 'answer' AND respondent = ? AND questionnaire = ? AND question = ?",
    "consolidated": (
        "kind = 'consolidated' AND respondent IS NULL AND questionnaire = ? AND question = ?"
    ),
    "respondent": (
        "kind = 'respondent' AND respondent = ? AND questionnaire IS NULL AND question IS NULL"
    ),
    "sections": (
        "kind = 'sections' AND respondent IS NULL AND questionnaire = ? AND question IS NULL"
    ),
}


def in_conflict(
    conn: Connection,
    kind: HistoryKind,
    respondent: str | None,
    questionnaire: str | None,
    question: str | None,
) -> bool:
    """Whether the item was changed in two copies since they last met and not set since:
    setting it again, even to the value it holds, settles the conflict."""
    return len(tips(item_lineage(conn, kind, respondent, questionnaire, question))) > 1


def item_lineage(
    conn: Connection,
    kind: HistoryKind,
    respondent: str | None,
    questionnaire: str | None,
    question: str | None,
) -> list[Lineage]:
    """Every history entry of one respondent, answer, consolidated answer or instrument's
    sections."""
    keys = [key for key in (respondent, questionnaire, question) if key is not None]
    rows = conn.execute(
        f"SELECT uuid, at, parent, resolved FROM history WHERE {_LINEAGE_SQL[kind]}", keys
    ).fetchall()
    return [Lineage(*row) for row in rows]


def checked_respondent(
    code: str,
    *,
    institution_type: str,
    sector: str,
    interview_date: date | None,
    interviewer: str,
    consent: bool,
    known_types: Mapping[str, str],
) -> Respondent:
    """A new respondent, checked (code, texts, institution type), as the store adds it.

    ``known_types`` are the mission's institution types (id -> sector); ``sector``
    defaults to the one they give. Whether the code is taken is asked when it is written
    (:func:`.bulk.put_interviews`).
    """
    code = code.strip()
    check_code(code)
    for label, text in (("respondent code", code), ("interviewer", interviewer)):
        check_text(label, text, path=code)
    check_text("sector", sector, path=code)
    check_institution_type(known_types, code, institution_type)
    return Respondent(
        code=code,
        institution_type=institution_type,
        sector=sector or known_types.get(institution_type, ""),
        interview_date=interview_date,
        interviewer=interviewer,
        consent=bool(consent),
    )


def stored_values(
    conn: Connection,
    respondent: str | None,
    questionnaire: str,
    questions: frozenset[str] | None = None,
) -> dict[str, AnswerValue | None]:
    """A respondent's stored values in one questionnaire by question id (the consolidated
    answers when ``respondent`` is None): what a constraint sees. ``questions`` limits the
    values decoded to those ids (a constraint reads a few answers, not the respondent's
    hundreds)."""
    if respondent is None:
        rows = conn.execute(
            "SELECT question, value FROM consolidated WHERE questionnaire = ?",
            (questionnaire,),
        ).fetchall()
    else:
        rows = conn.execute(
            "SELECT question, value FROM answers WHERE respondent = ? AND questionnaire = ?",
            (respondent, questionnaire),
        ).fetchall()
    return {
        question: decode_value(value)
        for question, value in rows
        if questions is None or question in questions
    }


def put_answer(conn: Connection, answer: Answer) -> Answer:
    """Write a validated answer inside the caller's transaction (no-op when unchanged,
    unless the answer is in conflict: setting it again settles the conflict)."""
    check_text("note", answer.note, path=answer.question)
    check_text("evidence", answer.evidence, path=answer.question)
    key = (answer.respondent, answer.questionnaire, answer.question)
    row = conn.execute(
        "SELECT value, note, evidence, confidential, updated_by, updated_at FROM answers"
        " WHERE respondent = ? AND questionnaire = ? AND question = ?",
        key,
    ).fetchone()
    new_value = encode_value(answer.value)
    detail = json.dumps(
        {"note": answer.note, "evidence": answer.evidence, "confidential": answer.confidential},
        ensure_ascii=False,
    )
    if (
        row is not None
        and (row[0], row[1], row[2], bool(row[3]))
        == (new_value, answer.note, answer.evidence, answer.confidential)
        and not in_conflict(conn, "answer", *key)
    ):
        return Answer(*key, decode_value(row[0]), row[1], row[2], bool(row[3]), row[4], row[5])
    conn.execute(
        "INSERT INTO answers (respondent, questionnaire, question, value, note, evidence,"
        " confidential, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (respondent, questionnaire, question) DO UPDATE SET"
        " value = excluded.value, note = excluded.note, evidence = excluded.evidence,"
        " confidential = excluded.confidential, updated_by = excluded.updated_by,"
        " updated_at = excluded.updated_at",
        (
            *key,
            new_value,
            answer.note,
            answer.evidence,
            int(answer.confidential),
            answer.updated_by,
            answer.updated_at,
        ),
    )
    record_history(
        conn,
        "answer",
        *key,
        None if row is None else row[0],
        new_value,
        detail,
        answer.updated_by,
        answer.updated_at,
    )
    return answer


def put_consolidated(conn: Connection, answer: ConsolidatedAnswer) -> ConsolidatedAnswer:
    """Write a validated consolidated answer inside the caller's transaction (no-op when
    unchanged, unless it is in conflict: setting it again settles the conflict)."""
    check_text("rationale", answer.rationale, path=answer.question)
    key = (answer.questionnaire, answer.question)
    row = conn.execute(
        "SELECT value, rationale, updated_by, updated_at FROM consolidated"
        " WHERE questionnaire = ? AND question = ?",
        key,
    ).fetchone()
    new_value = encode_value(answer.value)
    if (
        row is not None
        and (row[0], row[1]) == (new_value, answer.rationale)
        and not in_conflict(conn, "consolidated", None, *key)
    ):
        return ConsolidatedAnswer(*key, decode_value(row[0]), row[1], row[2], row[3])
    conn.execute(
        "INSERT INTO consolidated (questionnaire, question, value, rationale, updated_by,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (questionnaire, question)"
        " DO UPDATE SET value = excluded.value, rationale = excluded.rationale,"
        " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        (*key, new_value, answer.rationale, answer.updated_by, answer.updated_at),
    )
    record_history(
        conn,
        "consolidated",
        None,
        *key,
        None if row is None else row[0],
        new_value,
        json.dumps({"rationale": answer.rationale}, ensure_ascii=False),
        answer.updated_by,
        answer.updated_at,
    )
    return answer
