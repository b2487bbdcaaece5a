"""Exceptions raised by docgen.

Every exception docgen raises on purpose derives from :class:`DocgenError`. Each carries the exit
code the command line returns for it and a one-line Chinese message that names the file and the
place, so the CLI can print ``str(error)`` and exit without a traceback.

Exit codes: 0 = all good, 1 = the data has problems (see :class:`DataProblemsError`),
2 = unusable input or usage (everything else here).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docgen.problems import Problem

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_UNUSABLE = 2


class DocgenError(Exception):
    """Base class of every error docgen raises on purpose."""

    exit_code = EXIT_UNUSABLE


class InputError(DocgenError):
    """Raised when an input file cannot be used at all: missing, unreadable, not JSON, not a case file."""

    def __init__(self, file: str, message: str) -> None:
        super().__init__(f"{file}: {message}")
        self.file = file
        self.detail = message


class LedgerError(InputError):
    """Raised when an Excel ledger cannot be read: not an .xlsx, or a sheet or column is missing."""


class MappingError(InputError):
    """Raised when a ledger header-mapping file is malformed or names a field the case schema lacks."""


class SpecError(InputError):
    """Raised when an archive spec, checklist, calendar or evidence-type file is malformed or names
    something the case schema does not have."""


class TemplateError(DocgenError):
    """Raised when a Word template would make broken documents, reaches for Python's internals or fails while
    rendering (named with the template and paragraph)."""

    def __init__(self, message: str, *, paragraph: int = 0, text: str = "", detail: str = "") -> None:
        super().__init__(message)
        self.paragraph, self.text, self.detail = paragraph, text, detail or message


class OutputError(DocgenError):
    """Raised when an output cannot be written (the previous output, if any, is left untouched)."""

    def __init__(self, file: str, message: str) -> None:
        super().__init__(f"{file}: {message}")
        self.file = file
        self.detail = message


class DataProblemsError(DocgenError):
    """Raised when input was read but its data has problems; carries every problem found."""

    exit_code = EXIT_PROBLEMS

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(f"发现 {len(problems)} 个数据问题")
        self.problems = list(problems)
