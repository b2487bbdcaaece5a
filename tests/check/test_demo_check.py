"""On the demo county the check finds exactly the gaps the demo planted — no more, no fewer."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import TODAY

from docgen.cases import load_cases
from docgen.check import check_cases
from docgen.check.institutions import load_units
from docgen.specs import load_spec


def test_demo_check_finds_exactly_the_planted_gaps(demo_dir: Path) -> None:
    spec = load_spec()
    result = check_cases(load_cases([demo_dir / "cases.json"]).checked(), spec, TODAY, demo_dir / "evidence",
                         load_units(demo_dir / "institutions.json"))
    found = sorted((f.ref.case_id if f.ref else f.unit, f.id) for f in result.gaps)
    planted = json.loads((demo_dir / "planted_gaps.json").read_text(encoding="utf-8"))
    expected = sorted((g.get("case_id") or g["unit"], g["rule"]) for g in planted)
    assert found == expected
    assert len(found) == 16
    notes = [(f.ref.case_id, f.id) for f in result.findings if not f.counts]
    assert notes == [("QS-2022-009", "inventory.inactive")]


def test_cadence_counts_only_complete_weeks_before_the_as_of_date(demo_dir: Path) -> None:
    """Checked on the Wednesday of the skipped week, that week is not over yet: nothing to report."""
    import datetime as dt

    spec = load_spec()
    cases = load_cases([demo_dir / "cases.json"]).checked()
    early = check_cases(cases, spec, dt.date(2022, 11, 16), demo_dir / "evidence")
    late = check_cases(cases, spec, dt.date(2022, 11, 21), demo_dir / "evidence")
    weekly = [f for f in early.findings if f.id == "b4-6.weekly"]
    assert weekly == []
    assert [f.message for f in late.findings if f.id == "b4-6.weekly"] == [
        "2022-11-14 至 2022-11-20 当周送教 0 次，要求每周一次"
    ]
