"""The start-of-term statistics report (开学工作统计报表) of a school: by grade, who should be there and
where they are — checked within 10 days of the term's start and reported within 15 (seed 000)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from docgen.cases import Case
from docgen.roster.tables import link

MEASURES = {"expected": "应到", "present": "在校", "home_teaching": "送教上门", "leave": "休学、缓免学",
            "open": "疑似辍学、辍学", "returned": "劝返复学"}
CHECK_DAYS, REPORT_DAYS = 10, 15
PLACED = {"B4-3", "B4-4", "B4-5", "B4-6"}  # closed out (销号) but still this school's students


@dataclass
class TermReport:
    school: str
    term_start: dt.date
    grades: dict[int, Counter]
    absent: list[dict[str, Any]]

    @property
    def check_by(self) -> dt.date:
        return self.term_start + dt.timedelta(days=CHECK_DAYS)

    @property
    def report_by(self) -> dt.date:
        return self.term_start + dt.timedelta(days=REPORT_DAYS)


def term_report(roster: Any, cases: Sequence[Case], school: str, term_start: dt.date) -> TermReport:
    children, _ = link(roster, cases)
    grades: dict[int, Counter] = defaultdict(Counter)
    absent = []
    for child in children:
        case = child.case
        if child.school != school or child.grade is None:
            continue
        closed = case.closed_on if case is not None else None
        if case is not None and closed and closed <= term_start and case.category not in PLACED:
            continue  # left before the term: graduated (B4-2), enrolled where the family moved (B4-7) …
        counts = grades[child.grade]
        counts["expected"] += 1
        if case is None:
            counts["present"] += 1
            continue
        returned, dropout = case.returned_on, case.dropout_date
        check_by = term_start + dt.timedelta(days=CHECK_DAYS)
        if dropout is None or dropout > check_by:
            counts["present"] += 1  # still at school when the term's enrolment was checked
        elif case.category == "B4-6":
            counts["home_teaching"] += 1
        elif case.category in ("B4-3", "B4-4", "B4-5"):
            counts["leave"] += 1
        elif returned and returned <= check_by:
            counts["returned"] += 1
            counts["present"] += 1
        elif case.status in ("suspected", "dropped_out", "returned"):
            counts["open"] += 1
            absent.append({"name": case.name, "grade": child.grade, "case_id": case.case_id,
                           "dropout_date": dropout.isoformat()})
    return TermReport(school, term_start, dict(sorted(grades.items())), absent)
