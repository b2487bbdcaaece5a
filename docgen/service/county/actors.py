"""Who is acting: a person at the browser (:func:`actor_of`), the person who started a job (:func:`job_actor`) or a
management command (:func:`command_actor`). What an actor may do is the door's (:mod:`docgen.service.county.door`);
the audit log records who did it."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest

from docgen.service.county.models import Member, Unit


@dataclass(frozen=True)
class Actor:
    """Who does something: a person at the browser, the person who started a job, or a management command.

    ``unit`` decides what it may do (none: nothing, unless ``system``: a command run by the county's
    administrator, with the bureau's rights in ``county_hint``'s county). ``reason`` says why, for the case's
    history and the audit log."""

    username: str
    unit: Unit | None
    address: str | None = None
    reason: str = ""
    user_id: int | None = None
    county_hint: str = ""
    system: bool = False

    @property
    def county(self) -> str:
        return self.unit.county if self.unit is not None else self.county_hint

    @property
    def kind(self) -> str:
        if self.unit is not None:
            return self.unit.kind
        return Unit.Kind.BUREAU if self.system else ""

    @property
    def unit_name(self) -> str:
        return self.unit.name if self.unit is not None else ""

    def user(self) -> User | None:
        """The account acting (for the case history), when there is one."""
        if self.user_id is not None:
            return User.objects.filter(pk=self.user_id).first()
        return User.objects.filter(username=self.username).first() if self.username else None


def client_address(request: HttpRequest) -> str | None:
    """The address a request came from. Behind ``DOCGEN_PROXY_COUNT`` trusted proxies (nginx adds the address it
    saw to X-Forwarded-For), the entry that many from the right; else the socket's peer. Also django-axes'
    lock-out key (AXES_CLIENT_IP_CALLABLE), so a lock-out falls on the person, not on the proxy."""
    address = request.META.get("REMOTE_ADDR")
    proxies = getattr(settings, "PROXY_COUNT", 0)
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def unit_of_user(user: Any) -> Unit | None:
    if user is None or not user.is_authenticated:
        return None
    member = Member.objects.select_related("unit").filter(user=user).first()
    return member.unit if member else None


def actor_of(request: HttpRequest) -> Actor:
    """The person making this request (kept on the request: one lookup per request)."""
    known = getattr(request, "_docgen_actor", None)
    user = getattr(request, "user", None)
    if known is not None and known.user_id == getattr(user, "pk", None):
        return known
    authenticated = user is not None and user.is_authenticated
    actor = Actor(user.get_username() if authenticated else "", unit_of_user(user), client_address(request),
                  user_id=user.pk if authenticated else None)
    request._docgen_actor = actor
    return actor


def job_actor(job: Any) -> Actor:
    """The person who started the job, acting through its unit (the one the job was started for)."""
    user = User.objects.filter(username=job.created_by).first()
    return Actor(job.created_by, job.unit, None, reason=f"后台任务 #{job.pk}", user_id=user.pk if user else None)


def command_actor(county: str, name: str = "命令行") -> Actor:
    """A management command of the county's administrator (``docgen account``, loading the demo)."""
    return Actor(name, None, None, reason=name, county_hint=county, system=True)
