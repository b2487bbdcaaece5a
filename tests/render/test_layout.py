"""The documents as an office files them, measured on what docgen writes: GB/T 9704's 28 characters × 22 lines,
the 请示 signed and its 版记 at the foot of its last page, the 函 asking what its title says and naming a person to
call, every form with lines to sign, no empty brackets, no number broken over two lines, one numeral style, the
hearing offered only before a large fine (PDF text positions through ``pdftotext -bbox-layout``)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import docx
import pytest
from click.testing import CliRunner
from PIL import Image
from pypdf import PdfReader

from docgen.cases import load_data
from docgen.errors import DataProblemsError
from docgen.render import Register, load_registry, render_batch
from docgen.render.context import Issuing
from docgen.render.engine import document_title
from docgen.roster.entrants import due_entrants
from docgen.roster.model import load_roster
from docgen.workspace import load_workspace

REGISTRY = load_registry()
ON = dt.date(2026, 11, 23)
LEFT, RIGHT, BOTTOM = 1588 / 20, (11906 - 1474) / 20, (16838 - 1984) / 20  # the text block, in points
XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Line:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def pdf_lines(pdf: Path) -> list[Line]:
    """Every line of text LibreOffice set, with its box (poppler's pdftotext -bbox-layout), words joined."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], check=True, capture_output=True,
                         text=True).stdout
    out = []
    for number, page in enumerate(ElementTree.fromstring(xml).iter(f"{XHTML}page"), 1):
        for line in page.iter(f"{XHTML}line"):
            words = list(line.iter(f"{XHTML}word"))
            out.append(Line(number, float(line.get("xMin")), float(line.get("yMin")), float(line.get("xMax")),
                            float(line.get("yMax")), "".join(w.text or "" for w in words)))
    return out


def docx_text(path: Path) -> str:
    document = docx.Document(path)
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "".join("".join([*(p.text for p in document.paragraphs), *cells]).split())


@pytest.fixture(scope="module")
def issuing(demo_dir: Path) -> Issuing:
    """The demo county's signers, contacts and hearing threshold (its docgen-workspace.yaml)."""
    return load_workspace(demo_dir).issuing


def cases_of(demo_dir: Path, edit=None) -> list:
    data = json.loads((demo_dir / "cases.json").read_text(encoding="utf-8"))
    if edit:
        edit(data["cases"])
    return load_data([("cases.json", data)]).checked()


def render(name: str, subjects: list, out: Path, issuing: Issuing | None, *, pdf: bool = False, register=None,
           on: dt.date = ON):
    return render_batch(REGISTRY.get(name), subjects, out, register=register, on=on, pdf=pdf, issuing=issuing)


# ---- the page: 28 × 22 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("spec", REGISTRY.templates, ids=lambda s: s.name)
def test_every_template_declares_the_grid_of_28_characters_and_22_lines(spec) -> None:
    xml = zipfile.ZipFile(spec.path).read("word/document.xml").decode()
    grids = re.findall(r"<w:docGrid [^>]*/>", xml)
    assert grids and all(g == '<w:docGrid w:type="linesAndChars" w:linePitch="579" w:charSpace="-849"/>'
                         for g in grids), grids
    # Word's pitch: 16 pt + charSpace/4096 pt; 28 of them fit the 156 mm line, 29 do not.
    pitch = 16 - 849 / 4096
    assert 28 * pitch <= (RIGHT - LEFT) < 29 * pitch


@pytest.mark.slow
def test_a_full_line_holds_28_characters(demo_dir: Path, tmp_path: Path, issuing: Issuing) -> None:
    cases = cases_of(demo_dir)
    full = []
    for name in ("限期复学通知书", "行政处罚事先告知书", "远程送教请示"):
        result = render(name, cases, tmp_path / name, issuing, pdf=True)
        for doc in result.documents:
            for line in pdf_lines(tmp_path / name / doc.pdf):
                plain = re.fullmatch(r"[\u3000-\u9fff\uff00-\uffef]+", line.text)
                body = line.y1 - line.y0 > 18  # 3号, not the 回证's note in 小四
                if plain and body and abs(line.x0 - LEFT) < 3 and line.x1 > RIGHT - 16:
                    # A line may end with a comma hanging in the margin (标点悬挂): it is not one of the 28.
                    hanging = line.x1 > RIGHT + 2 and line.text[-1] in "，。、；：）》"
                    full.append(line.text[:-1] if hanging else line.text)
    assert len(full) > 20
    assert {len(t) for t in full} == {28}, [t for t in full if len(t) != 28]


