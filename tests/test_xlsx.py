"""Every workbook docgen writes prints as a clerk files it — checked on the real files the commands write for the demo
county: A4 with margins and page numbers, title and header rows repeated, bordered tables, the title merged across the
table (never widening column A), 宋体 on every cell, Chinese dates that are real dates, category names not codes,
合计 rows that add up, no negative overdue days; and, through LibreOffice, A4 pages in a simplified-Chinese face."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from pypdf import PdfReader

from docgen.cases.schema import case_field
from docgen.cli import main
from docgen.xlsx import DATE_FORMAT, DATETIME_FORMAT, FOOTER, Styled, Table, new_workbook, text_width, write_sheet

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
CODE = re.compile(r"\bB4-\d|work_study")
DUE_ON = dt.date(2022, 10, 20)
# Sheets whose header is row 1 because they are read back (the case ledger, the roster): no title row.
READ_BACK = {"台账.xlsx", "适龄儿童少年台账.xlsx"}


@pytest.fixture(scope="module")
def books(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every workbook of the pipeline on the demo county, and the service's monthly workbooks made by the library."""
    from docgen.cases import load_cases
    from docgen.followup.monthly import monthly_report
    from docgen.followup.national import quarter_review, write_ledgers, write_monthly_workbook, write_quarter_review

    out = tmp_path_factory.mktemp("books")
    cases, roster = str(demo_dir / "cases.json"), str(demo_dir / "roster.json")
    for args in (("export", cases, "-o", str(out / "台账.xlsx")),
                 ("check", cases, "--evidence", str(demo_dir / "evidence"), "--institutions",
                  str(demo_dir / "institutions.json"), "--report", str(out / "report")),
                 ("due", cases, "--date", DUE_ON.isoformat(), "--out", str(out / "待办清单.xlsx")),
                 ("term-start", roster, "--cases", cases, "--term-start", "2022-09-01",
                  "--out", str(out / "开学工作统计报表.xlsx")),
                 ("ledgers", roster, "--cases", cases, "--out", str(out / "ledgers")),
                 ("roster", "export", roster, "-o", str(out / "适龄儿童少年台账.xlsx"))):
        result = CliRunner().invoke(main, list(args))
        assert result.exit_code in (0, 1), (args, result.output)
    data = load_cases([Path(cases)]).checked()
    filed = dt.date(2022, 10, 15)
    for unit in ("云溪镇", "桐林乡初级中学"):
        write_monthly_workbook(monthly_report(data, unit, dt.date(2022, 9, 1)), out / f"{unit}_月报表.xlsx", "罗晓梅",
                               filed)
    write_ledgers(data, "青石县", dt.date(2022, 10, 31), out / "疑似辍学和辍学学生台账.xlsx")
    units = sorted({c.township for c in data} | {c.school for c in data})
    write_quarter_review(quarter_review(data, "青石县", 2022, 3, units), out / "复核表.xlsx", filed)
    books = {p.name: p for p in out.rglob("*.xlsx")}
    assert set(books) == {"台账.xlsx", "核查报告.xlsx", "待办清单.xlsx", "开学工作统计报表.xlsx", "A3B3_就读台账.xlsx",
                          "适龄儿童少年台账.xlsx", "云溪镇_月报表.xlsx", "桐林乡初级中学_月报表.xlsx",
                          "疑似辍学和辍学学生台账.xlsx", "复核表.xlsx"}
    return books


def sheets(books: dict[str, Path]) -> Iterator[tuple[str, object]]:
    for name, path in sorted(books.items()):
        for ws in load_workbook(path).worksheets:
            yield f"{name}!{ws.title}", ws


def header_row(ws: object) -> int:
    """The last row repeated on every printed page: the table's header."""
    return int(ws.print_title_rows.split(":")[-1].lstrip("$"))


def test_every_sheet_prints_on_a4_with_margins_and_page_numbers(books: dict[str, Path]) -> None:
    for where, ws in sheets(books):
        assert int(ws.page_setup.paperSize) == 9, where
        assert ws.page_setup.orientation in ("portrait", "landscape"), where
        assert ws.page_margins.left >= 0.5 and ws.page_margins.top >= 0.7 and ws.page_margins.bottom >= 0.7, where
        assert ws.oddFooter.center.text == FOOTER == "第 &P 页 共 &N 页", where
        assert ws.print_options.horizontalCentered, where
    wide = load_workbook(books["A3B3_就读台账.xlsx"])["B3-1"]  # 16 columns: turned to landscape, one page wide
    assert wide.page_setup.orientation == "landscape" and wide.page_setup.fitToWidth == 1
    assert wide.sheet_properties.pageSetUpPr.fitToPage and wide.page_setup.fitToHeight == 0
    narrow = load_workbook(books["A3B3_就读台账.xlsx"])["B3-2"]
    assert narrow.page_setup.orientation == "portrait"


