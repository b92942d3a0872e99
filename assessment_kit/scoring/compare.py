"""Follow-up assessments: what changed since the baseline, and which recommendations were acted on.

:func:`compare` takes the scores of a baseline mission and of its follow-up (with the
questionnaires each was scored on) and returns a :class:`Comparison`, frozen data:

* **per area** (:class:`AreaChange`): the score, range and coverage then and now, and the
  change. The change is *real* only when the two uncertainty ranges do not overlap;
  otherwise it is *within the uncertainty*. An area without a score on either side is
  *not comparable*.
* **per question** (:class:`QuestionChange`): *improved*, *worsened* or *unchanged* when
  it is scored both times; *now scored* or *no longer scored* when it moved between a
  score and a non-scored state (unknown, not assessed, declined, not applicable,
  ``no_cases``, not relevant, or in a section the mission left out); *not scored* when it
  has a score neither time. A question's score is 0..1 and only counts when the question
  is relevant.
* **matching across versions**: the two missions must use the same instruments (ids);
  their versions may differ by one revision. Questions match by id, and by the newer
  version's ``replaces``: a renamed question compares with its old id, each part of a
  split compares with the question it came from, and a merged question compares with the
  **mean** of the scored questions it merged (the states of the unscored ones are ignored;
  with none scored, their state, or ``mixed``). Questions new in the follow-up, and
  questions dropped from it, are listed in ``new`` and ``dropped`` and never counted as
  change.
* **per baseline recommendation** (:class:`RecommendationStatus`): scoring's
  recommendations of the baseline (:func:`~assessment_kit.scoring.rank.recommendations`),
  each with the follow-up's scores of its questions (through the matching above). The
  lowest scored one decides, with scoring's one definition of strong and weak
  (:func:`~assessment_kit.scoring.rank.is_strong`, :func:`~assessment_kit.scoring.rank.is_weak`):
  *acted on* when it is strong, *not yet* when it is weak, *partly* in between; *cannot
  tell* when none of its questions has a score in the follow-up.

The records and their JSON shape (what ``assessment-kit compare --json`` prints) are in
:mod:`~assessment_kit.scoring.comparison`. Swapping baseline and follow-up negates every
change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assessment_kit.areas import AREAS
from assessment_kit.errors import Code, ComparisonError, Problem
from assessment_kit.questionnaire.model import Questionnaire
from assessment_kit.questionnaire.versions import version_key
from assessment_kit.scoring.comparison import (
    AREA_VERDICTS,
    QUESTION_STATUSES,
    RECOMMENDATION_STATUSES,
    WORDS,
    AreaChange,
    AreaReading,
    Comparison,
    InstrumentVersions,
    ListedQuestion,
    QuestionChange,
    QuestionReading,
    RecommendationStatus,
    round_question,
    round_score,
)
from assessment_kit.scoring.rank import is_strong, is_weak, recommendations
from assessment_kit.scoring.records import Key, QuestionScore

if TYPE_CHECKING:
    from pathlib import Path

    from assessment_kit.scoring.profile import ScoringProfile
    from assessment_kit.scoring.result import MissionScores
    from assessment_kit.store import Mission
    from assessment_kit.store.records import MissionRef

__all__ = [
    "AREA_VERDICTS",
    "QUESTION_STATUSES",
    "RECOMMENDATION_STATUSES",
    "WORDS",
    "AreaChange",
    "AreaReading",
    "Comparison",
    "InstrumentVersions",
    "ListedQuestion",
    "QuestionChange",
    "QuestionReading",
    "RecommendationStatus",
    "baseline_ref",
    "compare",
    "compare_files",
    "compare_missions",
    "compare_with_baseline",
    "open_baseline",
    "round_question",
    "round_score",
]

# Scores that differ by less than this are the same score (0.75 - 0.25 is 0.5).
_EPSILON = 1e-9
# The state of a question scoring has no record of: its section is left out of the mission.
LEFT_OUT = "left_out"
NOT_RELEVANT = "not_relevant"
MIXED = "mixed"


# -- matching -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Pair:
    """Questions compared: older ids against newer ids (one side holds a single id)."""

    questionnaire: str
    older: tuple[str, ...]
    newer: tuple[str, ...]
    match: str


def _check_instruments(
    baseline: Mapping[str, Questionnaire],
    followup: Mapping[str, Questionnaire],
    file: str | None = None,
) -> None:
    """Refuse two missions of different instruments, or versions more than a revision apart.

    ``file`` is the baseline's file, named in the problems when known.
    """
    if set(baseline) != set(followup):
        raise ComparisonError(
            [
                Problem.make(
                    Code.COMPARE_INSTRUMENTS,
                    file=file,
                    baseline=", ".join(sorted(baseline)) or "none",
                    followup=", ".join(sorted(followup)) or "none",
                )
            ]
        )
    problems = []
    for qid in baseline:
        older, newer = _ordered(baseline[qid], followup[qid])
        if newer.version != older.version and newer.previous not in (None, older.version):
            problems.append(
                Problem.make(
                    Code.COMPARE_LINEAGE,
                    file=file,
                    path=qid,
                    questionnaire=qid,
                    newer=newer.version,
                    previous=newer.previous,
                    older=older.version,
                )
            )
    if problems:
        raise ComparisonError(problems)


def _ordered(a: Questionnaire, b: Questionnaire) -> tuple[Questionnaire, Questionnaire]:
    """The older and the newer of two versions of an instrument (``b`` when equal)."""
    key_a, key_b = version_key(a.version), version_key(b.version)
    if key_a is not None and key_b is not None and key_a > key_b:
        return b, a
    return a, b


def _pairs(older: Questionnaire, newer: Questionnaire) -> tuple[list[_Pair], list[str], list[str]]:
    """The questions compared, the newer's questions with no source, the older's unmatched.

    Only scored questions are compared: the others have no score to change.
    """
    qid = newer.id
    old_scored = {q.id for q in older.iter_questions() if q.scored}
    same = newer.version == older.version
    sources: dict[str, tuple[str, ...]] = {}
    for question in newer.iter_questions():
        if not question.scored:
            continue
        own = (question.id,) if question.id in old_scored else ()
        replaced = () if same else tuple(r for r in question.replaces if r in old_scored)
        sources[question.id] = tuple(dict.fromkeys(own + replaced))
    uses = Counter(source for ids in sources.values() for source in ids)
    pairs: list[_Pair] = []
    new: list[str] = []
    for newer_id, ids in sources.items():
        if not ids:
            new.append(newer_id)
        elif len(ids) > 1:
            # Merged: the one newer question against the mean of the older ones.
            pairs.append(_Pair(qid, ids, (newer_id,), "merged"))
        else:
            (old_id,) = ids
            same_id = "same" if old_id == newer_id else "renamed"
            match = "split" if uses[old_id] > 1 else same_id
            pairs.append(_Pair(qid, (old_id,), (newer_id,), match))
    used = set(uses)
    gone = [q.id for q in older.iter_questions() if q.scored and q.id not in used]
    return pairs, new, gone


# -- readings -----------------------------------------------------------------------------


def _reading(records: Sequence[QuestionScore | None]) -> QuestionReading:
    """One side of a pair: the score (the mean over several questions), else the state."""
    scores = [r.score for r in records if r is not None and r.counts and r.score is not None]
    if scores:
        return QuestionReading(sum(scores) / len(scores), "scored")
    states = {_state(r) for r in records}
    return QuestionReading(None, states.pop() if len(states) == 1 else MIXED)


def _state(record: QuestionScore | None) -> str:
    if record is None:
        return LEFT_OUT
    if not record.relevant:
        return NOT_RELEVANT
    return record.state


def _status(then: QuestionReading, now: QuestionReading) -> tuple[float | None, str]:
    if then.score is not None and now.score is not None:
        change = now.score - then.score
        if abs(change) < _EPSILON:
            return 0.0, "unchanged"
        return change, "improved" if change > 0 else "worsened"
    if then.score is not None:
        return None, "no_longer_scored"
    if now.score is not None:
        return None, "now_scored"
    return None, "not_scored"


def _area_change(then: Any, now: Any) -> AreaChange:
    before = AreaReading(then.score, then.low, then.high, then.coverage)
    after = AreaReading(now.score, now.low, now.high, now.coverage)
    if before.score is None or after.score is None:
        return AreaChange(now.area, now.name, before, after, None, "not_comparable")
    lows = (before.low, after.low)
    highs = (before.high, after.high)
    if None in lows or None in highs:
        verdict = "within_uncertainty"
    else:
        apart = (before.high or 0.0) < (after.low or 0.0) or (after.high or 0.0) < (
            before.low or 0.0
        )
        verdict = "real" if apart else "within_uncertainty"
    return AreaChange(now.area, now.name, before, after, after.score - before.score, verdict)


# -- the comparison -----------------------------------------------------------------------


def compare(
    baseline: MissionScores,
    followup: MissionScores,
    baseline_questionnaires: Mapping[str, Questionnaire],
    followup_questionnaires: Mapping[str, Questionnaire],
    *,
    baseline_ref: MissionRef | None = None,
    followup_ref: MissionRef | None = None,
) -> Comparison:
    """Compare a follow-up's scores with its baseline's (pure: no I/O).

    Parameters
    ----------
    baseline, followup
        The two missions' scores (``score_mission``).
    baseline_questionnaires, followup_questionnaires
        The questionnaires each mission was scored on, by id: the same ids, in versions
        that are the same or one revision apart.
    baseline_ref, followup_ref
        What the comparison says of each mission (title, country, dates, identity).

    Raises
    ------
    ComparisonError
        ``COMPARE_INSTRUMENTS`` when the missions use different instruments,
        ``COMPARE_LINEAGE`` when a version does not revise the other.
    """
    before_q = {k: v for k, v in baseline_questionnaires.items() if _scored_in(baseline, k)}
    after_q = {k: v for k, v in followup_questionnaires.items() if _scored_in(followup, k)}
    _check_instruments(before_q, after_q)
    before = {q.key: q for q in baseline.question_scores}
    after = {q.key: q for q in followup.question_scores}
    questions: list[QuestionChange] = []
    new: list[ListedQuestion] = []
    dropped: list[ListedQuestion] = []
    # The baseline's question ids, by questionnaire, to the pairs' follow-up sides.
    followers: dict[Key, list[QuestionChange]] = {}
    for qid in after_q:
        b_questionnaire, a_questionnaire = before_q[qid], after_q[qid]
        older, newer = _ordered(b_questionnaire, a_questionnaire)
        baseline_is_older = older is b_questionnaire
        pairs, only_newer, only_older = _pairs(older, newer)
        newer_scores = after if baseline_is_older else before
        for pair in pairs:
            question = _question_change(pair, baseline_is_older, before, after, newer)
            questions.append(question)
            for b_id in question.baseline_questions:
                followers.setdefault((qid, b_id), []).append(question)
        newer_listed = [_listed(newer, newer_scores, i) for i in only_newer]
        older_scores = before if baseline_is_older else after
        older_listed = [_listed(older, older_scores, i) for i in only_older]
        new += newer_listed if baseline_is_older else older_listed
        dropped += older_listed if baseline_is_older else newer_listed
    areas = tuple(
        _area_change(baseline.area_score(area.id), followup.area_score(area.id)) for area in AREAS
    )
    return Comparison(
        baseline=baseline_ref,
        followup=followup_ref,
        instruments=tuple(
            InstrumentVersions(qid, before_q[qid].version, after_q[qid].version) for qid in after_q
        ),
        overall_then=baseline.overall.score,
        overall_now=followup.overall.score,
        areas=areas,
        questions=tuple(questions),
        new=tuple(new),
        dropped=tuple(dropped),
        recommendations=_statuses(baseline, before_q, followers),
    )


def _question_change(
    pair: _Pair,
    baseline_is_older: bool,
    before: Mapping[Key, QuestionScore],
    after: Mapping[Key, QuestionScore],
    newer: Questionnaire,
) -> QuestionChange:
    """One pair of questions then and now; named by the newer version's question."""
    qid = pair.questionnaire
    b_ids, a_ids = (pair.older, pair.newer) if baseline_is_older else (pair.newer, pair.older)
    then = _reading([before.get((qid, i)) for i in b_ids])
    now = _reading([after.get((qid, i)) for i in a_ids])
    change, status = _status(then, now)
    (newer_id,) = pair.newer
    record = (after if baseline_is_older else before).get((qid, newer_id))
    return QuestionChange(
        questionnaire=qid,
        question=newer_id,
        text=newer.questions[newer_id].text.en,
        area=_area(record, newer.questions[newer_id].areas),
        match=pair.match,
        baseline_questions=b_ids,
        followup_questions=a_ids,
        then=then,
        now=now,
        change=change,
        status=status,
    )


