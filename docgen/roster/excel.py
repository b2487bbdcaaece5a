"""The roster as an Excel sheet a clerk keeps: import through a header mapping, export for editing.

The cells are read and written by the same codecs as the case ledger (``docgen.ledger.cells``), driven
by the roster schema's fields, so dates, labels (县内就读, 男), 是/否 and ID numbers behave the same.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml
from openpyxl.utils import get_column_letter

from docgen.cases.schema import Field
from docgen.errors import DataProblemsError, LedgerError, MappingError
from docgen.fsutil import save_workbook
from docgen.ledger.cells import CellError, is_empty, read_cell, write_cell
from docgen.ledger.mapping import Column, check_mapping, read_mapping_file
from docgen.ledger.workbook import ExcelFile
from docgen.ledger.writer import add_dropdown, column_format
from docgen.problems import Problem
from docgen.resources import data_json, data_text
from docgen.roster.model import REQUIRED, check_roster
from docgen.xlsx import Styled, Table, new_workbook, write_sheet

DEFAULT_MAPPING = "roster_mapping.yaml"

ID_WIDTH = 22  # an 18-digit ID number read whole


def _columns(mapping_path: Path | None) -> tuple[str, list[Column]]:
    source = str(mapping_path or DEFAULT_MAPPING)
    raw = read_mapping_file(mapping_path) if mapping_path else yaml.safe_load(data_text(DEFAULT_MAPPING))
    check_mapping(source, raw, "roster_mapping.schema.json")
    child = Field(data_json("roster.schema.json")["$defs"]["child"])
    required = set(child.node["required"])
    columns = []
    for header, name in raw["columns"].items():
        field = child.child(name)
        if field is None:
            raise MappingError(source, f"列“{header}”: 台账中没有字段 {name}")
        columns.append(Column(str(header), (name,), field, (), name in required))
    return raw["sheet"], columns


def import_roster(path: Path, county: str, school_year: int, mapping: Path | None = None) -> dict[str, Any]:
    """The roster JSON of an Excel sheet, checked as any roster is (:func:`~docgen.roster.model.check_roster`).

    DataProblemsError lists every problem at the sheet, cell and column it comes from (``名册!D5（身份证号）``):
    unreadable cells, and what the checks find in the values read.
    """
    sheet, columns = _columns(mapping)
    with ExcelFile(path) as wb:
        data, places, problems = _read_roster(wb, sheet, columns, county, school_year)
    try:
        check_roster(str(path), data)
    except DataProblemsError as exc:
        unreadable = {p.path for p in problems}
        problems += [p for p in (places.locate(p) for p in exc.problems) if p.path not in unreadable]
    if problems:
        raise DataProblemsError(problems)
    return data


@dataclass
class _Places:
    """Where each child of an imported roster came from: the sheet, its row, and each field's column."""

    sheet: str
    rows: list[int]
    columns: dict[str, tuple[str, str]]  # field → (column letter, header)

    def locate(self, problem: Problem) -> Problem:
        """``problem`` at the cell (or row) its JSON path came from; other children it names, by their rows."""
        found = _CHILD.match(problem.path)
        if found is None:
            return problem
        row, field = self.rows[int(found["index"])], found["field"]
        message = _CHILD_IN_TEXT.sub(lambda m: f"第 {self.rows[int(m['index'])]} 行", problem.message)
        if field in self.columns:
            letter, header = self.columns[field]
            if problem.id == REQUIRED:
                message = "不能为空"
            return replace(problem, path=f"{self.sheet}!{letter}{row}（{header}）", message=message)
        return replace(problem, path=f"{self.sheet} 第{row}行", message=f"{message}（{problem.path}）")


_CHILD = re.compile(r"^\$\.children\[(?P<index>\d+)\](?:\.(?P<field>\w+))?")
_CHILD_IN_TEXT = re.compile(r" ?\$\.children\[(?P<index>\d+)\] ?")


def _read_roster(wb: ExcelFile, sheet: str, columns: list[Column], county: str,
                 school_year: int) -> tuple[dict[str, Any], _Places, list[Problem]]:
    path = wb.path
    if sheet not in wb.sheetnames:
        raise LedgerError(str(path), f"没有工作表“{sheet}”（现有：{'、'.join(wb.sheetnames)}）")
    rows = wb.rows(sheet)
    headers = {str(v).strip(): i for i, v in enumerate(next(rows, ())) if not is_empty(v)}
    missing = [c.header for c in columns if c.required and c.header not in headers]
    if missing:
        raise LedgerError(str(path), f"工作表“{sheet}”缺少列{'、'.join(f'“{h}”' for h in missing)}")
    children, problems = [], []
    places = _Places(sheet, [], {c.path[0]: (get_column_letter(headers[c.header] + 1), c.header)
                                 for c in columns if c.header in headers})
    for row_no, values in enumerate(rows, 2):
        if all(is_empty(v) for v in values):
            continue
        places.rows.append(row_no)
        child: dict[str, Any] = {}
        for column in columns:
            if column.header not in headers:
                continue
            index = headers[column.header]
            try:
                value = read_cell(values[index] if index < len(values) else None, column)
            except CellError as exc:
                problems.append(Problem(str(path), f"{sheet}!{get_column_letter(index + 1)}{row_no}（{column.header}）",
                                        str(exc)))
                continue
            if value is not None:
                child[column.path[0]] = value
        children.append(child)
    return {"schema_version": 1, "county": county, "school_year": school_year, "children": children}, places, problems


def roster_headers(mapping: Path | None = None) -> tuple[str, list[tuple[str, bool]]]:
    """The sheet a roster workbook is read from and its columns: (header, required), in order."""
    sheet, columns = _columns(mapping)
    return sheet, [(c.header, c.required) for c in columns]


def export_roster(children: Sequence[Mapping[str, Any]], target: Path, mapping: Path | None = None) -> None:
    """The roster's children as the Excel sheet the mapping describes (IDs as text, dates as dates), its header in
    row 1 so that it reads back."""
    sheet, columns = _columns(mapping)
    rows = [[Styled(write_cell(child.get(c.path[0]), c), "@") if c.field.kind == "string"
             else write_cell(child.get(c.path[0]), c) for c in columns] for child in children]
    wb = new_workbook()
    ids = {i: ID_WIDTH for i, c in enumerate(columns, 1) if c.path[0] == "id_number"}
    ws = write_sheet(wb, sheet, None, [Table([c.header for c in columns], rows, empty="")], widths=ids)
    for i, column in enumerate(columns, 1):  # what a clerk types below keeps its format (an ID stays text)
        letter = get_column_letter(i)
        ws.column_dimensions[letter].number_format = column_format(column)
        add_dropdown(ws, letter, column, len(rows))
    save_workbook(wb, target)
