"""National routine reporting (教育部 2024 控辍保学常态化工作要求, beyond the seeds): the ledgers of 疑似辍学 and 辍学
students kept with 动态销号 (a row stays, with the day and the way it was closed: 复学 or 销号), each school's and
township's monthly report (一月一报告) and the county's quarterly review (一季度一复核) — as printable workbooks.

The 适龄儿童少年 ledger comes from the roster (``docgen roster``, A3B3), not from the cases, and is not made here.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docgen.cases import Case
from docgen.cases.schema import case_field
from docgen.dates import cn_date, parse_iso
from docgen.followup.monthly import MonthlyReport, category_label
from docgen.followup.writers import (
    STILL_OPEN_HEADER,
    monthly_tables,
    signature_lines,
    still_open_caption,
    still_open_rows,
    zero_line,
)
from docgen.fsutil import save_workbook
from docgen.idcard import mask_id
from docgen.xlsx import Table, new_workbook, write_sheet

STATUS_LABELS = case_field(["situation", "status"]).labels
STEP_LABELS = case_field(["situation", "step"]).labels
LEDGER_COLUMNS = ("序号", "姓名", "性别", "身份证号", "学校", "年级", "户籍乡镇", "户籍村（社区）", "处置类别", "状态",
                  "辍学（疑似）时间", "报告时间", "四步法进度", "销号日期", "销号方式")
GENDERS = {"male": "男", "female": "女"}


@dataclass(frozen=True)
class LedgerRow:
    case: Case
    closed_on: str  # 动态销号: the day the student returned or the case was closed ("" while open)
    closed_how: str

    def cells(self, seq: int) -> list[Any]:
        c = self.case
        grade = c.student.get("grade")
        return [seq, c.name, GENDERS.get(c.student.get("gender", ""), ""), mask_id(c.id_number),
                c.school, f"{grade}年级" if grade else "", c.township, c.village,
                category_label(c.category), STATUS_LABELS.get(c.status, ""),
                c.dropout_date, c.reported_on,
                STEP_LABELS.get(c.step, ""), parse_iso(self.closed_on), self.closed_how]


def closing(case: Case, on: dt.date) -> tuple[str, str]:
    """When and how the case left the open ledger by ``on``: (day, 复学/销号) or ("", "")."""
    returned, closed = case.returned_on, case.closed_on
    if returned and returned <= on:
        return returned.isoformat(), "劝返复学"
    if closed and closed <= on:
        return closed.isoformat(), "销号"
    return "", ""


def ledgers(cases: Sequence[Case], on: dt.date) -> dict[str, list[LedgerRow]]:
    """The 疑似辍学 ledger (still suspected) and the 辍学 ledger (confirmed, with the closed ones kept and dated), as
    of ``on``; each ordered by township, school and dropout date."""
    def order(case: Case) -> tuple[str, str, str]:
        return case.township, case.school, (case.dropout_date or dt.date.min).isoformat()

    suspected, dropped = [], []
    for case in sorted(cases, key=order):
        dropout = case.dropout_date
        if dropout and dropout > on:
            continue
        row = LedgerRow(case, *closing(case, on))
        (suspected if case.status == "suspected" else dropped).append(row)
    return {"疑似辍学学生台账": suspected, "辍学学生台账": dropped}


QUARTER_MEASURES = {"open_start": "季初未复学", "new": "本季新增", "returned": "本季劝返复学", "closed": "本季销号",
                    "open_end": "季末未复学"}


@dataclass
class QuarterReview:
    county: str
    year: int
    quarter: int
    schools: dict[str, Counter] = field(default_factory=dict)  # each student counted once, at their school
    townships: dict[str, list[str]] = field(default_factory=dict)  # township → its schools
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

    def township_total(self, township: str) -> Counter:
        total: Counter = Counter()
        for school in self.townships[township]:
            total.update(self.schools[school])
        return total

    def county_total(self) -> Counter:
        total: Counter = Counter()
        for counts in self.schools.values():
            total.update(counts)
        return total


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def school_townships(cases: Sequence[Case], known: Mapping[str, str]) -> dict[str, str]:
    """Each school's township: as ``known`` (the county's units) says, else the one most of its students live in."""
    homes: dict[str, Counter] = {}
    for case in cases:
        homes.setdefault(case.school, Counter())[case.township] += 1
    found = {school: counts.most_common(1)[0][0] for school, counts in homes.items()}
    return {**found, **known}


def quarter_review(cases: Sequence[Case], county: str, year: int, quarter: int,
                   units: Sequence[str], townships: Mapping[str, str] | None = None) -> QuarterReview:
    """The quarter's movement of every school (``units``: the townships and schools reporting; ``townships``: each
    school's township, where the county knows it), each student counted once at their school, so that a township's
    row is the sum of its schools' and the county's the sum of the townships'; and every student still out at the
    quarter's end, for the county to review one by one."""
    review = QuarterReview(county, year, quarter)
    places = school_townships(cases, townships or {})
    known_townships = set(places.values()) | {c.township for c in cases}
    schools = sorted({*places, *(u for u in units if u not in known_townships)})
    for school in schools:
        review.schools[school] = Counter()
        review.townships.setdefault(places.get(school, ""), []).append(school)
    review.townships = dict(sorted(review.townships.items()))
    before = review.start - dt.timedelta(days=1)
    for case in cases:
        dropout = case.dropout_date
        if not dropout or dropout > review.end:
            continue
        open_at_start = dropout <= before and not closing(case, before)[0]
        closed_on, how = closing(case, review.end)
        in_quarter = bool(closed_on) and review.start <= dt.date.fromisoformat(closed_on) <= review.end
        counts = review.schools[case.school]
        counts["open_start"] += open_at_start
        counts["new"] += review.start <= dropout <= review.end
        counts["returned"] += in_quarter and how == "劝返复学"
        counts["closed"] += in_quarter and how == "销号"
        counts["open_end"] += not closed_on
        if not closed_on:
            review.still_open.append(LedgerRow(case, "", ""))
    return review


