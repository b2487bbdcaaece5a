"""Reading an .xlsx someone else made: looked over before openpyxl parses it, then read within limits.

Every reader of Excel files (ledger import, roster import, paper numbers, the service's upload) opens them
here, so the limits live in one place. Before openpyxl sees the file it must be a zip of at most
:data:`MAX_PARTS` parts and :data:`MAX_UNCOMPRESSED` bytes (as its directory says; reading never goes past
that), and no XML part may carry a DOCTYPE: Excel and WPS never write one, and entity declarations are what
XML bombs ("billion laughs") and external entities (XXE) are made of. openpyxl then parses with defusedxml,
which refuses entities as well. Rows are read up to :data:`MAX_ROWS` a sheet and :data:`MAX_COLUMNS` wide,
with at most :data:`MAX_CELLS` filled cells in all. Whatever openpyxl raises on a damaged file is one
:class:`~docgen.errors.LedgerError` naming the file (and the sheet), never a traceback.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from docgen.errors import InputError, LedgerError

MAX_PARTS = 10_000  # files in the zip; a workbook of 15 sheets has about 40
MAX_UNCOMPRESSED = 256 * 1024 * 1024  # a sheet of 200,000 rows × 20 filled columns is about 160 MB of XML
MAX_ROWS = 200_000  # a sheet; a county's roster of school-age children is a few tens of thousands
MAX_COLUMNS = 256  # read from each row; the widest mapping has a few dozen columns
MAX_CELLS = 5_000_000  # filled cells in the whole workbook
PROLOG_BYTES = 64 * 1024  # what an XML part may have before its first element (declaration, comments)
MB = 1024 * 1024


def made_at(path: Path) -> dt.datetime | None:
    """When the workbook was made (its ``dcterms:created``, which Excel, WPS and LibreOffice keep when they save
    it again), in UTC; None when it does not say or cannot be read."""
    try:
        with zipfile.ZipFile(path) as bundle:
            info = bundle.getinfo("docProps/core.xml")
            if info.file_size > PROLOG_BYTES:
                return None
            text = bundle.read(info).decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError, ValueError):
        return None
    found = re.search(r"<dcterms:created\b[^>]*>\s*([^<]{10,40}?)\s*</dcterms:created>", text)
    try:
        made = dt.datetime.fromisoformat(found.group(1).replace("Z", "+00:00")) if found else None
    except ValueError:
        return None
    if made is not None and made.tzinfo is None:
        made = made.replace(tzinfo=dt.UTC)
    return made


def _prolog_problem(head: bytes, whole: bool) -> str:
    """What is wrong with the start of an XML part (``head``, all of it when ``whole``): '' when fine."""
    text = head.replace(b"\x00", b"")  # UTF-16 (allowed by XML, never written by Excel) read as ASCII
    pos = 3 if text.startswith(b"\xef\xbb\xbf") else 2 if text.startswith((b"\xff\xfe", b"\xfe\xff")) else 0
    while True:
        while pos < len(text) and text[pos] in b" \t\r\n":
            pos += 1
        if text.startswith(b"<?", pos):
            closing = b"?>"
        elif text.startswith(b"<!--", pos):
            closing = b"-->"
        elif text.startswith(b"<!", pos):
            return "有 DOCTYPE（XML 实体声明）"
        else:
            return "" if pos < len(text) or whole else "开头过长"
        end = text.find(closing, pos)
        if end < 0:
            return "" if whole else "开头过长"
        pos = end + len(closing)


def _look_over(path: Path) -> None:
    """LedgerError unless ``path`` is a zip within the limits whose XML parts have no DOCTYPE."""
    try:
        with zipfile.ZipFile(path) as package:
            parts = package.infolist()
            if len(parts) > MAX_PARTS:
                raise LedgerError(str(path), f"压缩包中有 {len(parts)} 个文件，超过上限 {MAX_PARTS} 个，未读取")
            size = sum(p.file_size for p in parts)
            if size > MAX_UNCOMPRESSED:
                raise LedgerError(str(path), f"解压后有 {size // MB} MB，超过上限 {MAX_UNCOMPRESSED // MB} MB，未读取；"
                                             "请分成几个文件")
            for part in parts:
                if not part.filename.lower().endswith((".xml", ".rels", ".vml")):
                    continue
                with package.open(part) as stream:
                    head = stream.read(PROLOG_BYTES)
                problem = _prolog_problem(head, len(head) < PROLOG_BYTES)
                if problem:
                    raise LedgerError(str(path), f"其中的 {part.filename} {problem}，Excel 和 WPS 不会写这种内容，"
                                                 "可能是恶意构造的文件，未读取")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, RuntimeError,
            UnicodeDecodeError) as exc:
        raise LedgerError(str(path), _not_xlsx(path)) from exc
    except OSError as exc:
        raise InputError(str(path), f"无法读取文件（{exc.strerror or exc}）") from exc


def _not_xlsx(path: Path) -> str:
    hint = "；如是 .xls 旧格式，请在 Excel 中“另存为” .xlsx" if path.suffix.lower() == ".xls" else ""
    return f"不是有效的 Excel .xlsx 文件{hint}"


def _damaged(exc: BaseException) -> str:
    """Why openpyxl failed, from the first cause a clerk can act on (it wraps what the XML parser raised)."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from lxml.etree import XMLSyntaxError

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, DefusedXmlException):
            return "含有 XML 实体声明，可能是恶意构造的文件，未读取"
        if isinstance(seen, ParseError | XMLSyntaxError):
            return f"文件已损坏，无法读取（{seen}）"
        seen = seen.__cause__ or seen.__context__
    return ""


