"""Reading JSON input files (case files, rosters, unit lists) strictly, with errors that name the file and line.

Strict means what a careless or hostile file cannot slip past: a key written twice in one object,
NaN or Infinity, numbers no form could hold, and nesting deeper than any of our formats uses are
refused with one Chinese line, never a traceback.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from docgen.cases.model import FrozenDict, FrozenList
from docgen.errors import InputError

MAX_DEPTH = 64  # our deepest format nests about 6 levels
MAX_NUMBER_CHARS = 20  # grades, hours and versions are small; an 18-digit ID number belongs in a string


class _Refused(ValueError):
    """Raised inside the JSON parser's hooks for a value we will not accept: the token refused (a number or a
    constant, as written), or the key written twice, or too deep a nesting; :func:`locate_refusal` finds it."""

    def __init__(self, message: str, token: str = "", key: str | None = None, deep: bool = False) -> None:
        super().__init__(message)
        self.token, self.key, self.deep = token, key, deep


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise _Refused(f"字段“{key[:40]}”在同一个对象中出现了两次", key=key)
        obj[key] = value
    return obj


def _frozen_pairs(pairs: list[tuple[str, Any]]) -> FrozenDict:
    obj = FrozenDict(pairs)
    if len(obj) < len(pairs):
        _pairs(pairs)  # says which key came twice
    return obj


def _number(text: str) -> int | float:
    if len(text.lstrip("-")) > MAX_NUMBER_CHARS:
        raise _Refused(f"数字 {text[:12]}… 位数过多（超过 {MAX_NUMBER_CHARS} 位），身份证号等编号应写成带引号的文本",
                       token=text)
    value = float(text) if any(c in text for c in ".eE") else int(text)
    if isinstance(value, float) and not math.isfinite(value):
        raise _Refused(f"数字 {text} 超出范围", token=text)
    return value


def _constant(text: str) -> Any:
    raise _Refused(f"{text} 不是有效的 JSON 数值", token=text)


def _too_deep() -> _Refused:
    return _Refused(f"嵌套超过 {MAX_DEPTH} 层，不是本系统的文件格式", deep=True)


def _check_depth(data: Any) -> None:
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _too_deep()
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values() if isinstance(v, dict | list))
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value if isinstance(v, dict | list))


def _frozen_lists(value: Any, depth: int) -> Any:
    """Parsed frozen JSON (see FROZEN_DECODER) with its lists frozen too; nesting checked on the way."""
    if depth > MAX_DEPTH:
        raise _too_deep()
    if type(value) is FrozenDict:  # exact types: this walk runs on every object of every case
        for key, item in value.items():
            kind = type(item)
            if kind is list:
                dict.__setitem__(value, key, _frozen_lists(item, depth + 1))
            elif kind is FrozenDict:
                _frozen_lists(item, depth + 1)
        return value
    if type(value) is list:
        return FrozenList([_frozen_lists(v, depth + 1) if type(v) in _CONTAINERS else v for v in value])
    return value


_CONTAINERS = (list, FrozenDict)


STRICT_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_int=_number, parse_float=_number,
                                  parse_constant=_constant)
# The same rules, objects read straight into FrozenDict: a checked case's data without a second copy.
FROZEN_DECODER = json.JSONDecoder(object_pairs_hook=_frozen_pairs, parse_int=_number, parse_float=_number,
                                  parse_constant=_constant)


def json_error(exc: json.JSONDecodeError) -> str:
    """Why the JSON parser stopped, in Chinese."""
    return _json_reason(exc.msg)


def parse_json_text(name: str, text: str, line: int = 1, column: int = 1, frozen: bool = False,
                    path: str = "$") -> Any:
    """Parse JSON text strictly; InputError naming ``name`` for anything we refuse. ``line`` and ``column`` say
    where ``text`` starts in the file, ``path`` what it is in the file (``$.cases[3]``), for the message.
    ``frozen``: objects and lists come back read-only (:func:`docgen.cases.model.freeze`), made so as they are
    parsed."""
    try:
        if frozen:
            return _frozen_lists(FROZEN_DECODER.decode(text), 1)
        data = STRICT_DECODER.decode(text)
        _check_depth(data)
        return data
    except _Refused as exc:
        raise refused_error(name, text, exc, line, column, path) from None
    except RecursionError:
        raise refused_error(name, text, _too_deep(), line, column, path) from None
    except json.JSONDecodeError as exc:
        col = exc.colno + (column - 1 if exc.lineno == 1 else 0)
        where = f"第 {exc.lineno + line - 1} 行第 {col} 列"
        raise InputError(name, f"不是有效的 JSON：{where}，{_json_reason(exc.msg)}") from None


def refused_error(name: str, text: str, refused: ValueError, line: int = 1, column: int = 1,
                  path: str = "$") -> InputError:
    """InputError for a value the strict parser refused in ``text`` (which starts at ``line``, ``column`` of the
    file and is ``path`` in it), naming the line, column and JSON path of what was refused."""
    found = locate_refusal(text, refused) if isinstance(refused, _Refused) else None
    if found is None:
        return InputError(name, f"不是可用的 JSON：{refused}")
    offset, inner = found
    breaks = text.count("\n", 0, offset)
    col = offset - text.rfind("\n", 0, offset) if breaks else column + offset
    shown = path + inner[1:]
    if len(shown) > 80:  # nested too deep: the start and the end say enough
        shown = f"{shown[:40]}…{shown[-30:]}"
    where = f"第 {line + breaks} 行第 {col} 列（{shown}）"
    return InputError(name, f"不是可用的 JSON：{where}，{refused}")


_TOKEN = re.compile(r'[ \t\n\r]*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<word>-?[A-Za-z]+)|(?P<number>-?[0-9][0-9.eE+-]*)'
                    r"|(?P<mark>[{}\[\],:]))", re.DOTALL)


def locate_refusal(text: str, refused: _Refused) -> tuple[int, str] | None:
    """(offset, JSON path) of the first thing in ``text`` that ``refused`` is about: the refused number or constant
    as written, the second of two equal keys in one object, the first bracket nested too deep. Only run after a
    refusal, to say where it is: the C parser's hooks are not told."""
    frames: list[list[Any]] = []  # each open object or list: [bracket, key or index, keys seen]
    pos, want_key = 0, False
    while (m := _TOKEN.match(text, pos)) is not None:
        kind = m.lastgroup or ""
        token, start, pos = m.group(kind), m.start(kind), m.end()
        if kind == "mark":
            if token in "{[":
                if refused.deep and len(frames) >= MAX_DEPTH:
                    return start, _path(frames)
                frames.append([token, 0 if token == "[" else "", set()])
                want_key = token == "{"
            elif token in "}]":
                if not frames:
                    return None
                frames.pop()
            elif token == "," and frames:
                if frames[-1][0] == "[":
                    frames[-1][1] += 1
                else:
                    want_key = True
            continue
        if want_key and kind == "string" and frames:
            try:
                key = json.loads(token)
            except ValueError:
                return None
            frame, want_key = frames[-1], False
            frame[1] = key
            if key == refused.key and key in frame[2]:
                return start, _path(frames)
            frame[2].add(key)
        elif kind in ("word", "number") and token == refused.token:
            return start, _path(frames)
    return None


