"""Writing the A3B3 tables: one .xlsx (B3-1, B3-2, B3-3, 巩固率) and a Word table per item (PDF optional)."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from docgen.fsutil import save_docx, save_workbook, staged_folder
from docgen.roster.tables import COLUMN_LABELS, COLUMNS, COUNTY_TOTAL, TOWNSHIP_TOTAL, Row, Tables
from docgen.xlsx import date_cells

MEASURES = {"primary": "小学六年巩固率", "junior": "初中三年巩固率", "disabled": "三类残疾儿童少年入学率"}
GREEN, RED = PatternFill("solid", fgColor="C6EFCE"), PatternFill("solid", fgColor="FFC7CE")
B3_TITLES = {"B3-1": "义务教育阶段适龄儿童少年就读情况统计表", "B3-2": "义务教育阶段适龄儿童少年县外就读情况统计表",
             "B3-3": "义务教育阶段建卡贫困学生就读情况统计表"}


def _count_rows(rows: list[Row]) -> list[list[object]]:
    return [[r.township, r.village, r.total, *(r.counts[c] for c in COLUMNS)] for r in rows]


COUNT_HEADER = ["乡镇", "村（社区）", "适龄儿童少年", *(COLUMN_LABELS[c] for c in COLUMNS)]
OUT_HEADER = ["乡镇", "村（社区）", "姓名", "县外就读地", "年级", "学籍证明"]


def _out_rows(tables: Tables) -> list[list[object]]:
    return [[x["township"], x["village"], x["name"], x["place"], x["grade"], "有" if x["certificate"] else "缺"]
            for x in tables.b3_2]


def write_xlsx(tables: Tables, target: Path) -> None:
    wb = Workbook()
    sheets = [("B3-1", COUNT_HEADER, _count_rows(tables.b3_1)), ("B3-2", OUT_HEADER, _out_rows(tables)),
              ("B3-3", COUNT_HEADER, _count_rows(tables.b3_3))]
    wb.remove(wb.active)
    for code, header, rows in sheets:
        ws = wb.create_sheet(code)
        ws.append([f"{code} {B3_TITLES[code]}（{tables.unit}）"])
        ws.append(header)
        for row in rows:
            ws.append(row)
            if row[1] in (TOWNSHIP_TOTAL, COUNTY_TOTAL):
                for cell in ws[ws.max_row]:
                    cell.font = Font(bold=True)
        for cell in ws[2]:
            cell.font = Font(bold=True)
    ws = wb.create_sheet("巩固率")
    ws.append(["乡镇", "指标", "达标人数", "应统计人数", "比率", "目标", "是否达标"])
    for x in tables.retention:
        ws.append([x["township"], MEASURES[x["measure"]], x["kept"], x["of"], round(x["rate"], 4), x["target"],
                   "达标" if x["met"] else "未达标"])
        ws.cell(ws.max_row, 5).number_format = "0.00%"
        ws.cell(ws.max_row, 6).number_format = "0%"
        for cell in ws[ws.max_row]:
            cell.fill = GREEN if x["met"] else RED
    save_workbook(wb, target)


def style_run(run, size: float = 10.5) -> None:
    """仿宋_GB2312 on a python-docx run, East-Asian font included (Word otherwise falls back to a Japanese font)."""
    run.font.name = "仿宋_GB2312"
    run.font.size = Pt(size)
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), "仿宋_GB2312")


def write_docx(code: str, tables: Tables, header: list[str], rows: list[list[object]], target: Path) -> None:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(15)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    style_run(title.add_run(f"{B3_TITLES[code]}（分村统计）"), 16)
    style_run(doc.add_paragraph().add_run(f"统计单位：{tables.unit}"))
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        style_run(cell.paragraphs[0].add_run(text), 9)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            run = cell.paragraphs[0].add_run("" if value is None else str(value))
            style_run(run, 9)
            run.bold = len(row) > 1 and row[1] in (TOWNSHIP_TOTAL, COUNTY_TOTAL)
    signature = "填表人：__________    审核人：__________    （盖章）    日期：____年__月__日"
    style_run(doc.add_paragraph().add_run(signature))
    save_docx(doc, target)


def write_tables(tables: Tables, out: Path, pdf: bool = False) -> list[Path]:
    """The A3B3 tables as files in ``out``: all of them, or (a full disk, a failed conversion) none."""
    with staged_folder(out) as staging:
        written = [staging / "A3B3_就读台账.xlsx"]
        write_xlsx(tables, written[0])
        docs = [("B3-1", COUNT_HEADER, _count_rows(tables.b3_1)), ("B3-2", OUT_HEADER, _out_rows(tables)),
                ("B3-3", COUNT_HEADER, _count_rows(tables.b3_3))]
        for code, header, rows in docs:
            path = staging / f"{code}_{B3_TITLES[code]}.docx"
            write_docx(code, tables, header, rows, path)
            written.append(path)
        if pdf:
            from docgen.render.pdf import convert_to_pdf

            convert_to_pdf(staging, [p.name for p in written if p.suffix == ".docx"])
            written += [p.with_suffix(".pdf") for p in written if p.suffix == ".docx"]
    return [out / p.name for p in written]


def write_term_reports(reports: list, target: Path) -> None:
    """The start-of-term statistics report, one sheet per school, with room for signatures and the seal."""
    from docgen.roster.term import MEASURES

    wb = Workbook()
    wb.remove(wb.active)
    for report in reports:
        ws = wb.create_sheet(report.school[:31])
        ws.append([f"{report.school} 开学工作统计报表（开学 {report.term_start.isoformat()}；"
                   f"{report.check_by.isoformat()} 前清查，{report.report_by.isoformat()} 前上报）"])
        ws.append(["年级", *MEASURES.values()])
        for grade, counts in report.grades.items():
            ws.append([f"{grade}年级", *(counts[m] for m in MEASURES)])
        ws.append(["合计", *(sum(c[m] for c in report.grades.values()) for m in MEASURES)])
        ws.append([])
        ws.append(["未到校学生", "年级", "案卷编号", "辍学时间"])
        listed = ws.max_row + 1
        for row in report.absent:
            ws.append([row["name"], row["grade"], row["case_id"], row["dropout_date"]])
        date_cells(ws, 4, listed)
        ws.append(["填报人（签名）：", "", "单位负责人（签名）：", "", "（盖章）"])
    target.parent.mkdir(parents=True, exist_ok=True)
    save_workbook(wb, target)
