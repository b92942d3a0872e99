"""What the mission panel and the launcher ask the server for, built from the store's API.

A mission file is known by its content (:func:`~assessment_kit.store.outputs.is_mission_file`:
the SQLite header and the mission's application id or tables), never by its name. What
leaves the server is what the panel shows: title, country, dates, progress per instrument
and section, respondents by code and institution type, and the last changes as *which*
question changed, when; never an answer's note, evidence, value or who gave it, nor an
interviewer's name.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assessment_kit.errors import Code, Problem, RequestRefused
from assessment_kit.questionnaire import builtin, builtin_ids
from assessment_kit.server._paths import api_path
from assessment_kit.store import Mission
from assessment_kit.store.outputs import is_mission_file

__all__ = [
    "NOTEBOOKS",
    "Change",
    "InstrumentChoice",
    "InstrumentProgress",
    "MissionSummary",
    "NewMission",
    "RespondentRow",
    "SectionProgress",
    "find_missions",
    "instrument_choices",
    "mission_file_name",
    "mission_notebook",
    "mission_summary",
    "new_mission",
    "notebook_path",
]

#: The mission notebooks by kind, as they ship (notebooks/ in a checkout).
NOTEBOOKS: dict[str, str] = {
    "mission": "01_mission.ipynb",
    "interview": "02_interview.ipynb",
    "consolidate": "03_consolidate.ipynb",
    "scores": "04_scores.ipynb",
}

#: How many of the last changes the panel shows.
LAST_CHANGES = 10
#: How many files of a folder are looked at when listing its missions (a huge folder
#: must not stall the server: a mission is found by opening files, not by their names).
MAX_FILES_SCANNED = 2000


@dataclass(frozen=True, slots=True)
class SectionProgress:
    """Questions of a section answered by at least one respondent or by the team."""

    id: str
    title: str
    answered: int
    total: int


@dataclass(frozen=True, slots=True)
class InstrumentProgress:
    """An instrument's progress over the sections the mission assesses."""

    id: str
    version: str
    title: str
    answered: int
    total: int
    sections: tuple[SectionProgress, ...]


