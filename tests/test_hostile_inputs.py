"""The inputs a careless or hostile user gives, through the command line: a clear line and exit code,
never a traceback, an internal error, a hang, or a file left behind or destroyed."""

from __future__ import annotations

import json
import os
import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from docgen.cli import main


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@contextmanager
def no_hang(seconds: int = 120) -> Iterator[None]:
    """Fail instead of waiting forever (a pipe opened for reading blocks until someone writes)."""
    def fail(*_: object) -> None:
        raise AssertionError(f"blocked for {seconds} s")
    old = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.fixture()
def county(demo_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the demo county that a test may change."""
    target = tmp_path / "county"
    shutil.copytree(demo_dir, target)
    return target


def _cases(county: Path) -> dict:
    return json.loads((county / "cases.json").read_text(encoding="utf-8"))


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("target", ["evidence", "."])
def test_assemble_into_an_input_folder_is_refused_and_touches_nothing(county: Path, target: str) -> None:
    before = _listing(county)
    code, _, err = run("assemble", county / "cases.json", "--evidence", county / "evidence",
                       "--institutions", county / "institutions.json", "--out", county / target)
    assert code == 2
    assert "会覆盖输入" in err
    assert _listing(county) == before


def test_report_folder_inside_the_evidence_is_refused(county: Path) -> None:
    code, _, err = run("check", county / "cases.json", "--evidence", county / "evidence",
                       "--report", county / "evidence" / "报告")
    assert code == 2 and "位于佐证材料目录" in err
    assert not (county / "evidence" / "报告").exists()


def test_a_case_id_leaving_the_evidence_folder_is_a_finding_and_nothing_outside_is_read(county: Path,
                                                                                      tmp_path: Path) -> None:
    data = _cases(county)
    data["cases"][0]["case_id"] = "../secret"
    data["cases"][1]["case_id"] = "/etc"
    bad = _write(tmp_path / "bad.json", data)
    code, out, _ = run("check", bad, "--evidence", county / "evidence")
    assert code == 1
    assert out.count("案卷数据有误，未能核查") == 2 and "../secret" in out
    code, out, err = run("assemble", bad, "--evidence", county / "evidence", "--out", tmp_path / "archive")
    assert code == 1 and "案卷编号只能含字母" in out and "未写出任何文件" in err
    assert not (tmp_path / "archive").exists()


def test_a_unit_name_leaving_the_units_folder_is_refused(county: Path) -> None:
    data = json.loads((county / "institutions.json").read_text(encoding="utf-8"))
    data["units"][0]["name"] = "../../../../../x"
    bad = _write(county / "bad-units.json", data)
    code, _, err = run("check", county / "cases.json", "--evidence", county / "evidence", "--institutions", bad)
    assert code == 2 and "bad-units.json" in err


def test_wrong_shapes_are_reported_by_check_and_refused_by_render(county: Path, tmp_path: Path) -> None:
    data = _cases(county)
    data["cases"][1]["student"] = "张三"
    data["cases"][2]["situation"] = None
    bad = _write(tmp_path / "bad.json", data)
    code, out, _ = run("check", bad)
    assert code == 1 and out.count("案卷数据有误") >= 2
    for args in (("render", bad, "-t", "限期复学通知书", "-o", tmp_path / "out"),
                 ("export", bad, "-o", tmp_path / "x.xlsx"), ("due", bad),
                 ("monthly", bad, "--month", "2022-09", "-o", tmp_path / "m")):
        code, out, err = run(*args)
        assert code == 1, args
        assert "$.cases[1].student 应为对象" in out and "未写出任何文件" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json", "county"]


@pytest.mark.parametrize(("text", "message"), [
    ("[" * 5000 + "]" * 5000, "嵌套超过 64 层"),
    ('{"grade": ' + "9" * 5000 + "}", "位数过多"),
    ('{"a": 1, "a": 2}', "字段“a”在同一个对象中出现了两次"),
    ('{"a": NaN}', "NaN 不是有效的 JSON 数值"),
    ('{"a": 1e999}', "超出范围"),
])
def test_absurd_json_is_one_line_exit_2(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(text, encoding="utf-8")
    for command in (("validate", path), ("check", path), ("render", path, "-t", "入学通知书", "-o", tmp_path / "o")):
        code, _, err = run(*command)
        assert code == 2 and message in err, command
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.json"]


def test_vertical_tab_from_excel_is_a_warning_and_becomes_a_line_break(county: Path, tmp_path: Path) -> None:
    data = _cases(county)
    data["cases"][0]["student"]["name"] = "林\u000b嘉豪"
    data["cases"][0]["situation"]["reason"] = "家\u0000庭\uffff原因"
    path = _write(tmp_path / "vt.json", data)
    code, out, err = run("validate", path)
    assert code == 0 and "U+000B" in out and "另有 2 处提醒" in err
    code, _, err = run("render", path, "-t", "限期复学通知书", "-o", tmp_path / "out", "--date", "2022-09-14")
    assert code == 0 and "U+000B" in err
    import docx

    doc = next((tmp_path / "out").glob("*林*嘉豪*.docx"))
    text = "\n".join(p.text for p in docx.Document(str(doc)).paragraphs)
    assert "林\n嘉豪" in text
    for args in (("export", path, "-o", tmp_path / "x.xlsx"), ("due", path, "-o", tmp_path / "d.xlsx"),
                 ("check", path, "--report", tmp_path / "report")):
        code, _, _ = run(*args)
        assert code in (0, 1), args


def test_a_lone_surrogate_is_an_error_not_a_crash(county: Path, tmp_path: Path) -> None:
    text = (county / "cases.json").read_text(encoding="utf-8").replace("林嘉豪", "林\\ud800豪", 1)
    path = tmp_path / "s.json"
    path.write_text(text, encoding="utf-8")
    code, out, _ = run("validate", path)
    assert code == 1 and "半个代理对" in out


def test_cells_starting_with_formula_characters_stay_text(county: Path, tmp_path: Path) -> None:
    data = _cases(county)
    data["cases"][0]["student"]["name"] = "=HYPERLINK(\"http://x\",\"点我\")"
    data["cases"][1]["situation"]["reason"] = "+1+1"
    path = _write(tmp_path / "f.json", data)
    code, _, _ = run("export", path, "-o", tmp_path / "台账.xlsx")
    assert code == 0
    cells = [c for row in load_workbook(tmp_path / "台账.xlsx")["辍学学生台账"].iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(c.value == "=HYPERLINK(\"http://x\",\"点我\")" for c in cells)
    code, _, _ = run("check", path, "--report", tmp_path / "report")
    report = load_workbook(tmp_path / "report" / "核查报告.xlsx")
    assert not [c.coordinate for ws in report.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_duplicate_doc_no_is_a_problem(county: Path, tmp_path: Path) -> None:
    data = _cases(county)
    with_notice = [c for c in data["cases"] if c.get("notices")]
    with_notice[1]["notices"][0]["doc_no"] = with_notice[0]["notices"][0]["doc_no"]
    code, out, _ = run("validate", _write(tmp_path / "d.json", data))
    assert code == 1 and "文号" in out and "重复" in out


def test_names_past_255_bytes_are_cut(county: Path, tmp_path: Path) -> None:
    data = _cases(county)
    for case in data["cases"]:
        case["student"]["school"] = "很长的学校名称" * 20
    path = _write(tmp_path / "long.json", data)
    code, _, _ = run("render", path, "-t", "限期复学通知书", "-o", tmp_path / "out", "--date", "2022-09-14")
    assert code == 0
    assert all(len(p.name.encode()) <= 255 for p in (tmp_path / "out").iterdir())


def test_special_files_are_reported_never_opened(county: Path, tmp_path: Path) -> None:
    data = _cases(county)
    case = data["cases"][0]
    os.mkfifo(county / "evidence" / case["case_id"] / "管道.pdf")
    case["evidence"].append({"id": "E990", "kind": "registry_certificate", "file": "管道.pdf", "date": "2022-10-12"})
    path = _write(tmp_path / "fifo.json", data)
    with no_hang():
        code, out, _ = run("check", path, "--evidence", county / "evidence")
        assert code == 1 and "E990" in out and "不是普通文件" in out
        code, _, err = run("assemble", path, "--evidence", county / "evidence", "--out", tmp_path / "archive")
        assert code == 1 and "管道.pdf 不是普通文件" in err
        os.mkfifo(tmp_path / "archive" / "data" / "管道")
        code, out, _ = run("verify", tmp_path / "archive")
        assert code == 1 and "不是普通文件" in out


def test_a_truncated_pdf_and_a_pixel_bomb_are_reported_by_check(county: Path, tmp_path: Path) -> None:
    from PIL import Image

    data = _cases(county)
    case = data["cases"][0]
    folder = county / "evidence" / case["case_id"]
    certificate = next(e for e in case["evidence"] if e["kind"] == "registry_certificate")
    whole = (folder / certificate["file"]).read_bytes()
    (folder / certificate["file"]).write_bytes(whole[: len(whole) // 2])
    Image.new("1", (30000, 30000)).save(folder / "巨大.png")
    case["evidence"].append({"id": "E991", "kind": "school_photo", "file": "巨大.png", "date": "2022-10-14"})
    code, out, _ = run("check", _write(tmp_path / "c.json", data), "--evidence", county / "evidence")
    assert code == 1
    assert f"{certificate['id']}（学籍证明）的PDF 文件已损坏" in out
    assert "E991（在校就读照片）的图片过大" in out


def test_outputs_under_a_file_are_one_line(county: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for args in (("check", county / "cases.json", "--report", blocker / "r"),
                 ("monthly", county / "cases.json", "--month", "2022-09", "-o", blocker / "m"),
                 ("ledgers", county / "roster.json", "--cases", county / "cases.json", "-o", blocker / "l"),
                 ("export", county / "cases.json", "-o", blocker / "x.xlsx")):
        code, _, err = run(*args)
        assert code == 2 and "错误：" in err, args
    assert sorted(p.name for p in tmp_path.iterdir()) == ["county", "file"]


def test_roster_export_reads_like_every_other_json(tmp_path: Path) -> None:
    for text in ("\ufeff{}", "{}"):
        path = tmp_path / "roster.json"
        path.write_text(text, encoding="utf-8")
        code, out, err = run("roster", "export", path, "-o", tmp_path / "r.xlsx")
        assert code == 1 and "缺少" in out + err
    path.write_bytes('{"名": "张三"}'.encode("gbk"))
    code, _, err = run("roster", "export", path, "-o", tmp_path / "r.xlsx")
    assert code == 2 and "UTF-8" in err


def test_no_full_id_in_findings_of_an_invalid_case_or_in_the_archive(county: Path, tmp_path: Path) -> None:
    data = _cases(county)
    full = data["cases"][0]["student"]["id_number"]
    data["cases"][0]["student"]["id_number"] = full[:-1] + ("0" if full[-1] != "0" else "1")
    code, out, _ = run("check", _write(tmp_path / "id.json", data), "--report", tmp_path / "report")
    assert code == 1 and "案卷数据有误" in out
    written = out + "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "report").glob("*.json"))
    assert full[6:14] not in written and data["cases"][0]["student"]["id_number"][6:14] not in written
    code, _, _ = run("assemble", county / "cases.json", "--evidence", county / "evidence", "--out", tmp_path / "a")
    results = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "a").rglob("核查结果.txt"))
    assert "缺漏" in results and full[6:14] not in results


def _template_folder(tmp_path: Path, tag: str) -> Path:
    from conftest import edited_docx

    from docgen.render import load_registry

    folder = tmp_path / "templates"
    shutil.copytree(load_registry().folder, folder)
    source = folder / "限期复学通知书.docx"
    greeting = "{{ case.guardians[0].name }}："
    edited_docx(source, tmp_path / "edited.docx", [(greeting, tag + greeting)])
    (tmp_path / "edited.docx").replace(source)
    return folder


@pytest.mark.parametrize(("tag", "message"), [
    ("{{ cycler.__init__.__globals__ }}", "取用了程序内部的“__init__”、“__globals__”"),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "取用了程序内部的“__class__”、“__mro__”、“__subclasses__”"),
    ("{{ case|attr('__class__') }}", "取用了程序内部的“__class__”"),
    ("{{ 1/0 }}", "生成时出错（ZeroDivisionError"),
    ("{{ case.student.name", "模板语法错误"),
    ("{{ 9 ** 99999999 }}", "指数 99999999 过大"),
])
def test_a_template_reaching_out_of_the_sandbox_is_named_by_render_and_templates_check(
        county: Path, tmp_path: Path, workspace: Path, tag: str, message: str) -> None:
    from docgen.render.numbers import Register
    from docgen.workspace import REGISTER_FILE

    folder = _template_folder(tmp_path, tag)
    code, _, err = run("render", county / "cases.json", "-t", "限期复学通知书", "--templates", folder,
                       "-o", tmp_path / "out", "--date", "2022-09-14")
    assert code == 2, err
    assert err.startswith("错误：模板 限期复学通知书.docx: 第 5 段（{{") and message in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()
    assert not Register(workspace / REGISTER_FILE).entries()
    code, out, err = run("templates", "check", "--templates", folder)
    assert code == 2 and out.startswith("限期复学通知书: 第 5 段（{{") and message.split("（")[0] in out


def test_values_are_printed_as_typed_never_as_template_braces(county: Path, tmp_path: Path) -> None:
    import docx

    data = _cases(county)
    data["cases"][0]["student"]["name"] = "林{_{嘉}_}豪{_%x%_}"
    path = _write(tmp_path / "braces.json", data)
    code, _, err = run("render", path, "-t", "限期复学通知书", "-o", tmp_path / "out", "--date", "2022-09-14")
    assert code == 0, err
    document = next((tmp_path / "out").glob("*嘉*豪*_限期复学通知书.docx"))
    text = "\n".join(p.text for p in docx.Document(str(document)).paragraphs)
    assert "你的子女林{_{嘉}_}豪{_%x%_}（" in text


class OpenWatch:
    """Which of some files any process opens (inotify IN_OPEN on each file itself, so an open through a link, by
    any code, in any process, is seen): a spy that needs no strace."""

    IN_OPEN, IN_NONBLOCK = 0x20, 0o4000

    def __init__(self, paths: list[Path]) -> None:
        import ctypes

        self.libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self.libc.inotify_init1(self.IN_NONBLOCK)
        assert self.fd >= 0
        self.watches = {self.libc.inotify_add_watch(self.fd, os.fsencode(p), self.IN_OPEN): p for p in paths}
        assert all(w >= 0 for w in self.watches)

    def opened(self) -> list[Path]:
        import struct

        try:
            data = os.read(self.fd, 65536)
        except BlockingIOError:
            return []
        seen, at = [], 0
        while at < len(data):
            wd, _, _, size = struct.unpack_from("iIII", data, at)
            seen.append(self.watches[wd])
            at += 16 + size
        return seen

    def close(self) -> None:
        os.close(self.fd)


MARK = b"%only-outside-the-case-folder\n"


def _outside_links(county: Path, tmp_path: Path) -> tuple[Path, list[Path]]:
    """The first two cases, the first one's evidence folder with links leaving it (to a file outside, to the other
    case's file, through a linked folder) and a loop of links, each named as evidence; the files pointed at (each
    marked, so its bytes are known wherever they go)."""
    data = _cases(county)
    data["cases"] = data["cases"][:2]
    case, sibling = data["cases"]
    folder = county / "evidence" / case["case_id"]
    pdf = next(folder.glob("*学籍证明*.pdf")).read_bytes() + MARK
    outside, secret_dir = tmp_path / "secret.pdf", tmp_path / "secret-folder"
    secret_dir.mkdir()
    other = county / "evidence" / sibling["case_id"] / "另一案的材料.pdf"
    for target in (outside, secret_dir / "x.pdf", other):
        target.write_bytes(pdf)
    (folder / "外面.pdf").symlink_to(outside)
    (folder / "别案.pdf").symlink_to(Path("..") / sibling["case_id"] / other.name)
    (folder / "链接目录").symlink_to(secret_dir)
    (folder / "循环.pdf").symlink_to("循环.pdf")
    for k, name in enumerate(["外面.pdf", "别案.pdf", "链接目录/x.pdf", "循环.pdf"]):
        case["evidence"].append({"id": f"E99{k}", "kind": "registry_certificate", "file": name, "date": "2022-10-12"})
    return _write(tmp_path / "links.json", data), [outside, other, secret_dir / "x.pdf"]


def test_evidence_links_leaving_the_case_folder_are_reported_by_check_and_never_opened(
        county: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen.check import files

    monkeypatch.setattr(files, "_in_memory", lambda *_: False)  # the read-ahead opens every file it is given
    cases, targets = _outside_links(county, tmp_path)
    watch = OpenWatch(targets)
    try:
        code, out, err = run("check", cases, "--evidence", county / "evidence", "--report", tmp_path / "report")
        assert code == 1, err
        for evidence in ("E990", "E991", "E992"):
            assert f"{evidence}（学籍证明）的路径指向本案材料目录之外，未读取" in out
        assert "E993（学籍证明）的路径是循环的符号链接，未读取" in out
        assert watch.opened() == []
    finally:
        watch.close()


@pytest.mark.slow
def test_evidence_links_leaving_the_case_folder_are_reported_by_assemble_and_never_opened(
        county: Path, tmp_path: Path) -> None:
    cases, targets = _outside_links(county, tmp_path)
    watch = OpenWatch(targets)
    try:
        code, _, err = run("assemble", cases, "--evidence", county / "evidence", "--out", tmp_path / "archive")
        assert code == 1 and "外面.pdf 路径指向本案材料目录之外，未读取" in err
        assert "循环.pdf 路径是循环的符号链接" in err
        assert watch.opened() == []
    finally:
        watch.close()
    assert not [p for p in (tmp_path / "archive").rglob("*") if p.is_file() and MARK in p.read_bytes()]


def test_a_case_folder_linked_outside_the_evidence_folder_is_not_read(county: Path, tmp_path: Path) -> None:
    data = _cases(county)
    case_id = data["cases"][2]["case_id"]
    moved = tmp_path / "elsewhere"
    shutil.move(county / "evidence" / case_id, moved)
    (county / "evidence" / case_id).symlink_to(moved)
    watch = OpenWatch([p for p in moved.iterdir() if p.is_file()])
    try:
        code, out, _ = run("check", county / "cases.json", "--evidence", county / "evidence")
        assert code == 1 and "本案材料目录指向佐证材料目录之外，未读取" in out
        assert watch.opened() == []
    finally:
        watch.close()


def _numbers_workbook(path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["文号", "文书", "发文机关", "案卷编号", "成文日期"])
    book.active.append(["云政限复〔2022〕1号", "限期复学通知书", "云溪镇人民政府", "QS-2022-001", "2022-09-14"])
    book.save(path)
    return path


@pytest.mark.parametrize("bomb", ["laughs", "xxe"])
def test_an_xml_bomb_in_any_excel_file_is_refused_naming_the_file(county: Path, tmp_path: Path, workspace: Path,
                                                                 bomb: str) -> None:
    from conftest import LAUGHS, XXE, hostile_copy

    from docgen.render.numbers import Register
    from docgen.workspace import REGISTER_FILE

    doctype, entity = (LAUGHS, "&lol9;") if bomb == "laughs" else (XXE, "&xxe;")
    sheet = "xl/worksheets/sheet1.xml"
    ledger = hostile_copy(county / "ledger.xlsx", tmp_path / "台账.xlsx", sheet, doctype, entity)
    roster = hostile_copy(county / "roster.xlsx", tmp_path / "名册.xlsx", "xl/workbook.xml", doctype, entity)
    numbers = hostile_copy(_numbers_workbook(tmp_path / "n.xlsx"), tmp_path / "文号.xlsx", sheet, doctype, entity)
    for args, file in ((("import", ledger, "-o", tmp_path / "out.json"), ledger),
                       (("roster", "import", roster, "-o", tmp_path / "roster.json", "--county", "青石县",
                         "--school-year", "2022"), roster),
                       (("numbers", "import", numbers), numbers)):
        code, out, err = run(*args)
        assert code == 2, (args, out, err)
        part = "xl/workbook.xml" if file == roster else sheet
        assert err == f"错误：{file}: 其中的 {part} 有 DOCTYPE（XML 实体声明），Excel 和 WPS 不会写这种内容，" \
                      "可能是恶意构造的文件，未读取\n"
    assert not (tmp_path / "out.json").exists() and not (tmp_path / "roster.json").exists()
    assert not Register(workspace / REGISTER_FILE).entries()


def test_ids_typed_wrongly_are_masked_by_check_in_the_terminal_and_every_report(county: Path, tmp_path: Path) -> None:
    import subprocess

    data = _cases(county)
    students = [c["student"] for c in data["cases"]]
    students[0]["id_number"] = students[0]["id_number"][:17]
    students[1]["id_number"] += "5"
    first = students[2]["id_number"]
    students[2]["id_number"] = f"{first[:6]} {first[6:14]} {first[14:]}"
    data["cases"][4]["guardians"][0]["id_number"] = "4399211980010112"
    middles = [s["id_number"].replace(" ", "")[6:-4] for s in students[:3]] + ["1980010"]
    code, out, err = run("check", _write(tmp_path / "ids.json", data), "--report", tmp_path / "report")
    assert code == 1 and out.count("案卷数据有误") == 4, err
    assert f"实际是“{first[:6]} ******** {first[14:]}”" in out
    report = tmp_path / "report"
    texts = {"terminal": out, "json": (report / "核查报告.json").read_text(encoding="utf-8"),
             "html": (report / "核查报告.html").read_text(encoding="utf-8"),
             "pdf": subprocess.run(["pdftotext", report / "核查报告.pdf", "-"], capture_output=True, text=True).stdout,
             "xlsx": "\n".join(str(v) for ws in load_workbook(report / "核查报告.xlsx")
                               for row in ws.iter_rows(values_only=True) for v in row if v is not None)}
    assert "案卷数据有误" in texts["pdf"] and "案卷数据有误" in texts["xlsx"]
    for kind, text in texts.items():
        assert not [m for m in middles if m in text.replace(" ", "")], kind


def test_roster_import_names_the_sheet_and_cell_of_every_problem(county: Path, tmp_path: Path) -> None:
    book = load_workbook(county / "roster.xlsx")
    sheet = book.active
    first = sheet["C2"].value
    sheet["C3"] = sheet["C3"].value[:17] + ("0" if sheet["C3"].value[17] != "0" else "1")
    sheet["C6"] = first
    book.save(tmp_path / "名册.xlsx")
    args = ("roster", "import", tmp_path / "名册.xlsx", "-o", tmp_path / "roster.json", "--county", "青石县",
            "--school-year", "2022")
    code, out, err = run(*args)
    assert code == 1 and "未写出任何文件" in err
    lines = out.splitlines()
    assert all(line.startswith(f"{tmp_path / '名册.xlsx'}: ") for line in lines)
    assert any("适龄儿童少年台账!C3（身份证号） 身份证号校验位错误" in line for line in lines)
    assert any("适龄儿童少年台账!C6（身份证号） 身份证号与第 2 行重复" in line for line in lines)
    assert "$.children" not in out and "/tmp/tmp" not in out and first not in out
    sheet["A4"] = None
    book.save(tmp_path / "名册.xlsx")
    code, out, _ = run(*args)
    assert code == 1 and out.endswith("适龄儿童少年台账!A4（姓名） 不能为空\n")
    assert not (tmp_path / "roster.json").exists()


@pytest.mark.parametrize(("edit", "message"), [
    ('"grade": NaN', "NaN 不是有效的 JSON 数值"),
    ('"grade": 123456789012345678901234', "位数过多（超过 20 位）"),
    ('"grade": 7, "grade": 7', "字段“grade”在同一个对象中出现了两次"),
    ('"grade": -Infinity', "-Infinity 不是有效的 JSON 数值"),
])
def test_strict_json_refusals_name_the_line_and_the_json_path(county: Path, tmp_path: Path, edit: str,
                                                              message: str) -> None:
    data = _cases(county)
    data["cases"][5]["student"]["grade"] = "@"
    text = json.dumps(data, ensure_ascii=False, indent=2)
    at = text.index('"grade": "@"')
    text = text.replace('"grade": "@"', edit)
    line = text.count("\n", 0, at) + 1
    column = at - text.rfind("\n", 0, at) + edit.rindex('"grade": ') + len('"grade": ') * (edit.count('"grade"') == 1)
    bad = tmp_path / "bad.json"
    bad.write_text(text, encoding="utf-8")
    for args in (("validate", bad), ("check", bad), ("render", bad, "-t", "限期复学通知书", "-o", tmp_path / "o"),
                 ("export", bad, "-o", tmp_path / "x.xlsx"), ("roster", "export", bad, "-o", tmp_path / "r.xlsx")):
        code, _, err = run(*args)
        assert code == 2, args
        where = f"第 {line} 行第 {column} 列（$.cases[5].student.grade），"
        assert f"{bad}: 不是可用的 JSON：{where}" in err and message in err, (args, err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json", "county"]


@pytest.fixture(scope="module")
def small_archive(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive of the demo county's first two cases, assembled once for the tests that damage copies of it."""
    from docgen.workspace import ENV_VAR, init_workspace

    root = tmp_path_factory.mktemp("small-archive")
    init_workspace(root / "ws", "青石县")
    data = json.loads((demo_dir / "cases.json").read_text(encoding="utf-8"))
    data["cases"] = data["cases"][:2]
    cases = _write(root / "cases.json", data)
    old = os.environ.get(ENV_VAR)
    os.environ[ENV_VAR] = str(root / "ws")
    try:
        code, _, err = run("assemble", cases, "--evidence", demo_dir / "evidence", "--out", root / "archive")
    finally:
        os.environ.pop(ENV_VAR) if old is None else os.environ.__setitem__(ENV_VAR, old)
    assert code in (0, 1), err
    return root / "archive"


