"""Encoding one case field into one Excel cell and back, by the field's kind in the case schema.

Reading is lenient where clerks differ (2022/9/5, 2022年9月5日, a label or a code, 是/否) and
strict where Excel silently loses data (an 18-digit ID number stored as a number).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from docgen.cases.schema import Field
from docgen.errors import CellError
from docgen.ledger.mapping import Column

ITEM_SEPARATOR = "；"
PART_SEPARATOR = "/"
LIST_SEPARATOR = "、"
_ITEM_SPLIT = re.compile(r"[；;\n]+")
_LIST_SPLIT = re.compile(r"[、，,；;\n]+")
_DATE = re.compile(r"^\s*(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:[-/.月])\s*(\d{1,2})\s*日?\s*$")
_TRUE = {"是", "true", "yes", "y", "1", "√", "有"}
_FALSE = {"否", "false", "no", "n", "0", "×", "无"}
EXCEL_DIGITS = 15  # Excel keeps 15 significant digits of a number



def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# ---- reading ----------------------------------------------------------------------------------
def read_cell(value: Any, column: Column) -> Any:
    """The case value for an Excel cell value; None for an empty cell."""
    if is_empty(value):
        return None
    if column.parts:
        return [_read_item(text, column) for text in _ITEM_SPLIT.split(text_of(value)) if text.strip()]
    if column.field.kind == "array":
        item = column.field.child("[]")
        assert item is not None
        return [_read_scalar(text, item) for text in _LIST_SPLIT.split(text_of(value)) if text.strip()]
    return _read_scalar(value, column.field)


def _read_item(text: str, column: Column) -> dict[str, Any]:
    values = [v.strip() for v in text.split(PART_SEPARATOR)]
    if len(values) > len(column.parts):
        shape = PART_SEPARATOR.join(_part_titles(column))
        raise CellError(f"“{text.strip()}”的部分多于 {len(column.parts)} 个，应写成：{shape}")
    item = {}
    for part, raw in zip(column.parts, values, strict=False):
        if raw:
            item[part] = _read_scalar(raw, column.part_field(part))
    return item


def _part_titles(column: Column) -> list[str]:
    return [column.part_field(p).title or p for p in column.parts]


def text_of(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def _read_scalar(value: Any, field: Field) -> Any:
    kind = field.kind
    if kind == "enum":
        return _read_enum(value, field)
    if kind in ("date", "planned_date"):
        return read_date(value)
    if kind == "integer":
        return _read_int(value)
    if kind == "number":
        return _read_number(value)
    if kind == "boolean":
        return _read_bool(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if abs(value) >= 10**EXCEL_DIGITS:
            raise CellError("被 Excel 存成了数字，超过15位的部分已经丢失：请把这一列设为“文本”格式后重新录入")
        return text_of(value)
    return text_of(value)


def _read_enum(value: Any, field: Field) -> str:
    text = text_of(value)
    labels = field.labels
    for code, label in labels.items():
        if text in (code, label):
            return code
    if text in field.node["enum"]:
        return text
    choices = "；".join(labels.values()) if labels else "；".join(map(str, field.node["enum"]))
    raise CellError(f"“{text}”不是可选的值，应为：{choices}")


def read_date(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    text = text_of(value)
    m = _DATE.match(text)
    if not m:
        raise CellError(f"“{text}”不是日期，请写成 2022-09-05 或 2022年9月5日")
    return f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}"


def _read_int(value: Any) -> int:
    if isinstance(value, bool):
        raise CellError("应为整数")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = re.sub(r"(年级|级)$", "", text_of(value))
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    raise CellError(f"“{text_of(value)}”不是整数")


def _read_number(value: Any) -> int | float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) if float(value).is_integer() else float(value)
    try:
        number = float(text_of(value))
    except ValueError as exc:
        raise CellError(f"“{text_of(value)}”不是数字") from exc
    return int(number) if number.is_integer() else number


def _read_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = text_of(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(f"“{text_of(value)}”应填“是”或“否”")


# ---- writing ----------------------------------------------------------------------------------
def write_cell(value: Any, column: Column) -> Any:
    """The Excel cell value for a case value (dates as real dates, codes as Chinese labels)."""
    if value is None:
        return None
    if column.parts:
        if not isinstance(value, list):
            return str(value)
        items = []
        for item in value:
            item = item if isinstance(item, dict) else {}
            parts = [_write_scalar(item.get(p), column.part_field(p)) for p in column.parts]
            items.append(PART_SEPARATOR.join("" if p is None else text_of(p) for p in parts).rstrip(PART_SEPARATOR))
        return ITEM_SEPARATOR.join(items)
    if column.field.kind == "array":
        item_field = column.field.child("[]")
        assert item_field is not None
        values = value if isinstance(value, list) else [value]
        return LIST_SEPARATOR.join(text_of(_write_scalar(v, item_field)) for v in values)
    return _write_scalar(value, column.field)


def _write_scalar(value: Any, field: Field) -> Any:
    if value is None:
        return None
    kind = field.kind
    if kind == "enum":
        return field.labels.get(value, value) if isinstance(value, str) else value
    if kind in ("date", "planned_date") and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value  # not a real date: keep the text so the clerk sees and fixes it
    if kind == "boolean" and isinstance(value, bool):
        return "是" if value else "否"
    return value


def separator_conflict(value: Any, column: Column) -> str | None:
    """The separator a text value contains that would split it on the way back, if any."""
    if column.parts:
        texts = [str(v) for item in (value or []) if isinstance(item, dict) for v in item.values()]
        seps = (ITEM_SEPARATOR, ";", "\n", PART_SEPARATOR)
    elif column.field.kind == "array":
        texts = [str(v) for v in (value or [])]
        seps = (LIST_SEPARATOR, "，", ",", ";", "；", "\n")
    else:
        return None
    for text in texts:
        for sep in seps:
            if sep in text:
                return sep
    return None
