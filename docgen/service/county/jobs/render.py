"""A batch of documents as a job: one template for every case of the unit it applies to (or the cases chosen),
numbered, rendered in parts, with print files and PDFs, packed into one zip for download.

Steps, each safe to run again after a worker died: (1) numbers and the notices the cases record, in one
transaction — asked again, the register gives every document the number it already has; (2) each part of at
most ``PART``/``PART_PDF`` documents rendered (and converted) in a folder of its own and renamed into place when
complete — a part already in place is kept; (3) the documents kept in the store and listed on their cases, the
manifest and the zip written beside their place and moved in. Only then is the job done.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from django.db import transaction

from docgen.cases import Case
from docgen.fsutil import atomic_path, safe_name
from docgen.ooxml.merge import merge_documents
from docgen.render.batch import (
    PRINT_SUFFIX,
    Job,
    assign_doc_info,
    date_span,
    missing_fields,
    missing_unit_settings,
    plan_documents,
    render_planned,
    select_jobs,
)
from docgen.render.engine import load_renderer
from docgen.render.numbers import in_number_order, number_ranges
from docgen.render.registry import TemplateSpec
from docgen.service.county import audit, door
from docgen.service.county.documents import county_issuing, may_issue, record_notice, registry_specs
from docgen.service.county.door import Actor
from docgen.service.county.jobs.runner import JobFailed, Run, skipped_line, usable
from docgen.service.county.models import CaseRecord, IssuedDocument, IssuedNumber
from docgen.service.county.privacy import for_template
from docgen.service.county.register import DbAllocator
from docgen.service.county.store import store

log = logging.getLogger("docgen.jobs")
FAILED = "未能生成.json"  # in a part's folder: the documents of the part that could not be made, and why

PART = 500  # documents per print file (and per part) without PDFs
PART_PDF = 50  # with PDFs: one LibreOffice run per part


def template(name: str) -> TemplateSpec:
    spec = next((s for s in registry_specs() if s.name == name), None)
    if spec is None:
        raise JobFailed(f"没有名为“{name}”的文书模板", "从批量出具页面的列表中选择文书。")
    return spec


class Skips(Protocol):
    def skip(self, name: str, case_id: str, reason: str) -> None: ...


def _ready(run: Skips, spec: TemplateSpec, cases: list[Case], on: dt.date) -> list[Case]:
    """The cases whose document can be made: each one that lacks a field the template needs, or is not yet at
    the step the document follows, is left out and reported (the others go on)."""
    jobs, _ = select_jobs(spec, cases)
    unset = missing_unit_settings(spec, jobs, county_issuing())
    if unset:  # the issuing unit's signer or phone: no document of the batch can be made without it
        raise JobFailed("；".join(p.message for p in unset), "请县教育局在工作区设置中补上后重新出具。")
    problems = missing_fields(spec, jobs) + assign_doc_info(spec, jobs, on)
    why: dict[str, str] = {}
    for problem in problems:
        why.setdefault(problem.file, problem.message)
    for job in jobs:
        if job.case.file in why:
            run.skip(job.case.name, job.case.case_id, why[job.case.file])
    return [c for c in cases if c.file not in why]


def _ready_records(skips: Skips, spec: TemplateSpec, records: list[CaseRecord], on: dt.date) -> list[Case]:
    """The stored cases that pass the library's checks and whose document can be made (see :func:`_ready`)."""
    return _ready(skips, spec, usable([(f"案卷 {r.case_id}", r.data) for r in records], skips.skip), on)


def _number(run: Run, spec: TemplateSpec, on: dt.date) -> list[Job]:
    """Step 1: every document numbered and recorded on its case, in one transaction."""
    params = run.job.params
    records = run.records()
    if params.get("case_ids"):
        records = records.filter(case_id__in=params["case_ids"])
    records = list(records)
    run.phase("检查案卷并编号", len(records))
    cases = _ready_records(run, spec, records, on)
    with door.writing():
        planned = plan_documents(spec, [for_template(spec, c) for c in cases], on=on,
                                 allocator=DbAllocator(run.job.county), issuing=county_issuing())
        by_id = {r.case_id: r for r in records}
        for job in planned:  # one document per case (the batch templates are not per record)
            assert job.doc is not None
            record_notice(run.actor, by_id[job.case.case_id], spec, job.doc)
    run.progress(len(records), len(records))
    return planned


