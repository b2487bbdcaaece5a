"""Units and accounts of a real county, made by its bureau (the 单位和账号 page) or its administrator
(``docgen account``), through the door: only the bureau of the county (or a command for it) makes or resets
them, and each is logged — never with a password (the demo makes its own)."""

from __future__ import annotations

import difflib
import hashlib
import re
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.signing import BadSignature, Signer

from docgen.errors import DocgenError
from docgen.service.county import audit, door
from docgen.service.county.door import Actor
from docgen.service.county.models import Member, Unit


class AccountError(DocgenError):
    """An account that cannot be made as asked (the message says why; ``field`` names the form's field it is
    about, when one)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _may_manage(actor: Actor) -> bool:
    return actor.kind == Unit.Kind.BUREAU and bool(actor.county)


@dataclass(frozen=True)
class Made:
    password: str  # shown once
    similar: tuple[str, ...] = ()  # a new unit's name is close to these units of the county: a typo?


def similar_units(county: str, name: str) -> list[str]:
    """Units of the county whose names are close to ``name`` (a typo, or the same unit written another way)."""
    names = list(Unit.objects.filter(county=county).exclude(name=name).values_list("name", flat=True))
    core = name.removesuffix("人民政府")
    close = set(difflib.get_close_matches(name, names, n=3, cutoff=0.75))
    close |= {n for n in names if core and (core in n or n.removesuffix("人民政府") in core)}
    return sorted(close)


def add_account(actor: Actor, username: str, unit_name: str, kind: str, township: str = "", *,
                new_unit: bool = False, again: bool = False) -> Made:
    """Make the user in a unit of the county — a unit not yet registered only when ``new_unit`` says so (a typo
    never makes a ninth unit). An existing user of the county is given a new password and unit only when ``again``
    says so (the administrator's ``docgen account`` run again): on the page a name already taken is refused, so
    adding an account never moves someone's account, and its cases, to another unit. The door's NotFound when the
    actor may not manage accounts; AccountError naming what is wrong (and the units whose names are close to an
    unknown one)."""
    if not _may_manage(actor):
        raise door.NotFound
    county = actor.county
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as exc:
        raise AccountError("用户名只能含文字、数字和 @ . + - _（不能有空格、/ 或 \\）") from exc
    if re.search(r"[/\\]", unit_name + township):
        raise AccountError("单位名称和乡镇名称中不能有 / 或 \\")
    if kind not in Unit.Kind.values:
        raise AccountError(f"单位类别“{kind}”不对，应为：{'、'.join(Unit.Kind.values)}")
    if kind in (Unit.Kind.TOWNSHIP, Unit.Kind.SCHOOL) and not township:
        raise AccountError(f"{Unit.Kind(kind).label}要写明所属乡镇")
    unit = Unit.objects.filter(county=county, name=unit_name).first()
    similar = similar_units(county, unit_name) if unit is None else []
    if unit is None and not new_unit:
        near = f"相近的单位：{'、'.join(similar)}。" if similar else ""
        raise AccountError(f"本县还没有单位“{unit_name}”。{near}请从列表中选已有的单位；确是新单位时勾选“新建单位”",
                           field="unit")
    if unit is not None and (unit.kind, unit.township) != (kind, township if kind in ("township", "school") else ""):
        raise AccountError(f"单位“{unit_name}”已经登记为{unit.get_kind_display()}"
                           f"{f'（{unit.township}）' if unit.township else ''}，请核对单位类别和所属乡镇")
    member = Member.objects.select_related("unit").filter(user__username=username).first()
    if member is not None and member.unit.county != county:
        raise AccountError(f"用户名“{username}”已被其他县使用，请换一个", field="username")
    if member is not None and not again:
        raise AccountError(f"本县已有账号“{username}”（{member.unit.name}），请换一个用户名；要给这个账号新密码，"
                           "请在下面的账号列表中点它旁边的“重设密码”", field="username")
    if member is None and User.objects.filter(username=username).exists():
        raise AccountError(f"用户名“{username}”已被使用，请换一个", field="username")
    password = secrets.token_urlsafe(9)
    with door.writing():
        if unit is None:
            unit = Unit.objects.create(county=county, name=unit_name, kind=kind,
                                       township=township if kind in ("township", "school") else "")
        user, _ = User.objects.get_or_create(username=username)
        user.set_password(password)
        user.save()
        Member.objects.update_or_create(user=user, defaults={"unit": unit})
        audit.log(actor, audit.ACCOUNT, username, unit=unit_name)
    return Made(password, tuple(similar))


class AlreadyReset(AccountError):
    """A reset confirmed again (a page sent twice): the password was reset once and is not reset again."""


def _member(actor: Actor, username: str) -> Member:
    if not _may_manage(actor):
        raise door.NotFound
    member = Member.objects.select_related("user", "unit").filter(user__username=username,
                                                                   unit__county=actor.county).first()
    if member is None:
        raise AccountError(f"本县没有账号“{username}”")
    return member


def reset_token(actor: Actor, username: str) -> tuple[str, Unit]:
    """What confirms one reset of this account's password (it stops holding once the password changed: a page
    sent again resets nothing), and the account's unit. The door's NotFound, AccountError as for a reset."""
    member = _member(actor, username)
    return _RESETS.sign(_password_mark(member)), member.unit


def _password_mark(member: Member) -> str:
    return hashlib.sha256(f"{member.user.pk}:{member.user.password}".encode()).hexdigest()[:24]


_RESETS = Signer(salt="docgen.accounts.reset")


def reset_password(actor: Actor, username: str, token: str) -> tuple[str, Unit]:
    """A new password for an account of the actor's county, and its unit — once for each ``token`` of
    :func:`reset_token`: AccountError when there is no such account, AlreadyReset when the token was used or is
    not one."""
    member = _member(actor, username)
    try:
        if _RESETS.unsign(token) != _password_mark(member):
            raise BadSignature(token)
    except BadSignature as exc:
        raise AlreadyReset(f"账号“{username}”的密码已经重设过了（页面又提交了一次），没有再重设；"
                           "需要再重设时请在账号列表中重新点“重设密码”") from exc
    password = secrets.token_urlsafe(9)
    with door.writing():
        member.user.set_password(password)
        member.user.save()
        audit.log(actor, audit.ACCOUNT, username, reset=True)
    return password, member.unit
