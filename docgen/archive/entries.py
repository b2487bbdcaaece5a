"""What goes into one student's 案卷, entry by entry (DA/T 22-2015 卷内文件): every document once, by date.

A document the system generates (限期复学通知书, 劝返记录表 …) and the signed scan of it are one
document: when the case holds the scan (the template's ``signed_copy`` kind), the scan is filed under
the generated document's 文号 and the unsigned template is left out; when it holds the signed 送达回证
of a notice (``receipt_copy``), that replaces the blank one printed after the notice. Each entry's 题名 is
the document's own title (the generated document's title paragraph) or the evidence's description, and its
责任者 the one who issued it: the evidence's ``issuer``, else the record that names the evidence (a notice's
issuer, a letter's sender, a reply's issuer or the letter's recipient, a court's name), else the role the
evidence-types spec gives the kind. Evidence the case names but whose file is not there, evidence the
checklist requires that the case lacks, and the records a rule finds missing (a reply, the 5th persuasion
record) are listed with 备注 "缺" and take no pages.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from docgen.cases import Case
from docgen.cases.match import items, matches, render
from docgen.cases.schema import case_field
from docgen.check.findings import Finding
from docgen.render.batch import Job, dated_documents
from docgen.render.registry import Registry, TemplateSpec
from docgen.specs import Spec
from docgen.text import village_committee

EVIDENCE_LABELS = case_field(["evidence", "[]", "kind"]).labels
MISSING = "缺"
ROLES = ("school", "township", "bureau", "village", "guardian")
_STEP = re.compile(r"\.([a-z_]+)|\[(\d+)\]")

Titles = Callable[[TemplateSpec, Job], str]  # a generated document's own title


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
    blank_receipt: bool = False  # the generated notice's blank 送达回证 is left out: the signed one is filed
    finding: Finding | None = None  # the check's finding this 缺 entry stands for


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


def record_issuers(case: Case) -> dict[str, str]:
    """Evidence id → who issued it, as the record naming the evidence says: a notice's issuer, a letter's sender
    (the township when it names none), a reply's issuer (the letter's recipient when it names none), a court."""
    found: dict[str, str] = {}

    def name(refs: Any, issuer: Any) -> None:
        if isinstance(issuer, str) and issuer:
            for ref in refs or []:
                found.setdefault(ref, issuer)

    for _, notice in case.records("notices"):
        name(notice.get("evidence"), notice.get("issuer"))
    for _, letter in case.records("letters"):
        name(letter.get("evidence"), letter.get("sender") or f"{case.township}人民政府")
        reply = letter.get("reply")
        if isinstance(reply, Mapping):
            name(reply.get("evidence"), reply.get("issuer") or letter.get("recipient"))
    for _, action in case.records("legal_actions"):
        name(action.get("evidence"), action.get("authority"))
    return found


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


def _signed_receipt(case: Case, spec: TemplateSpec, evidence: Sequence[dict[str, Any]]) -> bool:
    """Whether the case files the signed 送达回证 of this notice (named on the notice record)."""
    if not spec.receipt_copy or not spec.notice_kind:
        return False
    kinds = {e.get("id"): e.get("kind") for e in evidence}
    return any(kinds.get(ref) == spec.receipt_copy for _, notice in case.records("notices")
               if notice.get("kind") == spec.notice_kind for ref in notice.get("evidence", []))


def _generated(case: Case, registry: Registry, as_of: dt.date, evidence: Sequence[dict[str, Any]],
               titles: Titles) -> tuple[list[Entry], set[str]]:
    """Entries for the documents the system makes for this case, and the ids of scans standing in for them."""
    issued = {n.get("kind") for _, n in case.records("notices")}
    entries, used = [], set()
    for template in registry.templates:
        if template.source != "cases" or (template.notice_kind and template.notice_kind not in issued):
            continue  # the archive holds the notices that were issued, not every notice one could issue
        jobs = dated_documents(template, case, as_of)
        for job in jobs:
            doc = job.doc
            assert doc is not None
            title = titles(template, job) or template.name
            scans = _signed_copies(template, job, evidence, len(jobs) == 1)
            if scans:
                for scan in scans:
                    used.add(scan.get("id", ""))
                    entries.append(Entry(title, scan.get("issuer") or doc.issuer,
                                         scan.get("date") or doc.date.isoformat(), doc.no, "签字盖章件",
                                         template.name, evidence=scan))
                continue
            entries.append(Entry(title, doc.issuer, doc.date.isoformat(), doc.no, "", template.name, template, job,
                                 blank_receipt=_signed_receipt(case, template, evidence)))
    return entries, used


def _evidence_title(evidence: Mapping[str, Any]) -> str:
    """The evidence's own description (劝返现场照片, 青石县公安局复函 …), else the name of its kind."""
    return str(evidence.get("description") or EVIDENCE_LABELS.get(evidence.get("kind", ""), "佐证材料"))


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
                                 remarks=MISSING, kind=EVIDENCE_LABELS.get(kind, kind), missing=True, finding=finding))
    return entries


