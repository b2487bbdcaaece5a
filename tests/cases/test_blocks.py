"""Cutting a case file by its layout: the same cases, lines and columns as parsing it, and a file that
leaves its layout read the exact way instead."""

from __future__ import annotations

import datetime as dt
import json
from contextlib import closing
from pathlib import Path

import pytest

from docgen.cases import blocks
from docgen.cases.blocks import CutMismatch, block_pieces
from docgen.cases.chunks import case_chunks, check_item, chunk_items
from docgen.cases.stream import open_case_stream
from docgen.errors import InputError

TODAY = dt.date(2022, 10, 14)


def _cases(demo_dir: Path) -> list[dict]:
    return json.loads((demo_dir / "cases.json").read_text(encoding="utf-8"))["cases"]


def _layouts(cases: list[dict]) -> dict[str, bytes]:
    """The same cases as different programs write them."""
    whole = json.dumps({"schema_version": 1, "cases": cases}, ensure_ascii=False, indent=2)
    one_by_one = ('{"schema_version": 1, "cases": [\n'
                  + ",\n".join(json.dumps(c, ensure_ascii=False, indent=2) for c in cases) + "\n]}\n")
    tabs = json.dumps({"cases": cases, "schema_version": 1, "note": [{"a": 1}, {"b": 2}]}, ensure_ascii=False,
                      indent="\t")
    return {
        "json.dump": whole.encode(),
        "case by case": one_by_one.encode(),
        "byte order mark": b"\xef\xbb\xbf" + whole.encode(),
        "windows lines": whole.replace("\n", "\r\n").encode(),
        "tabs, keys after": tabs.encode(),
    }


def _exact(path: Path) -> tuple[list[tuple], dict]:
    stream = open_case_stream(path)
    items = [(i.path, i.line, i.column, i.text) for i in stream]
    return items, stream.envelope


def _cut(path: Path, per_block: int) -> tuple[list[tuple], dict, int]:
    stream = open_case_stream(path, cut=per_block)
    assert stream.blocks is not None
    items, count = [], 0
    for block in stream.blocks:
        pieces = block_pieces(block)
        count += 1
        items += [(f"$.cases[{p.index}]", p.line, p.column, p.text) for p in pieces]
    return items, stream.envelope, count


@pytest.mark.parametrize("per_block", [1, 5, 200])
def test_cut_cases_are_the_parsed_cases(demo_dir: Path, tmp_path: Path, per_block: int) -> None:
    cases = _cases(demo_dir)
    for name, data in _layouts(cases).items():
        path = tmp_path / "c.json"
        path.write_bytes(data)
        exact, envelope = _exact(path)
        cut, cut_envelope, count = _cut(path, per_block)
        assert cut == exact, name
        assert cut_envelope == envelope, name
        assert len(cut) == len(cases) and count == -(-len(cases) // per_block), name


@pytest.mark.parametrize("per_block", [1, 5, 200])
def test_a_compact_file_is_cut_before_the_key_each_case_starts_with(demo_dir: Path, tmp_path: Path,
                                                                   per_block: int) -> None:
    cases = _cases(demo_dir)
    path = tmp_path / "c.json"
    # Inner lists of objects close alike ("}, {"); the envelope has keys after the list too.
    path.write_text(json.dumps({"cases": cases, "schema_version": 1, "note": [{"a": 1}, {"b": 2}]},
                               ensure_ascii=False), encoding="utf-8")
    assert b'}, {"' in path.read_bytes().split(b'}, {"case_id"')[1]
    cut, envelope, count = _cut(path, per_block)
    exact, exact_envelope = _exact(path)
    assert [(p, line, t) for p, line, _, t in cut] == [(p, line, t) for p, line, _, t in exact]
    assert envelope == exact_envelope and count == -(-len(cases) // per_block)
    assert cut[0][2] == exact[0][2] and {c for _, _, c, _ in cut[1:]} == {0}  # later columns are not counted


def test_a_fault_in_a_compact_file_is_reported_by_the_exact_reading(demo_dir: Path, tmp_path: Path) -> None:
    cases = _cases(demo_dir)
    text = json.dumps({"cases": cases}, ensure_ascii=False)
    at = text.index('"gender"', text.index('"case_id"', text.index('"case_id"') + 1))
    path = tmp_path / "c.json"
    path.write_text(text[:at] + '"gender": "male", ' + text[at:], encoding="utf-8")  # a key twice in case 2
    with pytest.raises(CutMismatch), closing(case_chunks([path], TODAY, [], 3)) as chunks:
        for chunk in chunks:
            for item in chunk_items(chunk):
                check_item(str(path), item, TODAY)
    with pytest.raises(InputError, match="gender") as exact, closing(case_chunks([path], TODAY, [], 3, cut=False)) \
            as chunks:
        for chunk in chunks:
            for item in chunk_items(chunk):
                check_item(str(path), item, TODAY)
    assert "两次" in str(exact.value)


def test_a_compact_file_whose_cases_start_otherwise_is_not_cut(demo_dir: Path, tmp_path: Path) -> None:
    cases = _cases(demo_dir)
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"cases": [cases[0], {"student": cases[1]["student"], **cases[1]}, *cases[2:]]},
                               ensure_ascii=False), encoding="utf-8")
    stream = open_case_stream(path, cut=5)
    assert stream.blocks is None  # the first two cases start with different keys: no mark to cut by
    stream.close()


