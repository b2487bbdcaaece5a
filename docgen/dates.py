"""Strict dates and the school-year arithmetic the rules need (compulsory-school age, seed 001)."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_iso(text: object) -> dt.date | None:
    """The date written as YYYY-MM-DD, or None when it is not one (wrong shape or no such day)."""
    if not isinstance(text, str):
        return None
    return _parse(text) if len(text) == 10 else None


@lru_cache(maxsize=1 << 14)  # a county's cases name the same few thousand days over and over
def _parse(text: str) -> dt.date | None:
    m = _ISO.match(text)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def cn_date(day: dt.date) -> str:
    """GB/T 9704: Arabic numerals, year in full, month and day not padded — 2022年9月14日."""
    return f"{day.year}年{day.month}月{day.day}日"


def full_years(born: dt.date, on: dt.date) -> int:
    """Age in full years (周岁) on a day."""
    years = on.year - born.year
    if (on.month, on.day) < (born.month, born.day):
        years -= 1
    return years


def school_year_start(day: dt.date) -> int:
    """The calendar year in which the school year containing ``day`` began (school years start 1 September)."""
    return day.year if day.month >= 9 else day.year - 1


def age_cutoff(day: dt.date) -> dt.date:
    """The 31 August by which a child must be 6 full years old to be of school age in that school year."""
    return dt.date(school_year_start(day), 8, 31)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it has no such day): 8-31 + 6 → 2-28/29."""
    import calendar

    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))
