"""Excel files from others are looked over before openpyxl parses them and read within limits, in one place."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from conftest import LAUGHS, XXE, hostile_copy

from docgen.errors import LedgerError
from docgen.ledger import workbook
from docgen.ledger.workbook import ExcelFile


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
@pytest.mark.parametrize(("doctype", "entity"), [(LAUGHS, "&lol9;"), (XXE, "&xxe;")], ids=["laughs", "xxe"])
def test_entity_declarations_are_refused_before_parsing(demo_dir: Path, tmp_path: Path, part: str, doctype: str,
                                                        entity: str) -> None:
    bad = hostile_copy(demo_dir / "ledger.xlsx", tmp_path / "bad.xlsx", part, doctype, entity)
    with pytest.raises(LedgerError, match=f"bad.xlsx: 其中的 {part} 有 DOCTYPE（XML 实体声明）"):
        ExcelFile(bad)


def test_a_doctype_after_a_comment_is_seen_and_a_long_prolog_refused(demo_dir: Path, tmp_path: Path) -> None:
    part = "xl/worksheets/sheet1.xml"
    bad = hostile_copy(demo_dir / "ledger.xlsx", tmp_path / "a.xlsx", part, XXE, "&xxe;", "<!-- <a> -->")
    with pytest.raises(LedgerError, match="有 DOCTYPE"):
        ExcelFile(bad)
    padded = hostile_copy(demo_dir / "ledger.xlsx", tmp_path / "b.xlsx", part, XXE, "&xxe;",
                          "<!--" + " " * workbook.PROLOG_BYTES + "-->")
    with pytest.raises(LedgerError, match="开头过长"):
        ExcelFile(padded)


@pytest.mark.parametrize(("doctype", "entity"), [(LAUGHS, "&lol9;"), (XXE, "&xxe;")], ids=["laughs", "xxe"])
def test_the_parser_refuses_entities_too(demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         doctype: str, entity: str) -> None:
    """Should the look-over miss one, openpyxl (with defusedxml) refuses the entities all the same."""
    monkeypatch.setattr(workbook, "_look_over", lambda path: None)
    bad = hostile_copy(demo_dir / "ledger.xlsx", tmp_path / "bad.xlsx", "xl/worksheets/sheet1.xml", doctype, entity)
    with pytest.raises(LedgerError, match=r"bad\.xlsx: 含有 XML 实体声明，可能是恶意构造的文件，未读取"):
        ExcelFile(bad)


@pytest.mark.parametrize(("limit", "value", "message"), [
    ("MAX_ROWS", 10, "工作表“辍学学生台账”超过 10 行"),
    ("MAX_CELLS", 50, "有内容的单元格超过 50 个"),
    ("MAX_UNCOMPRESSED", 20_000, "超过上限 0 MB"),
    ("MAX_PARTS", 5, "超过上限 5 个"),
])
def test_limits_are_clear_refusals(demo_dir: Path, monkeypatch: pytest.MonkeyPatch, limit: str, value: int,
                                   message: str) -> None:
    monkeypatch.setattr(workbook, limit, value)
    with pytest.raises(LedgerError, match=message), ExcelFile(demo_dir / "ledger.xlsx") as book:
        list(book.rows("辍学学生台账"))


def test_a_damaged_sheet_names_the_sheet(demo_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "cut.xlsx"
    with zipfile.ZipFile(demo_dir / "ledger.xlsx") as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, data[: len(data) // 2] if info.filename == "xl/worksheets/sheet1.xml" else data)
    with pytest.raises(LedgerError, match=r"cut\.xlsx: 文件已损坏，无法读取（unclosed token"):
        ExcelFile(bad)


def test_a_cell_far_to_the_right_does_not_widen_every_row(demo_dir: Path, tmp_path: Path) -> None:
    wide = tmp_path / "wide.xlsx"
    with zipfile.ZipFile(demo_dir / "ledger.xlsx") as src, zipfile.ZipFile(wide, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD3"/>', data)
                data = data.replace(b"</row>", b'<c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>', 1)
            dst.writestr(info, data)
    with ExcelFile(wide) as book:
        assert {len(row) for row in book.rows("辍学学生台账")} == {workbook.MAX_COLUMNS}


def test_a_workbook_says_when_it_was_made_and_keeps_it_when_saved_again(tmp_path: Path) -> None:
    import datetime as dt

    from openpyxl import load_workbook

    from docgen.demo import demo_cases
    from docgen.ledger import export_ledger

    path = tmp_path / "台账.xlsx"
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    export_ledger(demo_cases()[0]["cases"][:2], path)
    made = workbook.made_at(path)
    assert made is not None and before <= made <= dt.datetime.now(dt.UTC)
    book = load_workbook(path)  # edited and saved again (as Excel, WPS and LibreOffice do): still when it was made
    book["辍学学生台账"]["B2"] = "改过"
    book.save(tmp_path / "改过.xlsx")
    assert workbook.made_at(tmp_path / "改过.xlsx") == made
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(tmp_path / "无日期.xlsx", "w") as copy:
        for item in source.infolist():
            if item.filename != "docProps/core.xml":
                copy.writestr(item, source.read(item))
    assert workbook.made_at(tmp_path / "无日期.xlsx") is None
    (tmp_path / "不是.xlsx").write_bytes(b"not a zip")
    assert workbook.made_at(tmp_path / "不是.xlsx") is None
