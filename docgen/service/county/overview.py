"""What the pages show, computed by the library from the cases a user may see: the dashboard's counts, what is
due, what is incomplete, and one case's findings. Views only render these."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from docgen.cases import Case, load_data
from docgen.cases.schema import case_field
from docgen.cases.steps import STEPS
from docgen.check.engine import check_cases
from docgen.check.findings import Finding
from docgen.followup import Action, due_actions
from docgen.service.county.models import CaseRecord
from docgen.specs import Spec, load_spec

CATEGORY_LABELS = case_field(["situation", "category"]).labels
OPEN_STATUSES = {"suspected", "dropped_out"}
WEEK = dt.timedelta(days=7)


@cache
def county_spec() -> Spec:
    return load_spec()


def as_cases(records: Iterable[CaseRecord]) -> list[Case]:
    """The records as the library's checked cases (they were checked when saved; this re-reads them)."""
    loaded = load_data([(f"案卷 {r.case_id}", r.data) for r in records])
    return loaded.cases


@dataclass
class Overview:
    cases: int = 0
    open_by: dict[tuple[str, str], int] = field(default_factory=dict)  # (category, step) → open cases
    categories: list[tuple[str, str]] = field(default_factory=list)
    steps: list[tuple[str, str]] = field(default_factory=list)
    due: list[Action] = field(default_factory=list)  # overdue or due within the week
    incomplete: list[tuple[CaseRecord, int]] = field(default_factory=list)  # case and its number of gaps
    by_school: list[tuple[str, int, int, int]] = field(default_factory=list)  # school, cases, complete, gaps


def overview(records: Iterable[CaseRecord], today: dt.date) -> Overview:
    records = list(records)
    result = Overview(cases=len(records))
    counts = Counter((r.category, r.step) for r in records if r.status in OPEN_STATUSES or not r.status)
    result.open_by = dict(counts)
    result.categories = [(c, CATEGORY_LABELS.get(c, c)) for c in sorted({c for c, _ in counts})]
    result.steps = list(STEPS.items())
    spec = county_spec()
    cases = as_cases(records)
    result.due = [a for a in due_actions(cases, today, spec) if a.case_id and a.due <= today + WEEK]
    checked = check_cases(cases, spec, today)
    gaps = Counter(f.ref.case_id for f in checked.gaps if f.ref)
    result.incomplete = sorted(((r, gaps[r.case_id]) for r in records if gaps[r.case_id]), key=lambda x: -x[1])
    schools: dict[str, list[int]] = {}
    for r in records:
        row = schools.setdefault(r.school, [0, 0, 0])
        row[0] += 1
        row[1] += not gaps[r.case_id]
        row[2] += gaps[r.case_id]
    result.by_school = sorted(((name, *row) for name, row in schools.items()), key=lambda x: (-x[3], x[0]))
    return result


def case_findings(record: CaseRecord, today: dt.date) -> tuple[list[Finding], list[Action]]:
    """One case's checklist findings and the actions due on it."""
    spec = county_spec()
    cases = as_cases([record])
    checked = check_cases(cases, spec, today)
    return checked.findings, [a for a in due_actions(cases, today, spec) if a.case_id]
