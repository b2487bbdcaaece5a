"""One case seen through the procedure: when each step happened (its occurrences), who took it, and the days
the steps' time rules count from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from docgen.cases import Case, lookup
from docgen.cases.match import matches
from docgen.dates import parse_iso
from docgen.specs.procedure import Bound, Point, Procedure, RecordSpec, Step


@dataclass(frozen=True)
class Occurrence:
    """One time a case records a step: its date, the record (and the record above it), where it is."""

    step: Step
    date: dt.date
    path: str
    record: Mapping[str, Any]
    parent: Mapping[str, Any] | None
    spec: RecordSpec

    @property
    def actor(self) -> Any:
        return lookup(self.record, self.spec.actor) if self.spec.actor else None

    @property
    def served(self) -> dt.date:
        """The day it reached its addressee (the day it was issued when no service is recorded)."""
        return (parse_iso(lookup(self.record, self.spec.served)) if self.spec.served else None) or self.date

    @property
    def deadline(self) -> dt.date | None:
        return parse_iso(lookup(self.record, self.spec.deadline)) if self.spec.deadline else None


@dataclass(frozen=True)
class Hole:
    """A parent record whose step is missing (a letter without its reply): where the step should be."""

    path: str
    parent: Mapping[str, Any]


class Timeline:
    """The steps of one case, found once and kept."""

    def __init__(self, case: Case, procedure: Procedure, as_of: dt.date | None = None) -> None:
        """``as_of``: see the case as it stood that day (what it records for later days has not happened yet)."""
        self.case = case
        self.procedure = procedure
        self.as_of = as_of
        self._found: dict[str, list[Occurrence]] = {}

    def _happened(self, day: dt.date | None) -> bool:
        return day is not None and (self.as_of is None or day <= self.as_of)

    # ---- which steps apply ----
    def applies(self, step: Step) -> bool:
        return self.case.category in step.applies_to and (not step.when or matches(self.case, dict(step.when),
                                                                                      self.case))

    @cached_property
    def steps(self) -> list[Step]:
        return [s for s in self.procedure.steps if self.applies(s)]

    # ---- when things happened ----
    def event(self, event_id: str) -> dt.date | None:
        for dotted in self.procedure.events[event_id].fields:
            day = self.case.date(dotted)
            if day is not None:
                return day if self._happened(day) else None
        return None

    @cached_property
    def ended_on(self) -> dt.date | None:
        """The day the case stopped needing the dropout procedure: back in school, or closed out."""
        days = [d for d in (self.case.returned_on, self.case.closed_on)
                if self._happened(d)]
        return min(days) if days else None

    def open_on(self, day: dt.date) -> bool:
        return self.ended_on is None or day < self.ended_on

    def specs(self, step: Step) -> tuple[RecordSpec, ...]:
        moved = step.records_moved_away and self.case.get_path("inflow_place")
        return step.records_moved_away if moved else step.records

    def occurrences(self, step: Step) -> list[Occurrence]:
        """Every record of the step, oldest first (records without a readable date are not occurrences)."""
        if step.id not in self._found:
            found = []
            for spec in self.specs(step):
                found = [o for o in self._read(step, spec)]
                if found:
                    break
            self._found[step.id] = sorted(found, key=lambda o: (o.date, o.path))
        return self._found[step.id]

    def chosen(self, step: Step) -> list[Occurrence]:
        """The occurrences the step's rules judge: the first, the last, or each."""
        found = self.occurrences(step)
        if not found or step.pick == "each":
            return found
        return [found[0] if step.pick == "first" else found[-1]]

    def holes(self, step: Step) -> list[Hole]:
        """For a step recorded inside another record (a reply inside its letter): the records that lack it."""
        out = []
        for spec in self.specs(step):
            if not (spec.list and spec.each):
                continue
            for i, parent in self.case.records(spec.list):
                if not matches(parent, dict(spec.where), self.case) or not self._happened(_record_day(parent)):
                    continue
                if not self._children(parent, spec):
                    out.append(Hole(f"$.{spec.list}[{i}]", parent))
        return out

    def _children(self, parent: Mapping[str, Any], spec: RecordSpec) -> list[tuple[str, Mapping[str, Any]]]:
        value = lookup(parent, spec.each)
        if isinstance(value, Mapping):
            items = [("", value)]
        elif isinstance(value, list):
            items = [(f"[{j}]", v) for j, v in enumerate(value) if isinstance(v, Mapping)]
        else:
            items = []
        return [(suffix, v) for suffix, v in items if matches(v, dict(spec.each_where), self.case)]

    def _read(self, step: Step, spec: RecordSpec) -> list[Occurrence]:
        if not spec.list:
            day = self.case.date(spec.date)
            if not self._happened(day):
                return []
            base = spec.date.rsplit(".", 1)[0] if "." in spec.date else ""
            record = lookup(self.case, base) if base else self.case
            fake = RecordSpec(date=spec.date.rsplit(".", 1)[-1], actor=_relative(spec.actor, base))
            return [Occurrence(step, day, f"$.{spec.date}", record if isinstance(record, Mapping) else {}, None,
                               fake)]
        out = []
        keep = _filter(spec.where)
        for i, item in self.case.records(spec.list):
            if not (keep(item) if keep is not None else matches(item, dict(spec.where), self.case)):
                continue
            path = f"$.{spec.list}[{i}]"
            if not spec.each:
                day = parse_iso(item.get(spec.date) if "." not in spec.date else lookup(item, spec.date))
                if self._happened(day):
                    out.append(Occurrence(step, day, path, item, None, spec))
                continue
            for suffix, child in self._children(item, spec):
                day = parse_iso(lookup(child, spec.date))
                if self._happened(day):
                    out.append(Occurrence(step, day, f"{path}.{spec.each}{suffix}", child, item, spec))
        return out

    # ---- the days rules count from ----
    def point(self, point: Point, occurrence: Occurrence | None = None) -> dt.date | None:
        if point.event:
            return self.event(point.event)
        if point.parent:
            parent = occurrence.parent if occurrence is not None else None
            return parse_iso(lookup(parent, point.parent)) if parent is not None else None
        if point.step:
            found = self.occurrences(self.procedure.step(point.step))
            if point.nth:
                if len(found) < point.nth:
                    return None
                other = found[point.nth - 1]
            elif not found:
                return None
            else:  # a step taken once: its first time; each time (a renewed leave): the latest
                other = found[0] if self.procedure.step(point.step).pick == "first" else found[-1]
            if point.field == "served":
                return other.served
            if point.field == "deadline":
                return other.deadline
            return parse_iso(lookup(other.record, point.field)) if point.field else other.date
        return self.case.date(point.field) if point.field else None

    def point_label(self, point: Point) -> str:
        if point.event:
            return self.procedure.events[point.event].title
        if point.step:
            title = self.procedure.step(point.step).title
            return {"served": f"{title}的送达日", "deadline": f"{title}的限期"}.get(point.field, title)
        return point.field or point.parent

    def limit(self, bound: Bound, direction: str,
              occurrence: Occurrence | None = None) -> tuple[dt.date, dt.date] | None:
        """(the day counted from, the limit) of a bound; with several points, the one that allows most (the
        earliest for not_before, the latest for not_after). None when no point is recorded."""
        found = []
        for point in bound.points:
            day = self.point(point, occurrence)
            if day is not None:
                found.append((day, bound.wait.after(day, self.case, self.procedure.calendar)))
        if not found:
            return None
        return min(found, key=lambda f: f[1]) if direction == "not_before" else max(found, key=lambda f: f[1])