def _record_at(case: Case, path: str) -> tuple[Any, list[str]]:
    """The record a finding's JSON path points at (``$.letters[1]``) and its schema path (letters, [])."""
    steps: list[str | int] = []
    schema: list[str] = []
    for key, index in _STEP.findall(path.removeprefix("$")):
        if key:
            steps.append(key)
            schema.append(key)
        else:
            steps.append(int(index))
            schema.append("[]")
    return case.get_path(steps), schema


def _author(case: Case, text: str, record: Mapping[str, Any], base: list[str]) -> str:
    return author_name(case, text) if text in ROLES else render(text, {}, record, base)


def _found_missing(case: Case, spec: Spec, findings: Iterable[Finding]) -> list[Entry]:
    """A 缺 entry for each record a rule with ``missing`` finds absent: a reply to a letter, a letter never sent,
    the persuasion records short of the number required (one entry each)."""
    rules = {r.id: r for r in spec.checklists.rules_for(case.category)}
    entries = []
    for finding in findings:
        rule = rules.get(finding.id)
        if rule is None or not finding.counts or not rule.params.get("missing"):
            continue
        missing = rule.params["missing"]
        author = missing.get("author", "school")
        if rule.kind == "count":
            data = case.data
            where = rule.params.get("where", {})
            found = sum(1 for _, it in items(data, rule.params["list"]) if matches(it, where, data))
            for n in range(found + 1, rule.params["min"] + 1):
                entries.append(Entry(render(missing["title"], {"n": n}, data, []), _author(case, author, data, []),
                                     remarks=MISSING, kind="缺", missing=True, finding=finding))
            continue
        record, base = _record_at(case, finding.path)
        if not isinstance(record, Mapping):
            record, base = case.data, []
        entries.append(Entry(render(missing["title"], {}, record, base), _author(case, author, record, base),
                             remarks=MISSING, kind="缺", missing=True, finding=finding))
    return entries


def plan_entries(case: Case, spec: Spec, registry: Registry, as_of: dt.date, findings: Sequence[Finding],
                 titles: Titles = lambda _spec, _job: "") -> CasePlan:
    """Every 卷内文件 of the case, in date order (undated ones, then 缺 ones, last). ``titles``: a generated
    document's own title (the template's name when it gives none)."""
    evidence = [e for _, e in case.records("evidence")]
    entries, used = _generated(case, registry, as_of, evidence, titles)
    issuers = record_issuers(case)
    for item in evidence:
        if item.get("id", "") in used:
            continue
        kind = item.get("kind", "")
        author = item.get("issuer") or issuers.get(item.get("id", "")) or author_name(
            case, spec.evidence_types.author(kind))
        entries.append(Entry(_evidence_title(item), author, item.get("date", ""), "", "",
                             EVIDENCE_LABELS.get(kind, "佐证材料"), evidence=item))
    entries += _required_missing(case, spec, findings, {e.get("kind", "") for e in evidence})
    entries += _found_missing(case, spec, findings)
    order = {id(e): i for i, e in enumerate(entries)}
    entries.sort(key=lambda e: (e.missing, e.date == "", e.date, order[id(e)]))
    return CasePlan(case, entries, list(findings))
