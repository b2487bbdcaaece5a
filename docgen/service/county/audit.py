"""The audit log (个人信息保护法 Art. 51, 未成年人保护法 Art. 72): sign-ins and failures, case views, reveals of a
full ID number, and later every change, number and export — appended, never changed."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from docgen.service.county.access import unit_of
from docgen.service.county.models import AuditEvent

SIGN_IN, SIGN_IN_FAILED, VIEW_CASE, REVEAL_ID = "登录", "登录失败", "查看案卷", "查看完整身份证号"
CHANGE = "修改案卷"
DOWNLOAD = "下载材料"


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
