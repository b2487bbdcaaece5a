"""An audit streamed chunk by chunk finds what the in-memory audit finds, over one process or several; cases
that share an ID across chunks, and entries that are no case at all, are findings of their own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import TODAY

from docgen.cases import load_cases
from docgen.check import check_cases
from docgen.check import stream as audit_stream
from docgen.check.institutions import load_units
from docgen.errors import DataProblemsError
from docgen.specs import load_spec

SPEC = load_spec()


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 4 cases, and several processes from the first chunk on."""
    monkeypatch.setattr(audit_stream, "CHUNK", 4)
    monkeypatch.setattr(audit_stream, "PARALLEL_FROM", 1)


def _seen(result) -> list[tuple[str, str, str, str]]:
    return sorted((f.ref.case_id if f.ref else f.unit, f.id, f.path, f.message) for f in result.findings)


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize("workers", [1, 2])
def test_streamed_audit_finds_what_the_in_memory_audit_finds(demo_dir: Path, workers: int) -> None:
    units = load_units(demo_dir / "institutions.json")
    loaded = load_cases([demo_dir / "cases.json"])
    expected = check_cases(loaded.cases, SPEC, TODAY, demo_dir / "evidence", units, loaded.rejected)
    outcome = audit_stream.audit_files([demo_dir / "cases.json"], SPEC, TODAY, demo_dir / "evidence", units,
                                       workers=workers)
    assert _seen(outcome.result) == _seen(expected)
    assert len(outcome.result.gaps) == 14
    assert sorted(c.case_id for c in outcome.result.cases) == sorted(c.case_id for c in expected.cases)
    assert outcome.counties == ["青石县"]


@pytest.mark.usefixtures("small_chunks")
def test_a_shared_id_across_chunks_and_a_non_case_are_findings(demo_dir: Path, tmp_path: Path) -> None:
    data = json.loads((demo_dir / "cases.json").read_text(encoding="utf-8"))
    twin = json.loads(json.dumps(data["cases"][0]))
    twin["case_id"] = "QS-TWIN"
    data["cases"] += [twin, "不是案卷"]  # the twin lands in a later chunk, likely in the other process
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    outcome = audit_stream.audit_files([path], SPEC, TODAY, workers=2)
    invalid = [f for f in outcome.result.findings if f.id == "case.invalid"]
    assert [(f.ref.case_id, f.path) for f in invalid] == [
        ("QS-TWIN", f"$.cases[{len(data['cases']) - 2}]"),
        (f"$.cases[{len(data['cases']) - 1}]", f"$.cases[{len(data['cases']) - 1}]"),
    ]
    assert "身份证号" in invalid[0].message and "重复" in invalid[0].message
    assert "应为一个案卷对象" in invalid[1].message
    assert len(outcome.result.cases) == len(data["cases"])


def test_a_file_that_is_no_case_file_stops_the_audit(tmp_path: Path) -> None:
    path = tmp_path / "cases.json"
    path.write_text('{"schema_version": 1, "cases": [], "extra": true}', encoding="utf-8")
    with pytest.raises(DataProblemsError) as info:
        audit_stream.audit_files([path], SPEC, TODAY)
    assert info.value.problems and all(p.file == str(path) for p in info.value.problems)
    assert any("extra" in str(p) for p in info.value.problems)
