"""An audit as a stream: case files read chunk by chunk, each chunk checked and audited in a worker.

A worker (this process for a small county, one process per core for a large one) parses and checks each
case of a chunk, runs its category's rules and opens its evidence files (results kept between runs, see
:class:`~docgen.check.files.FileChecker`). The main process takes the chunks back in input order, finds
cases that share an ID (the one check that needs all cases) and collects the findings; a case that fails
its checks, there or in the worker, is one finding of its own (案卷数据有误) as in :func:`check_cases`.
Only what the report needs comes back from a worker: no case data, except of a case that failed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import pickle
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from docgen.cases.chunks import Chunk, check_item, chunk_items
from docgen.cases.drive import Pool, Workers, drive, over_files
from docgen.cases.load import CheckedCase, DuplicateFinder, Rejected
from docgen.cases.model import records
from docgen.cases.stream import CaseText
from docgen.check.cache import (
    CaseResults,
    FileIndexes,
    ResultStore,
    Stat,
    code_fingerprint,
    default_cache_path,
)
from docgen.check.engine import CheckResult, case_ref, check_case, invalid_finding
from docgen.check.files import FileChecker, advise_reading
from docgen.check.findings import CaseRef, Finding
from docgen.check.institutions import Unit, check_units
from docgen.errors import DataProblemsError
from docgen.problems import Problem
from docgen.specs import Spec

PARALLEL_FROM = 400  # cases; below this one process is faster (bench/audit.py --crossover measures it)


@dataclass(frozen=True)
class Audited:
    """One case after its worker: what the duplicate check and the report need of it."""

    file: str
    path: str
    label: str
    problems: tuple[Problem, ...]
    unique: tuple[tuple[str, str, str], ...]
    county: str
    ref: CaseRef | None  # None: the case failed its own checks (``rejected`` says how)
    findings: tuple[Finding, ...]
    rejected: Rejected | None
    reused: bool = False  # the result of an earlier run, the case and its evidence files unchanged


@dataclass
class AuditOutcome:
    """An audit's result, with the counties its cases name and the loader's problems (warnings included)."""

    result: CheckResult
    counties: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    reused: int = 0  # cases whose result was kept from an earlier run


@dataclass
class _Pending:
    """A case checked but not yet audited: its key in the kept results, and its evidence files as found."""

    key: str | None
    checked: CheckedCase
    names: list[str]
    stats: list[Stat]


class AuditWorker:
    def __init__(self, spec: Spec, as_of: dt.date, evidence_root: Path | None, fast: bool, today: dt.date) -> None:
        self.spec, self.as_of, self.evidence_root, self.fast, self.today = spec, as_of, evidence_root, fast, today
        self.salt = "\0".join([code_fingerprint(), hashlib.sha256(pickle.dumps(spec)).hexdigest(), as_of.isoformat(),
                               today.isoformat(), str(evidence_root.resolve()) if evidence_root else "", str(fast)])
        self.store: ResultStore | None = None  # opened in the process that uses it (a database is not forked)
        self.root = f"{evidence_root.resolve()}{os.sep}" if evidence_root is not None else ""

    def check(self, chunk: Chunk) -> list[Audited]:
        if self.store is None:
            self.store = ResultStore(default_cache_path())
            self.files = FileChecker(fast=self.fast, store=self.store)
            self.results = CaseResults(self.store, self.salt)
        ready = [self._prepare(chunk.file, item) for item in chunk_items(chunk)]
        if self.evidence_root is not None and not self.fast:
            # Every file of the chunk's cases still to check is asked for at once, before the first is read: each
            # located inside its case's folder first, and opened only there.
            advise_reading([file for one in ready if isinstance(one, _Pending) for file in self._readable(one)],
                           self.files.open)
            self.files.recall()
        out = [one if isinstance(one, Audited) else self._finish(one) for one in ready]
        self.files.flush()
        self.files.forget()
        return out

    def _prepare(self, file: str, item: CaseText) -> Audited | _Pending:
        """A case's result kept from an earlier run, or the case checked and its files' stats, for the rules."""
        key = self.results.key(file, item.path, item.text) if item.data is None else None
        if key is not None:
            kept = self.results.get(key, self.evidence_root)
            if kept is not None:
                return dataclasses.replace(kept, reused=True)
        checked = check_item(file, item, self.today)
        if isinstance(checked, Problem):  # not a case object at all
            rejected = Rejected(file, item.path, "", "", None, (checked,))
            return Audited(file, item.path, "", (checked,), (), "", None, (), rejected)
        case = checked.case
        names = [f"{case.case_id}/{n}" for _, e in records(case, "evidence")
                 if isinstance(n := e.get("file"), str)] if case is not None else []
        stats = self.files.look([self.root + name for name in names]) if self.evidence_root is not None else []
        return _Pending(key, checked, names, stats)

    def _readable(self, pending: _Pending) -> Iterator[tuple[str, str]]:
        """(real case folder, name) of each of the case's evidence files that may be read (located inside the
        case's folder, regular, not too large); what was found is kept for the check."""
        case = pending.checked.case
        if case is None or self.evidence_root is None:
            return
        base = self.files.real_folder(self.evidence_root, case.case_id)
        if base is None:
            return
        for name in pending.names:
            name = name[len(case.case_id) + 1:]
            if self.files.locate(base, name)[0] is not None:
                yield base, name

    def _finish(self, pending: _Pending) -> Audited:
        checked, case = pending.checked, pending.checked.case
        ref, findings = None, ()
        if case is not None:
            ref = case_ref(case)
            findings = tuple(check_case(case, ref, self.spec, self.as_of, self.evidence_root, self.files))
        audited = Audited(checked.file, checked.path, checked.label, checked.problems, checked.unique,
                          case.county if case is not None else "", ref, findings, checked.rejected)
        if pending.key is not None:  # kept with its files' stats as they were before they were checked
            self.results.put(pending.key, pending.names, pending.stats, audited)
        return audited

    def close(self) -> None:
        if self.store is not None:
            self.store.close()


