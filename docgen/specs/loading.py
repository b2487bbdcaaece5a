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
from docgen.schema_errors import describe, json_path


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


def load_spec_file(path: Path, schema_name: str, schema_dir: Path | None = None) -> Any:
    """Parse ``path`` and validate it against ``schema_name`` in the same folder (or ``schema_dir``);
    SpecError says where."""
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
    schema_path = (schema_dir or path.parent) / schema_name
    if not schema_path.exists():
        raise SpecError(str(schema_path), "缺少格式文件（应与数据文件放在同一目录）")
    errors = sorted(_validator(schema_path).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        raise SpecError(str(path), f"{json_path(errors[0])} 不符合 {schema_name}：{describe(errors[0])}")
    return data
