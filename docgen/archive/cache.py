"""A content-hash cache of conversions, so a re-assembly converts only what changed.

Keys are the SHA-256 of the input bytes (and of the kind of conversion); values are the PDF bytes.
Generated documents are byte-for-byte reproducible (fixed zip timestamps), so an unchanged case
hits the cache for every one of its documents.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def digest(*chunks: bytes) -> str:
    h = hashlib.sha256()
    for chunk in chunks:
        h.update(hashlib.sha256(chunk).digest())
    return h.hexdigest()


class ConversionCache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pdf"

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        if path.is_file():
            self.hits += 1
            return path.read_bytes()
        self.misses += 1
        return None

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
