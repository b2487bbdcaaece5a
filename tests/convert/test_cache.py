"""The conversion cache: what was put is found by its bytes' hash; past its limit the entries used longest ago
go first; a cache that cannot be written only costs speed."""

from __future__ import annotations

import os
from pathlib import Path

from docgen.convert.cache import ConversionCache, digest, shared_pdf_cache


def test_found_by_content_and_counted(tmp_path: Path) -> None:
    cache = ConversionCache(tmp_path / "c")
    key = digest(b"docx", b"one")
    assert cache.get(key) is None
    cache.put(key, b"%PDF-one")
    assert cache.get(key) == b"%PDF-one" and cache.get(digest(b"docx", b"two")) is None
    assert (cache.hits, cache.misses) == (1, 2)
    assert digest(b"docx", b"one") != digest(b"html", b"one")


def test_past_its_limit_the_least_recently_used_go(tmp_path: Path) -> None:
    cache = ConversionCache(tmp_path / "c", limit_mb=1)
    keys = [digest(b"docx", bytes([i])) for i in range(6)]
    for age, key in enumerate(keys):
        cache.put(key, b"x" * 300_000)
        os.utime(cache._path(key), (1_000_000 + age, 1_000_000 + age))
    cache.get(keys[0])  # the oldest, just used: it stays
    assert cache.prune() == 4  # 1.8 MB down to at most 0.8 MB: keys 1–4 go, 0 and 5 stay
    assert [cache.get(k) is not None for k in keys] == [True, False, False, False, False, True]
    assert cache.prune() == 0


def test_an_unwritable_cache_costs_only_speed(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    cache = ConversionCache(tmp_path / "file" / "c", limit_mb=1)
    cache.put(digest(b"docx", b"one"), b"%PDF")
    assert cache.get(digest(b"docx", b"one")) is None and cache.prune() == 0


def test_shared_cache_lives_in_the_user_cache_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path))
    assert shared_pdf_cache().folder == tmp_path / "pdf"
