"""Reading case files: one case or a batch per JSON file, with errors that name the file and line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen.errors import InputError


@dataclass(frozen=True)
class CaseFile:
    """A parsed case file: ``data`` is the JSON as read, ``name`` how messages refer to the file."""

    name: str
    data: dict[str, Any]

    @property
    def is_batch(self) -> bool:
        return "cases" in self.data

    def entries(self) -> Iterator[tuple[str, Any]]:
        """Each case with the JSON path it sits at (``$`` for a single case, ``$.cases[i]`` in a batch)."""
        if not self.is_batch:
            yield "$", self.data
            return
        cases = self.data["cases"]
        if isinstance(cases, list):
            for i, case in enumerate(cases):
                yield f"$.cases[{i}]", case

    def cases(self) -> list[dict[str, Any]]:
        """The case objects of the file (entries that are not objects are left out)."""
        return [case for _, case in self.entries() if isinstance(case, dict)]


def read_json_file(path: str | Path, what: str = "文件", empty: str = "") -> Any:
    """Parse a JSON file; InputError in Chinese (missing, directory, unreadable, not UTF-8, empty, bad JSON)."""
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise InputError(name, "文件不存在")
    if path.is_dir():
        raise InputError(name, f"这是一个目录，不是{what}")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(name, f"无法读取文件（{exc.strerror or exc}）") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(name, f"不是 UTF-8 编码的文本（第 {exc.start + 1} 个字节处），请另存为 UTF-8") from exc
    if not text.strip():
        raise InputError(name, empty or f"文件是空的，不是{what}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"第 {exc.lineno} 行第 {exc.colno} 列"
        raise InputError(name, f"不是有效的 JSON：{where}，{_json_reason(exc.msg)}") from exc


def read_case_file(path: str | Path) -> CaseFile:
    """Parse one case file; raise :class:`InputError` when it cannot be used at all."""
    return _case_file(str(path), read_json_file(path, "案卷文件", empty="文件是空的，没有任何案卷"))


def _case_file(name: str, data: Any) -> CaseFile:
    if not isinstance(data, dict):
        raise InputError(
            name,
            f"不是案卷文件：顶层应为一个案卷对象 {{…}} 或含 \"cases\" 列表的批量对象，实际是{_json_type(data)}",
        )
    return CaseFile(name, data)


_JSON_REASONS = {
    "Expecting value": "此处缺少值",
    "Expecting property name enclosed in double quotes": "字段名应使用英文双引号",
    "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号",
    "Unterminated string starting at": "字符串缺少结束引号",
    "Extra data": "JSON 结束后还有多余内容",
    "Invalid control character at": "字符串中有非法控制字符",
}


def _json_reason(msg: str) -> str:
    for english, chinese in _JSON_REASONS.items():
        if msg.startswith(english):
            return chinese
    return msg


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "列表 [...]"
    if isinstance(value, str):
        return "文本"
    if isinstance(value, bool):
        return "布尔值"
    if isinstance(value, int | float):
        return "数字"
    return "空值 null"
