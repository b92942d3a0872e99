"""Versions of an instrument: find the previous one and check what became of its questions.

Missions scored on one version must stay comparable with missions scored on the next, so
a revised instrument says what became of every question of the version it revises:

* a question that keeps its id is the same question;
* a question that renames, merges or splits old ones lists them in ``replaces``;
* an old question left out on purpose is listed in the top-level ``dropped``.

The previous version is a questionnaire file named ``<id>-<version>.yaml`` in a
``previous/`` folder next to the file, or among the shipped ones (the shipped instruments
keep theirs in ``questionnaires/previous/``). It is the one named by the top-level
``previous`` field, or else the newest with the same id and a lower version (next to the
file first). When none is found the lineage is not checked, unless the file uses
``replaces`` or ``dropped``, which then cannot be checked: a problem.

The lineage is checked when a questionnaire is read from a file (``load``,
``validate_files``, or ``loads`` given the folder the text comes from). Text alone, such as
an instrument stored in a mission file, is not checked: it was checked when it was added,
and a mission must open wherever it is copied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from assessment_kit.errors import Code, Problem
from assessment_kit.questionnaire.yaml_source import Document, PathKey, read_yaml

__all__ = ["check_versions", "previous_file", "question_ids", "version_key"]

_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


def version_key(version: str) -> tuple[int, int, int, int, str] | None:
    """A sort key for a semantic version (a pre-release sorts before its release)."""
    match = _VERSION.match(version)
    if match is None:
        return None
    major, minor, patch, pre = match.groups()
    return int(major), int(minor), int(patch), 0 if pre else 1, pre or ""


def previous_file(
    questionnaire_id: str,
    version: str,
    previous: str | None,
    local: Path | None,
    shipped: Path | None,
) -> tuple[Path | None, list[Path]]:
    """The file of the previous version and the paths looked at.

    ``local`` and ``shipped`` are ``previous/`` folders: the one next to the file being
    read (None for text not read from a file) and the one shipped with assessment-kit.
    """
    if previous is not None:
        looked = [
            folder / f"{questionnaire_id}-{previous}.yaml"
            for folder in dict.fromkeys((local, shipped))  # once each, in order
            if folder is not None
        ]
        return next((path for path in looked if path.is_file()), None), looked
    current = version_key(version)
    if current is None:
        return None, []
    for folder in dict.fromkeys((local, shipped)):
        if folder is None or not folder.is_dir():
            continue
        best: tuple[tuple[int, int, int, int, str], Path] | None = None
        for path in folder.glob(f"{questionnaire_id}-*.yaml"):
            key = version_key(path.name[len(questionnaire_id) + 1 : -len(".yaml")])
            if key is not None and key < current and (best is None or key > best[0]):
                best = (key, path)
        if best is not None:
            return best[1], [best[1]]
    return None, []


def question_ids(path: Path) -> tuple[str, frozenset[str]]:
    """The version and the question ids of a questionnaire file (read once per change)."""
    stat = path.stat()
    return _question_ids(str(path), stat.st_mtime_ns, stat.st_size)


@cache
def _question_ids(path: str, _mtime: int, _size: int) -> tuple[str, frozenset[str]]:
    document, _ = read_yaml(Path(path).read_text(encoding="utf-8"), path)
    data = document.data if document is not None and isinstance(document.data, dict) else {}
    ids = {
        question["id"]
        for section in _list(data.get("sections"))
        if isinstance(section, dict)
        for question in _list(section.get("questions"))
        if isinstance(question, dict) and isinstance(question.get("id"), str)
    }
    return str(data.get("version", "")), frozenset(ids)


def check_versions(document: Document, local: Path | None, shipped: Path | None) -> list[Problem]:
    """Problems with the lineage of a questionnaire (see the module docstring)."""
    data = document.data
    if not isinstance(data, dict):
        return []
    qid, version = data.get("id"), data.get("version")
    if not isinstance(qid, str) or not isinstance(version, str):
        return []
    previous = data.get("previous")
    previous = previous if isinstance(previous, str) else None
    report = _Report(document)
    lineage = _lineage(data)
    if previous is not None:
        older, newer = version_key(previous), version_key(version)
        if older is not None and newer is not None and older >= newer:
            report.add(Code.PREVIOUS_NOT_OLDER, ("previous",), previous=previous, version=version)
            return report.problems
    path, looked = previous_file(qid, version, previous, local, shipped)
    if path is not None:
        _compare(report, lineage, path)
    elif previous is not None:
        report.add(
            Code.PREVIOUS_NOT_FOUND,
            ("previous",),
            version=previous,
            questionnaire=qid,
            looked=", ".join(str(p) for p in looked) or "no previous/ folder",
        )
    elif lineage.replaced or lineage.dropped:
        field = "replaces" if lineage.replaced else "dropped"
        first = (lineage.replaced or lineage.dropped)[0][0]
        report.add(Code.NO_PREVIOUS, first, field=field, questionnaire=qid)
    return report.problems


class _Report:
    """The problems found, each located in the document (file, line, path)."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.problems: list[Problem] = []

    def add(self, code: Code, path: PathKey, **fields: Any) -> None:
        self.problems.append(self.document.problem(code, path, **fields))


@dataclass(frozen=True)
class _Lineage:
    """What a questionnaire says of its previous version: its own ids, what it replaces
    and what it drops (each with where it says so)."""

    current: frozenset[str]
    replaced: list[tuple[PathKey, str]]
    dropped: list[tuple[PathKey, str]]


def _lineage(data: dict[str, Any]) -> _Lineage:
    replaced: list[tuple[PathKey, str]] = []
    current: set[str] = set()
    for s_index, section in enumerate(_list(data.get("sections"))):
        if not isinstance(section, dict):
            continue
        for q_index, question in enumerate(_list(section.get("questions"))):
            if not isinstance(question, dict):
                continue
            if isinstance(question.get("id"), str):
                current.add(question["id"])
            at: PathKey = ("sections", s_index, "questions", q_index, "replaces")
            for index, old in enumerate(_list(question.get("replaces"))):
                if isinstance(old, str):
                    replaced.append(((*at, index), old))
    dropped: list[tuple[PathKey, str]] = [
        (("dropped", index), old)
        for index, old in enumerate(_list(data.get("dropped")))
        if isinstance(old, str)
    ]
    return _Lineage(frozenset(current), replaced, dropped)


def _compare(report: _Report, lineage: _Lineage, path: Path) -> None:
    """Every id replaced or dropped is in the previous version, and every old id is
    kept, replaced or dropped."""
    old_version, old_ids = question_ids(path)
    for field, named in (("replaces", lineage.replaced), ("dropped", lineage.dropped)):
        for where, old in named:
            if old not in old_ids:
                report.add(
                    Code.NOT_IN_PREVIOUS,
                    where,
                    field=field,
                    old=old,
                    version=old_version,
                    previous_file=path.name,
                )
            elif field == "dropped" and old in lineage.current:
                report.add(Code.DROPPED_STILL_PRESENT, where, old=old)
    accounted = lineage.current | {old for _, old in lineage.replaced + lineage.dropped}
    for old in sorted(old_ids - accounted):
        report.add(
            Code.UNACCOUNTED_QUESTION,
            ("dropped",) if lineage.dropped else ("version",),
            old=old,
            version=old_version,
        )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