@pytest.mark.slow
@pytest.mark.parametrize(("damage", "code", "message"), [
    ("edited-hash", 1, "manifest-sha256.txt: 文件已被修改\n"),
    ("broken-hash", 2, "tagmanifest-sha256.txt 第 1 行已损坏（应为 64 位十六进制校验码、空格和文件路径）"),
    ("binary-bagit", 1, "bagit.txt: 文件已被修改\n"),
    ("binary-tagmanifest", 2, "tagmanifest-sha256.txt 不是 UTF-8 文本（第 1 个字节处），已损坏"),
    ("unsafe-path", 2, "manifest-sha256.txt 第 "),
])
def test_verify_names_a_damaged_tag_file_cleanly(small_archive: Path, tmp_path: Path, damage: str, code: int,
                                                 message: str) -> None:
    bag = tmp_path / "archive"
    shutil.copytree(small_archive, bag)
    tagmanifest = bag / "tagmanifest-sha256.txt"
    lines = tagmanifest.read_text(encoding="utf-8").splitlines()
    first = next(i for i, line in enumerate(lines) if line.endswith(" manifest-sha256.txt"))
    if damage == "edited-hash":
        lines[first] = ("0" if lines[first][0] != "0" else "1") + lines[first][1:]
        tagmanifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif damage == "broken-hash":
        lines[0] = "xyz" + lines[0][64:]
        tagmanifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif damage == "binary-bagit":
        (bag / "bagit.txt").write_bytes(b"\xff\xfe\x00garbage")
    elif damage == "binary-tagmanifest":
        tagmanifest.write_bytes(b"\xff\xfe\x00garbage")
    else:
        with (bag / "manifest-sha256.txt").open("a", encoding="utf-8") as manifest:
            manifest.write("0" * 64 + "  ../../etc/passwd\n")
    got, out, err = run("verify", bag)
    assert got == code and message in out + err, out + err
    assert "Error" not in out + err and "（UnicodeDecodeError）" not in err
    assert len((out + err).splitlines()) <= 3


