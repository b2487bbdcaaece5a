"""Dates and school-year arithmetic."""

from __future__ import annotations

import datetime as dt

from docgen.dates import age_cutoff, full_years, parse_iso


def test_parse_iso_is_strict() -> None:
    assert parse_iso("2022-09-05") == dt.date(2022, 9, 5)
    assert parse_iso("2022-02-30") is None
    assert parse_iso("2022/9/5") is None
    assert parse_iso(20220905) is None


def test_full_years_counts_birthdays() -> None:
    born = dt.date(2016, 9, 1)
    assert full_years(born, dt.date(2022, 8, 31)) == 5
    assert full_years(born, dt.date(2022, 9, 1)) == 6


def test_age_cutoff_is_31_august_of_the_school_year() -> None:
    assert age_cutoff(dt.date(2022, 9, 1)) == dt.date(2022, 8, 31)
    assert age_cutoff(dt.date(2023, 3, 1)) == dt.date(2022, 8, 31)