def _scored_in(scores: MissionScores, questionnaire: str) -> bool:
    """Whether the scores cover a questionnaire (all of them when none is named)."""
    return not scores.questionnaires or questionnaire in scores.questionnaires


def _area(record: QuestionScore | None, areas: Mapping[str, float]) -> str | None:
    if record is not None and record.primary_area is not None:
        return record.primary_area
    return max(areas.items(), key=lambda item: item[1])[0] if areas else None


def _listed(
    questionnaire: Questionnaire, scores: Mapping[Key, QuestionScore], question: str
) -> ListedQuestion:
    model = questionnaire.questions[question]
    return ListedQuestion(
        questionnaire.id,
        question,
        model.text.en,
        _area(scores.get((questionnaire.id, question)), model.areas),
    )


def _statuses(
    baseline: MissionScores,
    questionnaires: Mapping[str, Questionnaire],
    followers: Mapping[Key, Sequence[QuestionChange]],
) -> tuple[RecommendationStatus, ...]:
    """Each baseline recommendation with the follow-up's lowest score of its questions."""
    statuses = []
    for recommendation in recommendations(baseline, questionnaires):
        matched = [q for key in recommendation.questions for q in followers.get(key, ())]
        keys = tuple(
            dict.fromkeys((q.questionnaire, i) for q in matched for i in q.followup_questions)
        )
        scores = [q.now.score for q in matched if q.now.score is not None]
        now = min(scores) if scores else None
        if now is None:
            status = "cannot_tell"
        elif is_strong(now):
            status = "acted_on"
        elif is_weak(now):
            status = "not_yet"
        else:
            status = "partly"
        statuses.append(
            RecommendationStatus(
                area=recommendation.area,
                text=recommendation.text,
                priority=recommendation.priority,
                questions=recommendation.questions,
                followup_questions=keys,
                then_score=recommendation.score,
                now_score=now,
                status=status,
            )
        )
    return tuple(statuses)


