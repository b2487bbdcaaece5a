"""National routine reporting (教育部 2024 控辍保学常态化工作要求, beyond the seeds): the ledgers of 疑似辍学 and 辍学
students kept with 动态销号 (a row stays, with the day and the way it was closed: 复学 or 销号), each school's and
township's monthly report (一月一报告) and the county's quarterly review (一季度一复核) — as printable workbooks.

The 适龄儿童少年 ledger comes from the roster (``docgen roster``, A3B3), not from the cases, and is not made here.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from docgen.cases.schema import case_field
from docgen.dates import parse_iso
from docgen.followup.monthly import MEASURES, MonthlyReport, belongs, category_title
from docgen.fsutil import save_workbook
from docgen.idcard import mask_id
from docgen.xlsx import date_cells, fit_widths, print_setup

STATUS_LABELS = case_field(["situation", "status"]).labels
STEP_LABELS = case_field(["situation", "step"]).labels
LEDGER_COLUMNS = ("序号", "姓名", "性别", "身份证号", "学校", "年级", "户籍乡镇", "户籍村（社区）", "处置类别", "状态",
                  "辍学（疑似）时间", "报告时间", "四步法进度", "销号日期", "销号方式")
GENDERS = {"male": "男", "female": "女"}
THIN = Side(style="thin", color="808080")


@dataclass(frozen=True)
class LedgerRow:
    case: dict[str, Any]
    closed_on: str  # 动态销号: the day the student returned or the case was closed ("" while open)
    closed_how: str

    def cells(self, seq: int) -> list[Any]:
        c, s = self.case, self.case["situation"]
        student, home = c["student"], c.get("hukou_place", {})
        return [seq, student["name"], GENDERS.get(student.get("gender", ""), ""), mask_id(student["id_number"]),
                student["school"], student.get("grade", ""), home.get("township", ""), home.get("village", ""),
                category_title(s["category"]), STATUS_LABELS.get(s.get("status", ""), ""), s.get("dropout_date", ""),
                s.get("reported_on", ""), STEP_LABELS.get(s.get("step", ""), ""), self.closed_on, self.closed_how]


def closing(case: dict[str, Any], on: dt.date) -> tuple[str, str]:
    """When and how the case left the open ledger by ``on``: (day, 复学/销号) or ("", "")."""
    returned = parse_iso(case.get("return_info", {}).get("returned_on"))
    closed = parse_iso(case["situation"].get("closed_on"))
    if returned and returned <= on:
        return returned.isoformat(), "劝返复学"
    if closed and closed <= on:
        return closed.isoformat(), "销号"
    return "", ""


def ledgers(cases: Sequence[dict[str, Any]], on: dt.date) -> dict[str, list[LedgerRow]]:
    """The 疑似辍学 ledger (still suspected) and the 辍学 ledger (confirmed, with the closed ones kept and dated), as
    of ``on``; each ordered by township, school and dropout date."""
    def order(case: dict[str, Any]) -> tuple[str, str, str]:
        return (case.get("hukou_place", {}).get("township", ""), case["student"]["school"],
                case["situation"].get("dropout_date", ""))

    suspected, dropped = [], []
    for case in sorted(cases, key=order):
        dropout = parse_iso(case["situation"].get("dropout_date"))
        if dropout and dropout > on:
            continue
        row = LedgerRow(case, *closing(case, on))
        (suspected if case["situation"].get("status") == "suspected" else dropped).append(row)
    return {"疑似辍学学生台账": suspected, "辍学学生台账": dropped}


QUARTER_MEASURES = {"open_start": "季初未复学", "new": "本季新增", "returned": "本季劝返复学", "closed": "本季销号",
                    "open_end": "季末未复学"}


@dataclass
class QuarterReview:
    county: str
    year: int
    quarter: int
    units: dict[str, Counter] = field(default_factory=dict)
    still_open: list[LedgerRow] = field(default_factory=list)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> dt.date:
        nxt = dt.date(self.year + (self.quarter == 4), 1 if self.quarter == 4 else 3 * self.quarter + 1, 1)
        return nxt - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.year}年第{'一二三四'[self.quarter - 1]}季度"


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_review(cases: Sequence[dict[str, Any]], county: str, year: int, quarter: int,
                   units: Sequence[str]) -> QuarterReview:
    """Per reporting unit (``units``: townships and schools), the quarter's movement; and every student still out
    at the quarter's end, for the county to review one by one."""
    review = QuarterReview(county, year, quarter, {u: Counter() for u in units})
    before = review.start - dt.timedelta(days=1)
    for case in cases:
        dropout = parse_iso(case["situation"].get("dropout_date"))
        if not dropout or dropout > review.end:
            continue
        open_at_start = dropout <= before and not closing(case, before)[0]
        closed_on, how = closing(case, review.end)
        in_quarter = bool(closed_on) and review.start <= dt.date.fromisoformat(closed_on) <= review.end
        for unit in units:
            if not belongs(case, unit):
                continue
            counts = review.units[unit]
            counts["open_start"] += open_at_start
            counts["new"] += review.start <= dropout <= review.end
            counts["returned"] += in_quarter and how == "劝返复学"
            counts["closed"] += in_quarter and how == "销号"
            counts["open_end"] += not closed_on
        if not closed_on:
            review.still_open.append(LedgerRow(case, "", ""))
    return review