def test_a_case_off_the_layout_is_a_mismatch_and_the_exact_reading_still_works(demo_dir: Path,
                                                                                tmp_path: Path) -> None:
    cases = _cases(demo_dir)
    text = json.dumps({"cases": cases}, ensure_ascii=False, indent=2)
    fifth = json.dumps(cases[4], ensure_ascii=False, indent=2).replace("\n", "\n    ")
    text = text.replace(fifth, json.dumps(cases[4], ensure_ascii=False))  # one case written on one line
    path = tmp_path / "c.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CutMismatch), closing(case_chunks([path], TODAY, [], 3)) as chunks:
        for chunk in chunks:
            for item in chunk_items(chunk):
                check_item(str(path), item, TODAY)
    problems: list = []
    exact = [item for chunk in case_chunks([path], TODAY, problems, 3, cut=False) for item in chunk_items(chunk)]
    assert len(exact) == len(cases) and not problems


def test_a_broken_case_is_reported_where_the_exact_reading_reports_it(demo_dir: Path, tmp_path: Path) -> None:
    text = json.dumps({"cases": _cases(demo_dir)}, ensure_ascii=False, indent=2)
    at = text.index('"relation"', text.index('"case_id"', text.index('"case_id"') + 1))
    text = text[:at] + text[at:].replace(",", "", 1)  # a comma missing in the second case
    path = tmp_path / "c.json"
    path.write_text(text, encoding="utf-8")
    line = text.count("\n", 0, at) + 2
    with pytest.raises((CutMismatch, InputError)) as info, closing(case_chunks([path], TODAY, [], 3)) as chunks:
        for chunk in chunks:
            for item in chunk_items(chunk):
                check_item(str(path), item, TODAY)
    assert isinstance(info.value, CutMismatch)  # so the batch runs again the exact way, which says:
    with pytest.raises(InputError) as exact, closing(case_chunks([path], TODAY, [], 3, cut=False)) as chunks:
        for chunk in chunks:
            for item in chunk_items(chunk):
                check_item(str(path), item, TODAY)
    assert f"第 {line} 行" in str(exact.value)


def test_a_file_changed_under_the_workers_is_refused(demo_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_bytes(_layouts(_cases(demo_dir))["json.dump"])
    stream = open_case_stream(path, cut=3)
    first = next(stream.blocks)
    data = bytearray(path.read_bytes())
    at = data.index(b"male", first.start)
    data[at:at + 4] = b"MALE"
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match="被改动"):
        block_pieces(first)
    stream.close()


def test_the_main_process_reads_in_small_blocks_too(demo_dir: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blocks, "BLOCK_BYTES", 7)  # every mark straddles a read
    path = tmp_path / "c.json"
    path.write_bytes(_layouts(_cases(demo_dir))["windows lines"])
    assert _cut(path, 4)[0] == _exact(path)[0]
