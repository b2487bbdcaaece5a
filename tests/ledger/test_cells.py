"""Cell codecs: lenient where clerks differ, strict where Excel loses data."""

from __future__ import annotations

import datetime as dt

import pytest

from docgen.ledger import load_mapping
from docgen.ledger.cells import CellError, read_cell, write_cell


def column(sheet: str, header: str):
    mapping = load_mapping()
    return next(c for s in mapping.sheets if s.name == sheet for c in s.columns if c.header == header)


@pytest.mark.parametrize("value", ["2022-09-05", "2022/9/5", "2022.9.5", "2022年9月5日", dt.datetime(2022, 9, 5)])
def test_dates_in_the_forms_clerks_type(value: object) -> None:
    assert read_cell(value, column("辍学学生台账", "辍学时间")) == "2022-09-05"


def test_enumerations_accept_labels_and_codes() -> None:
    col = column("辍学学生台账", "处置类别")
    assert read_cell("休学", col) == "B4-4"
    assert read_cell("B4-4", col) == "B4-4"
    assert write_cell("B4-4", col) == "休学"
    with pytest.raises(CellError, match="“休学中”不是可选的值"):
        read_cell("休学中", col)


def test_an_id_number_stored_as_a_number_is_refused() -> None:
    with pytest.raises(CellError, match="超过15位的部分已经丢失"):
        read_cell(439921201011031049, column("辍学学生台账", "身份证号"))
    assert read_cell(13800001111, column("监护人", "联系电话")) == "13800001111"


def test_lists_of_objects_in_one_cell() -> None:
    col = column("劝返记录", "劝返人员")
    text = "罗晓梅/云溪镇人民政府/社事办主任；彭永福/石桥村村民委员会"
    value = read_cell(text, col)
    assert value == [
        {"name": "罗晓梅", "unit": "云溪镇人民政府", "role": "社事办主任"},
        {"name": "彭永福", "unit": "石桥村村民委员会"},
    ]
    assert write_cell(value, col) == text
    teachers = column("送教记录", "送教教师")
    assert read_cell("周建军/男\n刘芳/女", teachers) == [
        {"name": "周建军", "gender": "male"}, {"name": "刘芳", "gender": "female"}
    ]
    with pytest.raises(CellError, match="部分多于 2 个"):
        read_cell("周建军/男/教师", teachers)


def test_booleans_numbers_and_grades() -> None:
    assert read_cell("是", column("专项情况", "建议休学")) is True
    assert read_cell("否", column("专项情况", "住院")) is False
    assert read_cell("7年级", column("辍学学生台账", "年级")) == 7
    assert read_cell(2.0, column("送教记录", "学时")) == 2
    assert read_cell("1.5", column("送教记录", "学时")) == 1.5
    with pytest.raises(CellError, match="应填“是”或“否”"):
        read_cell("也许", column("专项情况", "住院"))
