"""The README's examples are real: they load and score as shown."""

from __future__ import annotations

import re
from pathlib import Path

from assessment_kit.questionnaire import builtin, loads
from assessment_kit.scoring import loads_profile, score_answers
from assessment_kit.store import Mission

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
YAML_BLOCKS = re.findall(r"```yaml\n(.*?)```", README, flags=re.DOTALL)


def test_readme_questionnaire_example_is_valid() -> None:
    questionnaire = loads(YAML_BLOCKS[0], file="README.md")
    assert list(questionnaire.questions) == ["lf_offence", "lf_consent"]


def test_readme_profile_example_caps_a_score(tmp_path: Path) -> None:
    profile = loads_profile(YAML_BLOCKS[1], file="README.md")
    cj = builtin("criminal_justice")
    with Mission.create(tmp_path / "m.db", country="X", title="X", questionnaires=[cj]) as mission:
        mission.add_respondent("R1", institution_type="prosecutor")
        for question in cj.iter_questions():
            if question.scored and question.type == "scale":
                best = max(question.choices, key=lambda c: c.score or 0.0)
                mission.set_answer("R1", cj.id, question.id, best.value)
        mission.set_answer("R1", cj.id, "le_complicity_investigated", "no")
        answers, consolidated = mission.answers_frame(), mission.consolidated_frame()
    capped = score_answers({cj.id: cj}, answers, consolidated, profile).area("criminal_justice")
    plain = score_answers({cj.id: cj}, answers, consolidated).area("criminal_justice")
    assert plain["score"] > 40
    assert capped["score"] == 40
