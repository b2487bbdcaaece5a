"""A content-hash cache of conversions, so a document is never converted to PDF twice while unchanged.

Keys are the SHA-256 of the input bytes (and of the kind of conversion); values are the PDF bytes.
Generated documents are byte-for-byte reproducible (fixed zip timestamps), so re-running a batch or
re-assembling an unchanged case hits the cache for every one of its documents.

``render --pdf`` and the service's jobs share one cache in the user's cache folder
(:func:`shared_pdf_cache`), kept under a size limit by dropping what was used longest ago; the archive
keeps one beside its output.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

from docgen.fsutil import user_cache_dir

SHARED_LIMIT_MB = int(os.environ.get("DOCGEN_PDF_CACHE_MB", "2048"))


def digest(*chunks: bytes) -> str:
    h = hashlib.sha256()
    for chunk in chunks:
        h.update(hashlib.sha256(chunk).digest())
    return h.hexdigest()


class ConversionCache:
    def __init__(self, folder: Path, limit_mb: int | None = None) -> None:
        self.folder = folder
        self.limit = None if limit_mb is None else limit_mb * 1024 * 1024
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pdf"

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        if self.limit is not None:  # marks it used, for prune()
            with contextlib.suppress(OSError):
                os.utime(path)
        self.hits += 1
        return data

    def put(self, key: str, data: bytes) -> None:
        """Keep ``data`` under ``key``; a cache that cannot be written only costs speed next time."""
        path = self._path(key)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)

    def prune(self) -> int:
        """Drop the entries used longest ago until the cache is within its limit (to 80 % of it, so pruning is
        not needed again at once); returns how many were dropped."""
        if self.limit is None or not self.folder.is_dir():
            return 0
        entries = []
        for sub in os.scandir(self.folder):
            if sub.is_dir(follow_symlinks=False):
                for entry in os.scandir(sub.path):
                    if entry.name.endswith(".pdf"):
                        stat = entry.stat(follow_symlinks=False)
                        entries.append((stat.st_mtime, stat.st_size, entry.path))
        total = sum(size for _, size, _ in entries)
        if total <= self.limit:
            return 0
        dropped = 0
        for _, size, path in sorted(entries):
            if total <= self.limit * 0.8:
                break
            try:
                os.unlink(path)
            except OSError:
                continue
            total -= size
            dropped += 1
        return dropped


def shared_pdf_cache() -> ConversionCache:
    """The machine user's cache of Word → PDF conversions: $DOCGEN_CACHE_DIR/pdf, else the user's cache folder."""
    return ConversionCache(user_cache_dir() / "pdf", SHARED_LIMIT_MB)
