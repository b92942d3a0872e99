"""Export of answers (the long format import reads) and of scores, to CSV or XLSX.

Outputs pass :func:`~assessment_kit.store.outputs.check_output` first (never a mission,
nor the mission read; an existing file only with ``force``) and are written whole or not
at all (:func:`~assessment_kit.store.outputs.write_atomically`).

Scores export: XLSX gets two sheets, ``areas`` and ``questions``; CSV writes the areas to
the given path and the questions beside it as ``<stem>-questions.csv``.
"""

from __future__ import annotations

import errno
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assessment_kit.errors import Code, Problem, StoreError
from assessment_kit.files.cells import plain
from assessment_kit.files.csv_cells import csv_bytes
from assessment_kit.files.long_format import ANSWER_COLUMNS, Format
from assessment_kit.files.xlsx_cells import xlsx_bytes
from assessment_kit.questionnaire.answers import to_text
from assessment_kit.questionnaire.model import AnswerValue
from assessment_kit.store import CONSOLIDATED, Mission
from assessment_kit.store.outputs import check_output, write_atomically
from assessment_kit.store.schema import file_error, refuse_folder

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ExportResult", "export_answers", "export_scores", "output_error", "write_output"]


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What an export wrote: the file, its data rows, and any further files beside it."""

    path: Path
    rows: int
    also: tuple[Path, ...] = ()


def _answer_records(mission: Mission) -> Iterator[list[object]]:
    respondents = {r.code: r for r in mission.respondents()}
    frame = mission.answers_frame()
    for record in frame.to_dict("records"):
        respondent = respondents[str(record["respondent"])]
        yield [
            respondent.code,
            respondent.institution_type,
            record["questionnaire"],
            record["question"],
            _export_value(record["value"]),
            record["note"],
            record["evidence"],
            "true" if record["confidential"] else "false",
            respondent.sector,
            "" if respondent.interview_date is None else respondent.interview_date.isoformat(),
            respondent.interviewer,
            "",
            "true" if respondent.consent else "false",
        ]
    for record in mission.consolidated_frame().to_dict("records"):
        yield [
            CONSOLIDATED,
            "",
            record["questionnaire"],
            record["question"],
            _export_value(record["value"]),
            "",
            "",
            "false",
            "",
            "",
            "",
            record["rationale"],
            "",
        ]


def _export_value(value: AnswerValue) -> object:
    return to_text(value) if isinstance(value, tuple | str) else value


def _check_format(fmt: str, out: Path) -> None:
    """Refuse a name whose suffix says the other format: CSV text in ``x.xlsx`` would not
    open, and an XLSX named ``x.csv`` would not import."""
    if fmt not in ("csv", "xlsx"):
        raise file_error(Code.STORE_IO, out, f"unknown format {fmt!r}", "use csv or xlsx")
    suffix = out.suffix.lower()
    other = "xlsx" if fmt == "csv" else "csv"
    if suffix == f".{other}":
        raise StoreError(
            problem=Problem.make(
                Code.OUTPUT_FORMAT,
                file=str(out),
                suffix=suffix,
                fmt=fmt,
                expected=out.with_suffix(f".{fmt}").name,
                other=other,
            )
        )


def export_answers(
    mission_path: str | Path, fmt: Format, out: str | Path, *, force: bool = False
) -> ExportResult:
    """Export every answer and consolidated answer in the long format import reads.

    Returns the file written and its number of data rows. The output is checked first
    (:func:`~assessment_kit.store.outputs.check_output`): never a mission or the mission
    read, and an existing file only with ``force``.

    Raises
    ------
    StoreError
        The output is refused, a value does not fit the format (an XLSX cell holds at
        most 32,767 characters: the error names the row and column), or the file cannot be
        written. No file, not even a partial one, is left.
    """
    out = Path(out)
    _check_format(fmt, out)
    check_output(out, inputs=[mission_path], force=force)
    with Mission.open(mission_path) as mission:
        records = list(_answer_records(mission))
    _write_table(fmt, out, {"answers": (list(ANSWER_COLUMNS), records)})
    return ExportResult(path=out, rows=len(records))


def export_scores(
    mission_path: str | Path, fmt: Format, out: str | Path, *, force: bool = False
) -> ExportResult:
    """Export the mission's scores: areas and questions.

    XLSX: one workbook with sheets ``areas`` and ``questions``. CSV: the areas to ``out``
    and the questions to ``<stem>-questions.csv`` beside it (reported in ``also``).
    ``rows`` counts the area rows. Outputs are checked as in :func:`export_answers`.
    """
    # Imported here: the engine and pandas are not needed to import or export answers.
    from assessment_kit.scoring import score_mission

    out = Path(out)
    _check_format(fmt, out)
    check_output(out, inputs=[mission_path], force=force)
    questions_path = out.with_name(f"{out.stem}-questions{out.suffix or '.csv'}")
    if fmt == "csv":
        check_output(questions_path, inputs=[mission_path], force=force)
    with Mission.open(mission_path) as mission:
        scores = score_mission(mission)
    areas = _frame_table(scores.areas)
    questions = _frame_table(scores.questions)
    if fmt == "xlsx":
        _write_table(fmt, out, {"areas": areas, "questions": questions})
        return ExportResult(path=out, rows=len(areas[1]))
    _write_table(fmt, out, {"areas": areas})
    _write_table(fmt, questions_path, {"questions": questions})
    return ExportResult(path=out, rows=len(areas[1]), also=(questions_path,))


def _frame_table(frame: pd.DataFrame) -> tuple[list[str], list[list[object]]]:
    columns = [str(column) for column in frame.columns]
    rows = [[plain(value) for value in record] for record in frame.itertuples(index=False)]
    return columns, rows


def _write_table(
    fmt: str, out: Path, sheets: Mapping[str, tuple[Sequence[str], Iterable[Sequence[object]]]]
) -> None:
    """Write ``sheets`` to ``out`` (CSV: the one sheet), replacing it only when complete.

    The table goes to a temporary file beside ``out`` first, so a failed export leaves an
    earlier file of that name as it was rather than half written, and no temporary file.
    """
    if fmt not in ("csv", "xlsx"):
        raise file_error(Code.STORE_IO, out, f"unknown format {fmt!r}", "use csv or xlsx")
    refuse_folder(out, f"give a file name, such as answers.{fmt}")
    if fmt == "xlsx":
        data = xlsx_bytes(out, sheets)
    else:
        ((columns, rows),) = sheets.values()
        data = csv_bytes(columns, rows)
    write_output(data, out)


def write_output(data: bytes, out: Path) -> None:
    """Write an output file whole or not at all; a failure is one clear :class:`StoreError`
    (``DISK_FULL`` or ``STORE_IO``, see :func:`output_error`)."""
    try:
        write_atomically(data, out)
    except OSError as error:
        raise output_error(out, error) from error


def output_error(out: Path, error: OSError) -> StoreError:
    """A clear :class:`StoreError` for a file that could not be written."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return StoreError(
            problem=Problem.make(Code.DISK_FULL, file=str(out), doing="writing the file")
        )
    return file_error(
        Code.STORE_IO,
        out,
        f"cannot write the file: {error.strerror or error}",
        "choose a path in a folder you can write to",
    )
