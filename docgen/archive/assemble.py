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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docgen.archive.bag import make_bag
from docgen.archive.binder import Item, build_binder, unbindable
from docgen.archive.entries import MISSING, Entry, plan_entries
from docgen.archive.pages import docx_to_pdf, html_to_pdf, image_to_pdf, pdf_reader, without_receipt
from docgen.cases import Case
from docgen.cases.model import records
from docgen.cases.schema import case_field
from docgen.check.engine import check_cases
from docgen.check.files import docx_problem, pdf_problem, read_evidence
from docgen.check.findings import Finding
from docgen.check.institutions import UNITS_FOLDER, Unit
from docgen.convert.cache import ConversionCache
from docgen.convert.pdf import ConverterError
from docgen.dates import cn_date, parse_iso
from docgen.fsutil import (
    UniqueNames,
    file_suffix,
    make_staging,
    plain_suffix,
    recover_swap,
    safe_name,
    short_title,
    swap_in,
)
from docgen.idcard import mask_registry
from docgen.problems import Problem
from docgen.render.batch import Job, render_planned
from docgen.render.context import NO_SETTINGS, Issuing
from docgen.render.engine import Renderer, document_title, load_renderer
from docgen.render.registry import Registry, TemplateSpec
from docgen.report import build_report
from docgen.report.plain import case_findings_text
from docgen.report.writers import render_html
from docgen.specs import ArchiveItem, Spec
from docgen.workspace import ArchiveSettings, default_archive

log = logging.getLogger(__name__)
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


def category_label(code: str, item: ArchiveItem | None) -> str:
    """A category as every page names it: the inventory's code and title (B4-9 因家庭思想观念而辍学), or the name of
    a category outside the inventory (送读工读学校) — never the key the case file stores."""
    return f"{code} {item.title}" if item else CATEGORY_LABELS.get(code, code)


def _folder(item: ArchiveItem | None, code: str) -> str:
    if item is None:  # a category of our own, outside the county's inventory: its name only, no code
        return safe_name(short_title(CATEGORY_LABELS.get(code, code), TITLE_CHARS))
    return safe_name(f"{code}_{short_title(item.title, TITLE_CHARS)}")