def test_title_and_header_rows_repeat_on_every_page(books: dict[str, Path]) -> None:
    for where, ws in sheets(books):
        last = header_row(ws)
        assert ws.print_title_rows.startswith("$1:$"), where
        assert ws.freeze_panes == (f"B{last + 1}" if where.startswith("台账.xlsx") else f"A{last + 1}"), where
        if where.split("!")[0] in READ_BACK:
            assert last == 1, where
            continue
        assert last >= 2, where  # the title and the header (and a subtitle between them)
        assert ws.cell(1, 1).font.bold and ws.cell(1, 1).font.size >= 14, where
        header = [c for c in ws[last] if c.value is not None]
        assert len(header) >= 2 and all(c.font.bold for c in header), where


def _table_range(ws: object) -> tuple[int, int, int]:
    """The first table: its header row, last row and width."""
    top = header_row(ws)
    width = max(c.column for c in ws[top] if c.value is not None)
    bottom = top
    while bottom < ws.max_row and any(ws.cell(bottom + 1, c).value is not None for c in range(1, width + 1)) \
            and ws.cell(bottom + 1, 1).coordinate not in ws.merged_cells:
        bottom += 1
    return top, bottom, width


def test_table_cells_have_thin_borders(books: dict[str, Path]) -> None:
    for where, ws in sheets(books):
        top, bottom, width = _table_range(ws)
        assert bottom > top or where.split("!")[0] in READ_BACK, where  # the export has sheets with no rows yet
        for row in ws.iter_rows(min_row=top, max_row=bottom, max_col=width):
            for cell in row:
                sides = (cell.border.left, cell.border.right, cell.border.top, cell.border.bottom)
                assert all(s is not None and s.style == "thin" for s in sides), f"{where}!{cell.coordinate}"


def test_the_title_spans_the_table_and_never_widens_column_a(books: dict[str, Path]) -> None:
    for where, ws in sheets(books):
        if where.split("!")[0] in READ_BACK:
            continue
        _, _, width = _table_range(ws)
        ranges = [r for r in ws.merged_cells.ranges if r.min_row == r.max_row == 1]
        assert ranges and ranges[0].min_col == 1 and ranges[0].max_col >= width, where
        merged = {c for r in ws.merged_cells.ranges for c in r.cells}
        own = max(text_width(c.value, c.number_format) for c in ws["A"] if c.value is not None
                  and (c.row, c.column) not in merged)
        # column A is as wide as its own values (at most 40 + padding), whatever the title's length
        assert ws.column_dimensions["A"].width <= min(own, 40) + 2, (where, ws.column_dimensions["A"].width, own)
    b31 = load_workbook(books["A3B3_就读台账.xlsx"])["B3-1"]
    assert b31.column_dimensions["A"].width < 12  # 乡镇 names, not the title (it was 50 wide)


def test_every_cell_is_in_a_simplified_chinese_face(books: dict[str, Path]) -> None:
    for name, path in books.items():
        with zipfile.ZipFile(path) as z:
            styles = z.read("xl/styles.xml").decode("utf-8")
        default = re.search(r"<fonts[^>]*><font>(.*?)</font>", styles)[1]
        assert '<name val="宋体"/>' in default and '<charset val="134"/>' in default, name  # empty cells too
    for where, ws in sheets(books):
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    assert cell.font.name == "宋体", f"{where}!{cell.coordinate}"
        assert ws.oddFooter.center.font == "宋体,常规", where


def test_dates_are_dates_shown_in_chinese(books: dict[str, Path]) -> None:
    seen = 0
    for where, ws in sheets(books):
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                assert not (isinstance(value, str) and ISO_DATE.fullmatch(value)), f"{where}!{cell.coordinate}"
                if isinstance(value, dt.date):
                    seen += 1
                    assert cell.number_format in (DATE_FORMAT, DATETIME_FORMAT), f"{where}!{cell.coordinate}"
                assert not (isinstance(value, int | float) and value > 10**15), f"{where}!{cell.coordinate}"
        for row in range(1, header_row(ws)):  # titles and subtitles say 2022年10月20日, never 2022-10-20
            assert not ISO_DATE.search(str(ws.cell(row, 1).value or "")), where
    assert seen > 500
    assert DATE_FORMAT == 'yyyy"年"m"月"d"日"'
    due = load_workbook(books["待办清单.xlsx"]).active
    assert due["A2"].value.startswith("截至2022年10月20日")


