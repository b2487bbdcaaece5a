"""The demo county in the service: its units, one account per unit, and its 24 cases (saved through the same
checks as any other case). Loading again resets the demo accounts' passwords and replaces the cases."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction

from docgen.demo import demo_cases
from docgen.demo.county import COUNTY
from docgen.demo.institutions import demo_units
from docgen.service.county.cases import save_case
from docgen.service.county.models import Member, Unit

KINDS = {"township": Unit.Kind.TOWNSHIP, "primary": Unit.Kind.SCHOOL, "middle": Unit.Kind.SCHOOL}


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    unit: str
    kind: str


def _units() -> list[tuple[str, str, str]]:
    """(name, kind, township) of the bureau, the auditors, and every township and school of the demo county."""
    units = [(f"{COUNTY}教育局", Unit.Kind.BUREAU, ""), (f"{COUNTY}人民政府教育督导室", Unit.Kind.AUDITOR, "")]
    raw, _ = demo_units()
    units += [(u["name"], KINDS[u["kind"]], u["township"]) for u in raw["units"] if u["kind"] in KINDS]
    return units


def load_demo(today: dt.date | None = None) -> list[Account]:
    """Put the demo county into the database; returns the accounts with fresh passwords."""
    batch, _, _ = demo_cases()
    accounts = []
    with transaction.atomic():
        for name, kind, township in _units():
            unit, _ = Unit.objects.update_or_create(county=COUNTY, name=name,
                                                    defaults={"kind": kind, "township": township})
            username = name.removesuffix("人民政府") if kind == Unit.Kind.TOWNSHIP else name
            password = secrets.token_urlsafe(9)
            user, _ = User.objects.get_or_create(username=username)
            user.set_password(password)
            user.save()
            Member.objects.update_or_create(user=user, defaults={"unit": unit})
            accounts.append(Account(username, password, name, Unit.Kind(kind).label))
        for case in batch["cases"]:
            save_case(case, source="示例县", today=today)
    return accounts
