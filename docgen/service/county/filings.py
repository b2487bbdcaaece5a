"""Monthly reports (月报表): each school and township files last month's by the 20th (seed 000: 每月20日前);
the dashboard shows who has and who has not. The month and the day come from the library's rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError

from docgen.followup.monthly import filing_window
from docgen.service.county import audit, door
from docgen.service.county.door import Actor
from docgen.service.county.models import MonthlyFiling, Unit

FILERS = (Unit.Kind.SCHOOL, Unit.Kind.TOWNSHIP)


def report_month(today: dt.date) -> dt.date:
    """The month whose report is due by the 20th of this month: last month."""
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


@dataclass(frozen=True)
class FilingState:
    unit: Unit
    filing: MonthlyFiling | None
    due: dt.date
    overdue: bool


def filing_states(viewer: Unit | None, today: dt.date) -> list[FilingState]:
    """For the units the viewer oversees (the bureau and auditors: every school and township of the county; a
    township: itself and its schools; a school: itself), last month's report: filed when, or late."""
    if viewer is None:
        return []
    units = Unit.objects.filter(county=viewer.county, kind__in=FILERS)
    if viewer.kind == Unit.Kind.TOWNSHIP:
        units = units.filter(township=viewer.township)
    elif viewer.kind == Unit.Kind.SCHOOL:
        units = units.filter(pk=viewer.pk)
    elif viewer.kind not in (Unit.Kind.BUREAU, Unit.Kind.AUDITOR):
        return []
    month = report_month(today)
    _, due = filing_window(month)
    filed = {f.unit_id: f for f in MonthlyFiling.objects.filter(unit__in=units, month=month)}
    states = [FilingState(u, filed.get(u.pk), due, u.pk not in filed and today > due)
              for u in units.order_by("township", "kind", "name")]
    return sorted(states, key=lambda s: (not s.overdue, s.filing is not None, s.unit.township, s.unit.name))


def file_report(actor: Actor, today: dt.date) -> MonthlyFiling:
    """Record that the actor's unit filed last month's report today (once; filing again keeps the first day).
    The door's NotFound for a unit that does not file (the bureau, auditors)."""
    unit = actor.unit
    if unit is None or unit.kind not in FILERS:
        raise door.NotFound
    month = report_month(today)
    try:
        with door.writing():
            filing = MonthlyFiling.objects.create(unit=unit, month=month, filed_on=today, filed_by=actor.username)
            audit.log(actor, audit.FILE_REPORT, f"{month.year}年{month.month}月月报表")
    except IntegrityError:
        filing = MonthlyFiling.objects.get(unit=unit, month=month)
    return filing
