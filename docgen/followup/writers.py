"""Writing monthly reports (Word, with room for signature and seal) and the due list (.xlsx)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docgen.dates import cn_date, parse_iso
from docgen.followup.due import Action
from docgen.followup.monthly import MEASURES, MonthlyReport, category_label
from docgen.fsutil import UniqueNames, save_docx, save_workbook
from docgen.wordtable import add_paragraph, add_table, new_document
from docgen.xlsx import RED, YELLOW, Styled, Table, new_workbook, write_sheet

TITLE = "控辍保学月报表"
STILL_OPEN_HEADER = ["序号", "姓名", "学校", "年级", "处置类别", "辍学时间"]


def monthly_tables(report: MonthlyReport) -> list[tuple[str, list[str], list[list[object]], list[int]]]:
    """The report's counts as (caption, header, rows, total rows): by category with 合计; for a township, by school
    with 合计 (the same total); for the county's summary, by township with 全县合计."""
    header = list(MEASURES.values())
    rows = [[category_label(c), *(counts[m] for m in MEASURES)] for c, counts in report.counts.items()]
    rows.append(["合计", *(report.total(m) for m in MEASURES)])
    tables = [("", ["处置类别", *header], rows, [len(rows) - 1])]
    if report.by_school:
        rows = [[school, *(counts[m] for m in MEASURES)] for school, counts in report.schools.items()]
        rows.append(["合计", *(report.total(m) for m in MEASURES)])
        tables.append(("分学校统计（各校之和即本单位合计）", ["就读学校", *header], rows, [len(rows) - 1]))
    if report.townships:
        rows = [[township, *(counts[m] for m in MEASURES)] for township, counts in report.townships.items()]
        rows.append(["全县合计", *(report.total(m) for m in MEASURES)])
        tables.append(("分乡镇统计（按户籍乡镇，每名学生计一次；各乡镇之和即全县合计）", ["乡镇", *header], rows,
                       [len(rows) - 1]))
    return tables


def still_open_rows(report: MonthlyReport) -> list[list[object]]:
    """The students still out at the month's end, numbered, their dropout day a date."""
    return [[i, r["name"], r["school"], f"{r['grade']}年级" if r["grade"] else "", r["category"],
             parse_iso(r["dropout_date"]) or r["dropout_date"]] for i, r in enumerate(report.still_open, 1)]


def still_open_caption(report: MonthlyReport) -> str:
    return f"月末仍未复学的学生（共 {len(report.still_open)} 人）"


def signature_lines(filler: str, on: dt.date) -> list[str]:
    return [f"填报人（签名）：{filler or '__________'}        单位负责人（签名）：__________",
            f"报送日期：{cn_date(on)}        （盖章）"]


def zero_line(report: MonthlyReport) -> str:
    return f"零报告：{report.label}，本单位无新增疑似辍学、辍学学生，无未复学学生。" if report.zero else ""


def write_monthly(report: MonthlyReport, out: Path, filler: str, on: dt.date) -> Path:
    doc = new_document(f"{report.unit} {report.label} {TITLE}")
    add_paragraph(doc, TITLE, 18, bold=True, center=True, after=10)
    add_paragraph(doc, f"填报单位：{report.unit}（盖章）    统计月份：{report.label}", 12)
    if report.zero:
        add_paragraph(doc, zero_line(report), 12, bold=True)
    for caption, header, rows, totals in monthly_tables(report):
        if caption:
            add_paragraph(doc, caption, 12, after=2).paragraph_format.space_before = 10
        add_table(doc, header, rows, size=10, totals=totals)
    if report.still_open:
        add_paragraph(doc, still_open_caption(report), 12, after=2).paragraph_format.space_before = 10
        rows = [[*r[:-1], cn_date(r[-1]) if isinstance(r[-1], dt.date) else r[-1]] for r in still_open_rows(report)]
        add_table(doc, STILL_OPEN_HEADER, rows, size=10)
    first, second = signature_lines(filler, on)
    add_paragraph(doc, first, 12).paragraph_format.space_before = 18
    add_paragraph(doc, second, 12).paragraph_format.space_before = 6
    names = UniqueNames()
    if out.is_dir():  # the reports written so far: two units never share a file (张/三, 张_三)
        names.taken.update(p.name.casefold() for p in out.iterdir())
    target = out / names.name(f"{report.unit}_{report.label}_控辍保学月报表", suffix=".docx")
    out.mkdir(parents=True, exist_ok=True)
    save_docx(doc, target)
    return target


def time_left(action: Action, on: dt.date) -> Styled:
    """What a clerk needs from the due date: 逾期 N 天 (red), 今天到期 or 还有 N 天 (yellow within a week)."""
    days = action.overdue(on)
    if days > 0:
        return Styled(f"逾期 {days} 天", fill=RED, bold=True)
    if days == 0:
        return Styled("今天到期", fill=YELLOW, bold=True)
    return Styled(f"还有 {-days} 天", fill=YELLOW if -days <= 7 else None)


def write_due(actions: list[Action], on: dt.date, target: Path) -> None:
    late = sum(a.overdue(on) > 0 for a in actions)
    rows = [[a.due, time_left(a, on), a.township, a.school, a.student, a.case_id, a.action, a.source, ""]
            for a in actions]
    table = Table(["到期日", "时限", "乡镇", "学校", "学生", "案卷编号", "应办事项", "依据", "办结情况"], rows)
    wb = new_workbook()
    write_sheet(wb, "待办", "控辍保学待办清单", [table],
                subtitle=f"截至{cn_date(on)}，共 {len(actions)} 项，其中已逾期 {late} 项；按到期先后排列",
                widths={7: 36, 8: 36, 9: 12})
    target.parent.mkdir(parents=True, exist_ok=True)
    save_workbook(wb, target)
