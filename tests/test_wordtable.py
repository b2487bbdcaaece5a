"""The Word ledgers and reports print as a clerk files them — checked on the files ``docgen monthly`` and
``docgen ledgers`` write for the demo county: A4 with margins, 第 X 页 共 Y 页, the header row repeated,
仿宋_GB2312 with zh-CN on every run, category names in a column wide enough for them, Chinese dates; and as
printed pages."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn
from docx.shared import Mm
from pypdf import PdfReader

from docgen.cases.schema import case_field
from docgen.cli import main
from docgen.wordtable import CELL_PADDING_MM, PT_MM, column_widths, text_units

LONGEST = "极度厌学、严重破坏学校秩序、连续反复辍学"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _monthly(demo_dir: Path, out: Path, *extra: str) -> Path:
    result = CliRunner().invoke(main, ["monthly", str(demo_dir / "cases.json"), "--month", "2022-09",
                                       "--unit", "云溪镇", "--filler", "罗晓梅", "--date", "2022-10-15",
                                       "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return out / "云溪镇_2022年9月_控辍保学月报表.docx"


@pytest.fixture(scope="module")
def monthly(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> docx.Document:
    return docx.Document(_monthly(demo_dir, tmp_path_factory.mktemp("monthly")))


@pytest.fixture(scope="module")
def ledgers(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, docx.Document]:
    out = tmp_path_factory.mktemp("ledgers")
    result = CliRunner().invoke(main, ["ledgers", str(demo_dir / "roster.json"),
                                       "--cases", str(demo_dir / "cases.json"), "--out", str(out)])
    assert result.exit_code in (0, 1), result.output
    return {p.name[:4]: docx.Document(p) for p in sorted(out.glob("*.docx"))}


def _footer_fields(part: object) -> list[str]:
    return [t.text.strip() for t in part._element.iter(qn("w:instrText"))]


def test_pages_are_a4_with_margins_and_page_numbers(monthly: docx.Document, ledgers: dict[str, docx.Document]) -> None:
    for name, document in [("月报表", monthly), *ledgers.items()]:
        section = document.sections[0]
        size = sorted((round(section.page_width / Mm(1)), round(section.page_height / Mm(1))))
        assert size == [210, 297], name
        assert min(section.left_margin, section.right_margin, section.top_margin, section.bottom_margin) >= Mm(14.9)
        for footer in (section.footer, section.first_page_footer):  # the first page too
            assert _footer_fields(footer) == ["PAGE", "NUMPAGES"], name
            assert re.sub(r"\d", "", footer.paragraphs[0].text) == "第  页 共  页", name
    assert monthly.sections[0].page_width < monthly.sections[0].page_height
    assert ledgers["B3-1"].sections[0].page_width > ledgers["B3-1"].sections[0].page_height  # 16 columns


def test_the_header_row_repeats_and_rows_stay_whole(monthly: docx.Document,
                                                    ledgers: dict[str, docx.Document]) -> None:
    for name, document in [("月报表", monthly), *ledgers.items()]:
        assert document.tables, name
        for table in document.tables:
            assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None, name
            assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows), name
        title = document.sections[0].header.paragraphs[0].text  # the title on every page after the first
        assert "统计表" in title or "月报表" in title, name


def test_every_run_is_fangsong_in_chinese(monthly: docx.Document, ledgers: dict[str, docx.Document]) -> None:
    for name, document in [("月报表", monthly), *ledgers.items()]:
        runs = [r for p in document.paragraphs for r in p.runs]
        runs += [r for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
        assert runs, name
        for run in runs:
            rpr = run._element.rPr
            assert rpr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312", name
            assert rpr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN", name


def test_categories_by_name_in_a_column_wide_enough_and_dates_in_chinese(monthly: docx.Document) -> None:
    labels = list(case_field(["situation", "category"]).labels.values())
    counts = monthly.tables[0]
    assert [row.cells[0].text for row in counts.rows[1:]] == [*labels, "合计"]
    width = counts.columns[0].width / Mm(1)
    assert width >= text_units(LONGEST) * 10 / 2 * PT_MM + CELL_PADDING_MM - 0.01  # one line, not three or four
    cells = [c.text for t in monthly.tables for row in t.rows for c in row.cells]
    text = "\n".join([p.text for p in monthly.paragraphs] + cells)
    assert not re.search(r"B4-\d|work_study", text) and not ISO_DATE.search(text)
    assert "2022年9月5日" in cells and "报送日期：2022年10月15日        （盖章）" in text
    # the township's schools add up to the township: the same 合计 row twice
    by_school = monthly.tables[1]
    assert by_school.rows[0].cells[0].text == "就读学校"
    assert [c.text for c in by_school.rows[-1].cells] == [c.text for c in counts.rows[-1].cells]
    sums = [sum(int(row.cells[i].text) for row in by_school.rows[1:-1]) for i in range(1, 6)]
    assert [int(c.text) for c in by_school.rows[-1].cells[1:]] == sums
    assert all(r.bold for r in counts.rows[-1].cells[0].paragraphs[0].runs)


def test_b3_2_has_township_and_county_totals(ledgers: dict[str, docx.Document]) -> None:
    rows = [[c.text for c in row.cells] for row in ledgers["B3-2"].tables[0].rows[1:]]
    totals = [r for r in rows if r[1] in ("合计", "全县合计")]
    children = [r for r in rows if r[1] not in ("合计", "全县合计")]
    assert [r[1] for r in totals] == ["合计", "合计", "全县合计"] and totals[-1][2] == f"共 {len(children)} 人"


def test_narrow_columns_keep_their_width_and_the_widest_wraps() -> None:
    widths = column_widths(["序号", "姓名", "处置类别"], [[1, "林嘉豪", LONGEST * 3]], 10, 120)

    def need(text: str) -> float:
        return text_units(text) * 10 / 2 * PT_MM + CELL_PADDING_MM

    assert [round(w, 6) for w in widths[:2]] == [round(need("序号"), 6), round(need("林嘉豪"), 6)]
    assert round(sum(widths), 6) == 120 and widths[2] < need(LONGEST * 3)
    wide = column_widths(["序号", "姓名"], [[1, "林嘉豪"]], 10, 100)  # a narrow table fills the line
    assert round(sum(wide), 6) == 100 and wide[1] > wide[0]


@pytest.mark.slow
def test_the_printed_monthly_report_is_one_a4_page_in_fandol_with_its_categories_on_one_line(
        demo_dir: Path, tmp_path: Path) -> None:
    pdf = _monthly(demo_dir, tmp_path, "--pdf").with_suffix(".pdf")
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert [line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]] == ["FandolFang-Regular"]
    layout = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    lines = ["".join(line.split()) for line in layout.splitlines()]
    assert any(line.startswith(LONGEST) for line in lines)  # the category on one line of the counts table
    assert "第1页共1页" in lines and any(line.startswith("报送日期：2022年10月15日") for line in lines)
