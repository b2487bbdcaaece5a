"""A batch of documents as a job: one template for every case of the unit it applies to (or the cases chosen),
numbered, rendered in parts, with print files and PDFs, packed into one zip for download.

Steps, each safe to run again after a worker died: (1) numbers and the notices the cases record, in one
transaction — asked again, the register gives every document the number it already has; (2) each part of at
most ``PART``/``PART_PDF`` documents made by the library's batch (:func:`docgen.render.render_batch`, the one
``docgen render`` runs) with those numbers, into a folder that appears whole when complete, a document that
cannot be made left out and named — a part already in place with the same cases and numbers is kept; (3) the
documents kept in the store and listed on their cases, the clerk's list and the zip written beside their place
and moved in. Only then is the job done.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.db import transaction

from docgen.cases import Case
from docgen.errors import DocgenError
from docgen.fsutil import atomic_path, safe_name
from docgen.render import render_batch
from docgen.render.batch import PRINT_SUFFIX, Job, date_span, plan_documents, unready
from docgen.render.numbers import TakenNumbers, in_number_order, number_ranges
from docgen.render.registry import TemplateSpec
from docgen.render.stream import manifest_name
from docgen.service.county import audit, door
from docgen.service.county.documents import county_issuing, may_issue, record_notice, registry_specs
from docgen.service.county.door import Actor
from docgen.service.county.jobs.runner import Cancelled, JobFailed, LeaseLost, Run, skipped_line, usable
from docgen.service.county.models import CaseRecord, IssuedDocument, IssuedNumber
from docgen.service.county.privacy import for_template
from docgen.service.county.register import DbAllocator
from docgen.service.county.store import store

log = logging.getLogger("docgen.jobs")
FAILED = "未能生成.json"  # in a part's folder: the cases whose document could not be made, and why (written last)

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
    problems = unready(spec, cases, on, county_issuing())
    unset = [p for p in problems if p.id == "render.unit-settings"]
    if unset:  # the issuing unit's signer or phone: no document of the batch can be made without it
        raise JobFailed("；".join(p.message for p in unset), "请县教育局在工作区设置中补上后重新出具。")
    why: dict[str, str] = {}
    for problem in problems:
        why.setdefault(problem.file, problem.message)
    for case in cases:
        if case.file in why:
            run.skip(case.name, case.case_id, why[case.file])
    return [c for c in cases if c.file not in why]


def _ready_records(skips: Skips, spec: TemplateSpec, records: list[CaseRecord], on: dt.date) -> list[Case]:
    """The stored cases that pass the library's checks and whose document can be made (see :func:`_ready`)."""
    return _ready(skips, spec, usable([(f"案卷 {r.case_id}", r.data) for r in records], skips.skip), on)


def _numbered(spec: TemplateSpec, cases: list[Case], on: dt.date, county: str) -> tuple[list[Job], list[str]]:
    """The documents of ``cases`` planned and numbered from the county's register (inside the caller's transaction),
    and the numbers they take anew, in order (the others keep the number their case already had)."""
    held = set(IssuedNumber.objects.filter(county=county, template=spec.name)
               .exclude(status=IssuedNumber.Status.VOID).values_list("doc_no", flat=True))
    planned = plan_documents(spec, [for_template(spec, c) for c in cases], on=on, allocator=DbAllocator(county),
                             issuing=county_issuing())
    numbers = in_number_order(job.doc.no for job in planned if job.doc and job.doc.no)
    return planned, [n for n in numbers if n not in held]


def _number(run: Run, spec: TemplateSpec, on: dt.date) -> tuple[list[Job], list[str]]:
    """Step 1: every document numbered and recorded on its case, in one transaction; the documents, and the
    numbers taken anew."""
    params = run.job.params
    records = run.records()
    if params.get("case_ids"):
        records = records.filter(case_id__in=params["case_ids"])
    records = list(records)
    run.phase("检查案卷并编号", len(records))
    cases = _ready_records(run, spec, records, on)
    with door.writing():
        planned, new = _numbered(spec, cases, on, run.job.county)
        by_id = {r.case_id: r for r in records}
        for job in planned:  # one document per case (the batch templates are not per record)
            assert job.doc is not None
            record_notice(run.actor, by_id[job.case.case_id], spec, job.doc)
    run.progress(len(records), len(records))
    return planned, new


@dataclass
class BatchPlan:
    """What a batch would do, for the clerk to confirm before numbers are spent: nothing is kept."""

    template: str
    on: dt.date
    documents: int = 0  # documents it would make
    new_numbers: list[str] = field(default_factory=list)  # the numbers it would take, in order
    kept: int = 0  # documents keeping the number (and date) their case records
    dates: str = ""  # the dates the documents will carry: one, or first至last
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
        planned, plan.new_numbers = _numbered(spec, cases, on, county)
        transaction.set_rollback(True)
    plan.documents = len(planned)
    plan.dates = date_span(planned)
    plan.kept = sum(1 for job in planned if job.doc and job.doc.no) - len(plan.new_numbers)
    return plan


