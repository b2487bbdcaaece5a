"""Saving a case in the service goes through the same checks as ``docgen validate``."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from docgen.errors import DataProblemsError
from docgen.service.county.door import save_case
from docgen.service.county.models import CaseRecord


@pytest.fixture()
def demo_case(demo_dir: Path) -> dict:
    cases = json.loads((demo_dir / "cases.json").read_text(encoding="utf-8"))["cases"]
    return next(c for c in cases if c["case_id"] == "QS-2022-023")  # B4-9, fined and the fine sent to the court


@pytest.mark.django_db
def test_a_valid_case_is_stored_with_its_indexed_fields(demo_case: dict) -> None:
    record = save_case(demo_case)
    indexed = (record.county, record.case_id, record.category, record.step)
    assert indexed == ("青石县", "QS-2022-023", "B4-9", "enforcement")
    assert record.township == demo_case["hukou_place"]["township"] and record.school == demo_case["student"]["school"]
    assert CaseRecord.objects.get(case_id="QS-2022-023").data == demo_case
    changed = copy.deepcopy(demo_case)
    changed["remarks"] = "已复核"
    save_case(changed)
    assert CaseRecord.objects.count() == 1 and CaseRecord.objects.get().data["remarks"] == "已复核"


@pytest.mark.django_db
def test_an_invalid_case_is_refused_naming_the_field(demo_case: dict) -> None:
    bad = copy.deepcopy(demo_case)
    bad["student"]["id_number"] = "12345"
    with pytest.raises(DataProblemsError) as caught:
        save_case(bad)
    assert any("student.id_number" in str(p) for p in caught.value.problems)
    assert not CaseRecord.objects.exists()
