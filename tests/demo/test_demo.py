"""The demo county: every category, valid data, the planted gaps recorded, real evidence files."""

from __future__ import annotations

import json
import wave
from collections import Counter
from pathlib import Path

from conftest import TODAY
from PIL import Image

from docgen.cases import load_cases
from docgen.demo import demo_cases
from docgen.demo.county import TOWNSHIPS


def test_demo_is_deterministic() -> None:
    assert demo_cases() == demo_cases()


def test_demo_covers_every_category_and_two_townships_and_three_schools() -> None:
    batch, gaps, _ = demo_cases()
    cases = batch["cases"]
    assert len(cases) == 24
    categories = Counter(c["situation"]["category"] for c in cases)
    assert set(categories) == {f"B4-{i}" for i in range(1, 10)} | {"work_study"}
    assert len({c["hukou_place"]["township"] for c in cases}) == len(TOWNSHIPS) >= 2
    assert len({c["student"]["school"] for c in cases}) >= 3
    complete = {c["case_id"] for c in cases} - {g.get("case_id") for g in gaps}
    assert len(complete) >= 12, "most demo cases are complete"


def test_the_gaps_the_issue_names_are_planted() -> None:
    _, gaps, _ = demo_cases()
    words = " ".join(g["description"] for g in gaps)
    for needle in ("劝返记录只有4次", "没有流入地政府复函", "早于最后一次劝返", "漏了一周", "考试月"):
        assert needle in words
    planted = {g["case_id"]: g for g in gaps if "case_id" in g}
    assert {g["unit"] for g in gaps if "unit" in g} == {"桐林乡中心小学", "云溪镇初级中学", "桐林乡人民政府"}
    batch, _, _ = demo_cases()
    by_id = {c["case_id"]: c for c in batch["cases"]}
    assert len(by_id["QS-2022-003"]["persuasions"]) == 4
    assert "reply" not in by_id["QS-2022-018"]["letters"][0]
    graduation = by_id["QS-2022-008"]["graduation"]["certificate"]["issued_on"]
    assert graduation < by_id["QS-2022-008"]["persuasions"][-1]["date"]
    assert planted["QS-2022-007"]["item"] == "B4-2"


def test_built_demo_validates_and_its_files_are_what_they_claim(demo_dir: Path) -> None:
    report = load_cases([demo_dir / "cases.json"], today=TODAY)
    assert report.problems == [] and report.case_count == 24
    batch = json.loads((demo_dir / "cases.json").read_text(encoding="utf-8"))
    _, _, withheld = demo_cases()
    named = supplied = 0
    for case in batch["cases"]:
        for item in case.get("evidence", []):
            named += 1
            path = demo_dir / "evidence" / case["case_id"] / item["file"]
            if item["id"] in withheld.get(case["case_id"], set()):
                assert not path.exists()
                continue
            supplied += 1
            suffix = path.suffix
            if suffix == ".pdf":
                assert path.read_bytes().startswith(b"%PDF-")
            elif suffix == ".wav":
                with wave.open(str(path)) as sound:
                    assert sound.getnframes() > 0
            else:
                with Image.open(path) as image:
                    assert image.format == {".jpg": "JPEG", ".png": "PNG"}[suffix]
    assert supplied == named - sum(len(v) for v in withheld.values()) and supplied > 400
    assert json.loads((demo_dir / "planted_gaps.json").read_text(encoding="utf-8")) == demo_cases()[1]
    assert (demo_dir / "ledger.xlsx").stat().st_size > 0
