"""A seeded, realistic demo mission: Freedonia, autumn 2026, both instruments, and its baseline.

Twelve pseudonymous respondents across institution types answer the questions meant for
them. The country has a profile (strong law, weak data, patchy victim support), each
respondent a leaning of their own, so the mission shows real disagreements, unknowns,
notes, evidence, a confidential note and consolidated answers with a rationale. The same
seed always gives the same mission.

It is a partial assessment (the last section of the organ-removal instrument is left out,
and nobody is asked its questions), and on some of the practice questions that declare
"No cases in the period" the country had no case, so respondents answer ``no_cases``.

The 2026 mission is a follow-up: :func:`create_demo_baseline` makes the baseline mission of
spring 2023, which fewer respondents answered on the instruments as they then were (the
1.0.0 versions kept in ``questionnaires/previous/``), as a real follow-up finds them, so the
comparison matches renamed, split and merged questions through ``replaces``. Between the
two the country acted on the law and on coordination (the baseline's legislation and
policy recommendations are acted on), left data collection where it was, and victim
support slipped (questions that worsened).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from assessment_kit.errors import AnswerError
from assessment_kit.questionnaire import builtin, builtin_dir
from assessment_kit.questionnaire.answers import score_of
from assessment_kit.questionnaire.form_logic import FormState
from assessment_kit.questionnaire.model import NO_CASES, AnswerValue, Question, Questionnaire

if TYPE_CHECKING:
    from assessment_kit.store import Mission
    from assessment_kit.store.batch import Batch
    from assessment_kit.store.records import MissionRef

COUNTRY = "Freedonia"
TITLE = "Freedonia: needs assessment of the response to trafficking in persons"
START = date(2026, 10, 5)
END = date(2026, 10, 16)
INTERVIEWERS = ("Assessor A", "Assessor B", "Assessor C")

# How strong the country's response is in each area (the mean score answers lean towards).
COUNTRY_PROFILE: Mapping[str, float] = {
    "prevention": 0.55,
    "data": 0.25,
    "legislation": 0.8,
    "policy": 0.5,
    "criminal_justice": 0.45,
    "protection": 0.35,
    "cooperation": 0.6,
}


# The baseline mission, before the technical assistance: spring 2023, on the instruments'
# versions of then (kept in questionnaires/previous/).
BASELINE_TITLE = "Freedonia: baseline needs assessment of the response to trafficking in persons"
BASELINE_START = date(2023, 3, 6)
BASELINE_END = date(2023, 3, 17)
BASELINE_VERSION = "1.0.0"
BASELINE_PROFILE: Mapping[str, float] = {
    "prevention": 0.4,
    "data": 0.25,
    "legislation": 0.4,
    "policy": 0.25,
    "criminal_justice": 0.4,
    "protection": 0.5,
    "cooperation": 0.55,
}


@dataclass(frozen=True, slots=True)
class DemoRespondent:
    """One demo respondent: a pseudonymous code, an instrument and an institution type."""

    code: str
    questionnaire: str
    institution_type: str
    leaning: float  # added to the country profile: officials tend to rate higher, NGOs lower
    day: int


# Preferred institution types per instrument, in the order they are interviewed; a type the
# instrument does not define is replaced by one it does.
_PREFERRED: Mapping[str, tuple[tuple[str, float], ...]] = {
    "criminal_justice": (
        ("ministry_justice", 0.15),
        ("ministry_interior", 0.1),
        ("national_coordinator", 0.1),
        ("police_specialised", 0.05),
        ("prosecutor", 0.0),
        ("judge", 0.0),
        ("labour_inspectorate", -0.05),
        ("ngo_shelter", -0.25),
        ("international_organisation", -0.1),
    ),
    "organ_removal": (
        ("ministry_health", 0.15),
        ("transplant_authority", 0.1),
        ("transplant_centre", 0.0),
        ("ngo_donors", -0.25),
    ),
}

_NOTES: Mapping[str, tuple[str, ...]] = {
    "prevention": (
        "The 30 July campaign reached national television but no material exists in the "
        "languages of the main migrant communities.",
        "Recruitment agencies are licensed, but the labour inspectorate has two inspectors "
        "for the whole northern region.",
    ),
    "data": (
        "Police and prosecution keep separate spreadsheets; figures for 2025 do not match.",
        "Victim data are not disaggregated by form of exploitation before 2024.",
    ),
    "legislation": (
        "Article 181 of the Penal Code was amended in 2019 to add forced begging and "
        "forced criminality.",
        "The non-punishment clause covers immigration offences only, not other offences.",
    ),
    "policy": (
        "The National Action Plan 2024-2027 has a budget line, but no monitoring report "
        "has been published.",
        "The referral mechanism exists on paper; NGOs report that police rarely use it.",
    ),
    "criminal_justice": (
        "Twelve cases went to trial in 2025; average time from charge to verdict was 26 months.",
        "No financial investigation was opened alongside a trafficking case last year.",
    ),
    "protection": (
        "One shelter with 14 places serves adult women; there is none for men.",
        "Victims receive a 30-day reflection period, but residence permits require "
        "cooperation with the prosecution.",
    ),
    "cooperation": (
        "Mutual legal assistance requests to the main destination country take about nine months.",
        "A liaison officer was posted to the neighbouring country in 2025.",
    ),
}

_EVIDENCE: Mapping[str, tuple[str, ...]] = {
    "prevention": ("Campaign report 2025, Ministry of Interior", "Agency licensing register"),
    "data": ("Police annual statistics 2025", "Prosecution case register extract"),
    "legislation": ("Penal Code, art. 181 (as amended 2019)", "Law 12/2019 on trafficking"),
    "policy": ("National Action Plan 2024-2027", "Referral mechanism SOP (2023)"),
    "criminal_justice": ("Court judgments 2024-2025", "Prosecution statistics 2025"),
    "protection": ("Shelter intake data 2025", "Ministry of Social Affairs budget 2026"),
    "cooperation": ("MLA request log 2025", "Bilateral agreement with Sylvania (2022)"),
}


def demo_respondents(questionnaires: Mapping[str, Questionnaire]) -> list[DemoRespondent]:
    """The demo's respondents, with institution types the instruments define."""
    respondents: list[DemoRespondent] = []
    day = 0
    for qid, preferred in _PREFERRED.items():
        if qid not in questionnaires:
            continue
        defined = list(questionnaires[qid].respondent_types)
        unused = [t for t in defined if t not in dict(preferred)]
        for index, (type_id, leaning) in enumerate(preferred, start=1):
            chosen = type_id if type_id in defined else (unused.pop(0) if unused else defined[0])
            prefix = "CJ" if qid == "criminal_justice" else "OR"
            respondents.append(DemoRespondent(f"{prefix}-{index:02d}", qid, chosen, leaning, day))
            day = (day + 1) % 10
    return respondents


