"""The header mapping: complete against the schema, and clear when a county's copy is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES

from docgen.cases.schema import iter_leaf_paths
from docgen.errors import MappingError
from docgen.ledger import load_mapping


def test_default_mapping_has_a_column_for_every_field_of_the_schema() -> None:
    """Lossless round trips depend on this: a field added to the schema needs a column here."""
    missing = sorted(set(iter_leaf_paths()) - load_mapping().covered_paths())
    assert missing == []


def test_required_columns_follow_the_schema() -> None:
    main = load_mapping().main
    required = {c.header for c in main.columns if c.required}
    assert {"姓名", "身份证号", "学籍号", "户籍村", "辍学时间"} <= required
    assert "班主任" not in required and "流入地省" not in required


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "unknown-field.yaml: 台账 列“姓名”: 案卷格式中没有字段 student.nmae"),
        ("version: 1\nkey: 编号\nsheets: [", "第 3 行：不是有效的 YAML"),
        ("version: 1\nkey: 编号\nsheets:\n  - {sheet: A, rows: case, columns: {编号: case_id, 人: student}}",
         "A 列“人”: student 是对象，请映射到它的某个字段，或写明各部分，如 student(name/unit)"),
        ("version: 1\nkey: 编号\nsheets:\n  - {sheet: A, rows: student, columns: {编号: case_id}}",
         "sheets[0] A: rows “student” 不是案卷中的列表字段"),
        ("version: 2\nkey: 编号\nsheets:\n  - {sheet: A, rows: case, columns: {编号: case_id}}", "version: 应为 1"),
        ("version: 1\nkey: 编号\nsheets: []", "sheets: 不能为空"),
        ("version: 1\nkey: 编号\nsheets:\n  - {sheet: A, rows: case, columns: {编号: case_id, 人: Student.Name}}",
         "sheets/0/columns/人: 字段写法不正确"),
    ],
)
def test_bad_mapping_files_say_where(tmp_path: Path, content: str | None, message: str) -> None:
    path = FIXTURES / "mappings" / "unknown-field.yaml"
    if content is not None:
        path = tmp_path / "m.yaml"
        path.write_text(content, encoding="utf-8")
    with pytest.raises(MappingError) as info:
        load_mapping(path)
    assert message in str(info.value)
