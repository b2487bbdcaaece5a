"""The ledger header mapping: which Excel column holds which case field, checked against the case schema."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from docgen.cases.schema import Field, case_field, split_dotted
from docgen.errors import MappingError
from docgen.resources import data_json, data_yaml
from docgen.schema_errors import describe

DEFAULT_MAPPING = "ledger_mapping.yaml"
_SPEC = re.compile(r"^(?P<path>[a-z0-9_.]+)(\((?P<parts>[a-z_/]+)\))?$")


@dataclass(frozen=True)
class Column:
    """One mapped column: its header, the field path inside the row's object, and how to encode it."""

    header: str
    path: tuple[str, ...]
    field: Field
    parts: tuple[str, ...] = ()  # for a list of objects kept in one cell: the item fields, in order
    required: bool = False

    def part_field(self, part: str) -> Field:
        item = self.field.child("[]")
        child = item.child(part) if item else None
        assert child is not None  # checked when the mapping was loaded
        return child

    @property
    def rel(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True)
class SheetMap:
    """One sheet of the ledger: one row per case (``rows == ()``) or per item of a case's list."""

    name: str
    rows: tuple[str, ...]
    key_header: str
    columns: tuple[Column, ...]

    @property
    def per_case(self) -> bool:
        return not self.rows

    @property
    def title(self) -> str:
        return self.name


@dataclass(frozen=True)
class LedgerMapping:
    """A whole mapping; the first per-case sheet is the main one, every case has a row there."""

    source: str
    key: str
    sheets: tuple[SheetMap, ...]

    @property
    def main(self) -> SheetMap:
        return next(s for s in self.sheets if s.per_case)

    def covered_paths(self) -> set[str]:
        """Dotted case paths (as ``iter_leaf_paths`` spells them) that some column of the mapping holds."""
        covered = {"case_id"}
        for sheet in self.sheets:
            prefix = "".join(f"{p}." for p in sheet.rows[:-1]) + (f"{sheet.rows[-1]}[]." if sheet.rows else "")
            for column in sheet.columns:
                if column.parts:
                    covered.update(f"{prefix}{column.rel}[].{p}" for p in column.parts)
                else:
                    covered.add(prefix + column.rel)
        return covered


def load_mapping(path: str | Path | None = None) -> LedgerMapping:
    """The mapping in ``path``, or the default one shipped with docgen; raise MappingError if malformed."""
    if path is None:
        return _build(DEFAULT_MAPPING, data_yaml(DEFAULT_MAPPING))
    return _build(str(path), read_mapping_file(path))


def read_mapping_file(path: str | Path) -> Any:
    """Parse a header-mapping YAML file a county edited; MappingError in Chinese when it cannot be read."""
    source = str(path)
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise MappingError(source, "映射文件不存在") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(source, f"无法读取映射文件（{exc}）") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行：" if mark else ""
        raise MappingError(source, f"{where}不是有效的 YAML") from exc


def check_mapping(source: str, raw: Any, schema_name: str, hint: str = "") -> None:
    """MappingError naming the first place where ``raw`` does not follow the schema ``schema_name``."""
    validator = Draft202012Validator(data_json(schema_name))
    error = next(iter(sorted(validator.iter_errors(raw), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "顶层"
        raise MappingError(source, f"{where}: {describe(error, hint)}")


def _build(source: str, raw: Any) -> LedgerMapping:
    hint = "字段写法不正确：应为 student.name 这样的字段，或 participants(name/unit/role) 这样的对象列表"
    check_mapping(source, raw, "ledger_mapping.schema.json", hint)
    key = raw["key"]
    sheets = []
    for i, sheet in enumerate(raw["sheets"]):
        rows = tuple(split_dotted(sheet["rows"])) if sheet["rows"] != "case" else ()
        base = case_field(list(rows)) if rows else case_field()
        if base is None or (rows and (base.kind != "array" or base.child("[]") is None
                                      or base.child("[]").kind != "object")):
            raise MappingError(source, f"sheets[{i}] {sheet['sheet']}: rows “{sheet['rows']}” 不是案卷中的列表字段")
        item = base.child("[]") if rows else base
        assert item is not None
        if key not in sheet["columns"]:
            raise MappingError(source, f"sheets[{i}] {sheet['sheet']}: 缺少关键列“{key}”")
        columns = []
        for header, spec in sheet["columns"].items():
            if header == key:
                continue
            columns.append(_column(source, sheet["sheet"], item, str(header), spec))
        sheets.append(SheetMap(sheet["sheet"], rows, key, tuple(columns)))
    mapping = LedgerMapping(source, key, tuple(sheets))
    if not any(s.per_case for s in sheets):
        raise MappingError(source, "至少需要一张 rows: case 的工作表（每行一个学生）")
    return mapping


def _column(source: str, sheet: str, item: Field, header: str, spec: str) -> Column:
    m = _SPEC.match(spec)
    assert m is not None  # the mapping schema's pattern guarantees the shape
    path = tuple(m["path"].split("."))
    field: Field | None = item
    required = True
    for part in path:
        required = required and part in field.node.get("required", [])
        field = field.child(part)
        if field is None:
            raise MappingError(source, f"{sheet} 列“{header}”: 案卷格式中没有字段 {spec}")
    assert field is not None
    parts = tuple(m["parts"].split("/")) if m["parts"] else ()
    item_field = field.child("[]") if field.kind == "array" else None
    if parts:
        if item_field is None or item_field.kind != "object":
            raise MappingError(source, f"{sheet} 列“{header}”: {m['path']} 不是对象列表，不能写成 {spec}")
        for part in parts:
            if item_field.child(part) is None:
                raise MappingError(source, f"{sheet} 列“{header}”: {m['path']} 的项中没有字段 {part}")
    elif field.kind == "object" or (item_field is not None and item_field.kind == "object"):
        hint = f"请映射到它的某个字段，或写明各部分，如 {spec}(name/unit)"
        raise MappingError(source, f"{sheet} 列“{header}”: {spec} 是对象，{hint}")
    return Column(header, path, field, parts, required)
