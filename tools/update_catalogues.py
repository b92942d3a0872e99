"""Extract the interface strings and bring every language's catalogue up to date.

    python tools/update_catalogues.py

Writes assessment_kit/locale/assessment_kit.pot (pybabel extract, with babel.cfg) and
merges it into each assessment_kit/locale/<lang>/LC_MESSAGES/assessment_kit.po (pybabel
update): a new string arrives with an empty translation for the translators, a changed one
is marked fuzzy. tests/test_i18n.py fails until every string is translated and no entry
is fuzzy. The .mo files are compiled by the wheel's build hook (tools/hatch_build.py).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "assessment_kit" / "locale"
TEMPLATE = LOCALE / "assessment_kit.pot"

#: What pybabel extract is given (the test extracts with the same arguments).
EXTRACT_ARGS = (
    "extract",
    "-F",
    "babel.cfg",
    "-k",
    "N_",
    "-k",
    "ngettext:1,2",
    "--no-location",
    "--sort-output",
    "--project",
    "assessment-kit",
    "--copyright-holder",
    "assessment-kit developers",
    "-c",
    "TRANSLATORS:",
)


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], cwd=ROOT, check=True)


def main() -> None:
    pybabel(*EXTRACT_ARGS, "-o", str(TEMPLATE.relative_to(ROOT)), ".")
    pybabel(
        "update",
        "-i",
        str(TEMPLATE.relative_to(ROOT)),
        "-d",
        str(LOCALE.relative_to(ROOT)),
        "-D",
        "assessment_kit",
        "--no-location",
        "--width",
        "100",
    )


if __name__ == "__main__":
    main()
