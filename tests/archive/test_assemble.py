"""Assembling the archive: layout, binders that match their index, fixity, safety, incremental runs."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader

from docgen.archive import assemble_archive, verify_bag
from docgen.cases import load_data
from docgen.render import load_registry
from docgen.specs import load_spec
from docgen.workspace import default_archive

AS_OF = dt.date(2026, 11, 23)
# complete B4-1, B4-1 with a missing photo, B4-6; B4-7 without the inflow government's reply, B4-9 without the
# police's reply (a 500 元 fine), a student sent to a work-study school (a category outside the inventory)
PICK = ("QS-2022-001", "QS-2022-004", "QS-2022-014", "QS-2022-018", "QS-2022-023", "QS-2022-024")
B41 = "A3B4_整改佐证材料/B4-1_劝返回原学校就读"


@pytest.fixture(scope="module")
def work(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of three demo cases and their evidence; archives built here share one cache."""
    work = tmp_path_factory.mktemp("archive")
    data = json.loads((demo_dir / "cases.json").read_text(encoding="utf-8"))
    data["cases"] = [c for c in data["cases"] if c["case_id"] in PICK]
    (work / "cases.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    for case_id in PICK:
        shutil.copytree(demo_dir / "evidence" / case_id, work / "evidence" / case_id)
    return work


def assemble(work: Path, name: str = "archive", data: dict | None = None):
    data = data or json.loads((work / "cases.json").read_text(encoding="utf-8"))
    return assemble_archive(load_data([("cases.json", data)]).checked(), work / name, load_spec(), load_registry(),
                            evidence_root=work / "evidence", as_of=AS_OF, county="青石县")


def student(archive: Path, case_name: str) -> Path:
    (folder,) = (archive / "data").glob(f"A3B4_*/*/*_{case_name}_*")
    return folder


@pytest.fixture(scope="module")
def built(work: Path):
    return assemble(work)


def text_of(pdf: Path | bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf)
    return "".join("".join(p.extract_text().split()) for p in reader.pages)


def stamped_number(page) -> str:
    """The number printed in the upper right corner of a binder page (DA/T 22 页号), "" if none."""
    found = []

    def visit(text, cm, tm, _font, _size) -> None:
        x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
        y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
        if text.strip() and y > float(page.mediabox.top) - 60 and x > float(page.mediabox.right) - 120:
            found.append(text.strip())

    page.extract_text(visitor_text=visit)
    return "".join(found)


INDEX_COLUMNS = ("序号", "文号", "责任者", "题名", "日期", "页号", "备注")


def index_rows(folder: Path) -> list[dict[str, str]]:
    """The 卷内目录 read back from the PDF by word positions (poppler's pdftotext -bbox): one dict per row,
    each cell's words joined across wrapped lines (spaces dropped)."""
    xml = subprocess.run(["pdftotext", "-bbox", str(folder / "00_卷内目录.pdf"), "-"], check=True,
                         capture_output=True, text=True).stdout
    rows: list[dict[str, str]] = []
    for page in ElementTree.fromstring(xml).iter("{http://www.w3.org/1999/xhtml}page"):
        words = [(float(w.get("xMin")), float(w.get("yMin")), w.text or "")
                 for w in page.iter("{http://www.w3.org/1999/xhtml}word")]
        heads = {t: (x, y) for x, y, t in words if t in INDEX_COLUMNS}
        starts = [heads[c][0] for c in INDEX_COLUMNS]
        body = [(x, y, t) for x, y, t in words if y > heads["序号"][1] + 2]
        tops = sorted({y for x, y, t in body if x < starts[1] - 2 and t.isdigit()})
        for top, below in zip(tops, [*tops[1:], 1e9], strict=True):
            cells = dict.fromkeys(INDEX_COLUMNS, "")
            for x, _, t in sorted((b for b in body if top - 1 <= b[1] < below - 1), key=lambda b: (b[1], b[0])):
                cells[INDEX_COLUMNS[max(i for i, start in enumerate(starts) if x >= start - 4)]] += t
            rows.append(cells)
    return rows


def test_layout_follows_the_inventory(work: Path, built) -> None:
    archive = work / "archive"
    folders = sorted(p.relative_to(archive / "data").as_posix() for p in (archive / "data").glob("A3B4*/*/*"))
    cases = {c["case_id"]: c["student"] for c in json.loads((work / "cases.json").read_text(encoding="utf-8"))["cases"]}
    # Each student's folder: school, name and the binder's 档号 (its cover says which), never the 学籍号.
    named = {}
    cases_by_name = {c["name"]: c for c in cases.values()}
    for folder in folders:
        school, name, file_no = folder.rsplit("/", 1)[1].split("_")
        assert school == cases_by_name[name]["school"]
        assert f"档号{file_no}" in text_of(archive / "data" / folder / "00_案卷封面.pdf"), folder
        named[name] = folder.rsplit("/", 1)[0]
    top = "A3B4_整改佐证材料"
    assert named == {"林嘉豪": B41, "韩雨涵": B41, "林文博": f"{top}/B4-6_重度残疾儿童少年送教上门",
                     "梁家乐": f"{top}/B4-7_随父母外出打工、举家外迁", "叶明宇": f"{top}/B4-9_因家庭思想观念而辍学",
                     "杨思远": f"{top}/送读工读学校"}
    files = sorted(p.name for p in student(archive, "林嘉豪").iterdir())
    assert files[:3] == ["00_卷内目录.pdf", "00_案卷封面.pdf", "01_劝返记录表_20220908.pdf"]
    assert {"案卷.pdf", "核查结果.txt", "99_卷内备考表.pdf"} <= set(files)
    assert any(re.fullmatch(r"\d\d_学籍证明_20221012\.pdf", f) for f in files)
    result = (student(archive, "林嘉豪") / "核查结果.txt").read_text(encoding="utf-8")
    assert result.startswith("林嘉豪（学籍号 ")
    assert result.endswith("的案卷（B4-1 劝返回原学校就读）：材料齐全，未发现缺漏。\n")
    assert built.students == len(PICK) and (archive / "bag-info.txt").read_text(encoding="utf-8").count("青石县") == 1
    every_name = "".join(p.as_posix() for p in archive.rglob("*"))
    for case in cases.values():
        assert case["id_number"] not in every_name and case["id_number"][6:14] not in every_name


def test_folder_names_are_cut_between_words_only() -> None:
    from docgen.fsutil import short_title

    cases = {"极度厌学、存在严重破坏学校秩序行为、连续反复辍学": "极度厌学、存在严重破坏学校秩序行为",
             "义务教育阶段适龄儿童少年就读情况统计表（分村统计）": "义务教育阶段适龄儿童少年就读情况统计表",
             "没有任何可以断开的地方的一个很长的题名": "没有任何可以断开的地方的一个很长的题名"}
    assert {title: short_title(title, 20 if "、" in title or "（" in title else 10) for title in cases} == cases


def test_binder_pages_are_stamped_and_match_the_index(work: Path, built) -> None:
    folder = student(work / "archive", "林嘉豪")
    binder = PdfReader(folder / "案卷.pdf")
    marks = [(o.title, binder.get_destination_page_number(o)) for o in binder.outline]
    assert marks[:2] == [("案卷封面", 0), ("卷内目录", 1)] and marks[-1][0] == "卷内备考表"
    first = marks[2][1]
    # Only the documents' pages carry a number, 1 … N in the upper right; cover, index and 备考表 none.
    numbers = [stamped_number(p) for p in binder.pages]
    last = marks[-1][1]
    assert numbers[:first] == [""] * first and numbers[last:] == [""] * (len(binder.pages) - last)
    assert numbers[first:last] == [str(n) for n in range(1, last - first + 1)]
    rows = index_rows(folder)
    documents = marks[2:-1]
    assert len(rows) == len(documents)
    for row, (title, page) in zip(rows, documents, strict=True):
        assert title.replace(" ", "") == f"{row['序号']}.{row['题名']}"
        assert row["页号"].split("—")[0] == str(page - first + 1), (title, row)
    assert rows[-1]["页号"] in {str(last - first), f"{documents[-1][1] - first + 1}—{last - first}"}
    dates = [row["日期"] for row in rows]
    assert all(re.fullmatch(r"20\d{6}", d) for d in dates) and dates == sorted(dates)  # date order
    assert all(row["责任者"] for row in rows)
    cover = text_of(folder / "00_案卷封面.pdf")
    assert f"{len(documents)}件，{last - first}页" in cover
    settings = default_archive()  # assemble_archive without settings: the defaults a new workspace gets
    assert any(f"档号{settings.file_number(year=2022, seq=n)}" in cover for n in (1, 2, 3))
    assert f"保管期限{settings.retention}" in cover and f"密级{settings.classification}" in cover
    assert "立卷单位" + built_school(work, "QS-2022-001") in cover
    assert "自2022年9月8日至2022年10月14日" in cover
    notes = text_of(folder / "99_卷内备考表.pdf")
    assert "立卷人" in notes and "检查人" in notes and "卷内文件齐全" in notes


def built_school(work: Path, case_id: str) -> str:
    cases = json.loads((work / "cases.json").read_text(encoding="utf-8"))["cases"]
    return next(c["student"]["school"] for c in cases if c["case_id"] == case_id)


def test_signed_scan_replaces_the_generated_form(work: Path, built) -> None:
    folder = student(work / "archive", "林嘉豪")
    assert not list(folder.glob("*劝返记录表*.docx"))  # every visit has its signed record
    records = [r for r in index_rows(folder) if r["题名"] == "劝返工作记录表"]  # the form's own title
    assert len(records) == 5 and all(r["备注"] == "签字盖章件" for r in records)
    assert len(list(folder.glob("*_劝返记录表_*.pdf"))) == 5
    # 限期复学通知书 has no scan of its own: the generated one is filed with its 文号 and issuer.
    (notice,) = [r for r in index_rows(folder) if r["题名"] == "限期复学通知书"]
    assert re.fullmatch(r"云政限复〔2022〕\d+号", notice["文号"]) and notice["责任者"] == "云溪镇人民政府"


def test_a_missing_file_is_listed_as_missing_and_takes_no_page(work: Path, built) -> None:
    assert [str(p) for p in built.problems] == ["韩雨涵(QS-2022-004): E013 013_在校就读照片_20221102.jpg 文件不存在"]
    folder = student(work / "archive", "韩雨涵")
    (row,) = [r for r in index_rows(folder) if r["题名"] == "复学后在校就读照片"]  # the evidence's description
    assert row["备注"] == "缺" and row["页号"] == "" and row == index_rows(folder)[-1]
    assert "在校就读照片" not in "".join(p.name for p in folder.iterdir())
    binder = PdfReader(folder / "案卷.pdf")
    assert not any("013_在校就读照片" in "".join(p.extract_text().split()) for p in binder.pages[2:-1])
    notes = text_of(folder / "99_卷内备考表.pdf")
    assert "缺少的材料1件" in notes and "复学后在校就读照片（文件不存在）" in notes
    assert "佐证材料E013（在校就读照片）的文件不存在" in notes and ".jpg" not in notes  # in words, no file name
    findings = (folder / "核查结果.txt").read_text(encoding="utf-8")
    assert "文件不存在" in findings and "佐证材料（第13条）的文件路径" in findings
    assert "$." not in findings and "evidence.file" not in findings


def test_the_notes_state_what_the_check_found_and_the_index_lists_it_as_missing(work: Path, built) -> None:
    """叶明宇's police never replied, 梁家乐's inflow government never did: the 备考表 says so in words (no file name,
    no "complete"), and the reply stands in the 卷内目录 as 缺 under the one who owes it."""
    for name, finding, reply in (("叶明宇", "2022年10月31日致青石县公安局的函没有复函", "青石县公安局"),
                                 ("梁家乐", "2022年9月28日致义乌市人民政府的函没有流入地政府回函", "义乌市人民政府")):
        folder = student(work / "archive", name)
        rows = index_rows(folder)
        gap = rows[-1]
        assert {k: gap[k] for k in ("题名", "责任者", "页号", "备注")} == {
            "题名": f"{reply}复函", "责任者": reply, "页号": "", "备注": "缺"}, gap
        notes = text_of(folder / "99_卷内备考表.pdf")
        assert f"缺漏：{finding}（卷内目录第{gap['序号']}项注明“缺”）" in notes, notes
        assert f"应归档而缺少的材料1件，已在卷内目录中注明“缺”：{reply}复函" in notes
        assert "齐全" not in notes and "核查结果" not in notes and ".txt" not in notes
    # A case the check finds complete says so.
    assert "卷内文件齐全，经核查未发现缺漏" in text_of(student(work / "archive", "林嘉豪") / "99_卷内备考表.pdf")


def test_index_titles_and_issuers_are_the_documents_own(work: Path, built) -> None:
    rows = index_rows(student(work / "archive", "叶明宇"))
    titles = [r["题名"] for r in rows]
    # Each 函 by its own title, which says what it asks of whom; nothing is "函（第1份）".
    assert "关于商请查处非法招用未成年人叶明宇的函" in titles and "关于商请协助督促叶明宇监护人送其入学的函" in titles
    assert not [t for t in titles if "（第" in t and "份）" in t]
    by_title = {r["题名"]: r for r in rows}
    assert by_title["青石县人力资源和社会保障局复函"]["责任者"] == "青石县人力资源和社会保障局"
    receipts = [r for r in rows if "送达回证" in r["题名"]]
    assert [(r["题名"], r["责任者"]) for r in receipts] == [
        ("《限期复学通知书》送达回证（受送达人签收）", "桐林乡人民政府"),
        ("《行政处罚事先告知书》送达回证（受送达人签收）", "青石县教育局"),
        ("《行政处罚决定书》送达回证（受送达人签收）", "青石县教育局")]
    assert "流入地人民政府" not in "".join(r["责任者"] for r in rows)


def test_an_issuer_comes_from_the_evidence_else_from_the_record_naming_it(demo_dir: Path) -> None:
    from docgen.archive.entries import plan_entries

    data = json.loads((demo_dir / "cases.json").read_text(encoding="utf-8"))
    case = next(c for c in data["cases"] if c["case_id"] == "QS-2022-023")
    letter = next(item for item in case["letters"] if item.get("reply"))
    (reply_id,) = letter["reply"]["evidence"]
    reply = next(e for e in case["evidence"] if e["id"] == reply_id)

    def author() -> str:
        (checked,) = load_data([("c.json", {"schema_version": 1, "cases": [case]})]).checked()
        entries = plan_entries(checked, load_spec(), load_registry(), AS_OF, []).entries
        return next(e.author for e in entries if e.evidence is not None and e.evidence.get("id") == reply_id)

    assert "issuer" not in reply and author() == letter["reply"]["issuer"]  # the reply's issuer
    del letter["reply"]["issuer"]
    assert author() == letter["recipient"] == "青石县人力资源和社会保障局"  # else the letter's recipient
    reply["issuer"] = "青石县劳动保障监察大队"
    assert author() == "青石县劳动保障监察大队"  # the evidence's own issuer comes first


def test_the_signed_receipt_replaces_the_blank_one(work: Path, built) -> None:
    folder = student(work / "archive", "叶明宇")
    binder = PdfReader(folder / "案卷.pdf")
    texts = ["".join(page.extract_text().split()) for page in binder.pages]
    assert not [t for t in texts if "受送达人签名" in t]  # no blank 送达回证 bound: the signed scans are
    rows = index_rows(folder)
    for notice in ("限期复学通知书", "行政处罚事先告知书"):
        at = next(i for i, r in enumerate(rows) if r["题名"] == notice)
        receipt = rows[at + 1]
        assert receipt["题名"].startswith(f"《{notice}》送达回证") and receipt["备注"] == ""
    (notice,) = [r for r in rows if r["题名"] == "限期复学通知书"]
    following = rows[rows.index(notice) + 1]
    assert int(following["页号"]) == int(notice["页号"]) + 1  # the one-page notice, without its blank receipt page
    # The generated notice is still in the folder as the office's editable copy.
    assert list(folder.glob("*_限期复学通知书_*.docx"))


def test_no_id_number_or_registry_number_on_covers_indexes_or_notes(work: Path, built) -> None:
    from docgen.idcard import mask_registry

    cases = json.loads((work / "cases.json").read_text(encoding="utf-8"))["cases"]
    for case in cases:
        folder = student(work / "archive", case["student"]["name"])
        pages = {name: text_of(folder / name) for name in ("00_案卷封面.pdf", "00_卷内目录.pdf", "99_卷内备考表.pdf")}
        for name, text in pages.items():
            assert case["student"]["id_number"] not in text, (case["case_id"], name)
            assert case["student"]["id_number"][6:14] not in text, (case["case_id"], name)
        assert f"学籍号{mask_registry(case['student']['registry_no'])}" in pages["00_案卷封面.pdf"]


def test_categories_are_named_never_keyed(work: Path, built) -> None:
    folder = student(work / "archive", "杨思远")
    assert folder.parent.name == "送读工读学校"
    for name in ("00_案卷封面.pdf", "00_卷内目录.pdf", "99_卷内备考表.pdf"):
        assert "work_study" not in text_of(folder / name), name
    assert "（送读工读学校）控辍保学工作的材料" in text_of(folder / "00_案卷封面.pdf")
    assert "处置类别送读工读学校" in text_of(folder / "00_案卷封面.pdf")
    assert "work_study" not in (folder / "核查结果.txt").read_text(encoding="utf-8")


def test_verify_names_every_change(work: Path, built) -> None:
    copy = work / "tampered"
    shutil.copytree(work / "archive", copy)
    assert verify_bag(copy).problems == []
    target = next(student(copy, "林嘉豪").glob("*_学籍证明_*.pdf"))
    data = bytearray(target.read_bytes())
    data[100] ^= 1
    target.write_bytes(bytes(data))
    (copy / "data" / "多余.txt").write_text("x", encoding="utf-8")
    (copy / "data" / "核查报告.html").unlink()
    problems = verify_bag(copy).problems
    relative = target.relative_to(copy).as_posix()
    assert sorted(str(p) for p in problems) == sorted([
        f"{relative}: 文件已被修改", "data/多余.txt: 多出文件（清单中没有）", "data/核查报告.html: 文件缺失"])


def test_corrupt_files_and_escaping_paths_are_reported_and_the_rest_is_built(work: Path, built) -> None:
    data = json.loads((work / "cases.json").read_text(encoding="utf-8"))
    case = next(c for c in data["cases"] if c["case_id"] == "QS-2022-001")
    folder = work / "evidence" / "QS-2022-001"
    (folder / "坏的.pdf").write_bytes(b"%PDF-1.4 truncated")
    (folder / "坏的.jpg").write_bytes(b"\xff\xd8\xff not really a jpeg")
    # A "../" path is refused by the loader before anything runs; a symlink is the way out left to try.
    (folder / "外面.pdf").symlink_to(work / "evidence" / "QS-2022-004" / "001_劝返记录表_20220921.pdf")
    case["evidence"] += [{"id": "E901", "kind": "registry_certificate", "file": "坏的.pdf"},
                         {"id": "E902", "kind": "school_photo", "file": "坏的.jpg"},
                         {"id": "E903", "kind": "other", "file": "外面.pdf"}]
    result = assemble(work, "with-bad-files", data)
    assert sorted(p.split(": ", 1)[1] for p in map(str, result.problems) if "QS-2022-001" in p) == sorted([
        "E903 外面.pdf 路径指向本案材料目录之外，未读取",
        "E902 坏的.jpg 图片无法读取",
        "E901 坏的.pdf PDF 文件已损坏（可能没有传完整），无法打开",
    ])
    folder = student(work / "with-bad-files", "林嘉豪")
    assert "PDF文件已损坏（可能没有传完整），无法打开，未能装订" in text_of(folder / "案卷.pdf")
    assert "路径指向本案材料目录之外" in text_of(folder / "99_卷内备考表.pdf")
    assert verify_bag(work / "with-bad-files").problems == []


def test_a_second_run_converts_only_what_changed_and_drops_what_was_removed(work: Path, built) -> None:
    data = json.loads((work / "cases.json").read_text(encoding="utf-8"))
    again = assemble(work, "archive", data)
    assert again.converted == 0 and again.reused > 0
    case = next(c for c in data["cases"] if c["case_id"] == "QS-2022-001")
    case["evidence"] = [e for e in case["evidence"] if e["kind"] != "school_photo"]
    fewer = assemble(work, "archive", data)
    assert fewer.converted <= 6  # that student's index, cover, 备考表, page stamps and binder
    assert not list(student(work / "archive", "林嘉豪").glob("*在校就读照片*"))
    assert verify_bag(work / "archive").problems == []


def test_a_run_that_dies_leaves_the_previous_archive(work: Path, built, monkeypatch: pytest.MonkeyPatch) -> None:
    import docgen.archive.assemble as module

    before = sorted(p.relative_to(work / "archive").as_posix() for p in (work / "archive").rglob("*"))

    def dies(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(module, "make_bag", dies)
    with pytest.raises(KeyboardInterrupt):
        assemble(work)
    monkeypatch.undo()
    assert sorted(p.relative_to(work / "archive").as_posix() for p in (work / "archive").rglob("*")) == before
    assert verify_bag(work / "archive").problems == []
    assert not list(work.glob(".archive.staging-*"))
    assemble(work)
    assert verify_bag(work / "archive").problems == []


def test_zip_holds_the_whole_bag(work: Path) -> None:
    import zipfile

    data = json.loads((work / "cases.json").read_text(encoding="utf-8"))
    cases = load_data([("cases.json", data)]).checked()
    result = assemble_archive(cases, work / "zipped", load_spec(), load_registry(),
                              evidence_root=work / "evidence", as_of=AS_OF, county="青石县", make_zip=True)
    names = zipfile.ZipFile(result.zip_path).namelist()
    assert "zipped/bagit.txt" in names and "zipped/manifest-sha256.txt" in names
    assert sum(n.startswith("zipped/data/") and not n.endswith("/") for n in names) == result.files


def test_binder_on_its_own_numbers_documents_only(work: Path) -> None:
    from docgen.archive.binder import Item, build_binder
    from docgen.archive.pages import html_to_pdf
    from docgen.convert.cache import ConversionCache

    cache = ConversionCache(work / "binder-cache")
    two_pages = html_to_pdf("<p>一</p><p style='page-break-before:always'>二</p>", cache)
    items = [Item(f"材料{i}", f"{i}.pdf", pdf=two_pages) for i in range(3)]
    items.append(Item("缺的材料", "", missing=True, remarks="缺"))
    binder = build_binder({"item": "B4-1", "name": "测试"}, "测试", items, cache)
    reader = PdfReader(io.BytesIO(binder.pdf))
    assert binder.pages == 6 and len(reader.pages) == 1 + len(PdfReader(io.BytesIO(binder.index)).pages) + 6 + 1
    rows = ["".join(line.split()) for line in PdfReader(io.BytesIO(binder.index)).pages[0].extract_text().splitlines()]
    assert [r for r in rows if r.startswith(("1材料", "2材料", "3材料", "4缺"))] == [
        "1材料01", "2材料13", "3材料25—6", "4缺的材料缺"]