@lru_cache(maxsize=256)
def _simple(where: tuple[tuple[str, Any], ...]) -> Callable[[Mapping[str, Any]], bool] | None:
    """A quick test for a ``where`` of plain fields equal to a value or one of several (most of them), or None
    when it needs the matchers (operators, dotted fields)."""
    wanted = {}
    for key, value in where:
        if "." in key or isinstance(value, dict):
            return None
        wanted[key] = frozenset(value) if isinstance(value, tuple | list) else frozenset((value,))
    return lambda item: all(item.get(key) in values for key, values in wanted.items())


def _filter(where: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], bool] | None:
    try:
        return _simple(tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in where.items()))
    except TypeError:  # an unhashable matcher: the matchers judge it
        return None


_RECORD_DAYS = ("sent_on", "issued_on", "applied_on", "date")


def _record_day(record: Mapping[str, Any]) -> dt.date | None:
    """The day a record was made (a letter sent, a notice issued, an application made)."""
    return next((d for key in _RECORD_DAYS if (d := parse_iso(record.get(key))) is not None), None)


def _relative(dotted: str, base: str) -> str:
    """``diagnosis.hospital`` seen from ``diagnosis``: ``hospital``."""
    if not dotted:
        return ""
    return dotted[len(base) + 1:] if base and dotted.startswith(base + ".") else dotted
