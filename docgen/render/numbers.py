"""The 文号 register: numbers per issuer, series and year — sequential, never reused, no gaps.

An auditor checks a register for 漏号 (DA/T 70-2018). A batch takes the database's write lock
(``BEGIN IMMEDIATE``) before its first number and commits after its documents are written, so two
batches started at the same moment wait for each other instead of sharing a number, and a batch
that fails rolls back: no number is lost. The same template for the same case (and record) gets
its number back; a voided number stays in the register, marked void with the reason.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from docgen.errors import InputError, NumberConflictError

LOCK_WAIT_SECONDS = 600
_SCHEMA = """
CREATE TABLE IF NOT EXISTS numbers (
    issuer TEXT NOT NULL, series TEXT NOT NULL, year INTEGER NOT NULL, seq INTEGER NOT NULL,
    doc_no TEXT NOT NULL UNIQUE, template TEXT NOT NULL, case_id TEXT NOT NULL, record_key TEXT NOT NULL,
    issued_on TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('issued', 'recorded', 'void')),
    void_reason TEXT, voided_on TEXT,
    PRIMARY KEY (issuer, series, year, seq)
);
CREATE UNIQUE INDEX IF NOT EXISTS one_live_number
    ON numbers (template, case_id, record_key) WHERE status != 'void';
