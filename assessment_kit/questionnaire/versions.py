"""Versions of an instrument: find the previous one and check what became of its questions.

Missions scored on one version must stay comparable with missions scored on the next, so
a revised instrument says what became of every question of the version it revises:

* a question that keeps its id is the same question;
* a question that renames, merges or splits old ones lists them in ``replaces``;
* an old question left out on purpose is listed in the top-level ``dropped``.

The previous version is a questionnaire file named ``<id>-<version>.yaml`` in a
``previous/`` folder next to the file (the shipped instruments keep theirs in
``questionnaires/previous/``). It is the one named by the top-level ``previous`` field
(looked up next to the file, then among the shipped ones), or else the newest file there
with the same id and a lower version. When none is found the lineage is not checked,
unless the file uses ``replaces`` or ``dropped``, which then cannot be checked: a problem.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from assessment_kit.errors import Code, Problem
from assessment_kit.questionnaire.yaml_source import Document, PathKey, format_path, read_yaml

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
    if local is None or current is None or not local.is_dir():
        return None, []
    best: tuple[tuple[int, int, int, int, str], Path] | None = None
    for path in local.glob(f"{questionnaire_id}-*.yaml"):
        key = version_key(path.name[len(questionnaire_id) + 1 : -len(".yaml")])
        if key is not None and key < current and (best is None or key > best[0]):
            best = (key, path)
    return (None, []) if best is None else (best[1], [best[1]])


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
    problems: list[Problem] = []

    def add(code: Code, path: PathKey, **fields: Any) -> None:
        problems.append(
            Problem.make(
                code,
                file=document.file,
                line=document.line(path),
                path=format_path(path, data),
                **fields,
            )
        )

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
    if previous is not None:
        older, newer = version_key(previous), version_key(version)
        if older is not None and newer is not None and older >= newer:
            add(Code.PREVIOUS_NOT_OLDER, ("previous",), previous=previous, version=version)
            return problems
    path, looked = previous_file(qid, version, previous, local, shipped)
    if path is None:
        if previous is not None:
            add(
                Code.PREVIOUS_NOT_FOUND,
                ("previous",),
                version=previous,
                questionnaire=qid,
                looked=", ".join(str(p) for p in looked) or "no previous/ folder",
            )
        elif replaced or dropped:
            field = "replaces" if replaced else "dropped"
            add(Code.NO_PREVIOUS, (replaced or dropped)[0][0], field=field, questionnaire=qid)
        return problems
    old_version, old_ids = question_ids(path)
    for where, old in replaced:
        if old not in old_ids:
            add(
                Code.NOT_IN_PREVIOUS,
                where,
                field="replaces",
                old=old,
                version=old_version,
                previous_file=path.name,
            )
    for where, old in dropped:
        if old not in old_ids:
            add(
                Code.NOT_IN_PREVIOUS,
                where,
                field="dropped",
                old=old,
                version=old_version,
                previous_file=path.name,
            )
        elif old in current:
            add(Code.DROPPED_STILL_PRESENT, where, old=old)
    accounted = current | {old for _, old in replaced} | {old for _, old in dropped}
    for old in sorted(old_ids - accounted):
        add(
            Code.UNACCOUNTED_QUESTION,
            ("dropped",) if dropped else ("version",),
            old=old,
            version=old_version,
        )
    return problems


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
