"""Changing a case from the service: the new data goes through the door (the library's checks of the whole case,
then the actor's rights, see :mod:`docgen.service.county.door`) before anything is stored, and each change goes
into the audit log with its place, old and new value (and the reason, when there is one)."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from docgen.cases import lookup
from docgen.service.county import audit, door
from docgen.service.county.door import Actor
from docgen.service.county.models import CaseRecord


def _list(data: dict[str, Any], list_name: str) -> list[Any]:
    """The case's list ``list_name`` (dotted for a nested list: ``home_teaching.sessions``), made if absent."""
    *parents, last = list_name.split(".")
    for key in parents:
        data = data[key]
    return data.setdefault(last, [])


def _drop_if_empty(data: dict[str, Any], list_name: str) -> None:
    *parents, last = list_name.split(".")
    for key in parents:
        data = data[key]
    if not data.get(last):
        data.pop(last, None)


def next_item_path(record: CaseRecord, list_name: str) -> str:
    """The JSON path an item appended to ``list_name`` gets (where the library's problems with it point)."""
    return f"$.{list_name}[{len(_list(copy.deepcopy(record.data), list_name))}]"


def items(record: CaseRecord, list_name: str) -> list[Any]:
    """The case's list ``list_name`` as it is stored (empty when absent)."""
    data = lookup(record.data, list_name)
    return data if isinstance(data, list) else []


def add_record(actor: Actor, record: CaseRecord, list_name: str, item: dict[str, Any],
               uploads: Iterable[str] = ()) -> str:
    """Append ``item`` to the case's list ``list_name``; returns its JSON path. DataProblemsError (nothing
    stored) when the case would no longer pass the checks or the door refuses it."""
    path = next_item_path(record, list_name)
    data = copy.deepcopy(record.data)
    _list(data, list_name).append(item)
    with door.writing():
        door.save(actor, data, where=f"案卷 {record.case_id}", uploads=uploads)
        audit.log(actor, audit.CHANGE, record.case_id, path=path, old=None, new=item)
    return path


def add_linked_record(actor: Actor, record: CaseRecord, list_name: str, item: dict[str, Any],
                      link: tuple[str, int], uploads: Iterable[str] = ()) -> str:
    """Append ``item`` (which has an ``id``) to ``list_name`` and name it in the ``evidence`` of the record at
    ``link`` (list, index) — the material and the record it proves saved together, both changes logged."""
    path = next_item_path(record, list_name)
    data = copy.deepcopy(record.data)
    _list(data, list_name).append(item)
    target_list, index = link
    target = _list(data, target_list)[index]
    old = list(target.get("evidence", []))
    target["evidence"] = [*old, item["id"]]
    with door.writing():
        door.save(actor, data, where=f"案卷 {record.case_id}", uploads=uploads)
        audit.log(actor, audit.CHANGE, record.case_id, path=path, old=None, new=item)
        audit.log(actor, audit.CHANGE, record.case_id, path=f"$.{target_list}[{index}].evidence", old=old or None,
                  new=target["evidence"])
    return path


def remove_record(actor: Actor, record: CaseRecord, list_name: str, index: int, reason: str) -> None:
    """Take ``list_name[index]`` out of the case (logged with the old value and the reason)."""
    data = copy.deepcopy(record.data)
    old = _list(data, list_name).pop(index)
    _drop_if_empty(data, list_name)
    with door.writing():
        door.save(actor, data, where=f"案卷 {record.case_id}")
        audit.log(actor, audit.CHANGE, record.case_id, path=f"$.{list_name}[{index}]", old=old, new=None,
                  reason=reason)


def update_record(actor: Actor, record: CaseRecord, list_name: str, index: int, changes: dict[str, Any],
                  reason: str = "") -> str:
    """Set fields of the case's ``list_name[index]``; each changed field is logged with its old and new value.
    DataProblemsError (nothing stored) when the case would no longer pass the checks or the door refuses it."""
    data = copy.deepcopy(record.data)
    item = _list(data, list_name)[index]
    path = f"$.{list_name}[{index}]"
    changed = {k: (item.get(k), v) for k, v in changes.items() if item.get(k) != v}
    item.update(changes)
    for key in [k for k, v in changes.items() if v in (None, "")]:
        item.pop(key, None)  # a field emptied is a field removed (the schema has no empty values)
    with door.writing():
        door.save(actor, data, where=f"案卷 {record.case_id}")
        for key, (old, new) in changed.items():
            audit.log(actor, audit.CHANGE, record.case_id, path=f"{path}.{key}", old=old,
                      new=None if new in (None, "") else new,
                      **({"reason": reason} if reason else {}))
    return path