"""
_DOC_NO = re.compile(r"〔(\d{4})〕([1-9]\d*)号$")
STATUS_LABELS = {"issued": "已发", "recorded": "案卷登记", "void": "作废"}


def doc_no_seq(doc_no: str) -> tuple[int, int] | None:
    """(year, sequence number) of a 文号 such as 云政限复〔2022〕3号; None when it has another shape."""
    m = _DOC_NO.search(doc_no)
    return (int(m[1]), int(m[2])) if m else None


def same_document(known: tuple[str, str, str], case_id: str, template: str, record_key: str) -> bool:
    """Whether a registered number (case_id, template, record_key) is this document's: the same record, the same
    template for the same case, or a number imported from paper (no case) for this template."""
    known_case, known_template, known_key = known
    if known == (case_id, template, record_key):
        return True
    return known_template == template and (known_case == case_id or (known_key.startswith("paper:") and not known_case))



@dataclass(frozen=True)
class Entry:
    issuer: str
    series: str
    year: int
    seq: int
    doc_no: str
    template: str
    case_id: str
    record_key: str
    issued_on: str
    status: str
    void_reason: str | None


@dataclass(frozen=True)
class NumberRequest:
    """One document that wants a number: the 文号 the case records (``recorded``), or the next of its series."""

    issuer: str
    prefix: str
    series: str
    year: int
    template: str
    case_id: str
    record_key: str
    issued_on: dt.date
    recorded: str = ""


class Numbers(Protocol):
    """What a batch numbers its documents through, a block at a time (:meth:`Allocator.take`)."""

    def take(self, requests: list[NumberRequest]) -> list[str]: ...


class NumberSource(Protocol):
    """Where a batch's numbers come from: the register file, the service's database, or numbers already taken.
    ``batch()`` holds them for one batch: a register keeps the numbers it gave when the block completes and gives
    them back if it fails; numbers already taken stay as they were taken."""

    @property
    def path(self) -> object: ...

    def batch(self) -> AbstractContextManager[Numbers]: ...


class TakenNumbers:
    """Numbers a caller took before the batch, in a transaction of its own that also recorded them on their cases
    (the service does): each document gets the number given for its case and record, and no other."""

    def __init__(self, numbers: Mapping[tuple[str, str], str], path: str = "") -> None:
        self.numbers, self.path = numbers, path

    @contextmanager
    def batch(self) -> Iterator[TakenNumbers]:
        yield self

    def take(self, requests: list[NumberRequest]) -> list[str]:
        missing = [r.case_id for r in requests if (r.case_id, r.record_key) not in self.numbers]
        if missing:
            raise NumberConflictError(f"案卷 {'、'.join(missing)} 的文书没有预先编好的文号")
        return [self.numbers[r.case_id, r.record_key] for r in requests]


class Allocator:
    """Numbers handed out inside one batch's transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._next: dict[tuple[str, str, int], int] = {}  # valid while the batch holds the write lock

    def take(self, requests: list[NumberRequest]) -> list[str]:
        """The numbers of a block of documents, in order, with a few statements for the whole block: each
        document's earlier number if it had one, the recorded one, else the next of its series."""
        live: dict[tuple[str, str, str], str] = {}
        for template in {r.template for r in requests}:
            ids = sorted({r.case_id for r in requests if r.template == template})
            for i in range(0, len(ids), 500):
                part = ids[i:i + 500]
                rows = self.conn.execute(
                    f"SELECT case_id, record_key, doc_no FROM numbers WHERE template=? AND status!='void' "
                    f"AND case_id IN ({','.join('?' * len(part))})", (template, *part))
                live.update(((template, c, k), n) for c, k, n in rows)
        out, rows = [], []
        for r in requests:
            if r.recorded:
                self.record(issuer=r.issuer, series=r.series, doc_no=r.recorded, template=r.template,
                            case_id=r.case_id, record_key=r.record_key, issued_on=r.issued_on)
                out.append(r.recorded)
                continue
            known = live.get((r.template, r.case_id, r.record_key))
            if known:
                out.append(known)
                continue
            seq = self._next_seq(r.issuer, r.series, r.year)
            doc_no = f"{r.prefix}〔{r.year}〕{seq}号"
            rows.append((r.issuer, r.series, r.year, seq, doc_no, r.template, r.case_id, r.record_key,
                         r.issued_on.isoformat()))
            live[r.template, r.case_id, r.record_key] = doc_no
            out.append(doc_no)
        self.conn.executemany("INSERT INTO numbers VALUES (?,?,?,?,?,?,?,?,?, 'issued', NULL, NULL)", rows)
        return out

    def _next_seq(self, issuer: str, series: str, year: int) -> int:
        key = (issuer, series, year)
        seq = self._next.get(key)
        if seq is None:
            (seq,) = self.conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM numbers WHERE issuer=? AND series=? "
                                       "AND year=?", key).fetchone()
        self._next[key] = seq + 1
        return seq

    def _live(self, template: str, case_id: str, record_key: str) -> str | None:
        row = self.conn.execute(
            "SELECT doc_no FROM numbers WHERE template=? AND case_id=? AND record_key=? AND status!='void'",
            (template, case_id, record_key),
        ).fetchone()
        return row[0] if row else None

    def number(self, *, issuer: str, prefix: str, series: str, year: int, template: str, case_id: str,
               record_key: str, issued_on: dt.date) -> str:
        """This document's number: its earlier one if it had one, else the next in the series."""
        existing = self._live(template, case_id, record_key)
        if existing:
            return existing
        seq = self._next_seq(issuer, series, year)
        doc_no = f"{prefix}〔{year}〕{seq}号"
        self.conn.execute("INSERT INTO numbers VALUES (?,?,?,?,?,?,?,?,?, 'issued', NULL, NULL)",
                          (issuer, series, year, seq, doc_no, template, case_id, record_key, issued_on.isoformat()))
        return doc_no

    def record(self, *, issuer: str, series: str, doc_no: str, template: str, case_id: str, record_key: str,
               issued_on: dt.date) -> None:
        """Register a number the case data says was already issued, so the series continues after it."""
        row = self.conn.execute("SELECT case_id, template, record_key FROM numbers WHERE doc_no=?",
                                (doc_no,)).fetchone()
        if row is not None:
            if not same_document(tuple(row), case_id, template, record_key):
                raise NumberConflictError(f"文号 {doc_no} 已登记给案卷 {row[0]} 的{row[1]}，不能再用于案卷 {case_id}")
            return
        parts = doc_no_seq(doc_no)
        if parts is None:
            return
        year, seq = parts
        taken = self.conn.execute("SELECT doc_no FROM numbers WHERE issuer=? AND series=? AND year=? AND seq=?",
                                  (issuer, series, year, seq)).fetchone()
        if taken:
            raise NumberConflictError(f"案卷 {case_id} 记载的文号 {doc_no} 与登记簿中的 {taken[0]} 序号相同")
        self.conn.execute("INSERT INTO numbers VALUES (?,?,?,?,?,?,?,?,?, 'recorded', NULL, NULL)",
                          (issuer, series, year, seq, doc_no, template, case_id, record_key, issued_on.isoformat()))
        key = (issuer, series, year)
        if key in self._next:
            self._next[key] = max(self._next[key], seq + 1)