@dataclass(frozen=True, slots=True)
class RespondentRow:
    """A respondent as the panel shows one: the pseudonymous code and institution type."""

    code: str
    institution_type: str
    institution: str


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of the history: what changed and when (not the value, not who)."""

    at: str
    kind: str
    respondent: str | None
    questionnaire: str | None
    question: str | None


@dataclass(frozen=True, slots=True)
class MissionSummary:
    """Everything the mission panel shows."""

    path: str
    title: str
    country: str
    start_date: str | None
    end_date: str | None
    created_at: str
    answered: int
    total: int
    instruments: tuple[InstrumentProgress, ...]
    respondents: tuple[RespondentRow, ...]
    changes: tuple[Change, ...]
    notebooks: dict[str, str | None]


@dataclass(frozen=True, slots=True)
class InstrumentChoice:
    """A shipped instrument the New mission dialog offers, with its sections."""

    id: str
    title: str
    version: str
    sections: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class NewMission:
    """A mission made by :func:`new_mission` and the notebooks written beside it."""

    path: Path
    notebooks: dict[str, Path]


def _progress(mission: Mission) -> tuple[InstrumentProgress, ...]:
    assessed = mission.sections
    codes = [respondent.code for respondent in mission.respondents()]
    found: list[InstrumentProgress] = []
    for qid, questionnaire in mission.questionnaires.items():
        answered_ids = set(mission.consolidated(qid))
        for code in codes:
            answered_ids.update(mission.answers_for(code, qid))
        sections: list[SectionProgress] = []
        for section in questionnaire.sections:
            if section.id not in assessed.get(qid, ()):
                continue
            ids = [q.id for q in section.questions if q.answerable]
            done = sum(1 for qid_ in ids if qid_ in answered_ids)
            sections.append(SectionProgress(section.id, str(section.title), done, len(ids)))
        found.append(
            InstrumentProgress(
                id=qid,
                version=questionnaire.version,
                title=str(questionnaire.title),
                answered=sum(s.answered for s in sections),
                total=sum(s.total for s in sections),
                sections=tuple(sections),
            )
        )
    return tuple(found)


def _changes(mission: Mission) -> tuple[Change, ...]:
    frame = mission.history_frame().tail(LAST_CHANGES)
    rows = frame[["at", "kind", "respondent", "questionnaire", "question"]].to_dict("records")
    return tuple(
        Change(
            at=str(row["at"]),
            kind=str(row["kind"]),
            respondent=_text_or_none(row["respondent"]),
            questionnaire=_text_or_none(row["questionnaire"]),
            question=_text_or_none(row["question"]),
        )
        for row in reversed(rows)
    )


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _respondents(mission: Mission) -> tuple[RespondentRow, ...]:
    labels: dict[str, str] = {}
    for questionnaire in mission.questionnaires.values():
        for type_id, respondent_type in questionnaire.respondent_types.items():
            labels.setdefault(type_id, str(respondent_type.label))
    return tuple(
        RespondentRow(r.code, r.institution_type, labels.get(r.institution_type, ""))
        for r in mission.respondents()
    )


def notebook_path(mission: Path, kind: str) -> Path:
    """Where the ``kind`` notebook of ``mission`` lives: beside it, named after it."""
    return mission.with_name(f"{mission.stem}-{kind}.ipynb")


def mission_summary(path: Path, root: Path) -> MissionSummary | None:
    """What the panel shows of the mission at ``path``; None when it is not a mission.

    Raises
    ------
    StoreError
        A mission file that cannot be opened (damaged, newer schema, unreadable folder).
    """
    if not path.is_file() or not is_mission_file(path):
        return None
    with Mission.open(path) as mission:
        info = mission.info
        instruments = _progress(mission)
        respondents = _respondents(mission)
        changes = _changes(mission)
    notebooks: dict[str, str | None] = {}
    for kind in NOTEBOOKS:
        candidate = notebook_path(path, kind)
        notebooks[kind] = api_path(root, candidate) if candidate.is_file() else None
    return MissionSummary(
        path=api_path(root, path),
        title=info.title,
        country=info.country,
        start_date=None if info.start_date is None else info.start_date.isoformat(),
        end_date=None if info.end_date is None else info.end_date.isoformat(),
        created_at=info.created_at,
        answered=sum(i.answered for i in instruments),
        total=sum(i.total for i in instruments),
        instruments=instruments,
        respondents=respondents,
        changes=changes,
        notebooks=notebooks,
    )


def find_missions(folder: Path) -> list[Path]:
    """The mission files directly in ``folder``, by name, recognised by their content."""
    if not folder.is_dir():
        raise RequestRefused(Problem.make(Code.NOT_A_FOLDER, where=folder.name), status=404)
    found: list[Path] = []
    with os.scandir(folder) as entries:
        for count, entry in enumerate(entries):
            if count >= MAX_FILES_SCANNED:
                break
            if entry.is_file() and not entry.name.startswith(".") and is_mission_file(entry.path):
                found.append(Path(entry.path))
    return sorted(found, key=lambda p: p.name)


def language_choices() -> list[tuple[str, str]]:
    """The languages a mission can be in, as (code, name in its own words), English first."""
    from assessment_kit.i18n import LANGUAGE_NAMES, LANGUAGES

    return [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]


def instrument_choices() -> list[InstrumentChoice]:
    """The shipped instruments and their sections, for the New mission dialog."""
    return [
        InstrumentChoice(
            id=qid,
            title=str(q.title),
            version=q.version,
            sections=tuple((s.id, str(s.title)) for s in q.sections),
        )
        for qid, q in ((qid, builtin(qid)) for qid in builtin_ids())
    ]


def _notebooks_dir() -> Path:
    from importlib import resources

    packaged = resources.files("assessment_kit").joinpath("_notebooks")
    if packaged.is_dir():
        return Path(str(packaged))
    # A source checkout or an editable install: the repository's notebooks/ folder.
    return Path(__file__).resolve().parents[2] / "notebooks"


def _with_parameters(source: dict[str, Any], mission_name: str) -> dict[str, Any]:
    """The notebook with its ``parameters`` cell naming ``mission_name`` (as a literal)."""
    for cell in source.get("cells", []):
        if "parameters" not in cell.get("metadata", {}).get("tags", []):
            continue
        text = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        lines = [
            f"mission_file = {mission_name!r}" if line.startswith("mission_file =") else line
            for line in text.split("\n")
        ]
        cell["source"] = "\n".join(lines)
        cell["outputs"] = []
        cell["execution_count"] = None
    return source


def _write_new(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` unless a file is there already; True when written.

    The text goes to a file of our own first and is linked into place, so the notebook
    appears whole, and an existing file (a notebook someone works in) is never replaced.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.partial")
    temporary.write_text(text, encoding="utf-8")
    try:
        os.link(temporary, path)
    except FileExistsError:
        return False
    finally:
        temporary.unlink(missing_ok=True)
    return True


def mission_notebook(mission: Path, kind: str) -> Path:
    """The ``kind`` notebook beside ``mission``, written from the shipped one if missing.

    An existing notebook of that name is left as it is (it may hold someone's work).
    """
    if kind not in NOTEBOOKS:
        known = ", ".join(NOTEBOOKS)
        raise RequestRefused(Problem.make(Code.UNKNOWN_NOTEBOOK, name=kind, known=known))
    target = notebook_path(mission, kind)
    if target.exists():
        return target
    source = json.loads((_notebooks_dir() / NOTEBOOKS[kind]).read_text(encoding="utf-8"))
    text = json.dumps(_with_parameters(source, mission.name), indent=1, ensure_ascii=False)
    _write_new(target, text + "\n")
    return target


def _field_error(field: str, detail: str, expected: str) -> RequestRefused:
    return RequestRefused(
        Problem.make(Code.REQUEST_FIELD, field=field, detail=detail, expected=expected)
    )


def mission_file_name(name: str) -> str:
    """A new mission's file name: a plain name in the folder, ``.db`` added if it has none."""
    name = name.strip()
    expected = "a file name such as freedonia-2026.db"
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\x00" in name:
        raise _field_error("file", "is not a plain file name", expected)
    if name.startswith("."):
        raise _field_error("file", "starts with a dot (a hidden file)", expected)
    return name if Path(name).suffix else f"{name}.db"


def new_mission(
    folder: Path,
    file: str,
    *,
    country: str,
    title: str,
    instruments: Sequence[str],
    sections: Sequence[str] = (),
    language: str = "en",
) -> NewMission:
    """Create a mission in ``folder`` and write its four notebooks beside it; ``language``
    is the mission's (its briefing's and forms'), one of :func:`language_choices`.

    Raises
    ------
    RequestRefused
        ``REQUEST_FIELD`` for a file name that is not a plain name, or no instrument.
    QuestionnaireError
        An instrument id that does not ship with the kit.
    StoreError, ProblemsError
        What :meth:`Mission.create` refuses (an existing file, an empty country, an
        unknown section); nothing is created.
    """
    if not folder.is_dir():
        raise RequestRefused(Problem.make(Code.NOT_A_FOLDER, where=folder.name), status=404)
    if not instruments:
        raise _field_error("instruments", "is empty", f"one or more of {', '.join(builtin_ids())}")
    path = folder / mission_file_name(file)
    questionnaires = [builtin(qid) for qid in instruments]
    with Mission.create(
        path,
        country=country,
        title=title.strip() or f"Needs assessment: {country.strip()}",
        questionnaires=questionnaires,
        sections=sections,
        language=language,
    ):
        pass
    notebooks = {kind: mission_notebook(path, kind) for kind in NOTEBOOKS}
    return NewMission(path=path, notebooks=notebooks)
