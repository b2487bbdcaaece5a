"""Storing a case in the service: the same checks as ``docgen validate`` (:func:`check_case`), then the record with
the indexed copies of its fields and its 文号 in the register (:func:`store_case`). Only the door
(:mod:`docgen.service.county.door`) calls :func:`store_case`, after its own checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction

from docgen.cases import Case, load_data, thaw
from docgen.cases.steps import legal_step
from docgen.errors import DataProblemsError
from docgen.service.county.models import CaseRecord
from docgen.service.county.register import register_recorded

if TYPE_CHECKING:
    from docgen.service.county.actors import Actor


def check_case(data: Mapping[str, Any], *, where: str = "网页", today: dt.date | None = None) -> Case:
    """``data`` checked against the case schema and the rules (DataProblemsError naming each field when it fails)."""
    (case,) = load_data([(where, dict(data))], today).checked()
    return case


def indexed_fields(case: Case) -> dict[str, Any]:
    """The columns a record keeps beside its JSON, for filtering and for the door's checks."""
    student = case.student
    return {"data": thaw(case.data), "township": case.township, "village": case.village, "school": case.school,
            "category": case.category, "status": case.status, "step": legal_step(case.data),
            "id_number": student.get("id_number", ""), "registry_no": student.get("registry_no", "")}


def store_case(case: Case, actor: Actor | None = None) -> CaseRecord:
    """Store a checked case, replacing the county's case of the same 案卷编号, and register the 文号 it records
    (DataProblemsError, nothing stored, when one is another document's). The history names the actor."""
    fields = indexed_fields(case)
    with transaction.atomic():
        record = CaseRecord.objects.select_for_update().filter(county=case.county, case_id=case.case_id).first()
        if record is None:
            record = CaseRecord(county=case.county, case_id=case.case_id)
        for key, value in fields.items():
            setattr(record, key, value)
        if actor is not None:
            record._history_user = actor.user()
            if actor.reason:
                record._change_reason = actor.reason[:100]
        record.save()
        problems = register_recorded(case.county, case.case_id, fields["data"].get("notices", []))
        if problems:
            raise DataProblemsError(problems)  # rolls the save back with the transaction
    return record