# ---- workbooks ------------------------------------------------------------------------------------------------
def write_ledgers(cases: Sequence[Case], scope: str, on: dt.date, target: Path) -> Path:
    """Both ledgers, a sheet each, as of ``on`` (ID numbers masked)."""
    wb = new_workbook()
    for title, rows in ledgers(cases, on).items():
        closed = sum(bool(r.closed_on) for r in rows)
        write_sheet(wb, title, f"{scope}{title}", [Table(LEDGER_COLUMNS, [r.cells(i) for i, r in enumerate(rows, 1)])],
                    subtitle=f"截至{cn_date(on)}，共 {len(rows)} 人，其中已销号 {closed} 人"
                             "（动态销号：销号后仍留在台账中，注明销号日期和方式）")
    save_workbook(wb, target)
    return target


def write_monthly_workbook(report: MonthlyReport, target: Path, filler: str, on: dt.date) -> Path:
    """A school's or township's monthly report (一月一报告): counts per category with 合计, a township's schools with
    合计, signatures; the students still out on a second sheet."""
    wb = new_workbook()
    zero = f"    {zero_line(report)}" if report.zero else ""
    tables = [Table(header, rows, totals, caption) for caption, header, rows, totals in monthly_tables(report)]
    write_sheet(wb, "月报表", "控辍保学月报表", tables,
                subtitle=f"填报单位：{report.unit}（盖章）    统计月份：{report.label}{zero}",
                notes=signature_lines(filler, on))
    if report.still_open:  # a sheet of its own: a list's columns are not the counts' columns
        write_sheet(wb, "未复学学生", f"{report.unit}{report.label}{still_open_caption(report)}",
                    [Table(STILL_OPEN_HEADER, still_open_rows(report))],
                    subtitle=f"附于{report.unit}{report.label}控辍保学月报表")
    save_workbook(wb, target)
    return target


def write_quarter_review(review: QuarterReview, target: Path, on: dt.date) -> Path:
    """The county's quarterly review (一季度一复核): each school's movement under its township, the township's 合计
    and the county's; then every student still out with room for the reviewer's finding."""
    wb = new_workbook()
    rows, totals = [], []
    for township, schools in review.townships.items():
        rows += [[township, school, *(review.schools[school][m] for m in QUARTER_MEASURES)] for school in schools]
        totals.append(len(rows))
        total = review.township_total(township)
        rows.append([township, "合计", *(total[m] for m in QUARTER_MEASURES)])
    totals.append(len(rows))
    county = review.county_total()
    rows.append(["全县", "全县合计", *(county[m] for m in QUARTER_MEASURES)])
    write_sheet(wb, "各单位", f"{review.county}控辍保学季度复核表",
                [Table(["乡镇", "学校", *QUARTER_MEASURES.values()], rows, totals)],
                subtitle=f"{review.label}（{cn_date(review.start)}至{cn_date(review.end)}）；每名学生按就读学校计一次，"
                         "乡镇合计为本乡镇各校之和，全县合计为各乡镇之和",
                notes=signature_lines("", on))
    header = (*LEDGER_COLUMNS[:13], "复核结果（在学/辍学/其他）", "复核人", "复核日期")
    listing = [[*r.cells(i)[:13], "", "", ""] for i, r in enumerate(review.still_open, 1)]
    write_sheet(wb, "未复学学生复核", f"{review.county}{review.label}未复学学生逐人复核", [Table(header, listing)],
                subtitle=f"季末仍未复学 {len(review.still_open)} 人：逐人核实并填写复核结果",
                widths={14: 16, 15: 10, 16: 16})
    save_workbook(wb, target)
    return target
