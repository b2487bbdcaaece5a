"""The monthly dropout-control report (控辍保学月报表) of a township or school — a zero report when
there is nothing to report, which must still be filed (seed 001), by the 20th, signed and sealed (seed 000)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from docgen.cases import Case
from docgen.cases.schema import case_field

CATEGORIES = list(case_field(["situation", "category"]).node["enum"])
CATEGORY_LABELS = case_field(["situation", "category"]).labels
STATUS_LABELS = case_field(["situation", "status"]).labels
MEASURES = {"new_suspected": "本月新增疑似辍学", "new_dropped": "本月新增辍学", "returned": "本月劝返复学",
            "closed": "本月销号", "open": "月末仍未复学"}


FILING_DAY = 20  # seed 000: the monthly report reaches the bureau by the 20th of the next month


def category_label(category: str) -> str:
    """The category's name as a clerk knows it (劝返回原学校就读, 送读工读学校), never its code."""
    return CATEGORY_LABELS.get(category, category)


def filing_window(month: dt.date) -> tuple[dt.date, dt.date]:
    """The days a month's report may be dated: from the first of the next month to the 20th."""
    first_next = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first_next, first_next.replace(day=FILING_DAY)


def filing_date(month: dt.date, today: dt.date) -> dt.date:
    """报送日期 when none is given: today if inside the window, else the nearest day of it."""
    start, end = filing_window(month)
    return min(max(today, start), end)


@dataclass
class MonthlyReport:
    unit: str
    month: dt.date  # the first day of the month
    counts: dict[str, Counter] = field(default_factory=dict)  # category → measure → number
    schools: dict[str, Counter] = field(default_factory=dict)  # the same cases by school → measure → number
    townships: dict[str, Counter] = field(default_factory=dict)  # a county summary's: by township (户籍乡镇)
    still_open: list[dict[str, Any]] = field(default_factory=list)

    @property
    def month_end(self) -> dt.date:
        return self.month.replace(day=calendar.monthrange(self.month.year, self.month.month)[1])

    @property
    def zero(self) -> bool:
        return not any(sum(c.values()) for c in self.counts.values())

    @property
    def label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"

    def total(self, measure: str) -> int:
        return sum(c[measure] for c in self.counts.values())

    @property
    def by_school(self) -> bool:
        """Whether the report shows its schools: a township's does (its total is the sum of their rows), a
        school's own does not."""
        return bool(self.schools) and set(self.schools) != {self.unit}


def belongs(case: Case, unit: str) -> bool:
    """A township reports the children registered in it; a school reports its own students."""
    return unit in (case.township, case.school)


def monthly_report(cases: Sequence[Case], unit: str, month: dt.date, *, whole: bool = False) -> MonthlyReport:
    """The month's report of ``unit`` (its cases, see :func:`belongs`, by school) — or, ``whole``, the county's
    summary for the bureau: every case once, by township, so that the townships' rows add up to the county's."""
    report = MonthlyReport(unit, month.replace(day=1))
    start, end = report.month, report.month_end
    report.counts = {c: Counter() for c in CATEGORIES}
    for case in cases:
        if not whole and not belongs(case, unit):
            continue
        counts = report.counts[case.category]
        school = (report.townships.setdefault(case.township, Counter()) if whole
                  else report.schools.setdefault(case.school, Counter()))
        dropout, returned = case.dropout_date, case.returned_on
        closed = case.closed_on
        measures = []
        if dropout and start <= dropout <= end:
            measures.append("new_suspected" if case.status == "suspected" else "new_dropped")
        if returned and start <= returned <= end:
            measures.append("returned")
        if closed and start <= closed <= end:
            measures.append("closed")
        still_out = dropout and dropout <= end and not (returned and returned <= end) and not (closed and closed <= end)
        if still_out:
            measures.append("open")
        for measure in measures:
            counts[measure] += 1
            school[measure] += 1
        if still_out:
            report.still_open.append({"name": case.name, "school": case.school, "grade": case.student.get("grade"),
                                      "category": CATEGORY_LABELS[case.category],
                                      "dropout_date": case.get_path("situation.dropout_date")})
    report.schools = dict(sorted(report.schools.items()))
    report.townships = dict(sorted(report.townships.items()))
    return report


def reporting_units(cases: Sequence[Case], schools: Collection[str] = frozenset()) -> list[str]:
    """Every township and school that files a monthly report: those with cases, and schools without any."""
    return sorted({c.township for c in cases} | {c.school for c in cases} | set(schools))
