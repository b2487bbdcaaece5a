"""Batches: one file per case or record, a print file, a manifest, numbers — or nothing at all."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import docx
import pytest

from docgen.cases import load_cases, load_data
from docgen.errors import DataProblemsError
from docgen.render import Register, load_registry, render_batch
from docgen.roster.entrants import due_entrants
from docgen.roster.model import load_roster

REGISTRY = load_registry()
ON = dt.date(2026, 11, 23)


def test_demo_batch_of_notices(demo_dir: Path, tmp_path: Path) -> None:
    spec = REGISTRY.get("限期复学通知书")
    result = render_batch(spec, load_cases([demo_dir / "cases.json"]).checked(), tmp_path / "out",
                          register=Register(tmp_path / "r.sqlite"), on=ON)
    assert len(result.documents) == 15 and result.skipped == 9 and result.fast
    first = result.documents[0]
    assert first.file == "云溪镇初级中学_林嘉豪_限期复学通知书.docx"
    text = "\n".join(p.text for p in docx.Document(tmp_path / "out" / first.file).paragraphs)
    assert first.doc_no in text and "林嘉豪" in text and "2022年9月24日前" in text
    # One print file per school; in it one section per notice (each starts a new page and numbers its pages
    # from 1), plus one per 送达回证.
    schools = {d.school for d in result.documents}
    assert sorted(result.print_files) == sorted(f"{s}_限期复学通知书_打印合并.docx" for s in schools)
    sections = restarts = 0
    for name in result.print_files:
        body = docx.Document(tmp_path / "out" / name).element.body
        sections += len(body.xpath(".//w:sectPr"))
        restarts += len(body.xpath(".//w:sectPr/w:pgNumType[@w:start='1']"))
    assert sections == restarts == 30
    manifest = json.loads((tmp_path / "out" / result.manifest).read_text(encoding="utf-8"))
    assert [d["file"] for d in manifest["documents"]] == [d.file for d in result.documents]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.staging")]


def test_per_record_templates_make_one_file_per_record(demo_dir: Path, tmp_path: Path) -> None:
    spec = REGISTRY.get("劝返记录表")
    result = render_batch(spec, load_cases([demo_dir / "cases.json"]).checked(), tmp_path, register=None, on=ON)
    assert len(result.documents) == 81
    assert result.documents[4].file.endswith("_劝返记录表_05.docx")


def test_a_missing_field_stops_the_batch_and_writes_nothing(demo_dir: Path, tmp_path: Path) -> None:
    """Fields the schema leaves optional but a template needs are checked before anything is written."""
    data = json.loads((demo_dir / "cases.json").read_text(encoding="utf-8"))
    del data["cases"][0]["student"]["head_teacher"]
    del data["cases"][1]["student"]["head_teacher"]
    register = Register(tmp_path / "r.sqlite")
    with pytest.raises(DataProblemsError) as info:
        render_batch(REGISTRY.get("劝返复学通知书"), load_data([("cases.json", data)]).checked(), tmp_path / "out",
                     register=register, on=ON)
    lines = [str(p) for p in info.value.problems]
    assert lines[0].endswith("$.cases[0].student.head_teacher.name 模板“劝返复学通知书”需要“姓名”，该案卷没有")
    assert lines[1].startswith("cases.json: ") and "$.cases[1].student.head_teacher.name" in lines[1]
    assert not (tmp_path / "out").exists()
    assert register.entries() == []
    assert not list(tmp_path.glob(".out.staging-*"))


def test_rendering_again_reuses_the_numbers(demo_dir: Path, tmp_path: Path) -> None:
    spec = REGISTRY.get("入学通知书")
    files = due_entrants(load_roster(demo_dir / "roster.json"))
    register = Register(tmp_path / "r.sqlite")
    first = render_batch(spec, files, tmp_path / "a", register=register, on=ON)
    again = render_batch(spec, files, tmp_path / "b", register=register, on=ON)
    assert [d.doc_no for d in first.documents] == [d.doc_no for d in again.documents]
    assert first.documents[-1].doc_no == f"青教入学〔2026〕{len(files)}号"
    assert register.gaps() == []


@pytest.mark.slow
def test_pdf_text_reads_back_as_the_notice(demo_dir: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    spec = REGISTRY.get("限期复学通知书")
    data = json.loads((demo_dir / "cases.json").read_text(encoding="utf-8"))
    # Two families of one school, so that they share a print file (print files are per school).
    cases = [c for c in data["cases"] if c["situation"]["category"] == "B4-1"
             and c["student"]["school"] == "云溪镇初级中学"][:2]
    assert len(cases) == 2
    checked = load_data([("c.json", {"schema_version": 1, "cases": cases})]).checked()
    result = render_batch(spec, checked, tmp_path, register=None, on=ON, pdf=True)
    for doc, case in zip(result.documents, cases, strict=True):
        text = "".join(PdfReader(tmp_path / doc.pdf).pages[0].extract_text().split())
        assert "限期复学通知书" in text and case["student"]["name"] in text and doc.doc_no in text
    assert len(result.print_pdfs) == 1
    printed = PdfReader(tmp_path / result.print_pdfs[0])
    assert len(printed.pages) == 4  # each notice and its 送达回证
    # Every family's notice is page "— 1 —" of its own, not page 3 of the batch; the 回证 carries no number.
    footers = [re.findall(r"—\s*(\d+)\s*—", page.extract_text()) for page in printed.pages]
    assert footers == [["1"], [], ["1"], []]
    # Body in a 仿宋 face, titles in a heavy Song, all with simplified-Chinese glyphs: no JP face, no sans body.
    fonts = {str(font.get_object()["/BaseFont"]).split("+")[-1]
             for page in printed.pages for font in page["/Resources"]["/Font"].values()}
    assert "FandolFang-Regular" in fonts and "FandolSong-Bold" in fonts, fonts
    assert not [f for f in fonts if "JP" in f.upper() or "jp-" in f or "Sans" in f or "Hei" in f], fonts

    # The same batch again: every document is unchanged, so no PDF is converted a second time.
    import docgen.convert.pdf as pdf_module

    def refuse(*_: object) -> float:
        raise AssertionError("an unchanged document was converted again")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf_module, "convert_to_pdf", refuse)
        again = render_batch(spec, checked, tmp_path / "again", register=None, on=ON, pdf=True)
    assert again.pdf_reused == 2 and again.documents == result.documents
    for doc in again.documents:
        assert (tmp_path / "again" / doc.pdf).read_bytes() == (tmp_path / doc.pdf).read_bytes()
    assert len(PdfReader(tmp_path / "again" / again.print_pdfs[0]).pages) == 4
    # One family's notice changed (the student's name corrected): that one alone is converted again.
    cases[0]["student"]["name"] = "林改名"
    changed = load_data([("c.json", {"schema_version": 1, "cases": cases})]).checked()
    later = render_batch(spec, changed, tmp_path / "later", register=None, on=ON, pdf=True)
    assert later.pdf_reused == 1
    assert "林改名" in "".join(PdfReader(tmp_path / "later" / later.documents[0].pdf).pages[0].extract_text().split())


@pytest.mark.slow
@pytest.mark.parametrize("spec", REGISTRY.templates, ids=lambda s: s.name)
def test_every_template_renders_the_demo_county_to_pdf(spec, demo_dir: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    if spec.source == "roster":
        subjects: list = due_entrants(load_roster(demo_dir / "roster.json"))
    else:
        subjects = load_cases([demo_dir / "cases.json"]).checked()
    result = render_batch(spec, subjects, tmp_path, register=Register(tmp_path / "r.sqlite"), on=ON, pdf=True)
    if not result.documents:
        assert spec.name == "复学申请表" and not any(tmp_path.glob("*.docx"))
        return
    names = {c.case_id: c.name for c in subjects}
    for doc in result.documents:
        assert docx.Document(tmp_path / doc.file).paragraphs is not None
        text = "".join("".join(page.extract_text().split()) for page in PdfReader(tmp_path / doc.pdf).pages)
        assert names[doc.case_id] in text, doc.file
        assert all(ch not in text for ch in "{}"), f"unrendered tag in {doc.file}"
        if doc.doc_no:
            assert doc.doc_no in text


def test_a_long_list_is_made_readable_once_per_case_not_once_per_record(demo_dir: Path, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """2,000 applications on one case: each record's document reuses the case's one readable copy (linear time)."""
    import docgen.render.batch as batch

    data = json.loads((demo_dir / "cases.json").read_text(encoding="utf-8"))
    case = next(c for c in data["cases"] if c.get("persuasions"))
    template = dict(case["persuasions"][0])
    case["persuasions"] = [dict(template) for _ in range(2000)]
    calls: list[str] = []
    real = batch.readable_case
    monkeypatch.setattr(batch, "readable_case", lambda c, keys=None: calls.append(c.case_id) or real(c, keys))
    cases = [c for c in load_data([("c.json", data)]).checked() if c.case_id == case["case_id"]]
    result = render_batch(REGISTRY.get("劝返记录表"), cases, tmp_path / "out", register=None, on=ON, workers=1)
    assert len(result.documents) == 2000
    assert calls == [case["case_id"]]


def test_enrolment_notices_go_only_to_roster_children_due_to_enter_school(demo_dir: Path, tmp_path: Path) -> None:
    roster = json.loads((demo_dir / "roster.json").read_text(encoding="utf-8"))
    due = due_entrants(load_roster(demo_dir / "roster.json"))
    result = render_batch(REGISTRY.get("入学通知书"), due, tmp_path, register=None, on=dt.date(2022, 8, 1))
    expected = {c["id_number"] for c in roster["children"]
                if c["attending"] == "in_county" and c.get("grade") in (1, 7)}
    assert {d.case_id.split(":")[1] for d in result.documents} == expected and expected
    dropouts = {c["id_number"] for c in roster["children"] if c.get("case_id")}
    assert not dropouts & expected  # no dropout (like the 19-year-old under B4-2) is told she reached school age
    text = "".join(p.text for p in docx.Document(tmp_path / result.documents[0].file).paragraphs)
    assert "第五十八条" in text and "法律责任" in text and "的家长" not in text  # the guardian by name
