"""The argument parser of the ``assessment-kit`` command.

Kept apart from :mod:`assessment_kit.cli` (the command wrappers and ``main``) because it
is long. The handlers come in as a mapping, so this module does not import the commands
back; :func:`assessment_kit.cli.build_parser` passes them.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from assessment_kit import __version__
from assessment_kit.i18n import N_, _

#: Command name (``translations`` for both its actions) -> the function that runs it.
Handlers = Mapping[str, Callable[[argparse.Namespace], int]]


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{value} is not a date like 2026-11-25").format(value=repr(value))
        ) from None


FORCE_HELP = N_("replace an existing output file (never a mission file)")
MISSION_HELP = N_("a mission file, or a postgresql:// URL (password from PGPASSWORD or ~/.pgpass)")


def _add_translations(commands: Any, run: Handlers) -> None:
    """``translations export`` and ``translations import``."""
    p = commands.add_parser("translations", help=_("instrument texts to and from translators"))
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    t = actions.add_parser("export", help=_("write one row per string to an XLSX workbook"))
    t.add_argument("instrument", metavar="ID|FILE")
    t.add_argument("--language", required=True, metavar="LANG")
    t.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx")
    t.add_argument("--force", action="store_true", help=_(FORCE_HELP))
    t.set_defaults(run=run["translations"])
    t = actions.add_parser("import", help=_("bring a translated workbook back (all or nothing)"))
    t.add_argument("file", type=Path, metavar="FILE.xlsx")
    t.add_argument("--instrument", metavar="ID|FILE", help=_("default: the one the file names"))
    t.add_argument(
        "--out", type=Path, metavar="FILE.yaml", help=_("default: beside the instrument")
    )
    t.set_defaults(run=run["translations"])


def _add_merge(commands: Any, run: Handlers) -> None:
    p = commands.add_parser(
        "merge",
        help=_(
            "bring into a mission everything its copies hold (history included); "
            "prints 'N conflicts'"
        ),
    )
    p.add_argument("mission", metavar="INTO", help=_(MISSION_HELP))
    p.add_argument(
        "sources", nargs="+", metavar="FROM", help=_("a copy of the mission (file or URL)")
    )
    p.add_argument(
        "--dry-run", action="store_true", help=_("show what the merge would do; write nothing")
    )
    p.set_defaults(run=run["merge"])


def _baseline_option(parser: argparse.ArgumentParser, help: str) -> None:
    parser.add_argument("--baseline", metavar="BASELINE", help=f"{help}; {_(MISSION_HELP)}")


def _add_compare(commands: Any, run: Handlers) -> None:
    p = commands.add_parser(
        "compare", help=_("compare a follow-up mission with its baseline (same instruments)")
    )
    p.add_argument("baseline", metavar="BASELINE", help=_(MISSION_HELP))
    p.add_argument("followup", metavar="FOLLOWUP", help=_(MISSION_HELP))
    p.add_argument("--json", action="store_true", help=_("print JSON instead of a summary"))
    p.set_defaults(run=run["compare"])


def _add_validate(commands: Any, run: Handlers) -> None:
    """``validate``: check questionnaire files."""
    p = commands.add_parser("validate", help=_("check questionnaire files and list every problem"))
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument(
        "--require",
        action="append",
        metavar="LANG",
        help=_("fail unless every text is translated into LANG; repeat for several"),
    )
    p.add_argument("--verbose", action="store_true", help=_("list missing and outdated texts"))
    p.add_argument("--json", action="store_true", help=_("print JSON instead of text"))
    p.set_defaults(run=run["validate"])


def _add_new(commands: Any, run: Handlers) -> None:
    """``new``: create a mission file."""
    p = commands.add_parser("new", help=_("create a mission file"))
    p.add_argument("mission", metavar="MISSION", help=_(MISSION_HELP))
    p.add_argument("--country", required=True)
    p.add_argument("--title", default="")
    p.add_argument(
        "--questionnaire",
        action="append",
        required=True,
        metavar="ID|FILE",
        help=_("criminal_justice, organ_removal or a questionnaire file; repeat for several"),
    )
    p.add_argument(
        "--section",
        action="append",
        metavar="ID",
        help=_(
            "a partial assessment: a section to assess, as questionnaire.section or a "
            "section id found in one questionnaire only; repeat for several (a questionnaire "
            "none of them names is assessed whole)"
        ),
    )
    _baseline_option(p, _("make this mission a follow-up of that one (same instruments)"))
    p.add_argument(
        "--language",
        default="en",
        metavar="LANG",
        help=_("the mission's language, of the briefing and the form: en, fr, es, ar, ru or zh"),
    )
    p.set_defaults(run=run["new"])


def _add_import(commands: Any, run: Handlers) -> None:
    """``import``: answers or submissions into a mission."""
    p = commands.add_parser(
        "import",
        help=_(
            "import answers, or Kobo or ODK submissions, from CSV or XLSX (all or nothing); "
            "a copy of the mission is merged, as 'merge' does"
        ),
    )
    p.add_argument("mission", metavar="MISSION", help=_(MISSION_HELP))
    # Text, not a Path: a mission's URL (its copy on a server) is merged, as 'merge' does.
    p.add_argument("file", metavar="FILE.csv|FILE.xlsx")
    p.add_argument("--by", default="import", help=_("who is recorded in the history"))
    p.add_argument(
        "--format",
        choices=("long", "kobo", "odk"),
        help=_(
            "our long format, a KoboToolbox or an ODK Central export (default: recognised "
            "from the columns)"
        ),
    )
    p.set_defaults(run=run["import"])


def _add_xlsform(commands: Any, run: Handlers) -> None:
    """``xlsform``: an instrument as an XLSForm."""
    p = commands.add_parser("xlsform", help=_("write an instrument as an XLSForm (ODK, Kobo)"))
    p.add_argument("questionnaire", metavar="ID|FILE")
    p.add_argument("--out", type=Path, required=True, metavar="FORM.xlsx")
    p.add_argument("--force", action="store_true", help=_(FORCE_HELP))
    p.set_defaults(run=run["xlsform"])


def _add_xlsform_import(commands: Any, run: Handlers) -> None:
    """``xlsform-import``: an XLSForm as a questionnaire file."""
    p = commands.add_parser("xlsform-import", help=_("turn an XLSForm into a questionnaire file"))
    p.add_argument("form", type=Path, metavar="FORM.xlsx")
    p.add_argument("--out", type=Path, required=True, metavar="QUESTIONNAIRE.yaml")
    p.add_argument("--force", action="store_true", help=_(FORCE_HELP))
    p.set_defaults(run=run["xlsform-import"])


def _add_export(commands: Any, run: Handlers) -> None:
    """``export``: answers or scores to CSV or XLSX."""
    p = commands.add_parser("export", help=_("export answers or scores to CSV or XLSX"))
    p.add_argument("mission", metavar="MISSION", help=_(MISSION_HELP))
    p.add_argument("--format", choices=("csv", "xlsx"), required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--what", choices=("answers", "scores"), default="answers")
    p.add_argument("--force", action="store_true", help=_(FORCE_HELP))
    p.set_defaults(run=run["export"])


def _add_score(commands: Any, run: Handlers) -> None:
    """``score``: the mission across the seven areas."""
    p = commands.add_parser("score", help=_("score the mission across the seven areas"))
    p.add_argument("mission", metavar="MISSION", help=_(MISSION_HELP))
    p.add_argument("--json", action="store_true", help=_("print JSON instead of a table"))
    p.add_argument("--questionnaire", action="append", metavar="ID", help=_("score only these"))
    p.add_argument("--profile", type=Path, help=_("a scoring profile file"))
    p.set_defaults(run=run["score"])


def _add_brief(commands: Any, run: Handlers) -> None:
    """``brief``: the briefing as PDF or HTML."""
    p = commands.add_parser("brief", help=_("export the briefing as PDF or HTML"))
    p.add_argument("mission", metavar="MISSION", help=_(MISSION_HELP))
    p.add_argument("--out", type=Path, required=True, metavar="FILE.pdf|FILE.html")
    p.add_argument("--date", type=_date, help=_("date printed on the briefing (default today)"))
    p.add_argument("--quiet", action="store_true", help=_("no progress bar"))
    p.add_argument("--force", action="store_true", help=_(FORCE_HELP))
    _baseline_option(p, _("this follow-up's baseline: the briefing shows the progress since then"))
    p.set_defaults(run=run["brief"])


def _add_copy(commands: Any, run: Handlers) -> None:
    """``copy``: a mission between a file and PostgreSQL."""
    p = commands.add_parser(
        "copy", help=_("copy a mission between a file and a PostgreSQL database, history included")
    )
    p.add_argument("source", metavar="SRC", help=_(MISSION_HELP))
    p.add_argument(
        "destination", metavar="DEST", help=_("a new mission file, or an empty database's URL")
    )
    p.set_defaults(run=run["copy"])


def _add_demo(commands: Any, run: Handlers) -> None:
    """``demo``: seed, score and brief a demo mission."""
    p = commands.add_parser("demo", help=_("seed a demo mission, score it and export the briefing"))
    p.add_argument("--out", type=Path, default=Path("demo-output"), metavar="DIR")
    p.add_argument("--quiet", action="store_true", help=_("no progress bar"))
    p.add_argument(
        "--language",
        default="en",
        choices=("en", "fr", "es", "ar", "ru", "zh"),
        metavar="LANG",
        help=_("the demo mission's language, of its briefing: en, fr, es, ar, ru or zh"),
    )
    p.set_defaults(run=run["demo"])


def build_parser(run: Handlers) -> argparse.ArgumentParser:
    """The argument parser of ``assessment-kit``; ``run`` maps each command to its handler."""
    parser = argparse.ArgumentParser(
        prog="assessment-kit",
        description=_("Needs assessments of responses to trafficking in persons."),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_validate(commands, run)
    _add_new(commands, run)
    _add_import(commands, run)
    _add_merge(commands, run)
    _add_xlsform(commands, run)
    _add_xlsform_import(commands, run)
    _add_export(commands, run)
    _add_score(commands, run)
    _add_brief(commands, run)
    _add_compare(commands, run)
    _add_translations(commands, run)
    _add_copy(commands, run)
    _add_demo(commands, run)
    return parser
