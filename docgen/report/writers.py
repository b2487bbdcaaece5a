"""Writing a report as JSON, HTML, PDF (WeasyPrint) and .xlsx, each file moved into place when complete."""

from __future__ import annotations

import json
from pathlib import Path

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from docgen.cases.schema import place_label
from docgen.check.findings import SEVERITY_LABELS
from docgen.fsutil import atomic_path, save_workbook, staged_folder, write_text_atomic
from docgen.report.model import Report
from docgen.resources import data_text

REPORT_NAME = "核查报告"


def render_html(report: Report, *, for_print: bool = False) -> str:
    """The report as a page; ``for_print`` leaves out the phone layout (WeasyPrint reads no media queries)."""
    env = Environment(autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True)
    template = env.from_string(data_text("report/report.html.j2"))
    # The stylesheets are ours, not data: mark them safe, or autoescaping breaks the quotes in font-family.
    phone = "" if for_print else Markup(data_text("report/phone.css"))
    return template.render(r=report, labels=SEVERITY_LABELS, css=Markup(data_text("report/report.css")),
                           phone_css=phone)


def write_pdf(html: str, target: Path) -> None:
    from weasyprint import HTML  # imported here: it is slow to import and only this format needs it

    with atomic_path(target) as tmp:
        HTML(string=html).write_pdf(tmp)


def write_xlsx(report: Report, target: Path) -> None:
    from openpyxl import Workbook  # imported here, as WeasyPrint is: an audit without reports does not load it
    from openpyxl.styles import Alignment, Font, PatternFill

    from docgen.xlsx import DATE_FORMAT

    wb = Workbook()
    summary = wb.active
    summary.title = "汇总"
    summary.append([report.title])
    summary.append(["核查范围", report.scope])
    summary.append(["核查截止日期", report.as_of])
    summary.cell(summary.max_row, 2).number_format = DATE_FORMAT
    summary.append([])
    summary.append(["单位（问题最多的在前）", "所属乡镇", "案卷数", "齐全", "有缺漏", "案卷缺漏", "单位档案缺漏",
                    "建议补充"])
    for unit in [report.total, *report.townships, *report.schools]:
        summary.append([unit.name, unit.township, unit.cases, unit.complete, unit.incomplete, unit.errors,
                        unit.unit_errors, unit.all_warnings])
    cases = wb.create_sheet("未齐全案卷")
    cases.append(["序号", "乡镇", "学校", "学生", "身份证号", "学籍号", "案卷编号", "档案类别", "问题数"])
    for i, s in enumerate(report.incomplete, 1):
        cases.append([i, s.case.township, s.case.school, s.case.name, s.masked_id, s.masked_registry,
                      s.case.case_id, s.case.category, len(s.findings)])
    details = wb.create_sheet("问题明细")
    details.append(["档案类别", "乡镇", "学校", "学生", "身份证号", "类型", "问题", "规则", "位置", "依据"])
    for item in report.items:
        for s in item.students:
            for f in s.findings:
                details.append([f"{item.code} {item.title}", s.case.township, s.case.school, s.case.name, s.masked_id,
                                SEVERITY_LABELS[f.severity], f.message, f.id, place_label(f.path) or f.path,
                                str(f.source)])
    units = wb.create_sheet("单位档案")
    units.append(["单位", "清单编号", "类型", "问题", "规则", "依据"])
    for unit in report.units:
        for f in unit.findings:
            units.append([unit.name, f.item, SEVERITY_LABELS[f.severity], f.message, f.id, str(f.source)])
    for ws in wb.worksheets:
        header_row = 5 if ws is summary else 1
        for cell in ws[header_row]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
        for column in ws.columns:
            width = max(len(str(c.value or "")) for c in column) * 2 + 2
            ws.column_dimensions[column[0].column_letter].width = min(60, max(8, width))
        ws.freeze_panes = f"A{header_row + 1}"
    for row in details.iter_rows(min_row=2):
        row[6].alignment = Alignment(wrap_text=True, vertical="top")
    save_workbook(wb, target)


def write_reports(report: Report, out_dir: Path) -> list[Path]:
    """核查报告.json / .html / .pdf / .xlsx in ``out_dir``, all four or none; returns the paths written."""
    names = [f"{REPORT_NAME}.{ext}" for ext in ("json", "html", "pdf", "xlsx")]
    with staged_folder(out_dir) as staging:
        write_text_atomic(staging / names[0], json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n")
        write_text_atomic(staging / names[1], render_html(report))
        write_pdf(render_html(report, for_print=True), staging / names[2])
        write_xlsx(report, staging / names[3])
    return [out_dir / name for name in names]
