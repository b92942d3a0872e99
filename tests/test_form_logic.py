"""The form logic: one dependency graph, and incremental propagation when an answer changes.

The inline questionnaire below has a chain of skips (offence -> consent -> consent_detail),
a calculation feeding relevance (cases -> total -> big_detail), a requirement and a
constraint that read another answer, a forward reference (early reads late) and an
unrelated question.
"""

from __future__ import annotations

from typing import Any, cast

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment_kit.errors import Code, QuestionnaireError
from assessment_kit.questionnaire import loads
from assessment_kit.questionnaire.form_logic import (
    Changes,
    FormState,
    constraint_holds,
    form_graph,
)
from assessment_kit.questionnaire.model import AnswerValue, Questionnaire
from assessment_kit.scoring import score_answers

LOGIC = """\
id: logic
version: 1.0.0
title: Form logic
languages: [en]
respondent_types:
  prosecutor: {label: Prosecutor, sector: justice}
scales:
  ypn:
    label: Yes, partly or no
    choices:
      - {value: "yes", label: "Yes", score: 1}
      - {value: partly, label: Partly, score: 0.5}
      - {value: "no", label: "No", score: 0}
sections:
  - id: legal
    title: Legal framework
    questions:
      - id: early
        type: scale
        scale: ypn
        guidance: Ask.
        recommendation: Strengthen this.
        text: Asked only when the late question is answered yes.
        relevant: "${late} = 'yes'"
        areas: {policy: 1}
      - id: offence
        type: scale
        scale: ypn
        guidance: Ask.
        recommendation: Strengthen this.
        text: Is trafficking in persons a distinct offence?
        areas: {legislation: 1}
      - id: consent
        type: scale
        scale: ypn
        guidance: Ask.
        recommendation: Strengthen this.
        text: Is consent irrelevant once a means is used?
        relevant: "${offence} != 'no'"
        required: "${offence} = 'yes'"
        areas: {legislation: 1}
      - id: consent_detail
        type: text
        guidance: Ask.
        text: Quote the provision on consent.
        relevant: "${consent} = 'yes'"
      - id: cases
        type: integer
        guidance: Ask.
        text: How many cases were prosecuted?
      - id: convicted
        type: integer
        guidance: Ask.
        text: How many of them ended in a conviction?
        constraint: ". >= 0 and . <= ${cases}"
      - id: total
        type: calculate
        text: Cases times two
        calculate: "${cases} * 2"
      - id: big_detail
        type: text
        guidance: Ask.
        text: Describe the largest case.
        relevant: "${total} > 10"
      - id: late
        type: scale
        scale: ypn
        guidance: Ask.
        recommendation: Strengthen this.
        text: A question read by an earlier one.
        relevant: "${offence} != 'no'"
        areas: {policy: 1}
      - id: unrelated
        type: text
        guidance: Ask.
        text: Anything else?
"""


@pytest.fixture(scope="module")
def logic() -> Questionnaire:
    return loads(LOGIC, file="logic.yaml")


def test_graph_orders_each_question_after_what_it_reads(logic: Questionnaire) -> None:
    graph = form_graph(logic)
    assert graph is form_graph(logic)  # built once per questionnaire
    order = graph.order
    assert set(order) == set(logic.questions)
    assert order.index("late") < order.index("early")  # the forward reference
    assert order.index("offence") < order.index("consent") < order.index("consent_detail")
    assert order.index("cases") < order.index("total") < order.index("big_detail")
    # Where the graph leaves a choice, questionnaire order.
    assert order[:2] == ("offence", "consent")
    assert graph.dependents["offence"] == ("consent", "late")
    assert graph.dependents["cases"] == ("convicted", "total")
    assert "unrelated" not in graph.dependents
    assert graph.affected("offence") == ("consent", "consent_detail", "late", "early")
    assert graph.affected("cases") == ("convicted", "total", "big_detail")
    assert graph.affected("unrelated") == ()
    # Relevance reads relevant and calculate expressions only (not required or constraint).
    assert graph.relevance_inputs == {"late", "offence", "consent", "cases", "total"}
    assert graph.with_logic == (
        "consent", "consent_detail", "convicted", "total", "big_detail", "late", "early"
    )  # fmt: skip


