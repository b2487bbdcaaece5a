"""The workspace's file store: uploads and generated documents kept under their SHA-256 (the same bytes are
stored once), written to a temporary name and moved into place, read only through views that check the unit."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings

from docgen.fsutil import atomic_path


def store_root() -> Path:
    return Path(settings.EVIDENCE_STORE)


def stored_path(digest: str) -> Path:
    return store_root() / digest[:2] / digest


def store(data: bytes) -> str:
    """Keep the bytes under their SHA-256; returns the digest."""
    digest = hashlib.sha256(data).hexdigest()
    target = stored_path(digest)
    if not target.exists():
        with atomic_path(target) as tmp:
            tmp.write_bytes(data)
    return digest
