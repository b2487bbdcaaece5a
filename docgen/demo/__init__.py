"""The demo county 青石县: 24 fictional cases, their evidence files and the gaps planted in them."""

from __future__ import annotations

import json
import random
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from docgen.demo.evidence import page_placeholder, write_placeholders
from docgen.demo.institutions import demo_units, unit_files
from docgen.demo.stories import STORIES
from docgen.errors import OutputError
from docgen.ledger import export_ledger

SEED = 2022


@dataclass(frozen=True)
class DemoSummary:
    """What ``build_demo`` wrote."""

    cases_file: Path
    institutions_file: Path
    evidence_dir: Path
    gaps_file: Path
    ledger_file: Path
    case_count: int
    evidence_count: int
    gap_count: int


def demo_cases() -> tuple[dict[str, Any], list[dict[str, str]], dict[str, set[str]]]:
    """The demo batch, its planted gaps and, per case, the evidence ids it names but never supplied."""
    rng = random.Random(SEED)
    used: set[str] = set()
    builders = [make(rng, used) for make in STORIES]
    batch = {"schema_version": 1, "cases": [b.build() for b in builders]}
    gaps = [asdict(g) for b in builders for g in b.gaps]
    gaps += demo_units()[1]
    withheld = {b.case_id: b.withheld for b in builders if b.withheld}
    return batch, gaps, withheld


def build_demo(out_dir: str | Path) -> DemoSummary:
    """Write the demo county into ``out_dir``: cases.json, institutions.json, ledger.xlsx, planted_gaps.json and
    evidence/ (evidence/<case_id>/… for cases, evidence/units/<unit>/… for institutions).

    Everything is written into a temporary folder first and moved into place when complete.
    """
    out = Path(out_dir)
    batch, gaps, withheld = demo_cases()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as exc:
        raise OutputError(str(out), f"无法创建输出目录（{exc.strerror or exc}）") from exc
    try:
        (staging / "cases.json").write_text(json.dumps(batch, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        (staging / "planted_gaps.json").write_text(
            json.dumps(gaps, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        export_ledger(batch["cases"], staging / "ledger.xlsx")
        units, _ = demo_units()
        (staging / "institutions.json").write_text(
            json.dumps(units, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        for unit in units["units"]:
            folder = staging / "evidence" / "units" / unit["name"]
            for name, title in unit_files(unit):
                (folder / name).parent.mkdir(parents=True, exist_ok=True)
                (folder / name).write_bytes(page_placeholder(title, unit["name"]))
        evidence_count = sum(
            write_placeholders(case, staging / "evidence" / case["case_id"], withheld.get(case["case_id"], set()))
            for case in batch["cases"]
        )
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return DemoSummary(out / "cases.json", out / "institutions.json", out / "evidence", out / "planted_gaps.json",
                       out / "ledger.xlsx",
                       len(batch["cases"]), evidence_count, len(gaps))
