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


def _list(data: dict[str, Any], list_name: str) -> list[Any]:
    """The case's list ``list_name`` (dotted for a nested list: ``home_teaching.sessions``), made if absent."""
    *parents, last = list_name.split(".")
    for key in parents:
        data = data[key]
    return data.setdefault(last, [])


def next_item_path(record: CaseRecord, list_name: str) -> str:
    """The JSON path an item appended to ``list_name`` gets (where the library's problems with it point)."""
    return f"$.{list_name}[{len(_list(copy.deepcopy(record.data), list_name))}]"


def add_record(request: HttpRequest, record: CaseRecord, list_name: str, item: dict[str, Any]) -> str:
    """Append ``item`` to the case's list ``list_name``; returns its JSON path. DataProblemsError (nothing
    stored) when the case would no longer pass the checks."""
    path = next_item_path(record, list_name)
    data = copy.deepcopy(record.data)
    _list(data, list_name).append(item)
    with transaction.atomic():
        save_case(data, source=f"案卷 {record.case_id}")
        audit.log(request, audit.CHANGE, record.case_id, path=path, old=None, new=item)
    return path


def remove_record(request: HttpRequest, record: CaseRecord, list_name: str, index: int, reason: str) -> None:
    """Take ``list_name[index]`` out of the case (logged with the old value and the reason)."""
    data = copy.deepcopy(record.data)
    old = data[list_name].pop(index)
    if not data[list_name]:
        del data[list_name]
    with transaction.atomic():
        save_case(data, source=f"案卷 {record.case_id}")
        audit.log(request, audit.CHANGE, record.case_id, path=f"$.{list_name}[{index}]", old=old, new=None,
                  reason=reason)


def update_record(request: HttpRequest, record: CaseRecord, list_name: str, index: int,
                  changes: dict[str, Any]) -> str:
    """Set fields of the case's ``list_name[index]``; each changed field is logged with its old and new value.
    DataProblemsError (nothing stored) when the case would no longer pass the checks."""
    data = copy.deepcopy(record.data)
    item = data[list_name][index]
    path = f"$.{list_name}[{index}]"
    changed = {k: (item.get(k), v) for k, v in changes.items() if item.get(k) != v}
    item.update(changes)
    with transaction.atomic():
        save_case(data, source=f"案卷 {record.case_id}")
        for key, (old, new) in changed.items():
            audit.log(request, audit.CHANGE, record.case_id, path=f"{path}.{key}", old=old, new=new)
    return path
