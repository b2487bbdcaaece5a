"""Planning a batch: which documents one template makes for which cases (or records), checked, dated,
numbered and named. A batch on disk streams through these steps (:mod:`docgen.render.stream`); the
service plans its documents here and stores them itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from docgen.cases import Case
from docgen.cases.schema import case_field
from docgen.dates import parse_iso
from docgen.errors import DataProblemsError
from docgen.fsutil import MAX_NAME_BYTES, safe_name
from docgen.problems import Problem
from docgen.procedure import document_date
from docgen.render.context import NO_SETTINGS, UNIT_FIELDS, DocInfo, Issuing, readable_case, template_context
from docgen.render.engine import Renderer, load_renderer
from docgen.render.numbers import Allocator
from docgen.render.registry import TemplateSpec
from docgen.roster.entrants import Entrant

PRINT_SUFFIX = "打印合并"


@dataclass
class Job:
    """One document to produce: for a case (or one of its records), or for a child of the roster."""

    case: Case | Entrant
    record: dict[str, Any] | None
    index: int | None
    doc: DocInfo | None = None
    file: str = ""

    @property
    def record_key(self) -> str:
        return "" if self.index is None else f"#{self.index}"


@dataclass
class Produced:
    file: str
    case_id: str
    student: str
    school: str
    doc_no: str
    date: str
    record: int | None
    pdf: str | None = None


@dataclass
class BatchResult:
    template: str
    out_dir: Path
    documents: list[Produced] = field(default_factory=list)
    print_files: list[str] = field(default_factory=list)  # per school, at most PRINT_PART documents each
    print_pdfs: list[str] = field(default_factory=list)
    manifest: str = ""
    skipped: int = 0
    fast: bool = True
    seconds_pdf: float = 0.0
    pdf_reused: int = 0  # PDFs copied from the conversion cache (the document had not changed)
    warnings: list[Problem] = field(default_factory=list)


def _matches(get: Callable[[str], Any], where: dict[str, Any]) -> bool:
    """Every ``where`` key's value (read with ``get``) is the value, or one of the values, it names."""
    return all(get(k) in (v if isinstance(v, list) else [v]) for k, v in where.items())


def select_jobs(spec: TemplateSpec, cases: Sequence[Case | Entrant]) -> tuple[list[Job], int]:
    """The documents this template makes for these cases, and how many cases it does not apply to."""
    jobs, skipped = [], 0
    for case in cases:
        if case.category not in spec.applies_to:
            skipped += 1
            continue
        if not spec.per:
            if not _matches(case.get_path, spec.where):
                skipped += 1
                continue
            jobs.append(Job(case, None, None))
            continue
        jobs.extend(Job(case, r, i) for i, r in case.records(spec.per) if _matches(r.get, spec.where))
    return jobs, skipped


def missing_fields(spec: TemplateSpec, jobs: Sequence[Job]) -> list[Problem]:
    """Every (case, field) the template needs but the case lacks."""
    problems, seen = [], set()
    for job in jobs:
        key = (job.case.file, job.case.path)
        if key in seen:
            continue
        seen.add(key)
        for dotted in spec.fields:
            if job.case.get_path(dotted) in (None, "", [], {}):
                field_info = case_field(dotted.split("."))
                title = field_info.title if field_info else dotted
                problems.append(Problem(job.case.file, f"{job.case.path}.{dotted}",
                                        f"模板“{spec.name}”需要“{title}”，该案卷没有", job.case.label,
                                        id="render.missing-field"))
    return problems


def missing_unit_settings(spec: TemplateSpec, jobs: Sequence[Job], issuing: Issuing | None) -> list[Problem]:
    """Each issuing unit whose signer, contact or phone the template needs (``unit_fields``) and the county's
    workspace settings do not give; nothing is checked without settings (a library caller with no workspace)."""
    if issuing is None or not spec.unit_fields:
        return []
    problems, seen = [], set()
    for job in jobs:
        issuer, _, _ = issuer_code(spec, job.case)
        unit = issuing.unit(issuer)
        for name in spec.unit_fields:
            if (issuer, name) not in seen and not getattr(unit, name):
                seen.add((issuer, name))
                problems.append(Problem(issuing.source or "docgen-workspace.yaml", f"units.{issuer}.{name}",
                                        f"{spec.name}需要写明{issuer}的{UNIT_FIELDS[name]}，工作区设置中没有：请在 "
                                        f"units 下的“{issuer}”中写上 {name}", id="render.unit-settings"))
    return problems


