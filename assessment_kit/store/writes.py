"""The store's writes, each inside a transaction the caller holds: every one checks what it
writes and appends its change to the history. :class:`~assessment_kit.store.mission.Mission`
(one write, one transaction) and :class:`~assessment_kit.store.batch.Batch` (many writes,
one transaction) both write through these, so the two cannot drift apart."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from operator import itemgetter
from typing import Literal

from assessment_kit.errors import AnswerError, Code, Problem
from assessment_kit.questionnaire.model import AnswerValue
from assessment_kit.store.connection import Connection
from assessment_kit.store.records import (
    CONSOLIDATED,
    Answer,
    CheckedAnswer,
    CheckedAnswers,
    ConsolidatedAnswer,
    Respondent,
    date_text,
)
from assessment_kit.store.schema import new_uuid, new_uuids
from assessment_kit.store.values import check_text, decode_value, encode_value

__all__ = [
    "HistoryKind",
    "Lineage",
    "check_code",
    "check_institution_type",
    "checked_respondent",
    "in_conflict",
    "insert_respondent",
    "item_lineage",
    "put_answer",
    "put_consolidated",
    "put_interviews",
    "record_history",
    "respondent_json",
    "stored_values",
    "tips",
]

HistoryKind = Literal["answer", "consolidated", "respondent"]

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
    """Every history entry of one respondent, answer or consolidated answer."""
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
    (:func:`put_interviews`).
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


def insert_respondent(
    conn: Connection,
    code: str,
    *,
    institution_type: str,
    sector: str,
    interview_date: date | None,
    interviewer: str,
    consent: bool,
    known_types: Mapping[str, str],
    by: str,
    now: str,
) -> Respondent:
    """Add a respondent (checked: code, texts, institution type, not a duplicate).

    ``known_types`` are the mission's institution types (id -> sector); ``sector``
    defaults to the one they give.
    """
    respondent = checked_respondent(
        code,
        institution_type=institution_type,
        sector=sector,
        interview_date=interview_date,
        interviewer=interviewer,
        consent=consent,
        known_types=known_types,
    )
    put_interviews(conn, [respondent], by=by, now=now)
    return respondent


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


_INSERT_RESPONDENT = (
    "INSERT INTO respondents (code, institution_type, sector, interview_date, interviewer,"
    " consent, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_UPSERT_ANSWER = (
    "INSERT INTO answers (respondent, questionnaire, question, value, note, evidence,"
    " confidential, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (respondent, questionnaire, question) DO UPDATE SET"
    " value = excluded.value, note = excluded.note, evidence = excluded.evidence,"
    " confidential = excluded.confidential, updated_by = excluded.updated_by,"
    " updated_at = excluded.updated_at"
)
_INSERT_HISTORY = (
    "INSERT INTO history (kind, respondent, questionnaire, question, old_value, new_value,"
    ' detail, "by", at, uuid, parent, resolved) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'
)
# The same statements for what most of an import writes: an answer without note, evidence
# or confidentiality, and the first entry of an item (no old value, parent or settled
# entries), with those columns written out, as binding parameters is a good part of the
# cost of an insert (a fifth of the history's).
_UPSERT_PLAIN_ANSWER = _UPSERT_ANSWER.replace(
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", "VALUES (?, ?, ?, ?, '', '', 0, ?, ?)"
)
_INSERT_FIRST_ENTRY = _INSERT_HISTORY.replace(
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "VALUES ('answer', ?, ?, ?, NULL, ?, ?, ?, ?, ?, NULL, NULL)",
)
#: A history row's statement by the row's length (first entries of answers are short).
_HISTORY_BY_LENGTH = {12: _INSERT_HISTORY, 8: _INSERT_FIRST_ENTRY}

#: The flags of an answer without note, evidence or confidentiality (most of an import's).
_PLAIN = ("", "", False)
_PLAIN_DETAIL = json.dumps({"note": "", "evidence": "", "confidential": False})
_ANSWER_KEY = itemgetter(0, 1, 2)
#: The new value, detail and uuid of a history row, by the row's length.
_FOLLOWED = {12: itemgetter(5, 6, 9), 8: itemgetter(3, 4, 7)}

#: Keys asked at once in an ``IN (...)`` (under SQLite's oldest limit of 999 parameters).
_CHUNK = 500


#: What :func:`put_interviews` writes.
Interviews = Sequence[Respondent | CheckedAnswer | CheckedAnswers]

#: One answer as :func:`put_interviews` reads it: respondent, questionnaire, question,
#: value, note, evidence, confidential.
_AnswerRow = tuple[str, str, str, AnswerValue, str, str, bool]


def _entries(items: Interviews) -> Iterator[Respondent | _AnswerRow]:
    """The items one history entry at a time: respondents, and answers as rows."""
    for item in items:
        if isinstance(item, CheckedAnswers):
            respondent, questionnaire = item.respondent, item.questionnaire
            for question, value in item.values.items():
                yield (respondent, questionnaire, question, value, "", "", False)
        elif isinstance(item, CheckedAnswer):
            yield (item.respondent, item.questionnaire, item.question, item.value, item.note,
                   item.evidence, item.confidential)  # fmt: skip
        else:
            yield item


def put_interviews(
    conn: Connection,
    items: Interviews,
    *,
    by: str,
    now: str,
) -> int:
    """Add respondents and write answers, many at once, inside the caller's transaction:
    the store's one bulk write, for an import of thousands of interviews.

    ``items`` are written in their order, and their history entries get it, each by
    ``by`` at ``now``: a :class:`Respondent` (checked by :func:`checked_respondent`;
    refused when its code is taken) is added; a :class:`CheckedAnswer` (its value
    validated by the caller, its respondent stored or added before it), or each answer of
    a :class:`CheckedAnswers`, is written as :func:`put_answer` writes one: an unchanged
    answer is left alone unless it is in conflict, and every change has its history
    entry, following the item's current one. A respondent added here has no history yet,
    so its answers' lineage is not read; answers of respondents already stored are read
    per respondent and questionnaire. One statement per table, its rows in the table's
    key order. Returns how many answers were written.
    """
    added = [item.code for item in items if isinstance(item, Respondent)]
    _refuse_taken(conn, added)
    new = frozenset(added)
    asked: dict[tuple[str, str], set[str]] = {}
    count = 0
    for item in items:
        if isinstance(item, CheckedAnswers):
            count += len(item.values)
            if item.respondent not in new:
                asked.setdefault((item.respondent, item.questionnaire), set()).update(item.values)
            continue
        count += 1
        if isinstance(item, CheckedAnswer) and item.respondent not in new:
            asked.setdefault((item.respondent, item.questionnaire), set()).add(item.question)
    stored_rows, lineages = _stored_answers(conn, asked)
    # The answers written earlier in this call: key -> their entry's place in ``history``.
    written: dict[tuple[str, str, str], int] = {}
    repeated = False
    # Random uuids, given in ascending order to the entries of this call: the unique
    # index on them is then filled page by page instead of at a random page per entry
    # (a third of the history's insert time). Order among entries is by id and time, and
    # one call makes at most one tip of an item, so nothing reads meaning into it.
    uuids = sorted(new_uuids(count))
    encoded: dict[tuple[type, AnswerValue], str] = {}
    details: dict[tuple[str, str, bool], str] = {_PLAIN: _PLAIN_DETAIL}
    respondents: list[tuple[object, ...]] = []
    rows: list[tuple[object, ...]] = []
    history: list[tuple[str | None, ...]] = []
    old_value: str | None
    parent: str | None
    resolved: str | None
    for position, entry in enumerate(_entries(items)):
        if isinstance(entry, Respondent):
            respondents.append((entry.code, entry.institution_type, entry.sector,
                                date_text(entry.interview_date), entry.interviewer,
                                int(entry.consent), now, now))  # fmt: skip
            history.append(("respondent", entry.code, None, None, None, respondent_json(entry),
                            None, by, now, uuids[position], None, None))  # fmt: skip
            continue
        respondent, questionnaire, question, value, note, evidence, confidential = entry
        if note or evidence or confidential:
            check_text("note", note, path=question)
            check_text("evidence", evidence, path=question)
            flags = (note, evidence, confidential)
            detail = details.get(flags)
            if detail is None:
                detail = details[flags] = json.dumps(
                    {"note": note, "evidence": evidence, "confidential": confidential},
                    ensure_ascii=False,
                )
        else:
            flags, detail = _PLAIN, _PLAIN_DETAIL
        # By type as well: 1, 1.0 and True are equal keys but stored as 1, 1.0 and true.
        new_value = encoded.get((value.__class__, value))
        if new_value is None:
            new_value = encoded[value.__class__, value] = encode_value(value)
        key = (respondent, questionnaire, question)
        earlier = written.get(key)
        if earlier is not None:  # written again in this call: follows that entry
            repeated = True
            before = history[earlier]
            # That entry's value, detail and uuid, from a row of either length.
            old_value, old_detail, parent = _FOLLOWED[len(before)](before)
            resolved = None
            if (old_value, old_detail) == (new_value, detail):
                continue
        elif respondent in new:  # added in this call: no answer, no history yet
            old_value = parent = resolved = None
        else:
            old = stored_rows.get(key)
            heads = tips(lineages.get(key, ()))
            old_value = None if old is None else old[0]
            # Setting an answer in conflict again settles it, even to the value it holds.
            if old is not None and old == (new_value, *flags) and len(heads) < 2:
                continue
            parent, resolved = follow(heads)
        identity = uuids[position]
        written[key] = len(history)
        if flags is _PLAIN:
            rows.append((respondent, questionnaire, question, new_value, by, now))
        else:
            rows.append((respondent, questionnaire, question, new_value, note, evidence,
                         int(confidential), by, now))  # fmt: skip
        if old_value is None and parent is None and resolved is None:
            history.append((respondent, questionnaire, question, new_value, detail, by, now,
                            identity))  # fmt: skip
        else:
            history.append(("answer", respondent, questionnaire, question, old_value,
                            new_value, detail, by, now, identity, parent, resolved))  # fmt: skip
    if respondents:
        conn.executemany(_INSERT_RESPONDENT, respondents)
    _write_answers(conn, rows, repeated)
    # In the items' order, which the ids follow: a statement per run of rows of one length.
    for length, run in groupby(history, key=len):
        conn.executemany(_HISTORY_BY_LENGTH[length], list(run))
    return len(rows)


def _write_answers(conn: Connection, rows: list[tuple[object, ...]], repeated: bool) -> None:
    """Upsert the answer rows of :func:`put_interviews` (plain ones without their flags)
    in key order, so that the table's B-tree is filled page by page. When a key is written
    twice (``repeated``), all go in one stably sorted statement, so the last one stays."""
    if repeated:
        full = [row if len(row) == 9 else (*row[:4], "", "", 0, *row[4:]) for row in rows]
        full.sort(key=_ANSWER_KEY)
        conn.executemany(_UPSERT_ANSWER, full)
        return
    for length, statement in ((6, _UPSERT_PLAIN_ANSWER), (9, _UPSERT_ANSWER)):
        chosen = sorted((row for row in rows if len(row) == length), key=_ANSWER_KEY)
        if chosen:
            conn.executemany(statement, chosen)


def _refuse_taken(conn: Connection, codes: Sequence[str]) -> None:
    """Refuse respondent codes already stored or given twice (the first one named)."""
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise AnswerError([Problem.make(Code.DUPLICATE_RESPONDENT, path=code, respondent=code)])
        seen.add(code)
    for start in range(0, len(codes), _CHUNK):
        chunk = codes[start : start + _CHUNK]
        row = conn.execute(
            f"SELECT code FROM respondents WHERE code IN ({', '.join('?' * len(chunk))})",
            chunk,
        ).fetchone()
        if row is not None:
            raise AnswerError(
                [Problem.make(Code.DUPLICATE_RESPONDENT, path=row[0], respondent=row[0])]
            )


def _stored_answers(
    conn: Connection, asked: Mapping[tuple[str, str], set[str]]
) -> tuple[
    dict[tuple[str, str, str], tuple[str, str, str, bool]],
    dict[tuple[str, str, str], list[Lineage]],
]:
    """The stored value and flags of the answers asked (questions by respondent and
    questionnaire), and every history entry of them (each new entry follows its item's
    current one, as :func:`record_history` links it), read per respondent and
    questionnaire."""
    stored: dict[tuple[str, str, str], tuple[str, str, str, bool]] = {}
    lineages: dict[tuple[str, str, str], list[Lineage]] = {}
    for (respondent, questionnaire), wanted in asked.items():
        for question, value, note, evidence, confidential in conn.execute(
            "SELECT question, value, note, evidence, confidential FROM answers"
            " WHERE respondent = ? AND questionnaire = ?",
            (respondent, questionnaire),
        ):
            if question in wanted:
                stored[respondent, questionnaire, question] = (value, note, evidence,
                                                              bool(confidential))  # fmt: skip
        # Asked by question (IN), so that the history index on (questionnaire, question,
        # respondent) is probed per question instead of scanning the questionnaire's.
        ordered = sorted(wanted)
        for start in range(0, len(ordered), _CHUNK):
            chunk = ordered[start : start + _CHUNK]
            for question, *lineage in conn.execute(
                "SELECT question, uuid, at, parent, resolved FROM history"
                " WHERE kind = 'answer' AND questionnaire = ? AND respondent = ?"
                f" AND question IN ({', '.join('?' * len(chunk))})",
                (questionnaire, respondent, *chunk),
            ):
                key = (respondent, questionnaire, question)
                lineages.setdefault(key, []).append(Lineage(*lineage))
    return stored, lineages


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
