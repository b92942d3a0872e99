"""Files in and out of a mission: answers files (long CSV and XLSX) imported and exported,
and scores exported. Above the store and scoring; writes through the store's public
batch API (:meth:`Mission.batch <assessment_kit.store.Mission.batch>`).

- :mod:`~assessment_kit.files.long_format`: the columns, and reading rows into answers;
- :mod:`~assessment_kit.files.csv_cells`: CSV cells (formula quoting and its reverse);
- :mod:`~assessment_kit.files.xlsx_cells`: XLSX cells (escapes, limits, workbooks);
- :mod:`~assessment_kit.files.importing`: recognising a file, checking it, all or nothing;
- :mod:`~assessment_kit.files.exporting`: answers and scores out;
- :mod:`~assessment_kit.files.xlsform_out`, :mod:`~assessment_kit.files.xlsform_in` (over
  :mod:`~assessment_kit.files.xlsform_sheets`) and :mod:`~assessment_kit.files.xlsform_expr`:
  instruments out as XLSForms (ODK Collect, KoboToolbox) and back, expressions translated
  between the two;
- :mod:`~assessment_kit.files.submissions` (over :mod:`~assessment_kit.files.export_tables`):
  KoboToolbox and ODK Central exports in, each submission one interview.

>>> from assessment_kit.files import export_answers, import_answers  # doctest: +SKIP
>>> import_answers("freedonia-2026.db", "answers.xlsx", by="ana")  # doctest: +SKIP
"""

from __future__ import annotations

from assessment_kit.files.csv_cells import CSV_CELL_LIMIT, csv_cell, csv_value
from assessment_kit.files.exporting import ExportResult, export_answers, export_scores
from assessment_kit.files.importing import ImportResult, import_answers, read_rows
from assessment_kit.files.long_format import ANSWER_COLUMNS, Format
from assessment_kit.files.submissions import SubmissionsResult, import_file, import_submissions
from assessment_kit.files.xlsform_in import XLSFormImportResult, import_xlsform
from assessment_kit.files.xlsform_out import XLSFormResult, write_xlsform
from assessment_kit.files.xlsx_cells import XLSX_CELL_LIMIT, xlsx_text, xlsx_value

__all__ = [
    "ANSWER_COLUMNS",
    "CSV_CELL_LIMIT",
    "XLSX_CELL_LIMIT",
    "ExportResult",
    "Format",
    "ImportResult",
    "SubmissionsResult",
    "XLSFormImportResult",
    "XLSFormResult",
    "csv_cell",
    "csv_value",
    "export_answers",
    "export_scores",
    "import_answers",
    "import_file",
    "import_submissions",
    "import_xlsform",
    "read_rows",
    "write_xlsform",
    "xlsx_text",
    "xlsx_value",
]
