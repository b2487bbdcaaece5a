"""Reading a YAML or JSON spec file and checking it against the JSON Schema that lies beside it."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from docgen.errors import SpecError


def _plain(value: Any) -> Any:
    """YAML turns 2022-09-01 into a date; specs compare text, so dates go back to ISO strings."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@cache
def _validator(schema_path: Path) -> Draft202012Validator:
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def load_spec_file(path: Path, schema_name: str) -> Any:
    """Parse ``path`` and validate it against ``schema_name`` in the same folder; SpecError says where."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SpecError(str(path), "文件不存在") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(str(path), f"无法读取（{exc}）") from exc
    try:
        data = _plain(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SpecError(str(path), f"{f'第 {mark.line + 1} 行：' if mark else ''}不是有效的 YAML") from exc
    schema_path = path.parent / schema_name
    if not schema_path.exists():
        raise SpecError(str(schema_path), "缺少格式文件（应与数据文件放在同一目录）")
    errors = sorted(_validator(schema_path).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        raise SpecError(str(path), f"${where} 不符合 {schema_name}：{_reason(error)}")
    return data


def _reason(error: Any) -> str:
    kind = error.validator
    if kind == "required":
        return f"缺少“{error.message.split(chr(39))[1]}”"
    if kind == "enum":
        return f"取值 {error.instance!r} 无效，应为 {', '.join(map(str, error.validator_value))} 之一"
    if kind == "additionalProperties":
        return "有不认识的项（请检查拼写）"
    if kind in ("oneOf", "anyOf"):
        return "写法不符合任何一种允许的形式（请对照同类规则检查各项）"
    if kind == "pattern":
        return f"“{error.instance}”的写法不对"
    return error.message