# ---- workbooks ------------------------------------------------------------------------------------------------
def _title(ws: Any, text: str, width: int, subtitle: str) -> None:
    ws.append([text])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([subtitle])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)


def _table(ws: Any, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    ws.append(list(header))
    first = ws.max_row
    for cell in ws[first]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        ws.append(list(row))
    for line in ws.iter_rows(min_row=first, max_row=ws.max_row, max_col=len(header)):
        for cell in line:
            cell.border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
    ws.freeze_panes = f"A{first + 1}"


def _signatures(ws: Any, filler: str, on: dt.date) -> None:
    ws.append([])
    ws.append([f"填报人（签名）：{filler or '__________'}    单位负责人（签名）：__________    （盖章）    "
               f"报送日期：{on.year}年{on.month}月{on.day}日"])


def _finish(ws: Any, date_columns: Sequence[int] = ()) -> None:
    for column in date_columns:
        date_cells(ws, column, first_row=4)
    fit_widths(ws)
    print_setup(ws)


def write_ledgers(cases: Sequence[dict[str, Any]], scope: str, on: dt.date, target: Path) -> Path:
    """Both ledgers, a sheet each, as of ``on`` (ID numbers masked)."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in ledgers(cases, on).items():
        ws = wb.create_sheet(title)
        _title(ws, f"{scope}{title}", len(LEDGER_COLUMNS),
               f"截至 {on.isoformat()}，共 {len(rows)} 人，其中已销号 {sum(bool(r.closed_on) for r in rows)} 人"
               "（动态销号：销号后仍留在台账中，注明销号日期和方式）")
        _table(ws, LEDGER_COLUMNS, [r.cells(i) for i, r in enumerate(rows, 1)])
        _finish(ws, (11, 12, 14))
    save_workbook(wb, target)
    return target


def write_monthly_workbook(report: MonthlyReport, target: Path, filler: str, on: dt.date) -> Path:
    """A school's or township's monthly report (一月一报告): counts per category, students still out, signatures."""
    wb = Workbook()
    ws = wb.active
    ws.title = "月报表"
    width = 1 + len(MEASURES)
    zero = "（零报告：本月无新增疑似辍学、辍学学生，无未复学学生）" if report.zero else ""
    _title(ws, "控辍保学月报表", width, f"填报单位：{report.unit}    统计月份：{report.label}{zero}")
    rows = [[category_title(c), *(counts[m] for m in MEASURES)] for c, counts in report.counts.items()]
    rows.append(["合计", *(report.total(m) for m in MEASURES)])
    _table(ws, ["处置类别", *MEASURES.values()], rows)
    ws.cell(ws.max_row, 1).font = Font(bold=True)
    if report.still_open:
        ws.append([])
        ws.append(["月末仍未复学的学生"])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        listing = [[r["name"], r["school"], r["grade"], r["category"], r["dropout_date"]] for r in report.still_open]
        header_row = ws.max_row + 1
        _table(ws, ["姓名", "学校", "年级", "处置类别", "辍学时间"], listing)
        ws.freeze_panes = "A4"
        date_cells(ws, 5, first_row=header_row + 1)
    _signatures(ws, filler, on)
    ws.column_dimensions["A"].width = 36  # before fitting: the category names wrap nowhere
    fit_widths(ws)
    print_setup(ws, 3)
    save_workbook(wb, target)
    return target


def write_quarter_review(review: QuarterReview, target: Path, on: dt.date) -> Path:
    """The county's quarterly review (一季度一复核): each unit's movement, then every student still out with room for
    the reviewer's finding."""
    wb = Workbook()
    ws = wb.active
    ws.title = "各单位"
    _title(ws, f"{review.county}控辍保学季度复核表", 1 + len(QUARTER_MEASURES),
           f"{review.label}（{review.start.isoformat()} 至 {review.end.isoformat()}）")
    rows = [[unit, *(counts[m] for m in QUARTER_MEASURES)] for unit, counts in review.units.items()]
    _table(ws, ["单位", *QUARTER_MEASURES.values()], rows)
    _signatures(ws, "", on)
    _finish(ws)
    listing = wb.create_sheet("未复学学生复核")
    header = (*LEDGER_COLUMNS[:13], "复核结果（在学/辍学/其他）", "复核人", "复核日期")
    _title(listing, f"{review.county}{review.label}未复学学生逐人复核", len(header),
           f"季末仍未复学 {len(review.still_open)} 人：逐人核实并填写复核结果")
    _table(listing, header, [[*r.cells(i)[:13], "", "", ""] for i, r in enumerate(review.still_open, 1)])
    for column in ("N", "O", "P"):
        listing.column_dimensions[column].width = 16
    _finish(listing, (11, 12))
    save_workbook(wb, target)
    return target
