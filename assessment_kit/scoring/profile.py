"""Scoring profiles: bands, weight overrides and caps, read from a small YAML file.

A profile changes how answers roll up into area scores without touching the
questionnaires: it names the bands, may override question weights (keyed
``"questionnaire.question"``), may weight the areas in the overall score, and may add
*caps*, negative findings that limit an area's rating (as Walk Free's government response
ratings do for official complicity).
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from assessment_kit.areas import AREA_IDS
from assessment_kit.errors import Code, Problem, ProblemsError
from assessment_kit.i18n import N_
from assessment_kit.questionnaire import cache as instrument_cache
from assessment_kit.questionnaire.model import NON_SCORED_STATES
from assessment_kit.questionnaire.yaml_source import read_yaml, too_large

__all__ = [
    "Band",
    "Cap",
    "Disagreement",
    "ProfileError",
    "ScoringProfile",
    "default_profile",
    "load_profile",
    "loads_profile",
]

_TOP_FIELDS = (
    "name",
    "description",
    "bands",
    "question_weights",
    "area_weights",
    "caps",
    "disagreement",
)
_DISAGREEMENT_FIELDS = ("min_steps", "min_span")
_CAP_FIELDS = ("when", "value", "score_below", "area", "max", "reason")


class ProfileError(ProblemsError):
    """A scoring profile file is invalid (every problem is listed, with file and field)."""


@dataclass(frozen=True, slots=True)
class Band:
    """A band of scores: from ``lower`` (inclusive) up to the next band's lower bound."""

    lower: float
    label: str


@dataclass(frozen=True, slots=True)
class Cap:
    """A negative finding that caps an area's score.

    The cap applies when the question ``questionnaire.question`` is relevant and either its
    mission value equals ``value`` (a choice value, one of the selected values of a
    ``multiple`` question, a non-scored state, or a number for an ``integer`` or ``decimal``
    question) or its mission score is below ``score_below``. The area's score, low and high
    are then at most ``max``; a null score stays null.
    """

    questionnaire: str
    question: str
    area: str
    max: float
    reason: str
    value: str | None = None
    score_below: float | None = None

    @property
    def key(self) -> str:
        return f"{self.questionnaire}.{self.question}"


@dataclass(frozen=True, slots=True)
class Disagreement:
    """When respondents' answers to a question count as a disagreement.

    ``min_steps``: the lowest and highest scores are at least this many levels of the
    question's own scale apart (a scale shorter than that: its two ends). ``min_span``:
    for ``multiple`` questions, whose scores are sums of choices, the scores differ by at
    least this much (0..1). The default, 2 steps, flags yes against no on three points and
    two steps on five, not neighbouring answers.
    """

    min_steps: int = 2
    min_span: float = 0.5


_DEFAULT_BANDS = (
    Band(0.0, N_("Absent")),
    Band(20.0, N_("Initial")),
    Band(40.0, N_("Developing")),
    Band(60.0, N_("Established")),
    Band(80.0, N_("Advanced")),
)


def _empty() -> Mapping[str, float]:
    return MappingProxyType({})


@dataclass(frozen=True)
class ScoringProfile:
    """How answers roll up into scores: bands, weight overrides and caps."""

    name: str = "default"
    description: str = ""
    bands: tuple[Band, ...] = _DEFAULT_BANDS
    question_weights: Mapping[str, float] = field(default_factory=_empty)
    area_weights: Mapping[str, float] = field(default_factory=_empty)
    caps: tuple[Cap, ...] = ()
    disagreement: Disagreement = Disagreement()
    file: str = ""

    def band(self, score: float | None) -> str | None:
        """The label of the band ``score`` (0..100) falls in; None for a null score."""
        if score is None or math.isnan(score):
            return None
        label = self.bands[0].label
        for band in self.bands:
            if score >= band.lower:
                label = band.label
        return label

    def question_weight(self, questionnaire: str, question: str, default: float) -> float:
        """The weight of a question: the profile's override, else the questionnaire's."""
        return self.question_weights.get(f"{questionnaire}.{question}", default)

    def area_weight(self, area: str) -> float:
        """The weight of an area in the overall score (1 unless the profile says otherwise)."""
        return self.area_weights.get(area, 1.0)


@functools.cache
def default_profile() -> ScoringProfile:
    """The profile shipped with assessment-kit (``default_profile.yaml`` in this package)."""
    text = resources.files("assessment_kit.scoring").joinpath("default_profile.yaml")
    return loads_profile(text.read_text(encoding="utf-8"), file="default_profile.yaml")


def load_profile(path: str | Path) -> ScoringProfile:
    """Read and validate a scoring profile file.

    Raises
    ------
    ProfileError
        Listing every problem with the file and the field.
    """
    path = Path(path)
    try:
        oversize = too_large(path.stat().st_size, str(path))
        if oversize is not None:
            raise ProfileError([oversize], summary=f"{path}: invalid scoring profile")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProfileError([Problem.make(Code.FILE_NOT_FOUND, file=str(path))]) from None
    return loads_profile(text, file=str(path))


