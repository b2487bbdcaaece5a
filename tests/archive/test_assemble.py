"""Assembling the archive: layout, binders that match their index, fixity, safety, incremental runs."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from docgen.archive import assemble_archive, verify_bag
from docgen.cases import load_data
from docgen.render import load_registry
from docgen.specs import load_spec

AS_OF = dt.date(2026, 11, 23)
PICK = ("QS-2022-001", "QS-2022-004", "QS-2022-014")  # complete B4-1, B4-1 with a missing photo, B4-6
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
    (folder,) = (archive / "data" / B41).glob(f"*_{case_name}_*")
    return folder


@pytest.fixture(scope="module")
def built(work: Path):
    return assemble(work)


def test_layout_follows_the_inventory(work: Path, built) -> None:
    archive = work / "archive"
    folders = sorted(p.relative_to(archive / "data").as_posix() for p in (archive / "data").glob("A3B4*/*/*"))
    cases = {c["case_id"]: c["student"] for c in json.loads((work / "cases.json").read_text(encoding="utf-8"))["cases"]}
    expected = [f"{B41}/{cases['QS-2022-001']['school']}_林嘉豪_{cases['QS-2022-001']['registry_no']}",
                f"{B41}/{cases['QS-2022-004']['school']}_韩雨涵_{cases['QS-2022-004']['registry_no']}",
                f"A3B4_整改佐证材料/B4-6_重度残疾儿童少年送教上门/{cases['QS-2022-014']['school']}_林文博_"
                f"{cases['QS-2022-014']['registry_no']}"]
    assert folders == sorted(expected)
    files = sorted(p.name for p in student(archive, "林嘉豪").iterdir())
    assert files[:3] == ["00_卷内目录.pdf", "00_案卷封面.pdf", "01_限期复学通知书.docx"]
    assert {"案卷.pdf", "核查结果.txt", "08_学籍证明_20221012.pdf", "09_在校就读照片_20221014.jpg"} <= set(files)
    assert (student(archive, "林嘉豪") / "核查结果.txt").read_text(encoding="utf-8") == "材料齐全，未发现缺漏。\n"
    assert built.students == 3 and (archive / "bag-info.txt").read_text(encoding="utf-8").count("青石县") == 1


def test_binder_bookmarks_and_pages_match_the_index(work: Path, built) -> None:
    folder = student(work / "archive", "林嘉豪")
    binder = PdfReader(folder / "案卷.pdf")
    marks = [(o.title, binder.get_destination_page_number(o) + 1) for o in binder.outline]
    assert marks[:2] == [("案卷封面", 1), ("卷内目录", 2)]
    index_text = "".join("".join(p.extract_text().split()) for p in PdfReader(folder / "00_卷内目录.pdf").pages)
    items = marks[2:]
    for (title, page), (_, next_page) in zip(items, [*items[1:], ("", len(binder.pages) + 1)], strict=True):
        expected = f"{page}" if next_page - 1 == page else f"{page}—{next_page - 1}"
        seq = title.split(".")[0]
        assert re.search(rf"{seq}\D.*?{expected}", index_text), (title, expected)
    cover = "".join(binder.pages[0].extract_text().split())
    assert f"{len(items)}件/{len(binder.pages)}页" in cover


def test_what_cannot_be_included_gets_a_page_and_a_line(work: Path, built) -> None:
    assert [str(p) for p in built.problems] == ["韩雨涵(QS-2022-004): 013_在校就读照片_20221102.jpg 文件不存在"]
    binder = PdfReader(student(work / "archive", "韩雨涵") / "案卷.pdf")
    texts = ["".join(p.extract_text().split()) for p in binder.pages]
    assert any("文件不存在" in t and "013_在校就读照片_20221102.jpg" in t for t in texts)
    findings = (student(work / "archive", "韩雨涵") / "核查结果.txt").read_text(encoding="utf-8")
    assert "evidence.file" in findings


def test_verify_names_every_change(work: Path, built) -> None:
    copy = work / "tampered"
    shutil.copytree(work / "archive", copy)
    assert verify_bag(copy).problems == []
    target = next(student(copy, "林嘉豪").glob("08_学籍证明_*.pdf"))
    data = bytearray(target.read_bytes())
    data[100] ^= 1
    target.write_bytes(bytes(data))
    (copy / "data" / "多余.txt").write_text("x", encoding="utf-8")
    (copy / "data" / "核查报告.html").unlink()
    problems = verify_bag(copy).problems
    relative = target.relative_to(copy).as_posix()
    assert problems == sorted([f"文件已被修改：{relative}", "多出文件（清单中没有）：data/多余.txt",
                               "文件缺失：data/核查报告.html"])


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
        "外面.pdf 路径指向本案材料目录之外，未读取",
        "坏的.jpg 图片无法读取",
        "坏的.pdf PDF 文件已损坏，无法读取",
    ])
    binder = PdfReader(student(work / "with-bad-files", "林嘉豪") / "案卷.pdf")
    text = "".join("".join(p.extract_text().split()) for p in binder.pages)
    assert "PDF文件已损坏，无法读取，未能装订" in text and "路径指向本案材料目录之外" in text
    assert verify_bag(work / "with-bad-files").problems == []


def test_a_second_run_converts_only_what_changed_and_drops_what_was_removed(work: Path, built) -> None:
    data = json.loads((work / "cases.json").read_text(encoding="utf-8"))
    again = assemble(work, "archive", data)
    assert again.converted == 0 and again.reused > 0
    case = next(c for c in data["cases"] if c["case_id"] == "QS-2022-001")
    case["evidence"] = [e for e in case["evidence"] if e["kind"] != "school_photo"]
    fewer = assemble(work, "archive", data)
    assert fewer.converted <= 4  # that student's index, cover and binder
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


def test_cover_and_index_are_single_conversions(work: Path) -> None:
    """Smoke test for the binder on its own: page counts add up."""
    from docgen.archive.binder import Item, build_binder
    from docgen.archive.cache import ConversionCache
    from docgen.archive.pages import html_to_pdf

    cache = ConversionCache(work / "binder-cache")
    two_pages = html_to_pdf("<p>一</p><p style='page-break-before:always'>二</p>", cache)
    items = [Item(f"材料{i}", f"{i}.pdf", pdf=two_pages) for i in range(3)]
    _, index, binder = build_binder({"item": "B4-1", "name": "测试"}, "测试", items, cache)
    reader = PdfReader(io.BytesIO(binder))
    assert len(reader.pages) == 1 + len(PdfReader(io.BytesIO(index)).pages) + 6
    text = "".join(PdfReader(io.BytesIO(index)).pages[0].extract_text().split())
    assert "3—4" in text and "5—6" in text and "7—8" in text
