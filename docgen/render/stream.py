"""A batch as a stream: cases read, checked, numbered, rendered and written chunk by chunk, in bounded memory.

The main process reads the input in chunks of cases (a case file case by case, see
:mod:`docgen.cases.stream`) and keeps a few chunks in flight. Each chunk goes through two steps in a
worker — in this process for a small batch, in one process per core for a large one:

1. ``plan``: parse and check each case, pick the documents, date them, name them — no numbers yet;
2. ``render``: with the numbers and file names the main process gave back, render each document and
   write it into the staging folder.

Between the two the main process, taking chunks in input order, finds cases that share an ID or a 文号
and allocates the chunk's numbers as one block (:meth:`Allocator.take`). Print files are merged from the
written documents per school (or, for one unit's batch, in one series), at most :data:`PRINT_PART` documents each,
as soon as a part is full. The
manifest is written document by document as a JSON array.

All or nothing still holds: the register's transaction is committed and the staging folder moved into
place only after the last document, so a failed or interrupted batch leaves the output folder and the
register as they were. After the first problem nothing more is rendered, but every case is still
checked so that all problems are reported at once.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

from docgen.cases import Case
from docgen.cases.chunks import Chunk, check_item, chunk_items
from docgen.cases.drive import Pool, Workers, drive, in_memory, over_files
from docgen.cases.load import DuplicateFinder
from docgen.cases.stream import CaseText
from docgen.cases.validate import case_index
from docgen.errors import DataProblemsError
from docgen.fsutil import UniqueNames, make_staging, move_into, read_file, safe_name, write_file
from docgen.ooxml.merge import merge_documents
from docgen.problems import Problem
from docgen.render.batch import (
    PRINT_SUFFIX,
    BatchResult,
    Job,
    Produced,
    assign_doc_info,
    file_stem,
    issuer_code,
    missing_fields,
    missing_unit_settings,
    select_jobs,
    subject_view,
)
from docgen.render.context import NO_SETTINGS, Issuing, template_context
from docgen.render.engine import Renderer, load_renderer
from docgen.render.numbers import NumberRequest, Numbers, NumberSource
from docgen.render.registry import TemplateSpec
from docgen.roster.entrants import Entrant

PARALLEL_FROM = 400  # cases; below this one process is faster (bench/render.py --crossover measures it)
PRINT_PART = 500  # documents per print file
OWN_PREFIX = ".process-"  # a worker process's own folder in the staging folder (see BatchWorker.write)

Subject = Case | Entrant


@dataclass
class Planned:
    """What the main process needs of one planned document: the number it wants, its name, its school."""

    request: NumberRequest | None
    recorded: str
    stem: str
    case_id: str
    school: str


@dataclass
class Plan:
    seq: int
    docs: list[Planned] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    checked: list[Any] = field(default_factory=list)  # CheckedCase of each case read from text, without data
    skipped: int = 0


class BatchWorker:
    """The two steps of a chunk (see the module docstring), and merging print files."""

    def __init__(self, spec: TemplateSpec, renderer: Renderer, staging: Path, on: dt.date, today: dt.date,
                 issuing: Issuing | None = None) -> None:
        self.spec, self.renderer, self.staging, self.on, self.today = spec, renderer, staging, on, today
        self.issuing = issuing  # the county's signers and contacts (None: no workspace, nothing checked)
        self.pending: dict[int, list[Job]] = {}
        self.shared = False  # several processes write into the staging folder
        self.own: Path | None = None

    def write(self, name: str, data: bytes) -> None:
        """Write a file into the staging folder. One of several processes writes it into a folder of its own
        and renames it into place: the system creates files in one folder one at a time, and renaming is quick
        beside creating."""
        target = f"{self.staging}{os.sep}{name}"
        if not self.shared:
            write_file(target, data)
            return
        if self.own is None:
            self.own = self.staging / f"{OWN_PREFIX}{os.getpid()}"
            self.own.mkdir()
        own = f"{self.own}{os.sep}{name}"
        write_file(own, data)
        os.rename(own, target)

    def plan(self, chunk: Chunk) -> Plan:
        plan = Plan(chunk.seq)
        subjects: list[Subject] = []
        for item in chunk_items(chunk):
            if not isinstance(item, CaseText):
                subjects.append(item)
                continue
            checked = check_item(chunk.file, item, self.today)
            if isinstance(checked, Problem):
                plan.problems.append(checked)
                continue
            # The main process needs only the case's problems and unique values, not its data (pickling the
            # data back took a sixth of a worker's time).
            plan.checked.append(replace(checked, case=None, rejected=None))
            if checked.case is not None:
                subjects.append(checked.case)
        jobs, plan.skipped = select_jobs(self.spec, subjects)
        plan.problems += missing_fields(self.spec, jobs) + missing_unit_settings(self.spec, jobs, self.issuing)
        plan.problems += assign_doc_info(self.spec, jobs, self.on)
        self.pending[chunk.seq] = jobs
        for job in jobs:
            doc = job.doc
            request = None
            if self.spec.series:
                _, code, _ = issuer_code(self.spec, job.case)
                request = NumberRequest(doc.issuer, f"{code}{self.spec.series}", self.spec.series, doc.date.year,
                                        self.spec.name, job.case.case_id, job.record_key, doc.date, doc.no)
            plan.docs.append(Planned(request, doc.no, file_stem(self.spec, job), job.case.case_id, job.case.school))
        return plan

    def render(self, seq: int, numbers: list[str], files: list[str]) -> list[Produced]:
        jobs = self.pending.pop(seq)
        views: dict[int, tuple[str, Any]] = {}
        out = []
        for job, number, file in zip(jobs, numbers, files, strict=True):
            doc = replace(job.doc, no=number)
            view = views.get(id(job.case))
            if view is None:
                view = views[id(job.case)] = subject_view(job.case, self.renderer.case_keys)
            data = self.renderer.render(template_context(view[1], job.record, list(self.spec.per), doc, key=view[0],
                                                         issuing=self.issuing or NO_SETTINGS))
            self.write(file, data)
            out.append(Produced(file, job.case.case_id, job.case.name, job.case.school, number, doc.date.isoformat(),
                                None if job.index is None else job.index + 1))
        return out

    def drop(self, seq: int) -> None:
        self.pending.pop(seq, None)

    def merge(self, name: str, files: list[str]) -> str:
        self.write(name, merge_documents([read_file(f"{self.staging}{os.sep}{f}") for f in files]))
        return name


# ---- the main process ------------------------------------------------------------------------------------------
class _Manifest:
    """The manifest, written as the documents come: a JSON object whose ``documents`` array grows."""

    def __init__(self, path: Path, head: dict[str, Any]) -> None:
        self.handle: TextIO = path.open("w", encoding="utf-8")
        text = json.dumps(head, ensure_ascii=False, indent=2)
        self.handle.write(text[:-2] + ',\n  "documents": [')
        self.count = 0

    def add(self, produced: Produced) -> None:
        # The instance's own fields (all plain values): asdict() copies recursively, at 100,000 documents it shows.
        self.handle.write(("," if self.count else "") + "\n    " + json.dumps(vars(produced), ensure_ascii=False))
        self.count += 1

    def close(self, tail: dict[str, Any]) -> None:
        self.handle.write("\n  ],\n" + json.dumps(tail, ensure_ascii=False, indent=2)[2:] + "\n")
        self.handle.close()


@dataclass
class _Run:
    """The batch's sink in the main process (see :mod:`docgen.cases.drive`): numbers and names for each chunk's
    documents in input order, the written documents in order into the manifest, and the print files."""

    spec: TemplateSpec
    staging: Path
    allocator: Numbers | None
    result: BatchResult
    manifest: _Manifest
    pdf: bool
    progress: Callable[[int, float], None] | None
    problems: list[Problem]
    duplicates: DuplicateFinder = field(default_factory=DuplicateFinder)
    used: set[str] = field(default_factory=set)
    schools: dict[str, list[str]] = field(default_factory=dict)
    parts: dict[str, int] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)  # print file → its documents, in order
    merges: int = 0
    read: dict[int, float] = field(default_factory=dict)
    written_chunks: dict[int, list[Produced]] = field(default_factory=dict)
    next_written: int = 0
    shared: dict[str, str] = field(default_factory=dict)  # one string for each school name and date
    print_names: UniqueNames = field(default_factory=UniqueNames)
    school_names: dict[str, str] = field(default_factory=dict)  # school → its part of the print files' names
    by_school: bool = True  # print files per school; else one series of print files for the whole batch

    @property
    def failed(self) -> bool:
        return any(p.is_error for p in self.problems)

    def take(self, chunk: Chunk, plan: Plan, pool: Pool) -> bool:
        """A chunk's plan, in input order: numbers and names for its documents, sent back to be rendered (or
        the chunk dropped after a problem). The chunk is finished when its documents are written."""
        self.read[chunk.seq] = chunk.read
        self.planned(plan, pool)
        return False

    def later(self, kind: str, seq: int, value: Any, pool: Pool) -> Iterable[int]:
        """A chunk's documents written (into the manifest in input order), or a print file merged."""
        if kind == "merge":
            self.merges -= 1
            return ()
        self.written_chunks[seq] = value or []
        while self.next_written in self.written_chunks:
            self.written(self.written_chunks.pop(self.next_written), pool)
            if self.progress:
                self.progress(len(self.result.documents), self.read.pop(self.next_written))
            self.next_written += 1
        return (seq,)

    def drained(self, pool: Pool) -> bool:
        """Every chunk written: the schools' last print files, then done once every merge is back."""
        if self.schools and not self.failed:
            for school in sorted(self.schools):
                self.print_part(school, pool, full=False)
        return self.merges == 0

    def planned(self, plan: Plan, pool: Pool) -> None:
        """Numbers and names for a chunk's documents (in input order), or the chunk dropped after a problem."""
        for checked in plan.checked:
            self.problems.extend(checked.problems)
            self.problems.extend(self.duplicates.problems(checked))
        # A unit's missing signer is one problem of the batch, not one per chunk.
        self.problems.extend(p for p in plan.problems if p.id != "render.unit-settings" or p not in self.problems)
        self.result.skipped += plan.skipped
        if self.failed or not plan.docs:
            pool.send("drop", plan.seq, plan.seq)
            return
        if self.allocator is not None and self.spec.series:
            numbers = self.allocator.take([d.request for d in plan.docs])
        else:
            numbers = [d.recorded for d in plan.docs]
        files = []
        for d in plan.docs:
            stem = d.stem if d.stem not in self.used else f"{d.stem}_{d.case_id}"
            self.used.add(stem)
            files.append(f"{stem}.docx")
        pool.send("render", plan.seq, plan.seq, numbers, files)

    def written(self, produced: list[Produced], pool: Pool) -> None:
        shared = self.shared
        for doc in produced:
            # Each chunk's values arrive as new strings; a school's name and a date are kept once.
            doc.school = shared.setdefault(doc.school, doc.school)
            doc.date = shared.setdefault(doc.date, doc.date)
            if self.pdf:
                doc.pdf = doc.file.removesuffix(".docx") + ".pdf"
            self.manifest.add(doc)
            self.result.documents.append(doc)
            school = doc.school if self.by_school else ""
            group = self.schools.setdefault(school, [])
            group.append(doc.file)
            if len(group) == PRINT_PART:
                self.print_part(school, pool, full=True)

    def print_part(self, school: str, pool: Pool, full: bool) -> None:
        files = self.schools.pop(school)
        k = self.parts.get(school, 0)
        self.parts[school] = k + 1
        suffix = f"_{k + 1:03d}" if full or k else ""
        if school not in self.school_names:  # two schools never share a print file's name (张/三, 张_三)
            named = self.print_names.name(school or "未填学校", 80) + "_" if self.by_school else ""
            self.school_names[school] = named
        name = f"{self.school_names[school]}{safe_name(self.spec.name, 60)}_{PRINT_SUFFIX}{suffix}.docx"
        self.result.print_files.append(name)
        self.members[name] = files
        self.merges += 1
        pool.send("merge", -1 - len(self.result.print_files), name, files)


