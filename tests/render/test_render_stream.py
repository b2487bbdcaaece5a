"""A batch streamed chunk by chunk: over one process or several it makes the same documents with the same
numbers; print files come per school in parts; a problem anywhere stops the batch with nothing written."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import docx
import pytest

from docgen.cases import drive, load_cases
from docgen.errors import DataProblemsError, NumberConflictError
from docgen.render import Register, load_registry, render_batch, render_files
from docgen.render import stream as batch_stream
from docgen.render.numbers import TakenNumbers

REGISTRY = load_registry()
ON = dt.date(2026, 11, 23)


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 3 cases, and several processes from the first chunk on."""
    monkeypatch.setattr(drive, "CHUNK", 3)
    monkeypatch.setattr(batch_stream, "PARALLEL_FROM", 1)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.suffix == ".docx"}


@pytest.mark.usefixtures("small_chunks")
def test_two_processes_make_what_one_makes(demo_dir: Path, tmp_path: Path) -> None:
    spec = REGISTRY.get("劝返记录表")  # one per record: several documents per case
    one = render_files(spec, [demo_dir / "cases.json"], tmp_path / "one", register=None, on=ON, workers=1)
    two = render_files(spec, [demo_dir / "cases.json"], tmp_path / "two", register=None, on=ON, workers=2)
    assert len(one.documents) == 81 and one.documents == two.documents
    assert _files(tmp_path / "one") == _files(tmp_path / "two")
    in_memory = render_batch(spec, load_cases([demo_dir / "cases.json"]).checked(), tmp_path / "mem", register=None,
                             on=ON)
    assert in_memory.documents == one.documents


@pytest.mark.usefixtures("small_chunks")
def test_numbers_are_taken_in_input_order_without_gaps(demo_dir: Path, tmp_path: Path) -> None:
    spec = REGISTRY.get("限期复学通知书")
    register = Register(tmp_path / "r.sqlite")
    result = render_files(spec, [demo_dir / "cases.json"], tmp_path / "out", register=register, on=ON, workers=2)
    again = render_files(spec, [demo_dir / "cases.json"], tmp_path / "again", register=register, on=ON, workers=2)
    assert [d.doc_no for d in again.documents] == [d.doc_no for d in result.documents]
    assert register.gaps() == [] and len({d.doc_no for d in result.documents}) == len(result.documents) == 15
    manifest = json.loads((tmp_path / "out" / result.manifest).read_text(encoding="utf-8"))
    assert [d["doc_no"] for d in manifest["documents"]] == [d.doc_no for d in result.documents]
    assert manifest["print_files"] == result.print_files