def _workers() -> Workers:
    return Workers(first="check", starts=("check",), ends=("check",),
                   died="核查的工作进程意外退出（退出码 {code}），未写出报告", parallel_from=PARALLEL_FROM)


def audit_files(files: Sequence[Path], spec: Spec, as_of: dt.date, evidence_root: Path | None = None,
                units: Sequence[Unit] = (), fast: bool = False, workers: int | None = None,
                progress: Callable[[int, float], None] | None = None) -> AuditOutcome:
    """Audit the case files as :func:`check_cases` does, reading them case by case over the cores.

    DataProblemsError when a file itself is not a usable case file (its envelope); a case's own problems
    are findings. ``progress(cases, fraction read)`` is called as chunks are collected.
    """
    envelope: list[Problem] = []

    def run(chunks: Iterator[Chunk]) -> AuditOutcome:
        return _audit(chunks, spec, as_of, evidence_root, units, fast, workers, progress, envelope)

    return over_files(files, envelope, run, indexes=FileIndexes(default_cache_path()))


def audit_data(sources: Sequence[tuple[str, object]], spec: Spec, as_of: dt.date, evidence_root: Path | None = None,
               units: Sequence[Unit] = (), progress: Callable[[int, float], None] | None = None) -> AuditOutcome:
    """Audit cases already in memory — each a source's name and its data (the service's cases, whose evidence is
    laid out under ``evidence_root`` as a county's folder is) — by the same driver and worker as
    :func:`audit_files`: the same checks, the same findings for a case that is no valid case, the same duplicates
    across cases. In one process: a caller inside a server keeps its connections to itself."""
    envelope: list[Problem] = []
    chunks = (Chunk(seq, name, [CaseText("$", 0, 0, "", 0, data)], (seq + 1) / len(sources))
              for seq, (name, data) in enumerate(sources))
    return _audit(chunks, spec, as_of, evidence_root, units, False, 1, progress, envelope)


def _audit(chunks: Iterator[Chunk], spec: Spec, as_of: dt.date, evidence_root: Path | None, units: Sequence[Unit],
           fast: bool, workers: int | None, progress: Callable[[int, float], None] | None,
           envelope: list[Problem]) -> AuditOutcome:
    result = CheckResult(as_of, evidence_checked=evidence_root is not None, units=[u.name for u in units],
                         unit_places={u.name: (u.kind, u.township) for u in units})
    result.findings.extend(check_units(list(units), spec.inventory, evidence_root))
    outcome = AuditOutcome(result)
    worker: AuditWorker | None = None

    def make_worker(_: int) -> AuditWorker:
        nonlocal worker
        worker = AuditWorker(spec, as_of, evidence_root, fast, dt.date.today())
        return worker

    try:
        sink = drive(chunks, _workers(), make_worker, lambda _: _Collector(outcome, progress), workers)
    finally:
        if worker is not None:
            worker.close()
    file_errors = [p for p in envelope if p.is_error]
    if file_errors:
        raise DataProblemsError(file_errors)  # the file itself is malformed: nothing to audit case by case
    outcome.problems[:0] = envelope
    outcome.counties = sorted(sink.counties - {""})
    return outcome


class _Collector:
    """The audit's sink: each chunk's audited cases into the result, in input order."""

    def __init__(self, outcome: AuditOutcome, progress: Callable[[int, float], None] | None) -> None:
        self.outcome, self.progress = outcome, progress
        self.duplicates = DuplicateFinder()
        self.counties: set[str] = set()
        self.cases = 0

    def take(self, chunk: Chunk, audited: list[Audited], pool: Pool) -> bool:
        for one in audited:
            _collect(one, self.duplicates, self.outcome.result, self.outcome.problems)
            self.counties.add(one.county)
            self.outcome.reused += one.reused
        self.cases += len(audited)
        if self.progress:
            self.progress(self.cases, chunk.read)
        return True

    def later(self, kind: str, seq: int, result: object, pool: Pool) -> Iterable[int]:
        return ()

    def drained(self, pool: Pool) -> bool:
        return True


def _collect(one: Audited, duplicates: DuplicateFinder, result: CheckResult, problems: list[Problem]) -> None:
    """One audited case into the result: its findings, or one finding when it (now) fails its checks."""
    extra = duplicates.problems(one) if one.unique else []
    own = one.problems + tuple(extra)
    problems.extend(own)
    rejected = one.rejected
    if rejected is None and any(p.is_error for p in extra):  # shares an ID with an earlier case
        rejected = Rejected(one.file, one.path, one.label, one.ref.case_id, None, own)
    elif rejected is not None and extra:
        rejected = dataclasses.replace(rejected, problems=rejected.problems + tuple(extra))
    if rejected is not None:
        invalid = invalid_finding(rejected, one.ref)
        result.cases.append(invalid.ref)
        result.findings.append(invalid)
        return
    result.cases.append(one.ref)
    result.findings.extend(one.findings)

