"""Errors: one base class and a catalogue of messages.

The hierarchy::

    AssessmentKitError                 anything assessment-kit raises on purpose
    ├── ProblemsError                  one or more catalogued problems (all listed at once)
    │   ├── QuestionnaireError         a questionnaire file is invalid
    │   ├── AnswerError                an answer was refused; nothing was written
    │   ├── ImportProblems             an answers file has bad rows; nothing was imported
    │   ├── JoinError                  two missions cannot be joined (merge); nothing was joined
    │   └── ComparisonError            two missions cannot be compared (baseline, follow-up)
    ├── ExpressionError                an expression does not parse or evaluate
    ├── StoreError                     the mission file cannot be opened or written
    ├── MissingExtraError              an optional part is not installed (names the extra)
    ├── BriefingError                  the briefing cannot be exported
    │   └── BrowserNotFoundError       no Chromium or Chrome to print with
    └── RequestRefused                 the JupyterLab server extension refuses a request

Every message says where (file, line, field or row) and how to fix it. Messages live in
:class:`Code`, so tests assert on codes and the wording is written once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# Code is re-exported: the catalogue lives in error_codes, callers import it from here.
from assessment_kit.error_codes import Code as Code
from assessment_kit.i18n import _, ngettext


@dataclass(frozen=True, slots=True)
class Problem:
    """One catalogued problem with its location."""

    code: Code
    message: str
    hint: str
    file: str | None = None
    line: int | None = None
    path: str = ""

    @classmethod
    def make(
        cls,
        code: Code,
        *,
        file: str | None = None,
        line: int | None = None,
        path: str = "",
        **fields: Any,
    ) -> Problem:
        """Build a problem from its catalogue entry, filling the templates with ``fields``."""
        return cls(
            code=code,
            # In the language in force (the command line's, see assessment_kit.cli).
            message=_(code.template).format(**fields),
            hint=_(code.fix).format(**fields),
            file=file,
            line=line,
            path=path,
        )

    def __str__(self) -> str:
        location = ":".join(str(part) for part in (self.file, self.line) if part is not None)
        parts = [part for part in (location, self.path) if part]
        parts.append(_("{message} (fix: {hint})").format(message=self.message, hint=self.hint))
        return ": ".join(parts)


#: How many problems a message lists before it only counts the rest: a file for another
#: mission can have hundreds of thousands of bad rows.
SHOWN_PROBLEMS = 50


def more_problems(count: int) -> str:
    """``"... and 719,013 more problems"``: the line after the problems shown."""
    hidden = count - SHOWN_PROBLEMS
    return ngettext("... and {count} more problem", "... and {count} more problems", hidden).format(
        count=f"{hidden:,}"
    )


def count_problems(count: int) -> str:
    """``"1 problem"``, ``"3 problems"``."""
    return ngettext("{count} problem", "{count} problems", count).format(count=count)


class AssessmentKitError(Exception):
    """Base class of every error assessment-kit raises on purpose."""


class ProblemsError(AssessmentKitError):
    """One or more catalogued problems, all reported together."""

    def __init__(self, problems: Iterable[Problem], summary: str = "") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.summary = summary or count_problems(len(self.problems))
        lines = [summary] if summary else []
        lines += [str(problem) for problem in self.problems[:SHOWN_PROBLEMS]]
        if len(self.problems) > SHOWN_PROBLEMS:
            lines.append(more_problems(len(self.problems)))
        super().__init__("\n".join(lines))

    @property
    def codes(self) -> list[Code]:
        return [problem.code for problem in self.problems]


class QuestionnaireError(ProblemsError):
    """A questionnaire file is invalid."""


class AnswerError(ProblemsError):
    """An answer was refused; nothing was written."""


class ImportProblems(ProblemsError):
    """An answers file has bad rows; nothing was imported."""


class JoinError(ProblemsError):
    """Two missions cannot be joined (another mission's copy, other questionnaire
    versions); nothing was written."""


class ComparisonError(ProblemsError):
    """A follow-up cannot be compared with this baseline (instruments, lineage, identity)."""

    def __init__(self, problems: Iterable[Problem], summary: str = "") -> None:
        super().__init__(problems, summary or _("the two missions cannot be compared"))


class ExpressionError(AssessmentKitError):
    """An expression does not parse or cannot be evaluated.

    ``source`` is the expression text and ``position`` the 0-based offset of the problem.
    """

    def __init__(self, message: str, source: str = "", position: int | None = None) -> None:
        self.detail = message
        self.source = source
        self.position = position
        where = (
            _(" at character {position}").format(position=position + 1)
            if position is not None
            else ""
        )
        shown = _(" in {source}").format(source=repr(source)) if source else ""
        super().__init__(f"{message}{where}{shown}")


class StoreError(AssessmentKitError):
    """The mission file cannot be opened, migrated or written.

    ``problem`` is the catalogued problem when there is one (``code`` is its code).
    """

    def __init__(self, message: str = "", *, problem: Problem | None = None) -> None:
        self.problem = problem
        super().__init__(message or (str(problem) if problem is not None else ""))

    @property
    def code(self) -> Code | None:
        return None if self.problem is None else self.problem.code


class MissingExtraError(AssessmentKitError):
    """An optional part of assessment-kit is not installed; the message names the extra."""


class BriefingError(AssessmentKitError):
    """The briefing cannot be exported."""


class BrowserNotFoundError(BriefingError):
    """No Chromium or Chrome was found to print the PDF with."""


class RequestRefused(AssessmentKitError):
    """A request to the JupyterLab server extension is refused (a path outside the served
    folder, a missing or malformed field). ``status`` is the HTTP status it answers with."""

    def __init__(self, problem: Problem, status: int = 400) -> None:
        self.problem = problem
        self.status = status
        super().__init__(str(problem))

    @property
    def code(self) -> Code:
        return self.problem.code
