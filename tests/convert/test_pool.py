"""The machine's persistent PDF converters: documents convert through them and they stay up between batches; a
document that takes too long is reported while the others still convert; a converter that reached its document
limit is restarted; its memory is measured."""

from __future__ import annotations

import io
import itertools
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from docgen.convert import pool
from docgen.convert.pdf import ConverterError, convert_to_pdf
from docgen.ooxml.merge import merge_documents

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not pool.available(), reason="setup.sh makes .venv-uno")]


@pytest.fixture(scope="module")
def notices(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    import json

    from docgen.cases import load_data
    from docgen.render import load_registry
    from docgen.render.batch import render_documents

    spec = load_registry().get("限期复学通知书")
    data = json.loads((demo_dir / "cases.json").read_text(encoding="utf-8"))
    import datetime as dt

    cases = load_data([("c.json", data)]).checked()
    return [d for _, d in render_documents(spec, cases, on=dt.date(2022, 10, 14), allocator=None)][:8]


_PORTS = itertools.count(40, 8)  # each test's converter away from the shared ones and from the other tests'


@pytest.fixture()
def own_converter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """One converter of the test's own (its folder, returned, and its port), stopped afterwards: a test may make it
    strict without touching the machine's shared converters."""
    monkeypatch.setenv("DOCGEN_CONVERTER_DIR", str(tmp_path / "converters"))
    monkeypatch.setenv("DOCGEN_CONVERTER_PORT", str(int(pool.Slot(0).port) + next(_PORTS)))
    monkeypatch.setenv("DOCGEN_CONVERTERS", "1")
    try:
        yield tmp_path / "converters"
    finally:
        pool.stop_all()


def folder_of(tmp: Path, documents: dict[str, bytes]) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    for name, data in documents.items():
        (tmp / name).write_bytes(data)
        zipfile.ZipFile(io.BytesIO(data)).testzip()
    return tmp


def server_pids() -> list[str]:
    """The converters' processes, by slot."""
    return [p.name for i in range(pool.size()) for p in pool.Slot(i)._processes()]


def test_documents_convert_and_the_converters_stay_up(notices: list[bytes], tmp_path: Path) -> None:
    docs = folder_of(tmp_path / "a", {f"n{i}.docx": d for i, d in enumerate(notices)})
    convert_to_pdf(docs, sorted(p.name for p in docs.glob("*.docx")))
    for i in range(len(notices)):
        assert "限期复学通知书" in "".join(PdfReader(docs / f"n{i}.pdf").pages[0].extract_text().split())
    started = server_pids()
    assert started and all(0 < pool.Slot(i).memory_mb() < pool.MEMORY_LIMIT_MB for i in range(pool.size()))
    again = folder_of(tmp_path / "b", {"x.docx": notices[0]})
    convert_to_pdf(again, ["x.docx"])
    assert (again / "x.pdf").is_file() and server_pids() == started  # no new LibreOffice for the next batch


def test_a_document_that_takes_too_long_is_reported_and_the_others_convert(
        notices: list[bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        own_converter: Path) -> None:
    monkeypatch.setattr(pool, "TIMEOUT", 1)
    big = merge_documents(notices * 60)  # 480 pages: far more than a second
    docs = folder_of(tmp_path / "c", {"big.docx": big, "small.docx": notices[0]})
    with pytest.raises(ConverterError, match=r"1 份文书没有转换成 PDF：big\.docx（转换超时（超过 1 秒））"):
        convert_to_pdf(docs, ["big.docx", "small.docx"])
    assert (docs / "small.pdf").is_file() and not (docs / "big.pdf").exists()


def test_a_converter_is_restarted_after_its_document_limit(
        notices: list[bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        own_converter: Path) -> None:
    monkeypatch.setattr(pool, "STOP_AFTER", 3)
    docs = folder_of(tmp_path / "d", {f"n{i}.docx": d for i, d in enumerate(notices[:7])})
    convert_to_pdf(docs, sorted(p.name for p in docs.glob("*.docx")))
    assert len(list(docs.glob("*.pdf"))) == 7
    log = (own_converter / "slot-0.log").read_text(errors="replace")
    assert log.count("Starting unoserver") >= 3, log[-2000:]  # 7 documents, restarted after every 3


def test_a_converter_past_its_memory_limit_is_restarted_within_a_batch(
        notices: list[bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        own_converter: Path) -> None:
    monkeypatch.setattr(pool, "MEMORY_EVERY", 2)
    docs = folder_of(tmp_path / "e", {f"n{i}.docx": d for i, d in enumerate(notices[:6])})
    pool.Slot(0).start()
    monkeypatch.setattr(pool, "MEMORY_LIMIT_MB", 1)  # a running LibreOffice is always past it
    seen: list[float] = []
    measure = pool.Slot.memory_mb
    monkeypatch.setattr(pool.Slot, "memory_mb", lambda self: seen.append(measure(self)) or seen[-1])
    convert_to_pdf(docs, sorted(p.name for p in docs.glob("*.docx")))
    assert len(list(docs.glob("*.pdf"))) == 6
    log = (own_converter / "slot-0.log").read_text(errors="replace")
    # started by the test, then (at the start of the batch, and after every 2nd of 6 documents) past the limit
    assert log.count("Starting unoserver") >= 4, log[-2000:]
    assert len(seen) >= 4 and all(0 < mb < 700 for mb in seen)


def test_documents_converted_in_runs_are_cut_back_into_their_own_pdfs(
        notices: list[bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen.convert import pdf

    monkeypatch.setattr(pdf, "RUN", 3)  # 8 notices: runs of 3, 3 and 2
    names = {f"n{i}.docx": d for i, d in enumerate(notices)}
    alone = folder_of(tmp_path / "alone", names)
    convert_to_pdf(alone, sorted(names))
    runs = folder_of(tmp_path / "runs", names)
    pdf.convert_documents(runs, sorted(names))
    assert sorted(p.name for p in runs.iterdir() if p.name.startswith(".")) == []  # the runs' files are gone
    for name in names:
        pdf_name = name.replace(".docx", ".pdf")
        one, cut = PdfReader(alone / pdf_name), PdfReader(runs / pdf_name)
        assert len(cut.pages) == len(one.pages) == 2
        words = [["".join(p.extract_text().split()) for p in pdf.pages] for pdf in (cut, one)]
        assert words[0] == words[1], name
    # The same page to the eye: rendered, not a pixel differs.
    import subprocess

    from PIL import Image, ImageChops

    for folder in (alone, runs):
        subprocess.run(["pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", str(folder / "n5.pdf"),
                        str(folder / "page")], check=True)
    shown = [Image.open(folder / "page.png").convert("L") for folder in (alone, runs)]
    assert shown[0].size == shown[1].size and ImageChops.difference(*shown).getbbox() is None


def test_a_run_holding_a_hung_document_is_converted_one_by_one(
        notices: list[bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        own_converter: Path) -> None:
    from docgen.convert import pdf

    monkeypatch.setattr(pool, "TIMEOUT", 2)
    monkeypatch.setattr(pdf, "RUN", 3)
    documents = {"a.docx": notices[0], "big.docx": merge_documents(notices * 60), "c.docx": notices[2],
                 "d.docx": notices[3]}
    docs = folder_of(tmp_path / "f", documents)
    with pytest.raises(ConverterError, match=r"^1 份文书没有转换成 PDF：big\.docx（转换超时（超过 2 秒））$"):
        pdf.convert_documents(docs, list(documents))
    assert sorted(p.name for p in docs.glob("*.pdf")) == ["a.pdf", "c.pdf", "d.pdf"]
    assert "限期复学通知书" in "".join(PdfReader(docs / "c.pdf").pages[0].extract_text().split())