class Register:
    """The SQLite file holding the register."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=LOCK_WAIT_SECONDS, isolation_level=None)
            conn.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise InputError(str(self.path), f"文号登记簿无法打开（{exc}）") from exc
        return conn

    @contextmanager
    def batch(self) -> Iterator[Allocator]:
        """One batch's numbers: committed when the block completes, rolled back if it fails."""
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield Allocator(conn)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()

    def entries(self) -> list[Entry]:
        conn = self._connect()
        try:
            rows = conn.execute("SELECT issuer, series, year, seq, doc_no, template, case_id, record_key, issued_on,"
                                " status, void_reason FROM numbers ORDER BY issuer, series, year, seq").fetchall()
        finally:
            conn.close()
        return [Entry(*row) for row in rows]

    def gaps(self) -> list[tuple[str, str, int, list[int]]]:
        """(issuer, series, year, missing sequence numbers) for every series with a hole."""
        series: dict[tuple[str, str, int], set[int]] = {}
        for e in self.entries():
            series.setdefault((e.issuer, e.series, e.year), set()).add(e.seq)
        return [(i, s, y, sorted(set(range(1, max(seqs) + 1)) - seqs))
                for (i, s, y), seqs in sorted(series.items()) if len(seqs) != max(seqs)]

    def void(self, doc_no: str, reason: str, on: dt.date) -> None:
        conn = self._connect()
        try:
            changed = conn.execute("UPDATE numbers SET status='void', void_reason=?, voided_on=? "
                                   "WHERE doc_no=? AND status!='void'", (reason, on.isoformat(), doc_no)).rowcount
        finally:
            conn.close()
        if not changed:
            raise InputError(str(self.path), f"登记簿中没有未作废的文号 {doc_no}")


def in_number_order(numbers: Iterable[str]) -> list[str]:
    """文号 in the order they were given: a series (its prefix) at a time, by year and sequence number (…9号 before
    …10号); any of another shape last, as text."""
    def key(number: str) -> tuple[bool, str, tuple[int, int], str]:
        found = _DOC_NO.search(number)
        return (found is None, number[:found.start()] if found else "", doc_no_seq(number) or (0, 0), number)

    return sorted(numbers, key=key)


def number_ranges(numbers: Iterable[str]) -> list[str]:
    """文号 as a clerk reads a batch's: each series and year once, from its first to its last number, with how many
    (云政限复〔2022〕3号至8号（6 个）); a number of another shape as it is."""
    groups: dict[str, list[int]] = {}
    others = []
    for number in numbers:
        found = _DOC_NO.search(number)
        if found is None:
            others.append(number)
            continue
        groups.setdefault(number[:found.start()] + f"〔{found[1]}〕", []).append(int(found[2]))
    out = []
    for head, seqs in groups.items():
        low, high = min(seqs), max(seqs)
        span = f"{head}{low}号" if low == high else f"{head}{low}号至{high}号"
        out.append(f"{span}（{len(seqs)} 个）")
    return out + others
