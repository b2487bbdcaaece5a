"""Chinese sentences for jsonschema errors in configuration files (mappings, specs, checklists).

Case files have their own, field-aware messages in ``docgen.cases.validate``; this covers the
generic shapes every other data file shares.
"""

from __future__ import annotations

from typing import Any

_TYPE_NAMES = {"object": "映射（键: 值）", "array": "列表", "string": "文本", "integer": "整数", "number": "数字",
               "boolean": "true 或 false"}


def describe(error: Any, pattern_hint: str = "") -> str:
    """What is wrong, in one Chinese phrase; ``pattern_hint`` explains a failed pattern for this file."""
    kind = error.validator
    if kind == "required":
        return f"缺少“{error.message.split(chr(39))[1]}”"
    if kind == "const":
        return f"应为 {error.validator_value}"
    if kind == "enum":
        return f"取值 {error.instance!r} 无效，应为 {', '.join(map(str, error.validator_value))} 之一"
    if kind in ("minItems", "minProperties", "minLength"):
        return "不能为空"
    if kind == "additionalProperties":
        return "有不认识的项（请检查拼写）"
    if kind in ("oneOf", "anyOf"):
        return "写法不符合任何一种允许的形式（请对照同类写法检查各项）"
    if kind == "not" and isinstance(error.validator_value, dict) and "required" in error.validator_value:
        return f"这里不能写“{'”“'.join(error.validator_value['required'])}”（与同一项中已写的内容只能取一）"
    if kind == "dependentRequired":
        having = next(k for k, needs in error.validator_value.items() if k in error.instance
                      and any(n not in error.instance for n in needs))
        missing = [n for n in error.validator_value[having] if n not in error.instance]
        return f"写了“{having}”就要写“{'”“'.join(missing)}”"
    if kind == "pattern":
        return pattern_hint or f"“{error.instance}”的写法不对"
    if kind == "type":
        return f"类型不对，应为{_TYPE_NAMES.get(error.validator_value, error.validator_value)}"
    return error.message


def json_path(error: Any) -> str:
    """``$.sheets[0].columns`` for where the error is."""
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