# ---- the 请示 -----------------------------------------------------------------------------------------------
def _imprint_at_the_foot(lines: list[Line]) -> None:
    pages = max(line.page for line in lines)
    printed = [line for line in lines if line.text.endswith("印发")]
    copied = [line for line in lines if line.text.startswith("抄送：")]
    assert len(printed) == len(copied) == 1 and printed[0].page == copied[0].page == pages
    assert BOTTOM - 30 < printed[0].y1 <= BOTTOM + 1, printed  # its last line on the last line of the text block
    assert copied[0].y1 < printed[0].y0
    last = [line for line in lines if line.page == pages and not re.fullmatch(r"—\d+—", line.text)]
    below = [line.text for line in last if line.y0 >= copied[0].y0 - 1]
    assert len(below) == 3 and below[0] == copied[0].text and below[2] == printed[0].text  # 抄送, 印发机关 and date
    assert below[1].endswith("办公室")
    assert [line for line in last if line.y1 < copied[0].y0], "the 版记 is on a page of its own"


@pytest.mark.slow
def test_the_request_is_signed_and_ends_with_its_imprint(demo_dir: Path, tmp_path: Path, issuing: Issuing) -> None:
    result = render("远程送教请示", cases_of(demo_dir), tmp_path / "short", issuing, pdf=True,
                    register=Register(tmp_path / "r.sqlite"))
    assert len(result.documents) == 2
    for doc in result.documents:
        pdf = tmp_path / "short" / doc.pdf
        assert len(PdfReader(pdf).pages) == 1  # no blank page after it
        lines = pdf_lines(pdf)
        unit = issuing.unit(doc.school)
        (number,) = [line for line in lines if line.text == doc.doc_no]
        (signer,) = [line for line in lines if line.text == f"签发人：{unit.signer}"]
        assert abs(number.y0 - signer.y0) < 1 and number.x0 < signer.x0  # 发文字号 left, 签发人 right, one line
        assert f"（联系人：{unit.contact}，电话：{unit.phone}）" in [line.text for line in lines]
        _imprint_at_the_foot(lines)

    def long_reason(cases: list) -> None:
        for case in cases:
            truancy = "多次旷课、拒绝参加学校安排的补习和心理辅导，" * 22
            case["situation"]["reason"] = f"极度厌学，{truancy}反复辍学"

    result = render("远程送教请示", cases_of(demo_dir, long_reason), tmp_path / "long", issuing, pdf=True)
    for doc in result.documents:
        lines = pdf_lines(tmp_path / "long" / doc.pdf)
        assert max(line.page for line in lines) == len(PdfReader(tmp_path / "long" / doc.pdf).pages) == 2
        _imprint_at_the_foot(lines)


