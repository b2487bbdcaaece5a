"""Benchmark: validating a county's case files, ours against plain jsonschema, in one process.

Builds N copies of the demo county (unique IDs), then times
  baseline — jsonschema's Draft 2020-12 validator listing every error of the whole batch;
  docgen   — ``validate_data``: the compiled pre-check, jsonschema only where it finds something,
             plus every rule of ``docgen.cases.checks``.
Prints both rates and the ratio. Usage: .venv/bin/python bench/validate.py [copies=20]
"""

from __future__ import annotations

import copy
import datetime as dt
import sys
import time

from jsonschema import Draft202012Validator

from docgen.cases import validate_data
from docgen.cases.schema import case_schema
from docgen.demo import demo_cases
from docgen.idcard import with_check_digit

TODAY = dt.date(2026, 11, 23)


def county(copies: int) -> dict:
    batch, _, _ = demo_cases()
    cases = []
    for k in range(copies):
        for i, case in enumerate(batch["cases"]):
            case = copy.deepcopy(case)
            case["case_id"] = f"{case['case_id']}-{k}"
            old = case["student"]["id_number"]
            order = (k * len(batch["cases"]) + i) % 500 * 2 + int(old[16]) % 2  # keeps the gender digit
            new = with_check_digit(f"{old[:14]}{order:03d}")
            case["student"].update(id_number=new, registry_no="G" + new)
            if "disability_certificate" in case:
                cert = case["disability_certificate"]
                cert["number"] = new + cert["number"][18:]
            cases.append(case)
    return {"schema_version": 1, "cases": cases}


def best_of(runs: int, func) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    copies = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    data = county(copies)
    n = len(data["cases"])
    assert validate_data("bench", data, TODAY) == [], "the benchmark county must be valid"
    baseline = Draft202012Validator(case_schema())
    t_base = best_of(3, lambda: list(baseline.iter_errors(data)))
    t_ours = best_of(3, lambda: validate_data("bench", data, TODAY))
    print(f"cases: {n}")
    print(f"jsonschema baseline: {n / t_base:8.0f} cases/s ({t_base:.2f} s)")
    print(f"docgen validate:     {n / t_ours:8.0f} cases/s ({t_ours:.2f} s)")
    print(f"ratio: {t_base / t_ours:.1f}x")


if __name__ == "__main__":
    main()