@dataclass
class BatchPlan:
    """What a batch would do, for the clerk to confirm before numbers are spent: nothing is kept."""

    template: str
    on: dt.date
    documents: int = 0  # documents it would make
    new_numbers: list[str] = field(default_factory=list)  # the numbers it would take, in order
    kept: int = 0  # documents keeping the number (and date) their case records
    skipped: list[str] = field(default_factory=list)  # 姓名（案卷编号）：why — left out

    @property
    def ranges(self) -> list[str]:
        """The new numbers, a series at a time: 云政限复〔2022〕3号至8号（6 个）."""
        return number_ranges(self.new_numbers)

    def skip(self, name: str, case_id: str, reason: str) -> None:
        self.skipped.append(skipped_line(name, case_id, reason))


def plan_batch(actor: Actor, name: str, on: dt.date) -> BatchPlan:
    """The batch :func:`run` would make for the actor's cases — numbered in a transaction rolled back, so the
    clerk sees how many documents and which numbers before confirming. The door's NotFound when the unit may not
    issue the document; JobFailed for an unknown one or a unit setting missing."""
    spec = template(name)
    if not may_issue(actor.unit, spec):
        raise door.NotFound
    plan = BatchPlan(spec.name, on)
    records = list(door.cases(actor).order_by("case_id"))
    cases = _ready_records(plan, spec, records, on)
    county = actor.unit.county if actor.unit else ""
    with door.writing():
        planned = plan_documents(spec, [for_template(spec, c) for c in cases], on=on, allocator=DbAllocator(county),
                                 issuing=county_issuing())
        transaction.set_rollback(True)
    numbers = in_number_order(job.doc.no for job in planned if job.doc and job.doc.no)
    held = set(IssuedNumber.objects.filter(county=county, doc_no__in=numbers).values_list("doc_no", flat=True))
    plan.documents = len(planned)
    plan.new_numbers = [n for n in numbers if n not in held]
    plan.kept = len(held)
    return plan


