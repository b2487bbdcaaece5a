"""Validation driven by data: each fixture case file lists, in its .expected file, the exact lines it must produce."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, TODAY

from docgen.cases import load_cases, load_data

CASE_FIXTURES = sorted((FIXTURES / "cases").glob("*.json"))


def _lines(paths: list[Path]) -> list[str]:
    report = load_cases(paths, today=TODAY)
    return [str(p).replace(f"{FIXTURES / 'cases'}/", "") for p in report.problems]


@pytest.mark.parametrize("fixture", CASE_FIXTURES, ids=lambda p: p.stem)
def test_fixture_produces_exactly_its_expected_problems(fixture: Path) -> None:
    expected = fixture.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    assert _lines([fixture]) == expected


def test_every_invalid_fixture_expects_something() -> None:
    """A fixture named for a problem that expects no lines would be a test that cannot fail."""
    for fixture in CASE_FIXTURES:
        expected = fixture.with_suffix(".expected").read_text(encoding="utf-8").strip()
        assert bool(expected) != fixture.stem.startswith("valid-"), fixture.name


def test_duplicates_are_found_across_files() -> None:
    lines = _lines([FIXTURES / "cases" / "valid-minimal.json", FIXTURES / "cases" / "birth-date-feb-30.json"])
    assert any("案卷编号 T-001 与 valid-minimal.json $.case_id 重复" in line for line in lines)


def test_validate_data_checks_in_memory_batches() -> None:
    data = json.loads((FIXTURES / "cases" / "valid-batch.json").read_text(encoding="utf-8"))
    assert load_data([("内存", data)], TODAY).problems == []
    data["cases"][1]["student"]["grade"] = 10
    (problem,) = load_data([("内存", data)], TODAY).problems
    assert problem.path == "$.cases[1].student.grade"
    assert "年级应为1—9的整数" in problem.message


def test_school_age_uses_the_31_august_cutoff() -> None:
    """Born 1 September: not yet 6 by 31 August of the school year, so not of school age then."""
    data = json.loads((FIXTURES / "cases" / "valid-minimal.json").read_text(encoding="utf-8"))
    from docgen.idcard import with_check_digit

    for born, ok in (("2016-08-31", True), ("2016-09-01", False)):
        id_number = with_check_digit(f"439921{born.replace('-', '')}103")
        data["student"].update(birth_date=born, id_number=id_number, registry_no="G" + id_number)
        data["situation"]["dropout_date"] = "2022-09-05"
        for record in data["persuasions"]:
            record["date"] = "2022-09-08"
        problems = load_data([("x.json", data)], TODAY).problems
        assert (problems == []) is ok, problems
