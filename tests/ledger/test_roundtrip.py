"""JSON → xlsx → JSON gives the same cases, and the workbook is one a clerk can read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, TODAY
from openpyxl import load_workbook

from docgen.cases import load_cases
from docgen.demo import demo_cases
from docgen.errors import DataProblemsError
from docgen.ledger import export_ledger, import_ledger, load_mapping


def test_demo_county_round_trips_exactly(tmp_path: Path) -> None:
    batch, _, _ = demo_cases()
    result = export_ledger(batch["cases"], tmp_path / "台账.xlsx")
    assert result.unmapped == []
    back = import_ledger(tmp_path / "台账.xlsx", today=TODAY)
    assert back.problems == []
    assert back.batch == batch


def test_workbook_has_chinese_headers_text_ids_and_real_dates(tmp_path: Path) -> None:
    batch, _, _ = demo_cases()
    export_ledger(batch["cases"], tmp_path / "台账.xlsx")
    wb = load_workbook(tmp_path / "台账.xlsx")
    ws = wb["辍学学生台账"]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["案卷编号", "姓名", "性别", "身份证号"]
    assert ws["D2"].value == batch["cases"][0]["student"]["id_number"]
    assert ws["D2"].number_format == "@"
    dropout = ws.cell(2, headers.index("辍学时间") + 1)
    assert dropout.value.date().isoformat() == batch["cases"][0]["situation"]["dropout_date"]
    assert ws.cell(2, headers.index("处置类别") + 1).value == "劝返回原学校就读"
    assert ws.max_row == 1 + len(batch["cases"])
    assert wb["劝返记录"].max_row == 1 + sum(len(c.get("persuasions", [])) for c in batch["cases"])


def test_a_county_mapping_reads_its_own_column_names(tmp_path: Path) -> None:
    mapping = load_mapping(FIXTURES / "mappings" / "county-columns.yaml")
    case = json.loads((FIXTURES / "cases" / "valid-minimal.json").read_text(encoding="utf-8"))
    export_ledger([case], tmp_path / "县台账.xlsx", mapping)
    wb = load_workbook(tmp_path / "县台账.xlsx")
    assert wb.sheetnames == ["控辍保学台账", "监护人"]
    assert wb["控辍保学台账"]["D1"].value == "公民身份号码"
    back = import_ledger(tmp_path / "县台账.xlsx", mapping, today=TODAY)
    assert back.problems == []
    imported = back.batch["cases"][0]
    assert imported["student"]["id_number"] == case["student"]["id_number"]
    assert imported["guardians"] == [{"name": "测试父", "relation": "father"}]


def test_unmapped_fields_are_reported_not_silently_dropped(tmp_path: Path) -> None:
    mapping = load_mapping(FIXTURES / "mappings" / "county-columns.yaml")
    case = json.loads((FIXTURES / "cases" / "valid-minimal.json").read_text(encoding="utf-8"))
    result = export_ledger([case], tmp_path / "县台账.xlsx", mapping)
    assert "persuasions[].date" in result.unmapped
    assert "guardians[].phone" in result.unmapped


def test_checked_cases_export_as_their_data_does(tmp_path: Path) -> None:
    """The CLI exports checked cases (Case, a mapping, not a dict): same workbook, same fields reported."""
    mapping = load_mapping(FIXTURES / "mappings" / "county-columns.yaml")
    path = FIXTURES / "cases" / "valid-minimal.json"
    checked = load_cases([path], today=TODAY).checked()
    as_data = export_ledger([json.loads(path.read_text(encoding="utf-8"))], tmp_path / "data.xlsx", mapping)
    as_cases = export_ledger(checked, tmp_path / "cases.xlsx", mapping)
    assert as_cases.unmapped == as_data.unmapped and "guardians[].phone" in as_cases.unmapped
    assert as_cases.rows == as_data.rows
    assert [[c.value for c in row] for row in load_workbook(tmp_path / "cases.xlsx")["控辍保学台账"].rows] == \
        [[c.value for c in row] for row in load_workbook(tmp_path / "data.xlsx")["控辍保学台账"].rows]


def test_values_that_would_not_read_back_are_refused(tmp_path: Path) -> None:
    case = json.loads((FIXTURES / "cases" / "valid-minimal.json").read_text(encoding="utf-8"))
    case["persuasions"][0]["participants"][0]["unit"] = "云溪镇/社事办"
    with pytest.raises(DataProblemsError) as info:
        export_ledger([case], tmp_path / "x.xlsx", source="x.json")
    assert str(info.value.problems[0]).startswith("x.json: 测试甲(G")
    assert "分隔符“/”" in info.value.problems[0].message
    assert not (tmp_path / "x.xlsx").exists()