def pdf_bomb(inflated: int = 100 << 20) -> bytes:
    """A one-page PDF of a few hundred KB whose page content inflates to ``inflated`` bytes of spaces."""
    from pdf_files import one_page_pdf

    return one_page_pdf(b" " * inflated)


def _document_xml(docx: bytes) -> bytes:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        return package.read("word/document.xml")


def _any_docx() -> Path:
    from docgen.render import load_registry

    return load_registry().get("劝返记录表").path


def _hostile_evidence(county: Path, tmp_path: Path) -> Path:
    """The first two cases, the first with a PDF bomb, a damaged Word file, a PDF bomb the assemble test disguises
    for the checks, and a Word file it makes LibreOffice fail on, among its evidence."""
    from conftest import edited_docx

    data = _cases(county)
    data["cases"] = data["cases"][:2]
    case = data["cases"][0]
    folder = county / "evidence" / case["case_id"]
    (folder / "炸弹.pdf").write_bytes(pdf_bomb())
    (folder / "伪装.pdf").write_bytes(pdf_bomb(90 << 20))
    (folder / "坏文档.docx").write_bytes(b"PK\x03\x04" + b"garbage" * 100)
    edited_docx(_any_docx(), folder / "转不了.docx", [("</w:body>", "<!--NoConversion--></w:body>")])
    for k, name in enumerate(["炸弹.pdf", "坏文档.docx", "伪装.pdf", "转不了.docx"]):
        case["evidence"].append({"id": f"E99{k}", "kind": "registry_certificate", "file": name, "date": "2022-10-12"})
    return _write(tmp_path / "hostile.json", data)