def test_categories_by_name_never_by_code(books: dict[str, Path]) -> None:
    labels = case_field(["situation", "category"]).labels
    for where, ws in sheets(books):
        header = [str(c.value) for c in ws[header_row(ws)] if c.value is not None]
        assert not any(CODE.search(h) for h in header), where
        columns = [i for i, h in enumerate(header, 1) if h in ("处置类别", "档案类别")]
        for column in columns:
            for (cell,) in ws.iter_rows(min_row=header_row(ws) + 1, min_col=column, max_col=column):
                assert not CODE.search(str(cell.value or "")), f"{where}!{cell.coordinate}"
    b31 = load_workbook(books["A3B3_就读台账.xlsx"])["B3-1"]
    assert set(labels.values()) <= {c.value for c in b31[3]}
    monthly = load_workbook(books["云溪镇_月报表.xlsx"])["月报表"]
    assert [monthly.cell(r, 1).value for r in range(4, 4 + len(labels))] == list(labels.values())


def _numbers(row: tuple) -> list[float]:
    return [v for v in row if isinstance(v, int | float) and not isinstance(v, bool)]


def assert_totals(rows: list[tuple], label: int, where: str, group: str = "合计", county: str = "全县合计") -> int:
    """Each ``group`` row is the sum of the rows since the previous total; the ``county`` row the sum of the group
    rows. Returns how many totals were checked."""
    since, groups, checked = [], [], 0
    for row in rows:
        if row[label] == group:
            assert _numbers(row) == [sum(x) for x in zip(*map(_numbers, since), strict=True)], (where, row)
            groups.append(row)
            since, checked = [], checked + 1
        elif row[label] == county:
            assert _numbers(row) == [sum(x) for x in zip(*map(_numbers, groups), strict=True)], (where, row)
            checked += 1
        else:
            since.append(row)
    return checked


def _body(ws: object) -> list[tuple]:
    top, bottom, _ = _table_range(ws)
    return list(ws.iter_rows(min_row=top + 1, max_row=bottom, values_only=True))


def test_totals_add_up_on_every_table_that_adds_up(books: dict[str, Path], demo_dir: Path) -> None:
    a3b3 = load_workbook(books["A3B3_就读台账.xlsx"])
    for sheet in ("B3-1", "B3-3"):
        rows = _body(a3b3[sheet])
        assert assert_totals(rows, 1, sheet) == 3 and rows[-1][:2] == ("全县", "全县合计")
        assert all(r[2] == sum(r[3:]) for r in rows), sheet  # 适龄儿童少年 = the columns that place them
    # B3-2 lists children: each township's 合计 counts them and their 学籍证明, the county's sums the townships'
    rows = _body(a3b3["B3-2"])
    groups, since = [], []
    for row in rows:
        if row[1] in ("合计", "全县合计"):
            listed = since if row[1] == "合计" else [r for g in groups for r in g]
            held = sum(r[5] == "有" for r in listed)
            assert (row[2], row[5]) == (f"共 {len(listed)} 人", f"有 {held} 人，缺 {len(listed) - held} 人"), row
            if row[1] == "合计":
                groups.append(since)
            since = []
        else:
            since.append(row)
    assert len(groups) == 2 and rows[-1][1] == "全县合计"
    rates = _body(a3b3["巩固率"])
    for measure in {r[1] for r in rates}:
        *townships, county = [r for r in rates if r[1] == measure]
        assert county[0] == "全县" and county[2:4] == tuple(sum(t[i] for t in townships) for i in (2, 3)), measure
    term = load_workbook(books["开学工作统计报表.xlsx"])
    for ws in term.worksheets:
        assert assert_totals(_body(ws), 0, ws.title) == 1
    for name in ("云溪镇_月报表.xlsx", "桐林乡初级中学_月报表.xlsx"):
        ws = load_workbook(books[name])["月报表"]
        tables = [list(ws.iter_rows(min_row=r + 1, values_only=True)) for r in range(1, ws.max_row + 1)
                  if ws.cell(r, 1).value in ("处置类别", "就读学校")]
        totals = []
        for table in tables:
            end = next(i for i, r in enumerate(table) if r[0] == "合计")
            assert assert_totals(table[:end + 1], 0, name) == 1
            totals.append(table[end])
        # a township's report shows its schools, and their 合计 is the township's
        assert len(tables) == (2 if name.startswith("云溪镇_") else 1) and len(set(totals)) == 1, name
    review = load_workbook(books["复核表.xlsx"])
    rows = _body(review["各单位"])
    assert assert_totals(rows, 1, "复核表") == 3
    schools = [r[1] for r in rows if r[1] not in ("合计", "全县合计")]
    assert len(schools) == len(set(schools))  # each school once, under its township
    cases = json.loads((demo_dir / "cases.json").read_text(encoding="utf-8"))["cases"]
    assert len(schools) == len({c["student"]["school"] for c in cases})
    still_out = [r for r in review["未复学学生复核"].iter_rows(min_row=4, values_only=True) if r[0]]
    assert rows[-1][-1] == len(still_out)  # 季末未复学 of the county = the students listed for review
    summary = _body(load_workbook(books["核查报告.xlsx"])["汇总"])
    assert assert_totals(summary, 1, "核查报告") == 3
    assert summary[-1][2:] == (24, 13, 11, 13, 3, 0)


