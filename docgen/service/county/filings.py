"""Monthly reports (月报表): each school and township files last month's by the 20th (seed 000: 每月20日前);
the dashboard shows who has and who has not. The month and the day come from the library's rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError

from docgen.errors import DocgenError
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
    elif not viewer.county_wide:
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


class NotWithdrawable(DocgenError):
    """The filing cannot be withdrawn (the message says why)."""


def withdraw_filing(actor: Actor, today: dt.date) -> dt.date:
    """Take back the unit's record that it filed last month's report — only on the day it was recorded (a slip of
    the hand; a filing of an earlier day stands, for the county has seen it). Returns the month."""
    unit = actor.unit
    if unit is None or unit.kind not in FILERS:
        raise door.NotFound
    month = report_month(today)
    with door.writing():
        filing = MonthlyFiling.objects.select_for_update().filter(unit=unit, month=month).first()
        if filing is None:
            raise NotWithdrawable(f"本单位没有登记{month.year}年{month.month}月月报表的报送")
        if filing.filed_on != today:
            raise NotWithdrawable(f"{filing.filed_on:%Y-%m-%d} 登记的报送只能当天撤回；确有错误请联系县教育局")
        filing.delete()
        audit.log(actor, audit.FILE_WITHDRAWN, f"{month.year}年{month.month}月月报表", filed_by=filing.filed_by)
    return month
