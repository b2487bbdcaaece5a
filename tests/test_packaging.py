"""The project installed as a county would install it: a built wheel, not this checkout, run elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_an_installed_wheel_carries_its_data_and_runs_the_demo_from_another_folder(tmp_path: Path) -> None:
    wheels, site, work = tmp_path / "wheels", tmp_path / "site", tmp_path / "work"
    work.mkdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(wheels), str(ROOT)], check=True, cwd=tmp_path)
    (wheel,) = wheels.glob("docgen-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--target", str(site), str(wheel)], check=True, cwd=tmp_path)
    # The wheel's docgen first on the path; its dependencies come from the test environment.
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONNOUSERSITE": "1"}
    where = subprocess.run([sys.executable, "-c", "import docgen, docgen.specs as s; print(docgen.__file__);"
                            "print(s.DEFAULT_CHECKLIST_DIR)"], check=True, capture_output=True, text=True,
                           cwd=work, env=env).stdout.split()
    assert all(line.startswith(str(site)) for line in where), where

    def docgen(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "docgen", *args], capture_output=True, text=True,
                              cwd=work, env=env)

    assert docgen("demo", "county").returncode == 0
    checked = docgen("check", "county/cases.json", "--evidence", "county/evidence",
                     "--institutions", "county/institutions.json", "--as-of", "2026-11-23")
    assert checked.returncode == 1, checked.stderr  # the demo's planted gaps
    assert "控辍保学档案完整性核查报告" in checked.stdout and "Traceback" not in checked.stderr
    listed = docgen("templates", "list", "--names")
    assert listed.returncode == 0 and "限期复学通知书" in listed.stdout.split()
    # The seeds travel with the wheel: the coverage table quotes them and is checked against them when loaded.
    covered = docgen("rules", "--coverage")
    assert covered.returncode == 0, covered.stderr
    assert "合计：5 份依据文件中规定义务的原文" in covered.stdout