def issuer_code(spec: TemplateSpec, case: Case) -> tuple[str, str, str]:
    """(issuer, 发文机关代字, short form used in the text: 镇 / 局 / 校)."""
    school = case.school
    if spec.issuer == "township":
        town = case.township
        return f"{town}人民政府", f"{town[:1]}政", town[-1:] or "镇"
    if spec.issuer == "bureau":
        county = case.county
        return f"{county}教育局", f"{county[:1]}教", "局"
    code = school[:1] + ("中" if "中学" in school else "小" if "小学" in school else "校")
    return school, code, "校"


def _recorded(spec: TemplateSpec, job: Job) -> dict[str, Any]:
    """What the case data already records about this document: its number, date and deadline."""
    if spec.notice_kind:
        notice = next((n for _, n in job.case.records(["notices"]) if n.get("kind") == spec.notice_kind), None)
        if notice:
            return {"doc_no": notice.get("doc_no"), "date": notice.get("issued_on"), "deadline": notice.get("deadline")}
        return {}
    record = job.record or {}
    date = next((record.get(k) for k in ("sent_on", "applied_on", "date") if record.get(k)), None)
    return {"doc_no": record.get("doc_no"), "date": date}


def assign_doc_info(spec: TemplateSpec, jobs: Sequence[Job], on: dt.date,
                    allocator: Allocator | None = None, *, fixed: bool = False) -> list[Problem]:
    """Each job's issuer and dates and the 文号 the case records; with ``allocator``, also the numbers (see
    :func:`take_numbers`). A document that a step of the procedure issues takes that step's date — recorded in
    the case, or (unless ``fixed``: a person chose ``on`` for it) the date of the step it goes with — and
    otherwise ``on``, which the procedure may refuse (before what must come first, after a window closed): those
    refusals are returned."""
    problems: list[Problem] = []
    for job in jobs:
        issuer, _, short = issuer_code(spec, job.case)
        known = _recorded(spec, job)
        if spec.step is not None and spec.procedure is not None and isinstance(job.case, Case) and job.index is None:
            dated = document_date(job.case, spec.procedure, spec.name, on, fixed=fixed)
            date = dated.date
            problems.extend(dated.problems)
        else:
            date = parse_iso(known.get("date")) or on
        deadline = parse_iso(known.get("deadline")) or (
            date + dt.timedelta(days=spec.deadline_days) if spec.deadline_days else None)
        job.doc = DocInfo(known.get("doc_no") or "", issuer, short, date, deadline, f"{job.case.county}教育局")
    if allocator is not None and not problems:
        take_numbers(spec, jobs, allocator)
    return problems


def take_numbers(spec: TemplateSpec, jobs: Sequence[Job], allocator: Allocator) -> None:
    """Register the numbers the cases record and give the others the next in their series."""
    if not spec.series:
        return
    for job in jobs:
        doc = job.doc
        assert doc is not None, "assign_doc_info first"
        if doc.no:
            allocator.record(issuer=doc.issuer, series=spec.series, doc_no=doc.no, template=spec.name,
                             case_id=job.case.case_id, record_key=job.record_key, issued_on=doc.date)
            continue
        _, code, _ = issuer_code(spec, job.case)
        job.doc = replace(doc, no=allocator.number(
            issuer=doc.issuer, prefix=f"{code}{spec.series}", series=spec.series, year=doc.date.year,
            template=spec.name, case_id=job.case.case_id, record_key=job.record_key, issued_on=doc.date))


def date_span(jobs: Sequence[Job]) -> str:
    """The 成文日期 the documents carry, for naming a batch by what it holds: one date, or first至last."""
    dates = sorted({job.doc.date for job in jobs if job.doc is not None})
    if not dates:
        return ""
    return dates[0].isoformat() if len(dates) == 1 else f"{dates[0].isoformat()}至{dates[-1].isoformat()}"