def _path(frames: list[list[Any]]) -> str:
    return "$" + "".join(f"[{f[1]}]" if f[0] == "[" else f".{f[1]}" for f in frames)


def check_input_file(path: Path, what: str) -> int:
    """The size of an input file that exists and is a regular file; InputError in Chinese otherwise."""
    name = str(path)
    if not path.exists():
        raise InputError(name, "文件不存在")
    if path.is_dir():
        raise InputError(name, f"这是一个目录，不是{what}")
    if not path.is_file():
        raise InputError(name, f"不是普通文件（可能是管道或设备），不是{what}")
    return path.stat().st_size


def read_json_file(path: str | Path, what: str = "文件", empty: str = "") -> Any:
    """Parse a JSON file; InputError in Chinese (missing, directory, unreadable, not UTF-8, empty, bad JSON)."""
    path = Path(path)
    name = str(path)
    check_input_file(path, what)
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
    return parse_json_text(name, text)


def json_type(value: Any) -> str:
    """What a JSON value is, in the words of our messages."""
    if isinstance(value, list):
        return "列表 [...]"
    if isinstance(value, str):
        return "文本"
    if isinstance(value, bool):
        return "布尔值"
    if isinstance(value, int | float):
        return "数字"
    if isinstance(value, dict):
        return "对象 {...}"
    return "空值 null"


_JSON_REASONS = {
    "Expecting value": "此处缺少值",
    "Expecting property name enclosed in double quotes": "字段名应使用英文双引号",
    "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号",
    "Unterminated string starting at": "字符串缺少结束引号",
    "Extra data": "JSON 结束后还有多余内容",
    "Invalid control character at": "字符串中有非法控制字符",
    "Invalid \\escape": "字符串中有无效的转义符 \\",
    "Invalid \\uXXXX escape": "字符串中有无效的 \\u 转义",
}


def _json_reason(msg: str) -> str:
    for english, chinese in _JSON_REASONS.items():
        if msg.startswith(english):
            return chinese
    return msg
