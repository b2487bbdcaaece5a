"""The four steps of seed 001, read from a case's notices and legal actions."""

from __future__ import annotations

import json
from pathlib import Path

from docgen.cases.steps import legal_step


def test_each_demo_case_stands_at_the_step_its_notices_record(demo_dir: Path) -> None:
    cases = {c["case_id"]: c for c in json.loads((demo_dir / "cases.json").read_text(encoding="utf-8"))["cases"]}
    assert legal_step(cases["QS-2022-022"]) == "enforcement"  # warned, then 巡回法庭 (a legal action recorded)
    assert legal_step(cases["QS-2022-023"]) == "enforcement"  # the fine unpaid: reminded, enforcement applied for
    assert legal_step(cases["QS-2022-020"]) == "order"  # 限期复学通知书 only
    assert legal_step(cases["QS-2022-011"]) == "education"  # 休学: no notice at all
    assert legal_step({"notices": [{"kind": "enforcement_application"}]}) == "enforcement"
