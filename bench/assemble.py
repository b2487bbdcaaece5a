"""Benchmark: assembling the demo county's archive, then again after one evidence file was added.

Both runs in one process, on a fresh copy of the demo county: the first starts with an empty
conversion cache; the second follows the addition of one photo to one case, and should convert only
that photo and rebuild only that student's binder. Usage: .venv/bin/python bench/assemble.py
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
import time
from pathlib import Path

from docgen.archive import assemble_archive, verify_bag
from docgen.cases import load_cases
from docgen.check.institutions import load_units
from docgen.demo import build_demo
from docgen.render import load_registry
from docgen.specs import load_spec

AS_OF = dt.date(2026, 11, 23)


def run(demo: Path, out: Path) -> tuple[float, object]:
    start = time.perf_counter()
    result = assemble_archive(load_cases([demo / "cases.json"]).checked(), out, load_spec(), load_registry(),
                              evidence_root=demo / "evidence", as_of=AS_OF,
                              units=load_units(demo / "institutions.json"), county="青石县")
    return time.perf_counter() - start, result


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-assemble-"))
    demo, out = work / "demo", work / "archive"
    build_demo(demo)
    t_first, first = run(demo, out)

    data = json.loads((demo / "cases.json").read_text(encoding="utf-8"))
    case = data["cases"][0]
    shutil.copyfile(demo / "evidence" / case["case_id"] / case["evidence"][1]["file"],
                    demo / "evidence" / case["case_id"] / "补充_在校照片.jpg")
    case["evidence"].append({"id": "E999", "kind": "school_photo", "file": "补充_在校照片.jpg", "date": "2022-10-20",
                             "description": "补充的在校就读照片"})
    (demo / "cases.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    t_second, second = run(demo, out)
    assert not verify_bag(out).problems

    print(f"students: {first.students}, files: {first.files} → {second.files}")
    print(f"first assemble (empty cache):      {t_first:6.1f} s, {first.converted} conversions")
    print(f"after adding one evidence file:    {t_second:6.1f} s, {second.converted} conversions, "
          f"{second.reused} reused")
    print(f"ratio: second / first = {t_second / t_first:.3f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