# -- from mission files -------------------------------------------------------------------


def compare_missions(
    baseline: Mission, followup: Mission, *, profile: ScoringProfile | None = None
) -> Comparison:
    """Score two open missions with one profile and compare them (see :func:`compare`)."""
    from assessment_kit.scoring.engine import score_mission

    return compare(
        score_mission(baseline, profile=profile),
        score_mission(followup, profile=profile),
        baseline.questionnaires,
        followup.questionnaires,
        baseline_ref=baseline.info.ref(),
        followup_ref=followup.info.ref(),
    )


def compare_files(
    baseline: str | Path, followup: str | Path, *, profile: ScoringProfile | None = None
) -> Comparison:
    """Open two mission files and compare them (``assessment-kit compare``)."""
    from assessment_kit.store import Mission

    with Mission.open(baseline) as before, Mission.open(followup) as after:
        return compare_missions(before, after, profile=profile)


def open_baseline(followup: Mission, baseline: str | Path) -> Mission:
    """Open the baseline file of an open follow-up, checking it is the one it records.

    The caller closes it (``with open_baseline(...) as before:``).

    Raises
    ------
    ComparisonError
        ``NO_BASELINE`` when the follow-up records no baseline, ``NOT_THE_BASELINE`` when
        the file holds another mission (its uuid differs; a copy of the baseline is the
        baseline), ``COMPARE_INSTRUMENTS`` when the two use different instruments.
    StoreError
        When the baseline file cannot be opened.
    """
    from assessment_kit.store import Mission

    recorded = followup.info.baseline
    if recorded is None:
        raise ComparisonError([Problem.make(Code.NO_BASELINE, file=str(followup.path))])
    before = Mission.open(baseline)
    try:
        found = before.info
        if found.uuid != recorded.uuid:
            raise ComparisonError(
                [
                    Problem.make(
                        Code.NOT_THE_BASELINE,
                        file=str(baseline),
                        expected=recorded.title,
                        expected_uuid=recorded.uuid,
                        found=found.title,
                        found_uuid=found.uuid,
                    )
                ]
            )
        _check_instruments(before.questionnaires, followup.questionnaires, str(baseline))
    except BaseException:
        before.close()
        raise
    return before