def test_print_files_per_school_in_parts(demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch_stream, "PRINT_PART", 4)
    spec = REGISTRY.get("劝返记录表")
    result = render_files(spec, [demo_dir / "cases.json"], tmp_path, register=None, on=ON)
    per_school: dict[str, int] = {}
    for d in result.documents:
        per_school[d.school] = per_school.get(d.school, 0) + 1
    expected = []
    for school, count in per_school.items():
        parts = -(-count // 4)
        expected += [f"{school}_劝返记录表_打印合并_{k:03d}.docx" for k in range(1, parts + 1)] if count > 4 else \
            [f"{school}_劝返记录表_打印合并.docx"]
    assert result.print_files == sorted(expected)
    sections = 0
    for name in result.print_files:
        body = docx.Document(tmp_path / name).element.body
        sections += len(body.xpath(".//w:sectPr/w:pgNumType[@w:start='1']"))
    assert sections == len(result.documents)  # one section per record form, each numbered from 1


@pytest.mark.usefixtures("small_chunks")
def test_a_units_batch_prints_as_one_series_with_numbers_taken_before(demo_dir: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch_stream, "PRINT_PART", 4)
    spec = REGISTRY.get("限期复学通知书")
    cases = load_cases([demo_dir / "cases.json"]).checked()
    numbered = render_batch(spec, cases, tmp_path / "numbered", register=Register(tmp_path / "r.sqlite"), on=ON)
    taken = TakenNumbers({(d.case_id, ""): d.doc_no for d in numbered.documents})
    again = render_batch(spec, cases, tmp_path / "again", register=taken, on=ON, print_by_school=False, workers=2)
    assert [d.doc_no for d in again.documents] == [d.doc_no for d in numbered.documents]
    assert _files(tmp_path / "again").keys() - set(again.print_files) == \
        _files(tmp_path / "numbered").keys() - set(numbered.print_files)
    parts = -(-len(again.documents) // 4)
    assert again.print_files == [f"限期复学通知书_打印合并_{k:03d}.docx" for k in range(1, parts + 1)]

    def sections(folder: Path, names: list[str]) -> int:  # each document (notice and its 回证) numbered from 1
        return sum(len(docx.Document(folder / n).element.body.xpath(".//w:sectPr/w:pgNumType[@w:start='1']"))
                   for n in names)

    assert sections(tmp_path / "again", again.print_files) == sections(tmp_path / "numbered", numbered.print_files)
    short = TakenNumbers({k: v for k, v in list(taken.numbers.items())[1:]})
    with pytest.raises(NumberConflictError, match="没有预先编好的文号"):
        render_batch(spec, cases, tmp_path / "short", register=short, on=ON)
    assert not (tmp_path / "short").exists()


@pytest.mark.usefixtures("small_chunks")
def test_every_problem_is_reported_and_nothing_written(demo_dir: Path, tmp_path: Path) -> None:
    data = json.loads((demo_dir / "cases.json").read_text(encoding="utf-8"))
    data["cases"][4]["student"]["gender"] = "unknown"
    data["cases"][20]["student"]["id_number"] = data["cases"][2]["student"]["id_number"]
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    register = Register(tmp_path / "r.sqlite")
    with pytest.raises(DataProblemsError) as info:
        render_files(REGISTRY.get("限期复学通知书"), [path], tmp_path / "out", register=register, on=ON, workers=2)
    paths = [p.path for p in info.value.problems]
    assert any(p.startswith("$.cases[4].student.gender") for p in paths)
    assert "$.cases[20].student.id_number" in paths
    assert paths == sorted(paths, key=lambda p: int(p.split("[")[1].split("]")[0]))
    assert not (tmp_path / "out").exists() and register.entries() == []
    assert not list(tmp_path.glob(".out.staging-*"))


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize("workers", [1, 2])
def test_the_input_is_read_as_the_batch_goes_not_before(demo_dir: Path, tmp_path: Path, workers: int) -> None:
    """When the first documents are written, most of the input is still unread (bounded memory)."""
    from docgen.cases.chunks import case_chunks

    spec = REGISTRY.get("劝返记录表")
    read: list[int] = []

    def counted():
        for chunk in case_chunks([demo_dir / "cases.json"], ON, [], 1):  # 24 chunks of one case
            read.append(chunk.seq)
            yield chunk

    at_first: list[int] = []
    result = batch_stream.render_stream(spec, counted(), tmp_path, register=None, on=ON, workers=workers,
                                        progress=lambda docs, _: at_first or at_first.append(len(read)))
    assert len(read) == 24 and len(result.documents) == 81
    # The chunks in flight, and a few more when the other process finishes first: never the whole input.
    assert at_first[0] <= drive.IN_FLIGHT * workers + 3


def _off_layout(demo_dir: Path, path: Path) -> None:
    """The demo's cases as json.dump writes them, but the fifth on one line (a hand edit)."""
    cases = json.loads((demo_dir / "cases.json").read_text(encoding="utf-8"))["cases"]
    text = json.dumps({"schema_version": 1, "cases": cases}, ensure_ascii=False, indent=2)
    fifth = json.dumps(cases[4], ensure_ascii=False, indent=2).replace("\n", "\n    ")
    path.write_text(text.replace(fifth, json.dumps(cases[4], ensure_ascii=False)), encoding="utf-8")


@pytest.mark.usefixtures("small_chunks")
def test_a_file_off_its_layout_is_read_again_the_exact_way(demo_dir: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _off_layout(demo_dir, tmp_path / "cases.json")
    tries: list[bool] = []
    real = drive.case_chunks
    monkeypatch.setattr(drive, "case_chunks", lambda *args, cut: tries.append(cut) or real(*args, cut=cut))
    spec = REGISTRY.get("限期复学通知书")
    register = Register(tmp_path / "r.sqlite")
    result = render_files(spec, [tmp_path / "cases.json"], tmp_path / "out", register=register, on=ON, workers=2)
    assert tries == [True, False]  # cut by its layout until the hand-edited case, then parsed case by case
    expected = render_files(spec, [demo_dir / "cases.json"], tmp_path / "expected", register=None, on=ON)
    assert [(d.file, d.case_id) for d in result.documents] == [(d.file, d.case_id) for d in expected.documents]
    assert len(register.entries()) == 15 and register.gaps() == []  # the first try's numbers were rolled back
    assert not list(tmp_path.glob(".out.staging-*"))