def test_a_request_whose_unit_has_no_signer_is_refused(demo_dir: Path, tmp_path: Path) -> None:
    """The conftest workspace names no units: the 请示 is not written, and the message says what to add where."""
    from docgen.cli import main

    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["render", str(demo_dir / "cases.json"), "-t", "远程送教请示", "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "units.云溪镇初级中学.signer" in result.output and "签发人" in result.output
    assert result.output.count("units.云溪镇初级中学.signer") == 1 and not out.exists()
    with pytest.raises(DataProblemsError) as raised:
        render("函", cases_of(demo_dir), tmp_path / "letters", Issuing())
    assert {p.path for p in raised.value.problems} == {f"units.{t}人民政府.{f}" for t in ("云溪镇", "桐林乡")
                                                        for f in ("contact", "phone")}


# ---- the 函 --------------------------------------------------------------------------------------------------
def test_each_letter_asks_what_its_title_says_and_names_a_person_to_call(demo_dir: Path, tmp_path: Path,
                                                                           issuing: Issuing) -> None:
    cases = {c.case_id: c for c in cases_of(demo_dir)}
    result = render("函", list(cases.values()), tmp_path, issuing)
    kinds = set()
    for doc in result.documents:
        letter = cases[doc.case_id]["letters"][doc.record - 1]
        path = tmp_path / doc.file
        title, text = document_title(path.read_bytes()), docx_text(path)
        name = cases[doc.case_id]["student"]["name"]
        kind = letter["recipient_kind"]
        kinds.add(kind)
        if kind == "labour_bureau":  # to investigate illegal employment of a minor, under the child labour rules
            assert title == f"关于商请查处非法招用未成年人{name}的函"
            assert "《禁止使用童工规定》" in text and "调查该生是否被非法招用" in text
        elif kind == "police":
            assert title == f"关于商请协助督促{name}监护人送其入学的函" and "协助核实该生及其监护人的下落" in text
        else:
            assert title == f"关于商请协助劝返{name}入学的函" and "流入地为主" in text
        township = cases[doc.case_id]["hukou_place"]["township"]
        unit = issuing.unit(f"{township}人民政府")
        assert f"联系人：{unit.contact}，联系电话：{unit.phone}。" in text
        assert "办公室" not in unit.contact
    assert kinds == {"inflow_government", "labour_bureau", "police"}


# ---- forms ---------------------------------------------------------------------------------------------------
def _with_resumption(cases: list) -> None:
    case = next(c for c in cases if c["situation"]["category"] == "B4-4" and c.get("diagnosis"))
    case["applications"].append({"kind": "resumption", "applied_on": "2023-02-10",
                                 "applicant": case["guardians"][0]["name"],
                                 "fitness_hospital": case["diagnosis"]["hospital"]})


@pytest.mark.parametrize(("name", "approvers"), [("休学申请表", 2), ("复学申请表", 2), ("缓免学申请表", 3),
                                                 ("劝返记录表", 0)])
def test_every_application_form_has_lines_for_the_guardian_and_each_approver(name: str, approvers: int, demo_dir: Path,
                                                                          tmp_path: Path) -> None:
    result = render(name, cases_of(demo_dir, _with_resumption), tmp_path, None)
    assert result.documents
    for doc in result.documents:
        text = docx_text(tmp_path / doc.file)
        assert text.count("监护人（签名）：") == 1, doc.file
        assert text.count("负责人（签名）：（盖章）") == approvers, doc.file
        assert text.count("年月日") >= approvers + 1


def test_no_document_shows_empty_brackets(demo_dir: Path, tmp_path: Path, issuing: Issuing) -> None:
    """邓建华's 休学 has no diagnosis: its 诊断医院 stays blank, not "（）"; the same for every optional value."""
    cases = cases_of(demo_dir, _with_resumption)
    checked = 0
    for spec in REGISTRY.templates:
        subjects = due_entrants(load_roster(demo_dir / "roster.json")) if spec.source == "roster" else cases
        result = render_batch(spec, subjects, tmp_path / spec.name, register=None, on=ON, issuing=issuing)
        for doc in result.documents:
            text = docx_text(tmp_path / spec.name / doc.file)
            assert not re.search(r"（\s*）|\(\s*\)|（\s*级\s*）|残疾残疾", text), (doc.file, text)
            checked += 1
    assert checked > 250
    (deng,) = [c for c in cases if c.name == "邓建华"]
    assert not deng.get("diagnosis")


@pytest.mark.slow
def test_numbers_and_ways_of_service_are_never_broken_across_lines(demo_dir: Path, tmp_path: Path,
                                                                    issuing: Issuing) -> None:
    result = render("行政处罚事先告知书", cases_of(demo_dir), tmp_path, issuing, pdf=True,
                    register=Register(tmp_path / "r.sqlite"))
    for doc in result.documents:
        lines = pdf_lines(tmp_path / doc.pdf)
        receipt = [line.text for line in lines if line.page == max(x.page for x in lines)]
        assert receipt[0] == "送达回证"
        assert doc.doc_no in receipt  # the 文号 on a line of its own, whole
        assert {"□直接送达", "□留置送达", "□委托送达", "□邮寄送达"} <= set(receipt)  # each way of service whole
        assert "受送达人签名（盖章）" in receipt and "代收人及代收理由" in receipt
        assert sum(doc.doc_no in line.text for line in lines) == 2  # under the title and in the 回证, never cut


def _title_gap(pdf: Path, page: int, title: str, tmp_path: Path) -> float:
    """Points between the lowest ink of a form's title and the table's top border, on the page as printed (72 dpi)."""
    (line,) = [x for x in pdf_lines(pdf) if x.page == page and x.text == title]
    stem = tmp_path / f"page{page}"
    subprocess.run(["pdftoppm", "-gray", "-r", "72", "-f", str(page), "-l", str(page), str(pdf), str(stem)], check=True)
    (image_file,) = tmp_path.glob(f"page{page}*.pgm")
    with Image.open(image_file) as image:
        pixels, width = image.load(), image.width
        border = next(y for y in range(int(line.y0), image.height)
                      if sum(pixels[x, y] < 160 for x in range(width)) > (RIGHT - LEFT) * 0.9)
        ink = max(y for y in range(int(line.y0), border) if any(pixels[x, y] < 160 for x in range(width)))
    image_file.unlink()
    return border - ink


@pytest.mark.slow
@pytest.mark.parametrize(("name", "page", "title"), [("休学申请表", 1, "义务教育阶段学生休学申请表"),
                                                     ("缓免学申请表", 1, "义务教育阶段学生缓免学申请表"),
                                                     ("劝返记录表", 1, "劝返工作记录表"),
                                                     ("限期复学通知书", 2, "送达回证")])
def test_form_titles_stand_clear_of_their_tables(name: str, page: int, title: str, demo_dir: Path, tmp_path: Path,
                                                 issuing: Issuing) -> None:
    cases = [c for c in cases_of(demo_dir) if c.case_id == "QS-2022-001" or c.category in ("B4-4", "B4-5")]
    result = render(name, cases, tmp_path / "out", issuing, pdf=True)
    assert _title_gap(tmp_path / "out" / result.documents[0].pdf, page, title, tmp_path) >= 8


# ---- wording -------------------------------------------------------------------------------------------------
def test_one_numeral_style_in_each_document(demo_dir: Path, tmp_path: Path, issuing: Issuing) -> None:
    cases = cases_of(demo_dir)
    for name, arabic in (("行政处罚事先告知书", True), ("送教上门家长同意书", True), ("行政处罚决定书", False)):
        for doc in render(name, cases, tmp_path / name, issuing).documents:
            text = docx_text(tmp_path / name / doc.file)
            counts = re.findall(r"([0-9]+|[一二两三四五六七八九十百]+)(?=日内|个月内|次|人同行|学时)", text)
            assert counts and {c.isdigit() for c in counts} == {arabic}, (doc.file, counts)


def _fine(amount: int):
    def edit(cases: list) -> None:
        for case in cases:
            if case.get("penalty"):
                case["penalty"]["penalty_type"] = "fine"
                case["penalty"]["penalty_content"] = f"罚款人民币{amount}元"
    return edit


@pytest.mark.parametrize(("edit", "threshold", "hearing"), [
    (None, 2000, {"QS-2022-022": False, "QS-2022-023": False}),  # a warning; a fine of 500 元 below the province's sum
    (_fine(3000), 2000, {"QS-2022-022": True, "QS-2022-023": True}),  # 较大数额
    (_fine(500), None, {"QS-2022-022": True, "QS-2022-023": True}),  # no sum set: every fine offers a hearing
])
def test_the_hearing_is_offered_only_before_a_large_fine(edit, threshold, hearing, demo_dir: Path, tmp_path: Path,
                                                         issuing: Issuing) -> None:
    county = Issuing(issuing.units, threshold)
    result = render("行政处罚事先告知书", cases_of(demo_dir, edit), tmp_path, county)
    offered = {}
    for doc in result.documents:
        text = docx_text(tmp_path / doc.file)
        offered[doc.case_id] = "要求听证" in text
        if offered[doc.case_id]:
            assert "第六十三条、第六十四条" in text and "收到本告知书之日起5日内" in text
        assert "五日内" not in text and "青石县教育局（印章）" in text  # Arabic counts; the seal's place
    assert offered == hearing


@pytest.mark.slow
def test_the_enrolment_notice_fits_on_one_page(demo_dir: Path, tmp_path: Path, issuing: Issuing) -> None:
    due = due_entrants(load_roster(demo_dir / "roster.json"))
    result = render("入学通知书", due, tmp_path, issuing, pdf=True, on=dt.date(2022, 8, 1))
    assert len(result.documents) > 50
    assert {len(PdfReader(tmp_path / doc.pdf).pages) for doc in result.documents} == {1}


def test_the_demo_workspace_names_every_issuing_unit(demo_dir: Path, issuing: Issuing) -> None:
    cases = cases_of(demo_dir)
    issuers = {f"{c.township}人民政府" for c in cases} | {c.school for c in cases} | {f"{cases[0].county}教育局"}
    assert issuers <= set(issuing.units)
    assert all(u.signer and u.contact and u.phone for u in issuing.units.values())
    assert issuing.hearing_fine == 2000
    copy.deepcopy(issuing)  # plain data, as a worker process receives it
