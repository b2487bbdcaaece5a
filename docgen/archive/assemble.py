"""Assembling the inspection archive: the inventory's folders, one folder and binder per student,
the units' own items, the check result — then a BagIt bag, swapped in for the previous archive.

Everything is built in a staging folder beside the archive and moved into place at the end, so a
run killed halfway leaves the previous archive as it was; conversions are cached by content, so a
run after a small change converts only what changed.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docgen.archive.bag import make_bag
from docgen.archive.binder import Item, build_binder
from docgen.archive.cache import ConversionCache
from docgen.archive.pages import docx_to_pdf, html_to_pdf, image_to_pdf, pdf_reader
from docgen.cases import Case
from docgen.cases.schema import case_field
from docgen.check.engine import check_cases
from docgen.check.files import read_evidence
from docgen.check.findings import Finding
from docgen.check.institutions import UNITS_FOLDER, Unit
from docgen.fsutil import make_staging, recover_swap, safe_name, swap_in
from docgen.problems import Problem
from docgen.render.batch import assign_doc_info, select_jobs
from docgen.render.context import readable_case, template_context
from docgen.render.engine import Renderer, load_renderer
from docgen.render.registry import Registry
from docgen.report import build_report
from docgen.report.writers import render_html
from docgen.specs import ArchiveItem, Spec

log = logging.getLogger(__name__)
EVIDENCE_LABELS = case_field(["evidence", "[]", "kind"]).labels
CATEGORY_LABELS = case_field(["situation", "category"]).labels
AUDIO_VIDEO = {".wav", ".mp3", ".m4a", ".amr", ".mp4", ".mov"}
IMAGES = {".jpg", ".jpeg", ".png"}
TITLE_CHARS = 20  # keep folder names short enough for Windows paths


@dataclass
class AssembleResult:
    archive: Path
    students: int = 0
    files: int = 0
    problems: list[Problem] = field(default_factory=list)  # items that could not be included
    gaps: int = 0
    converted: int = 0
    reused: int = 0
    seconds: float = 0.0
    zip_path: Path | None = None


def _folder(item: ArchiveItem | None, code: str) -> str:
    title = item.title if item else CATEGORY_LABELS.get(code, code)
    return safe_name(f"{code}_{title[:TITLE_CHARS]}")


@dataclass
class _Planned:
    """A student's folder before conversion: files to write and binder items (some waiting for a PDF)."""

    case: Case
    folder: Path
    files: dict[str, bytes] = field(default_factory=dict)
    items: list[Item] = field(default_factory=list)
    docx_items: list[tuple[Item, bytes]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


class Assembler:
    def __init__(self, spec: Spec, registry: Registry, evidence_root: Path | None, as_of: dt.date,
                 cache: ConversionCache) -> None:
        self.spec, self.registry, self.root, self.as_of, self.cache = spec, registry, evidence_root, as_of, cache
        self.renderers: dict[str, Renderer] = {}
        self.result_problems: list[Problem] = []

    # ---- planning -------------------------------------------------------------------------
    def plan_case(self, case: Case, staging: Path, findings: list[Finding]) -> _Planned:
        category = case.category
        item = self.spec.inventory.get(category)
        parent = self.spec.inventory.get(item.parent) if item and item.parent else None
        name = safe_name(f"{case.school}_{case.name}_{case.registry_no}")
        top = _folder(parent, parent.code) if parent else _folder(self.spec.inventory.get("A3B4"), "A3B4")
        plan = _Planned(case, staging / top / _folder(item, category) / name)
        seq = 1
        issued = {n.get("kind") for _, n in case.records("notices")}
        view = readable_case(case)
        for template in self.registry.templates:
            if template.notice_kind and template.notice_kind not in issued:
                continue  # the archive holds the notices that were issued, not every notice one could issue
            jobs, _ = select_jobs(template, [case])
            assign_doc_info(template, jobs, self.as_of)
            for job in jobs:
                if template.name not in self.renderers:
                    self.renderers[template.name] = load_renderer(template.path)
                renderer = self.renderers[template.name]
                data = renderer.render(template_context(view, job.record, list(template.per), job.doc))
                suffix = "" if job.index is None else f"_{job.index + 1:02d}"
                file = f"{seq:02d}_{safe_name(template.name)}{suffix}.docx"
                plan.files[file] = data
                entry = Item(template.name + (f"（第{job.index + 1}份）" if suffix else ""), file,
                             job.doc.date.isoformat(), job.doc.no, "本系统生成")
                plan.items.append(entry)
                plan.docx_items.append((entry, data))
                seq += 1
        for evidence in self._ordered_evidence(case, category):
            seq = self._plan_evidence(plan, evidence, seq)
        plan.findings = findings
        return plan

    def _ordered_evidence(self, case: Case, category: str) -> list[dict[str, Any]]:
        """Evidence in the order the category's checklist asks for it, then anything else by date."""
        order: dict[str, int] = {}
        for rule in self.spec.checklists.rules_for(category):
            kinds = list(rule.params.get("kinds", []))
            for matcher in rule.params.get("expect", {}).values():
                if isinstance(matcher, dict):
                    kinds += matcher.get("has_evidence", [])
            for kind in kinds:
                order.setdefault(kind, len(order))
        items = [e for _, e in case.records("evidence")]
        return sorted(items, key=lambda e: (order.get(e.get("kind"), len(order)), e.get("date", ""), e.get("id", "")))

    def _plan_evidence(self, plan: _Planned, evidence: dict[str, Any], seq: int) -> int:
        label = EVIDENCE_LABELS.get(evidence.get("kind", ""), "佐证材料")
        source_name = str(evidence.get("file", ""))
        ext = Path(source_name).suffix.lower()
        date = evidence.get("date", "")
        stem = f"{seq:02d}_{safe_name(label)}" + (f"_{date.replace('-', '')}" if date else "")
        file = f"{stem}{ext}"
        entry = Item(f"{label}{'：' + evidence['description'] if evidence.get('description') else ''}", file, date,
                     remarks=f"材料 {evidence.get('id', '')}", source=source_name)
        plan.items.append(entry)
        data, problem = self._read_evidence(plan.case, source_name)
        who = f"{plan.case.name}({plan.case.case_id})"
        if data is None:
            entry.problem = problem
            self.result_problems.append(Problem(who, source_name, problem, id="archive.evidence"))
            return seq + 1
        plan.files[file] = data
        try:
            if ext == ".pdf":
                entry.reader = pdf_reader(data)
                entry.pdf = data
            elif ext in IMAGES:
                entry.pdf = image_to_pdf(data, self.cache)
            elif ext == ".docx":
                plan.docx_items.append((entry, data))
            elif ext in AUDIO_VIDEO:
                entry.problem = "音视频资料不能装订，原文件在本案卷文件夹中"
            else:
                entry.problem = "这种文件不能装订，原文件在本案卷文件夹中"
        except ValueError as exc:
            entry.problem = f"{exc}，未能装订"
            self.result_problems.append(Problem(who, source_name, str(exc), id="archive.binding"))
        return seq + 1

    def _read_evidence(self, case: Case, name: str) -> tuple[bytes | None, str]:
        if self.root is None:
            return None, "未指定佐证材料目录"
        return read_evidence(self.root / case.case_id, name)

    # ---- writing --------------------------------------------------------------------------
    def write_case(self, plan: _Planned) -> int:
        case, student = plan.case, plan.case.student
        category = case.category
        item = self.spec.inventory.get(category)
        dates = sorted(i.date for i in plan.items if i.date)
        cover = {
            "item": f"{category} {item.title if item else CATEGORY_LABELS.get(category, category)}",
            "name": student.get("name", ""), "gender": "男" if student.get("gender") == "male" else "女",
            "registry": student.get("registry_no", ""), "school": student.get("school", ""),
            "hukou": f"{case.county}{case.township}{case.village}",
            "keepers": item.keeper_labels if item else "乡镇、学校", "case_id": case.case_id,
            "first": dates[0] if dates else "", "last": dates[-1] if dates else "",
        }
        title = f"{student.get('school', '')} {student.get('name', '')} {cover['item']}"
        cover_pdf, index_pdf, binder = build_binder(cover, title, plan.items, self.cache)
        plan.folder.mkdir(parents=True, exist_ok=True)
        files = {"00_案卷封面.pdf": cover_pdf, "00_卷内目录.pdf": index_pdf, "案卷.pdf": binder, **plan.files}
        lines = [f.line() for f in plan.findings] or ["材料齐全，未发现缺漏。"]
        files["核查结果.txt"] = ("\n".join(lines) + "\n").encode("utf-8")
        for name, data in files.items():
            (plan.folder / name).write_bytes(data)
        return len(files)

    def write_units(self, units: Sequence[Unit], staging: Path) -> int:
        """Copy each unit's A3B1–A3B3 files under the inventory's folders (unit by unit)."""
        count = 0
        for unit in units:
            source = (self.root / UNITS_FOLDER / unit.name) if self.root else None
            placed = [("A3B1", "", d["file"]) for d in unit.raw.get("documents", [])]
            placed += [("A3B2", code, f) for code, files in unit.raw.get("items", {}).items() for f in files]
            placed += [("A3B3", code, f) for code, by_village in unit.raw.get("ledgers", {}).items()
                       for f in by_village.values()]
            for top, code, name in placed:
                top_item, item = self.spec.inventory.get(top), self.spec.inventory.get(code) if code else None
                target = staging / _folder(top_item, top)
                if item:
                    target /= _folder(item, code)
                target = target / safe_name(unit.name) / safe_name(Path(name).name)
                if source is None:
                    continue
                path = (source / name).resolve()
                if not path.is_relative_to(source.resolve()) or not path.is_file():
                    self.result_problems.append(Problem(unit.name, name, "的文件不存在或不在单位材料目录中",
                                                        id="archive.unit-file"))
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                count += 1
        return count


def assemble_archive(
    cases: Sequence[Case], out: Path, spec: Spec, registry: Registry, *, evidence_root: Path | None,
    as_of: dt.date, units: Sequence[Unit] = (), county: str = "", make_zip: bool = False,
) -> AssembleResult:
    """Build the archive at ``out`` (replacing the previous one only when the new one is complete)."""
    start = time.perf_counter()
    cache = ConversionCache(out.parent / f".{out.name}.cache")
    assembler = Assembler(spec, registry, evidence_root, as_of, cache)
    result = AssembleResult(out)
    recover_swap(out)
    checked = check_cases(cases, spec, as_of, evidence_root, units)
    staging = make_staging(out)
    try:
        findings: dict[tuple[str, str], list[Finding]] = {}
        for f in checked.findings:
            if f.ref is not None:
                findings.setdefault((f.ref.file, f.ref.case_id), []).append(f)
        plans = [assembler.plan_case(c, staging, findings.get((c.file, c.case_id), [])) for c in cases]
        pending = [(item, data) for plan in plans for item, data in plan.docx_items]
        for (item, _), pdf in zip(pending, docx_to_pdf([d for _, d in pending], cache), strict=True):
            item.pdf = pdf
        result.files = sum(assembler.write_case(plan) for plan in plans)
        result.files += assembler.write_units(units, staging)
        report = build_report(checked, spec, f"{county or '全部'}，案卷 {len(plans)} 份", generated=as_of)
        html = render_html(report)
        (staging / "核查报告.html").write_text(html, encoding="utf-8")
        (staging / "核查报告.pdf").write_bytes(html_to_pdf(html, cache))
        result.files += 2
        result.students, result.gaps = len(plans), len(checked.gaps)
        schools = sorted({c.school for c in checked.cases})
        make_bag(staging, county=county, schools=schools, as_of=as_of, students=len(plans), files=result.files)
        swap_in(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if make_zip:
        result.zip_path = _zip(out)
    result.problems = assembler.result_problems
    result.converted, result.reused = cache.misses, cache.hits
    result.seconds = time.perf_counter() - start
    return result


def _zip(out: Path) -> Path:
    target = out.with_suffix(".zip") if not out.suffix else out.parent / f"{out.name}.zip"
    base = out.parent / f".{out.name}.zip-{os.getpid()}"
    made = Path(shutil.make_archive(str(base), "zip", root_dir=out.parent, base_dir=out.name))
    os.replace(made, target)
    return target

