"""Workbooks a clerk can print: every sheet A4 landscape, one page wide, its header rows repeated on
every page and frozen on screen, columns wide enough for what they hold."""

from __future__ import annotations

import datetime as dt
from typing import Any

from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from docgen.text import display_width

MAX_WIDTH = 50


DATE_FORMAT = "yyyy-mm-dd"
LINE_POINTS = 15  # one line of 11-point text


def date_cells(ws: Any, column: int, first_row: int = 1) -> None:
    """Turn ISO date strings in one column into real dates shown as 2022-09-15 (Excel sorts and filters them)."""
    for (cell,) in ws.iter_rows(min_row=first_row, min_col=column, max_col=column):
        value = cell.value
        if isinstance(value, str) and len(value) == 10:
            try:
                cell.value = dt.date.fromisoformat(value)
            except ValueError:
                continue
        if isinstance(cell.value, dt.date):
            cell.number_format = DATE_FORMAT


def text_width(value: Any) -> int:
    """Columns a value takes in Excel: a CJK character counts two."""
    text = value.strftime("%Y-%m-%d") if hasattr(value, "strftime") else str(value)
    longest = max(text.split("\n"), key=len) if text else ""
    return display_width(longest)


def header_rows(ws: Any) -> int:
    """How many rows at the top are headings: the rows above the frozen pane, else one."""
    pane = getattr(ws, "freeze_panes", None)
    if pane:
        row = int("".join(ch for ch in pane if ch.isdigit()) or "1")
        return max(1, row - 1)
    return 1


def print_setup(ws: Any, headers: int | None = None) -> None:
    """A4 landscape, fit to one page wide (as many pages down as needed), header rows repeated and frozen."""
    headers = headers or header_rows(ws)
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_title_rows = f"1:{headers}"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    if not ws.freeze_panes:
        ws.freeze_panes = f"A{headers + 1}"


def fit_widths(ws: Any) -> None:
    """Give every column without a width one that fits its longest value (cells merged across columns,
    such as a title row, are left out)."""
    merged = {(r, c) for rng in ws.merged_cells.ranges for r in range(rng.min_row, rng.max_row + 1)
              for c in range(rng.min_col, rng.max_col + 1)}
    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None or (cell.row, cell.column) in merged:
                continue
            widths[cell.column] = max(widths.get(cell.column, 0), text_width(cell.value))
    for column, width in widths.items():
        letter = get_column_letter(column)
        # Asking openpyxl for a column it has no entry for makes one, already "custom" at its default width (13):
        # look before asking, or every column ends up 13 wide.
        if letter in ws.column_dimensions and ws.column_dimensions[letter].customWidth:
            continue
        ws.column_dimensions[letter].width = min(MAX_WIDTH, max(6, width + 2))
    wrap_long_text(ws, merged)


def wrap_long_text(ws: Any, merged: set[tuple[int, int]]) -> None:
    """Text longer than its column wraps inside its cell instead of running over the next ones (a title alone in
    its row keeps running across)."""
    for row in ws.iter_rows():
        filled = [c for c in row if c.value is not None]
        if len(filled) < 2:
            continue
        lines = 1
        for cell in filled:
            if (cell.row, cell.column) in merged or not isinstance(cell.value, str):
                continue
            width = ws.column_dimensions[get_column_letter(cell.column)].width or 8.43
            if text_width(cell.value) > width:
                cell.alignment = Alignment(wrap_text=True, vertical="top",
                                           horizontal=cell.alignment.horizontal)
                lines = max(lines, -(-text_width(cell.value) // int(width - 1)))
        if lines > 1:
            for cell in filled:  # the row's cells line up at the top, beside the wrapped text
                cell.alignment = Alignment(wrap_text=cell.alignment.wrap_text, vertical="top",
                                           horizontal=cell.alignment.horizontal)
        if lines > 1 and ws.row_dimensions[filled[0].row].height is None:
            # Row heights are not recomputed by every reader (LibreOffice converting to PDF is one): set them.
            ws.row_dimensions[filled[0].row].height = LINE_POINTS * lines
