"""Writing monthly reports (Word, with room for signature and seal) and the due list (.xlsx)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from docgen.followup.due import Action
from docgen.followup.monthly import MEASURES, MonthlyReport, category_title
from docgen.fsutil import UniqueNames, save_docx, save_workbook
from docgen.roster.writers import style_run


def write_monthly(report: MonthlyReport, out: Path, filler: str, on: dt.date) -> Path:
    doc = Document()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    style_run(title.add_run("控辍保学月报表"), 18)
    style_run(doc.add_paragraph().add_run(f"填报单位：{report.unit}（盖章）    统计月份：{report.label}"), 12)
    if report.zero:
        style_run(doc.add_paragraph().add_run(
            f"零报告：{report.label}，本单位无新增疑似辍学、辍学学生，无未复学学生。"), 14)
    table = doc.add_table(rows=1, cols=1 + len(MEASURES))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["处置类别", *MEASURES.values()], strict=True):
        style_run(cell.paragraphs[0].add_run(text), 9)
    for category, counts in [*report.counts.items(), ("合计", None)]:
        cells = table.add_row().cells
        values = [counts[m] if counts is not None else report.total(m) for m in MEASURES]
        title = category_title(category) if counts is not None else category
        for cell, text in zip(cells, [title, *values], strict=True):
            style_run(cell.paragraphs[0].add_run(str(text)), 9)
    if report.still_open:
        style_run(doc.add_paragraph().add_run("月末仍未复学的学生："), 12)
        listing = doc.add_table(rows=1, cols=5)
        listing.style = "Table Grid"
        for cell, text in zip(listing.rows[0].cells, ["姓名", "学校", "年级", "处置类别", "辍学时间"], strict=True):
            style_run(cell.paragraphs[0].add_run(text), 9)
        for row in report.still_open:
            cells = listing.add_row().cells
            values = [row["name"], row["school"], row["grade"], row["category"], row["dropout_date"]]
            for cell, text in zip(cells, values, strict=True):
                style_run(cell.paragraphs[0].add_run(str(text)), 9)
    style_run(doc.add_paragraph().add_run(
        f"填报人（签名）：{filler or '__________'}    单位负责人（签名）：__________    "
        f"报送日期：{on.year}年{on.month}月{on.day}日"), 12)
    names = UniqueNames()
    if out.is_dir():  # the reports written so far: two units never share a file (张/三, 张_三)
        names.taken.update(p.name.casefold() for p in out.iterdir())
    target = out / names.name(f"{report.unit}_{report.label}_控辍保学月报表", suffix=".docx")
    out.mkdir(parents=True, exist_ok=True)
    save_docx(doc, target)
    return target


def write_due(actions: list[Action], on: dt.date, target: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "待办"
    ws.append([f"控辍保学待办清单（截至 {on.isoformat()}，按到期先后排列）"])
    ws.append(["到期日", "逾期天数", "乡镇", "学校", "学生", "案卷编号", "应办事项", "依据", "办结情况"])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for a in actions:
        ws.append([a.due, a.overdue(on), a.township, a.school, a.student, a.case_id, a.action, a.source, ""])
        ws.cell(ws.max_row, 1).number_format = "yyyy-mm-dd"
        if a.overdue(on) > 0:
            ws.cell(ws.max_row, 2).fill = PatternFill("solid", fgColor="FFC7CE")
    for column, width in zip("ABCDEFGHI", (12, 9, 10, 16, 10, 14, 60, 50, 12), strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A3"
    target.parent.mkdir(parents=True, exist_ok=True)
    save_workbook(wb, target)
