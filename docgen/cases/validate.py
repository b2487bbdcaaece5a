"""Validation of case files: the schema, then the rules of ``checks``, every problem at once."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import ValidationError

from docgen.cases.checks import check_case
from docgen.cases.loader import CaseFile, read_case_file
from docgen.cases.schema import case_field, case_validators
from docgen.errors import InputError
from docgen.problems import Problem, case_label

_TYPE_NAMES = {
    "string": "文本", "integer": "整数", "number": "数字", "object": "对象 {…}",
    "array": "列表 […]", "boolean": "true 或 false", "null": "null",
}


@dataclass
class ValidationReport:
    """The result of validating some case files."""

    files: list[CaseFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unusable: list[InputError] = field(default_factory=list)

    @property
    def case_count(self) -> int:
        return sum(len(f.cases()) for f in self.files)


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


def validate_case_file(case_file: CaseFile, today: dt.date) -> list[Problem]:
    """Every problem in one parsed case file: schema violations and rule violations."""
    validators = case_validators(today)
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()

    def report(errors: Iterable[ValidationError], prefix: list[str | int], label: str, in_case: bool) -> None:
        for error in errors:
            parts, message = _schema_message(error, list(error.absolute_path) if in_case else [])
            path = json_path(prefix + parts)
            if (path, message) not in seen:
                seen.add((path, message))
                problems.append(Problem(case_file.name, path, message, label))

    if case_file.is_batch:
        report(validators.envelope.iter_errors(case_file.data), [], "", in_case=False)
        cases = case_file.data["cases"]
        located = [(["cases", i], c) for i, c in enumerate(cases)] if isinstance(cases, list) else []
    else:
        located = [([], case_file.data)]
    for prefix, case in located:
        if not isinstance(case, dict):
            continue  # the envelope reported it
        label = case_label(case)
        if not validators.fast_case(case):
            report(validators.case.iter_errors(case), prefix, label, in_case=True)
        for suffix, message in check_case(case, today):
            problems.append(Problem(case_file.name, json_path(prefix) + suffix, message, label))
    problems.sort(key=lambda p: _case_index(p.path))  # stable: a case's own problems keep their order
    return problems


_CASE_INDEX = re.compile(r"^\$\.cases\[(\d+)\]")


def _case_index(path: str) -> int:
    m = _CASE_INDEX.match(path)
    return int(m[1]) if m else -1


_UNIQUE_KEYS = (
    (("case_id",), "案卷编号"),
    (("student", "registry_no"), "学籍号"),
    (("student", "id_number"), "身份证号"),
)


def _duplicates(files: Sequence[CaseFile]) -> list[Problem]:
    """The same case id, 学籍号 or 身份证号 used by two cases, within or across files."""
    problems = []
    for keys, title in _UNIQUE_KEYS:
        first: dict[str, tuple[str, str]] = {}
        for case_file in files:
            for prefix, case in case_file.entries():
                value: Any = case
                for key in keys:
                    value = value.get(key) if isinstance(value, dict) else None
                if not isinstance(value, str):
                    continue
                path = prefix + "." + ".".join(keys)
                if value in first:
                    other_file, other_path = first[value]
                    where = other_path if other_file == case_file.name else f"{other_file} {other_path}"
                    problems.append(
                        Problem(case_file.name, path, f"{title} {value} 与 {where} 重复", case_label(case))
                    )
                else:
                    first[value] = (case_file.name, path)
    return problems


def validate_files(paths: Sequence[str | Path], today: dt.date | None = None) -> ValidationReport:
    """Read and validate case files; a file that cannot be used at all is listed in ``unusable``."""
    today = today or dt.date.today()
    report = ValidationReport()
    for path in paths:
        try:
            case_file = read_case_file(path)
        except InputError as exc:
            report.unusable.append(exc)
            continue
        report.files.append(case_file)
        report.problems.extend(validate_case_file(case_file, today))
    report.problems.extend(_duplicates(report.files))
    return report


def validate_data(name: str, data: dict[str, Any], today: dt.date | None = None) -> list[Problem]:
    """Validate case data already in memory (as produced by the ledger import)."""
    case_file = CaseFile(name, data)
    return validate_case_file(case_file, today or dt.date.today()) + _duplicates([case_file])