def test_check_flags_a_pdf_bomb_and_a_damaged_word_file(county: Path, tmp_path: Path) -> None:
    code, out, err = run("check", _hostile_evidence(county, tmp_path), "--evidence", county / "evidence")
    assert code == 1, err
    assert "E990（学籍证明）的PDF 文件中有内容解压后超过 64 MB（可能是恶意构造的“压缩炸弹”），无法打开：炸弹.pdf" in out
    assert "E991（学籍证明）的Word 文件已损坏，无法打开：坏文档.docx" in out


@pytest.mark.slow
def test_assemble_reports_hostile_evidence_for_its_case_and_completes_the_rest(
        county: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen.archive import assemble as assembling
    from docgen.archive import verify_bag
    from docgen.convert.pdf import ConverterError

    cases = _hostile_evidence(county, tmp_path)
    real_check, real_convert = assembling.pdf_problem, assembling.docx_to_pdf
    # A bomb the checks miss must still be one case's problem: let 伪装.pdf through to the binder.
    disguised = (county / "evidence" / "QS-2022-001" / "伪装.pdf").read_bytes()
    monkeypatch.setattr(assembling, "pdf_problem", lambda data: "" if data == disguised else real_check(data))

    def convert(documents: list[bytes], cache: object) -> list[bytes]:  # LibreOffice failing on one document
        if any(b"NoConversion" in _document_xml(d) for d in documents):
            raise ConverterError("1 份文书没有转换成 PDF")
        return real_convert(documents, cache)

    monkeypatch.setattr(assembling, "docx_to_pdf", convert)
    code, out, err = run("assemble", cases, "--evidence", county / "evidence", "--out", tmp_path / "archive")
    assert code == 1, err
    lines = [line for line in err.splitlines() if line.startswith("未能纳入：")]
    bomb = "PDF 文件中有内容解压后超过 64 MB（可能是恶意构造的“压缩炸弹”），无法打开"
    assert f"未能纳入：林嘉豪(QS-2022-001): E990 炸弹.pdf {bomb}" in lines
    assert "未能纳入：林嘉豪(QS-2022-001): E991 坏文档.docx Word 文件已损坏，无法打开" in lines
    assert "未能纳入：林嘉豪(QS-2022-001): E992 伪装.pdf PDF 文件无法装订（内容已损坏）" in lines
    assert "未能纳入：林嘉豪(QS-2022-001): E993 转不了.docx Word 文件无法转换成 PDF" in lines
    assert "Fault" not in err and "RuntimeError" not in err and "Error" not in out + err
    archive = tmp_path / "archive"
    binders = sorted(p.parent.name for p in archive.rglob("案卷.pdf"))
    assert len(binders) == 2 and any("林嘉豪" in b for b in binders)
    assert verify_bag(archive).problems == []


@pytest.mark.parametrize("command", ["export", "roster export", "ledgers", "monthly", "due", "check --report"])
def test_a_full_disk_is_one_line_and_leaves_nothing(county: Path, tmp_path: Path, command: str) -> None:
    """Files may not grow past 16 KB (6 KB for the short due list; RLIMIT_FSIZE, in the command's own process):
    every output is larger, so each write fails the way a full disk makes it fail, part-way through."""
    import resource
    import subprocess

    from conftest import DOCGEN

    out = tmp_path / "out"
    out.mkdir()
    cases, roster = county / "cases.json", county / "roster.json"
    args = {"export": ["export", cases, "-o", out / "新建的目录" / "台账.xlsx"],
            "roster export": ["roster", "export", roster, "-o", out / "名册.xlsx"],
            "ledgers": ["ledgers", roster, "--cases", cases, "-o", out / "台账"],
            "monthly": ["monthly", cases, "--month", "2022-09", "-o", out / "月报"],
            "due": ["due", cases, "--date", "2022-10-20", "-o", out / "待办.xlsx"],
            "check --report": ["check", cases, "--report", out / "报告"]}[command]
    limit = 6 * 1024 if command == "due" else 16 * 1024  # the due list of 2022-10-20 is a short one
    done = subprocess.run([DOCGEN, *map(str, args)], capture_output=True, text=True, timeout=300,
                          preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))
    assert done.returncode == 2, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("错误：")]
    assert len(errors) == 1 and f"{args[-1]}" in errors[0] and "无法写入" in errors[0], done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    assert list(out.iterdir()) == []


