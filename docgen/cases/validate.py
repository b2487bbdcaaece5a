"""Validation of one case's data: the schema, then the rules of ``checks``, every problem at once.

The loader (``docgen.cases.load``) calls this for each case it reads; nothing else validates.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from jsonschema import ValidationError

from docgen.cases.checks import check_case
from docgen.cases.schema import case_field, case_validators
from docgen.problems import Problem

_TYPE_NAMES = {
    "string": "文本", "integer": "整数", "number": "数字", "object": "对象 {…}",
    "array": "列表 […]", "boolean": "true 或 false", "null": "null",
}


def json_path(parts: Iterable[str | int]) -> str:
    """``['cases', 2, 'student']`` → ``$.cases[2].student``."""
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _title(parts: Sequence[str | int]) -> str:
    f = case_field(list(parts))
    return f.title if f else ""


def _named(name: str, parts: Sequence[str | int]) -> str:
    title = _title(parts)
    return f"“{title}”（{name}）" if title else f"“{name}”"


def _schema_message(error: ValidationError, case_parts: list[str | int]) -> tuple[list[str | int], str]:
    """A Chinese message for one schema error, and the path it belongs at (inside the instance)."""
    kind = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    field_info = case_field(case_parts)
    custom = (field_info.node.get("x-message") if field_info else None) or schema.get("x-message")
    parts = list(error.absolute_path)
    if kind == "required":
        missing = re.match(r"'(.+)' is a required property", error.message)
        name = missing.group(1) if missing else str(error.validator_value)
        return [*parts, name], f"缺少必填项{_named(name, [*case_parts, name])}"
    if kind == "additionalProperties":
        allowed = set(schema.get("properties", {}))
        extras = [k for k in error.instance if k not in allowed] if isinstance(error.instance, dict) else []
        name = extras[0] if extras else "?"
        more = f"等 {len(extras)} 个" if len(extras) > 1 else ""
        return [*parts, name], f"未知字段“{name}”{more}：格式中没有此项，请检查拼写"
    if kind == "type":
        wanted = error.validator_value
        wanted_names = "或".join(_TYPE_NAMES.get(t, t) for t in (wanted if isinstance(wanted, list) else [wanted]))
        return parts, f"应为{wanted_names}，实际是{_describe(error.instance)}"
    if kind == "enum":
        labels = schema.get("x-labels", {})
        choices = "、".join(f"{c}（{labels[c]}）" if c in labels else str(c) for c in error.validator_value)
        return parts, f"取值 {_describe(error.instance)} 无效，应为以下之一：{choices}"
    if kind == "format":
        return parts, str(error.cause) if error.cause else f"{error.instance} 格式不正确"
    if kind in ("minLength", "pattern") and isinstance(error.instance, str) and not error.instance.strip():
        return parts, "不能为空"
    if kind == "pattern":
        return parts, f"{custom or '格式不正确'}，实际是“{error.instance}”"
    if kind == "minItems":
        return parts, f"至少需要 {error.validator_value} 项，实际只有 {len(error.instance)} 项"
    if kind == "uniqueItems":
        return parts, "列表中有重复项"
    if kind == "const":
        return parts, f"应为 {error.validator_value}"
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return parts, f"{custom or '数值超出范围'}，实际是 {error.instance}"
    return parts, custom or error.message


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f"“{value}”"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"数字 {value}"
    if isinstance(value, list):
        return "列表 […]"
    if isinstance(value, dict):
        return "对象 {…}"
    return "null"


def envelope_problems(name: str, data: dict[str, Any], today: dt.date) -> list[Problem]:
    """Problems of a batch file's envelope (``schema_version``, ``cases`` being a list of objects)."""
    out = []
    for error in case_validators(today).envelope.iter_errors(data):
        parts, message = _schema_message(error, [])
        out.append(Problem(name, json_path(parts), message, id="schema"))
    return out


def case_problems(name: str, prefix: str, case: dict[str, Any], label: str, today: dt.date) -> list[Problem]:
    """Every schema and rule problem of one case read from ``name`` at JSON path ``prefix``."""
    validators = case_validators(today)
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    shape_ok = validators.fast_case(case)
    if not shape_ok:
        for error in validators.case.iter_errors(case):
            parts, message = _schema_message(error, list(error.absolute_path))
            path = prefix + json_path(parts)[1:]
            if (path, message) not in seen:
                seen.add((path, message))
                problems.append(Problem(name, path, message, label, id="schema"))
        shape_ok = not problems  # the fast validator refused what the reference accepts (see CaseValidators)
    for suffix, message in check_case(case, today, shape_ok):
        problems.append(Problem(name, prefix + suffix, message, label, id="rule"))
    return problems


_CASE_INDEX = re.compile(r"^\$\.cases\[(\d+)\]")


def case_index(path: str) -> int:
    """The index of the case a batch-file JSON path points into (-1 for the file itself)."""
    m = _CASE_INDEX.match(path)
    return int(m[1]) if m else -1
