"""Issuing a document for one case from the service: the library renders it (same checks as ``docgen render``),
the number comes from the county's register inside the transaction that records the notice on the case, and
the file goes to the store. Who may issue what is the procedure's (``procedure/steps.yaml``: the kinds of body
that take the step producing the document, else the template's issuer; the bureau everything): a unit's kind of
body is its kind — a school's by its name (a special school is one) — and auditors are none. The case page
offers what :func:`docgen.render.offers.offers` says, for the unit's body."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from django.db import transaction

from docgen.cases.match import matches
from docgen.errors import DocgenError
from docgen.render import TemplateSpec, load_registry
from docgen.render.batch import render_documents
from docgen.render.context import DocInfo, Issuing
from docgen.render.offers import Offer, offers, takers
from docgen.service.county import audit, door
from docgen.service.county.changes import add_record, remove_record
from docgen.service.county.door import Actor
from docgen.service.county.models import CaseRecord, IssuedDocument, IssuedNumber, Unit
from docgen.service.county.overview import as_cases
from docgen.service.county.privacy import for_template
from docgen.service.county.register import DbAllocator
from docgen.service.county.store import store
from docgen.specs import default_procedure


class NotIssuableError(DocgenError):
    """This unit may not issue this document for this case (the view answers 404)."""


@cache
def registry_specs() -> tuple[TemplateSpec, ...]:
    """The templates a case can be issued from one at a time (one document per case, from the case file)."""
    return tuple(s for s in load_registry().templates if s.source == "cases" and not s.per)


def county_issuing() -> Issuing | None:
    """The county's signers, contacts and hearing threshold, from its workspace settings (None without one)."""
    from django.conf import settings

    return settings.WORKSPACE.issuing if settings.WORKSPACE else None


def unit_bodies(unit: Unit | None) -> tuple[str, ...]:
    """The procedure's kinds of body (``procedure/bodies.yaml``) a unit of the service is."""
    if unit is None or unit.kind == Unit.Kind.AUDITOR:
        return ()
    if unit.kind == Unit.Kind.SCHOOL:
        kind = default_procedure().bodies.kind_of(unit.name)
        return (kind if kind in ("school", "special_school") else "school",)
    return (str(unit.kind),)


def may_issue(unit: Unit | None, spec: TemplateSpec) -> bool:
    """Whether the unit is a body that may issue ``spec`` (the step's, or the bureau)."""
    return bool(set(takers(spec)) & set(unit_bodies(unit)))


def _applies(spec: TemplateSpec, record: CaseRecord) -> bool:
    return record.category in spec.applies_to and (not spec.where or matches(record.data, dict(spec.where),
                                                                               record.data))


def issuable(unit: Unit | None, record: CaseRecord) -> list[TemplateSpec]:
    """The documents this unit may issue for this case, in the registry's order."""
    return [s for s in registry_specs() if _applies(s, record) and may_issue(unit, s)]


def case_offers(actor: Actor, record: CaseRecord, today: dt.date) -> list[Offer]:
    """What the case page offers this actor: each document of the case's procedure — the steps the case owes
    first — with its default 成文日期, or why this unit cannot issue it now (a missing fact, another unit's
    step, a window closed). Nothing for an actor who only reads."""
    if not door.may_edit(actor):
        return []
    (case,) = as_cases([record])
    made = offers(case, load_registry(), unit_bodies(actor.unit), today, county_issuing())
    return sorted(made, key=lambda o: (not o.owed, not o.available, o.recorded))


@dataclass(frozen=True)
class Issued:
    """A document issued from the case page, and what the clerk should know about its date and number."""

    document: IssuedDocument
    note: str = ""  # e.g. the case recorded it already: the number and date kept, not the date asked for


@dataclass(frozen=True)
class Planned:
    """What issuing would do, shown for the clerk to confirm before a number is spent: nothing is kept."""

    template: str
    doc_no: str  # the number it would take (another clerk may take it first), or "" for a document without one
    date: dt.date
    reissue: bool  # the case records this document already: its number and date are kept
    note: str = ""


def _recorded_notice(record: CaseRecord, spec: TemplateSpec) -> dict | None:
    if not spec.notice_kind:
        return None
    return next((n for n in record.data.get("notices", []) if n.get("kind") == spec.notice_kind), None)


def _spec(actor: Actor, record: CaseRecord, template: str) -> TemplateSpec:
    spec = next((s for s in issuable(actor.unit, record) if s.name == template), None)
    if spec is None or not door.may_edit(actor):
        raise NotIssuableError(f"本单位不能为案卷 {record.case_id} 出具“{template}”")
    return spec


