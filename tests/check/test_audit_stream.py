"""An audit streamed chunk by chunk finds what the in-memory audit finds, over one process or several; cases
that share an ID across chunks, and entries that are no case at all, are findings of their own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import TODAY

from docgen.cases import drive, load_cases
from docgen.check import check_cases
from docgen.check import stream as audit_stream
from docgen.check.institutions import load_units
from docgen.errors import DataProblemsError
from docgen.specs import load_spec

SPEC = load_spec()


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 4 cases, and several processes from the first chunk on."""
    monkeypatch.setattr(drive, "CHUNK", 4)
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
    assert len(outcome.result.gaps) == 16
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


def test_a_repeated_audit_reuses_unchanged_cases_and_redoes_changed_ones(demo_dir: Path, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / "cache"))
    evidence = tmp_path / "evidence"
    shutil.copytree(demo_dir / "evidence", evidence)
    cases = [demo_dir / "cases.json"]
    first = audit_stream.audit_files(cases, SPEC, TODAY, evidence)
    again = audit_stream.audit_files(cases, SPEC, TODAY, evidence)
    assert (first.reused, again.reused) == (0, 24)
    assert _seen(again.result) == _seen(first.result)

    # One PDF of one case is cut short: that case alone is audited again, and the damage is found.
    data = json.loads(cases[0].read_text(encoding="utf-8"))
    case = next(c for c in data["cases"] if any(e["file"].endswith(".pdf") for e in c["evidence"]))
    item = next(e for e in case["evidence"] if e["file"].endswith(".pdf"))
    target = evidence / case["case_id"] / item["file"]
    target.write_bytes(target.read_bytes()[:40])
    changed = audit_stream.audit_files(cases, SPEC, TODAY, evidence)
    assert changed.reused == 23
    assert any(f.ref and f.ref.case_id == case["case_id"] and "损坏" in f.message for f in changed.result.findings)

    # Another audit date is another audit: nothing is reused.
    later = audit_stream.audit_files(cases, SPEC, TODAY.replace(year=TODAY.year + 1), evidence)
    assert later.reused == 0


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize("workers", [1, 2])
def test_the_input_is_read_as_the_audit_goes_not_before(demo_dir: Path, workers: int,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen.cases import chunks as case_chunks_module

    read: list[int] = []
    real = case_chunks_module.case_chunks

    def counted(*args, **kwargs):
        for chunk in real(*args, **kwargs):
            read.append(chunk.seq)
            yield chunk

    monkeypatch.setattr(drive, "case_chunks", counted)
    monkeypatch.setattr(drive, "CHUNK", 2)
    at_first: list[int] = []
    audit_stream.audit_files([demo_dir / "cases.json"], SPEC, TODAY, workers=workers,
                             progress=lambda cases, _: at_first or at_first.append(len(read)))
    assert len(read) == 12
    assert at_first[0] <= drive.IN_FLIGHT * workers + 1


@pytest.mark.usefixtures("small_chunks")
def test_a_file_off_its_layout_is_audited_the_exact_way(demo_dir: Path, tmp_path: Path) -> None:
    cases = json.loads((demo_dir / "cases.json").read_text(encoding="utf-8"))["cases"]
    text = json.dumps({"schema_version": 1, "cases": cases}, ensure_ascii=False, indent=2)
    fifth = json.dumps(cases[4], ensure_ascii=False, indent=2).replace("\n", "\n    ")
    path = tmp_path / "cases.json"
    path.write_text(text.replace(fifth, json.dumps(cases[4], ensure_ascii=False)), encoding="utf-8")
    units = load_units(demo_dir / "institutions.json")
    expected = audit_stream.audit_files([demo_dir / "cases.json"], SPEC, TODAY, demo_dir / "evidence", units)
    outcome = audit_stream.audit_files([path], SPEC, TODAY, demo_dir / "evidence", units, workers=2)
    assert _seen(outcome.result) == [(c, i, p, m.replace(str(demo_dir / "cases.json"), str(path)))
                                     for c, i, p, m in _seen(expected.result)]
