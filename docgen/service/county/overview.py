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
from docgen.report.model import completeness
from docgen.service.county.models import AuditRun, CaseRecord
from docgen.specs import Spec, load_spec

CATEGORY_LABELS = case_field(["situation", "category"]).labels
OPEN_STATUSES = {"suspected", "dropped_out"}
WEEK = dt.timedelta(days=7)


@cache
def county_spec() -> Spec:
    """The spec with the county's sources (its workspace's adopted documents, see ``docgen.specs.sources``)."""
    from django.conf import settings

    workspace = settings.WORKSPACE
    return load_spec(adopted=workspace.adopted if workspace is not None else None)


def as_cases(records: Iterable[CaseRecord]) -> list[Case]:
    """The records as the library's checked cases (they were checked when saved; this re-reads them)."""
    loaded = load_data([(f"案卷 {r.case_id}", r.data) for r in records])
    return loaded.cases


@dataclass(frozen=True)
class TownshipRows:
    """A township's schools (name, cases, complete, incomplete) and its total — the sum of its cases, counted once."""

    township: str
    schools: list[tuple[str, int, int, int]]
    total: tuple[str, int, int, int]


@dataclass
class Overview:
    cases: int = 0
    open_by: dict[tuple[str, str], int] = field(default_factory=dict)  # (category, step) → open cases
    categories: list[tuple[str, str]] = field(default_factory=list)
    steps: list[tuple[str, str]] = field(default_factory=list)
    due: list[tuple[Action, int]] = field(default_factory=list)  # overdue or due within the week, most overdue first,
    # each with its days past due (0: today, negative: still to come)
    incomplete: list[tuple[CaseRecord, int]] = field(default_factory=list)  # case and its number of gaps
    by_school: list[tuple[str, int, int, int]] = field(default_factory=list)  # school, cases, complete, incomplete
    by_township: list[TownshipRows] = field(default_factory=list)  # each township's schools and its total
    total: tuple[str, int, int, int] | None = None  # the county's, when more than one township is seen
    basis: AuditRun | None = None  # the audit the completeness figures are (None: the case data, files unchecked)
    changed_since: int = 0  # cases changed since that audit


def overview(records: Iterable[CaseRecord], today: dt.date, audit: AuditRun | None = None) -> Overview:
    """The dashboard. Completeness is counted by :func:`docgen.report.completeness`, the audit report's own
    count: taken from the unit's latest audit (``audit``: it opened the evidence files too) when there is one,
    else counted now from the case data alone — never a second way of counting."""
    records = list(records)
    result = Overview(cases=len(records))
    counts = Counter((r.category, r.step) for r in records if r.status in OPEN_STATUSES or not r.status)
    result.open_by = dict(counts)
    result.categories = [(c, CATEGORY_LABELS.get(c, c)) for c in sorted({c for c, _ in counts})]
    result.steps = list(STEPS.items())
    spec = county_spec()
    cases = as_cases(records)
    result.due = [(a, a.overdue(today)) for a in due_actions(cases, today, spec) if a.case_id and a.due <= today + WEEK]
    township_of = {r.school: r.township for r in records}
    if audit is not None:
        result.basis = audit
        result.changed_since = sum(r.updated > audit.created for r in records)
        schools = [_row(s) for s in audit.report["schools"]]
        townships = [_row(t) for t in audit.report["townships"]]
        total = _row(audit.report["total"])
        township_of |= {s["name"]: s.get("township", "") for s in audit.report["schools"]}
        gaps: Counter[str] = Counter()
        for item in audit.report["items"]:
            for student in item["students"]:
                gaps[student["case_id"]] += len(student["findings"])
    else:
        counted = completeness(check_cases(cases, spec, today))
        schools = [(u.name, u.cases, u.complete, u.incomplete) for u in counted.schools.values()]
        townships = [(u.name, u.cases, u.complete, u.incomplete) for u in counted.townships.values()]
        total = (counted.total.name, counted.total.cases, counted.total.complete, counted.total.incomplete)
        gaps = Counter({case_id: len(found) for (_, case_id), found in counted.per_case.items()})
    result.incomplete = sorted(((r, gaps[r.case_id]) for r in records if gaps[r.case_id]), key=lambda x: -x[1])
    result.by_school = sorted(schools, key=lambda x: (-x[3], x[0]))
    result.by_township = [
        TownshipRows(t[0], sorted((s for s in schools if township_of.get(s[0]) == t[0]), key=lambda x: (-x[3], x[0])),
                     t) for t in sorted(townships, key=lambda t: t[0])]
    result.total = total if len(townships) > 1 else None
    return result


def _row(unit: dict) -> tuple[str, int, int, int]:
    return unit["name"], unit["cases"], unit["complete"], unit["incomplete"]


def case_findings(record: CaseRecord, today: dt.date) -> tuple[list[Finding], list[Action]]:
    """One case's checklist findings and the actions due on it."""
    spec = county_spec()
    cases = as_cases([record])
    checked = check_cases(cases, spec, today)
    return checked.findings, [a for a in due_actions(cases, today, spec) if a.case_id]
