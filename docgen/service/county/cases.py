"""Saving a case in the service: the same checks as ``docgen validate``, then the indexed copies of its fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from docgen.cases import load_data, thaw
from docgen.cases.steps import legal_step
from docgen.errors import DataProblemsError
from docgen.service.county.models import CaseRecord
from docgen.service.county.register import register_recorded


def save_case(data: Mapping[str, Any], *, source: str = "网页", today: dt.date | None = None) -> CaseRecord:
    """Check ``data`` against the case schema and the rules (DataProblemsError naming each field when it
    fails) and store it, replacing the county's case of the same 案卷编号."""
    (case,) = load_data([(source, dict(data))], today).checked()
    fields = {"data": thaw(case.data), "township": case.township,
              "village": case.village, "school": case.school, "category": case.category, "status": case.status,
              "step": legal_step(case.data)}
    with transaction.atomic():
        record, _ = CaseRecord.objects.update_or_create(county=case.county, case_id=case.case_id, defaults=fields)
        problems = register_recorded(case.county, case.case_id, fields["data"].get("notices", []))
        if problems:
            raise DataProblemsError(problems)  # rolls the save back with the transaction
    return record