def render_stream(spec: TemplateSpec, chunks: Iterable[Chunk], out_dir: Path, *, register: NumberSource | None,
                  on: dt.date, pdf: bool = False, progress: Callable[[int, float], None] | None = None,
                  workers: int | None = None, problems: list[Problem] | None = None,
                  issuing: Issuing | None = None, print_by_school: bool = True) -> BatchResult:
    """Run a batch over ``chunks`` (see the module docstring); DataProblemsError lists every error found.
    ``register``: where the 文号 come from (the register file, the service's database, numbers taken before);
    ``issuing``: the county's signers, contacts and hearing threshold (its workspace settings);
    ``print_by_school``: print files per school (a county's batch), or one series for the batch (a unit's)."""
    return _render_stream(spec, chunks, out_dir, register=register, on=on, pdf=pdf, progress=progress,
                          workers=workers, problems=problems if problems is not None else [], issuing=issuing,
                          print_by_school=print_by_school)


def _render_stream(spec: TemplateSpec, chunks: Iterable[Chunk], out_dir: Path, *, register: NumberSource | None,
                   on: dt.date, pdf: bool, progress: Callable[[int, float], None] | None, workers: int | None,
                   problems: list[Problem], issuing: Issuing | None, print_by_school: bool) -> BatchResult:
    renderer = load_renderer(spec.path)
    result = BatchResult(spec.name, out_dir, fast=renderer.fast)
    staging = make_staging(out_dir)
    manifest: _Manifest | None = None

    def make_worker(size: int) -> BatchWorker:
        worker = BatchWorker(spec, renderer, staging, on, dt.date.today(), issuing)
        worker.shared = size > 1
        return worker

    try:
        with register.batch() if register and spec.series else nullcontext() as allocator:
            result.manifest = manifest_name(spec)
            head = {"template": spec.name, "date": on.isoformat(), "register": str(register.path) if register else None,
                    "renderer": "compiled" if renderer.fast else "docxtpl"}
            manifest = _Manifest(staging / result.manifest, head)
            run = drive(chunks, _workers(), make_worker,
                        lambda _: _Run(spec, staging, allocator, result, manifest, pdf, progress, problems,
                                           by_school=print_by_school), workers)
            assert isinstance(run, _Run)
            for own in staging.glob(f"{OWN_PREFIX}*"):
                own.rmdir()
            if run.failed:
                raise DataProblemsError(_in_file_order(problems))
            result.warnings = [p for p in problems if not p.is_error]
            if not result.documents:
                return result  # nothing applies: write nothing (no number was taken)
            if pdf:
                from docgen.convert.cache import shared_pdf_cache
                from docgen.convert.pdf import convert_cached, join_pdfs

                started = time.perf_counter()
                done = convert_cached(staging, [d.file for d in result.documents], shared_pdf_cache())
                for name, files in run.members.items():  # print files: their documents' pages, not converted again
                    join_pdfs(staging, files, name)
                result.seconds_pdf, result.pdf_reused = time.perf_counter() - started, done.reused
                result.print_pdfs = [f.removesuffix(".docx") + ".pdf" for f in result.print_files]
            result.print_files.sort()
            result.print_pdfs.sort()
            manifest.close({"print_files": result.print_files, "print_pdfs": result.print_pdfs})
            # Numbers are committed only now that every document is complete; the move is next.
        move_into(staging, out_dir)
    finally:
        if manifest is not None:
            manifest.handle.close()
        shutil.rmtree(staging, ignore_errors=True)
    return result