def loads_profile(text: str, file: str = "<string>") -> ScoringProfile:
    """Parse and validate a scoring profile from YAML text (see :func:`load_profile`).

    A text read before is not read again: its document is kept in the instrument cache
    (:mod:`assessment_kit.questionnaire.cache`, under a digest of its own, so that no
    questionnaire is ever taken for it), and checked again here. Every export reads the
    default profile; reading it from the cache spares importing PyYAML (about 15 ms).
    """
    digest = hashlib.sha256(f"scoring profile\n{text}".encode()).hexdigest()
    kept = instrument_cache.read(digest)
    if kept is not None:
        return _Parser(file).parse(kept)
    # The questionnaires' reader: a profile may come from anyone too, so it gets the same
    # bounds on size and nesting and the same refusal of anchors and aliases.
    document, problems = read_yaml(text, file)
    if problems and [problem.code for problem in problems] != [Code.EMPTY_FILE]:
        raise ProfileError(problems, summary=f"{file}: invalid scoring profile")
    data = document.data if document is not None else None
    if data is None:
        data = {}
    profile = _Parser(file).parse(data)  # raises for a profile that is not valid
    if isinstance(data, dict):
        instrument_cache.write(digest, data)
    return profile


class _Parser:
    """Collects every problem of a profile document before raising."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, field_path: str, detail: str, fix: str) -> None:
        self.problems.append(
            Problem.make(
                Code.PROFILE_FIELD,
                file=self.file,
                path=field_path,
                field=field_path,
                detail=detail,
                fix=fix,
            )
        )

    def number(self, value: Any, field_path: str, low: float, high: float) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            self.problem(
                field_path, f"{value!r} is not a number", f"write a number in [{low:g}, {high:g}]"
            )
            return None
        if not low <= value <= high:
            self.problem(
                field_path,
                f"{value!r} is outside [{low:g}, {high:g}]",
                f"write a number in [{low:g}, {high:g}]",
            )
            return None
        return float(value)

    def parse(self, data: Any) -> ScoringProfile:
        if not isinstance(data, dict):
            self.problem("(top)", "a profile is a mapping", "start from default_profile.yaml")
            raise ProfileError(self.problems, summary=f"{self.file}: invalid scoring profile")
        for key in data:
            if key not in _TOP_FIELDS:
                self.problem(str(key), "unknown field", f"use one of: {', '.join(_TOP_FIELDS)}")
        name = data.get("name", "custom")
        if not isinstance(name, str) or not name.strip():
            self.problem("name", f"{name!r} is not a name", "write a short name")
            name = "custom"
        description = data.get("description", "")
        if not isinstance(description, str):
            self.problem("description", "not a text", "write one line of text")
            description = ""
        bands = self.bands(data.get("bands"))
        question_weights = self.weights(data.get("question_weights"), "question_weights", True)
        area_weights = self.weights(data.get("area_weights"), "area_weights", False)
        caps = self.caps(data.get("caps"))
        disagreement = self.disagreement(data.get("disagreement"))
        if self.problems:
            raise ProfileError(self.problems, summary=f"{self.file}: invalid scoring profile")
        return ScoringProfile(
            name=name,
            description=description,
            bands=bands,
            question_weights=MappingProxyType(question_weights),
            area_weights=MappingProxyType(area_weights),
            caps=caps,
            disagreement=disagreement,
            file=self.file,
        )

    def disagreement(self, raw: Any) -> Disagreement:
        if raw is None:
            return Disagreement()
        fix = "write disagreement: {min_steps: 2, min_span: 0.5}"
        if not isinstance(raw, dict):
            self.problem("disagreement", "not a mapping", fix)
            return Disagreement()
        for key in raw:
            if key not in _DISAGREEMENT_FIELDS:
                self.problem(
                    f"disagreement.{key}",
                    "unknown field",
                    f"use one of: {', '.join(_DISAGREEMENT_FIELDS)}",
                )
        default = Disagreement()
        steps = raw.get("min_steps", default.min_steps)
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
            self.problem("disagreement.min_steps", f"{steps!r} is not a whole number of steps", fix)
            steps = default.min_steps
        span = self.number(raw.get("min_span", default.min_span), "disagreement.min_span", 0, 1)
        return Disagreement(min_steps=steps, min_span=default.min_span if span is None else span)

    def bands(self, raw: Any) -> tuple[Band, ...]:
        if raw is None:
            return _DEFAULT_BANDS
        fix = "list bands as {from: 0, label: Absent}, ascending, the first from 0"
        if not isinstance(raw, list) or not raw:
            self.problem("bands", "not a non-empty list", fix)
            return _DEFAULT_BANDS
        bands: list[Band] = []
        for i, item in enumerate(raw):
            where = f"bands[{i}]"
            if not isinstance(item, dict) or set(item) != {"from", "label"}:
                self.problem(where, f"{item!r} is not {{from, label}}", fix)
                continue
            lower = self.number(item["from"], f"{where}.from", 0, 100)
            label = item["label"]
            if not isinstance(label, str) or not label.strip():
                self.problem(f"{where}.label", f"{label!r} is not a label", "write a label")
                continue
            if lower is None:
                continue
            if bands and lower <= bands[-1].lower:
                self.problem(f"{where}.from", f"{lower:g} does not ascend", fix)
            bands.append(Band(lower, label))
        if bands and bands[0].lower != 0:
            self.problem("bands[0].from", f"{bands[0].lower:g} is not 0", fix)
        return tuple(bands) if bands else _DEFAULT_BANDS

    def weights(self, raw: Any, where: str, questions: bool) -> dict[str, float]:
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.problem(where, "not a mapping", f"write {where}: {{key: weight}}")
            return {}
        result: dict[str, float] = {}
        for key, value in raw.items():
            field_path = f"{where}.{key}"
            if questions:
                if not isinstance(key, str) or key.count(".") != 1 or "" in key.split("."):
                    self.problem(
                        field_path,
                        f"{key!r} does not name a question",
                        "write questionnaire.question, for example criminal_justice.lg_offence",
                    )
                    continue
            elif key not in AREA_IDS:
                self.problem(
                    field_path, f"unknown area {key!r}", f"use one of: {', '.join(AREA_IDS)}"
                )
                continue
            weight = self.number(value, field_path, 0, 1000)
            if weight is not None:
                result[str(key)] = weight
        return result

    def caps(self, raw: Any) -> tuple[Cap, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.problem(
                "caps", "not a list", "list caps as {when, value|score_below, area, max, reason}"
            )
            return ()
        caps = [self.cap(item, f"caps[{i}]") for i, item in enumerate(raw)]
        return tuple(cap for cap in caps if cap is not None)

    def cap(self, item: Any, where: str) -> Cap | None:
        """One cap, or None when it has problems (all of them reported)."""
        if not isinstance(item, dict):
            self.problem(
                where, "not a mapping", "write {when, value|score_below, area, max, reason}"
            )
            return None
        ok = self.cap_shape(item, where)
        when = item.get("when")
        if "when" in item and (
            not isinstance(when, str) or when.count(".") != 1 or "" in when.split(".")
        ):
            self.problem(
                f"{where}.when",
                f"{when!r} does not name a question",
                "write questionnaire.question",
            )
            ok = False
        area = item.get("area")
        if "area" in item and area not in AREA_IDS:
            self.problem(
                f"{where}.area", f"unknown area {area!r}", f"use one of: {', '.join(AREA_IDS)}"
            )
            ok = False
        maximum = self.number(item["max"], f"{where}.max", 0, 100) if "max" in item else None
        reason = item.get("reason")
        if "reason" in item and (not isinstance(reason, str) or not reason.strip()):
            self.problem(f"{where}.reason", "not a text", "say why the rating is capped")
            ok = False
        value = item.get("value")
        if "value" in item and (isinstance(value, bool) or not isinstance(value, str | int)):
            self.problem(
                f"{where}.value",
                f"{value!r} is not a choice value",
                f"write a choice value or one of: {', '.join(NON_SCORED_STATES)}",
            )
            ok = False
        below = None
        if "score_below" in item:
            below = self.number(item["score_below"], f"{where}.score_below", 0, 1)
            ok = ok and below is not None
        if not ok or maximum is None:
            return None
        assert isinstance(when, str)
        assert isinstance(area, str)
        assert isinstance(reason, str)
        questionnaire, question = when.split(".")
        return Cap(
            questionnaire=questionnaire,
            question=question,
            area=area,
            max=maximum,
            reason=reason.strip(),
            value=None if value is None else str(value),
            score_below=below,
        )

    def cap_shape(self, item: dict[Any, Any], where: str) -> bool:
        """Whether a cap has its fields: none unknown, none missing, one condition."""
        ok = True
        for key in item:
            if key not in _CAP_FIELDS:
                self.problem(
                    f"{where}.{key}", "unknown field", f"use one of: {', '.join(_CAP_FIELDS)}"
                )
                ok = False
        for key in ("when", "area", "max", "reason"):
            if key not in item:
                self.problem(f"{where}.{key}", "missing", f"add {key!r}")
                ok = False
        if ("value" in item) == ("score_below" in item):
            self.problem(
                where, "needs exactly one of 'value' or 'score_below'", "add one condition"
            )
            ok = False
        return ok
