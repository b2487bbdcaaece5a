"""The demo county 青石县: 24 fictional cases, their evidence files and the gaps planted in them."""

from __future__ import annotations

import copy
import json
import random
import re
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from docgen.cases.model import CaseDraft
from docgen.demo.county import ADOPTED, COUNTY, HEARING_FINE, UNITS
from docgen.demo.evidence import page_placeholder, write_placeholders
from docgen.demo.institutions import demo_units, unit_files
from docgen.demo.roster import demo_roster
from docgen.demo.stories import STORIES
from docgen.errors import OutputError
from docgen.idcard import with_check_digit
from docgen.ledger import export_ledger
from docgen.render.template_check import Samples
from docgen.roster.excel import export_roster
from docgen.workspace import init_workspace

SEED = 2022


@dataclass(frozen=True)
class DemoSummary:
    """What ``build_demo`` wrote."""

    cases_file: Path
    roster_file: Path
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
    _number_in_issue_order(batch["cases"])
    gaps = [asdict(g) for b in builders for g in b.gaps]
    gaps += demo_units()[1]
    withheld = {b.case_id: b.withheld for b in builders if b.withheld}
    return batch, gaps, withheld


_DOC_NO = re.compile(r"^(.+)〔(\d{4})〕\d+号$")


def _number_in_issue_order(cases: list[CaseDraft]) -> None:
    """Give every issuer's series (云政限复〔2022〕…) numbers 1, 2, 3… in the order the documents were issued,
    as a 文号 register would have, so the demo's recorded numbers have no gaps."""
    issued = []
    for case in cases:
        issued += [(n, "issued_on") for n in case.get("notices", []) if "doc_no" in n]
        issued += [(letter, "sent_on") for letter in case.get("letters", []) if "doc_no" in letter]
    series: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
    for doc, date_key in issued:
        m = _DOC_NO.match(doc["doc_no"])
        if m:
            series.setdefault((m[1], m[2]), []).append((doc[date_key], doc))
    for (prefix, year), docs in series.items():
        for seq, (_, doc) in enumerate(sorted(docs, key=lambda d: d[0]), 1):
            doc["doc_no"] = f"{prefix}〔{year}〕{seq}号"


def copy_case(case: CaseDraft, k: int) -> CaseDraft:
    """The ``k``-th copy (k ≥ 1) of a demo case as a valid case of its own, for load and scale tests: its own case
    ID, ID number (unique up to k = 50,000: order digits 50–99, then the area code's last three digits) and
    残疾证号, and no 文号 on its notices and letters (a number belongs to one document)."""
    copy_ = copy.deepcopy(case)
    student = copy_["student"]
    old = student["id_number"]
    area = f"{old[:3]}{(int(old[3:6]) + k // 50) % 1000:03d}"
    number = with_check_digit(f"{area}{old[6:14]}{50 + k % 50:02d}{old[16]}")
    student.update(id_number=number, registry_no=f"G{number}")
    certificate = copy_.get("disability_certificate")
    if certificate:  # 残疾证号 starts with the holder's ID number
        certificate["number"] = number + certificate["number"][18:]
    copy_["case_id"] = f"{case['case_id']}-{k:02d}"
    for records in (copy_.get("notices", []), copy_.get("letters", [])):
        for record in records:
            record.pop("doc_no", None)
    return copy_


DEMO_ARCHIVE = {"fonds": "Q031", "category": "KC"}


def build_demo(out_dir: str | Path) -> DemoSummary:
    """Write the demo county into ``out_dir``: cases.json, roster.json, institutions.json, ledger.xlsx,
    planted_gaps.json and evidence/ (evidence/<case_id>/… for cases, evidence/units/<unit>/… for institutions).

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
        roster = demo_roster(batch["cases"])
        (staging / "roster.json").write_text(json.dumps(roster, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        export_roster(roster["children"], staging / "roster.xlsx")
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
        init_workspace(staging, COUNTY, DEMO_ARCHIVE, {"units": UNITS, "penalty": {"hearing_fine": HEARING_FINE},
                                                       "adopted_documents": ADOPTED})
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return DemoSummary(out / "cases.json", out / "roster.json", out / "institutions.json", out / "evidence",
                       out / "planted_gaps.json",
                       out / "ledger.xlsx",
                       len(batch["cases"]), evidence_count, len(gaps))


def template_samples() -> Samples:
    """The demo county's cases and this year's entrants of its roster, for trying templates on."""
    from docgen.cases import load_data
    from docgen.roster.entrants import due_entrants
    from docgen.roster.model import Roster

    batch = demo_cases()[0]
    data = demo_roster(batch["cases"])
    entrants = due_entrants(Roster("示例县", data["county"], data["school_year"], data["children"]))
    return Samples(load_data([("示例县", batch)]).cases, entrants)
