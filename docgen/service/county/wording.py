"""The audit log's details in words a person reads (the log page, its Excel export): field titles for JSON paths
and keys, labels for coded values, ID numbers masked. No models here: the event model reads through it too."""

from __future__ import annotations

from typing import Any

from docgen.cases.schema import case_field, path_parts, place_label
from docgen.service.county.privacy import masked

DETAIL_LABELS = {"reason": "原因", "path": "位置", "old": "原值", "new": "新值", "template": "文书", "doc_no": "文号",
                 "file": "文件", "evidence": "材料编号", "cases": "案卷", "case": "案卷", "full_ids": "完整身份证号",
                 "sha256": "文件SHA-256", "unit": "单位", "reset": "重设密码", "kind": "类别", "title": "任务",
                 "documents": "份数", "job": "任务编号"}
KIND_LABELS = {"render": "批量出具文书", "archive": "整理迎检档案", "audit": "核查案卷", "monthly": "月报表"}
NOT_SHOWN = {"sha256"}  # kept in the log (it ties the event to the stored file), not a thing a person reads


def describe(detail: dict[str, Any]) -> str:
    """An event's detail as a line a person reads: field names for JSON paths and keys, labels for coded values,
    ID numbers masked."""
    at = path_parts(str(detail["path"])) if "path" in detail else None
    parts = []
    for key, value in detail.items():
        if (key == "old" and value is None) or key in NOT_SHOWN:
            continue  # an added record: only its new value
        if key == "kind" and isinstance(value, str):
            value = KIND_LABELS.get(value, value)
        elif key == "file" and isinstance(value, str):
            value = value.replace("\\", "/").rsplit("/", 1)[-1]  # the file's name, not where the server keeps it
        elif key == "path":
            value = place_label(str(value)) or value
        elif key == "full_ids":
            value = "是" if value else "否（已遮盖）"
        parts.append(f"{DETAIL_LABELS.get(key, key)}：{_plain(value, at if key in ('old', 'new') else None)}")
    return masked("；".join(parts))


def _plain(value: Any, at: list[str | int] | None = None) -> str:
    """A value as text; inside a case (``at``: its place) with the schema's field titles and labels."""
    field = case_field(at) if at else None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        def title(key: str) -> str:
            inner = case_field([*at, key]) if at else None
            return inner.title if inner is not None and inner.title else key

        return "，".join(f"{title(k)}：{_plain(v, [*at, k] if at else None)}" for k, v in value.items())
    if isinstance(value, list):
        items = (_plain(v, [*at, n] if at else None) for n, v in enumerate(value))
        return "、".join(f"（{t}）" if isinstance(v, dict) else t for t, v in zip(items, value, strict=True))
    if field is not None and field.labels and isinstance(value, str):
        return field.labels.get(value, value)
    return "" if value is None else str(value)
