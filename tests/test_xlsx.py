"""Every workbook docgen writes prints: A4 landscape, one page wide, header rows repeated and frozen."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from docgen.cli import main

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _workbooks(demo_dir: Path, out: Path) -> list[Path]:
    cases, roster = str(demo_dir / "cases.json"), str(demo_dir / "roster.json")
    for args in (("export", cases, "-o", str(out / "台账.xlsx")),
                 ("check", cases, "--evidence", str(demo_dir / "evidence"), "--report", str(out / "report")),
                 ("due", cases, "--date", "2022-10-20", "--out", str(out / "待办清单.xlsx")),
                 ("term-start", roster, "--cases", cases, "--term-start", "2022-09-01",
                  "--out", str(out / "开学.xlsx")),
                 ("ledgers", roster, "--cases", cases, "--out", str(out / "ledgers")),
                 ("roster", "export", roster, "-o", str(out / "适龄儿童少年台账.xlsx"))):
        result = CliRunner().invoke(main, list(args))
        assert result.exit_code in (0, 1), (args, result.output)
    return sorted(out.rglob("*.xlsx"))


@pytest.mark.slow
def test_every_workbook_is_set_up_for_printing(demo_dir: Path, tmp_path: Path) -> None:
    books = _workbooks(demo_dir, tmp_path)
    assert {p.name for p in books} >= {"台账.xlsx", "核查报告.xlsx", "待办清单.xlsx", "开学.xlsx", "A3B3_就读台账.xlsx",
                                       "适龄儿童少年台账.xlsx"}
    for path in books:
        for ws in load_workbook(path).worksheets:
            where = f"{path.name}!{ws.title}"
            assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9, where
            assert ws.sheet_properties.pageSetUpPr.fitToPage, where
            assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, where
            assert ws.print_title_rows and ws.print_title_rows.startswith("$1:$"), where
            assert ws.freeze_panes, where
            used = {c.column_letter for row in ws.iter_rows() for c in row if c.value is not None}
            assert all(ws.column_dimensions[col].width for col in used), where
            for row in ws.iter_rows():
                for cell in row:
                    value = cell.value
                    # dates are dates (Excel sorts and filters them), never ISO text …
                    assert not (isinstance(value, str) and ISO_DATE.fullmatch(value)), f"{where}!{cell.coordinate}"
                    if isinstance(value, dt.date):
                        assert "yy" in cell.number_format, f"{where}!{cell.coordinate}"
                    # … and ID numbers are text, never numbers Excel would round
                    assert not (isinstance(value, int | float) and value > 10**15), f"{where}!{cell.coordinate}"
    ledgers = load_workbook(tmp_path / "ledgers" / "A3B3_就读台账.xlsx")
    for sheet in ("B3-1", "B3-3"):
        rows = list(ledgers[sheet].iter_rows(min_row=3, values_only=True))
        townships = [r for r in rows if r[1] == "合计"]
        assert rows[-1][:2] == ("全县", "全县合计"), sheet
        assert list(rows[-1][2:]) == [sum(r[i] for r in townships) for i in range(2, len(rows[-1]))], sheet


def test_columns_get_the_width_of_what_they_hold_and_set_widths_are_kept() -> None:
    from openpyxl import Workbook

    from docgen.xlsx import fit_widths

    ws = Workbook().active
    ws.append(["标题，跨两列"])
    ws.merge_cells("A1:C1")
    ws.append(["序号", "身份证号", "备注"])
    ws.append([1, "439921********1258", "x"])
    ws.column_dimensions["C"].width = 30
    fit_widths(ws)
    widths = {k: ws.column_dimensions[k].width for k in "ABC"}
    assert widths == {"A": 6, "B": 20, "C": 30}
