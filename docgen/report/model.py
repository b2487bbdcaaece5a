"""The report as data: what an inspector hands over, independent of the format it is written in."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from docgen.check.engine import CheckResult
from docgen.check.findings import SEVERITY_LABELS, CaseRef, Finding
from docgen.idcard import mask_id, mask_registry
from docgen.specs import Spec

REPORT_TITLE = "控辍保学档案完整性核查报告"


@dataclass
class UnitCount:
    """Counts for one township or school."""

    name: str
    township: str = ""
    cases: int = 0
    incomplete: int = 0
    errors: int = 0
    warnings: int = 0
    unit_errors: int = 0  # gaps in the unit's own archive (A3B1–A3B3), or its villages' for a township
    unit_warnings: int = 0

    @property
    def complete(self) -> int:
        return self.cases - self.incomplete

    @property
    def all_errors(self) -> int:
        return self.errors + self.unit_errors

    @property
    def all_warnings(self) -> int:
        return self.warnings + self.unit_warnings

    def rank(self) -> tuple[int, int, int, float, str]:
        """Worst first: most gaps, then most incomplete cases, then the highest share incomplete."""
        share = self.incomplete / self.cases if self.cases else 0.0
        return (-self.all_errors, -self.all_warnings, -self.incomplete, -share, self.name)


@dataclass
class StudentSection:
    case: CaseRef
    masked_id: str
    masked_registry: str
    findings: list[Finding]


@dataclass
class ItemSection:
    code: str
    title: str
    students: list[StudentSection]


@dataclass
class UnitSection:
    """An institution (township government, village, school) and what its own archive lacks."""

    name: str
    findings: list[Finding]


@dataclass
class Report:
    title: str
    scope: str
    as_of: dt.date
    generated: dt.date
    spec_title: str
    evidence_checked: bool
    total: UnitCount
    townships: list[UnitCount]
    schools: list[UnitCount]
    incomplete: list[StudentSection]
    items: list[ItemSection]
    units: list[UnitSection] = field(default_factory=list)
    units_checked: int = 0
    notes: list[Finding] = field(default_factory=list)
    by_severity: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        def finding(f: Finding) -> dict[str, Any]:
            return f.as_json() | {"severity_label": SEVERITY_LABELS[f.severity]}

        def student(s: StudentSection) -> dict[str, Any]:
            c = s.case
            return {"case_id": c.case_id, "file": c.file, "name": c.name, "id_number": s.masked_id,
                    "registry_no": s.masked_registry, "category": c.category, "township": c.township,
                    "school": c.school, "findings": [finding(f) for f in s.findings]}

        def unit(u: UnitCount) -> dict[str, Any]:
            return {"name": u.name, "township": u.township, "cases": u.cases, "complete": u.complete,
                    "incomplete": u.incomplete,
                    "errors": u.errors, "warnings": u.warnings, "unit_errors": u.unit_errors,
                    "unit_warnings": u.unit_warnings}

        return {
            "title": self.title, "scope": self.scope, "as_of": self.as_of.isoformat(),
            "generated": self.generated.isoformat(), "spec": self.spec_title,
            "evidence_checked": self.evidence_checked, "total": unit(self.total),
            "townships": [unit(u) for u in self.townships], "schools": [unit(u) for u in self.schools],
            "items": [{"code": i.code, "title": i.title, "students": [student(s) for s in i.students]}
                      for i in self.items],
            "units_checked": self.units_checked,
            "units": [{"name": u.name, "findings": [finding(f) for f in u.findings]} for u in self.units],
            "notes": [finding(f) | {"case_id": f.ref.case_id if f.ref else "", "unit": f.unit} for f in self.notes],
        }


@dataclass(frozen=True)
class Completeness:
    """How complete the cases are, counted once for the county, each township and each school — the one count
    the report, the dashboard and the monthly figures all show."""

    total: UnitCount
    townships: dict[str, UnitCount]
    schools: dict[str, UnitCount]
    per_case: dict[tuple[str, str], list[Finding]]


def completeness(result: CheckResult) -> Completeness:
    """Cases, complete and incomplete ones, and gaps, per school, township and in all, from one check result."""
    per_case: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in result.gaps:
        if f.ref:
            per_case[(f.ref.file, f.ref.case_id)].append(f)

    def counts(name: str, township: str, refs: list[CaseRef]) -> UnitCount:
        unit = UnitCount(name, township, cases=len(refs))
        for ref in refs:
            found = per_case.get((ref.file, ref.case_id), [])
            unit.incomplete += bool(found)
            unit.errors += sum(f.severity == "error" for f in found)
            unit.warnings += sum(f.severity == "warning" for f in found)
        return unit

    by_township: dict[str, list[CaseRef]] = defaultdict(list)
    by_school: dict[tuple[str, str], list[CaseRef]] = defaultdict(list)
    for ref in result.cases:
        by_township[ref.township].append(ref)
        by_school[(ref.township, ref.school)].append(ref)
    for name, (kind, township) in result.unit_places.items():  # units with no cases still get a row
        if kind in ("primary", "middle", "school"):
            by_school.setdefault((township, name), [])
        by_township.setdefault(township, [])

    townships = {t: counts(t, t, refs) for t, refs in by_township.items()}
    schools = {s: counts(s, t, refs) for (t, s), refs in by_school.items()}
    total = counts("合计", "", result.cases)
    for f in result.gaps:
        if not f.unit:
            continue
        kind, township = result.unit_places.get(f.unit, ("", ""))
        rows = [total, townships.get(township)] + ([schools.get(f.unit)] if kind in ("primary", "middle") else [])
        for row in filter(None, rows):
            row.unit_errors += f.severity == "error"
            row.unit_warnings += f.severity == "warning"
    return Completeness(total, townships, schools, dict(per_case))


def build_report(result: CheckResult, spec: Spec, scope: str, generated: dt.date | None = None) -> Report:
    """Group a check result the way an inspector reads it: totals, units, incomplete cases, then per item."""
    counted = completeness(result)
    per_case, total = counted.per_case, counted.total
    townships, schools = counted.townships, counted.schools

    def section(ref: CaseRef) -> StudentSection:
        return StudentSection(ref, mask_id(ref.id_number), mask_registry(ref.registry_no),
                              per_case.get((ref.file, ref.case_id), []))

    incomplete = [section(ref) for ref in result.cases if per_case.get((ref.file, ref.case_id))]
    incomplete.sort(key=lambda s: (-sum(f.is_error for f in s.findings), -len(s.findings), s.case.township,
                                   s.case.school, s.case.name))
    items = []
    for item in spec.inventory.walk():
        students = [s for s in incomplete if s.case.category == item.code]
        if students:
            items.append(ItemSection(item.code, item.title, students))
    known = {i.code for i in spec.inventory.walk()}
    for category in sorted({s.case.category for s in incomplete} - known):
        label = _category_label(category)
        items.append(ItemSection(category, label, [s for s in incomplete if s.case.category == category]))
    return Report(
        title=REPORT_TITLE, scope=scope, as_of=result.as_of, generated=generated or dt.date.today(),
        spec_title=spec.inventory.title, evidence_checked=result.evidence_checked,
        total=total,
        townships=sorted(townships.values(), key=UnitCount.rank),
        schools=sorted(schools.values(), key=UnitCount.rank),
        incomplete=incomplete, items=items, units=_unit_sections(result), units_checked=len(result.units),
        notes=[f for f in result.findings if not f.counts],
        by_severity=dict(Counter(f.severity for f in result.findings)),
    )


def _unit_sections(result: CheckResult) -> list[UnitSection]:
    by_unit: dict[str, list[Finding]] = defaultdict(list)
    for f in result.gaps:
        if f.unit:
            by_unit[f.unit].append(f)
    sections = [UnitSection(name, by_unit[name]) for name in result.units if by_unit.get(name)]
    return sorted(sections, key=lambda u: (-sum(f.is_error for f in u.findings), -len(u.findings), u.name))


def _category_label(category: str) -> str:
    from docgen.cases.schema import case_field

    field_ = case_field(["situation", "category"])
    return field_.labels.get(category, category) if field_ else category
