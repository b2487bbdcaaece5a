"""Benchmark: auditing a county of N cases, without and with its evidence files, first run and repeated.

Builds a county of N cases from the demo county (each a copy with its own IDs, case ID and evidence
folder; every copied evidence file gets a few bytes of its own, so no two files share content and the
first run really opens every one). Then, in one process:
  floor      — one os.stat of every evidence file: what any re-audit of the files must at least do;
  rules only — ``docgen check`` without --evidence;
  first      — ``docgen check --evidence`` with an empty file-check cache;
  repeated   — the same again, nothing changed;
  reports    — the repeated run again, writing the four reports (JSON, HTML, PDF, Excel) as well.
Each is the CLI end to end (a new process), as an auditor runs it. Figures are printed beside the
rules-only run as ratios. Usage:
    .venv/bin/python bench/audit.py [N=1000 ...]      e.g. bench/audit.py 1000 10000
    .venv/bin/python bench/audit.py --crossover [SIZE ...]   one process against two, rules only
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from crossover import one_against_two

from docgen.demo import build_demo, copy_case

AS_OF = "2026-11-23"
DOCGEN = Path(sys.executable).with_name("docgen")


def build_county(work: Path, n: int) -> tuple[Path, Path, list[Path]]:
    """cases.json and evidence/ for ``n`` cases, and every evidence file written."""
    demo = work / "demo"
    build_demo(demo)
    originals = json.loads((demo / "cases.json").read_text(encoding="utf-8"))["cases"]
    evidence = work / "evidence"
    cases, files = [], []
    for i in range(n):
        source = originals[i % len(originals)]
        case = copy_case(source, i // len(originals) + 1)
        folder = evidence / case["case_id"]
        folder.mkdir(parents=True)
        for item in case.get("evidence", []):
            original = demo / "evidence" / source["case_id"] / item["file"]
            if not original.exists():
                continue  # a file the demo withholds on purpose stays missing (a finding)
            path = folder / item["file"]
            path.write_bytes(original.read_bytes() + f"\n%{case['case_id']}\n".encode())
            files.append(path)
        cases.append(case)
    path = work / "cases.json"
    path.write_text(json.dumps({"schema_version": 1, "cases": cases}, ensure_ascii=False), encoding="utf-8")
    return path, evidence, files


def timed(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run([str(DOCGEN), *args], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"docgen {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return elapsed


def stat_all(files: list[Path]) -> float:
    start = time.perf_counter()
    for path in files:
        os.stat(path)
    return time.perf_counter() - start


def run(n: int) -> None:
    work = Path(tempfile.mkdtemp(prefix=f"bench-audit-{n}-"))
    try:
        cases, evidence, files = build_county(work, n)
        env = {**os.environ, "DOCGEN_CACHE_DIR": str(work / "cache")}
        base = ["check", str(cases), "--as-of", AS_OF]
        t_floor = stat_all(files)
        t_rules = timed(base, env)
        t_first = timed([*base, "--evidence", str(evidence)], env)
        t_again = timed([*base, "--evidence", str(evidence)], env)
        t_report = timed([*base, "--evidence", str(evidence), "--report", str(work / "report")], env)
        print(f"{n} cases, {len(files)} evidence files")
        print(f"  floor (stat every file):  {t_floor:6.2f} s")
        print(f"  rules only:               {t_rules:6.2f} s")
        print(f"  with evidence, first:     {t_first:6.2f} s   {t_first / t_rules:5.2f}× rules only")
        print(f"  with evidence, repeated:  {t_again:6.2f} s   {t_again / t_rules:5.2f}× rules only, "
              f"{t_again / t_first:5.3f}× first")
        print(f"  repeated, with reports:   {t_report:6.2f} s   {t_report / t_rules:5.2f}× rules only "
              f"(the reports take {t_report - t_again:.2f} s)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def crossover(sizes: list[int]) -> None:
    """Audits (rules only, nothing kept from before) of each size on one process and on two (forced), medians
    of 3 interleaved rounds: where two start to pay is where docgen.check.stream.PARALLEL_FROM should be."""
    import datetime as dt

    from docgen.check import stream as audit_stream
    from docgen.specs import load_spec

    spec = load_spec()
    print(f"crossover — one process against two (PARALLEL_FROM is {audit_stream.PARALLEL_FROM} cases)")
    for size in sizes:
        work = Path(tempfile.mkdtemp(prefix=f"bench-audit-crossover-{size}-"))
        try:
            cases, _, _ = build_county(work, size)

            def one_run(workers: int, round_: int, cases: Path = cases, work: Path = work) -> None:
                os.environ["DOCGEN_CACHE_DIR"] = str(work / f"cache-{round_}-{workers}")  # nothing kept
                audit_stream.PARALLEL_FROM = 0 if workers == 2 else 10**9
                audit_stream.audit_files([cases], spec, dt.date.fromisoformat(AS_OF), workers=workers)

            one_against_two(size, one_run)
        finally:
            shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    if sys.argv[1:2] == ["--crossover"]:
        crossover([int(a) for a in sys.argv[2:]] or [200, 400, 800, 1600])
        return
    for n in [int(a) for a in sys.argv[1:]] or [1000]:
        run(n)


if __name__ == "__main__":
    main()
