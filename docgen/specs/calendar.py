"""The county's school calendar: which weeks are teaching weeks (送教 cadence counts only those)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
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

    def is_school_day(self, day: dt.date) -> bool:
        return (day.weekday() < 5 and any(day in t for t in self.terms)
                and not any(day in h for h in self.holidays))

    def teaching_weeks(self, first: dt.date, last: dt.date) -> Iterator[tuple[dt.date, dt.date]]:
        """(Monday, Sunday) of every teaching week from the week of ``first`` to the week of ``last``."""
        monday = first - dt.timedelta(days=first.weekday())
        while monday <= last:
            if any(self.is_school_day(monday + dt.timedelta(days=i)) for i in range(5)):
                yield monday, monday + dt.timedelta(days=6)
            monday += dt.timedelta(days=7)


def load_calendar(checklist_dir: Path) -> SchoolCalendar:
    raw = load_spec_file(checklist_dir / CALENDAR_FILE, SCHEMA_FILE)

    def span(item: dict[str, str]) -> Span:
        return Span(item["name"], dt.date.fromisoformat(item["start"]), dt.date.fromisoformat(item["end"]))

    return SchoolCalendar(tuple(span(t) for t in raw["terms"]), tuple(span(h) for h in raw.get("holidays", [])))
