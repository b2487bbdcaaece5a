"""Running the checklists over case files: every finding collected before anything is reported."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from docgen.cases import Case, Rejected, lookup
from docgen.cases.match import NotApplicable, matches, render
from docgen.check.cache import default_cache_path
from docgen.check.files import FileChecker, evidence_file_problems
from docgen.check.findings import CaseRef, Finding, finding
from docgen.check.institutions import Unit, check_units
from docgen.check.kinds import KINDS, Context
from docgen.idcard import mask_ids_in
from docgen.problems import Document, Source
from docgen.procedure import audit_case
from docgen.specs import Rule, Spec

INACTIVE_RULE = "inventory.inactive"
INACTIVE_MESSAGE = "该处置措施已停止实施（{reason}），历史案卷仍按原要求核查"
INVALID_RULE = "case.invalid"
INVALID_SOURCE = Source(Document("case-schema", "案卷格式（docgen validate）"), "案卷数据须真实、完整、可以核查")
SHOWN_PROBLEMS = 3
INVALID_ITEM = "案卷数据有误"  # the report's section for cases whose category cannot be read


@dataclass
class CheckResult:
    """Everything one check run found, with the cases it looked at (for counts per township and school)."""

    as_of: dt.date
    cases: list[CaseRef] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    evidence_checked: bool = False
    units: list[str] = field(default_factory=list)
    unit_places: dict[str, tuple[str, str]] = field(default_factory=dict)  # unit name → (kind, township)

    @property
    def gaps(self) -> list[Finding]:
        return [f for f in self.findings if f.counts]

    def incomplete_cases(self) -> list[CaseRef]:
        bad = {(f.ref.file, f.ref.case_id) for f in self.gaps if f.ref}
        return [c for c in self.cases if (c.file, c.case_id) in bad]


def case_ref(case: Case) -> CaseRef:
    """How findings name a checked case."""
    return CaseRef(file=case.file, case_id=case.case_id, name=case.name, registry_no=case.registry_no,
                   id_number=case.id_number, category=case.category, township=case.township, school=case.school)


def _text(data: object, path: str) -> str:
    value = lookup(data, path)
    return value if isinstance(value, str) else ""


def rejected_ref(rejected: Rejected) -> CaseRef:
    """How findings name a case whose data did not pass (whatever of it can be read)."""
    data = rejected.data
    return CaseRef(file=rejected.file, case_id=rejected.case_id or rejected.path,
                   name=_text(data, "student.name") or f"案卷 {rejected.case_id or rejected.path}",
                   registry_no=_text(data, "student.registry_no"), id_number=_text(data, "student.id_number"),
                   category=_text(data, "situation.category") or INVALID_ITEM,
                   township=_text(data, "hukou_place.township"), school=_text(data, "student.school"))


def invalid_finding(rejected: Rejected, ref: CaseRef | None = None) -> Finding:
    """One finding for a case that cannot be audited until its data is corrected (``ref``: how to name it, when
    known better than from the rejected data)."""
    ref = ref or rejected_ref(rejected)
    errors = [p for p in rejected.problems if p.is_error] or list(rejected.problems)
    shown = mask_ids_in("；".join(f"{p.path} {p.message}" for p in errors[:SHOWN_PROBLEMS]))
    more = f"等 {len(errors)} 个问题" if len(errors) > SHOWN_PROBLEMS else ""
    message = f"案卷数据有误，未能核查：{shown}{more}（用 docgen validate 查看全部问题并改正）"
    return finding(INVALID_RULE, "error", ref.category, message, rejected.path, INVALID_SOURCE, ref)


def check_case(case: Case, ref: CaseRef, spec: Spec, as_of: dt.date, evidence_root: Path | None,
               files: FileChecker) -> list[Finding]:
    """Every finding for one case: its category's rules, the evidence files, an inactive measure."""
    findings: list[Finding] = []
    item = spec.inventory.get(ref.category)
    if item is not None and not item.active:
        findings.append(finding(
            INACTIVE_RULE, "info", ref.category, INACTIVE_MESSAGE.format(reason=item.inactive_reason), "",
            item.source, ref,
        ))
    ctx = Context(case.data, as_of, spec.calendar)
    for rule in spec.checklists.rules_for(ref.category):
        if rule.kind == "evidence_files":
            if evidence_root is not None:
                findings.extend(_file_findings(rule, case, ref, spec, evidence_root, files))
            continue
        findings.extend(_rule_findings(rule, ctx, ref))
    findings.extend(audit_case(case, ref, spec.procedure, as_of))
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
        template = rule.params.get("same_day_message", rule.message) if failure.details.get("same_day") \
            else rule.message
        message = render(template, failure.details, record, list(failure.base))
        out.append(finding(rule.id, rule.severity, ref.category, message, failure.where, rule.source, ref))
    return out


def _file_findings(rule: Rule, case: Case, ref: CaseRef, spec: Spec, root: Path, files: FileChecker) -> list[Finding]:
    out = []
    for problem in evidence_file_problems(case, root, spec.evidence_types, files):
        details = {"evidence_id": problem.evidence_id, "kind_label": problem.kind, "problem": problem.problem,
                   "file": problem.file}
        message = render(rule.message, details, case, [])
        out.append(finding(rule.id, rule.severity, ref.category, message, problem.where, rule.source, ref))
    return out


def check_cases(
    cases: Sequence[Case], spec: Spec, as_of: dt.date, evidence_root: Path | None = None,
    units: Sequence[Unit] = (), rejected: Sequence[Rejected] = (), fast: bool = False,
) -> CheckResult:
    """Check every case against the county's checklists, and the units' own archives.

    A case whose data did not pass the loader is one finding of its own (案卷数据有误); the rest are audited.
    Evidence files are opened (``fast``: only their first bytes read), with results kept between runs.
    """
    result = CheckResult(as_of, evidence_checked=evidence_root is not None, units=[u.name for u in units],
                         unit_places={u.name: (u.kind, u.township) for u in units})
    result.findings.extend(check_units(list(units), spec.inventory, evidence_root))
    for bad in rejected:
        invalid = invalid_finding(bad)
        result.cases.append(invalid.ref)
        result.findings.append(invalid)
    files = FileChecker(default_cache_path() if evidence_root is not None else None, fast=fast)
    try:
        for case in cases:
            ref = case_ref(case)
            result.cases.append(ref)
            result.findings.extend(check_case(case, ref, spec, as_of, evidence_root, files))
    finally:
        files.close()
    return result
