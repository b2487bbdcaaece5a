"""Evidence files are opened once: a re-check of an unchanged county reads nothing; --fast only sniffs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import TODAY

from docgen.cases import load_cases
from docgen.check import check_cases
from docgen.check import files as files_module
from docgen.specs import load_spec

SPEC = load_spec()


@pytest.fixture()
def county(demo_dir: Path, tmp_path: Path) -> Path:
    shutil.copytree(demo_dir, tmp_path / "county")
    return tmp_path / "county"


def test_an_unchanged_county_is_rechecked_without_opening_a_file(county: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / "cache"))
    opened: list[int] = []
    real = files_module.open_media
    monkeypatch.setattr(files_module, "open_media", lambda data: opened.append(1) or real(data))
    cases = load_cases([county / "cases.json"]).checked()
    first = check_cases(cases, SPEC, TODAY, county / "evidence")
    assert len(opened) > 400
    opened.clear()
    again = check_cases(cases, SPEC, TODAY, county / "evidence")
    assert opened == [] and [f.message for f in again.findings] == [f.message for f in first.findings]
    # A changed file is opened again, and only that one.
    certificate = next(county.glob("evidence/QS-2022-001/*学籍证明*.pdf"))
    certificate.write_bytes(certificate.read_bytes()[:300])
    third = check_cases(cases, SPEC, TODAY, county / "evidence")
    assert len(opened) == 1
    assert any("PDF 文件已损坏" in f.message for f in third.findings)


def test_evidence_laid_out_again_as_hard_links_is_not_read_again(county: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The service lays each job's evidence out anew as hard links into its store: a re-audit reads nothing."""
    import os

    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / "cache"))
    cases = load_cases([county / "cases.json"]).checked()

    def linked(folder: Path) -> Path:
        for source in (county / "evidence").rglob("*"):
            target = folder / source.relative_to(county / "evidence")
            if source.is_dir():
                target.mkdir(parents=True, exist_ok=True)
            else:
                os.link(source, target)
        return folder

    first = check_cases(cases, SPEC, TODAY, linked(tmp_path / "job-1"))
    read: list[Path] = []
    real = files_module.FileChecker.open
    monkeypatch.setattr(files_module.FileChecker, "open", lambda self, base, name: read.append(Path(base, name))
                        or real(self, base, name))  # the checker's own reads
    again = check_cases(cases, SPEC, TODAY, linked(tmp_path / "job-2"))
    assert [p for p in read if "job-2" in str(p)] == []
    assert [f.message for f in again.findings] == [f.message for f in first.findings]
    # A file of the same name and size but other content (a new inode) is read.
    certificate = next((tmp_path / "job-2").glob("QS-2022-001/*学籍证明*.pdf"))
    data = certificate.read_bytes()
    certificate.unlink()
    certificate.write_bytes(data[:300] + b"\0" * (len(data) - 300))
    check_cases(cases, SPEC, TODAY, tmp_path / "job-2")
    assert [p.name for p in read if "job-2" in str(p)] == [certificate.name]