def test_names_with_slashes_never_become_paths_and_never_share_a_file(county: Path, tmp_path: Path) -> None:
    data = _cases(county)
    applying = [c for c in data["cases"] if c["situation"]["category"] in ("B4-1", "B4-2", "B4-7")][:3]
    applying[0]["student"]["school"] = "甲/乙学校"
    applying[1]["student"]["school"] = "甲_乙学校"
    applying[2]["student"]["school"] = "..\\甲乙学校"
    for case in applying:
        case["student"]["name"] = "张/三"
    path = _write(tmp_path / "slashes.json", data)
    code, _, err = run("render", path, "-t", "限期复学通知书", "-o", tmp_path / "out", "--date", "2022-09-14")
    assert code == 0, err
    made = [p.relative_to(tmp_path / "out") for p in (tmp_path / "out").rglob("*")]
    assert all(len(p.parts) == 1 for p in made)  # nothing below the output folder, nothing outside it
    prints = sorted(p.name for p in made if "打印合并" in p.name and "乙学校" in p.name)
    assert prints == ["_甲乙学校_限期复学通知书_打印合并.docx", "甲_乙学校_2_限期复学通知书_打印合并.docx",
                      "甲_乙学校_限期复学通知书_打印合并.docx"]
    assert len([p for p in made if "张_三" in p.name and "打印合并" not in p.name]) == 3
    code, out, err = run("monthly", path, "--month", "2022-10", "-o", tmp_path / "monthly")
    assert code == 0, err
    reports = [p.name for p in (tmp_path / "monthly").iterdir()]
    schools = [line.split(" ")[0] for line in out.splitlines() if "乙学校" in line.split(" ")[0]]
    assert len(schools) == 3 and len([r for r in reports if "乙学校" in r]) == 3
    assert sorted(p.parent for p in (tmp_path / "monthly").rglob("*")) == [tmp_path / "monthly"] * len(reports)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["county", "monthly", "out", "slashes.json"]