def _render_part(spec: TemplateSpec, planned: list[Job], part: Path, print_name: str, pdf: bool) -> None:
    """Step 2 for one part: its documents, its print file (and their PDFs) in a folder renamed into place."""
    tmp = part.with_name(f".{part.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    renderer = load_renderer(spec.path)
    issuing = county_issuing()
    rendered, made, failed = [], [], {}
    for job in planned:
        try:
            (data,) = render_planned(spec, [job], renderer, issuing)
        except Exception as exc:  # one document that cannot be made does not stop the others
            failed[job.file] = _reason(exc)
            continue
        (tmp / job.file).write_bytes(data)
        rendered.append(data)
        made.append(job.file)
    if rendered:
        (tmp / print_name).write_bytes(merge_documents(rendered))
    if pdf and made:
        from docgen.convert.cache import shared_pdf_cache
        from docgen.convert.pdf import convert_cached, join_pdfs

        convert_cached(tmp, made, shared_pdf_cache())
        join_pdfs(tmp, made, print_name)
    (tmp / FAILED).write_text(json.dumps(failed, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, part)


def _reason(exc: Exception) -> str:
    from docgen.errors import DocgenError

    if isinstance(exc, DocgenError):
        return str(exc)
    reference = secrets.token_hex(4).upper()
    log.exception("a document could not be rendered (reference %s)", reference)
    return f"生成时出现系统内部错误（错误编号 {reference}）"


def _failed(folder: Path) -> dict[str, str]:
    path = folder / FAILED
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _parts(planned: list[Job], pdf: bool) -> list[tuple[int, list[Job]]]:
    size = PART_PDF if pdf else PART
    return [(k, planned[start:start + size]) for k, start in enumerate(range(0, len(planned), size))]


def _print_name(spec: TemplateSpec, k: int, parts: int) -> str:
    return f"{safe_name(spec.name)}_{PRINT_SUFFIX}" + (f"_{k + 1:03d}" if parts > 1 else "") + ".docx"


def _pack(run: Run, spec: TemplateSpec, planned: list[Job], on: dt.date, pdf: bool, work: Path) -> Path:
    """Step 3: the documents kept and listed on their cases; the manifest and the zip, moved into place."""
    parts = _parts(planned, pdf)
    # named by what it holds: the documents' own dates, not the day the job ran
    name = safe_name(f"{spec.name}_{date_span(planned) or on.isoformat()}_{len(planned)}份") + ".zip"
    target = run.folder / name
    documents: list[dict] = []
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as bundle:
        for k, part in parts:
            folder = work / f"part-{k:04d}"
            failed = _failed(folder)
            for job in part:
                assert job.doc is not None
                if job.file in failed:
                    continue
                bundle.write(folder / job.file, f"文书/{job.file}")
                if pdf:
                    bundle.write(folder / (Path(job.file).stem + ".pdf"), f"PDF/{Path(job.file).stem}.pdf")
                documents.append({"file": job.file, "case_id": job.case.case_id, "student": job.case.name,
                                  "school": job.case.school, "doc_no": job.doc.no, "date": job.doc.date.isoformat()})
            print_name = _print_name(spec, k, len(parts))
            if not (folder / print_name).is_file():
                continue  # no document of this part could be made
            bundle.write(folder / print_name, f"打印/{print_name}")
            if pdf:
                bundle.write(folder / (Path(print_name).stem + ".pdf"), f"打印/{Path(print_name).stem}.pdf")
            run.progress(len(documents), len(planned))
        bundle.writestr(f"{safe_name(spec.name)}_清单.xlsx", _listing(spec, documents))
    with door.writing():  # listed on their cases (asked again: found, not made twice)
        for k, part in parts:
            failed = _failed(work / f"part-{k:04d}")
            for job in part:
                assert job.doc is not None
                if job.file in failed:
                    continue
                data = (work / f"part-{k:04d}" / job.file).read_bytes()
                IssuedDocument.objects.get_or_create(
                    county=run.job.county, case_id=job.case.case_id, template=spec.name, doc_no=job.doc.no,
                    file=job.file, defaults={"sha256": store(data), "issued_on": job.doc.date,
                                             "made_by": run.job.created_by})
        audit.log(run.actor, audit.GENERATE, spec.name, job=run.job.pk, documents=len(documents))
    return target


def _listing(spec: TemplateSpec, documents: list[dict]) -> bytes:
    """The batch's list for the clerk, printable: each document's student, school, case, 文号, date and file."""
    from io import BytesIO

    from docgen.xlsx import Table, new_workbook, write_sheet

    rows = [[n, d["student"], d["school"], d["case_id"], d["doc_no"] or "不编文号", dt.date.fromisoformat(d["date"]),
             d["file"]] for n, d in enumerate(documents, 1)]
    wb = new_workbook()
    write_sheet(wb, "清单", f"{spec.name}清单（共 {len(documents)} 份）",
                [Table(["序号", "学生", "学校", "案卷编号", "文号", "成文日期", "文书文件"], rows)])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def run(run: Run) -> str:
    params = run.job.params
    spec = template(params["template"])
    if not may_issue(run.job.unit, spec):
        raise JobFailed(f"本单位不能出具“{spec.name}”", "请由有权出具的单位发起。")
    on, pdf = dt.date.fromisoformat(params["on"]), bool(params.get("pdf"))
    planned = _number(run, spec, on)
    if not planned:
        raise JobFailed(f"所选案卷中没有需要出具“{spec.name}”的学生" + run.skipped_summary(),
                        "检查案卷的处置类别，或换一种文书。")
    numbered = in_number_order(job.doc.no for job in planned if job.doc and job.doc.no)
    run.note(f"已编号 {len(planned)} 份" + (f"，文号 {'、'.join(number_ranges(numbered))}" if numbered else ""))
    work = run.folder / "work"
    parts = _parts(planned, pdf)
    run.phase("生成文书" + ("并转换 PDF" if pdf else ""), len(planned))
    done = 0
    for k, part in parts:
        folder = work / f"part-{k:04d}"
        if folder.is_dir():
            run.note(f"第 {k + 1} 部分上次已完成，沿用")
        else:
            _render_part(spec, part, folder, _print_name(spec, k, len(parts)), pdf)
        done += len(part)
        run.progress(done)
    run.phase("打包", len(planned))
    for k, _part in parts:
        for file, why in _failed(work / f"part-{k:04d}").items():
            job = next(j for j in planned if j.file == file)
            run.skip(job.case.name, job.case.case_id, f"已编文号 {job.doc.no if job.doc else ''}，文书未能生成：{why}")
    target = _pack(run, spec, planned, on, pdf, work)
    made = len(planned) - sum(len(_failed(work / f"part-{k:04d}")) for k, _ in parts)
    shutil.rmtree(work, ignore_errors=True)
    run.keep(target, {"documents": made, "pdf": pdf, "template": spec.name, "skipped": len(run.skipped),
                      "first": numbered[0] if numbered else "", "last": numbered[-1] if numbered else ""})
    return f"已生成 {made} 份{spec.name}" + ("（含 PDF 和打印文件）" if pdf else "（含打印文件）")
