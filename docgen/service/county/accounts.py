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
    """Make (or update) the unit and the user in it; returns the user's new password."""
    if kind not in Unit.Kind.values:
        raise AccountError(f"单位类别“{kind}”不对，应为：{'、'.join(Unit.Kind.values)}")
    if kind in (Unit.Kind.TOWNSHIP, Unit.Kind.SCHOOL) and not township:
        raise AccountError(f"{Unit.Kind(kind).label}要写明所属乡镇（--township）")
    password = secrets.token_urlsafe(9)
    with transaction.atomic():
        unit, _ = Unit.objects.update_or_create(county=county, name=unit_name,
                                                defaults={"kind": kind, "township": township})
        user, _ = User.objects.get_or_create(username=username)
        user.set_password(password)
        user.save()
        Member.objects.update_or_create(user=user, defaults={"unit": unit})
    return password
