"""The four steps' documents say what the law requires them to say (行政处罚法 2021 Art. 44–45, 59;
行政强制法 Art. 53–55), taken from the county's penalty record, and follow each other in time."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import docx
import pytest

from docgen.cases import load_cases
from docgen.errors import DataProblemsError
from docgen.render import Register, load_registry, render_batch

REGISTRY = load_registry()


def _text(path: Path) -> str:
    document = docx.Document(path)
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "".join("".join([*(p.text for p in document.paragraphs), *cells]).split())


def _render(name: str, demo_dir: Path, out: Path, on: dt.date) -> tuple[list, dict]:
    cases = load_cases([demo_dir / "cases.json"]).checked()
    result = render_batch(REGISTRY.get(name), cases, out, register=Register(out.parent / "r.sqlite"), on=on)
    by_id = {c.case_id: c for c in cases}
    return [(d, _text(out / d.file), by_id[d.case_id]) for d in result.documents], by_id


def test_the_decision_carries_every_element_of_article_59(demo_dir: Path, tmp_path: Path) -> None:
    documents, _ = _render("行政处罚决定书", demo_dir, tmp_path / "out", dt.date(2026, 11, 23))
    assert len(documents) == 2
    for doc, text, case in documents:
        penalty = case["penalty"]
        party = penalty["party"]
        # (1) the party's name, ID and address
        assert party["name"] in text and party["id_number"] in text and party["address"] in text
        # (2) the facts and the evidence
        assert penalty["facts"] in text
        assert all(proof in text for proof in penalty["proofs"])
        # (3) the penalty — a type of Art. 9 as the county recorded it, not invented — and its legal basis
        assert f"给予如下行政处罚：{penalty['penalty_content']}" in text
        assert penalty["penalty_content"] in ("警告", "罚款人民币500元")
        assert penalty["violated"] in text and penalty["basis"] in text
        assert "批评教育" not in text  # not a penalty type
        # (4) the manner and time of performance
        assert "履行方式和期限：" in text
        if penalty.get("performance"):
            assert penalty["performance"] in text
        # (5) where and within what time to seek review and to sue
        assert f"六十日内向{penalty['review_body']}申请行政复议" in text
        assert f"六个月内依法向{penalty['court']}提起行政诉讼" in text
        # the party was told of the right to state and defend, by the advance notice
        notice = next(n for n in case["notices"] if n["kind"] == "penalty_notice")
        assert notice["doc_no"] in text and "陈述、申辩权利" in text
        # (6) the organ and the date (the seal is the organ's, on paper)
        assert text.count("青石县教育局") >= 2 and doc.doc_no in text
        assert "送达回证" in text and "受送达人签名" in text


def test_the_advance_notice_states_facts_reasons_basis_and_the_right_to_be_heard(demo_dir: Path,
                                                                                  tmp_path: Path) -> None:
    documents, _ = _render("行政处罚事先告知书", demo_dir, tmp_path / "out", dt.date(2026, 11, 23))
    assert len(documents) == 2
    for _, text, case in documents:
        penalty = case["penalty"]
        assert penalty["facts"] in text and penalty["violated"] in text and penalty["basis"] in text
        assert f"拟对你作出如下行政处罚：{penalty['penalty_content']}" in text
        assert f"之日起{penalty['statement_days']}日内向本机关提出" in text and "陈述和申辩" in text
        assert ("要求听证" in text) == (penalty["penalty_type"] == "fine")


def _one_case(demo_dir: Path, tmp_path: Path, change) -> list:
    import json

    data = json.loads((demo_dir / "cases.json").read_text(encoding="utf-8"))
    case = next(c for c in data["cases"] if c.get("penalty", {}).get("penalty_type") == "fine")
    change(case)
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"schema_version": 1, "cases": [case]}, ensure_ascii=False), encoding="utf-8")
    return load_cases([path]).checked()


def test_enforcement_is_applied_for_only_where_a_fine_was_decided_and_the_time_to_appeal_has_run(
        demo_dir: Path, tmp_path: Path) -> None:
    documents, by_id = _render("强制执行申请书", demo_dir, tmp_path / "late", dt.date(2026, 11, 23))
    fined = [c for c in by_id.values() if c.get_path("penalty.penalty_type") == "fine"]
    assert [d.case_id for d, _, _ in documents] == [c.case_id for c in fined]
    for doc, text, case in documents:
        decision = next(n for n in case["notices"] if n["kind"] == "penalty_decision")
        assert decision["doc_no"] in text and case["penalty"]["court"] in text and "行政强制法" in text
        # The case records the application (2023-05-04): its date, and a number of that year, not today's.
        assert (doc.date, doc.doc_no) == ("2023-05-04", "青教执申〔2023〕1号")
    spec = REGISTRY.get("强制执行申请书")

    def unapplied(case: dict) -> None:
        case["notices"] = [n for n in case["notices"] if n["kind"] != "enforcement_application"]

    cases = _one_case(demo_dir, tmp_path, unapplied)
    # Two months after the decision the party may still appeal: no application, no number taken.
    with pytest.raises(DataProblemsError) as raised:
        render_batch(spec, cases, tmp_path / "early", register=None, on=dt.date(2022, 12, 28))
    (problem,) = raised.value.problems
    assert "早于程序允许的 2023-04-30" in problem.message and "第五十三条" in problem.message
    assert not (tmp_path / "early").exists()
    # Three months after the six months the court may no longer be asked: today is refused, not used.
    with pytest.raises(DataProblemsError) as raised:
        render_batch(spec, cases, tmp_path / "today", register=None, on=dt.date(2026, 11, 23))
    assert "已过期限 2023-07-29" in raised.value.problems[0].message
    assert len(render_batch(spec, cases, tmp_path / "ok", register=None, on=dt.date(2023, 7, 29)).documents) == 1

    def unreminded(case: dict) -> None:
        case["notices"] = [n for n in case["notices"] if not n["kind"].startswith("enforcement")]

    with pytest.raises(DataProblemsError) as raised:
        render_batch(spec, _one_case(demo_dir, tmp_path, unreminded), tmp_path / "x", register=None,
                     on=dt.date(2023, 6, 1))
    assert "应先有“催告当事人履行的送达日”" in raised.value.problems[0].message


def test_a_decision_dated_inside_the_time_to_state_and_defend_is_refused(demo_dir: Path, tmp_path: Path) -> None:
    import json

    data = json.loads((demo_dir / "cases.json").read_text(encoding="utf-8"))
    case = next(c for c in data["cases"] if c.get("penalty"))
    case["notices"] = [n for n in case["notices"] if n["kind"] != "penalty_decision"]
    notice = next(n for n in case["notices"] if n["kind"] == "penalty_notice")
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"schema_version": 1, "cases": [case]}, ensure_ascii=False), encoding="utf-8")
    served = dt.date.fromisoformat(notice["served_on"])
    cases = load_cases([path]).checked()
    spec = REGISTRY.get("行政处罚决定书")
    with pytest.raises(DataProblemsError) as raised:
        render_batch(spec, cases, tmp_path / "a", register=None, on=served + dt.timedelta(days=2))
    assert "早于程序允许的" in raised.value.problems[0].message and "第四十五条" in raised.value.problems[0].message
    made = render_batch(spec, cases, tmp_path / "b", register=None, on=served + dt.timedelta(days=4))
    assert len(made.documents) == 1


def test_a_decision_without_its_advance_notice_is_an_audit_finding(demo_dir: Path, tmp_path: Path) -> None:
    """Possible but unlawful (行政处罚法 Art. 62): the data passes validate — except the party, who must be a
    guardian — and the audit reports the missing advance notice with its passage."""
    import json

    from docgen.cases import load_data
    from docgen.check import check_cases
    from docgen.specs import load_spec

    data = json.loads((demo_dir / "cases.json").read_text(encoding="utf-8"))
    case = next(c for c in data["cases"] if c.get("penalty"))
    case["notices"] = [n for n in case["notices"] if n["kind"] != "penalty_notice"]
    stranger = json.loads(json.dumps(case))
    stranger["penalty"]["party"]["name"] = "路人甲"
    messages = [p.message for p in load_data([("x.json", {"schema_version": 1, "cases": [stranger]})]).errors]
    assert any("不是该学生的监护人" in m for m in messages)
    loaded = load_data([("x.json", {"schema_version": 1, "cases": [case]})], dt.date(2026, 11, 23))
    assert not loaded.errors
    found = [f for f in check_cases(loaded.cases, load_spec(), dt.date(2026, 11, 23)).findings
             if f.id == "penalty-decision.no-advance-notice"]
    assert len(found) == 1 and "第六十二条" in found[0].source.passage


def test_the_signature_never_stands_alone_on_a_page(demo_dir: Path, tmp_path: Path) -> None:
    """GB/T 9704 7.3.5: where the text fills page 1, its last paragraph goes with the signature to page 2."""
    from click.testing import CliRunner
    from pypdf import PdfReader

    from docgen.cli import main

    result = CliRunner().invoke(main, ["render", str(demo_dir / "cases.json"), "-t", "行政处罚事先告知书",
                                       "--out", str(tmp_path), "--pdf", "--quiet"])
    assert result.exit_code == 0, result.output
    pages = 0
    for pdf in tmp_path.glob("*_行政处罚事先告知书.pdf"):
        for page in PdfReader(pdf).pages:
            text = "".join(page.extract_text().split())
            if "送达回证" in text:
                continue
            pages += 1
            if re.search(r"青石县教育局\d{4}年\d{1,2}月\d{1,2}日", text):
                assert "陈述" in text, text  # the text about the right to be heard is on the signature's page
    assert pages >= 2
