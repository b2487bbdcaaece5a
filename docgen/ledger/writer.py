"""Exporting cases to an Excel ledger a clerk can open, sort and hand back for import."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from docgen.cases.model import CaseData, lookup, raw_case_label
from docgen.cases.schema import iter_leaf_paths
from docgen.errors import DataProblemsError, OutputError
from docgen.fsutil import check_writable, save_workbook, write_failure
from docgen.ledger.cells import separator_conflict, write_cell
from docgen.ledger.mapping import Column, LedgerMapping, SheetMap, load_mapping
from docgen.problems import Problem
from docgen.xlsx import BORDER, DATE_FORMAT, HEADER_FILL, LANDSCAPE_UNITS, font, new_workbook, page_setup, text_width

log = logging.getLogger(__name__)
HEADER_FONT, BODY_FONT = font(bold=True), font()
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
MAX_LIST_FORMULA = 255  # Excel's limit for an in-cell dropdown list


@dataclass
class ExportResult:
    """What was written, and the case fields the mapping has no column for (left out of the ledger)."""

    path: Path
    rows: dict[str, int] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)


def export_ledger(
    cases: Sequence[CaseData], out: str | Path, mapping: LedgerMapping | None = None, source: str = ""
) -> ExportResult:
    """Write ``cases`` to an .xlsx ledger at ``out`` (atomically); refuse values that would not read back. The
    cases are checked ones (:class:`~docgen.cases.Case`) or a copy of their data (masked for export)."""
    mapping = mapping or load_mapping()
    _refuse_separator_conflicts(cases, mapping, source)
    check_writable(out)  # a streamed workbook that fails half-way makes openpyxl print tracebacks
    workbook = new_workbook(write_only=True)
    result = ExportResult(Path(out))
    try:
        for sheet in mapping.sheets:
            result.rows[sheet.name] = _write_sheet(workbook, sheet, cases)
    except (OSError, etree.SerialisationError) as exc:  # openpyxl spools each sheet to a temporary file
        raise OutputError(str(out), f"无法写入（{write_failure(exc) or exc}）") from exc
    result.unmapped = _unmapped_values(cases, mapping)
    save_workbook(workbook, out)
    return result


def _rows(sheet: SheetMap, cases: Sequence[CaseData]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(case id, object) for every row the sheet gets: one per case, or one per item of the listed field."""
    for case in cases:
        key = str(case.get("case_id", ""))
        if sheet.per_case:
            yield key, case
            continue
        items = lookup(case, sheet.rows)
        for item in items if isinstance(items, list) else []:
            yield key, item if isinstance(item, dict) else {}


def _write_sheet(workbook: Any, sheet: SheetMap, cases: Sequence[CaseData]) -> int:
    """Stream one sheet: header, then one row per case or list item, each cell formatted for its field."""
    headers = [sheet.key_header] + [c.header for c in sheet.columns]
    rows = [[key] + [write_cell(lookup(obj, c.path), c) for c in sheet.columns] for key, obj in _rows(sheet, cases)]
    widths = [max(8, _display_width(h)) for h in headers]
    for values in rows:
        for i, value in enumerate(values):
            if value is not None:
                widths[i] = max(widths[i], _display_width(value))
    ws = workbook.create_sheet(sheet.name)
    formats = [column_format(c) for c in (None, *sheet.columns)]
    for i, (width, fmt) in enumerate(zip(widths, formats, strict=True), 1):
        dimension = ws.column_dimensions[get_column_letter(i)]
        dimension.width = min(50, width)
        dimension.number_format = fmt  # what the clerk types into an empty cell keeps the column's format
    # A ledger is for working in: printed at its size, as many pages across as it takes, each repeating the header
    # row and the 案卷编号 column, rather than shrunk to one unreadable page wide.
    page_setup(ws, 1, landscape=True, fit_width=sum(min(50, w) for w in widths) <= 1.5 * LANDSCAPE_UNITS)
    ws.print_title_cols = "A:A"
    ws.freeze_panes = "B2"
    for i, column in enumerate(sheet.columns, 2):
        add_dropdown(ws, get_column_letter(i), column, len(rows))
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=header)
        cell.font, cell.fill, cell.alignment, cell.border = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT, BORDER
        header_cells.append(cell)
    ws.append(header_cells)
    for values in rows:
        ws.append([_styled(ws, value, fmt) for value, fmt in zip(values, formats, strict=True)])
    return len(rows)


def _styled(ws: Any, value: Any, number_format: str) -> Any:
    """A bordered cell in 宋体 carrying its column's number format: '@' keeps a retyped ID number as text."""
    cell = WriteOnlyCell(ws, value=value)
    if cell.data_type == "f":
        cell.data_type = "s"  # data, never a formula: a name typed as =1+1 stays text
    cell.number_format = number_format
    cell.font, cell.border = BODY_FONT, BORDER
    return cell


def _display_width(value: Any) -> int:
    return text_width(value) + 2


def column_format(column: Column | None) -> str:
    """Dates shown as dates, numbers as numbers, everything else kept as text (ID numbers!)."""
    kind = column.field.kind if column else "string"
    if column is not None and not column.parts and kind in ("date", "planned_date"):
        return DATE_FORMAT
    if kind in ("integer", "number"):
        return "General"
    return "@"


def add_dropdown(ws: Any, letter: str, column: Column, rows: int) -> None:
    """Offer an enumeration's Chinese labels as an in-cell dropdown, when Excel's length limit allows."""
    if column.field.kind != "enum":
        return
    choices = ",".join(column.field.labels.values())
    if len(choices) <= MAX_LIST_FORMULA:
        dv = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
        dv.error = "请从下拉列表中选择"
        dv.add(f"{letter}2:{letter}{max(rows + 1, 500)}")
        ws.data_validations.append(dv)


def _refuse_separator_conflicts(cases: Sequence[CaseData], mapping: LedgerMapping, source: str) -> None:
    problems = []
    for sheet in mapping.sheets:
        for column in sheet.columns:
            if not column.parts and column.field.kind != "array":
                continue
            for case in cases:
                for _key, obj in _rows(sheet, [case]):
                    sep = separator_conflict(lookup(obj, column.path), column)
                    if sep:
                        problems.append(Problem(
                            source, f"{sheet.name}·{column.header}",
                            f"内容含有分隔符“{sep.strip() or '换行'}”，写入台账后无法按原样读回，请改用其他符号",
                            raw_case_label(case),
                        ))
    if problems:
        raise DataProblemsError(problems)


def _unmapped_values(cases: Sequence[CaseData], mapping: LedgerMapping) -> list[str]:
    """Dotted paths of case fields that hold a value in some case but have no column in the mapping."""
    covered = mapping.covered_paths()
    present = set()
    for case in cases:
        present.update(_value_paths(case, ""))
    return sorted(p for p in present if p not in covered and p in set(iter_leaf_paths()))


def _value_paths(obj: Any, prefix: str) -> Iterator[str]:
    if isinstance(obj, Mapping):
        for key, value in obj.items():
            yield from _value_paths(value, f"{prefix}.{key}" if prefix else key)
    elif isinstance(obj, list) and obj and all(isinstance(v, Mapping) for v in obj):
        for value in obj:
            yield from _value_paths(value, f"{prefix}[]")
    elif obj is not None:
        yield prefix