# The share of the practice questions declaring no_cases on which the country had no case.
_NO_CASES_SHARE = 0.4


def demo_sections(questionnaires: Mapping[str, Questionnaire]) -> list[str]:
    """The sections the demo assesses: all but the last one of organ removal."""
    organ = questionnaires.get("organ_removal")
    if organ is None or len(organ.sections) < 2:
        return []
    return [f"organ_removal.{section.id}" for section in organ.sections[:-1]]


def _no_cases_questions(questionnaires: Mapping[str, Questionnaire], seed: int) -> set[str]:
    """Questions (``questionnaire.question``) on which the country had no case.

    Picked from the questions that declare ``no_cases`` in the loaded instruments, with a
    generator of their own so that the rest of the mission does not depend on how many
    questions declare it.
    """
    rng = random.Random(f"no-cases-{seed}")
    return {
        f"{q.id}.{question.id}"
        for q in questionnaires.values()
        for question in q.iter_questions()
        if question.offers_no_cases and rng.random() < _NO_CASES_SHARE
    }


def _area_mean(question: Question, profile: Mapping[str, float] = COUNTRY_PROFILE) -> float:
    total = sum(question.areas.values()) or 1.0
    return sum(profile.get(a, 0.5) * w for a, w in question.areas.items()) / total


def _primary_area(question: Question) -> str:
    return max(question.areas.items(), key=lambda item: item[1])[0] if question.areas else ""


def _scored_value(question: Question, target: float, rng: random.Random) -> AnswerValue:
    scored = [c for c in question.choices if c.score is not None]
    if question.type == "multiple":
        picked = tuple(c.value for c in scored if rng.random() < target + 0.1)
        return picked or (scored[0].value,)
    # Pick the choice whose score is nearest a noisy draw around the target.
    draw = min(1.0, max(0.0, rng.gauss(target, 0.14)))
    return min(scored, key=lambda c: abs((c.score or 0.0) - draw)).value