def test_initial_state_follows_the_answers(logic: Questionnaire) -> None:
    state = FormState(logic, {"offence": "yes", "consent": "yes", "cases": 7, "late": "no"})
    assert state.relevant("consent_detail")
    state = FormState(logic, {"offence": "no", "consent": "yes", "cases": 7, "late": "no"})
    assert not state.relevant("consent")
    # consent is not relevant, so it reads as empty: the chain of skips collapses.
    assert not state.relevant("consent_detail")
    assert state.value("consent") is None
    assert state.answers["consent"] == "yes"  # the answer is kept
    assert state.calculated("total") == 14
    assert state.relevant("big_detail")
    assert not state.relevant("early")
    assert not state.required("consent")
    assert state.problems == ()


def test_forward_reference_is_evaluated_after_what_it_reads(logic: Questionnaire) -> None:
    # early comes first in the questionnaire but reads late: late is evaluated first.
    assert FormState(logic, {"late": "yes"}).relevant("early")
    assert not FormState(logic, {"late": "partly"}).relevant("early")
    # late is not relevant, so early reads it as empty, although early comes first.
    assert not FormState(logic, {"offence": "no", "late": "yes"}).relevant("early")


def test_scoring_uses_the_same_relevance(logic: Questionnaire) -> None:
    consolidated = pd.DataFrame(
        {
            "questionnaire": ["logic", "logic", "logic"],
            "question": ["offence", "late", "early"],
            "value": ["no", "yes", "yes"],
        }
    )
    answers = pd.DataFrame(
        columns=["respondent", "institution_type", "sector", "questionnaire", "question", "value"]
    )
    scores = score_answers({"logic": logic}, answers, consolidated)
    relevant = scores.questions.set_index("question")["relevant"].to_dict()
    state = FormState(logic, {"offence": "no", "late": "yes", "early": "yes"})
    assert relevant == {qid: state.relevant(str(qid)) for qid in relevant}
    assert not relevant["early"]
    assert scores.warnings == ()


def test_a_chain_collapses_and_reopens(logic: Questionnaire) -> None:
    state = FormState(logic, {"offence": "yes", "consent": "yes"})
    assert state.relevant("consent_detail")
    assert state.required("consent")
    changes = state.set("offence", "no")
    assert changes == Changes(
        "offence",
        relevant=frozenset({"consent", "consent_detail", "late"}),
        required=frozenset({"consent"}),
        evaluated=("offence", "consent", "consent_detail", "late"),
    )
    changes = state.set("offence", "partly")
    assert changes.relevant == {"consent", "consent_detail", "late"}
    assert state.relevant("consent_detail")
    assert changes.required == frozenset()  # already not required under "no"


def test_only_dependents_are_evaluated(logic: Questionnaire) -> None:
    state = FormState(logic, {"offence": "yes"})
    assert state.set("unrelated", "text").evaluated == ("unrelated",)
    # consent stays relevant and keeps no answer: consent_detail need not be looked at.
    assert state.set("offence", "partly").evaluated == ("offence", "consent", "late")
    # An answer to consent changes what consent_detail reads.
    assert state.set("consent", "yes").evaluated == ("consent", "consent_detail")
    # An answer to a question that is not relevant changes nothing others read.
    state.set("offence", "no")
    assert state.set("consent", "no").evaluated == ("consent",)


def test_a_calculation_feeds_relevance(logic: Questionnaire) -> None:
    state = FormState(logic)
    assert state.calculated("total") is None
    assert not state.relevant("big_detail")
    changes = state.set("cases", 7)
    assert changes.calculated == {"total"}
    assert changes.relevant == {"big_detail"}
    assert state.calculated("total") == 14
    assert state.value("total") == 14
    changes = state.set("cases", 3)
    assert changes.calculated == {"total"}
    assert changes.relevant == {"big_detail"}
    changes = state.clear("cases")
    assert changes.calculated == {"total"}
    assert changes.relevant == frozenset()
    assert state.calculated("total") is None


def test_a_constraint_reads_another_answer_and_its_own(logic: Questionnaire) -> None:
    state = FormState(logic, {"cases": 7, "convicted": 5})
    assert state.constraint_ok("convicted")
    assert state.set("cases", 3).constraint == {"convicted"}
    assert not state.constraint_ok("convicted")
    assert state.set("convicted", 2).constraint == {"convicted"}
    assert state.constraint_ok("convicted")
    # A non-scored state is never constrained; unanswered is not checked.
    assert state.set("convicted", "unknown").constraint == frozenset()
    assert state.constraint_ok("convicted")
    state.clear("convicted")
    assert state.constraint_ok("convicted")


