"""Reports: masked IDs everywhere, and a PDF whose text reads back as the right Chinese."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import TODAY
from openpyxl import load_workbook
from pypdf import PdfReader

from docgen.cases import load_cases, load_data
from docgen.check import check_cases
from docgen.check.institutions import load_units
from docgen.report import build_report, mask_id, write_reports
from docgen.report.writers import render_html
from docgen.specs import load_spec

SPEC = load_spec()


def test_mask_id() -> None:
    assert mask_id("43052720100101123X") == "430527********123X"


@pytest.fixture(scope="module")
def written(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    result = check_cases(load_cases([demo_dir / "cases.json"]).checked(), SPEC, TODAY, demo_dir / "evidence",
                         load_units(demo_dir / "institutions.json"))
    out = tmp_path_factory.mktemp("report")
    write_reports(build_report(result, SPEC, "青石县（测试）"), out)
    cases = json.loads((demo_dir / "cases.json").read_text(encoding="utf-8"))
    return out, cases


def test_pdf_reads_back_in_chinese_with_ids_masked(written: tuple[Path, dict]) -> None:
    out, cases = written
    text = "".join(page.extract_text() for page in PdfReader(out / "核查报告.pdf").pages)
    compact = "".join(text.split())
    assert "控辍保学档案完整性核查报告" in compact
    assert "劝返记录只有4次，要求5次以上" in compact
    assert "桐林乡中心小学" in compact and "疫情期间控辍保学工作预案" in compact
    for case in cases["cases"]:
        assert case["student"]["id_number"] not in compact
    assert mask_id(cases["cases"][2]["student"]["id_number"]) in compact


def test_json_and_xlsx_carry_the_same_findings(written: tuple[Path, dict]) -> None:
    out, cases = written
    data = json.loads((out / "核查报告.json").read_text(encoding="utf-8"))
    assert data["total"] == {"name": "合计", "township": "", "cases": 24, "complete": 13, "incomplete": 11,
                             "errors": 13, "warnings": 0, "unit_errors": 3, "unit_warnings": 0}
    rules = sorted(f["id"] for i in data["items"] for s in i["students"] for f in s["findings"])
    wb = load_workbook(out / "核查报告.xlsx")
    details = wb["问题明细"]
    header = [c.value for c in details[3]]
    rule = header.index("规则编号") + 1
    # the rule's number is kept for an auditor, in the last column, hidden (never printed)
    assert rule == len(header) and details.column_dimensions[details.cell(3, rule).column_letter].hidden
    assert sorted(details.cell(r, rule).value for r in range(4, details.max_row + 1)) == rules
    visible = [c.value for row in details.iter_rows(min_row=4, max_col=rule - 1) for c in row]
    assert not set(rules) & set(visible)
    # categories by name (the 依据 column quotes the documents, which do name the items B4-1 …)
    categories = [details.cell(r, header.index("处置类别") + 1).value for r in range(4, details.max_row + 1)]
    assert "劝返回原学校就读" in categories
    assert not any(re.search(r"B4-\d|work_study", v) for v in [*categories, *header[:-1]])
    assert {u["name"] for u in data["units"]} == {"云溪镇初级中学", "桐林乡人民政府", "桐林乡中心小学"}
    raw = (out / "核查报告.json").read_text(encoding="utf-8") + (out / "核查报告.html").read_text(encoding="utf-8")
    assert all(c["student"]["id_number"] not in raw for c in cases["cases"])


def test_html_escapes_what_comes_from_data() -> None:
    from docgen.demo import demo_cases

    case = demo_cases()[0]["cases"][2]  # incomplete: it appears in the report
    case["student"]["name"] = "<script>alert(1)</script>"
    result = check_cases(load_data([("x.json", case)]).checked(), SPEC, TODAY)
    html = render_html(build_report(result, SPEC, "A&B"))
    assert "<script>alert" not in html and "&lt;script&gt;" in html and "A&amp;B" in html


def test_units_are_ranked_worst_first_and_the_headline_counts_unit_gaps(written: tuple[Path, dict]) -> None:
    out, _ = written
    data = json.loads((out / "核查报告.json").read_text(encoding="utf-8"))

    def badness(unit: dict) -> tuple[int, int]:
        return unit["errors"] + unit["unit_errors"], unit["incomplete"]

    for rows in (data["townships"], data["schools"]):
        assert [badness(u) for u in rows] == sorted((badness(u) for u in rows), reverse=True)
    assert data["townships"][0]["name"] == "桐林乡" and data["schools"][0]["name"] == "桐林乡初级中学"
    # the three planted unit gaps count in the headline, beside the eleven in cases
    assert sum(len(u["findings"]) for u in data["units"]) == data["total"]["unit_errors"] == 3
    text = "".join(PdfReader(out / "核查报告.pdf").pages[0].extract_text().split())
    assert "共发现缺漏16处（案卷13处，单位档案3处）" in text


def test_every_source_is_named_by_its_document(written: tuple[Path, dict]) -> None:
    out, _ = written
    data = json.loads((out / "核查报告.json").read_text(encoding="utf-8"))
    findings = [f for i in data["items"] for s in i["students"] for f in s["findings"]]
    findings += [f for u in data["units"] for f in u["findings"]]
    for f in findings:
        if f["source"]["id"] == "case-schema":
            continue
        assert f["source"]["issuer"] and f["source"]["title"] and f["source"]["passage"], f
    html = (out / "核查报告.html").read_text(encoding="utf-8")
    assert ".txt" not in html
    assert ("咸宜镇人民政府《关于印发〈咸宜镇进一步加强控辍保学工作实施方案〉的通知》"
            "（咸宜府发〔2022〕56号，2022年8月5日）") in html


def test_a_rule_citing_an_unregistered_document_is_refused(tmp_path: Path) -> None:
    import shutil

    from docgen.errors import SpecError
    from docgen.specs import DEFAULT_CHECKLIST_DIR

    folder = tmp_path / "checklists"
    shutil.copytree(DEFAULT_CHECKLIST_DIR, folder)
    rules = folder / "B4-1.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("doc: xianyi-2022-56", "doc: nowhere-2022", 1),
                     encoding="utf-8")
    with pytest.raises(SpecError, match=r"nowhere-2022.*不在.*sources\.yaml"):
        load_spec(checklist_dir=folder)


@pytest.mark.browser
def test_the_html_report_reads_on_a_phone(written: tuple[Path, dict], chrome) -> None:
    """At 390 px no cell is squeezed: every name stays on one line and nothing runs past its cell."""
    out, _ = written
    chrome.set_window_size(390, 900)
    chrome.get((out / "核查报告.html").as_uri())
    width = chrome.execute_script("return document.documentElement.clientWidth")
    assert width <= 390
    cells = chrome.execute_script("""
        return Array.from(document.querySelectorAll('td')).map(td => {
            const r = td.getBoundingClientRect();
            const line = parseFloat(getComputedStyle(td).lineHeight) || 20;
            return {text: td.innerText, width: r.width, right: r.right, overflow: td.scrollWidth - td.clientWidth,
                    name: td.classList.contains('name'), lines: Math.round(r.height / line)};
        });""")
    assert cells
    assert all(c["right"] <= width + 1 and c["overflow"] <= 1 for c in cells), [c for c in cells if c["overflow"] > 1]
    names = [c for c in cells if c["name"]]
    assert names and all(c["lines"] <= 1 for c in names), [c for c in names if c["lines"] > 1]
    assert chrome.execute_script("return document.documentElement.scrollWidth") <= width