def _unscored_value(question: Question, rng: random.Random) -> AnswerValue | None:
    if question.type == "integer":
        return rng.choice((0, 2, 3, 5, 8, 12, 14, 21, 37))
    if question.type == "decimal":
        return round(rng.uniform(0, 100), 1)
    if question.type == "date":
        return (date(2015, 1, 1) + timedelta(days=rng.randrange(0, 3650))).isoformat()
    if question.type == "text":
        return "Described in the interview; see the evidence cited."
    if question.type in ("single", "multiple") and question.choices:
        if question.type == "multiple":
            return tuple(c.value for c in question.choices if rng.random() < 0.5) or (
                question.choices[0].value,
            )
        return rng.choice(question.choices).value
    return None


def create_demo_mission(
    path: str | Path,
    *,
    seed: int = 2026,
    baseline: MissionRef | None = None,
    language: str = "en",
) -> Mission:
    """Create the seeded demo mission at ``path`` (which must not exist) and return it open.

    ``baseline`` records the mission it follows up (``create_demo_baseline(...).info.ref()``);
    the answers are the same with it or without. ``language`` is the mission's language
    (its briefing's); the answers are the same in every language.
    """
    from assessment_kit.store import Mission

    questionnaires = [builtin("criminal_justice"), builtin("organ_removal")]
    by_id = {q.id: q for q in questionnaires}
    mission = Mission.create(
        path,
        country=COUNTRY,
        title=TITLE,
        questionnaires=questionnaires,
        start_date=START,
        end_date=END,
        sections=demo_sections(by_id),
        baseline=baseline,
        language=language,
    )
    try:
        _fill(mission, by_id, random.Random(seed), _no_cases_questions(by_id, seed))
    except BaseException:
        mission.close()
        raise
    return mission


def _fill(
    mission: Mission,
    questionnaires: Mapping[str, Questionnaire],
    rng: random.Random,
    no_cases: set[str],
) -> None:
    noted: set[str] = set()
    confidential_done = False
    assessed = mission.sections
    for index, person in enumerate(demo_respondents(questionnaires)):
        q = questionnaires[person.questionnaire]
        interviewer = INTERVIEWERS[index % len(INTERVIEWERS)]
        mission.add_respondent(
            person.code,
            institution_type=person.institution_type,
            interview_date=START + timedelta(days=person.day),
            interviewer=interviewer,
            consent=True,
            by=interviewer,
        )
        # Skip logic as the interview form applies it, updated as each answer is given.
        form = FormState(q, checks=False)
        for question in q.questions_for(person.institution_type):
            if not question.answerable or question.section not in assessed[q.id]:
                continue  # a partial assessment asks nothing of the sections left out
            if not form.relevant(question.id):
                continue
            roll = rng.random()
            value: AnswerValue | None
            if roll < 0.15:
                continue  # not reached in the interview: counts as not assessed
            if roll < 0.22:
                value = "unknown"
            elif roll < 0.24:
                value = "not_applicable"
            elif f"{q.id}.{question.id}" in no_cases and roll < 0.9:
                value = NO_CASES  # most respondents know there was no case; some guess
            elif question.scored:
                value = _scored_value(question, _area_mean(question) + person.leaning, rng)
            else:
                value = _unscored_value(question, rng)
            if value is None:
                continue
            note = evidence = ""
            confidential = False
            area = _primary_area(question)
            unused = [text for text in _NOTES.get(area, ()) if text not in noted]
            if unused and rng.random() < 0.12:
                # Each finding is heard once: a briefing repeating a note reads as padding.
                note = rng.choice(unused)
                noted.add(note)
                evidence = rng.choice(_EVIDENCE[area])
            elif area and not confidential_done and question.scored:
                confidential_done = True
                confidential = True
                note = (
                    "Off the record: the respondent named a senior official suspected of "
                    "protecting a recruitment network."
                )
            try:
                mission.set_answer(
                    person.code,
                    q.id,
                    question.id,
                    value,
                    note=note,
                    evidence=evidence,
                    confidential=confidential,
                    by=interviewer,
                )
            except AnswerError:
                continue  # a generated number the question's constraint refuses
            form.set(question.id, value)
    _consolidate(mission, questionnaires)