def _render(actor: Actor, record: CaseRecord, spec: TemplateSpec, on: dt.date) -> tuple[CaseRecord, DocInfo, str,
                                                                                         bytes, str]:
    """Inside a writing transaction: the case as it is now, rendered and numbered — (record, doc, file, data,
    note on a re-issue)."""
    record = door.case_to_change(actor, record.case_id)  # as it is now (a click before may have changed it)
    before = _recorded_notice(record, spec)
    (case,) = as_cases([record])
    [(job, data)] = render_documents(spec, [for_template(spec, case)], on=on, fixed=True,
                                     allocator=DbAllocator(record.county), issuing=county_issuing())
    doc = job.doc
    assert doc is not None
    note = ""
    if before is not None:
        number = f"文号 {doc.no}、" if doc.no else ""
        changed = f"（不是所填的 {on.isoformat()}）" if doc.date != on else ""
        note = (f"案卷已记载这份{spec.name}，重新出具沿用原{number}成文日期 {doc.date.isoformat()}{changed}；"
                "如原文号有误，请先在文号登记簿中作废")
    return record, doc, job.file, data, note


def plan_issue(actor: Actor, record: CaseRecord, template: str, on: dt.date) -> Planned:
    """What :func:`issue` would do — the document rendered and numbered in a transaction rolled back, so the
    clerk sees the very number and date before confirming. Same errors as :func:`issue`."""
    spec = _spec(actor, record, template)
    with door.writing():
        recorded, doc, _, _, note = _render(actor, record, spec, on)
        transaction.set_rollback(True)
    return Planned(spec.name, doc.no or "", doc.date, _recorded_notice(recorded, spec) is not None, note)


def issue(actor: Actor, record: CaseRecord, template: str, on: dt.date) -> Issued:
    """Render ``template`` for the case dated ``on`` — the clerk's date, never replaced, unless the case records
    this document already: then its number and date are kept, and :attr:`Issued.note` says so — number it, record
    the notice on the case and keep the file. NotIssuableError when the unit may not; DataProblemsError (nothing
    kept, no number taken) when the case lacks what the document needs or the procedure refuses the date. Asked
    twice (a double click), the second gets the first's document."""
    spec = _spec(actor, record, template)
    with door.writing():
        record, doc, file, data, note = _render(actor, record, spec, on)
        digest = store(data)
        same = IssuedDocument.objects.filter(county=record.county, case_id=record.case_id, template=spec.name,
                                             doc_no=doc.no, issued_on=doc.date, sha256=digest).first()
        if same is not None:
            return Issued(same, note)
        record_notice(actor, record, spec, doc)
        made = IssuedDocument.objects.create(
            county=record.county, case_id=record.case_id, template=spec.name, doc_no=doc.no, file=file,
            sha256=digest, issued_on=doc.date, made_by=actor.username)
        audit.log(actor, audit.GENERATE, record.case_id, template=spec.name, doc_no=doc.no, file=file)
    return Issued(made, note)


def record_notice(actor: Actor, record: CaseRecord, spec: TemplateSpec, doc: DocInfo) -> None:
    """The case records the notice it was sent (once: asking again changes nothing), and its 文号 is logged."""
    if spec.notice_kind and not any(n.get("kind") == spec.notice_kind for n in record.data.get("notices", [])):
        notice = {"kind": spec.notice_kind, "issuer": doc.issuer, "issued_on": doc.date.isoformat()}
        if doc.no:
            notice["doc_no"] = doc.no
        if doc.deadline:
            notice["deadline"] = doc.deadline.isoformat()
        add_record(actor, record, "notices", notice)
        if doc.no:
            audit.log(actor, audit.NUMBER_ISSUED, doc.no, case=record.case_id, template=spec.name)


def may_void(unit: Unit | None, number: IssuedNumber) -> bool:
    """The bureau voids any number of its county; a township or school the numbers it issued."""
    if unit is None or number.county != unit.county or number.status == IssuedNumber.Status.VOID:
        return False
    if unit.kind == Unit.Kind.BUREAU:
        return True
    if unit.kind == Unit.Kind.TOWNSHIP:
        return number.issuer == f"{unit.township}人民政府"
    return unit.kind == Unit.Kind.SCHOOL and number.issuer == unit.name


def _may_void_or_refuse(actor: Actor, number: IssuedNumber) -> None:
    if not may_void(actor.unit, number) or not door.may_edit(actor):
        raise NotIssuableError(f"本单位不能作废文号 {number.doc_no}")


def voided_notice(actor: Actor, number: IssuedNumber) -> tuple[CaseRecord | None, dict | None]:
    """The case the number was given on, and the notice record voiding it takes off that case (None: none) — what
    voiding would do, shown before it is done. NotIssuableError when the unit may not void it."""
    _may_void_or_refuse(actor, number)
    record = CaseRecord.objects.filter(county=number.county, case_id=number.case_id).first()
    notices = record.data.get("notices", []) if record is not None else []
    return record, next((n for n in notices if n.get("doc_no") == number.doc_no), None)


def void_number(actor: Actor, number: IssuedNumber, reason: str) -> None:
    """Void the number with its reason; the case no longer records the notice it was on (it can be issued
    again, under a new number). NotIssuableError when the unit may not."""
    _may_void_or_refuse(actor, number)
    with door.writing():
        DbAllocator(number.county).void(number.doc_no, reason)
        record, notice = voided_notice(actor, number)
        if record is not None and notice is not None:
            remove_record(actor, record, "notices", record.data["notices"].index(notice),
                          reason=f"文号 {number.doc_no} 作废：{reason}")
        audit.log(actor, audit.NUMBER_VOIDED, number.doc_no, case=number.case_id, reason=reason)