def test_the_due_list_never_shows_negative_overdue_days(books: dict[str, Path]) -> None:
    ws = load_workbook(books["待办清单.xlsx"])["待办"]
    header = [c.value for c in ws[3]]
    assert "逾期天数" not in header and header[:2] == ["到期日", "时限"]
    late = soon = 0
    for due, left, *rest in ws.iter_rows(min_row=4, values_only=True):
        days = (DUE_ON - due.date()).days
        assert not any(isinstance(v, int | float) and v < 0 for v in (due, left, *rest))
        if days > 0:
            late += 1
            assert left == f"逾期 {days} 天"
        else:
            soon += 1
            assert left == ("今天到期" if days == 0 else f"还有 {-days} 天")
    assert late and soon
    reds = [ws.cell(r, 2).fill.fgColor.rgb for r in range(4, ws.max_row + 1) if ws.cell(r, 2).value.startswith("逾期")]
    assert reds and set(reds) == {"00FFC7CE"}
    assert f"其中已逾期 {late} 项" in ws["A2"].value


# ---- the layout itself ---------------------------------------------------------------------------------------
def _sheet(rows: list[list[object]], header: list[str] | None = None, **options: object) -> object:
    wb = new_workbook()
    header = header or ["序号", "姓名", "备注"]
    return write_sheet(wb, "表", "一个很长很长很长很长很长很长很长很长很长很长很长很长的标题", [Table(header, rows)],
                       **options)


def test_columns_are_as_wide_as_what_they_hold() -> None:
    ws = _sheet([[1, "林嘉豪", Styled(0.9876, "0.00%")], [2, "张梓豪", None]], widths={3: 30})
    widths = {k: ws.column_dimensions[k].width for k in "ABC"}
    assert widths == {"A": 6, "B": 8, "C": 30}  # 序号 (4) and 林嘉豪 (6), plus padding; a set width is kept
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:C1"]
    assert ws.page_setup.orientation == "portrait" and ws.print_title_rows == "$1:$2"


def test_a_long_header_wraps_over_its_numbers_and_a_long_value_wraps_in_its_row() -> None:
    long = "极度厌学、严重破坏学校秩序、连续反复辍学" * 3
    ws = _sheet([[1, long, 3]], header=["序号", "处置类别", "本月新增疑似辍学"])
    assert ws.column_dimensions["C"].width == 10  # 本月新增 / 疑似辍学 in two lines of four
    assert ws["C2"].alignment.wrap_text and ws.row_dimensions[2].height >= 2 * 14
    assert ws.column_dimensions["B"].width == 42 and ws["B3"].alignment.wrap_text
    assert ws.row_dimensions[3].height >= 3 * 14  # 120 units in a 40-unit column: three lines at least


def test_a_wide_table_turns_to_landscape() -> None:
    ws = _sheet([[1, "x" * 38, "y" * 38, "z" * 38]], header=["序号", "甲", "乙", "丙"])
    assert ws.page_setup.orientation == "landscape"


