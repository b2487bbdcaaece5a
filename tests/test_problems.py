"""The one problem type: validation problems and checklist findings have the same JSON form, the published schema."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner
from conftest import TODAY
from jsonschema import Draft202012Validator

from docgen.cases import load_data
from docgen.cli import main
from docgen.demo import demo_cases
from docgen.resources import data_json

VALIDATOR = Draft202012Validator(data_json("problem.schema.json"))


def test_validation_problems_follow_the_problem_schema() -> None:
    data = json.loads(json.dumps(demo_cases()[0]))
    data["cases"][0]["student"]["id_number"] = "1"
    data["cases"][1]["situation"]["reason"] = "原\u000b因"
    problems = load_data([("x.json", data)], TODAY).problems
    assert {p.severity for p in problems} == {"error", "warning"}
    for problem in problems:
        VALIDATOR.validate(problem.as_json())


def test_every_finding_in_the_report_follows_the_problem_schema(demo_dir: Path, tmp_path: Path) -> None:
    shutil.copytree(demo_dir, tmp_path / "county")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "county" / "cases.json"), "--evidence",
                                       str(tmp_path / "county" / "evidence"), "--institutions",
                                       str(tmp_path / "county" / "institutions.json"), "--report", str(tmp_path / "r")])
    assert result.exit_code == 1
    report = json.loads((tmp_path / "r" / "核查报告.json").read_text(encoding="utf-8"))
    findings = [f for i in report["items"] for s in i["students"] for f in s["findings"]]
    findings += [f for u in report["units"] for f in u["findings"]] + report["notes"]
    assert len(findings) >= 15
    for finding in findings:
        VALIDATOR.validate(finding)
