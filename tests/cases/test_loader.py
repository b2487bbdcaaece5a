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
