"""Sources per county: national law is the basis everywhere; a local document (another county's, a township's) is
the basis only where the county's workspace adopts it — cited as the county's own document — and what only an
unadopted one requires is a suggestion, never a gap."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import DOCGEN

from docgen.demo.county import ADOPTED
from docgen.errors import SpecError
from docgen.problems import Document
from docgen.specs import DEFAULT_CHECKLIST_DIR, load_spec
from docgen.specs.sources import load_sources

LOCAL = {"tanghe-2022-95", "district-2022-plan", "qingtongxia-2018-49", "county-2022-0924", "xianyi-2022-56"}
OWN = Document("", "关于进一步加强控辍保学工作的实施方案", "白沙县教育局", "白教发〔2022〕7号", "2022-08-01")


def test_an_adopted_document_is_cited_as_the_countys_own_and_the_rest_are_references() -> None:
    sources = load_sources(DEFAULT_CHECKLIST_DIR, {"xianyi-2022-56": OWN})
    adopted = sources.documents["xianyi-2022-56"]
    assert str(adopted) == ("白沙县教育局《关于进一步加强控辍保学工作的实施方案》（白教发〔2022〕7号，2022年8月1日，"
                            "采用咸宜镇人民政府咸宜府发〔2022〕56号的要求）")
    assert not adopted.advisory and adopted.id == "xianyi-2022-56"
    assert {k for k, d in sources.documents.items() if d.advisory} == LOCAL - {"xianyi-2022-56"}
    assert "本县未采用" in sources.documents["tanghe-2022-95"].short
    assert not sources.documents["ywjyf-2018"].advisory  # the law is everyone's basis
    untouched = load_sources(DEFAULT_CHECKLIST_DIR)  # no county named: the register as it is
    assert not any(d.advisory or d.adopts for d in untouched.documents.values())


def test_adopting_a_document_the_register_does_not_hold_is_refused() -> None:
    with pytest.raises(SpecError, match="工作区采用的依据 nowhere-2022 不在依据文件登记表中"):
        load_spec(adopted={"nowhere-2022": OWN})


def _audit(tmp_path: Path, demo_dir: Path, adopted: dict | None) -> dict:
    workspace = tmp_path / "ws"
    subprocess.run([DOCGEN, "init", str(workspace), "--county", "青石县"], check=True, capture_output=True)
    settings = workspace / "docgen-workspace.yaml"
    data = yaml.safe_load(settings.read_text(encoding="utf-8"))
    if adopted is not None:
        data["adopted_documents"] = adopted
    settings.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    report = tmp_path / "report"
    subprocess.run([DOCGEN, "check", str(demo_dir / "cases.json"), "--evidence", str(demo_dir / "evidence"),
                    "--as-of", "2026-12-01", "--report", str(report)],
                   env={**os.environ, "DOCGEN_WORKSPACE": str(workspace)}, capture_output=True)
    return json.loads((report / "核查报告.json").read_text(encoding="utf-8"))


def _findings(report: dict) -> list[dict]:
    return [f for item in report["items"] for s in item["students"] for f in s["findings"]]


@pytest.mark.slow
def test_what_only_an_unadopted_document_requires_is_a_suggestion(tmp_path: Path, demo_dir: Path) -> None:
    own = _audit(tmp_path / "own", demo_dir, ADOPTED)
    none = _audit(tmp_path / "none", demo_dir, {})
    assert {f["source"]["issuer"] for f in _findings(own)} <= {"青石县教育局", "青石县人民政府办公室",
                                                                "全国人民代表大会常务委员会"}
    local = [f for f in _findings(own) if f["source"].get("adopts")]
    assert local and all(f["severity"] == "error" for f in local if f["id"] != "inventory.inactive")
    # the same gaps, now only suggestions citing the other county's document as a reference
    suggested = {(f["id"], f["message"]): f for f in _findings(none)}
    for f in local:
        twin = suggested[f["id"], f["message"]]
        assert twin["severity"] in ("warning", "info") and twin["source"]["advisory"] is True
        assert twin["source"]["issuer"] not in ("青石县教育局", "青石县人民政府办公室")
    assert none["total"]["errors"] < own["total"]["errors"]
