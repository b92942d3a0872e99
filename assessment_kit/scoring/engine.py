"""The scoring engine: answers and consolidated answers in, tidy score frames out.

The method is the one in the README ("The scoring method"), implemented exactly:

* a scored answer has a score s in [0, 1] (``Question.score_of``); the non-scored states
  (unknown, not applicable, not assessed, declined) have none and are never a zero;
* the mission's value for a question is the consolidated answer when the team set one,
  otherwise the mean of the respondents' scores (non-scored answers ignored);
* only relevant questions count: ``relevant`` is evaluated over the mission's answers
  (:mod:`~assessment_kit.scoring.relevance`);
* area score = 100 * sum(w a s) / sum(w a) over scored questions, null when none;
  coverage = sum(w a) over scored / sum(w a) over relevant, applicable questions;
  low / high count every unknown, not-assessed or declined question as 0 / 1;
* disagreement: respondents' scores lie at least the profile's ``min_steps`` levels of
  the question's own scale apart (``min_span`` for ``multiple`` questions);
* "no cases in the period" (``no_cases``), offered only where the question declares it,
  is out of the coverage (``no_cases: not_applicable``) or scored with the declared
  score; caps never fire on it;
* a partial assessment leaves out the sections the mission does not assess entirely.

Decisions the method leaves open, made here and documented in the README:

* A question answered only by respondents is *scored* when at least one respondent gave
  a scored answer. Otherwise its state is ``not_applicable`` only when every respondent
  said so (one respondent cannot take a question out of the denominator while others say
  it is unknown), else the most common of unknown, not assessed, declined (ties in that
  order). A relevant question nobody answered is ``not_assessed``.
* Skip logic before consolidation: relevance is evaluated by the form logic
  (:mod:`assessment_kit.questionnaire.form_logic`, the interview form's own), per
  questionnaire and once per question, each after the questions it reads (questionnaire
  order otherwise), over a map holding the consolidated value where set and otherwise
  a *representative* respondents' value (``relevance.representative``); a question found not
  relevant is removed from the map, as forms clear non-relevant answers. A non-scored
  state is a plain string there, as in the form: ``${q} = 'yes'`` is false when q is
  unknown, so the follow-up the form hides is left out too (q itself widens the range).
* A value that is not a choice of its question (for example after a questionnaire
  change) is ignored; a choice without a score counts as unknown.

The steps live in modules of their own, in the order they run: :mod:`.layout` (the
questions, their weights and areas, before any answer is read), :mod:`.responses` (each
answer's state and score, summed per question; consolidated answers override),
:mod:`.relevance` (skip logic), :mod:`.area_sums` (the areas and their caps) and
:mod:`.build` (typed records). Everything per answer is vectorised (``pandas.factorize``
and ``numpy.bincount``); Python loops run per question or per distinct (question, value)
pair, never per answer.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from assessment_kit.errors import Code, Problem, ProblemsError
from assessment_kit.questionnaire.model import Questionnaire
from assessment_kit.scoring.area_sums import apply_caps, area_sums
from assessment_kit.scoring.build import (
    AnswerTables,
    AreaTables,
    QuestionTables,
    area_records,
    link_records,
    overall_score,
    question_records,
    respondent_records,
)
from assessment_kit.scoring.layout import Layout, layout
from assessment_kit.scoring.profile import ScoringProfile, default_profile
from assessment_kit.scoring.relevance import relevance
from assessment_kit.scoring.responses import STATES, Answers, Decided, decide, read_answers
from assessment_kit.scoring.result import MissionScores

if TYPE_CHECKING:
    from assessment_kit.scoring.layout import AnswerTable
    from assessment_kit.store import Mission

__all__ = ["STATES", "score_answers", "score_mission"]


def score_answers(
    questionnaires: Mapping[str, Questionnaire],
    answers: AnswerTable,
    consolidated: AnswerTable,
    profile: ScoringProfile | None = None,
    sections: Mapping[str, Collection[str]] | None = None,
) -> MissionScores:
    """Score a mission's answers across the seven areas.

    Parameters
    ----------
    questionnaires
        The questionnaires to score, by id; answers to other questionnaires are ignored,
        so passing one instrument scores that instrument alone.
    answers
        Respondents' answers as ``Mission.answers_frame()`` or ``Mission.answers_table()``
        gives them (columns respondent, institution_type, sector, questionnaire, question,
        value; others are ignored).
    consolidated
        Consolidated answers as ``Mission.consolidated_frame()`` or
        ``consolidated_table()`` gives them (columns questionnaire, question, value).
    profile
        Bands, weight overrides, caps and the disagreement threshold; the default profile
        when None.
    sections
        A partial assessment: the ids of the sections assessed, by questionnaire id
        (``Mission.sections``). The questions of the other sections are left out entirely:
        not scored, not gaps, not in the coverage or the range. A questionnaire absent
        from the mapping, or None, is assessed whole.

    Returns
    -------
    MissionScores
        Typed area, question, question-area and respondent scores and the overall score.
    """
    profile = default_profile() if profile is None else profile
    plan = layout(questionnaires, profile, sections)
    warnings: list[str] = []
    given = read_answers(answers, plan, profile)
    decided = decide(consolidated, plan, given, warnings)
    relevant, mission_values = relevance(plan, profile, decided, given, warnings)
    areas = area_sums(plan, relevant, decided.state, decided.score)
    areas = apply_caps(profile, plan, relevant, decided.score, mission_values, areas)
    return _records(answers, plan, profile, given, decided, relevant, areas, warnings)


def _records(
    answers: AnswerTable,
    plan: Layout,
    profile: ScoringProfile,
    given: Answers,
    decided: Decided,
    relevant: npt.NDArray[np.bool_],
    areas: AreaTables,
    warnings: list[str],
) -> MissionScores:
    """The typed records of a run (frames are views of them)."""
    names = list(plan.names)
    in_frame = plan.scored & plan.assessed
    tables = QuestionTables(
        questions=plan.questions,
        questionnaire=[names[i] for i in plan.questionnaire_of],
        primary_area=[p for s in plan.statics for p in s.primary_area],
        relevant=relevant,
        value=decided.value,
        consolidated=decided.consolidated,
        state=decided.state_names,
        score=decided.score,
        n_answers=given.n_answers,
        spread=given.spread,
        disagreement=given.disagreement,
        weight=plan.weight,
    )
    question_scores = question_records(tables, in_frame)
    answer_tables = AnswerTables(
        answers,
        given.rows,
        given.row_q,
        given.scored_rows,
        given.scored_q,
        given.scored_values,
        given.is_scored,
    )
    return MissionScores(
        area_scores=tuple(area_records(areas, profile, question_scores, in_frame, relevant)),
        question_scores=tuple(question_scores),
        links=tuple(link_records(tables, areas)),
        respondent_scores=tuple(
            respondent_records(answer_tables, names, plan.questionnaire_of, relevant)
        ),
        overall=overall_score(areas, profile),
        profile=profile.name,
        questionnaires=tuple(names),
        warnings=tuple(warnings),
        left_out=plan.left_out,
    )


def score_mission(
    mission: Mission,
    *,
    questionnaires: Sequence[str] | None = None,
    profile: ScoringProfile | None = None,
) -> MissionScores:
    """Score a mission file's answers (all its questionnaires, or the ones named).

    Raises
    ------
    ProblemsError
        When a named questionnaire is not one of the mission's (``UNKNOWN_QUESTIONNAIRE``).
    """
    available = mission.questionnaires
    if questionnaires is None:
        selected = dict(available)
    else:
        unknown = [name for name in questionnaires if name not in available]
        if unknown:
            problem = Problem.make(
                Code.UNKNOWN_QUESTIONNAIRE,
                file=mission.location,
                questionnaire=unknown[0],
                known=", ".join(available),
            )
            raise ProblemsError([problem])
        selected = {name: available[name] for name in questionnaires}
    return score_answers(
        selected,
        # without pandas (a quarter of a second to import); notes and who-when not scored
        mission.answers_table(details=False),
        mission.consolidated_table(),
        profile=profile,
        sections=mission.sections,
    )
