"""Every checklist and procedure rule: a complete case must not trigger it, a case changed just so must trigger
exactly it, and (procedure, status and route rules) a lawful near miss beside it must trigger nothing."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FIXTURES, TODAY

from docgen.cases import load_data
from docgen.check import check_cases
from docgen.demo import demo_cases
from docgen.specs import load_spec

RULE_ENTRIES = yaml.safe_load((FIXTURES / "checks" / "rules.yaml").read_text(encoding="utf-8"))
PROCEDURE_ENTRIES = yaml.safe_load((FIXTURES / "checks" / "procedure.yaml").read_text(encoding="utf-8"))
ENTRIES = RULE_ENTRIES + PROCEDURE_ENTRIES
SPEC = load_spec()
CASES = {c["case_id"]: c for c in demo_cases()[0]["cases"]}


def _walk(obj: Any, path: str) -> tuple[Any, str | int]:
    *parents, last = path.split(".")
    for part in parents:
        obj = obj[int(part)] if part.isdigit() else obj[part]
    return obj, int(last) if last.isdigit() else last


def patched(base: dict[str, Any], ops: list[dict[str, Any]]) -> dict[str, Any]:
    case = copy.deepcopy(base)
    for op in ops:
        if "set" in op:
            parent, key = _walk(case, op["set"])
            parent[key] = op["value"]
        elif "remove" in op:
            parent, key = _walk(case, op["remove"])
            del parent[key]
        elif "append" in op:
            parent, key = _walk(case, op["append"])
            parent.setdefault(key, []).append(copy.deepcopy(op["value"]))
        else:
            dropped = {e["id"] for e in case["evidence"] if e["kind"] == op["drop_evidence"]}
            case["evidence"] = [e for e in case["evidence"] if e["id"] not in dropped]
            _unreference(case, dropped)
    return case


def _unreference(obj: Any, ids: set[str]) -> None:
    """Take the dropped evidence ids out of every reference list, so the case stays valid data."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key == "evidence" and isinstance(value, list) and all(isinstance(v, str) for v in value):
                obj[key] = [v for v in value if v not in ids]
            else:
                _unreference(value, ids)
    elif isinstance(obj, list):
        for value in obj:
            _unreference(value, ids)


def fired(case: dict[str, Any], evidence_root: Path, as_of: dt.date = TODAY) -> set[str]:
    loaded = load_data([("t.json", case)], TODAY)
    result = check_cases(loaded.cases, SPEC, as_of, evidence_root, rejected=loaded.rejected)
    # Gaps, and the notes the procedure makes (a reply after 30 days); not the note that B4-3 is inactive.
    return {f.id for f in result.findings if f.counts or f.id != "inventory.inactive"}


@pytest.mark.parametrize("base", sorted({e["base"] for e in RULE_ENTRIES}))
def test_complete_base_case_fires_nothing(base: str, demo_dir: Path) -> None:
    assert fired(CASES[base], demo_dir / "evidence") == set()


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["description"] for e in ENTRIES])
def test_changed_case_fires_exactly_its_rules(entry: dict[str, Any], demo_dir: Path) -> None:
    case = patched(CASES[entry["base"]], entry["patch"])
    assert fired(case, demo_dir / "evidence") == set(entry["expect"])


def test_every_rule_has_a_triggering_fixture() -> None:
    covered = {rule for e in ENTRIES for rule in e["expect"]}
    assert {r.id for r in SPEC.checklists.all_rules} - covered == set()


# Rules the new procedure fixtures stand beside with a lawful near miss: every procedure finding, and the
# status and route rules that came with it.
NEAR_MISS_RULES = {*SPEC.procedure.rule_ids} - {"written-report.missing"} | {
    r.id for r in SPEC.checklists.all_rules if r.id.startswith("status.")} | {
    "b4-2.grade-nine", "b4-2.second-term", "b4-8.junior-middle", "b4-4.resumption-approvals", "b4-4.one-term",
    "b4-4.inpatient-proof", "work-study.bureau-approval", "written-report.missing", "b4-5.exemption-disability"}


def test_every_procedure_rule_has_a_flagged_case_and_a_lawful_near_miss() -> None:
    flagged = {rule for e in PROCEDURE_ENTRIES for rule in e["expect"]}
    near = {e["near_miss_of"] for e in PROCEDURE_ENTRIES if "near_miss_of" in e}
    assert all(not e["expect"] for e in PROCEDURE_ENTRIES if "near_miss_of" in e)
    assert NEAR_MISS_RULES - flagged == set()
    assert NEAR_MISS_RULES - near == set()


def test_every_rule_names_its_source() -> None:
    for rule in SPEC.checklists.all_rules:
        assert rule.source.document.issuer and rule.source.document.title and rule.source.passage, rule.id


def test_the_same_day_is_said_to_be_the_same_day_not_earlier(demo_dir: Path) -> None:
    case = patched(CASES["QS-2022-006"], [{"set": "persuasions.4.date", "value": "2022-07-05"}])
    loaded = load_data([("t.json", case)], TODAY)
    (finding,) = [f for f in check_cases(loaded.cases, SPEC, TODAY, demo_dir / "evidence").gaps
                  if f.id == "b4-2.certificate-after-persuasion"]
    assert "同一天（2022-07-05）" in finding.message and "早于" not in finding.message