def subject_view(subject: Case | Entrant, keys: frozenset[str] | None = None) -> tuple[str, dict[str, Any]]:
    """The name a template knows its subject by and what it reads there: ``case`` (labels, Chinese dates,
    computed values; only ``keys`` when given), or a roster ``child``."""
    if isinstance(subject, Entrant):
        return "child", subject.view()
    return "case", readable_case(subject, keys)


def file_stem(spec: TemplateSpec, job: Job) -> str:
    """{school}_{name}_{template}[_{n}], with room left for ``_{case id}.pdf`` (see :func:`name_files`)."""
    template = safe_name(spec.name, 60)
    suffix = "" if job.index is None else f"_{job.index + 1:02d}"
    fixed = len(f"_{template}{suffix}_{job.case.case_id}.pdf".encode())
    room = (MAX_NAME_BYTES - fixed) // 2 - 1
    return f"{safe_name(job.case.school, room)}_{safe_name(job.case.name, room)}_{template}{suffix}"


def name_files(spec: TemplateSpec, jobs: Sequence[Job]) -> None:
    """{school}_{name}_{template}[_{n}].docx, unique within the batch (by the case id if needed), and short
    enough for every file system: the school and name are cut before the template name and suffixes are."""
    used: set[str] = set()
    for job in jobs:
        stem = file_stem(spec, job)
        if stem in used:
            stem += f"_{job.case.case_id}"
        used.add(stem)
        job.file = f"{stem}.docx"


def dated_documents(spec: TemplateSpec, case: Case, on: dt.date) -> list[Job]:
    """The documents ``spec`` makes for one case, with the numbers the case records and dated as a batch dates
    them, but neither numbered nor refused: for the archive, which files what a case holds, gaps and all."""
    jobs, _ = select_jobs(spec, [case])
    assign_doc_info(spec, jobs, on)
    return jobs


def unready(spec: TemplateSpec, cases: Sequence[Case | Entrant], on: dt.date,
            issuing: Issuing | None = None) -> list[Problem]:
    """What stops ``spec``'s documents for ``cases`` (as :func:`plan_documents` would refuse them): the issuing
    unit's settings missing (``render.unit-settings``), then each case's missing fields and refused dates."""
    jobs, _ = select_jobs(spec, cases)
    return missing_unit_settings(spec, jobs, issuing) + missing_fields(spec, jobs) + assign_doc_info(spec, jobs, on)


def plan_documents(spec: TemplateSpec, cases: Sequence[Case | Entrant], *, on: dt.date,
                   allocator: Allocator | None, issuing: Issuing | None = None, fixed: bool = False) -> list[Job]:
    """The documents ``spec`` makes for ``cases``, checked, dated (``fixed``: see :func:`assign_doc_info`),
    numbered through ``allocator`` (inside the caller's transaction; asking again gives the same numbers) and
    named — not yet rendered."""
    jobs, _ = select_jobs(spec, cases)
    problems = missing_fields(spec, jobs) + missing_unit_settings(spec, jobs, issuing)
    if problems:
        raise DataProblemsError(problems)
    problems = assign_doc_info(spec, jobs, on, fixed=fixed)
    if problems:
        raise DataProblemsError(problems)
    if allocator is not None:
        take_numbers(spec, jobs, allocator)
    name_files(spec, jobs)
    return jobs


def render_planned(spec: TemplateSpec, jobs: Sequence[Job], renderer: Renderer | None = None,
                   issuing: Issuing | None = None) -> Iterator[bytes]:
    """Each planned document as bytes, in order."""
    renderer = renderer or load_renderer(spec.path)
    for job in jobs:
        view = subject_view(job.case)
        yield renderer.render(template_context(view[1], job.record, list(spec.per), job.doc, key=view[0],
                                               issuing=issuing or NO_SETTINGS))


def render_documents(spec: TemplateSpec, cases: Sequence[Case | Entrant], *, on: dt.date,
                     allocator: Allocator | None, issuing: Issuing | None = None,
                     fixed: bool = False) -> list[tuple[Job, bytes]]:
    """The documents ``spec`` makes for ``cases``, numbered through ``allocator`` (inside the caller's
    transaction), as bytes in memory: for the service, which stores them itself. Same checks as a batch."""
    jobs = plan_documents(spec, cases, on=on, allocator=allocator, issuing=issuing, fixed=fixed)
    return list(zip(jobs, render_planned(spec, jobs, issuing=issuing), strict=True))
