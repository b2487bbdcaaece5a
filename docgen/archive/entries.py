"""What goes into one student's 案卷, entry by entry (DA/T 22-2015 卷内文件): every document once, by date.

A document the system generates (限期复学通知书, 劝返记录表 …) and the signed scan of it are one
document: when the case holds the scan (the template's ``signed_copy`` kind), the scan is filed under
the generated document's 文号 and the unsigned template is left out. Evidence the case names but whose
file is not there, and evidence the checklist requires that the case lacks, are listed with 备注 "缺"
and take no pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from docgen.cases import Case
from docgen.cases.schema import case_field
from docgen.check.findings import Finding
from docgen.render.batch import Job, assign_doc_info, select_jobs
from docgen.render.registry import Registry, TemplateSpec
from docgen.specs import Spec
from docgen.text import village_committee

EVIDENCE_LABELS = case_field(["evidence", "[]", "kind"]).labels
MISSING = "缺"


@dataclass
class Entry:
    """One 卷内文件: what the 卷内目录 says about it, and where its pages come from."""

    title: str
    author: str  # 责任者
    date: str = ""  # ISO date, "" when the document carries none
    doc_no: str = ""
    remarks: str = ""
    kind: str = ""  # file-name label (template name or evidence kind label)
    template: TemplateSpec | None = None  # generated from this template …
    job: Job | None = None
    evidence: dict[str, Any] | None = None  # … or the case's evidence record
    missing: bool = False  # listed as 缺: no file, no pages


@dataclass
class CasePlan:
    """A student's entries in binder order, and what the check found about the case."""

    case: Case
    entries: list[Entry] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def author_name(case: Case, role: str) -> str:
    """The 责任者 for a role of the evidence-types spec, named for this case."""
    if role == "school":
        return case.school
    if role == "township":
        return f"{case.township}人民政府"
    if role == "bureau":
        return f"{case.county}教育局"
    if role == "village":
        return village_committee(case.village)
    if role == "guardian":
        names = [g.get("name", "") for _, g in case.records("guardians") if g.get("name")]
        return f"{names[0]}（监护人）" if names else "监护人"
    return role


def _signed_copies(spec: TemplateSpec, job: Job, evidence: Sequence[dict[str, Any]], only_job: bool) -> list[dict]:
    """The case's scans of this document: named by the record, else dated the same day, else the only one."""
    if not spec.signed_copy:
        return []
    scans = [e for e in evidence if e.get("kind") == spec.signed_copy]
    if job.record is not None and job.record.get("evidence"):
        named = set(job.record["evidence"])
        return [e for e in scans if e.get("id") in named]
    same_day = [e for e in scans if job.doc and e.get("date") == job.doc.date.isoformat()]
    return same_day or (scans if only_job else [])


def _generated(case: Case, registry: Registry, as_of: dt.date, evidence: Sequence[dict[str, Any]]) -> tuple[
        list[Entry], set[str]]:
    """Entries for the documents the system makes for this case, and the ids of scans standing in for them."""
    issued = {n.get("kind") for _, n in case.records("notices")}
    entries, used = [], set()
    for template in registry.templates:
        if template.source != "cases" or (template.notice_kind and template.notice_kind not in issued):
            continue  # the archive holds the notices that were issued, not every notice one could issue
        jobs, _ = select_jobs(template, [case])
        assign_doc_info(template, jobs, as_of)
        for job in jobs:
            doc = job.doc
            assert doc is not None
            nth = f"（第{job.index + 1}份）" if job.index is not None and len(jobs) > 1 else ""
            scans = _signed_copies(template, job, evidence, len(jobs) == 1)
            if scans:
                for scan in scans:
                    used.add(scan.get("id", ""))
                    entries.append(Entry(template.name + nth, doc.issuer, scan.get("date") or doc.date.isoformat(),
                                         doc.no, "签字盖章件",
                                         template.name, evidence=scan))
                continue
            entries.append(Entry(template.name + nth, doc.issuer, doc.date.isoformat(), doc.no, "",
                                 template.name, template, job))
    return entries, used


def _evidence_title(evidence: dict[str, Any]) -> str:
    label = EVIDENCE_LABELS.get(evidence.get("kind", ""), "佐证材料")
    described = str(evidence.get("description", ""))
    if not described:
        return label
    return described if described.startswith(label) else f"{label}（{described}）"


def _required_missing(case: Case, spec: Spec, findings: Iterable[Finding], present: set[str]) -> list[Entry]:
    """A 缺 entry for each kind of evidence the checklist requires and the case lacks altogether."""
    rules = {r.id: r for r in spec.checklists.rules_for(case.category)}
    entries, seen = [], set(present)
    for finding in findings:
        rule = rules.get(finding.id)
        if rule is None or rule.kind != "evidence" or not finding.counts:
            continue
        for kind in rule.params.get("kinds", [])[:1]:
            if kind in seen:
                continue
            seen.add(kind)
            entries.append(Entry(EVIDENCE_LABELS.get(kind, kind), author_name(case, spec.evidence_types.author(kind)),
                                 remarks=MISSING, kind=EVIDENCE_LABELS.get(kind, kind), missing=True))
    return entries


def plan_entries(case: Case, spec: Spec, registry: Registry, as_of: dt.date, findings: Sequence[Finding]) -> CasePlan:
    """Every 卷内文件 of the case, in date order (undated ones, then 缺 ones, last)."""
    evidence = [e for _, e in case.records("evidence")]
    entries, used = _generated(case, registry, as_of, evidence)
    for item in evidence:
        if item.get("id", "") in used:
            continue
        kind = item.get("kind", "")
        entries.append(Entry(_evidence_title(item), author_name(case, spec.evidence_types.author(kind)),
                             item.get("date", ""), "", "", EVIDENCE_LABELS.get(kind, "佐证材料"), evidence=item))
    entries += _required_missing(case, spec, findings, {e.get("kind", "") for e in evidence})
    order = {id(e): i for i, e in enumerate(entries)}
    entries.sort(key=lambda e: (e.missing, e.date == "", e.date, order[id(e)]))
    return CasePlan(case, entries, list(findings))
