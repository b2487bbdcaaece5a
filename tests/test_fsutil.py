"""Writing safely: the archive swap leaves one archive at its path at every step, and a kill is recovered."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from docgen.fsutil import make_staging, read_beneath, read_file, recover_swap, safe_name, swap_in, write_file


def _archive(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "bagit.txt").write_text(text, encoding="utf-8")
    return folder


def test_swap_replaces_the_archive_in_one_step(tmp_path: Path) -> None:
    out = _archive(tmp_path / "archive", "old")
    staging = make_staging(out)
    (staging / "bagit.txt").write_text("new", encoding="utf-8")
    swap_in(staging, out)
    assert (out / "bagit.txt").read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive"]


def test_a_kill_between_the_two_renames_is_recovered_by_the_next_run(tmp_path: Path) -> None:
    """Where the system cannot swap in one step, the old archive is renamed aside first; a kill right then
    leaves only the aside copy, and the next run puts it back before doing anything."""
    out = tmp_path / "archive"
    dead_pid = 2**22 + 12345  # above Linux's pid_max: no such process
    _archive(tmp_path / f".archive.old-{dead_pid}", "old")
    assert not out.exists()
    recover_swap(out)
    assert (out / "bagit.txt").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive"]


def test_stale_staging_of_a_dead_run_is_cleared_and_a_live_ones_kept(tmp_path: Path) -> None:
    out = tmp_path / "notices"
    stale = tmp_path / f".notices.staging-{2**22 + 1}-abc"
    live = tmp_path / f".notices.staging-{os.getppid()}-xyz"
    stale.mkdir()
    live.mkdir()
    mine = make_staging(out)
    assert not stale.exists() and live.exists() and mine.exists()


def test_names_are_cut_on_character_boundaries_within_the_byte_limit() -> None:
    name = safe_name("学" * 200 + "/../x", 100)
    assert len(name.encode()) <= 100 and "/" not in name
    name.encode("utf-8")  # never half a character
    assert safe_name("CON") == "_CON" and safe_name(" . ") == "_"


def test_write_file_makes_or_empties_the_file_first(tmp_path: Path) -> None:
    path = tmp_path / "通知书.docx"
    write_file(str(path), b"x" * 100_000)
    write_file(str(path), b"short")
    assert path.read_bytes() == b"short"


def test_read_file_reads_the_whole_file(tmp_path: Path) -> None:
    for size in (0, 1, 6_600, 3_000_000):
        path = tmp_path / f"f{size}"
        data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
        path.write_bytes(data)
        assert read_file(str(path)) == data == read_file(str(path), size=size)
        assert read_file(str(path), size=max(0, size - 10)) == data  # grown since its size was taken
        assert read_file(str(path), head=16) == data[:16]


@pytest.mark.parametrize("openat2", [True, False], ids=["openat2", "resolve-then-open"])
def test_a_path_from_data_is_opened_inside_its_folder_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             openat2: bool) -> None:
    import errno

    from docgen import fsutil

    if not openat2:
        monkeypatch.setattr(fsutil, "_syscall", False)  # as on a system without openat2
    folder, outside = tmp_path / "case", tmp_path / "outside.pdf"
    (folder / "sub").mkdir(parents=True)
    outside.write_bytes(b"secret")
    (folder / "a.pdf").write_bytes(b"inside")
    (folder / "sub" / "b.pdf").write_bytes(b"below")
    (folder / "link.pdf").symlink_to("sub/b.pdf")
    (folder / "out.pdf").symlink_to(outside)
    (folder / "up").symlink_to("..")
    (folder / "loop.pdf").symlink_to("loop.pdf")
    base = str(folder)
    assert [read_beneath(base, n) for n in ("a.pdf", "sub/b.pdf", "link.pdf")] == [b"inside", b"below", b"below"]
    for name in ("out.pdf", "../outside.pdf", "up/outside.pdf", str(outside)):
        with pytest.raises(OSError) as caught:
            read_beneath(base, name)
        assert caught.value.errno == errno.EXDEV, name
    with pytest.raises(OSError) as caught:
        read_beneath(base, "loop.pdf")
    assert caught.value.errno == errno.ELOOP


def test_names_from_data_are_safe_and_unique_in_their_folder() -> None:
    from docgen.fsutil import UniqueNames, file_suffix

    names = UniqueNames()
    texts = ("张/三", "张_三", "张\\三", "ABC", "abc", "../..", "很长的学校名称甲", "很长的学校名称乙")
    given = [names.name(text, 24, ".docx") for text in texts]
    assert given == ["张_三.docx", "张_三_2.docx", "张_三_3.docx", "ABC.docx", "abc_2.docx", "_.docx",
                     "很长的学校名.docx", "很长的学校_2.docx"]
    assert all("/" not in n and "\\" not in n and len(n.encode()) <= 24 for n in given)
    assert [file_suffix(n) for n in ("a.PDF", "a.pdf/b.jpg", "x.<script>", "无扩展名", "a\\b.docx")] == [
        ".pdf", ".jpg", "", "", ".docx"]
