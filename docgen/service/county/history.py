"""A case's history of changes, from the versions django-simple-history keeps of every save: each version
compared with the one before it, field by field, named as a clerk reads them, ID numbers masked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from docgen.cases.schema import case_field, path_parts, place_label
from docgen.idcard import mask_id, mask_registry
from docgen.service.county.models import CaseRecord

MAX_VERSIONS = 50


@dataclass(frozen=True)
class Change:
    at: dt.datetime
    user: str
    place: str
    old: str
    new: str


@dataclass(frozen=True)
class Difference:
    place: str  # as a clerk reads it: 劝返记录（第1条）的劝返内容
    old: str
    new: str


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[Difference]:
    """What differs between two versions of a case, field by field, ID numbers masked."""
    old, new = dict(_leaves(before)), dict(_leaves(after))
    return [Difference(place_label(path) or path, _shown(path, old.get(path)), _shown(path, new.get(path)))
            for path in sorted(old.keys() | new.keys()) if old.get(path) != new.get(path)]


def _leaves(value: Any, path: str = "$") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{key}")
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for n, item in enumerate(value):
            yield from _leaves(item, f"{path}[{n}]")
    else:
        yield path, value


def _shown(path: str, value: Any) -> str:
    if value is None:
        return ""
    parts = path_parts(path)
    found = case_field(parts) if parts else None
    if found is not None and found.labels and isinstance(value, str):
        return found.labels.get(value, value)
    if path.endswith(".id_number"):
        return mask_id(str(value))
    if path.endswith(".registry_no"):
        return mask_registry(str(value))
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def case_changes(record: CaseRecord) -> list[Change]:
    """What changed in each save of the case, newest first, over its last MAX_VERSIONS saves (the first version
    shows as 建立案卷)."""
    versions = list(record.history.select_related("history_user").order_by("-history_date")[:MAX_VERSIONS + 1])
    changes = []
    for newer, older in pairwise(versions):
        changes.extend(Change(newer.history_date, _user(newer), d.place, d.old, d.new)
                       for d in differences(older.data, newer.data))
    if versions and len(versions) <= MAX_VERSIONS:  # the oldest version shown is the first one
        changes.append(Change(versions[-1].history_date, _user(versions[-1]), "建立案卷", "", ""))
    return changes


def _user(version: Any) -> str:
    return version.history_user.get_username() if version.history_user else "导入或系统"
