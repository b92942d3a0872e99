"""Respondents: added, changed and read, one at a time or as a table."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Final

from assessment_kit.store import bulk, writes
from assessment_kit.store.records import (
    Respondent,
)
from assessment_kit.store.records import date_text as _date_text
from assessment_kit.store.records import now as _now
from assessment_kit.store.values import check_text
from assessment_kit.store.writes import record_history as _history
from assessment_kit.store.writes import respondent_json as _respondent_json

if TYPE_CHECKING:
    import pandas as pd

from assessment_kit.store.base import MissionBase, respondent_from_row

__all__ = ["RespondentsMixin"]


class _Unset(Enum):
    UNSET = "unset"


_UNSET: Final = _Unset.UNSET


class RespondentsMixin(MissionBase):
    """The respondents of a mission (pseudonymous codes)."""

    def add_respondent(
        self,
        code: str,
        *,
        institution_type: str,
        sector: str = "",
        interview_date: date | None = None,
        interviewer: str = "",
        consent: bool = False,
        by: str = "",
    ) -> Respondent:
        """Add a respondent under a pseudonymous ``code``.

        ``sector`` defaults to the sector the questionnaire gives the institution type.

        Raises
        ------
        AnswerError
            ``DUPLICATE_RESPONDENT``, ``UNKNOWN_RESPONDENT_TYPE`` or ``BAD_VALUE`` (code).
        """
        with self._write() as conn:
            return bulk.insert_respondent(
                conn,
                code,
                institution_type=institution_type,
                sector=sector,
                interview_date=interview_date,
                interviewer=interviewer,
                consent=consent,
                known_types=self.institution_types(),
                by=by,
                now=_now(),
            )

    def update_respondent(
        self,
        code: str,
        *,
        institution_type: str | None = None,
        sector: str | None = None,
        interview_date: date | _Unset | None = _UNSET,
        interviewer: str | None = None,
        consent: bool | None = None,
        by: str = "",
    ) -> Respondent:
        """Change some of a respondent's details (arguments left out stay as they are)."""
        with self._write() as conn:
            old = self._respondent(conn, code)
            new = Respondent(
                code=old.code,
                institution_type=old.institution_type
                if institution_type is None
                else institution_type,
                sector=old.sector if sector is None else sector,
                interview_date=old.interview_date
                if isinstance(interview_date, _Unset)
                else interview_date,
                interviewer=old.interviewer if interviewer is None else interviewer,
                consent=old.consent if consent is None else bool(consent),
            )
            if new == old and not writes.in_conflict(conn, "respondent", code, None, None):
                return old
            check_text("interviewer", new.interviewer, path=code)
            check_text("sector", new.sector, path=code)
            writes.check_institution_type(self.institution_types(), code, new.institution_type)
            now = _now()
            conn.execute(
                "UPDATE respondents SET institution_type = ?, sector = ?, interview_date = ?,"
                " interviewer = ?, consent = ?, updated_at = ? WHERE code = ?",
                (
                    new.institution_type,
                    new.sector,
                    _date_text(new.interview_date),
                    new.interviewer,
                    int(new.consent),
                    now,
                    code,
                ),
            )
            _history(
                conn,
                "respondent",
                code,
                None,
                None,
                _respondent_json(old),
                _respondent_json(new),
                None,
                by,
                now,
            )
        return new

    def respondent(self, code: str) -> Respondent:
        """The respondent with this code (:class:`AnswerError` if there is none)."""
        with self._lock, self._reading():
            return self._respondent(self._db, code)

    def respondents(self) -> list[Respondent]:
        """Every respondent, in the order they were added."""
        with self._lock, self._reading():
            rows = self._db.execute(
                "SELECT code, institution_type, sector, interview_date, interviewer, consent"
                " FROM respondents ORDER BY created_at, code"
            ).fetchall()
        return [respondent_from_row(row) for row in rows]

    def respondents_frame(self) -> pd.DataFrame:
        """Every respondent, in the order they were added, and how far each interview got.

        Columns: respondent, institution_type, sector, interview_date (a date or None),
        interviewer, consent (bool), answers (the number of answers given).
        """
        import pandas as pd

        with self._lock, self._reading():
            rows = self._db.execute(
                "SELECT r.code, r.institution_type, r.sector, r.interview_date, r.interviewer,"
                " r.consent, (SELECT count(*) FROM answers a WHERE a.respondent = r.code)"
                " FROM respondents r ORDER BY r.created_at, r.code"
            ).fetchall()
        people = [respondent_from_row(row) for row in rows]
        columns = [
            "respondent", "institution_type", "sector", "interview_date", "interviewer",
            "consent", "answers",
        ]  # fmt: skip
        return pd.DataFrame(
            {
                "respondent": [p.code for p in people],
                "institution_type": [p.institution_type for p in people],
                "sector": [p.sector for p in people],
                "interview_date": pd.Series([p.interview_date for p in people], dtype=object),
                "interviewer": [p.interviewer for p in people],
                "consent": pd.Series([p.consent for p in people], dtype=bool),
                "answers": pd.Series([row[6] for row in rows], dtype="int64"),
            },
            columns=columns,
        )
