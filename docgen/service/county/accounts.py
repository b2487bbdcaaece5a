"""Units and accounts of a real county, made by its administrator (the demo makes its own)."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import User
from django.db import transaction

from docgen.errors import DocgenError
from docgen.service.county.models import Member, Unit


class AccountError(DocgenError):
    """An account that cannot be made as asked (the message says why)."""


def add_account(county: str, username: str, unit_name: str, kind: str, township: str = "") -> str:
    """Make the unit (when new) and the user in it, or give an existing user of the county a new password and
    unit; returns the user's new password."""
    if kind not in Unit.Kind.values:
        raise AccountError(f"单位类别“{kind}”不对，应为：{'、'.join(Unit.Kind.values)}")
    if kind in (Unit.Kind.TOWNSHIP, Unit.Kind.SCHOOL) and not township:
        raise AccountError(f"{Unit.Kind(kind).label}要写明所属乡镇")
    unit = Unit.objects.filter(county=county, name=unit_name).first()
    if unit is not None and (unit.kind, unit.township) != (kind, township if kind in ("township", "school") else ""):
        raise AccountError(f"单位“{unit_name}”已经登记为{unit.get_kind_display()}"
                           f"{f'（{unit.township}）' if unit.township else ''}，请核对单位类别和所属乡镇")
    member = Member.objects.select_related("unit").filter(user__username=username).first()
    if member is not None and member.unit.county != county:
        raise AccountError(f"用户名“{username}”已被{member.unit.county}使用，请换一个")
    password = secrets.token_urlsafe(9)
    with transaction.atomic():
        if unit is None:
            unit = Unit.objects.create(county=county, name=unit_name, kind=kind,
                                       township=township if kind in ("township", "school") else "")
        user, _ = User.objects.get_or_create(username=username)
        user.set_password(password)
        user.save()
        Member.objects.update_or_create(user=user, defaults={"unit": unit})
    return password


def reset_password(county: str, username: str) -> str:
    """A new password for an account of the county (AccountError when there is none)."""
    member = Member.objects.select_related("user", "unit").filter(user__username=username, unit__county=county).first()
    if member is None:
        raise AccountError(f"本县没有账号“{username}”")
    password = secrets.token_urlsafe(9)
    member.user.set_password(password)
    member.user.save()
    return password
