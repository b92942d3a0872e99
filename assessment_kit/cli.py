"""The ``assessment-kit`` command: thin wrappers over library functions.

Each command parses its arguments, calls one library function that returns a result
object, and prints it. User mistakes end with a clear message and exit status 1, never a
traceback.
"""

from __future__ import annotations

import argparse
import atexit
import errno
import gc
import json
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assessment_kit import cli_parser, i18n
from assessment_kit.errors import (
    SHOWN_PROBLEMS,
    AssessmentKitError,
    Code,
    Problem,
    ProblemsError,
    QuestionnaireError,
    count_problems,
    more_problems,
)
from assessment_kit.i18n import _

Progress = Callable[[str, int, int], None]


def _print_problems(error: ProblemsError) -> None:
    for problem in error.problems[:SHOWN_PROBLEMS]:
        print(f"  {problem}", file=sys.stderr)
    if len(error.problems) > SHOWN_PROBLEMS:
        print(f"  {more_problems(len(error.problems))}", file=sys.stderr)


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[Progress | None]:
    """A progress bar on stderr through the stages of a long job; None when disabled, and
    when stderr is not a terminal (a log file or a pipe would get its redrawing as text)."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    bar: Any = None

    def update(stage: str, done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(
                total=total,
                unit="step",
                file=sys.stderr,
                leave=True,
                bar_format="{desc:<28} {bar} {n_fmt}/{total_fmt} [{elapsed}]",
            )
        bar.total = total
        bar.set_description_str(_(stage))  # the stages' names are marked where they live
        bar.n = done
        bar.refresh()

    try:
        yield update
    finally:
        if bar is not None:
            bar.close()


# -- commands -----------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    from assessment_kit.questionnaire import validate_files

    report = validate_files(args.files, require=args.require or ())
    if args.json:
        print(json.dumps(_validation_json(report), indent=2, ensure_ascii=False))
        return 0 if report.ok else 1
    for file_report in report.files:
        if file_report.ok and file_report.translates:
            (count,) = file_report.completeness
            name = _("{language} translation of {instrument} {version}").format(
                language=count.language, instrument=count.instrument, version=count.version
            )
            print(f"ok  {file_report.path}: {name}")
        elif file_report.ok and file_report.questionnaire is not None:
            q = file_report.questionnaire
            scored = sum(1 for question in q.iter_questions() if question.scored)
            summary = _(
                "{id} {version}, {sections} sections, {questions} questions ({scored} scored)"
            )
            print(
                f"ok  {file_report.path}: "
                + summary.format(
                    id=q.id,
                    version=q.version,
                    sections=len(q.sections),
                    questions=len(q.questions),
                    scored=scored,
                )
            )
        else:
            print(f"FAIL {file_report.path}: {count_problems(len(file_report.problems))}")
            for problem in file_report.problems:
                print(f"  {problem}")
        # Warnings do not fail the file: they point at things worth a look.
        for warning in file_report.warnings:
            print("  " + _("warning: {warning}").format(warning=warning))
        for count in file_report.completeness:
            print(f"  {count.summary()}")
            if args.verbose:
                for key in count.outdated:
                    print("    " + _("outdated: {key}").format(key=key))
                for key in count.missing:
                    print("    " + _("missing: {key}").format(key=key))
    return 0 if report.ok else 1


def _validation_json(report: Any) -> list[dict[str, Any]]:
    return [
        {
            "path": file_report.path,
            "ok": file_report.ok,
            "problems": [str(problem) for problem in file_report.problems],
            "warnings": [str(warning) for warning in file_report.warnings],
            "languages": [count.to_json() for count in file_report.completeness],
        }
        for file_report in report.files
    ]


def _questionnaire(reference: str) -> Any:
    from assessment_kit.questionnaire import builtin, builtin_ids, load

    if reference in builtin_ids():
        return builtin(reference)
    if not Path(reference).exists():
        # Most often a mistyped id: name the shipped ones rather than "file not found".
        known = ", ".join(builtin_ids())
        problem = Problem.make(Code.UNKNOWN_INSTRUMENT, name=reference, known=known)
        raise QuestionnaireError(
            [problem], summary=_("unknown questionnaire {name}").format(name=repr(reference))
        )
    return load(reference)


def cmd_new(args: argparse.Namespace) -> int:
    from assessment_kit.store import Mission
    from assessment_kit.store.connection import target_name

    questionnaires = [_questionnaire(ref) for ref in args.questionnaire]
    title = args.title or _("Needs assessment: {country}").format(country=args.country)
    baseline = None
    if args.baseline is not None:
        from assessment_kit.scoring.compare import baseline_ref

        baseline = baseline_ref(args.baseline, questionnaires)
    with Mission.create(
        args.mission,
        country=args.country,
        title=title,
        questionnaires=questionnaires,
        sections=args.section or (),
        baseline=baseline,
        language=args.language,
    ) as mission:
        info = mission.info
    instruments = ", ".join(f"{qid} {version}" for qid, version in info.instruments)
    print(
        _("created {mission}: {title} ({instruments})").format(
            mission=target_name(args.mission), title=title, instruments=instruments
        )
    )
    if info.baseline is not None:
        print(
            _("follow-up of {title} (mission {uuid})").format(
                title=info.baseline.title, uuid=info.baseline.uuid
            )
        )
    for qid, sections in info.sections.items():
        print(
            _("partial assessment of {questionnaire}: {sections}").format(
                questionnaire=qid, sections=", ".join(sections)
            )
        )
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from assessment_kit.files.submissions import SubmissionsResult, import_file
    from assessment_kit.store.connection import is_url, target_name
    from assessment_kit.store.outputs import is_mission_file

    if is_url(args.file) or is_mission_file(args.file):
        # Importing a mission joins two missions: only a copy of this one, merged with
        # its history (another mission is refused, naming both).
        return cmd_merge(
            argparse.Namespace(mission=args.mission, sources=[args.file], dry_run=False)
        )
    result = import_file(args.mission, args.file, format=args.format, by=args.by)
    if isinstance(result, SubmissionsResult):
        print(
            _(
                "imported {submissions} {format} submissions of {questionnaire} into "
                "{mission}: {respondents} new respondents, {answers} answers, {before} "
                "imported before"
            ).format(
                submissions=result.submissions,
                format=result.format,
                questionnaire=result.questionnaire,
                mission=target_name(args.mission),
                respondents=result.respondents_added,
                answers=result.answers_written,
                before=result.already_imported,
            )
        )
        return 0
    print(
        _(
            "imported {rows} rows into {mission}: {answers} answers, {consolidated} "
            "consolidated, {respondents} new respondents"
        ).format(
            rows=result.rows,
            mission=target_name(args.mission),
            answers=result.answers_written,
            consolidated=result.consolidated_written,
            respondents=result.respondents_added,
        )
    )
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    from assessment_kit.store import merge_missions

    result = merge_missions(args.mission, args.sources, dry_run=args.dry_run)
    print(result.summary())
    return 0


def cmd_xlsform(args: argparse.Namespace) -> int:
    from assessment_kit.files.xlsform_out import write_xlsform

    result = write_xlsform(_questionnaire(args.questionnaire), args.out, force=args.force)
    print(
        _(
            "wrote {path}: XLSForm of {questionnaire} {version}, {groups} groups, "
            "{questions} questions"
        ).format(
            path=result.path,
            questionnaire=result.questionnaire,
            version=result.version,
            groups=result.groups,
            questions=result.questions,
        )
    )
    return 0


def cmd_xlsform_import(args: argparse.Namespace) -> int:
    from assessment_kit.files.xlsform_in import import_xlsform

    result = import_xlsform(args.form, args.out, force=args.force)
    q = result.questionnaire
    print(
        _("wrote {path}: {id} {version}, {sections} sections, {questions} questions").format(
            path=result.path,
            id=q.id,
            version=q.version,
            sections=result.sections,
            questions=result.questions,
        )
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from assessment_kit.files import export_answers, export_scores

    export = export_scores if args.what == "scores" else export_answers
    result = export(args.mission, args.format, args.out, force=args.force)
    print(_("wrote {rows} rows to {path}").format(rows=result.rows, path=result.path))
    for path in result.also:
        print(_("wrote {path}").format(path=path))
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    from assessment_kit.scoring import load_profile, score_mission
    from assessment_kit.store import Mission

    profile = load_profile(args.profile) if args.profile else None
    with Mission.open(args.mission) as mission:
        scores = score_mission(mission, questionnaires=args.questionnaire or None, profile=profile)
    if args.json:
        print(json.dumps(scores.to_json(), indent=2))
    else:
        print(scores.to_table())
        for left in scores.left_out:
            print(
                _("left out (partial assessment): {section} {title}").format(
                    section=f"{left.questionnaire}.{left.section}", title=left.title
                )
            )
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from assessment_kit.scoring.compare import compare_files

    comparison = compare_files(args.baseline, args.followup)
    print(json.dumps(comparison.to_json(), indent=2) if args.json else comparison.to_table())
    return 0


def cmd_brief(args: argparse.Namespace) -> int:
    from assessment_kit.briefing import export_briefing

    with _progress_bar(not args.quiet) as progress:
        result = export_briefing(
            args.mission,
            args.out,
            progress=progress,
            date=args.date,
            force=args.force,
            baseline=args.baseline,
        )
    print(result.summary())
    return 0


def cmd_copy(args: argparse.Namespace) -> int:
    from assessment_kit.store.copying import copy_mission

    print(copy_mission(args.source, args.destination).summary())
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from assessment_kit.briefing.demo_run import run_demo

    with _progress_bar(not args.quiet) as progress:
        result = run_demo(args.out, progress=progress, language=args.language)
    print(result.summary())
    return 0


def cmd_translations(args: argparse.Namespace) -> int:
    from assessment_kit.files.translations import export_translations, import_translations

    if args.action == "export":
        exported = export_translations(args.instrument, args.language, args.out, force=args.force)
        print(
            _(
                "wrote {rows} strings of {instrument} {version} to {path}: {translated} "
                "translated, {outdated} outdated, {missing} missing ({language})"
            ).format(
                rows=exported.rows,
                instrument=exported.instrument,
                version=exported.version,
                path=exported.path,
                translated=exported.translated,
                outdated=exported.outdated,
                missing=exported.missing,
                language=exported.language,
            )
        )
        return 0
    imported = import_translations(args.file, instrument=args.instrument, out=args.out)
    print(
        _(
            "wrote {written} {language} translations of {instrument} {version} to {path} "
            "({untranslated} strings left in English)"
        ).format(
            written=imported.written,
            language=imported.language,
            instrument=imported.instrument,
            version=imported.version,
            path=imported.path,
            untranslated=imported.untranslated,
        )
    )
    if imported.changed:
        print(
            _("{count} English texts changed since the export (kept as outdated):").format(
                count=len(imported.changed)
            )
        )
        for key in imported.changed:
            print(f"  {key}")
    return 0


# -- parser (built in cli_parser) ---------------------------------------------------------

#: Each command's handler, passed to the parser (which must not import this module).
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "validate": cmd_validate,
    "new": cmd_new,
    "import": cmd_import,
    "merge": cmd_merge,
    "xlsform": cmd_xlsform,
    "xlsform-import": cmd_xlsform_import,
    "export": cmd_export,
    "score": cmd_score,
    "brief": cmd_brief,
    "compare": cmd_compare,
    "translations": cmd_translations,
    "copy": cmd_copy,
    "demo": cmd_demo,
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``assessment-kit``."""
    return cli_parser.build_parser(COMMANDS)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Messages are in the user's language (``ASSESSMENT_KIT_LANGUAGE``, else the gettext
    variables ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``), English by default.
    """
    # At exit the interpreter's collector would walk every object still alive (pandas and
    # numpy alone make hundreds of thousands) just before the process ends: about 0.15 s of
    # a 0.8 s ``score``. Frozen objects are skipped; an in-process caller (a notebook, the
    # tests) gets this only at its own exit.
    atexit.unregister(gc.freeze)  # once, however often main runs in one process
    atexit.register(gc.freeze)
    with i18n.language(i18n.environment_language()):
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except ProblemsError as error:
        print(_("error: {message}").format(message=error.summary), file=sys.stderr)
        _print_problems(error)
        return 1
    except AssessmentKitError as error:
        print(_("error: {message}").format(message=error), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(_("interrupted"), file=sys.stderr)
        _clear_interrupt_mark()
        return 130
    except sqlite3.Error as error:
        # A state of the file or the disk the library did not name: still a message.
        from assessment_kit.store.schema import storage_error

        mission = getattr(args, "mission", "") or ""
        refused = storage_error(error, mission, "running the command")
        print(_("error: {message}").format(message=refused), file=sys.stderr)
        return 1
    except OSError as error:
        message = _os_error(error, getattr(args, "out", None))
        print(_("error: {message}").format(message=message), file=sys.stderr)
        return 1
    return status


def _clear_interrupt_mark() -> None:
    """Let a caught Ctrl-C end the process with our status 130.

    CPython marks the process as ended by an unhandled Ctrl-C whenever a KeyboardInterrupt
    leaves code that ``exec`` ran from a string, even when a caller catches it: the
    interpreter then kills itself with SIGINT at exit. ``dataclasses`` makes its methods
    that way, so a Ctrl-C during an import lands there now and then. A string ``exec``
    that ends normally clears the mark (it is reset at the start of every such run).
    """
    exec("")  # a constant empty string: nothing read from anywhere


def _os_error(error: OSError, out: object = None) -> str:
    """A file-system error as one line naming the file (else the output) and what to do."""
    name = error.filename or out
    where = f"{name}: " if name else ""
    if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return where + _("the disk is full (fix: free some space, or write to another disk)")
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return where + _("{detail} (fix: choose a file or folder you can write to)").format(
            detail=error.strerror
        )
    return where + _("{detail} (fix: check the path and try again)").format(
        detail=error.strerror or error
    )


if __name__ == "__main__":
    sys.exit(main())
