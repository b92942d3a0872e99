"""The store's bulk write: many respondents and answers in one go, inside the caller's
transaction, for an import of thousands of interviews and for :class:`.batch.Batch`.

It writes what :func:`.writes.put_answer` writes one at a time (the same rows, the same
history entries and lineage): an unchanged answer is left alone unless it is in conflict,
and every change has its history entry, following the item's current one. A respondent
added in the same call has no history yet, so its answers' lineage is not read; answers of
respondents already stored are read per respondent and questionnaire. One statement per
table, its rows in the table's key order: binding and B-tree work, not Python, is most of
an import's time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from itertools import groupby
from operator import itemgetter

from assessment_kit.errors import AnswerError, Code, Problem
from assessment_kit.questionnaire.model import AnswerValue
from assessment_kit.store.connection import Connection
from assessment_kit.store.records import CheckedAnswer, CheckedAnswers, Respondent, date_text
from assessment_kit.store.schema import new_uuids
from assessment_kit.store.values import check_text, encode_value
from assessment_kit.store.writes import (
    Lineage,
    checked_respondent,
    follow,
    respondent_json,
    tips,
)

__all__ = ["Interviews", "insert_respondent", "put_interviews"]


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
    """Add respondents and write answers, many at once (see the module); return how many
    answers were written.

    ``items`` are written in their order, which their history entries keep, each by ``by``
    at ``now``: a :class:`Respondent` (checked by :func:`.writes.checked_respondent`;
    refused when its code is taken) is added; a :class:`CheckedAnswer` (its value validated
    by the caller, its respondent stored or added before it), or each answer of a
    :class:`CheckedAnswers`, is written as :func:`.writes.put_answer` writes one.
    """
    added = [item.code for item in items if isinstance(item, Respondent)]
    _refuse_taken(conn, added)
    new = frozenset(added)
    asked, count = _asked(items, new)
    stored_rows, lineages = _stored_answers(conn, asked)
    # The answers written earlier in this call: key -> their entry's place in ``history``.
    written: dict[tuple[str, str, str], int] = {}
    repeated = False
    uuids = _ordered_uuids(count)
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
            respondents.append(_respondent_row(entry, now))
            history.append(("respondent", entry.code, None, None, None, respondent_json(entry),
                            None, by, now, uuids[position], None, None))  # fmt: skip
            continue
        respondent, questionnaire, question, value, note, evidence, confidential = entry
        if note or evidence or confidential:
            flags = (note, evidence, confidential)
            detail = _detail(details, flags, question)
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
            # That entry's value, detail and uuid, from a row of either length.
            old_value, old_detail, parent = _FOLLOWED[len(history[earlier])](history[earlier])
            resolved = None
            if (old_value, old_detail) == (new_value, detail):
                continue
        elif respondent in new:  # added in this call: no answer, no history yet
            old_value = parent = resolved = None
        else:
            stored = _follow_stored(stored_rows.get(key), lineages.get(key, ()), new_value, flags)
            if stored is None:
                continue
            old_value, parent, resolved = stored
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
    _write_rows(conn, respondents, rows, history, repeated)
    return len(rows)


def _ordered_uuids(count: int) -> list[str]:
    """``count`` random uuids in ascending order, for the entries of one call: the unique
    index on them is then filled page by page instead of at a random page per entry (a
    third of the history's insert time). Order among entries is by id and time, and one
    call makes at most one tip of an item, so nothing reads meaning into it."""
    return sorted(new_uuids(count))


def _respondent_row(respondent: Respondent, now: str) -> tuple[object, ...]:
    return (respondent.code, respondent.institution_type, respondent.sector,
            date_text(respondent.interview_date), respondent.interviewer,
            int(respondent.consent), now, now)  # fmt: skip


def _write_rows(
    conn: Connection,
    respondents: list[tuple[object, ...]],
    rows: list[tuple[object, ...]],
    history: list[tuple[str | None, ...]],
    repeated: bool,
) -> None:
    """Write what :func:`put_interviews` gathered: respondents, answers, history."""
    if respondents:
        conn.executemany(_INSERT_RESPONDENT, respondents)
    _write_answers(conn, rows, repeated)
    # In the items' order, which the ids follow: a statement per run of rows of one length.
    for length, run in groupby(history, key=len):
        conn.executemany(_HISTORY_BY_LENGTH[length], list(run))


def _asked(items: Interviews, new: frozenset[str]) -> tuple[dict[tuple[str, str], set[str]], int]:
    """The questions whose stored answer and history must be read (by respondent and
    questionnaire; none for respondents added in this call), and how many entries the
    items make."""
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
    return asked, count


def _detail(
    details: dict[tuple[str, str, bool], str], flags: tuple[str, str, bool], question: str
) -> str:
    """The history detail of an answer with a note, evidence or confidentiality (its texts
    checked), made once per distinct set of flags."""
    note, evidence, confidential = flags
    check_text("note", note, path=question)
    check_text("evidence", evidence, path=question)
    detail = details.get(flags)
    if detail is None:
        detail = details[flags] = json.dumps(
            {"note": note, "evidence": evidence, "confidential": confidential},
            ensure_ascii=False,
        )
    return detail


def _follow_stored(
    old: tuple[str, str, str, bool] | None,
    lineage: Sequence[Lineage],
    new_value: str,
    flags: tuple[str, str, bool],
) -> tuple[str | None, str | None, str | None] | None:
    """The old value, parent and settled entry of an answer of a stored respondent; None
    when it is unchanged and not in conflict (left alone, as put_answer leaves it)."""
    heads = tips(lineage)
    # Setting an answer in conflict again settles it, even to the value it holds.
    if old is not None and old == (new_value, *flags) and len(heads) < 2:
        return None
    parent, resolved = follow(heads)
    return (None if old is None else old[0]), parent, resolved


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
