"""Reading case files: files that cannot be used at all say why, in one line, naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES

from docgen.cases import load_cases
from docgen.cases.load import read_case_json
from docgen.errors import EXIT_UNUSABLE, InputError

UNUSABLE = FIXTURES / "unusable"
NOT_A_CASE_FILE = "不是案卷文件：顶层应为一个案卷对象 {…} 或含 \"cases\" 列表的批量对象，实际是"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.json", "文件是空的，没有任何案卷"),
        ("list-of-numbers.json", NOT_A_CASE_FILE + "列表 [...]"),
        ("truncated.json", "不是有效的 JSON：第 3 行第 1 列，字段名应使用英文双引号"),
        ("just-a-string.json", NOT_A_CASE_FILE + "文本"),
        ("no-such-file.json", "文件不存在"),
    ],
)
def test_unusable_files_raise_one_clear_error(name: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        read_case_json(UNUSABLE / name)
    assert str(info.value) == f"{UNUSABLE / name}: {message}"
    assert info.value.exit_code == EXIT_UNUSABLE


def test_not_utf8_and_directory(tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.json"
    gbk.write_bytes('{"case_id": "张三"}'.encode("gbk"))
    with pytest.raises(InputError, match="不是 UTF-8 编码的文本"):
        read_case_json(gbk)
    with pytest.raises(InputError, match="这是一个目录"):
        read_case_json(tmp_path)


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "cases" / "valid-minimal.json").read_bytes())
    loaded = load_cases([path])
    assert [case.case_id for case in loaded.cases] == ["T-001"]
    assert [case.path for case in loaded.cases] == ["$"]


def test_batch_entries_carry_their_json_paths() -> None:
    loaded = load_cases([FIXTURES / "cases" / "valid-batch.json"])
    assert [case.path for case in loaded.cases] == ["$.cases[0]", "$.cases[1]"]


@pytest.mark.parametrize("frozen", [False, True])
def test_strict_parse_refusals_hold_in_both_forms(frozen: bool) -> None:
    from docgen.cases.loader import MAX_DEPTH, parse_json_text

    with pytest.raises(InputError, match="出现了两次"):
        parse_json_text("x.json", '{"a": {"b": 1, "b": 2}}', frozen=frozen)
    with pytest.raises(InputError, match=f"嵌套超过 {MAX_DEPTH} 层"):
        parse_json_text("x.json", "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), frozen=frozen)
    with pytest.raises(InputError, match=f"嵌套超过 {MAX_DEPTH} 层"):
        parse_json_text("x.json", '{"a":' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1), frozen=frozen)
    deepest = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    value, depth = parse_json_text("x.json", deepest, frozen=frozen), 1
    while value:
        value, depth = value[0], depth + 1
    assert value == [] and depth == MAX_DEPTH
    with pytest.raises(InputError, match="位数过多"):
        parse_json_text("x.json", '{"n": ' + "9" * 400 + "}", frozen=frozen)


def test_frozen_parse_equals_freezing_the_strict_parse() -> None:
    from docgen.cases.loader import parse_json_text
    from docgen.cases.model import FrozenDict, FrozenList, freeze

    for path in sorted((FIXTURES / "cases").glob("*.json")):
        text = path.read_text(encoding="utf-8")
        frozen = parse_json_text(path.name, text, frozen=True)
        assert frozen == freeze(parse_json_text(path.name, text)), path.name
        stack = [frozen]
        while stack:  # every container read-only, none left as a plain dict or list
            value = stack.pop()
            assert type(value) in (FrozenDict, FrozenList), (path.name, type(value))
            stack.extend(v for v in (value.values() if isinstance(value, dict) else value)
                         if isinstance(v, dict | list))
        with pytest.raises(TypeError):
            frozen["x"] = 1 if isinstance(frozen, dict) else frozen.append(1)
