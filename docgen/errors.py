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


class CellError(DocgenError):
    """Raised when a ledger cell's content cannot be read as the field its column maps to (the readers turn it into
    a problem at that sheet, row and column)."""


class NumberConflictError(DocgenError):
    """Raised when a 文号 recorded in the case data is already used by another document."""


class ConverterError(DocgenError):
    """Raised when LibreOffice is missing or does not produce a PDF for a document."""


class ReportFileError(DocgenError):
    """Raised when an audit report cannot be read or is not one docgen wrote."""


class FontMissingError(DocgenError):
    """Raised when no CJK font is installed to draw the demo's placeholder evidence with."""


class NoWorkspaceError(DocgenError):
    """Raised when a command needs the county's workspace (its settings and 文号 register) and none is found."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(f"{detail}没有找到工作区（县的设置和文号登记簿）。先在本县的工作目录运行"
                         " docgen init --county 某某县，或用 --workspace 目录 / 环境变量 DOCGEN_WORKSPACE 指定。"
                         "未编任何文号，也未写出任何文件")