@pytest.mark.parametrize(
    ("value", "answers", "expected"),
    [
        (5, {"cases": 7}, (True, None)),
        (8, {"cases": 7}, (False, None)),
        (5, {}, (False, None)),  # None <= nothing: false, as in the form
        ("unknown", {"cases": 0}, (True, None)),  # non-scored states are never constrained
    ],
)
def test_constraint_holds(
    logic: Questionnaire, value: AnswerValue, answers: dict[str, Any], expected: object
) -> None:
    assert constraint_holds(logic.question("convicted"), value, answers) == expected
    assert constraint_holds(logic.question("cases"), value, answers) == (True, None)


def test_a_constraint_that_cannot_be_evaluated_does_not_hold(logic: Questionnaire) -> None:
    holds, error = constraint_holds(
        logic.question("convicted"), 5, {"cases": cast(AnswerValue, object())}
    )
    assert not holds
    assert error


def test_checks_off_evaluates_relevance_and_calculations_only(logic: Questionnaire) -> None:
    state = FormState(logic, {"offence": "yes", "cases": 1, "convicted": 5}, checks=False)
    assert not state.required("consent")
    assert state.constraint_ok("convicted")
    assert state.calculated("total") == 2


def test_an_expression_that_fails_keeps_the_question_and_says_why(logic: Questionnaire) -> None:
    # An answer of a type no expression can read (a store never gives one).
    odd = cast(AnswerValue, object())
    state = FormState(logic, {"offence": odd, "cases": odd})
    assert state.relevant("consent")  # shown rather than silently hidden
    assert state.calculated("total") is None
    assert [(p.question, p.field) for p in state.problems] == [
        ("consent", "relevant"),
        ("consent", "required"),
        ("total", "calculate"),
        ("late", "relevant"),
    ]
    state.set("offence", "no")
    state.set("cases", 2)
    assert state.problems == ()


def test_unknown_question_is_kept_and_changes_nothing(logic: Questionnaire) -> None:
    state = FormState(logic)
    assert state.set("gone", "yes") == Changes("gone")
    assert state.answers["gone"] == "yes"
    assert state.relevant("gone")


def test_a_cycle_is_refused_by_the_validator() -> None:
    text = LOGIC.replace(
        "        text: Is trafficking in persons a distinct offence?\n",
        "        text: Is trafficking in persons a distinct offence?\n"
        "        relevant: \"${consent_detail} != 'x'\"\n",
    )
    with pytest.raises(QuestionnaireError) as caught:
        loads(text, file="logic.yaml")
    assert Code.CYCLE in caught.value.codes


# ----------------------------------------------------------------- incremental = from scratch

_VALUES: dict[str, list[Any]] = {
    "offence": ["yes", "partly", "no", "unknown"],
    "consent": ["yes", "no", "not_applicable"],
    "consent_detail": ["text"],
    "cases": [0, 3, 7, 600],
    "convicted": [-1, 2, 5, "unknown"],
    "big_detail": ["text"],
    "late": ["yes", "no"],
    "early": ["yes", "no"],
    "unrelated": ["text"],
}

steps = st.lists(
    st.sampled_from(sorted(_VALUES)).flatmap(
        lambda q: st.tuples(st.just(q), st.sampled_from([None, *_VALUES[q]]))
    ),
    max_size=25,
)


def _outcome(state: FormState, logic: Questionnaire) -> dict[str, tuple[Any, ...]]:
    return {
        qid: (
            state.relevant(qid),
            state.required(qid),
            state.constraint_ok(qid),
            state.calculated(qid),
            state.value(qid),
        )
        for qid in logic.questions
    }


@settings(max_examples=150, deadline=None)
@given(steps)
def test_incremental_propagation_equals_evaluating_from_scratch(
    logic: Questionnaire, steps: list[tuple[str, AnswerValue | None]]
) -> None:
    state = FormState(logic)
    for question, value in steps:
        before = _outcome(state, logic)
        changes = state.set(question, value)
        fresh = FormState(logic, dict(state.answers))
        after = _outcome(state, logic)
        assert after == _outcome(fresh, logic)
        differ = {qid for qid in after if after[qid][:4] != before[qid][:4]}
        assert changes.changed == differ
        assert set(changes.evaluated) <= {question, *form_graph(logic).affected(question)}
