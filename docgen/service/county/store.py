"""The workspace's file store: uploads and generated documents kept under their SHA-256 (the same bytes are
stored once), written to a temporary name and moved into place, read only through views that check the unit."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

from docgen.fsutil import atomic_path
from docgen.service.county.models import CaseRecord


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


def evidence_tree(records: Iterable[CaseRecord], root: Path) -> int:
    """Lay the cases' stored evidence out as the library reads it (``root/<case_id>/<file>``): hard links into
    the store where it can (same file system), copies elsewhere. Returns how many files are there."""
    count = 0
    for record in records:
        for item in record.data.get("evidence", []):
            digest, name = item.get("sha256"), item.get("file")
            source = stored_path(digest) if digest else None
            if not name or source is None or not source.is_file():
                continue  # the audit reports it missing
            target = root / record.case_id / name
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(source, target)
                except OSError:
                    shutil.copyfile(source, target)
            count += 1
    return count
