"""Workbooks a clerk can print and file: one function, :func:`write_sheet`, lays out a sheet — a title merged
across the table, bordered tables whose header row repeats on every printed page (with the title), 合计 rows
in bold, dates as real dates shown 2022年10月20日, columns as wide as what they hold, 宋体 declared on every
cell, A4 (landscape when the table is wider than a portrait page), margins and 第 N 页 共 M 页 in the footer.

Every workbook starts from :func:`new_workbook`, whose default font is 宋体 10.5 pt: column widths are counted in
the default font's digits (Excel's rule; LibreOffice measured the same), so with it one CJK character is two width
units, and an empty cell is in a Chinese face too. ``docgen/data/fonts/fonts.conf`` maps 宋体 to FandolSong
(then Noto Serif CJK SC) when LibreOffice prints, never to a Japanese face.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList

FONT_NAME = "宋体"
GB2312 = 134  # the font's character set: tells Excel and WPS to pick a simplified-Chinese face
SIZE, TITLE_SIZE = 10.5, 16  # 五号 for the tables, 三号 bold for the title
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
DATETIME_FORMAT = 'yyyy"年"m"月"d"日" hh:mm:ss'
PERCENT_FORMAT = "0.00%"
FOOTER = "第 &P 页 共 &N 页"

MAX_WIDTH = 40  # a column never gets wider than this; longer text wraps inside its cell
HEADER_WIDTH = 12  # a header longer than this (and than its column's values) wraps, in lines about this long
LINE_POINTS = 14  # one line of 10.5-point text
ROW_PADDING = 6
# What fits across A4 inside the margins, in width units (5.25 pt each at 宋体 10.5 pt): wider tables are turned
# to landscape, and wider still are scaled down to one page wide.
PORTRAIT_UNITS, LANDSCAPE_UNITS = 96, 142

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="E7E6E6")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
RED = PatternFill("solid", fgColor="FFC7CE")
GREEN = PatternFill("solid", fgColor="C6EFCE")
YELLOW = PatternFill("solid", fgColor="FFEB9C")


def font(*, bold: bool = False, size: float = SIZE, color: str | None = None) -> Font:
    return Font(name=FONT_NAME, charset=GB2312, size=size, bold=bold, color=color)


def new_workbook(write_only: bool = False) -> Workbook:
    """An empty workbook whose default (Normal) font is 宋体 10.5 pt (see the module docstring)."""
    wb = Workbook(write_only=write_only)
    default = font()
    # openpyxl has no public way to change the default font: it is the first font of the stylesheet, which
    # the Normal style and every unstyled cell point at.
    wb._fonts = IndexedList([default])
    wb._named_styles["Normal"].font = default
    if not write_only:
        wb.remove(wb.active)
    return wb


@dataclass(frozen=True)
class Styled:
    """A value with its own look: a number format (percentages), a fill (达标 green, 逾期 red), bold."""

    value: Any
    number_format: str | None = None
    fill: PatternFill | None = None
    bold: bool = False


@dataclass
class Table:
    """A bordered table: its header (repeated on every printed page when it is the sheet's first table), its rows,
    and which rows are totals (合计: bold, shaded). ``caption`` is a line above it, for a second table on a sheet."""

    header: Sequence[str]
    rows: Sequence[Sequence[Any]]
    totals: Sequence[int] = ()  # indexes into ``rows``
    caption: str = ""
    empty: str = "无"  # the row a printed table without rows shows ("" for a sheet that is read back)
    first_row: int = field(default=0, init=False)  # the sheet row of its first data row, once written


def write_sheet(wb: Workbook, name: str, title: str | None, tables: Sequence[Table], *, subtitle: str = "",
                notes: Sequence[str] = (), widths: Mapping[int, float] | None = None,
                hidden: Sequence[int] = ()) -> Any:
    """Add a sheet ``name`` laid out for printing: ``title`` (and ``subtitle``) merged across the widest table,
    then ``tables``, then ``notes`` (signature lines). ``widths`` sets columns (1-based) by hand: one that is filled
    in by hand, or long text held narrower; ``hidden`` columns are kept for Excel but not printed. ``title=None``
    puts the first table's header in row 1 (a ledger that is read back). Returns the worksheet."""
    ws = wb.create_sheet(name[:31])
    span = max(len(t.header) for t in tables)
    merged_rows: list[tuple[int, str, Font, Alignment]] = []

    def line(text: str, style: Font, align: Alignment) -> None:
        ws.append([text])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=span)
        merged_rows.append((ws.max_row, text, style, align))

    if title is not None:
        line(title, font(bold=True, size=TITLE_SIZE), Alignment(horizontal="center", vertical="center"))
        ws.row_dimensions[ws.max_row].height = 30
        if subtitle:
            line(subtitle, font(), Alignment(horizontal="left", vertical="center", wrap_text=True))
    header_rows: list[int] = []
    total_rows: set[int] = set()
    for n, table in enumerate(tables):
        if n and ws.max_row:
            ws.append([])
        if table.caption:
            line(table.caption, font(bold=True), Alignment(horizontal="left", vertical="center", wrap_text=True))
        ws.append(list(table.header))
        header_rows.append(ws.max_row)
        for cell in ws[ws.max_row][:len(table.header)]:
            cell.font, cell.fill, cell.border = font(bold=True), HEADER_FILL, BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        table.first_row = ws.max_row + 1
        totals = set(table.totals)
        rows = table.rows or ([[table.empty]] if table.empty else [])
        for i, values in enumerate(rows):
            ws.append([_value(v) for v in values])
            row = ws.max_row
            if i in totals:
                total_rows.add(row)
            for column, value in enumerate(values, 1):
                _style_cell(ws.cell(row, column), value, total=i in totals)
            for column in range(len(values) + 1, len(table.header) + 1):  # a short row still has its borders
                _style_cell(ws.cell(row, column), None, total=i in totals)
    if notes:
        ws.append([])
        for text in notes:
            line(text, font(), Alignment(horizontal="left", vertical="center", wrap_text=True))
    merged = {row for row, *_ in merged_rows}
    _fit_widths(ws, set(header_rows), merged, widths or {})
    for column in hidden:
        ws.column_dimensions[get_column_letter(column)].hidden = True
    total_width = sum(ws.column_dimensions[get_column_letter(c)].width for c in range(1, span + 1)
                      if c not in hidden)
    for row, text, style, align in merged_rows:
        cell = ws.cell(row, 1)
        cell.font, cell.alignment = style, align
        lines = _lines(text, total_width)
        if lines > 1 and ws.row_dimensions[row].height is None:
            ws.row_dimensions[row].height = LINE_POINTS * lines + ROW_PADDING
    _row_heights(ws, merged)
    page_setup(ws, header_rows[0], landscape=total_width > PORTRAIT_UNITS)
    return ws


