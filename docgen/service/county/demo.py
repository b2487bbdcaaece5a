"""The demo county in the service: its units, one account per unit, its 24 cases (saved through the same
checks as any other case) and its roster of compulsory-age children. Loading again resets the demo accounts'
passwords and replaces the cases and the roster."""

from __future__ import annotations

import copy
import datetime as dt
import secrets
from dataclasses import dataclass
from functools import cache

from django.contrib.auth.models import User

from docgen.demo import copy_case, demo_cases
from docgen.demo.county import COUNTY
from docgen.demo.evidence import placeholder_bytes
from docgen.demo.institutions import demo_units
from docgen.demo.roster import demo_roster
from docgen.roster.model import check_roster
from docgen.service.county import door
from docgen.service.county.models import Member, RosterFile, Unit
from docgen.service.county.store import store

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


@cache
def _demo_files() -> tuple[tuple[dict, tuple[tuple[str, bytes], ...]], ...]:
    """Each demo case and its placeholder evidence files (id, bytes) — the files the demo withholds on purpose
    left out, for the audit to find. Drawn once per process: the demo is the same every time."""
    batch, _, withheld = demo_cases()
    return tuple((case, tuple((item["id"], placeholder_bytes(case, item)) for item in case.get("evidence", [])
                              if item["id"] not in withheld.get(case["case_id"], set())))
                 for case in batch["cases"])


def _stored_demo_cases() -> list[dict]:
    """The demo cases with their evidence files in the store, each recorded with its SHA-256 as an upload is."""
    cases = []
    for case, files in _demo_files():
        case = copy.deepcopy(case)
        digests = {item_id: store(data) for item_id, data in files}
        for item in case.get("evidence", []):
            if item["id"] in digests:
                item["sha256"] = digests[item["id"]]
        cases.append(case)
    return cases


def load_demo(today: dt.date | None = None) -> list[Account]:
    """Put the demo county into the database, its evidence into the store; returns the accounts with fresh
    passwords."""
    cases = _stored_demo_cases()
    accounts = []
    with door.writing():
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
        loader = door.command_actor(COUNTY, "示例县")
        for case in cases:
            door.save(loader, case, where="示例县", uploads=door.stored_digests(case), today=today)
        roster = check_roster("示例县适龄儿童少年台账", demo_roster([case for case, _ in _demo_files()]))
        RosterFile.objects.filter(county=COUNTY).delete()
        RosterFile.objects.create(county=COUNTY, school_year=roster.school_year,
                                  data={"schema_version": 1, "county": roster.county,
                                        "school_year": roster.school_year, "children": roster.children},
                                  children=len(roster.children), name="示例县适龄儿童少年台账.xlsx",
                                  imported_by="示例县")
    return accounts


def add_copies(scale: int) -> None:
    """Every demo case copied ``scale - 1`` more times (saved through the same checks as any case)."""
    loader = door.command_actor(COUNTY, "示例县（放大）")
    for case in _stored_demo_cases():
        for k in range(1, scale):
            copied = copy_case(case, k)
            door.save(loader, copied, where="示例县（放大）", uploads=door.stored_digests(copied))
