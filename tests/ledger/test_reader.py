"""Importing ledgers: every problem named by sheet, row and column; unusable workbooks fail once."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TODAY
from openpyxl import load_workbook

from docgen.demo import demo_cases
from docgen.errors import EXIT_UNUSABLE, InputError, LedgerError
from docgen.ledger import export_ledger, import_ledger


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    batch, _, _ = demo_cases()
    path = tmp_path / "台账.xlsx"
    export_ledger(batch["cases"][:3], path)
    return path


def _edit(path: Path, edits: dict[str, dict[str, object]], delete_col: tuple[str, int] | None = None) -> Path:
    wb = load_workbook(path)
    for sheet, cells in edits.items():
        for ref, value in cells.items():
            wb[sheet][ref] = value
    if delete_col:
        wb[delete_col[0]].delete_cols(delete_col[1])
    wb.save(path)
    return path


def test_bad_cells_are_reported_by_sheet_row_and_column(ledger: Path) -> None:
    _edit(ledger, {
        "辍学学生台账": {"D2": 439921200805121033, "U3": "2022年2月30日", "E4": "明天"},
        "劝返记录": {"A2": "QS-9999"},
    })
    result = import_ledger(ledger, today=TODAY)
    lines = [f"{p.path} {p.message}" for p in result.problems]
    assert lines == [
        "辍学学生台账!D2（身份证号） 被 Excel 存成了数字，超过15位的部分已经丢失：请把这一列设为“文本”格式后重新录入",
        "辍学学生台账!U3（辍学时间） 日期 2022-02-30 不存在",
        "辍学学生台账!E4（出生日期） “明天”不是日期，请写成 2022-09-05 或 2022年9月5日",
        "劝返记录!A2（案卷编号） 案卷编号 QS-9999 在工作表“辍学学生台账”中不存在",
    ]
    assert result.problems[0].case.startswith(result.batch["cases"][0]["student"]["name"])


def test_a_missing_required_column_makes_the_ledger_unusable(ledger: Path) -> None:
    _edit(ledger, {}, delete_col=("辍学学生台账", 4))
    with pytest.raises(LedgerError) as info:
        import_ledger(ledger, today=TODAY)
    assert "工作表“辍学学生台账”缺少列“身份证号”" in str(info.value)
    assert info.value.exit_code == EXIT_UNUSABLE


def test_optional_sheets_may_be_absent(ledger: Path) -> None:
    wb = load_workbook(ledger)
    for name in wb.sheetnames[1:]:
        del wb[name]
    wb.save(ledger)
    result = import_ledger(ledger, today=TODAY)
    # Without the guardians sheet every case lacks its required guardians: one line per case, at its row.
    assert [f"{p.path} {p.message}" for p in result.problems] == [
        f"辍学学生台账 第{i + 2}行 缺少必填项“监护人”（guardians）（应在工作表“监护人”中填写）" for i in range(3)
    ]
    assert len(result.batch["cases"]) == 3


@pytest.mark.parametrize(("content", "message"), [(b"not a zip", "不是有效的 Excel .xlsx 文件"), (None, "文件不存在")])
def test_unusable_workbooks(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "台账.xlsx"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        import_ledger(path)


def test_old_xls_gets_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "台账.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0 old format")
    with pytest.raises(LedgerError, match=r"另存为” \.xlsx"):
        import_ledger(path)