def _consolidate(mission: Mission, questionnaires: Mapping[str, Questionnaire]) -> None:
    """The team settles the questions where respondents disagree most (up to 8 each)."""
    frame = mission.answers_frame()
    for q in questionnaires.values():
        spreads: list[tuple[float, str, float]] = []
        for question_id, group in frame[frame["questionnaire"] == q.id].groupby("question"):
            question = q.question(str(question_id))
            scores = [s for s in (score_of(question, v) for v in group["value"]) if s is not None]
            if len(scores) >= 2:
                spreads.append((max(scores) - min(scores), question.id, min(scores)))
        spreads.sort(reverse=True)
        for spread, question_id, lowest in spreads[:8]:
            question = q.question(question_id)
            # The team sides with the more critical view after checking documents.
            choice = min(
                (c for c in question.choices if c.score is not None),
                key=lambda c: abs((c.score or 0.0) - lowest),
            )
            value: AnswerValue = (choice.value,) if question.type == "multiple" else choice.value
            mission.consolidate(
                q.id,
                question_id,
                value,
                rationale=(
                    f"Respondents' scores spread by {spread:.2f}; the documents reviewed "
                    "support the more critical view."
                ),
                by="Mission lead",
            )


def demo_baseline_path(mission: str | Path) -> Path:
    """Where the demo's baseline goes beside a demo mission file.

    ``freedonia-demo[-N].db`` has ``freedonia-baseline[-N].db`` (as ``assessment-kit demo``
    writes them); any other ``NAME.db`` has ``NAME-baseline.db``.
    """
    path = Path(mission)
    stem = "freedonia-demo"
    if path.stem == stem or path.stem.startswith(f"{stem}-"):
        return path.with_name(f"freedonia-baseline{path.stem[len(stem) :]}{path.suffix}")
    return path.with_name(f"{path.stem}-baseline{path.suffix}")


def baseline_questionnaires() -> list[Questionnaire]:
    """The instruments as the baseline used them: the shipped 1.0.0 versions."""
    from assessment_kit.questionnaire.loader import loads_known

    folder = builtin_dir() / "previous"
    loaded = []
    for qid in ("criminal_justice", "organ_removal"):
        path = folder / f"{qid}-{BASELINE_VERSION}.yaml"
        # Shipped text: not validated again (its digest is known), a few tenths of a second.
        loaded.append(loads_known(path.read_text(encoding="utf-8"), file=str(path)))
    return loaded


def create_demo_baseline(path: str | Path, *, seed: int = 2023) -> Mission:
    """Create the demo's baseline mission (spring 2023) at ``path`` and return it open.

    Every other demo respondent is interviewed, on the 1.0.0 instruments, about the
    country as it stood before the technical assistance (:data:`BASELINE_PROFILE`). Only
    the scored questions are asked: they are what a follow-up compares. One transaction
    writes it all, so it costs a fraction of the follow-up.
    """
    from assessment_kit.store import Mission

    questionnaires = baseline_questionnaires()
    by_id = {q.id: q for q in questionnaires}
    mission = Mission.create(
        path,
        country=COUNTRY,
        title=BASELINE_TITLE,
        questionnaires=questionnaires,
        start_date=BASELINE_START,
        end_date=BASELINE_END,
    )
    try:
        rng = random.Random(seed)
        no_cases = _no_cases_questions(by_id, seed)
        with mission.batch(by="Baseline team") as batch:
            for index, person in enumerate(demo_respondents(by_id)[::2]):
                _interview_baseline(
                    batch, by_id[person.questionnaire], person, index, rng, no_cases
                )
    except BaseException:
        mission.close()
        raise
    return mission


def _interview_baseline(
    batch: Batch,
    questionnaire: Questionnaire,
    person: DemoRespondent,
    index: int,
    rng: random.Random,
    no_cases: set[str],
) -> None:
    """One baseline interview: the scored questions meant for the respondent, skip logic on."""
    batch.add_respondent(
        person.code,
        institution_type=person.institution_type,
        interview_date=BASELINE_START + timedelta(days=person.day),
        interviewer=INTERVIEWERS[index % len(INTERVIEWERS)],
        consent=True,
    )
    form = FormState(questionnaire, checks=False)
    for question in questionnaire.questions_for(person.institution_type):
        if not question.scored or not form.relevant(question.id):
            continue
        roll = rng.random()
        value: AnswerValue
        if roll < 0.1:
            continue  # not reached in the interview
        if roll < 0.2:
            value = "unknown"
        elif f"{questionnaire.id}.{question.id}" in no_cases and roll < 0.9:
            value = NO_CASES
        else:
            target = _area_mean(question, BASELINE_PROFILE) + person.leaning
            value = _scored_value(question, target, rng)
        batch.set_answer(person.code, questionnaire.id, question.id, value)
        form.set(question.id, value)
