"""Running the checklists over case files: every finding collected before anything is reported."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from docgen.cases import CaseFile
from docgen.check.evaluate import NotApplicable, matches, render
from docgen.check.files import evidence_file_problems
from docgen.check.findings import CaseRef, Finding
from docgen.check.institutions import Unit, check_units
from docgen.check.kinds import KINDS, Context
from docgen.specs import Rule, Spec

INACTIVE_RULE = "inventory.inactive"


@dataclass
class CheckResult:
    """Everything one check run found, with the cases it looked at (for counts per township and school)."""

    as_of: dt.date
    cases: list[CaseRef] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    evidence_checked: bool = False
    units: list[str] = field(default_factory=list)

    @property
    def gaps(self) -> list[Finding]:
        return [f for f in self.findings if f.counts]

    def incomplete_cases(self) -> list[CaseRef]:
        bad = {(f.case.file, f.case.case_id) for f in self.gaps if f.case}
        return [c for c in self.cases if (c.file, c.case_id) in bad]


def _ref(case_file: CaseFile, case: dict) -> CaseRef:
    student = case.get("student", {})
    return CaseRef(
        file=case_file.name, case_id=str(case.get("case_id", "")), name=str(student.get("name", "")),
        registry_no=str(student.get("registry_no", "")), id_number=str(student.get("id_number", "")),
        category=str(case.get("situation", {}).get("category", "")),
        township=str(case.get("hukou_place", {}).get("township", "")), school=str(student.get("school", "")),
    )


def check_case(case: dict, ref: CaseRef, spec: Spec, as_of: dt.date, evidence_root: Path | None) -> list[Finding]:
    """Every finding for one case: its category's rules, the evidence files, an inactive measure."""
    findings: list[Finding] = []
    item = spec.inventory.get(ref.category)
    if item is not None and not item.active:
        findings.append(Finding(
            INACTIVE_RULE, "info", ref.category,
            f"该处置措施已停止实施（{item.inactive_reason}），历史案卷仍按原要求核查", "", item.source, ref,
        ))
    ctx = Context(case, as_of, spec.calendar)
    for rule in spec.checklists.rules_for(ref.category):
        if rule.kind == "evidence_files":
            if evidence_root is not None:
                findings.extend(_file_findings(rule, case, ref, spec, evidence_root))
            continue
        findings.extend(_rule_findings(rule, ctx, ref))
    return findings


def _rule_findings(rule: Rule, ctx: Context, ref: CaseRef) -> list[Finding]:
    try:
        if rule.when and not matches(ctx.case, rule.when, ctx.case):
            return []
        failures = KINDS[rule.kind](rule.params, ctx)
    except NotApplicable:
        return []  # a date it compares with is missing; the rule that requires that date reports it
    out = []
    for failure in failures:
        record = failure.record if failure.record is not None else ctx.case
        message = render(rule.message, failure.details, record, list(failure.base))
        out.append(Finding(rule.id, rule.severity, ref.category, message, failure.where, rule.source, ref))
    return out


def _file_findings(rule: Rule, case: dict, ref: CaseRef, spec: Spec, root: Path) -> list[Finding]:
    out = []
    for problem in evidence_file_problems(case, root, spec.evidence_types):
        details = {"evidence_id": problem.evidence_id, "kind_label": problem.kind, "problem": problem.problem,
                   "file": problem.file}
        message = render(rule.message, details, case, [])
        out.append(Finding(rule.id, rule.severity, ref.category, message, problem.where, rule.source, ref))
    return out


def check_cases(
    case_files: Sequence[CaseFile], spec: Spec, as_of: dt.date, evidence_root: Path | None = None,
    units: Sequence[Unit] = (),
) -> CheckResult:
    """Check every case of every file against the county's checklists, and the units' own archives."""
    result = CheckResult(as_of, evidence_checked=evidence_root is not None, units=[u.name for u in units])
    result.findings.extend(check_units(list(units), spec.inventory, evidence_root))
    for case_file in case_files:
        for case in case_file.cases():
            ref = _ref(case_file, case)
            result.cases.append(ref)
            result.findings.extend(check_case(case, ref, spec, as_of, evidence_root))
    return result
