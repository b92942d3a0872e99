"""The parts of the briefing context: frozen records the templates read.

Text stays raw here; escaping is the renderer's job (Jinja autoescape).
"""

from __future__ import annotations

from dataclasses import dataclass

from assessment_kit.i18n import format_decimal, format_percent

__all__ = [
    "AnnexRow",
    "AreaSection",
    "Disagreement",
    "Finding",
    "Methodology",
    "Observation",
    "RecommendationGroup",
    "RecommendationItem",
    "Reference",
    "ScoreSummary",
]


@dataclass(frozen=True, slots=True)
class ScoreSummary:
    """A score on 0..100 (None when null) with its range, coverage (0..1) and band."""

    score: float | None
    low: float | None
    high: float | None
    coverage: float | None
    band: str | None

    @property
    def has_score(self) -> bool:
        """Whether there is a score (False when nothing relevant has a scored answer)."""
        return self.score is not None

    def text(self) -> str:
        """The score as ``score --json`` rounds it (one decimal), or an em dash."""
        return "—" if self.score is None else format_decimal(round(self.score, 1), 1)

    def range_text(self) -> str:
        """``low–high`` to one decimal, or an em dash."""
        if self.low is None or self.high is None or self.score is None:
            return "—"
        low, high = format_decimal(round(self.low, 1), 1), format_decimal(round(self.high, 1), 1)
        return f"{low}–{high}"

    def coverage_text(self) -> str:
        """Coverage as a whole percentage, or an em dash."""
        return "—" if self.coverage is None else format_percent(100 * round(self.coverage, 3))


@dataclass(frozen=True, slots=True)
class Finding:
    """How the mission answered one scored question."""

    questionnaire: str
    question: str
    text: str
    answer: str
    score: float | None  # 0..100
    source: str  # "consolidated", "respondents" or ""


@dataclass(frozen=True, slots=True)
class Disagreement:
    """A question on which respondents disagree substantively (counts only, no codes)."""

    questionnaire: str
    question: str
    text: str
    spread: float
    answers: tuple[tuple[str, int], ...]  # (answer label, how many respondents)
    consolidated: str  # the team's consolidated answer, or ""

    def answers_text(self) -> str:
        """``Yes (3); No (2)``: each answer with how many respondents gave it."""
        return "; ".join(f"{label} ({count})" for label, count in self.answers)


@dataclass(frozen=True, slots=True)
class Observation:
    """A non-confidential note or piece of evidence, tied to its question."""

    questionnaire: str
    question: str
    question_text: str
    text: str


@dataclass(frozen=True, slots=True)
class Reference:
    """A standard tool a recommendation points to; ``label`` (T1, T2...) numbers it."""

    id: str
    title: str
    url: str = ""
    label: str = ""


@dataclass(frozen=True, slots=True)
class RecommendationItem:
    """A recommendation drawn from weak answers, with its priority (weight times gap)."""

    rank: int
    area: str
    area_name: str
    text: str
    priority: float
    questions: tuple[tuple[str, str], ...]  # (questionnaire, question) it comes from
    question_texts: tuple[str, ...]
    score: float | None  # the lowest score (0..100) among its questions
    references: tuple[Reference, ...]

    @property
    def label(self) -> str:
        """``R1``, ``R2``...: the number the briefing cites the recommendation by."""
        return f"R{self.rank}"

    def questions_text(self) -> str:
        """The ids of the questions it comes from, comma-separated."""
        return ", ".join(question for _, question in self.questions)

    def priority_text(self) -> str:
        """The priority to two decimals."""
        return f"{self.priority:.2f}"


@dataclass(frozen=True, slots=True)
class RecommendationGroup:
    """The recommendations of one area, highest priority first."""

    area: str
    area_name: str
    items: tuple[RecommendationItem, ...]


@dataclass(frozen=True, slots=True)
class AreaSection:
    """One area's page."""

    id: str
    name: str
    short_name: str
    description: str
    colour: str
    score: ScoreSummary
    questions_scored: int
    questions_relevant: int
    strengths: tuple[Finding, ...]
    weaknesses: tuple[Finding, ...]
    disagreements: tuple[Disagreement, ...]
    evidence: tuple[Observation, ...]
    notes: tuple[Observation, ...]
    recommendations: tuple[RecommendationItem, ...]
    more_evidence: int = 0
    more_notes: int = 0
    more_disagreements: int = 0

    @property
    def anchor(self) -> str:
        """The element id of the area's heading (``area-criminal-justice``)."""
        return f"area-{self.id.replace('_', '-')}"


@dataclass(frozen=True, slots=True)
class Methodology:
    """How the scores were made and from whom (counts only)."""

    profile: str
    bands: tuple[tuple[str, float, float], ...]  # (label, from, to)
    instruments: tuple[tuple[str, str, str], ...]  # (id, title, version)
    respondents: int
    by_institution: tuple[tuple[str, str, int], ...]  # (institution label, sector, count)
    by_sector: tuple[tuple[str, int], ...]
    questions_relevant: int
    questions_scored: int
    questions_consolidated: int
    disagreements: int
    coverage: float | None
    # A partial assessment: (instrument, section title) of each section left out.
    left_out: tuple[tuple[str, str], ...] = ()
    # The profile's disagreement threshold, in steps of a question's scale.
    disagreement_steps: int = 2


@dataclass(frozen=True, slots=True)
class AnnexRow:
    """One row of the data annex: one scored question."""

    questionnaire: str
    question: str
    section: str
    text: str
    area: str
    answer: str
    state: str
    score: float | None  # 0..100
    n_answers: int
    disagreement: bool
    weight: float

    def score_text(self) -> str:
        """The score as a whole number, or an em dash."""
        return "—" if self.score is None else f"{self.score:.0f}"