class ExcelFile:
    """An .xlsx opened for reading (read-only, values rather than formulas), within the limits above."""

    def __init__(self, path: Path) -> None:
        from openpyxl import load_workbook

        self.path, self.name = path, str(path)
        if not path.exists():
            raise InputError(self.name, "文件不存在")
        if path.is_dir():
            raise InputError(self.name, "这是一个目录，不是 Excel 文件")
        _look_over(path)
        try:
            # Opened here, so that it is closed here too: openpyxl leaves the file open when the workbook fails.
            self.file = path.open("rb")
        except OSError as exc:
            raise InputError(self.name, f"无法读取文件（{exc.strerror or exc}）") from exc
        try:
            self.book = load_workbook(self.file, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
            self.file.close()
            raise LedgerError(self.name, _damaged(exc) or _not_xlsx(path)) from exc
        self.cells = 0

    def __enter__(self) -> ExcelFile:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self.book.close()
        self.file.close()

    @property
    def sheetnames(self) -> list[str]:
        return list(self.book.sheetnames)

    def title(self, index: int) -> str:
        return str(self.book.worksheets[index].title)

    def rows(self, sheet: str | int, min_row: int = 1, max_row: int | None = None) -> Iterator[tuple[Any, ...]]:
        """The values of each row of ``sheet`` (a name, or an index) from ``min_row`` on, at most
        :data:`MAX_COLUMNS` wide; LedgerError past :data:`MAX_ROWS` rows or :data:`MAX_CELLS` filled cells, or
        when the sheet's XML is damaged."""
        ws = self.book[sheet] if isinstance(sheet, str) else self.book.worksheets[sheet]
        last = MAX_ROWS + 1 if max_row is None else min(max_row, MAX_ROWS + 1)
        widest = min(ws.max_column or MAX_COLUMNS, MAX_COLUMNS)
        row_no = min_row
        try:
            for row_no, values in enumerate(ws.iter_rows(min_row=min_row, max_row=last, max_col=widest,
                                                         values_only=True), min_row):
                if row_no > MAX_ROWS:
                    raise LedgerError(self.name, f"工作表“{ws.title}”超过 {MAX_ROWS} 行，未读取；请分成几个文件")
                self.cells += len(values) - values.count(None)
                if self.cells > MAX_CELLS:
                    raise LedgerError(self.name, f"有内容的单元格超过 {MAX_CELLS} 个，未读取；请分成几个文件")
                yield values
        except LedgerError:
            raise
        except Exception as exc:  # the sheet's XML, parsed as the rows are read
            why = _damaged(exc) or f"无法读取（{type(exc).__name__}: {exc}）"
            raise LedgerError(self.name, f"工作表“{ws.title}”第 {row_no} 行附近{why}") from exc