def _value(value: Any) -> Any:
    return value.value if isinstance(value, Styled) else value


def _style_cell(cell: Any, value: Any, *, total: bool) -> None:
    styled = value if isinstance(value, Styled) else None
    raw = _value(value)
    cell.border = BORDER
    cell.font = font(bold=total or bool(styled and styled.bold))
    if total:
        cell.fill = TOTAL_FILL
    if styled and styled.fill is not None:
        cell.fill = styled.fill
    if isinstance(raw, dt.datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(raw, dt.date):
        cell.number_format = DATE_FORMAT
    if styled and styled.number_format:
        cell.number_format = styled.number_format
    numeric = isinstance(raw, int | float | dt.date) and not isinstance(raw, bool)
    cell.alignment = Alignment(horizontal="center" if numeric else "left", vertical="center")


def units(text: str) -> int:
    """Width units of ``text``: two for a CJK character, and for the punctuation a Chinese font sets full width
    (“ ” · …, which Unicode calls ambiguous), one for the rest."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def text_width(value: Any, number_format: str = "General") -> int:
    """Width units a value takes in a cell; a date or a percentage as it is shown."""
    if isinstance(value, int | float) and not isinstance(value, bool) and number_format.endswith("%"):
        text = f"{value:.{number_format.count('0') - 1}%}"
    elif isinstance(value, dt.datetime):
        text = f"{value.year}年{value.month}月{value.day}日 00:00:00"
    elif isinstance(value, dt.date):
        text = f"{value.year}年{value.month}月{value.day}日"
    elif isinstance(value, float):
        text = f"{value:.2f}"
    else:
        text = "" if value is None else str(value)
    return max((units(part) for part in text.split("\n")), default=0)


NO_LINE_START = frozenset("、，。：；！？）》」』】〕〉”’·…%")
NO_LINE_END = frozenset("〔（《〈“‘「『【([")
_TOKENS = re.compile(r"[A-Za-z0-9.\-_/]+|.")


def _lines(value: Any, width: float) -> int:
    """Lines ``value`` takes when wrapped in a column ``width`` units wide (one unit of it is the cell's padding), set
    the way LibreOffice and Excel break lines: a number or a Latin word is never split, no line starts with 、 or ）
    and none ends with （ or 〔 — a character goes down with its neighbour. Measured against LibreOffice's PDFs of
    the due list's and the audit report's longest cells at widths 20, 36 and 40: never fewer lines than it sets, at
    most one more."""
    text = "" if value is None else str(value)
    capacity = max(2.0, (width - 1) * 0.97)
    lines = 0
    for part in text.split("\n"):
        if units(part) <= width - 1:  # what fits, fits: the slack is for where lines break
            lines += 1
            continue
        clusters: list[str] = []  # runs no line may break inside: 〔2018〕 stays whole
        previous = ""
        for token in _TOKENS.findall(part):
            if clusters and (token in NO_LINE_START or previous in NO_LINE_END):
                clusters[-1] += token
            else:
                clusters.append(token)
            previous = token
        count, used = 1, 0
        # a run longer than the line is broken anywhere, as it must be
        for cluster in (t for run in clusters for t in (run if units(run) > capacity else [run])):
            size = units(cluster)
            if used and used + size > capacity:
                count += 1
                used = 0
            used += size
        lines += count
    return lines


def _fit_widths(ws: Any, headers: set[int], merged: set[int], fixed: Mapping[int, float]) -> None:
    """Each column as wide as its widest value (at most MAX_WIDTH); a header wider than that wraps, in up to
    three lines. Merged rows (the title, captions, notes) span the table and never widen a column."""
    values: dict[int, int] = {}
    heads: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None or cell.row in merged:
                continue
            target = heads if cell.row in headers else values
            target[cell.column] = max(target.get(cell.column, 0), text_width(cell.value, cell.number_format))
    for column in sorted(set(values) | set(heads) | set(fixed)):
        if column in fixed:
            width = fixed[column]
        else:
            data, head = values.get(column, 0), heads.get(column, 0)
            if head > max(data, HEADER_WIDTH):  # wrap it in lines of equal length, whole characters each
                lines = math.ceil(head / HEADER_WIDTH)
                head = max(data, 2 * math.ceil(head / lines / 2))
            width = min(MAX_WIDTH, max(data, head, 4)) + 2
        ws.column_dimensions[get_column_letter(column)].width = width


def _row_heights(ws: Any, merged: set[int]) -> None:
    """Wrap what is wider than its column and give its row the height of its lines: LibreOffice (and so our
    PDFs) does not grow a row for wrapped text by itself."""
    for row in ws.iter_rows():
        if not row or row[0].row in merged:
            continue
        lines = 1
        for cell in row:
            if cell.value is None or isinstance(cell.value, int | float | dt.date):
                continue
            width = ws.column_dimensions[get_column_letter(cell.column)].width or 8.43
            need = _lines(cell.value, width)
            if need > 1 or "\n" in str(cell.value):
                cell.alignment = Alignment(horizontal=cell.alignment.horizontal, vertical="center",
                                           wrap_text=True)
            lines = max(lines, need)
        ws.row_dimensions[row[0].row].height = LINE_POINTS * lines + ROW_PADDING


def page_setup(ws: Any, header_row: int, landscape: bool, fit_width: bool = True) -> None:
    """A4 (landscape when wide), margins, one page wide (unless ``fit_width`` is false), rows 1…``header_row`` (the
    title and the header) repeated on every page and frozen on screen, 第 N 页 共 M 页 in the footer."""
    ws.page_setup.paperSize = "9"  # A4 (a streamed sheet has no PAPERSIZE_A4)
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = fit_width
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.6
    ws.page_margins.top, ws.page_margins.bottom = 0.8, 0.8
    ws.page_margins.header, ws.page_margins.footer = 0.3, 0.4
    ws.print_title_rows = f"1:{header_row}"
    ws.oddFooter.center.text = FOOTER
    ws.oddFooter.center.font = f"{FONT_NAME},常规"
    ws.oddFooter.center.size = 10
    ws.freeze_panes = f"A{header_row + 1}"
