"""Reading a case file case by case: the same cases as reading it whole, across block boundaries, and
errors that name the line in the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docgen.cases import load_cases
from docgen.cases import stream as case_stream
from docgen.cases.loader import parse_json_text
from docgen.cases.stream import open_case_stream
from docgen.errors import InputError


@pytest.fixture(params=[16, 1 << 22], ids=["tiny-blocks", "normal-blocks"])
def block(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(case_stream, "BLOCK", request.param)
    return request.param


def test_streamed_cases_are_the_cases_of_the_file(demo_dir: Path, block: int) -> None:
    stream = open_case_stream(demo_dir / "cases.json")
    items = list(stream)
    whole = load_cases([demo_dir / "cases.json"]).checked()
    assert [i.path for i in items] == [c.path for c in whole]
    assert [parse_json_text("x", i.text) for i in items] == [c.data for c in whole]
    assert stream.envelope == {"schema_version": 1}
    size = (demo_dir / "cases.json").stat().st_size
    assert 0.95 * size < items[-1].read <= size  # how far the file is read, for the progress bar
    text = (demo_dir / "cases.json").read_text(encoding="utf-8")
    third = items[2]
    assert text.splitlines()[third.line - 1][third.column - 1:].startswith("{")


def test_keys_after_the_cases_and_a_byte_order_mark(tmp_path: Path, block: int) -> None:
    path = tmp_path / "c.json"
    path.write_bytes('\ufeff{"cases": [{"a": "甲"}, {"b": [1, 2.5]}], "schema_version": 1}'.encode())
    stream = open_case_stream(path)
    assert [json.loads(i.text) for i in stream] == [{"a": "甲"}, {"b": [1, 2.5]}]
    assert stream.envelope == {"schema_version": 1}


def test_a_file_that_is_one_case_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text('{"case_id": "X", "student": {}}', encoding="utf-8")
    stream = open_case_stream(path)
    assert stream.whole == {"case_id": "X", "student": {}} and list(stream) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"cases": [{"a": 1},\n {"a": 2,}]}', "不是有效的 JSON：第 2 行第 10 列，字段名应使用英文双引号"),
        ('{"cases": [{"a": 1}\n {"a": 2}]}', "不是有效的 JSON：第 2 行第 2 列，缺少逗号"),
        ('{"cases": [{"a": 1}], "cases": []}',
         "不是可用的 JSON：第 1 行第 23 列（$.cases），字段“cases”在同一个对象中出现了两次"),
        ('{"schema_version": NaN, "cases": []}',
         "不是可用的 JSON：第 1 行第 20 列（$.schema_version），NaN 不是有效的 JSON 数值"),
        ('{"cases": [{"a": 1}]} x', "不是有效的 JSON：第 1 行第 23 列，JSON 结束后还有多余内容"),
        ('{"cases": [{"a": "unterminated', "不是有效的 JSON：第 1 行第 18 列，字符串缺少结束引号"),
    ],
)
def test_broken_files_say_where(tmp_path: Path, text: str, message: str, block: int) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        list(open_case_stream(path))
    assert str(info.value) == f"{path}: {message}"


def test_a_case_is_parsed_strictly_with_its_place_in_the_file() -> None:
    with pytest.raises(InputError) as info:
        parse_json_text("c.json", '{"a": 1,\n "a": 2}', line=40, column=5, path="$.cases[3]")
    assert str(info.value) == ("c.json: 不是可用的 JSON：第 41 行第 2 列（$.cases[3].a），"
                               "字段“a”在同一个对象中出现了两次")
    with pytest.raises(InputError) as info:
        parse_json_text("c.json", '{"b": [1, {"c": NaN}]}', line=40, column=5, path="$.cases[3]")
    assert str(info.value) == "c.json: 不是可用的 JSON：第 40 行第 21 列（$.cases[3].b[1].c），NaN 不是有效的 JSON 数值"
    with pytest.raises(InputError) as info:
        parse_json_text("c.json", '{"a": }', line=40, column=5)
    assert str(info.value) == "c.json: 不是有效的 JSON：第 40 行第 11 列，此处缺少值"


def test_a_file_read_again_with_its_index_gives_the_same_cases(demo_dir: Path, tmp_path: Path, block: int) -> None:
    path = tmp_path / "cases.json"
    path.write_bytes((demo_dir / "cases.json").read_bytes())
    first = open_case_stream(path)
    scanned = list(first)
    assert first.digest == case_stream.file_digest(path) and first.index is not None
    again = open_case_stream(path, known=(first.digest, first.index))
    assert list(again) == scanned and again.envelope == first.envelope

    # The same size, other bytes: the index no longer fits, and the file is refused rather than misread.
    data = bytearray(path.read_bytes())
    at = data.index("云溪镇".encode())
    data[at:at + 9] = "桐林乡".encode()
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match="文件在读取过程中被改动了"):
        list(open_case_stream(path, known=(first.digest, first.index)))