def compare_with_baseline(
    followup: Mission,
    baseline: str | Path,
    *,
    profile: ScoringProfile | None = None,
    scores: MissionScores | None = None,
) -> Comparison:
    """Compare an open follow-up with the baseline file it records (see :func:`open_baseline`).

    ``scores`` are the follow-up's scores when already made (with ``profile``).
    """
    from assessment_kit.scoring.engine import score_mission

    with open_baseline(followup, baseline) as before:
        return compare(
            score_mission(before, profile=profile),
            scores if scores is not None else score_mission(followup, profile=profile),
            before.questionnaires,
            followup.questionnaires,
            baseline_ref=before.info.ref(),
            followup_ref=followup.info.ref(),
        )


def baseline_ref(baseline: str | Path, questionnaires: Iterable[Questionnaire]) -> MissionRef:
    """The baseline a new follow-up on ``questionnaires`` records (``new --baseline``).

    Raises
    ------
    ComparisonError
        ``COMPARE_INSTRUMENTS`` when the baseline uses other instruments,
        ``COMPARE_LINEAGE`` when a version is more than one revision from the baseline's.
    StoreError
        When the baseline file cannot be opened.
    """
    from assessment_kit.store import Mission

    with Mission.open(baseline) as before:
        _check_instruments(before.questionnaires, {q.id: q for q in questionnaires}, str(baseline))
        return before.info.ref()