def test_fast_only_sniffs(county: Path) -> None:
    certificate = next(county.glob("evidence/QS-2022-001/*学籍证明*.pdf"))
    certificate.write_bytes(certificate.read_bytes()[:300])
    cases = load_cases([county / "cases.json"]).checked()
    fast = check_cases(cases, SPEC, TODAY, county / "evidence", fast=True)
    full = check_cases(cases, SPEC, TODAY, county / "evidence")
    assert not any("PDF 文件已损坏" in f.message for f in fast.findings)
    assert any("PDF 文件已损坏" in f.message for f in full.findings)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_an_image_cut_short_anywhere_is_broken_and_a_whole_one_is_not(tmp_path: Path, fmt: str) -> None:
    """A JPEG must reach its end marker and a PNG's chunks their checksums: a file cut off anywhere fails."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.radial_gradient("L").resize((640, 480)).convert("RGB").save(buffer, fmt)
    data = buffer.getvalue()
    assert files_module.open_media(data) == ("image", "")
    # Cut anywhere after the headers (up to the last data chunk's checksum for a PNG, the end marker for a JPEG).
    for cut in [*range(len(data) // 10, len(data) - 14, len(data) // 40), len(data) - 14, len(data) - 1]:
        if fmt == "PNG" and cut > len(data) - 12:
            continue  # only the PNG end marker's own checksum is missing: every picture byte is there
        assert files_module.open_media(data[:cut]) == ("image", "图片已损坏，无法打开"), cut
    assert files_module.open_media(data + b"\n%QS-2022-001\n") == ("image", "")  # bytes after the end are allowed


def test_a_png_with_one_byte_changed_anywhere_in_its_pixels_is_broken() -> None:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.radial_gradient("L").resize((640, 480)).convert("RGB").save(buffer, "PNG")
    data = buffer.getvalue()
    start = Image.open(io.BytesIO(data)).tile[0][2]  # the first pixel data
    for at in range(start, len(data) - 16, (len(data) - 16 - start) // 50):
        changed = bytearray(data)
        changed[at] ^= 0x01
        assert files_module.open_media(bytes(changed)) == ("image", "图片已损坏，无法打开"), at


def test_a_pdf_without_pages_and_a_pdf_cut_short_are_reported(demo_dir: Path) -> None:
    import io

    from pypdf import PdfWriter

    empty = io.BytesIO()
    PdfWriter().write(empty)
    assert files_module.pdf_problem(empty.getvalue()) == "PDF 文件没有任何页面"
    whole = next((demo_dir / "evidence").glob("*/*.pdf")).read_bytes()
    assert files_module.pdf_problem(whole) == ""
    for cut in (len(whole) // 20, len(whole) // 2, len(whole) - 3):  # the last: only the end marker is cut
        assert files_module.pdf_problem(whole[:cut]) == "PDF 文件已损坏（可能没有传完整），无法打开", cut
    assert files_module.pdf_problem(whole + b"\n%appended by a scanner\n") == ""  # bytes after the end marker


def test_a_pdf_with_an_opening_password_is_reported_as_such(demo_dir: Path) -> None:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=next((demo_dir / "evidence").glob("*/*.pdf")))
    writer.encrypt(user_password="1234", owner_password="county", algorithm="RC4-128")
    locked = io.BytesIO()
    writer.write(locked)
    assert files_module.pdf_problem(locked.getvalue()) == "PDF 文件设有打开密码，无法查看，请上传未加密的文件"


def test_a_cut_off_image_is_broken_even_after_a_report_was_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """WeasyPrint (imported to write a PDF report) makes Pillow accept cut-off images process-wide."""
    import io

    import weasyprint  # noqa: F401  (its import is what changes Pillow)
    from PIL import Image, ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    buffer = io.BytesIO()
    Image.radial_gradient("L").resize((640, 480)).convert("RGB").save(buffer, "JPEG")
    assert files_module.open_media(buffer.getvalue()[:-12]) == ("image", "图片已损坏，无法打开")
    assert ImageFile.LOAD_TRUNCATED_IMAGES  # WeasyPrint's setting is left as it was


def test_asking_ahead_for_files_skips_a_pipe_and_a_missing_file_without_waiting(tmp_path: Path) -> None:
    """The hint opens each path without reading it: a pipe (no writer) must not hold the audit up."""
    import os
    import threading

    pipe, whole = tmp_path / "pipe.pdf", tmp_path / "whole.pdf"
    os.mkfifo(pipe)
    whole.write_bytes(b"%PDF-1.4\n")
    done = threading.Event()
    folder = str(tmp_path)
    worker = threading.Thread(target=lambda: (files_module.advise_reading(
        [(folder, "pipe.pdf"), (folder, "missing.pdf"), (folder, "whole.pdf")]), done.set()), daemon=True)
    worker.start()
    assert done.wait(10), "advise_reading waited on a pipe"


def test_files_in_memory_already_are_not_asked_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    paths = []
    for k in range(20):
        (tmp_path / f"{k}.pdf").write_bytes(b"%PDF-1.4\n" * 100)
        paths.append((str(tmp_path), f"{k}.pdf"))
    assert files_module._in_memory(*paths[0])  # just written: in the page cache
    assert not files_module._in_memory(str(tmp_path), "missing.pdf")
    asked: list[int] = []
    monkeypatch.setattr(os, "posix_fadvise", lambda fd, *args: asked.append(fd))
    files_module.advise_reading(paths)
    assert asked == []
    monkeypatch.setattr(files_module, "_in_memory", lambda folder, name, opener: name != "10.pdf")
    files_module.advise_reading(paths)
    assert len(asked) == len(paths)  # one probe not in memory: every file is asked for
