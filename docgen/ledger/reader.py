"""Importing an Excel ledger (台账) into case data, with every problem located by sheet, row and column."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from docgen.cases.load import load_data
from docgen.cases.model import CaseDraft, raw_case_label
from docgen.errors import LedgerError
from docgen.ledger.cells import CellError, is_empty, read_cell, text_of
from docgen.ledger.mapping import DEFAULT_MAPPING, LedgerMapping, SheetMap, load_mapping
from docgen.ledger.workbook import ExcelFile
from docgen.problems import Problem

log = logging.getLogger(__name__)
HEADER_ROW = 1
MASKED_KEYS = ("id_number", "registry_no")
MASKED_MESSAGE = ("这是导出时遮掩的号码（中间是 *），不能当作号码导入：已有学生请保留导出时的案卷编号"
                  "（系统按案卷编号对应原号），新学生请填写完整号码，或导出时选择“导出完整身份证号”")
Restore = Callable[[CaseDraft], None]
"""Puts back, in one case as read from a ledger, the values that an export masked — the caller knows the stored
case; a masked ID number left after it is reported as such, never taken for a number."""


@dataclass
class _Origin:
    """Where one object of the case data came from: a sheet row and the columns mapped on it."""

    sheet: str
    row: int
    columns: dict[str, tuple[str, str]]  # field path relative to the object → (column letter, header)


@dataclass
class ImportResult:
    """The case batch read from a ledger and every problem found in it (empty when it is clean)."""

    batch: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)


def import_ledger(
    path: str | Path, mapping: LedgerMapping | None = None, today: dt.date | None = None,
    restore: Restore | None = None,
) -> ImportResult:
    """Read a ledger workbook into a case batch and validate it; problems name sheet, row and column.
    ``restore`` puts back, case by case before validation, what an export masked."""
    mapping = mapping or load_mapping()
    name = str(path)
    workbook = ExcelFile(Path(path))
    try:
        return _Importer(name, mapping, workbook).run(today, restore)
    finally:
        workbook.close()


class _Importer:
    def __init__(self, name: str, mapping: LedgerMapping, workbook: ExcelFile) -> None:
        self.name = name
        self.mapping = mapping
        self.workbook = workbook
        self.cases: list[CaseDraft] = []
        self.by_key: dict[str, int] = {}
        self.origins: dict[str, list[_Origin]] = {}
        self.problems: list[Problem] = []
        self.unreadable: set[str] = set()  # cells already reported as unreadable

    def run(self, today: dt.date | None, restore: Restore | None = None) -> ImportResult:
        layouts = self._layouts()
        layouts.sort(key=lambda pair: pair[0] is not self.mapping.main)  # cases exist before their details
        for sheet, layout in layouts:
            self._read_sheet(sheet, layout)
        batch = {"schema_version": 1, "cases": self.cases}
        if not self.cases and not self.problems:
            raise LedgerError(self.name, f"工作表“{self.mapping.main.name}”中没有任何学生")
        masked: set[str] = set()
        for n, case in enumerate(self.cases):
            if restore is not None:
                restore(case)
            for path in _masked_numbers(case, f"$.cases[{n}]"):
                masked.add(path)
                self.problems.append(self._locate(Problem(self.name, path, MASKED_MESSAGE, raw_case_label(case))))
        errors = (p for p in load_data([(self.name, batch)], today).errors if p.path not in masked)
        located = (self._locate(p) for p in errors)
        self.problems.extend(p for p in located if p.path not in self.unreadable)
        order = {sheet.name: i for i, sheet in enumerate(self.mapping.sheets)}
        self.problems.sort(key=lambda p: _cell_order(p.path, order))
        return ImportResult(batch, self.problems)

    # ---- structure --------------------------------------------------------------------------
    def _layouts(self) -> list[tuple[SheetMap, dict[str, int]]]:
        """Each mapped sheet present in the workbook with header → column index; missing columns fail once."""
        missing: list[str] = []
        layouts = []
        names = self.workbook.sheetnames
        for sheet in self.mapping.sheets:
            if sheet.name not in names:
                if sheet is self.mapping.main:
                    raise LedgerError(self.name, f"没有工作表“{sheet.name}”（现有：{'、'.join(names)}）")
                log.info("%s: 没有工作表“%s”，跳过", self.name, sheet.name)
                continue
            header_cells = next(self.workbook.rows(sheet.name, HEADER_ROW, HEADER_ROW), ())
            headers = {_clean_header(v): i for i, v in enumerate(header_cells) if not is_empty(v)}
            wanted = [sheet.key_header] + [c.header for c in sheet.columns if c.required]
            absent = [h for h in wanted if h not in headers]
            if absent:
                missing.append(f"工作表“{sheet.name}”缺少列{'、'.join(f'“{h}”' for h in absent)}")
            known = {sheet.key_header, *(c.header for c in sheet.columns)}
            extra = [h for h in headers if h not in known]
            if extra:
                log.info("%s: 工作表“%s”中未映射的列被忽略：%s", self.name, sheet.name, "、".join(extra))
            layouts.append((sheet, headers))
        if missing:
            where = ("内置映射（docgen mapping 可查看）" if self.mapping.source == DEFAULT_MAPPING
                     else f"映射文件 {self.mapping.source}")
            raise LedgerError(self.name, "；".join(missing) + f"。需要的列名见{where}")
        return layouts

    # ---- rows -------------------------------------------------------------------------------
    def _read_sheet(self, sheet: SheetMap, headers: dict[str, int]) -> None:
        key_index = headers[sheet.key_header]
        columns = [(c, headers[c.header]) for c in sheet.columns if c.header in headers]
        for row_no, values in enumerate(self.workbook.rows(sheet.name, HEADER_ROW + 1), HEADER_ROW + 1):
            if all(is_empty(v) for v in values):
                continue
            cell = _cell(values, key_index)
            key_ref = f"{sheet.name}!{get_column_letter(key_index + 1)}{row_no}（{sheet.key_header}）"
            key = "" if is_empty(cell) else text_of(cell)
            if not key:
                self.problems.append(Problem(self.name, key_ref, f"缺少{sheet.key_header}，无法确定这一行属于哪个学生"))
                continue
            obj, obj_path, label = self._target(sheet, key, key_ref)
            if obj is None:
                continue
            origin = _Origin(sheet.name, row_no, {})
            self.origins.setdefault(obj_path, []).append(origin)
            failed: list[tuple[str, str]] = []
            for column, index in columns:
                letter = get_column_letter(index + 1)
                origin.columns[column.rel] = (letter, column.header)
                try:
                    value = read_cell(_cell(values, index), column)
                except CellError as exc:
                    failed.append((f"{sheet.name}!{letter}{row_no}（{column.header}）", str(exc)))
                    continue
                if value is not None:
                    _put(obj, column.path, value)
            label = label or raw_case_label(obj)
            for ref, message in failed:
                self.unreadable.add(ref)
                self.problems.append(Problem(self.name, ref, message, label))

    def _target(self, sheet: SheetMap, key: str, key_ref: str) -> tuple[dict[str, Any] | None, str, str]:
        """The object a row fills (a case, or a new item of a case's list), its JSON path and the case label."""
        index = self.by_key.get(key)
        if sheet is self.mapping.main:
            if index is not None:
                self.problems.append(Problem(self.name, key_ref, f"{self.mapping.key} {key} 重复出现"))
                return None, "", ""
            self.by_key[key] = len(self.cases)
            self.cases.append({"case_id": key})
            return self.cases[-1], f"$.cases[{len(self.cases) - 1}]", ""
        if index is None:
            self.problems.append(Problem(
                self.name, key_ref, f"{self.mapping.key} {key} 在工作表“{self.mapping.main.name}”中不存在"
            ))
            return None, "", ""
        case = self.cases[index]
        label = raw_case_label(case)
        if sheet.per_case:
            return case, f"$.cases[{index}]", label
        items = _ensure_list(case, sheet.rows)
        items.append({})
        return items[-1], f"$.cases[{index}].{'.'.join(sheet.rows)}[{len(items) - 1}]", label

    # ---- locating validation problems -----------------------------------------------------
    def _locate(self, problem: Problem) -> Problem:
        """Replace a JSON path by the cell it came from, when the ledger is where the value was typed."""
        path = problem.path
        best = next((p for p in _path_prefixes(path) if p in self.origins), None)
        if best is None:
            return problem
        rel = re.sub(r"\[\d+\]", "", path[len(best):]).lstrip(".")
        for origin in self.origins[best]:
            hit = next((origin.columns[c] for c in _prefixes(rel) if c in origin.columns), None)
            if hit:
                letter, header = hit
                return Problem(problem.file, f"{origin.sheet}!{letter}{origin.row}（{header}）", problem.message,
                               problem.case)
        origin = self.origins[best][0]
        home = next((s.name for s in self.mapping.sheets if s.rows and rel.startswith(".".join(s.rows))), None)
        hint = f"（应在工作表“{home}”中填写）" if home else f"（{path}）"
        return Problem(problem.file, f"{origin.sheet} 第{origin.row}行", problem.message + hint, problem.case)


def _masked_numbers(value: Any, path: str) -> Iterator[str]:
    """JSON paths of the ID and 学籍 numbers under ``value`` that are masked (hold a *)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in MASKED_KEYS and isinstance(item, str) and "*" in item:
                yield f"{path}.{key}"
            else:
                yield from _masked_numbers(item, f"{path}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _masked_numbers(item, f"{path}[{n}]")


_REF = re.compile(r"^(?P<sheet>[^!\s]+)(?:!(?P<col>[A-Z]+)(?P<row>\d+)| 第(?P<line>\d+)行)")


def _cell_order(ref: str, sheets: dict[str, int]) -> tuple[int, int, int, str]:
    """Sort key putting problems in the order a clerk reads the workbook: sheet, row, column."""
    m = _REF.match(ref)
    if not m:
        return (len(sheets), 0, 0, ref)
    row = int(m["row"] or m["line"])
    col = len(m["col"] or "")
    return (sheets.get(m["sheet"], len(sheets)), row, col, m["col"] or "")


_SEGMENT = re.compile(r"\.[^.\[]+|\[\d+\]")


def _path_prefixes(path: str) -> list[str]:
    """``$.cases[1].notices[0].doc_no`` → itself, ``$.cases[1].notices[0]``, ``$.cases[1].notices``, … ``$``."""
    ends = [m.end() for m in _SEGMENT.finditer(path)]
    return [path[:end] for end in reversed(ends)] + ["$"]


def _prefixes(rel: str) -> list[str]:
    parts = rel.split(".")
    return [".".join(parts[:n]) for n in range(len(parts), 0, -1)]


def _clean_header(value: Any) -> str:
    return re.sub(r"\s+", "", str(value))


def _cell(values: tuple[Any, ...], index: int) -> Any:
    return values[index] if index < len(values) else None


def _put(obj: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        obj = obj.setdefault(part, {})
    obj[path[-1]] = value


def _ensure_list(case: CaseDraft, path: tuple[str, ...]) -> list[Any]:
    obj = case
    for part in path[:-1]:
        obj = obj.setdefault(part, {})
    return obj.setdefault(path[-1], [])