def _render_part(spec: TemplateSpec, planned: list[Job], part: Path, on: dt.date, pdf: bool,
                 progress: Callable[[int], None]) -> None:
    """Step 2 for one part: the library's batch (the one ``docgen render`` runs) makes its documents, print file
    and PDFs with the numbers step 1 took. A document that cannot be made does not stop the others: should the
    part fail, each case is tried alone, and the part is made of those that can be, the others listed with why.
    Everything is written beside the part's place and renamed into it when complete."""
    tmp = part.with_name(f".{part.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    failed: dict[str, str] = {}
    try:
        _batch(spec, planned, tmp / "made", on, pdf, progress)
    except (Cancelled, LeaseLost):
        raise
    except Exception as exc:  # which document it was is found below, one case at a time
        log.info("a part of %s failed (%s); trying its cases one at a time", spec.name, type(exc).__name__)
        for job in planned:
            try:
                _batch(spec, [job], tmp / "alone", on, False, lambda _n: None)
            except (Cancelled, LeaseLost):
                raise
            except Exception as alone:
                failed[job.case.case_id] = _reason(alone)
            shutil.rmtree(tmp / "alone", ignore_errors=True)
        if len(failed) == len(planned) and planned:
            raise exc  # nothing of the part can be made: one cause for all (a template, a setting)
        shutil.rmtree(tmp / "made", ignore_errors=True)
        _batch(spec, [j for j in planned if j.case.case_id not in failed], tmp / "made", on, pdf, progress)
    (tmp / FAILED).write_text(json.dumps(failed, ensure_ascii=False), encoding="utf-8")
    shutil.rmtree(part, ignore_errors=True)
    os.replace(tmp, part)


def _batch(spec: TemplateSpec, planned: list[Job], out: Path, on: dt.date, pdf: bool,
           progress: Callable[[int], None]) -> None:
    """The planned documents through the library's batch, numbered as step 1 numbered them."""
    taken = TakenNumbers({(job.case.case_id, job.record_key): job.doc.no for job in planned if job.doc and job.doc.no})
    render_batch(spec, [job.case for job in planned], out, register=taken, on=on, pdf=pdf, issuing=county_issuing(),
                 workers=1, print_by_school=False, progress=lambda done, _seconds: progress(done))


def _reason(exc: Exception) -> str:
    if isinstance(exc, DocgenError):
        return str(exc)
    reference = secrets.token_hex(4).upper()
    log.error("a document could not be rendered (reference %s)", reference, exc_info=exc)
    return f"生成时出现系统内部错误（错误编号 {reference}）"


@dataclass
class Made:
    """What a part made (its batch's manifest) and the cases it could not make, with why."""

    documents: list[dict[str, Any]]
    print_files: list[str]
    failed: dict[str, str]


def _made(spec: TemplateSpec, folder: Path) -> Made | None:
    """What the part in ``folder`` holds; None when the folder is not a complete part."""
    failed, manifest = folder / FAILED, folder / "made" / manifest_name(spec)
    if not failed.is_file():
        return None
    listed = json.loads(manifest.read_text(encoding="utf-8")) if manifest.is_file() else {}
    return Made(listed.get("documents", []), listed.get("print_files", []),
                json.loads(failed.read_text(encoding="utf-8")))


def _done_before(spec: TemplateSpec, folder: Path, part: list[Job]) -> bool:
    """Whether ``folder`` holds this very part from an earlier attempt: the same cases with the same numbers (the
    cases may have changed between the attempts; then the part is made again)."""
    made = _made(spec, folder)
    if made is None:
        return False
    numbers = {job.case.case_id: job.doc.no if job.doc else "" for job in part}
    done = {d["case_id"]: d["doc_no"] for d in made.documents}
    return done.keys().isdisjoint(made.failed) and {**done, **{c: numbers.get(c) for c in made.failed}} == numbers


def _parts(planned: list[Job], pdf: bool) -> list[tuple[int, list[Job]]]:
    size = PART_PDF if pdf else PART
    return [(k, planned[start:start + size]) for k, start in enumerate(range(0, len(planned), size))]


def _print_name(spec: TemplateSpec, k: int, parts: int, m: int = 0, count: int = 1) -> str:
    """A part's print file in the zip: 限期复学通知书_打印合并[_002][-2].docx."""
    part = f"_{k + 1:03d}" if parts > 1 else ""
    return f"{safe_name(spec.name)}_{PRINT_SUFFIX}{part}" + (f"-{m + 1}" if count > 1 else "") + ".docx"


def _zip_name(spec: TemplateSpec, planned: list[Job], on: dt.date, count: int) -> str:
    """Named by what it holds: the documents' own dates (not the day the job ran) and how many."""
    return safe_name(f"{spec.name}_{date_span(planned) or on.isoformat()}_{count}份") + ".zip"


def _pack(run: Run, spec: TemplateSpec, planned: list[Job], on: dt.date, pdf: bool, work: Path) -> tuple[Path, int]:
    """Step 3: the documents kept and listed on their cases; the listing and the zip, moved into place. Returns
    the zip and how many documents it holds."""
    parts = [(k, work / f"part-{k:04d}", _made(spec, work / f"part-{k:04d}")) for k, _ in _parts(planned, pdf)]
    count = sum(len(made.documents) for _, _, made in parts if made is not None)
    target = run.folder / _zip_name(spec, planned, on, count)
    documents: list[dict[str, Any]] = []  # as listed, each with the folder it was made in
    names: set[str] = set()
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as bundle:
        for k, folder, made in parts:
            assert made is not None, "every part is complete before packing"
            for doc in made.documents:
                shown = doc["file"] if doc["file"] not in names else f"{Path(doc['file']).stem}_{doc['case_id']}.docx"
                names.add(shown)
                bundle.write(folder / "made" / doc["file"], f"文书/{shown}")
                if doc.get("pdf"):
                    bundle.write(folder / "made" / doc["pdf"], f"PDF/{Path(shown).stem}.pdf")
                documents.append({**doc, "file": shown, "made": folder / "made" / doc["file"]})
            for m, print_file in enumerate(made.print_files):
                shown = _print_name(spec, k, len(parts), m, len(made.print_files))
                bundle.write(folder / "made" / print_file, f"打印/{shown}")
                if pdf:
                    bundle.write(folder / "made" / (Path(print_file).stem + ".pdf"), f"打印/{Path(shown).stem}.pdf")
            run.progress(len(documents), len(planned))
        bundle.writestr(f"{safe_name(spec.name)}_清单.xlsx", _listing(spec, documents))
    with door.writing():  # listed on their cases (asked again: found, not made twice)
        for doc in documents:
            IssuedDocument.objects.get_or_create(
                county=run.job.county, case_id=doc["case_id"], template=spec.name, doc_no=doc["doc_no"],
                file=doc["file"], defaults={"sha256": store(doc["made"].read_bytes()),
                                            "issued_on": dt.date.fromisoformat(doc["date"]),
                                            "made_by": run.job.created_by})
        audit.log(run.actor, audit.GENERATE, spec.name, job=run.job.pk, documents=len(documents))
    return target, len(documents)


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
    planned, new = _number(run, spec, on)
    if not planned:
        raise JobFailed(f"所选案卷中没有需要出具“{spec.name}”的学生" + run.skipped_summary(),
                        "检查案卷的处置类别，或换一种文书。")
    numbered = in_number_order(job.doc.no for job in planned if job.doc and job.doc.no)
    run.note(f"共 {len(planned)} 份" + (f"，新取文号 {'、'.join(number_ranges(new))}" if new else "，不取新文号")
             + (f"，{len(numbered) - len(new)} 份沿用案卷已有的文号" if len(numbered) > len(new) else ""))
    work = run.folder / "work"
    run.phase("生成文书" + ("并转换 PDF" if pdf else ""), len(planned))
    done = 0
    for k, part in _parts(planned, pdf):
        folder = work / f"part-{k:04d}"
        if _done_before(spec, folder, part):
            run.note(f"第 {k + 1} 部分上次已完成，沿用")
        else:
            _render_part(spec, part, folder, on, pdf, lambda n, before=done: run.progress(before + n))
        done += len(part)
        run.progress(done)
    run.phase("打包", len(planned))
    by_id = {job.case.case_id: job for job in planned}
    for k, _part in _parts(planned, pdf):
        made = _made(spec, work / f"part-{k:04d}")
        for case_id, why in (made.failed if made else {}).items():
            job = by_id[case_id]
            run.skip(job.case.name, case_id, f"已编文号 {job.doc.no if job.doc else ''}，文书未能生成：{why}")
    target, made = _pack(run, spec, planned, on, pdf, work)
    shutil.rmtree(work, ignore_errors=True)
    run.keep(target, {
        "documents": made, "pdf": pdf, "template": spec.name, "skipped": len(run.skipped),
        "first": numbered[0] if numbered else "", "last": numbered[-1] if numbered else ""})
    return f"已生成 {made} 份{spec.name}" + ("（含 PDF 和打印文件）" if pdf else "（含打印文件）")
