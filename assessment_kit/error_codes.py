"""The catalogue of problem codes: each with a message template and a hint on how to fix it.

Kept apart from :mod:`assessment_kit.errors` (which re-exports :class:`Code`) because the
catalogue is long; the exceptions and :class:`~assessment_kit.errors.Problem` live there.
"""

from __future__ import annotations

from enum import Enum

from assessment_kit.i18n import N_


class Code(Enum):
    """Catalogue of problems: each has a message template and a hint on how to fix it."""

    # Files and YAML
    FILE_NOT_FOUND = (N_("file not found"), N_("check the path"))
    YAML_SYNTAX = (
        N_("YAML syntax error: {detail}"),
        N_("fix the indentation or quoting at this line"),
    )
    EMPTY_FILE = (N_("the file is empty"), N_("start from an example in the README"))
    SCHEMA = (N_("{detail}"), N_("see the questionnaire format in the README"))
    MISSING_FIELD = (N_("missing required field {field!r}"), N_("add {field!r}"))
    UNKNOWN_FIELD = (N_("unknown field {field!r}"), N_("remove it or check its spelling ({known})"))
    DUPLICATE_KEY = (N_("key {key!r} appears twice in this mapping"), N_("keep one of them"))
    YAML_ALIAS = (
        N_("YAML {what} {name!r} is not allowed in a questionnaire"),
        N_("write the value out in full: the format needs no anchors (&name) or aliases (*name)"),
    )
    YAML_TOO_DEEP = (
        N_("the document nests deeper than {limit} levels"),
        N_("a questionnaire needs fewer than ten levels: check the indentation and brackets"),
    )
    YAML_TOO_LARGE = (
        N_("the document is {size} bytes, more than the {limit} bytes a questionnaire may take"),
        N_("split it into several questionnaires, or check that this is the right file"),
    )
    YAML_VALUE = (
        N_("value {value!r} cannot be read as {kind}: {detail}"),
        N_("correct it, or put it in quotes to keep it as text"),
    )
    UNKNOWN_TYPE = (N_("unknown question type {type!r}"), N_("use one of: {known}"))
    UNKNOWN_INSTRUMENT = (
        N_("no questionnaire ships with the id {name!r}, and there is no file of that name"),
        N_("use a shipped id ({known}) or the path of a questionnaire file"),
    )
    # Meaning
    DUPLICATE_ID = (
        N_("duplicate id {id!r} (first used at line {first_line})"),
        N_("give every {kind} its own id"),
    )
    UNKNOWN_AREA = (
        N_("unknown area {area!r}"),
        N_(
            "use one of: prevention, data, legislation, policy, criminal_justice, protection, "
            "cooperation"
        ),
    )
    UNKNOWN_SCALE = (
        N_("unknown scale {scale!r}"),
        N_("define it under 'scales' or use one of: {known}"),
    )
    UNKNOWN_RESPONDENT_TYPE = (
        N_("unknown respondent type {type!r}"),
        N_("define it under 'respondent_types' or use one of: {known}"),
    )
    UNKNOWN_REFERENCE_TOOL = (
        N_("unknown reference {ref!r}"),
        N_("define it under 'references' or use one of: {known}"),
    )
    SCORE_RANGE = (N_("score {score} is outside [0, 1]"), N_("use a score between 0 and 1"))
    RESERVED_VALUE = (
        N_("choice value {value!r} is reserved for a non-scored state"),
        N_(
            "remove it: unknown, not applicable, not assessed and declined are always offered, "
            "and no_cases is offered by declaring 'no_cases' on the question"
        ),
    )
    PRACTICE_WITHOUT_NO_CASES = (
        N_("scored practice question does not say how 'No cases in the period' counts"),
        N_(
            "add no_cases: not_applicable (the question leaves the coverage) or no_cases: a "
            "score in [0, 1] (the absence of cases is itself the finding)"
        ),
    )
    NO_CASES_SCORE_UNSCORED = (
        N_("no_cases gives a score to a question of type {type!r} that is not scored"),
        N_("write no_cases: not_applicable, or give the question scored choices"),
    )
    NO_CASES_NOT_ANSWERED = (
        N_("a {type!r} question takes no answer, so it cannot offer 'no_cases'"),
        N_("remove 'no_cases'"),
    )
    NO_CASES_NOT_DECLARED = (
        N_("{field} compares ${{{ref}}} with 'no_cases', which that question does not offer"),
        N_("declare no_cases on {ref!r}, or compare with one of its choices"),
    )
    # Versions
    PREVIOUS_NOT_FOUND = (
        N_("previous version {version!r} of {questionnaire!r} not found (looked for {looked})"),
        N_(
            "ship it as previous/{questionnaire}-{version}.yaml next to this file, or correct "
            "'previous'"
        ),
    )
    PREVIOUS_NOT_OLDER = (
        N_("previous version {previous!r} is not older than this version {version!r}"),
        N_("bump 'version' above the previous one, or correct 'previous'"),
    )
    NO_PREVIOUS = (
        N_(
            "{field!r} names questions of a previous version, but no earlier version of "
            "{questionnaire!r} was found"
        ),
        N_(
            "put it in previous/{questionnaire}-<version>.yaml next to this file, or set "
            "'previous' to its version"
        ),
    )
    NOT_IN_PREVIOUS = (
        N_("{field} names {old!r}, which is not a question of version {version}"),
        N_("check the id against {previous_file}"),
    )
    UNACCOUNTED_QUESTION = (
        N_(
            "question {old!r} of version {version} is gone, but nothing replaces it and it is "
            "not listed as dropped"
        ),
        N_(
            "add {old!r} to the 'replaces' of the question that takes its place, or to the "
            "top-level 'dropped'"
        ),
    )
    DROPPED_STILL_PRESENT = (
        N_("{old!r} is listed as dropped but is still a question of this version"),
        N_("remove it from 'dropped'"),
    )
    # Warnings (validate still succeeds)
    UNUSED_REFERENCE = (
        N_("reference {ref!r} is not cited by any recommendation"),
        N_("cite it in a recommendation's 'references', or remove it from the catalogue"),
    )
    MISSING_AREAS = (
        N_("scored question has no 'areas'"),
        N_("map it to at least one of the seven areas, for example areas: {{legislation: 1}}"),
    )
    MISSING_SCALE = (N_("a 'scale' question needs a 'scale'"), N_("name one of: {known}"))
    MISSING_CHOICES = (N_("a {type!r} question needs 'choices'"), N_("list the choices"))
    NOT_SCORED_AREAS = (
        N_("question of type {type!r} is not scored but has 'areas'"),
        N_("remove 'areas', or use a scale or scored choices"),
    )
    MISSING_ENGLISH = (N_("text has no English ('en')"), N_("add an 'en' entry"))
    UNKNOWN_LANGUAGE = (
        N_("language {lang!r} is not declared"),
        N_("add it to 'languages' or remove the translation"),
    )
    # Translation files
    TRANSLATION_NOT_MAPPING = (
        N_("{what} is not a mapping"),
        N_("write it as key: value pairs, for example {example}"),
    )
    TRANSLATION_INSTRUMENT = (
        N_("the file translates {found!r}, not {expected!r}"),
        N_("correct 'instrument', or move the file beside the instrument it translates"),
    )
    TRANSLATION_VERSION = (
        N_(
            "the file translates version {found} of {instrument!r}, but the instrument is "
            "version {expected}"
        ),
        N_(
            "check the translations against the new version (assessment-kit translations "
            "export), then set 'version: {expected}'"
        ),
    )
    TRANSLATION_LANGUAGE = (
        N_("language {found!r} is not a language code other than English"),
        N_("use a code such as fr, es, ar, ru or zh"),
    )
    TRANSLATION_FILE_NAME = (
        N_("the file {name!r} holds language {found!r}"),
        N_("rename it {expected!r}, or correct 'language'"),
    )
    TRANSLATION_UNKNOWN_KEY = (
        N_("{key!r} is not a text of the instrument"),
        N_("check the key against 'assessment-kit translations export', or remove the entry"),
    )
    TRANSLATION_EMPTY = (
        N_("{field!r} is empty"),
        N_("write the text, or remove the entry (a missing translation shows the English)"),
    )
    TRANSLATION_INCOMPLETE = (
        N_(
            "{instrument} is not complete in {language!r}: {missing} missing and {outdated} "
            "outdated of {total} texts"
        ),
        N_(
            "translate them (assessment-kit translations export {instrument} --language "
            "{language} --out {language}.xlsx, then translations import), or list them with "
            "validate --verbose"
        ),
    )
    TRANSLATION_SHEET_COLUMNS = (
        N_("the first sheet has no column {missing}"),
        N_(
            "keep the header row of the sheet made by 'assessment-kit translations export' "
            "(key, field, english, translation)"
        ),
    )
    TRANSLATION_SHEET_ABOUT = (
        N_("the workbook does not say which instrument and language it holds ({detail})"),
        N_(
            "start from a workbook made by 'assessment-kit translations export', whose sheet "
            "'about' names them"
        ),
    )
    TRANSLATION_ROW_DUPLICATE = (
        N_("key {key!r} appears again (first in row {first})"),
        N_("keep one of the two rows"),
    )
    EXPRESSION_SYNTAX = (N_("{field}: {detail}"), N_("see the expression language in the README"))
    DANGLING_REFERENCE = (
        N_("{field} refers to unknown question ${{{ref}}}"),
        N_("check the spelling or add the question"),
    )
    CYCLE = (N_("{field} takes part in a cycle: {cycle}"), N_("break the loop of references"))
    SELF_REFERENCE = (
        N_("{field} refers to the question itself"),
        N_("use '.' for the question's own value in a constraint"),
    )
    VERSION = (
        N_("version {version!r} is not semantic (major.minor.patch)"),
        N_("write it like 1.0.0"),
    )
    # Answers
    UNKNOWN_QUESTIONNAIRE = (
        N_("unknown questionnaire {questionnaire!r}"),
        N_("use one of the mission's questionnaires: {known}"),
    )
    UNKNOWN_QUESTION = (
        N_("unknown question {question!r} in {questionnaire!r}"),
        N_("check the question id"),
    )
    UNKNOWN_RESPONDENT = (N_("unknown respondent {respondent!r}"), N_("add the respondent first"))
    DUPLICATE_RESPONDENT = (
        N_("respondent {respondent!r} already exists"),
        N_("choose another pseudonymous code"),
    )
    BAD_VALUE = (N_("{detail}"), N_("{fix}"))
    NUMBER_GROUPED = (
        N_("{text} has a thousands separator, which is not accepted (it is easily misread)"),
        N_("type it without separators: {plain}"),
    )
    NUMBER_AMBIGUOUS = (
        N_(
            "{text} could be read as {plain} (a thousands separator) "
            "or as {decimal} (a decimal comma)"
        ),
        N_("type {plain} or {decimal}"),
    )
    CONSTRAINT = (N_("{message}"), N_("correct the answer"))
    NOT_ANSWERABLE = (
        N_("question {question!r} is a note and takes no answer"),
        N_("remove the row"),
    )
    NO_CASES_NOT_OFFERED = (
        N_("question {question!r} does not offer 'no_cases' (No cases in the period)"),
        N_("give a choice or another state; only questions that declare 'no_cases' offer it"),
    )
    BAD_ROW = (N_("{detail}"), N_("{fix}"))
    UNKNOWN_SECTION = (
        N_("unknown section {section!r}"),
        N_("name a section as questionnaire.section, one of: {known}"),
    )
    AMBIGUOUS_SECTION = (
        N_("section {section!r} is in several questionnaires ({where})"),
        N_("name it as questionnaire.section"),
    )
    TEXT_TOO_LONG = (
        N_("the {field} has {length} characters, more than the {limit} a mission keeps"),
        N_("shorten it, or keep the long text in a document and cite it in the evidence"),
    )
    TEXT_NOT_UNICODE = (
        N_("the {field} holds a character that is not valid Unicode (at position {position})"),
        N_("type the text again or paste it as plain text"),
    )
    # Answers files that are not what their name says
    FILE_UTF16 = (
        N_("the file is {encoding} text (as Excel's 'Unicode Text' saves it), not UTF-8"),
        N_(
            "save it as 'CSV UTF-8 (comma delimited)' from your spreadsheet program, or convert "
            "it to UTF-8 in a text editor"
        ),
    )
    FILE_ENCRYPTED = (
        N_("the workbook is protected by a password (encrypted), so it cannot be read"),
        N_(
            "open it in Excel or LibreOffice, remove the password (Excel: File > Info > Protect "
            "Workbook > Encrypt with Password, clear it), save it as .xlsx and import again"
        ),
    )
    FILE_OLD_OFFICE = (
        N_("this is an old Excel 97-2003 workbook (.xls) or another Office file, not .xlsx"),
        N_("open it in Excel or LibreOffice and save it as .xlsx or 'CSV UTF-8'"),
    )
    FILE_IS_ARCHIVE = (
        N_("this is a spreadsheet or a zip archive (it begins like an .xlsx file), not CSV text"),
        N_(
            "if it is a workbook, name it .xlsx; otherwise save the answers as 'CSV UTF-8 "
            "(comma delimited)'"
        ),
    )
    FILE_IS_TEXT = (
        N_("this is text (a CSV file?), not an .xlsx workbook"),
        N_("name it .csv if it holds comma-separated answers, or save it as .xlsx"),
    )
    CELL_TOO_LARGE = (
        N_("a cell holds more than {limit} characters"),
        N_("shorten the text: a mission keeps at most 100,000 characters in a note"),
    )
    CELL_MERGED = (
        N_(
            "{column} is empty: the cell is part of the merged cells {cells}, and only the first "
            "cell of a merge holds the value"
        ),
        N_("unmerge the cells and fill the value into every row"),
    )
    CELL_FORMULA = (
        N_("{column} is the formula {formula} with no saved value"),
        N_(
            "open the file in Excel or LibreOffice, let it recalculate and save it (or paste the "
            "values in place of the formulas)"
        ),
    )
    # XLSForm (ODK Collect, KoboToolbox): sheet, row and column, as pyxform names them
    XLSFORM_SHEET = (
        N_("the workbook has no {sheet!r} sheet"),
        N_("an XLSForm has a 'survey' sheet, and a 'choices' sheet for select questions"),
    )
    XLSFORM_CELL = (
        N_("[row : {row}] on the {sheet!r} sheet, column {column!r}: {detail}"),
        N_("{fix}"),
    )
    XLSFORM_TYPE = (
        N_(
            "[row : {row}] on the {sheet!r} sheet, column 'type': {type!r} is not a question "
            "type assessment-kit reads"
        ),
        N_("use one of: {known}"),
    )
    XLSFORM_GROUPS = (
        N_("[row : {row}] on the {sheet!r} sheet, column 'type': {detail}"),
        N_(
            "put every question inside one begin_group ... end_group (a section); "
            "groups do not nest"
        ),
    )
    XLSFORM_EXPRESSION = (
        N_("[row : {row}] on the {sheet!r} sheet, column {column!r}: {detail}"),
        N_(
            "write it with ${{name}} references, comparisons, and/or/not, arithmetic and "
            "selected(), count-selected(), string-length(), if(), coalesce(), number()"
        ),
    )
    # Submissions from field collection tools
    SUBMISSIONS_FORMAT = (
        N_("cannot tell from its columns what made this file (the first are: {columns})"),
        N_(
            "give --format kobo, odk or long; a KoboToolbox export has _uuid and "
            "_submission_time, an ODK Central export meta-instanceID and KEY"
        ),
    )
    SUBMISSIONS_QUESTIONNAIRE = (
        N_("no questionnaire of the mission matches the columns of this file ({detail})"),
        N_("export the form made with 'assessment-kit xlsform' for one of: {known}"),
    )
    # Store
    NOT_A_MISSION = (N_("{detail}"), N_("open a mission file made with 'assessment-kit new'"))
    MISSION_EXISTS = (N_("the mission file already exists"), N_("choose another name or delete it"))
    MISSION_LANGUAGE = (
        N_("unknown language {language!r} for the mission"),
        N_("use one of the six UN languages: {known}"),
    )
    SCHEMA_TOO_NEW = (
        N_("the mission file has schema version {found}, newer than this assessment-kit ({known})"),
        N_("upgrade assessment-kit"),
    )
    # Joining copies of a mission (merge)
    MISSION_MISMATCH = (
        N_(
            "{other} is another mission (uuid {other_uuid}), not a copy of {mission}"
            " (uuid {mission_uuid}); nothing was joined"
        ),
        N_(
            "join only copies of one mission: files copied from it or made by 'assessment-kit "
            "copy'; to bring in answers from another mission, export them and import the file"
        ),
    )
    VERSION_MISMATCH = (
        N_(
            "{other} uses the questionnaires {theirs} but {mission} uses {ours}; nothing was joined"
        ),
        N_("join copies that use the same questionnaire versions"),
    )
    # Scoring profiles
    PROFILE_FIELD = (N_("{field}: {detail}"), N_("{fix}"))
    XLSX_EXTRA = (
        N_("reading or writing .xlsx files needs openpyxl"),
        N_("install the xlsx extra: pip install 'assessment-kit[xlsx]', or use CSV"),
    )
    STORE_IO = (N_("{detail}"), N_("{fix}"))
    # Output files (the guard every export passes first)
    OUTPUT_IS_MISSION = (
        N_("this is a mission file: writing over it would lose every answer in it"),
        N_("give the output another name (the mission is left as it was)"),
    )
    OUTPUT_IS_INPUT = (
        N_("this is the mission being read ({input})"),
        N_("give the output another name, such as answers.csv"),
    )
    OUTPUT_EXISTS = (
        N_("the file already exists"),
        N_("give another name, or pass --force (force=True) to replace it"),
    )
    XLSX_CELL_TOO_LONG = (
        N_(
            "sheet {sheet!r}, row {row}, column {column!r}: {length} characters, more than the "
            "{limit} an XLSX cell holds; nothing was written"
        ),
        N_("export as CSV, which holds the whole text, or shorten the text in the mission"),
    )
    MISSION_READ_ONLY = (
        N_("the mission file is read-only, so nothing could be written; nothing was changed"),
        N_(
            "make it writable (check its permissions, or copy it to a folder of yours) "
            "and try again"
        ),
    )
    FOLDER_READ_ONLY = (
        N_(
            "the folder holding the mission cannot be written: SQLite needs to create "
            "{name}-wal and {name}-shm beside the mission, even to read it"
        ),
        N_("copy the mission to a folder you can write to, or make this folder writable"),
    )
    MISSION_DAMAGED = (
        N_("the mission file is damaged ({detail})"),
        N_(
            "restore it from a backup or from another assessor's copy; 'sqlite3 FILE .recover' "
            "can rescue what is still readable"
        ),
    )
    DISK_FULL = (
        N_("the disk is full (while {doing}); nothing was changed"),
        N_("free some space on the disk, or use a disk with room, and try again"),
    )
    # PostgreSQL missions (a postgresql:// URL)
    POSTGRES_EXTRA = (
        N_("a postgresql:// mission needs the psycopg package"),
        N_("install the postgres extra: pip install 'assessment-kit[postgres]'"),
    )
    PG_PASSWORD_IN_URL = (
        N_(
            "the URL holds a password: a password is read only from PGPASSWORD or ~/.pgpass, "
            "so that it is never stored with the mission or shown in a message"
        ),
        N_("take the password out of the URL and set PGPASSWORD, or add a line to ~/.pgpass"),
    )
    PG_UNREACHABLE = (
        N_("cannot reach the PostgreSQL server: {detail}"),
        N_(
            "check the host and port in the URL, and that the server is running and accepts "
            "connections from here"
        ),
    )
    PG_AUTH_FAILED = (
        N_("the PostgreSQL server refused to sign in: {detail}"),
        N_(
            "check the user name in the URL; set the password in PGPASSWORD or in ~/.pgpass "
            "(never in the URL), or ask the database administrator for access"
        ),
    )
    PG_DATABASE_MISSING = (
        N_("the database {database!r} does not exist on the server"),
        N_(
            "check its name in the URL, or create it (createdb {database}, or ask the database "
            "administrator)"
        ),
    )
    PG_DATABASE_NOT_EMPTY = (
        N_("the database already holds tables ({tables}), so a new mission cannot go in it"),
        N_("create an empty database for the mission (createdb NAME) and give its URL"),
    )
    PG_REFUSED = (
        N_("the PostgreSQL server refused {doing}: {detail}"),
        N_("ask the database administrator for the rights this needs (see deploy/roles.sql)"),
    )
    PG_FAILED = (
        N_("PostgreSQL could not finish {doing}: {detail}"),
        N_("check that the server is running and the connection holds, then try again"),
    )
    OUTPUT_FORMAT = (
        N_("the name ends in {suffix!r} but the format is {fmt!r}"),
        N_("name the file {expected}, or pass --format {other}"),
    )
    # Follow-up assessments (comparing a follow-up with its baseline)
    COMPARE_INSTRUMENTS = (
        N_(
            "the two missions do not use the same instruments: the baseline uses {baseline}, "
            "the follow-up {followup}"
        ),
        N_(
            "compare missions of the same instruments (their versions may differ), or score "
            "each alone with 'assessment-kit score'"
        ),
    )
    COMPARE_LINEAGE = (
        N_(
            "{questionnaire} {newer} revises version {previous}, not {older}: its 'replaces' "
            "records cannot match the questions of {older}"
        ),
        N_("compare missions whose versions of {questionnaire} are the same or one revision apart"),
    )
    NO_BASELINE = (
        N_("this mission records no baseline, so there is nothing to show progress against"),
        N_(
            "create the follow-up with "
            "'assessment-kit new FOLLOWUP.db --baseline BASELINE.db ...', or leave out --baseline"
        ),
    )
    NOT_THE_BASELINE = (
        N_(
            "this is not the follow-up's baseline: the follow-up records {expected!r} "
            "(mission {expected_uuid}), this file holds {found!r} (mission {found_uuid})"
        ),
        N_("pass the baseline file the follow-up was created with (or a copy of it)"),
    )
    # The JupyterLab server extension's requests
    PATH_OUTSIDE_ROOT = (
        N_("the path {where!r} is outside the folder JupyterLab serves"),
        N_("give a path relative to the folder the file browser shows, without '..'"),
    )
    HIDDEN_PATH = (
        N_("the path {where!r} names a hidden file or folder, which this server does not show"),
        N_("move the mission to a folder the file browser shows"),
    )
    REQUEST_FIELD = (
        N_("the request's field {field!r} {detail}"),
        N_("send {field!r} as {expected}"),
    )
    NOT_A_FOLDER = (N_("{where!r} is not a folder"), N_("choose a folder the file browser shows"))
    UNKNOWN_NOTEBOOK = (
        N_("there is no mission notebook called {name!r}"),
        N_("use one of: {known}"),
    )
    UNKNOWN_EXPORT = (
        N_("no briefing export {job!r} is running or finished on this server"),
        N_("start the export again from the mission panel"),
    )

    # Members are numbered so that entries sharing a template stay distinct codes
    # (an Enum would otherwise make them aliases of one another).
    _template: str
    _fix: str

    def __new__(cls, template: str, fix: str) -> Code:
        member = object.__new__(cls)
        member._value_ = len(cls.__members__) + 1
        member._template = template
        member._fix = fix
        return member

    @property
    def template(self) -> str:
        """The message, with ``{fields}`` filled by :meth:`Problem.make`."""
        return self._template

    @property
    def fix(self) -> str:
        """How to fix the problem."""
        return self._fix
