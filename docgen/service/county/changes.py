"""Changing a case from the service: the new data is checked as a whole by the library before anything is
stored, and each change goes into the audit log with its place, old and new value."""

from __future__ import annotations

import copy
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from docgen.service.county import audit
from docgen.service.county.cases import save_case
from docgen.service.county.models import CaseRecord


def add_record(request: HttpRequest, record: CaseRecord, list_name: str, item: dict[str, Any]) -> str:
    """Append ``item`` to the case's list ``list_name``; returns its JSON path. DataProblemsError (nothing
    stored) when the case would no longer pass the checks."""
    data = copy.deepcopy(record.data)
    items = data.setdefault(list_name, [])
    items.append(item)
    path = f"$.{list_name}[{len(items) - 1}]"
    with transaction.atomic():
        save_case(data, source=f"案卷 {record.case_id}")
        audit.log(request, audit.CHANGE, record.case_id, path=path, old=None, new=item)
    return path
