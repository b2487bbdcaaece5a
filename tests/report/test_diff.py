"""Two audits compared (``docgen diff`` and the service's comparison page use the same library): a gap fixed, a
gap new and the rest remaining, per case and per unit; bad report files refused in one line."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from conftest import DOCGEN

from docgen.report.diff import diff_reports, read_report


def audit(demo_dir: Path, cases: Path, out: Path, evidence: Path) -> Path:
    subprocess.run([DOCGEN, "check", str(cases), "--evidence", str(evidence), "--as-of", "2026-11-23",
                    "--report", str(out)], capture_output=True, check=False)
    return out


def test_a_fixed_gap_a_new_gap_and_the_rest_remaining(demo_dir: Path, tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    shutil.copytree(demo_dir / "evidence", evidence)
    before = audit(demo_dir, demo_dir / "cases.json", tmp_path / "before", evidence)
    batch = json.loads((demo_dir / "cases.json").read_text(encoding="utf-8"))
    case = next(c for c in batch["cases"] if c["case_id"] == "QS-2022-003")  # four persuasions: one is missing
    fifth = dict(case["persuasions"][-1], date="2022-10-20", evidence=[])  # added, but without its record form
    case["persuasions"].append(fifth)
    changed = tmp_path / "cases.json"
    changed.write_text(json.dumps(batch, ensure_ascii=False), encoding="utf-8")
    after = audit(demo_dir, changed, tmp_path / "after", evidence)

    diff = diff_reports(read_report(before), read_report(after / "核查报告.json"))
    [changed_case] = [c for c in diff.cases if c.fixed or c.new]
    assert changed_case.case_id == "QS-2022-003" and diff.cases[0] is changed_case  # changed cases first
    assert [f.rule for f in changed_case.fixed] == ["persuasion.five"]
    assert [f.rule for f in changed_case.new] == ["persuasion.record"] and "2022-10-20" in changed_case.new[0].message
    assert diff.fixed == 1 and diff.new == 1 and diff.remaining == sum(len(c.remaining) for c in diff.cases) > 0
    school = next(u for u in diff.units if u.name == "桐林乡初级中学")
    assert (school.fixed, school.new) == (1, 1)

    shown = subprocess.run([DOCGEN, "diff", str(before), str(after)], capture_output=True, text=True)
    assert shown.returncode == 1  # something new
    lines = shown.stdout.splitlines()
    assert lines[1] == f"已整改 1 处，新发现 1 处，仍存在 {diff.remaining} 处"
    assert "  − B4-1 劝返记录只有 4 次，要求 5 次以上（persuasion.five）" in lines
    same = subprocess.run([DOCGEN, "diff", str(after), str(after)], capture_output=True, text=True)
    assert same.returncode == 0 and "已整改 0 处，新发现 0 处" in same.stdout


def test_a_file_that_is_no_report_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"cases": []}', encoding="utf-8")
    (tmp_path / "b.json").write_text("{not json", encoding="utf-8")
    for name, message in (("a.json", "不是 docgen 写出的核查报告"), ("b.json", "不是可读的核查报告 JSON"),
                          ("missing", "找不到核查报告")):
        result = subprocess.run([DOCGEN, "diff", str(tmp_path / name), str(tmp_path / "a.json")],
                                capture_output=True, text=True)
        assert result.returncode == 2 and result.stdout == ""
        [line] = result.stderr.strip().splitlines()
        assert str(tmp_path / name) in line and message in line, line