@dataclass
class _Planned:
    """A student's folder before conversion: files to write and binder items (some waiting for a PDF)."""

    case: Case
    folder: Path
    files: dict[str, bytes] = field(default_factory=dict)
    items: list[Item] = field(default_factory=list)
    docx_items: list[tuple[Item, bytes]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def last_date(self) -> str:
        return max((i.date for i in self.items if i.date and not i.missing), default="")


class Assembler:
    def __init__(self, spec: Spec, registry: Registry, evidence_root: Path | None, as_of: dt.date,
                 cache: ConversionCache, settings: ArchiveSettings, issuing: Issuing = NO_SETTINGS) -> None:
        self.spec, self.registry, self.root, self.as_of, self.cache = spec, registry, evidence_root, as_of, cache
        self.settings, self.issuing = settings, issuing
        self.renderers: dict[str, Renderer] = {}
        self.result_problems: list[Problem] = []
        self._rendered: dict[tuple[str, int | None], bytes] = {}  # the case being planned: its documents, by job
        self.names: dict[Path, UniqueNames] = {}
        self.unit_folders: dict[tuple[Path, str], Path] = {}

    def names_in(self, folder: Path) -> UniqueNames:
        """The names given so far in ``folder`` of the archive: every name made from data is safe and unique."""
        return self.names.setdefault(folder, UniqueNames())

    def _render(self, template: TemplateSpec, job: Job) -> bytes:
        """A generated document of the case being planned, made as a batch makes it (rendered once: for its title,
        then for its pages)."""
        key = (template.name, job.index)
        if key not in self._rendered:
            if template.name not in self.renderers:
                self.renderers[template.name] = load_renderer(template.path)
            (self._rendered[key],) = render_planned(template, [job], self.renderers[template.name], self.issuing)
        return self._rendered[key]

    # ---- planning -------------------------------------------------------------------------
    def plan_case(self, case: Case, staging: Path, findings: list[Finding]) -> _Planned:
        category = case.category
        item = self.spec.inventory.get(category)
        parent = self.spec.inventory.get(item.parent) if item and item.parent else None
        top = _folder(parent, parent.code) if parent else _folder(self.spec.inventory.get("A3B4"), "A3B4")
        # The student's own folder is named when the binder has its 档号 (see write_case): no ID number in a name.
        plan = _Planned(case, staging / top / _folder(item, category), findings=findings)
        self._rendered = {}

        def title(template: TemplateSpec, job: Job) -> str:
            return document_title(self._render(template, job))

        entries = plan_entries(case, self.spec, self.registry, self.as_of, findings, title).entries
        for seq, entry in enumerate(entries, 1):
            if entry.missing:
                plan.items.append(Item(entry.title, "", entry.date, entry.doc_no, MISSING, author=entry.author,
                                       missing=True, finding=entry.finding))
            elif entry.job is not None and entry.template is not None:
                self._plan_generated(plan, entry, seq)
            else:
                self._plan_evidence(plan, entry, seq)
        return plan

    @staticmethod
    def _file_name(seq: int, entry: Entry, ext: str) -> str:
        """``03_劝返记录表_20220915.pdf``: unique in the student's folder by its number, whatever the data holds."""
        date = f"_{entry.date.replace('-', '')}" if entry.date else ""
        return f"{seq:02d}_{safe_name(entry.kind, 60)}{date}{plain_suffix(ext)}"

    def _plan_generated(self, plan: _Planned, entry: Entry, seq: int) -> None:
        template, job = entry.template, entry.job
        assert template is not None and job is not None
        data = self._render(template, job)
        file = self._file_name(seq, entry, ".docx")
        plan.files[file] = data
        item = Item(entry.title, file, entry.date, entry.doc_no, entry.remarks, author=entry.author,
                    blank_receipt=entry.blank_receipt)
        plan.items.append(item)
        plan.docx_items.append((item, data))

    def _plan_evidence(self, plan: _Planned, entry: Entry, seq: int) -> None:
        evidence = entry.evidence or {}
        source_name = str(evidence.get("file", ""))
        ext = Path(source_name).suffix.lower()
        file = self._file_name(seq, entry, ext)
        item = Item(entry.title, file, entry.date, entry.doc_no, entry.remarks, source=source_name,
                    author=entry.author)
        plan.items.append(item)
        data, problem = self._read_evidence(plan.case, source_name)
        where = f"{evidence.get('id', '')} {source_name}".strip()
        if data is None:  # the file is named on the 备考表 by what it is, not by its name
            item.missing, item.remarks, item.problem = True, MISSING, problem
            self.result_problems.append(Problem(_who(plan.case), where, problem, id="archive.evidence"))
            return
        plan.files[file] = data
        try:
            # The checks ``check`` makes, first: a damaged or hostile file is one case's problem, never the archive's.
            if ext == ".pdf":
                broken = pdf_problem(data)
                if broken:
                    raise ValueError(broken)
                item.reader = pdf_reader(data)
                item.pdf = data
            elif ext in IMAGES:
                item.pdf = image_to_pdf(data, self.cache)
            elif ext == ".docx":
                broken = docx_problem(data)
                if broken:
                    raise ValueError(broken)
                plan.docx_items.append((item, data))
            elif ext in AUDIO_VIDEO:
                item.problem = "音视频资料不能装订，原文件在本案卷文件夹中"
            else:
                item.problem = "这种文件不能装订，原文件在本案卷文件夹中"
        except ValueError as exc:
            item.problem = f"{exc}，未能装订"
            self.result_problems.append(Problem(_who(plan.case), where, str(exc), id="archive.binding"))

    def _read_evidence(self, case: Case, name: str) -> tuple[bytes | None, str]:
        if self.root is None:
            return None, "未指定佐证材料目录"
        return read_evidence(self.root, case.case_id, name)

    def convert(self, plans: Sequence[_Planned]) -> None:
        """Each Word document of the plans as PDF pages (a generated notice without its blank 送达回证 where the
        signed one is on file). A document LibreOffice cannot convert is that case's problem (its page says so):
        the rest are converted one by one when a batch fails, to say which."""
        pending = [(plan, item, data) for plan in plans for item, data in plan.docx_items]
        try:
            pdfs: list[bytes | ConverterError] = list(docx_to_pdf([d for _, _, d in pending], self.cache))
        except ConverterError:
            pdfs = []
            for _, _, data in pending:
                try:
                    pdfs.append(docx_to_pdf([data], self.cache)[0])
                except ConverterError as exc:
                    pdfs.append(exc)
        for (plan, item, _), pdf in zip(pending, pdfs, strict=True):
            if isinstance(pdf, bytes):
                item.pdf = without_receipt(pdf) if item.blank_receipt else pdf
                continue
            item.problem = "Word 文件无法转换成 PDF，未能装订"
            where = _evidence_place(plan.case, item.source) or item.title
            self.result_problems.append(Problem(_who(plan.case), where, "Word 文件无法转换成 PDF",
                                                id="archive.binding"))

    # ---- writing --------------------------------------------------------------------------
    def cover(self, plan: _Planned, file_no: str) -> dict[str, Any]:
        """The 案卷封面 (DA/T 22-2015 6.2): 档号, 题名, 立卷单位, 起止日期, 保管期限, 密级; the student's 学籍号 masked
        as everywhere else (a minor's ID number is on no cover, index or folder name)."""
        case, student = plan.case, plan.case.student
        category = case.category
        item = self.spec.inventory.get(category)
        label = category_label(category, item)
        unit = case.school if not item or "school" in item.keepers else f"{case.township}人民政府"
        dates = sorted(d for d in (parse_iso(i.date) for i in plan.items if not i.missing) if d)
        return {
            "file_no": file_no, "unit": unit, "item": label,
            "title": f"{unit}关于{student.get('name', '')}（{label}）控辍保学工作的材料",
            "name": student.get("name", ""), "gender": "男" if student.get("gender") == "male" else "女",
            "registry": mask_registry(case.registry_no) if case.registry_no else "",
            "school": student.get("school", ""),
            "first": cn_date(dates[0]) if dates else "", "last": cn_date(dates[-1]) if dates else "",
            "retention": self.settings.retention, "classification": self.settings.classification,
            "made": cn_date(self.as_of),
        }

    def write_case(self, plan: _Planned, file_no: str) -> int:
        cover = self.cover(plan, file_no)
        title = f"{cover['file_no']}　{cover['title']}"
        try:
            binder = build_binder(cover, title, plan.items, self.cache, plan.findings)
        except Exception:  # pypdf raises many kinds; the file that caused it is found below
            for item in unbindable(plan.items):
                item.problem, item.reader, item.pdf = "PDF 文件无法装订（内容已损坏），未能装订", None, None
                self.result_problems.append(Problem(_who(plan.case), _evidence_place(plan.case, item.source),
                                                    "PDF 文件无法装订（内容已损坏）", id="archive.binding"))
            binder = build_binder(cover, title, plan.items, self.cache, plan.findings)
        case = plan.case
        plan.folder = plan.folder / self.names_in(plan.folder).name(f"{case.school}_{case.name}_{file_no}")
        plan.folder.mkdir(parents=True, exist_ok=True)
        files = {"00_案卷封面.pdf": binder.cover, "00_卷内目录.pdf": binder.index, "99_卷内备考表.pdf": binder.notes,
                 "案卷.pdf": binder.pdf, **plan.files}
        student = f"{case.name}（学籍号 {mask_registry(case.registry_no)}）" if case.registry_no else case.name
        files["核查结果.txt"] = case_findings_text(student, cover["item"], plan.findings).encode("utf-8")
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
                if (target, unit.name) not in self.unit_folders:
                    self.unit_folders[(target, unit.name)] = target / self.names_in(target).name(unit.name)
                target = self.unit_folders[(target, unit.name)]
                base = name.replace("\\", "/").rsplit("/", 1)[-1] or name
                suffix = file_suffix(base)
                target /= self.names_in(target).name(base[:len(base) - len(suffix)], suffix=suffix)
                if source is None:
                    continue
                data, _ = read_evidence(source.parent, unit.name, name)  # never opened outside the unit's folder
                if data is None:
                    self.result_problems.append(Problem(unit.name, name, "的文件不存在或不在单位材料目录中",
                                                        id="archive.unit-file"))
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                count += 1
        return count


def _who(case: Case) -> str:
    return f"{case.name}({case.case_id})"


def _evidence_place(case: Case, source: str) -> str:
    """``E013 013_在校就读照片.jpg``: the evidence a file is, as the case names it."""
    if not source:
        return ""
    found = next((str(e.get("id", "")) for _, e in records(case.data, "evidence") if e.get("file") == source), "")
    return f"{found} {source}".strip()


def assemble_archive(
    cases: Sequence[Case], out: Path, spec: Spec, registry: Registry, *, evidence_root: Path | None,
    as_of: dt.date, units: Sequence[Unit] = (), county: str = "", make_zip: bool = False,
    settings: ArchiveSettings | None = None, progress: Callable[[int, int], None] | None = None,
    issuing: Issuing | None = None,
) -> AssembleResult:
    """Build the archive at ``out`` (replacing the previous one only when the new one is complete). ``issuing``: the
    county's signers and contacts, for the documents generated into the binders (its workspace settings)."""
    start = time.perf_counter()
    cache = ConversionCache(out.parent / f".{out.name}.cache")
    assembler = Assembler(spec, registry, evidence_root, as_of, cache, settings or default_archive(),
                          issuing or NO_SETTINGS)
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
        assembler.convert(plans)
        numbered = file_numbers(plans, assembler.settings, as_of)
        result.files = 0
        for done, (plan, no) in enumerate(numbered, 1):
            result.files += assembler.write_case(plan, no)
            if progress:
                progress(done, len(numbered))
        result.files += assembler.write_units(units, staging)
        report = build_report(checked, spec, f"{county or '全部'}，案卷 {len(plans)} 份", generated=as_of)
        (staging / "核查报告.html").write_text(render_html(report), encoding="utf-8")
        (staging / "核查报告.pdf").write_bytes(html_to_pdf(render_html(report, for_print=True), cache))
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


def file_numbers(plans: Sequence[_Planned], settings: ArchiveSettings,
                 as_of: dt.date) -> list[tuple[_Planned, str]]:
    """Each binder's 档号: numbered within the year of its latest document, by school, category and case."""
    def year(plan: _Planned) -> int:
        return int(plan.last_date[:4]) if plan.last_date else as_of.year

    ordered = sorted(plans, key=lambda p: (year(p), p.case.school, p.case.category, p.case.case_id))
    seqs: dict[int, int] = {}
    numbered = []
    for plan in ordered:
        seqs[year(plan)] = seqs.get(year(plan), 0) + 1
        numbered.append((plan, settings.file_number(year=year(plan), seq=seqs[year(plan)], school=plan.case.school)))
    return numbered


def _zip(out: Path) -> Path:
    target = out.with_suffix(".zip") if not out.suffix else out.parent / f"{out.name}.zip"
    base = out.parent / f".{out.name}.zip-{os.getpid()}"
    made = Path(shutil.make_archive(str(base), "zip", root_dir=out.parent, base_dir=out.name))
    os.replace(made, target)
    return target

