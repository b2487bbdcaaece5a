"""Writing a report as JSON, HTML, PDF (WeasyPrint) and .xlsx, each file moved into place when complete."""

from __future__ import annotations

import json
from pathlib import Path

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from docgen.cases.schema import case_field, place_label
from docgen.check.findings import SEVERITY_LABELS
from docgen.fsutil import atomic_path, save_workbook, staged_folder, write_text_atomic
from docgen.report.model import Report, UnitCount
from docgen.resources import data_text

REPORT_NAME = "核查报告"
RULE_HEADER = "规则编号"


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


def _unit_rows(report: Report) -> tuple[list[list[object]], list[int]]:
    """The summary by township, worst first: its schools (worst first), what the township's own and its villages'
    archives lack, the township's 合计; the county's 合计 last. Each total is the sum of the rows above it."""
    columns = ("cases", "complete", "incomplete", "errors", "unit_errors", "all_warnings")

    def values(unit: UnitCount) -> list[int]:
        return [getattr(unit, c) for c in columns]

    rows: list[list[object]] = []
    totals: list[int] = []
    for township in report.townships:
        schools = [s for s in report.schools if s.township == township.name]
        rows += [[township.name, s.name, *values(s)] for s in schools]
        own = [t - sum(values(s)[i] for s in schools) for i, t in enumerate(values(township))]
        if any(own):
            rows.append([township.name, "乡镇本级和各村（单位档案）", *own])
        totals.append(len(rows))
        rows.append([township.name, "合计", *values(township)])
    totals.append(len(rows))
    rows.append(["全县", "全县合计", *values(report.total)])
    return rows, totals


def write_xlsx(report: Report, target: Path) -> None:
    from docgen.dates import cn_date
    from docgen.xlsx import Table, new_workbook, write_sheet

    categories = case_field(["situation", "category"]).labels

    wb = new_workbook()
    rows, totals = _unit_rows(report)
    header = ["乡镇", "学校", "案卷数", "齐全", "有缺漏", "案卷缺漏", "单位档案缺漏", "建议补充"]
    write_sheet(wb, "汇总", report.title, [Table(header, rows, totals)],
                subtitle=f"核查范围：{report.scope}    核查截止日期：{cn_date(report.as_of)}    "
                         "乡镇按缺漏多少排列（最多的在前）")
    cases = [[i, s.case.township, s.case.school, s.case.name, s.masked_id, s.masked_registry, s.case.case_id,
              categories.get(s.case.category, s.case.category), len(s.findings)]
             for i, s in enumerate(report.incomplete, 1)]
    cases.append(["", "合计", "", f"{len(report.incomplete)} 个案卷", "", "", "", "",
                  sum(len(s.findings) for s in report.incomplete)])
    write_sheet(wb, "未齐全案卷", "材料未齐全的案卷",
                [Table(["序号", "乡镇", "学校", "学生", "身份证号", "学籍号", "案卷编号", "处置类别", "问题数"], cases,
                       [len(cases) - 1])],
                subtitle=f"核查截止日期：{cn_date(report.as_of)}；问题多的在前")
    details = [[item.title, s.case.township, s.case.school, s.case.name, s.masked_id, SEVERITY_LABELS[f.severity],
                f.message, place_label(f.path) or "", str(f.source or ""), f.id]
               for item in report.items for s in item.students for f in s.findings]
    # The rule's number stays for an auditor who looks the rule up in the checklists, in a hidden last column.
    write_sheet(wb, "问题明细", "案卷问题明细",
                [Table(["处置类别", "乡镇", "学校", "学生", "身份证号", "类型", "问题", "位置", "依据", RULE_HEADER],
                       details)],
                subtitle=f"共 {len(details)} 条，按处置类别排列", widths={1: 24, 7: 36, 8: 16, 9: 40}, hidden=[10])
    units = [[unit.name, f.item, SEVERITY_LABELS[f.severity], f.message, str(f.source or ""), f.id]
             for unit in report.units for f in unit.findings]
    write_sheet(wb, "单位档案", "单位档案（A3B1—A3B3）问题明细",
                [Table(["单位", "清单编号", "类型", "问题", "依据", RULE_HEADER], units)],
                subtitle=f"共 {len(units)} 条", widths={4: 36, 5: 40}, hidden=[6])
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
