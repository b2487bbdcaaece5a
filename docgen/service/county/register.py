"""The county's 文号 register in the service's database, behind the interface the renderer numbers through
(:class:`docgen.render.numbers.Allocator`): ``number`` and ``record``, called inside the transaction that
records the documents. The series row is locked first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite
transactions start IMMEDIATE), so parallel requests never share or skip a number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import NamedTuple

from django.db import transaction

from docgen.problems import Problem
from docgen.render.numbers import NumberConflictError, NumberRequest, doc_no_seq, same_document
from docgen.service.county.models import IssuedNumber, Series

GAPS_LISTED = 50  # missing numbers listed per series (the count says how many in all)


class Gap(NamedTuple):
    """A series with missing numbers: the first GAPS_LISTED of them and how many there are."""

    issuer: str
    series: str
    year: int
    missing: list[int]
    count: int


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number documents inside the transaction that records them (transaction.atomic)")


class DbAllocator:
    """Numbers for one county, handed out inside the caller's transaction."""

    def __init__(self, county: str) -> None:
        self.county = county

    def _series(self, issuer: str, series: str, year: int) -> Series:
        key = {"county": self.county, "issuer": issuer, "series": series, "year": year}
        Series.objects.get_or_create(**key)
        return Series.objects.select_for_update().get(**key)

    def _live(self, template: str, case_id: str, record_key: str) -> str | None:
        found = (IssuedNumber.objects.filter(county=self.county, template=template, case_id=case_id,
                                             record_key=record_key).exclude(status=IssuedNumber.Status.VOID)
                 .values_list("doc_no", flat=True).first())
        return found

    def number(self, *, issuer: str, prefix: str, series: str, year: int, template: str, case_id: str,
               record_key: str, issued_on: dt.date) -> str:
        """This document's number: its earlier one if it had one, else the next in the series."""
        _require_transaction()
        row = self._series(issuer, series, year)  # locked from here to the commit
        existing = self._live(template, case_id, record_key)
        if existing:
            return existing
        row.last += 1
        taken = IssuedNumber.objects.filter(county=self.county, issuer=issuer, series=series, year=year)
        while taken.filter(seq=row.last).exists():  # a voided number above the last one kept stays voided
            row.last += 1
        row.save(update_fields=["last"])
        doc_no = f"{prefix}〔{year}〕{row.last}号"
        IssuedNumber.objects.create(county=self.county, issuer=issuer, series=series, year=year, seq=row.last,
                                    doc_no=doc_no, template=template, case_id=case_id, record_key=record_key,
                                    issued_on=issued_on)
        return doc_no

    def take(self, requests: list[NumberRequest]) -> list[str]:
        """The numbers of a block of documents, in order (the file register's :meth:`Allocator.take`): the
        recorded one registered, else the document's earlier number, else the next of its series."""
        out = []
        for r in requests:
            if r.recorded:
                self.record(issuer=r.issuer, series=r.series, doc_no=r.recorded, template=r.template,
                            case_id=r.case_id, record_key=r.record_key, issued_on=r.issued_on)
                out.append(r.recorded)
            else:
                out.append(self.number(issuer=r.issuer, prefix=r.prefix, series=r.series, year=r.year,
                                       template=r.template, case_id=r.case_id, record_key=r.record_key,
                                       issued_on=r.issued_on))
        return out

    def record(self, *, issuer: str, series: str, doc_no: str, template: str, case_id: str, record_key: str,
               issued_on: dt.date) -> None:
        """Register a number the case data says was already issued, so the series continues after it."""
        _require_transaction()
        known = IssuedNumber.objects.filter(county=self.county, doc_no=doc_no).first()
        if known is not None:
            if not same_document((known.case_id, known.template, known.record_key), case_id, template, record_key):
                raise NumberConflictError(
                    f"文号 {doc_no} 已登记给案卷 {known.case_id} 的{known.template}，不能再用于案卷 {case_id}")
            return
        parts = doc_no_seq(doc_no)
        if parts is None:
            return
        year, seq = parts
        row = self._series(issuer, series, year)
        taken = IssuedNumber.objects.filter(county=self.county, issuer=issuer, series=series, year=year,
                                            seq=seq).first()
        if taken is not None:
            raise NumberConflictError(f"案卷 {case_id} 记载的文号 {doc_no} 与登记簿中的 {taken.doc_no} 序号相同")
        IssuedNumber.objects.create(county=self.county, issuer=issuer, series=series, year=year, seq=seq,
                                    doc_no=doc_no, template=template, case_id=case_id, record_key=record_key,
                                    issued_on=issued_on, status=IssuedNumber.Status.RECORDED)
        if seq > row.last:
            row.last = seq
            row.save(update_fields=["last"])

    def void(self, doc_no: str, reason: str) -> IssuedNumber:
        """Mark a number void with its reason: it stays in the register (no gap), and its document may be
        issued again under the next number. A series whose highest numbers are void goes back to its highest
        live number (a wrong number far ahead does not leave the series inflated); the void ones are skipped
        when the series gets there."""
        _require_transaction()
        row = IssuedNumber.objects.select_for_update().get(county=self.county, doc_no=doc_no)
        if row.status != IssuedNumber.Status.VOID:
            row.status, row.void_reason = IssuedNumber.Status.VOID, reason
            row.save(update_fields=["status", "void_reason"])
        series = self._series(row.issuer, row.series, row.year)
        live = (IssuedNumber.objects.filter(county=self.county, issuer=row.issuer, series=row.series, year=row.year)
                .exclude(status=IssuedNumber.Status.VOID).order_by("-seq").values_list("seq", flat=True).first())
        if (live or 0) < series.last:
            series.last = live or 0
            series.save(update_fields=["last"])
        return row

    def gaps(self) -> list[Gap]:
        """Every series with a hole below its last number: the first missing numbers and how many."""
        holes = []
        for row in Series.objects.filter(county=self.county).order_by("issuer", "series", "year"):
            used = sorted(set(IssuedNumber.objects.filter(
                county=self.county, issuer=row.issuer, series=row.series, year=row.year, seq__lte=row.last)
                .values_list("seq", flat=True)))
            count = row.last - len(used)
            if count <= 0:
                continue
            missing, expected = [], 1
            for seq in [*used, row.last + 1]:
                missing.extend(range(expected, min(seq, expected + GAPS_LISTED - len(missing))))
                if len(missing) >= GAPS_LISTED:
                    break
                expected = seq + 1
            holes.append(Gap(row.issuer, row.series, row.year, missing, count))
        return holes


