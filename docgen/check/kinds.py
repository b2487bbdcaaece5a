"""The rule kinds the checklists combine. Each returns its failures: (details for the message, where, item).

A new requirement of an existing kind is a new entry in a checklist file; a new kind is a function
here plus a line in the checklist schema.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from docgen.cases.match import NotApplicable, failing, field_name, items, matches, resolve_date
from docgen.cases.model import FrozenDict, lookup
from docgen.cases.schema import case_field
from docgen.cases.steps import legal_step
from docgen.dates import full_years, parse_iso
from docgen.specs import SchoolCalendar


@dataclass(frozen=True)
class Failure:
    """One failure of a rule: message details, the JSON path it concerns, and the record (for placeholders)."""

    details: dict[str, Any]
    where: str = ""
    record: dict[str, Any] | None = None
    base: tuple[str, ...] = ()


@dataclass(frozen=True)
class Context:
    case: FrozenDict  # the checked case's own data (Case.data): the rules walk it as JSON
    as_of: dt.date
    calendar: SchoolCalendar


Kind = Callable[[dict[str, Any], Context], list[Failure]]


def _filtered(params: dict[str, Any], ctx: Context) -> list[tuple[int, dict[str, Any]]]:
    where = params.get("where", {})
    return [(i, it) for i, it in items(ctx.case, params["list"]) if matches(it, where, ctx.case)]


def _item_failure(params: dict[str, Any], i: int, item: dict[str, Any], extra: dict[str, Any] | None = None) -> Failure:
    base = (*params["list"].split("."), "[]")
    return Failure({"index": i + 1, **(extra or {})}, f"$.{params['list']}[{i}]", item, base)


def evidence(params: dict[str, Any], ctx: Context) -> list[Failure]:
    count = sum(1 for e in ctx.case.get("evidence", []) if isinstance(e, dict) and e.get("kind") in params["kinds"])
    need = params.get("min", 1)
    return [] if count >= need else [Failure({"count": count, "min": need}, "$.evidence")]


def field(params: dict[str, Any], ctx: Context) -> list[Failure]:
    bad = failing(ctx.case, params["expect"], ctx.case)
    if not bad:
        return []
    missing = "、".join(field_name(key.split(".")) for key in bad)
    return [Failure({"missing": missing}, "$." + bad[0], ctx.case)]


def count(params: dict[str, Any], ctx: Context) -> list[Failure]:
    found = len(_filtered(params, ctx))
    return [] if found >= params["min"] else [Failure({"count": found, "min": params["min"]}, f"$.{params['list']}")]


def _dated(params: dict[str, Any], ctx: Context) -> list[tuple[dt.date, int, dict[str, Any]]]:
    return sorted((d, i, it) for i, it in _filtered(params, ctx) if (d := parse_iso(it.get("date"))))


def last(params: dict[str, Any], ctx: Context) -> list[Failure]:
    dated = _dated(params, ctx)
    if not dated:
        return []  # no records at all: the count rules report that
    _, i, item = dated[-1]
    return [] if matches(item, params["expect"], ctx.case) else [_item_failure(params, i, item)]


def each(params: dict[str, Any], ctx: Context) -> list[Failure]:
    return [_item_failure(params, i, it) for i, it in _filtered(params, ctx)
            if not matches(it, params["expect"], ctx.case)]


def none_in_month(params: dict[str, Any], ctx: Context) -> list[Failure]:
    month = resolve_date(params["month_of"], ctx.case)
    label = f"{month.year}年{month.month}月"
    return [_item_failure(params, i, it, {"month": label}) for d, i, it in _dated(params, ctx)
            if (d.year, d.month) == (month.year, month.month)]


def order(params: dict[str, Any], ctx: Context) -> list[Failure]:
    later, earlier = resolve_date(params["later"], ctx.case), resolve_date(params["earlier"], ctx.case)
    if later > earlier:
        return []
    where = params["later"] if isinstance(params["later"], str) else params["later"]["list"]
    # Two events on one day are not one "before" the other: the rule's same-day wording says so.
    details = {"later": later.isoformat(), "earlier": earlier.isoformat(), "same_day": later == earlier}
    return [Failure(details, f"$.{where}")]


def duration(params: dict[str, Any], ctx: Context) -> list[Failure]:
    start, end = resolve_date(params["from"], ctx.case), resolve_date(params["to"], ctx.case)
    years = full_years(start, end)
    if years >= params["min_years"]:
        return []
    where = params["from"] if isinstance(params["from"], str) else params["from"]["list"]
    return [Failure({"from": start.isoformat(), "to": end.isoformat(), "years": years}, f"$.{where}")]


def cadence(params: dict[str, Any], ctx: Context) -> list[Failure]:
    """Sessions per teaching week, from the start until the last complete week before ``as_of``."""
    start = resolve_date(params["from"], ctx.case)
    if "not_before" in params:
        start = max(start, resolve_date(params["not_before"], ctx.case))
    days = sorted(d for _, it in items(ctx.case, params["list"]) if (d := parse_iso(it.get("date"))))
    failures = []
    for monday, sunday in ctx.calendar.teaching_weeks(start, ctx.as_of - dt.timedelta(days=1)):
        if sunday >= ctx.as_of:
            break  # the week is not over yet
        held = bisect.bisect_right(days, sunday) - bisect.bisect_left(days, monday)
        if held < params["per_week"]:
            failures.append(Failure({"week_start": monday.isoformat(), "week_end": sunday.isoformat(),
                                     "count": held, "per_week": params["per_week"]}, f"$.{params['list']}"))
    return failures


def any_of(params: dict[str, Any], ctx: Context) -> list[Failure]:
    for part in params["rules"]:
        try:
            if not KINDS[part["kind"]](part, ctx):
                return []
        except NotApplicable:
            continue
    return [Failure({})]


# situation.step names the four steps as the case schema does; legal_step() as the records show them.
_STEP_CODES = {"education": "publicity", "order": "order", "penalty": "penalty", "enforcement": "litigation"}


_STEP_ORDER = ("publicity", "order", "penalty", "litigation")


def legal_step_matches(params: dict[str, Any], ctx: Context) -> list[Failure]:
    """The four-step progress the case states is one its notices and legal actions record: a case may not claim
    a step it has no document of (a court ruling ahead of the stated step is a route of its own, not a gap)."""
    stated = lookup(ctx.case, "situation.step")
    if stated not in _STEP_ORDER:
        return []
    recorded = _STEP_CODES[legal_step(ctx.case)]
    if _STEP_ORDER.index(stated) <= _STEP_ORDER.index(recorded):
        return []
    labels = case_field(["situation", "step"]).labels
    return [Failure({"stated": labels.get(stated, stated), "recorded": labels.get(recorded, recorded)},
                    "$.situation.step")]


KINDS: dict[str, Kind] = {
    "evidence": evidence, "field": field, "count": count, "last": last, "each": each,
    "none_in_month": none_in_month, "order": order, "duration": duration, "cadence": cadence, "any_of": any_of,
    "legal_step": legal_step_matches,
}

