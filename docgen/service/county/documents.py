"""Issuing a document for one case from the service: the library renders it (same checks as ``docgen render``),
the number comes from the county's register inside the transaction that records the notice on the case, and
the file goes to the store. Who may issue what follows the unit: a township its own notices and the penalty
documents it prepares for the bureau, a school its own forms, the bureau everything; auditors nothing."""

from __future__ import annotations

import datetime as dt
from functools import cache

from docgen.errors import DocgenError
from docgen.render import TemplateSpec, load_registry
from docgen.render.batch import render_documents
from docgen.render.context import DocInfo, Issuing
from docgen.service.county import audit, door
from docgen.service.county.changes import add_record, remove_record
from docgen.service.county.door import Actor
from docgen.service.county.models import CaseRecord, IssuedDocument, IssuedNumber, Unit
from docgen.service.county.overview import as_cases
from docgen.service.county.privacy import for_template
from docgen.service.county.register import DbAllocator
from docgen.service.county.store import store

PENALTY_KINDS = ("penalty_notice", "penalty_decision", "enforcement_application")


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


def _may_issue(unit: Unit, spec: TemplateSpec) -> bool:
    if unit.kind == Unit.Kind.BUREAU:
        return True
    if unit.kind == Unit.Kind.TOWNSHIP:
        return spec.issuer == "township" or spec.notice_kind in PENALTY_KINDS
    if unit.kind == Unit.Kind.SCHOOL:
        return spec.issuer == "school"
    return False


def issuable(unit: Unit | None, record: CaseRecord) -> list[TemplateSpec]:
    """The documents this unit may issue for this case, in the registry's order."""
    if unit is None:
        return []
    return [s for s in registry_specs() if record.category in s.applies_to and _may_issue(unit, s)]


def issue(actor: Actor, record: CaseRecord, template: str, on: dt.date) -> IssuedDocument:
    """Render ``template`` for the case dated ``on`` (the date the case records, when it records the notice),
    number it, record the notice on the case and keep the file. NotIssuableError when the unit may not;
    DataProblemsError (nothing kept, no number taken) when the case lacks what the document needs. Asked twice
    (a double click), the second gets the first's document."""
    spec = next((s for s in issuable(actor.unit, record) if s.name == template), None)
    if spec is None or not door.may_edit(actor):
        raise NotIssuableError(f"本单位不能为案卷 {record.case_id} 出具“{template}”")
    with door.writing():
        record = door.case_to_change(actor, record.case_id)  # as it is now (a click before may have changed it)
        (case,) = as_cases([record])
        [(job, data)] = render_documents(spec, [for_template(spec, case)], on=on,
                                         allocator=DbAllocator(record.county), issuing=county_issuing())
        doc = job.doc
        assert doc is not None
        digest = store(data)
        same = IssuedDocument.objects.filter(county=record.county, case_id=record.case_id, template=spec.name,
                                             doc_no=doc.no, issued_on=doc.date, sha256=digest).first()
        if same is not None:
            return same
        record_notice(actor, record, spec, doc)
        made = IssuedDocument.objects.create(
            county=record.county, case_id=record.case_id, template=spec.name, doc_no=doc.no, file=job.file,
            sha256=digest, issued_on=doc.date, made_by=actor.username)
        audit.log(actor, audit.GENERATE, record.case_id, template=spec.name, doc_no=doc.no, file=job.file)
    return made


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


def may_issue(unit: Unit | None, spec: TemplateSpec) -> bool:
    return unit is not None and _may_issue(unit, spec)


def may_void(unit: Unit | None, number: IssuedNumber) -> bool:
    """The bureau voids any number of its county; a township or school the numbers it issued."""
    if unit is None or number.county != unit.county or number.status == IssuedNumber.Status.VOID:
        return False
    if unit.kind == Unit.Kind.BUREAU:
        return True
    if unit.kind == Unit.Kind.TOWNSHIP:
        return number.issuer == f"{unit.township}人民政府"
    return unit.kind == Unit.Kind.SCHOOL and number.issuer == unit.name


def void_number(actor: Actor, number: IssuedNumber, reason: str) -> None:
    """Void the number with its reason; the case no longer records the notice it was on (it can be issued
    again, under a new number). NotIssuableError when the unit may not."""
    if not may_void(actor.unit, number) or not door.may_edit(actor):
        raise NotIssuableError(f"本单位不能作废文号 {number.doc_no}")
    with door.writing():
        DbAllocator(number.county).void(number.doc_no, reason)
        record = CaseRecord.objects.filter(county=number.county, case_id=number.case_id).first()
        if record is not None:
            found = [i for i, n in enumerate(record.data.get("notices", [])) if n.get("doc_no") == number.doc_no]
            if found:
                remove_record(actor, record, "notices", found[0], reason=f"文号 {number.doc_no} 作废：{reason}")
        audit.log(actor, audit.NUMBER_VOIDED, number.doc_no, case=number.case_id, reason=reason)
