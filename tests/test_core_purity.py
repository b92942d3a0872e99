"""The core never imports the Jupyter stack, so it installs and runs without it."""

from __future__ import annotations

import json
import subprocess
import sys

CORE_MODULES = [
    "assessment_kit",
    "assessment_kit.areas",
    "assessment_kit.errors",
    "assessment_kit.questionnaire",
    "assessment_kit.questionnaire.form_logic",
    "assessment_kit.store",
    "assessment_kit.files",
    "assessment_kit.scoring",
    "assessment_kit.extras",
    "assessment_kit.demo",
    "assessment_kit.cli",
]
FORBIDDEN = ("ipywidgets", "IPython", "plotly", "nbconvert", "nbformat", "jupyter_client")


def test_core_imports_no_jupyter_stack() -> None:
    code = (
        "import importlib, json, sys\n"
        f"for name in {CORE_MODULES!r}: importlib.import_module(name)\n"
        "from assessment_kit.questionnaire import builtin\n"
        "builtin('criminal_justice'); builtin('organ_removal')\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    loaded = json.loads(result.stdout)
    leaked = sorted(name for name in loaded if name.split(".")[0] in FORBIDDEN)
    assert leaked == []
