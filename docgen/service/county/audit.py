"""The audit log (个人信息保护法 Art. 51, 未成年人保护法 Art. 72): sign-ins and failures, case views, reveals of a
full ID number, and later every change, number and export — appended, never changed."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from docgen.service.county.access import unit_of
from docgen.service.county.models import AuditEvent

SIGN_IN, SIGN_IN_FAILED, VIEW_CASE, REVEAL_ID = "登录", "登录失败", "查看案卷", "查看完整身份证号"
CHANGE = "修改案卷"
DOWNLOAD = "下载材料"
GENERATE, NUMBER_ISSUED, NUMBER_VOIDED = "生成文书", "编发文号", "作废文号"
IMPORT, EXPORT = "导入台账", "导出"
FILE_REPORT = "报送月报表"
ACCOUNT = "管理账号"
JOB_STARTED, JOB_CANCELLED = "发起后台任务", "取消后台任务"


def log(request: HttpRequest | None, action: str, target: str = "", username: str = "",
        **detail: Any) -> AuditEvent:
    user = getattr(request, "user", None)
    unit = unit_of(user) if user is not None else None
    name = username or (user.get_username() if user is not None and user.is_authenticated else "")
    address = request.META.get("REMOTE_ADDR") if request is not None else None
    return AuditEvent.objects.create(username=name, unit=unit.name if unit else "", action=action, target=target,
                                     detail=detail, address=address)


@receiver(user_logged_in)
def _signed_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    log(request, SIGN_IN)


@receiver(user_login_failed)
def _sign_in_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None,
                    **kwargs: Any) -> None:
    log(request, SIGN_IN_FAILED, username=str(credentials.get("username", ""))[:150])


def events_workbook(events: Iterable[AuditEvent]) -> bytes:
    """The log as an Excel workbook for the bureau (the export itself is logged by the caller)."""
    from docgen.fsutil import save_workbook
    from docgen.xlsx import Table, new_workbook, write_sheet

    rows = [[timezone.localtime(e.at).replace(tzinfo=None), e.username, e.unit, e.action, e.target,
             describe(e.detail), e.address or ""] for e in events]
    workbook = new_workbook()
    now = timezone.localtime()
    header = ["时间", "用户", "单位", "操作", "对象", "详情", "地址"]
    write_sheet(workbook, "操作日志", "操作日志", [Table(header, rows)],
                subtitle=f"共 {len(rows)} 条，按时间先后排列；导出于{now.year}年{now.month}月{now.day}日 {now:%H:%M}",
                widths={6: 40})
    with tempfile.TemporaryDirectory(prefix="docgen-audit-") as tmp:
        out = Path(tmp) / "audit.xlsx"
        save_workbook(workbook, out)
        return out.read_bytes()


DETAIL_LABELS = {"reason": "原因", "path": "位置", "old": "原值", "new": "新值", "template": "文书", "doc_no": "文号",
                 "file": "文件", "evidence": "材料编号", "cases": "案卷", "case": "案卷", "full_ids": "完整身份证号",
                 "sha256": "文件SHA-256", "unit": "单位", "reset": "重设密码", "kind": "类别", "title": "任务",
                 "documents": "份数", "job": "任务编号"}


def describe(detail: dict[str, Any]) -> str:
    """An event's detail as a line a person reads: field names for JSON paths and keys, labels for coded values,
    ID numbers masked."""
    from docgen.cases.schema import path_parts, place_label
    from docgen.idcard import mask_ids_in

    at = path_parts(str(detail["path"])) if "path" in detail else None
    parts = []
    for key, value in detail.items():
        if key == "old" and value is None:
            continue  # an added record: only its new value
        if key == "path":
            value = place_label(str(value)) or value
        elif key == "full_ids":
            value = "是" if value else "否（已遮盖）"
        parts.append(f"{DETAIL_LABELS.get(key, key)}：{_plain(value, at if key in ('old', 'new') else None)}")
    return mask_ids_in("；".join(parts))


def _plain(value: Any, at: list[str | int] | None = None) -> str:
    """A value as text; inside a case (``at``: its place) with the schema's field titles and labels."""
    from docgen.cases.schema import case_field

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
