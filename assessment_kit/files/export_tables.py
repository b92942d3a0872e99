"""The export files of KoboToolbox and ODK Central: reading the table, telling from its
columns which tool made it, and the columns each adds that are not answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

from assessment_kit.errors import Code, ImportProblems, Problem, StoreError
from assessment_kit.files.csv_cells import read_csv
from assessment_kit.files.long_format import REQUIRED_COLUMNS
from assessment_kit.files.xlsx_cells import read_xlsx
from assessment_kit.store.schema import refuse_folder

__all__ = [
    "INSTANCE_COLUMNS",
    "KOBO_METADATA",
    "ODK_METADATA",
    "SEPARATORS",
    "FileFormat",
    "read_table",
    "recognise_format",
]

FileFormat = Literal["kobo", "odk", "long"]

KOBO_METADATA = frozenset(
    {
        "_id",
        "_uuid",
        "_submission_time",
        "_validation_status",
        "_notes",
        "_status",
        "_submitted_by",
        "__version__",
        "_tags",
        "_index",
        "_parent_index",
        "_parent_table_name",
        "_attachments",
        "_geolocation",
        "_xform_id_string",
        "formhub/uuid",
        "meta/instanceID",
        "meta/rootUuid",
        "meta/deprecatedID",
        "start",
        "end",
        "today",
        "deviceid",
    }
)
#: The metadata columns of an ODK Central export (not answers).
ODK_METADATA = frozenset(
    {
        "SubmissionDate",
        "meta-instanceID",
        "meta-instanceName",
        "meta-audit",
        "KEY",
        "SubmitterID",
        "SubmitterName",
        "AttachmentsPresent",
        "AttachmentsExpected",
        "Status",
        "ReviewState",
        "DeviceID",
        "Edits",
        "FormVersion",
        "start",
        "end",
        "today",
        "deviceid",
    }
)
INSTANCE_COLUMNS: Mapping[str, tuple[str, ...]] = {
    # The first present and filled wins: Kobo's rootUuid (when the server gives it) keeps
    # the first id of a submission edited since; ODK's KEY is the id it was first sent with.
    "kobo": ("meta/rootUuid", "_uuid", "meta/instanceID"),
    "odk": ("KEY", "meta-instanceID"),
}
SEPARATORS: Mapping[str, str] = {"kobo": "/", "odk": "-"}


def read_table(file: str | Path) -> tuple[list[str], list[list[object]]]:
    """The header and data rows of an export: CSV (``,`` or ``;``, UTF-8) or XLSX (the
    first sheet). Header names keep their case (question ids are case-sensitive)."""
    path = Path(file)
    where = str(path)
    refuse_folder(path, "give the export file (.csv or .xlsx)")
    if not path.is_file():
        raise StoreError(problem=Problem.make(Code.FILE_NOT_FOUND, file=where))
    rows: list[list[object]]
    if path.suffix.lower() == ".xlsx":
        rows = read_xlsx(path)
    else:
        # Kobo writes ';' or ',' as chosen in the export settings; the header tells which.
        rows = read_csv(
            path,
            delimiter=None,
            ours=False,
            fix="export it again as CSV from the server, or save it as 'CSV UTF-8'",
        )
    if not rows:
        raise ImportProblems([Problem.make(Code.EMPTY_FILE, file=where)], summary=where)
    header = ["" if name is None else str(name).strip() for name in rows[0]]
    return header, rows[1:]


def recognise_format(header: Sequence[str]) -> FileFormat | None:
    """What made a file, from its columns: a Kobo export, an ODK Central export, our long
    format, or None."""
    names = set(header)
    if names & {"_uuid", "_submission_time"}:
        return "kobo"
    if "KEY" in names and names & {"SubmissionDate", "meta-instanceID"}:
        return "odk"
    if {name.lower() for name in names} >= set(REQUIRED_COLUMNS):
        return "long"
    return None