@cache
def _series_by_kind() -> dict[str, tuple[str, str]]:
    """notice kind → (template, series) for the numbered notices of the template registry."""
    from docgen.render import load_registry

    return {s.notice_kind: (s.name, s.series) for s in load_registry().templates if s.notice_kind and s.series}


def register_recorded(county: str, case_id: str, notices: list[dict]) -> list[Problem]:
    """Put the 文号 a case records on its notices into the county register (inside the caller's transaction), so
    the series continues after them and no number is given twice; a number already registered to another
    document is a problem at that notice."""
    problems = []
    allocator = DbAllocator(county)
    for i, notice in enumerate(notices):
        template, series = _series_by_kind().get(notice.get("kind", ""), ("", ""))
        if not (series and notice.get("doc_no") and notice.get("issuer") and notice.get("issued_on")):
            continue
        try:
            allocator.record(issuer=notice["issuer"], series=series, doc_no=notice["doc_no"], template=template,
                             case_id=case_id, record_key="", issued_on=dt.date.fromisoformat(notice["issued_on"]))
        except NumberConflictError:  # which document holds it is not this unit's to know
            problems.append(Problem(f"案卷 {case_id}", f"$.notices[{i}].doc_no",
                                    f"文号 {notice['doc_no']} 已被另一份文书使用"))
    return problems


class DbRegister:
    """The county's register as :func:`docgen.render.render_stream` takes a register: one batch's numbers in one
    transaction (the audit chain's head locked first, as every writing transaction does), handed out by
    :meth:`DbAllocator.take` — so a batch run by the library numbers from the database as the CLI does from its
    file."""

    def __init__(self, county: str) -> None:
        self.county = county
        self.path = f"{county}文号登记簿（数据库）"

    @contextmanager
    def batch(self) -> Iterator[DbAllocator]:
        from docgen.service.county.audit import lock_chain

        with transaction.atomic():
            lock_chain()
            yield DbAllocator(self.county)
