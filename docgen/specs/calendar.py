"""The county's school calendar: which weeks are teaching weeks (送教 cadence counts only those)."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from docgen.specs.loading import load_spec_file

CALENDAR_FILE = "calendar.yaml"
SCHEMA_FILE = "calendar.schema.json"


@dataclass(frozen=True)
class Span:
    name: str
    start: dt.date
    end: dt.date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end


@dataclass(frozen=True)
class SchoolCalendar:
    """Terms and holidays; a teaching week is a Monday–Sunday week with at least one school day."""

    terms: tuple[Span, ...]
    holidays: tuple[Span, ...]

    def __getstate__(self) -> dict[str, object]:
        """Only the calendar itself: the days worked out from it are a cache, which must not change a pickled
        spec's bytes (the audit keeps results under a hash of them)."""
        return {"terms": self.terms, "holidays": self.holidays}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)

    def is_school_day(self, day: dt.date) -> bool:
        return day in self._school_days

    @cached_property
    def _school_days(self) -> frozenset[dt.date]:
        """Every weekday inside a term and outside the holidays (terms span a few years: a few hundred days)."""
        days = set()
        for term in self.terms:
            day = term.start
            while day <= term.end:
                if day.weekday() < 5 and not any(day in h for h in self.holidays):
                    days.add(day)
                day += dt.timedelta(days=1)
        return frozenset(days)

    def is_holiday(self, day: dt.date) -> bool:
        return any(day in h for h in self.holidays)

    def counts_as_school_day(self, day: dt.date) -> bool:
        """A school day of the calendar; outside the years it covers, any weekday that is not a holiday."""
        if self.terms and min(t.start for t in self.terms) <= day <= max(t.end for t in self.terms):
            return day in self._school_days
        return day.weekday() < 5 and not self.is_holiday(day)

    def add_school_days(self, day: dt.date, count: int) -> dt.date:
        """The ``count``-th school day after ``day``."""
        return self._add(day, count, self.counts_as_school_day)

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        """The ``count``-th working day after ``day`` (weekdays that are not holidays: 行政处罚法第八十五条)."""
        return self._add(day, count, lambda d: d.weekday() < 5 and not self.is_holiday(d))

    @staticmethod
    def _add(day: dt.date, count: int, counts: Callable[[dt.date], bool]) -> dt.date:
        while count > 0:
            day += dt.timedelta(days=1)
            count -= counts(day)
        return day

    @cached_property
    def _teaching_mondays(self) -> list[dt.date]:
        return sorted({day - dt.timedelta(days=day.weekday()) for day in self._school_days})

    def teaching_weeks(self, first: dt.date, last: dt.date) -> Iterator[tuple[dt.date, dt.date]]:
        """(Monday, Sunday) of every teaching week from the week of ``first`` to the week of ``last``."""
        mondays = self._teaching_mondays
        start = bisect.bisect_left(mondays, first - dt.timedelta(days=first.weekday()))
        for monday in itertools.islice(mondays, start, None):
            if monday > last:
                break
            yield monday, monday + dt.timedelta(days=6)


def load_calendar(checklist_dir: Path) -> SchoolCalendar:
    raw = load_spec_file(checklist_dir / CALENDAR_FILE, SCHEMA_FILE)

    def span(item: dict[str, str]) -> Span:
        return Span(item["name"], dt.date.fromisoformat(item["start"]), dt.date.fromisoformat(item["end"]))

    return SchoolCalendar(tuple(span(t) for t in raw["terms"]), tuple(span(h) for h in raw.get("holidays", [])))