def test_the_default_font_is_songti(tmp_path: Path) -> None:
    wb = new_workbook()
    write_sheet(wb, "表", "标题", [Table(["甲"], [[None]])])
    wb.save(tmp_path / "x.xlsx")
    assert load_workbook(tmp_path / "x.xlsx")["表"]["A3"].font.name == "宋体"


# ---- printed pages -------------------------------------------------------------------------------------------
def printed(paths: list[Path], folder: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The workbooks printed to PDF by LibreOffice with docgen's font mapping (one soffice run; the machine's
    persistent converters may predate LibreOffice Calc)."""
    from docgen.convert import pdf, pool

    folder.mkdir()
    for path in paths:
        (folder / path.name).write_bytes(path.read_bytes())
    monkeypatch.setattr(pool, "available", lambda: False)
    pdf.convert_to_pdf(folder, [p.name for p in paths])
    return {p.name: folder / f"{p.stem}.pdf" for p in paths}


@pytest.mark.slow
def test_printed_workbooks_are_a4_pages_in_a_simplified_chinese_face(books: dict[str, Path], tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    names = ["A3B3_就读台账.xlsx", "待办清单.xlsx", "核查报告.xlsx", "开学工作统计报表.xlsx", "云溪镇_月报表.xlsx",
             "复核表.xlsx"]
    pdfs = printed([books[n] for n in names], tmp_path / "pdf", monkeypatch)
    for name, pdf in pdfs.items():
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        faces = [line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]]
        assert faces and all(f.startswith("FandolSong") or f.startswith("NotoSerifCJKsc") for f in faces), (name, faces)
        pages = PdfReader(pdf).pages
        for page in pages:
            size = sorted((round(float(page.mediabox.width)), round(float(page.mediabox.height))))
            assert size == [595, 842], (name, size)  # A4, either way round
        text = "".join(p.extract_text() for p in pages)
        assert f"第1页共{len(pages)}页" in "".join(text.split()), name
    b31 = PdfReader(pdfs["A3B3_就读台账.xlsx"]).pages[0]
    assert b31.mediabox.width > b31.mediabox.height  # landscape
    words = "".join(b31.extract_text().split())
    assert "义务教育阶段适龄儿童少年就读情况统计表" in words and "劝返回原学校就读" in words
    due = PdfReader(pdfs["待办清单.xlsx"])
    assert len(due.pages) > 1
    for page in due.pages:  # the title and the header on every page
        words = "".join(page.extract_text().split())
        assert "控辍保学待办清单" in words and "到期日时限乡镇学校" in words


@pytest.mark.slow
def test_rows_are_as_tall_as_the_lines_libreoffice_sets(books: dict[str, Path], tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """LibreOffice does not grow a row for wrapped text: our row heights come from our count of its lines. Set the
    longest cells of the due list and the audit report in columns 20, 36 and 40 wide, print them, and count."""
    from openpyxl.styles import Alignment

    from docgen.xlsx import _lines, font

    texts = sorted({c.value for name, sheet, column in (("待办清单.xlsx", "待办", 8), ("核查报告.xlsx", "问题明细", 9))
                    for (c,) in load_workbook(books[name])[sheet].iter_rows(min_row=4, min_col=column,
                                                                            max_col=column)})
    paths = []
    for width in (20, 36, 40):
        wb = new_workbook()
        ws = wb.create_sheet("行")
        ws.column_dimensions["A"].width = width
        for row, text in enumerate(texts, 1):
            cell = ws.cell(row, 1, text)
            cell.font, cell.alignment = font(), Alignment(wrap_text=True, vertical="top")
            ws.row_dimensions[row].height = 330  # room for every line: one cell a page
        wb.save(tmp_path / f"{width}.xlsx")
        paths.append(tmp_path / f"{width}.xlsx")
    pdfs = printed(paths, tmp_path / "pdf", monkeypatch)
    for width in (20, 36, 40):
        layout = subprocess.run(["pdftotext", "-bbox-layout", str(pdfs[f"{width}.xlsx"]), "-"], capture_output=True,
                                text=True, check=True).stdout
        set_lines = [block.count("<line ") for block in re.findall(r"<block .*?</block>", layout, re.S)]
        assert len(set_lines) == len(texts) > 10
        for text, lines in zip(texts, set_lines, strict=True):
            assert lines <= _lines(text, width) <= lines + 1, (width, text[:20], lines, _lines(text, width))