def manifest_name(spec: TemplateSpec) -> str:
    """The batch's manifest in its output folder: the documents, their numbers and files, and the print files."""
    return f"{safe_name(spec.name)}_清单.json"


def _workers() -> Workers:
    return Workers(first="plan", starts=("plan", "merge"), ends=("render", "drop", "merge"),
                   died="生成文书的工作进程意外退出（退出码 {code}），本批未写出任何文件", parallel_from=PARALLEL_FROM)


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    files = list(dict.fromkeys(p.file for p in problems))
    return sorted((p for p in problems if p.is_error), key=lambda p: (files.index(p.file), case_index(p.path)))


def render_files(spec: TemplateSpec, files: Sequence[Path], out_dir: Path, **options: Any) -> BatchResult:
    """A batch over case files read case by case (see :func:`render_stream` and :func:`~docgen.cases.drive.over_files`:
    should a file not keep its layout, the batch, nothing of it written yet, runs again reading each case)."""
    problems: list[Problem] = []
    return over_files(files, problems,
                      lambda chunks: render_stream(spec, chunks, out_dir, problems=problems, **options))


def render_batch(spec: TemplateSpec, subjects: Sequence[Subject], out_dir: Path, **options: Any) -> BatchResult:
    """A batch over checked cases (or roster entrants) already in memory (see :func:`render_stream`)."""
    if not subjects:
        return BatchResult(spec.name, out_dir, fast=load_renderer(spec.path).fast)
    return render_stream(spec, in_memory(subjects), out_dir, **options)
