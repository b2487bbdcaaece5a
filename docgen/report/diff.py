"""Two audits side by side: per unit and case, which findings were fixed, which are new and which remain.

An audit is the JSON report ``docgen check --report`` writes (核查报告.json); the service keeps one per audit run.
A finding is the same in both when it concerns the same unit, case, rule, inventory item and place — its wording
may change between versions of the rules without making it "new".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docgen.errors import ReportFileError
from docgen.report.writers import REPORT_NAME


@dataclass(frozen=True)
class Seen:
    """One finding of an audit, as the diff compares it."""

    school: str
    case_id: str
    student: str
    item: str
    rule: str
    place: str
    message: str
    severity: str

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.school, self.case_id, self.rule, self.item, self.place)


@dataclass
class CaseDiff:
    school: str  # the school, or the unit for a unit's own archive
    case_id: str  # "" for a unit's own archive
    student: str
    fixed: list[Seen] = field(default_factory=list)
    new: list[Seen] = field(default_factory=list)
    remaining: list[Seen] = field(default_factory=list)


@dataclass
class UnitDiff:
    name: str
    fixed: int = 0
    new: int = 0
    remaining: int = 0


@dataclass
class AuditDiff:
    before: str  # each audit's label (as-of date and scope)
    after: str
    cases: list[CaseDiff]
    units: list[UnitDiff]

    @property
    def fixed(self) -> int:
        return sum(len(c.fixed) for c in self.cases)

    @property
    def new(self) -> int:
        return sum(len(c.new) for c in self.cases)

    @property
    def remaining(self) -> int:
        return sum(len(c.remaining) for c in self.cases)


def read_report(path: Path) -> dict[str, Any]:
    """The report at ``path``: a 核查报告.json, or a folder holding one."""
    file = path / f"{REPORT_NAME}.json" if path.is_dir() else path
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ReportFileError(f"{file}: 找不到核查报告（应为 docgen check --report 写的 {REPORT_NAME}.json）") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportFileError(f"{file}: 不是可读的核查报告 JSON（{exc}）") from exc
    if not isinstance(data, dict) or not isinstance(data.get("items"), list) or "as_of" not in data:
        raise ReportFileError(f"{file}: 不是 docgen 写出的核查报告（缺少 items 或 as_of）")
    return data


def label(report: dict[str, Any]) -> str:
    return f"{report.get('as_of', '')} {report.get('scope', '')}".strip()


def findings(report: dict[str, Any]) -> Iterator[Seen]:
    """Every finding of the report, for cases (per inventory item) and for units' own archives."""
    for item in report.get("items", []):
        for student in item.get("students", []):
            for f in student.get("findings", []):
                yield Seen(student.get("school", ""), student.get("case_id", ""), student.get("name", ""),
                           f.get("item") or item.get("code", ""), f.get("id", ""), f.get("place", ""),
                           f.get("message", ""), f.get("severity", "error"))
    for unit in report.get("units", []):
        for f in unit.get("findings", []):
            yield Seen(unit.get("name", ""), "", "", f.get("item", ""), f.get("id", ""), f.get("place", ""),
                       f.get("message", ""), f.get("severity", "error"))


def diff_findings(before: Iterable[Seen], after: Iterable[Seen], *, before_label: str = "",
                  after_label: str = "") -> AuditDiff:
    """What changed from ``before`` to ``after``, grouped per case (those that changed first, then by school and
    case) and per unit."""
    old = {f.key: f for f in before}
    new = {f.key: f for f in after}
    cases: dict[tuple[str, str], CaseDiff] = {}

    def case(f: Seen) -> CaseDiff:
        found = cases.get((f.school, f.case_id))
        if found is None:
            found = cases[(f.school, f.case_id)] = CaseDiff(f.school, f.case_id, f.student)
        return found

    for key, f in old.items():
        (case(f).remaining if key in new else case(f).fixed).append(new.get(key, f))
    for key, f in new.items():
        if key not in old:
            case(f).new.append(f)
    ordered = sorted(cases.values(), key=lambda c: (not (c.fixed or c.new), c.school, c.case_id))
    units: dict[str, UnitDiff] = {}
    for c in sorted(ordered, key=lambda c: c.school):
        unit = units.setdefault(c.school, UnitDiff(c.school))
        unit.fixed += len(c.fixed)
        unit.new += len(c.new)
        unit.remaining += len(c.remaining)
    return AuditDiff(before_label, after_label, ordered, list(units.values()))


def diff_reports(before: dict[str, Any], after: dict[str, Any]) -> AuditDiff:
    return diff_findings(findings(before), findings(after), before_label=label(before), after_label=label(after))
