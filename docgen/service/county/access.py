"""Who sees what: every list, page and download goes through these, deny by default.

county bureau — every case of its county; township — cases whose student lives in it (户籍) or studies at one
of its schools; school — its own students; auditor — read-only over the county. A user without a unit, or
of an unknown kind, sees nothing.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from docgen.service.county.models import CaseRecord, IssuedNumber, Member, Unit

User = AbstractBaseUser | AnonymousUser


def unit_of(user: User) -> Unit | None:
    if not user.is_authenticated:
        return None
    member = Member.objects.select_related("unit").filter(user=user).first()
    return member.unit if member else None


def visible_cases(user: User) -> QuerySet[CaseRecord]:
    unit = unit_of(user)
    if unit is None:
        return CaseRecord.objects.none()
    cases = CaseRecord.objects.filter(county=unit.county)
    if unit.kind in (Unit.Kind.BUREAU, Unit.Kind.AUDITOR):
        return cases
    if unit.kind == Unit.Kind.TOWNSHIP:
        schools = Unit.objects.filter(county=unit.county, kind=Unit.Kind.SCHOOL, township=unit.township)
        return cases.filter(Q(township=unit.township) | Q(school__in=schools.values("name")))
    if unit.kind == Unit.Kind.SCHOOL:
        return cases.filter(school=unit.name)
    return CaseRecord.objects.none()


def visible_numbers(user: User) -> QuerySet[IssuedNumber]:
    """The register as far as the unit's own documents go (the bureau and auditors: the county's)."""
    unit = unit_of(user)
    if unit is None:
        return IssuedNumber.objects.none()
    numbers = IssuedNumber.objects.filter(county=unit.county)
    if unit.kind in (Unit.Kind.BUREAU, Unit.Kind.AUDITOR):
        return numbers
    return numbers.filter(case_id__in=visible_cases(user).values("case_id"))


def may_edit(user: User) -> bool:
    """Auditors read; bureau, township and school staff record their work."""
    unit = unit_of(user)
    return unit is not None and unit.kind in (Unit.Kind.BUREAU, Unit.Kind.TOWNSHIP, Unit.Kind.SCHOOL)
