"""The workspace's file stores.

Evidence and generated documents are kept under their SHA-256 (the same bytes are stored once), written to a
temporary name and moved into place, and read only through the door (a case the reader sees). Ledger uploads are
not evidence: they wait in a staging area of their own, under a random token tied to the user who uploaded them,
and expire. No name from data ever becomes a path as it is: :func:`evidence_names` makes each case's evidence
names safe and unique before they are laid out.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from django.conf import settings

from docgen.fsutil import atomic_path, safe_name
from docgen.service.county.models import CaseRecord

CHUNK = 1024 * 1024
_DIGEST = re.compile(r"[0-9a-f]{64}")


def store_root() -> Path:
    return Path(settings.EVIDENCE_STORE)


def stored_path(digest: str) -> Path:
    if not _DIGEST.fullmatch(digest):
        raise ValueError("not a SHA-256 digest")
    return store_root() / digest[:2] / digest


def store(data: bytes) -> str:
    """Keep the bytes under their SHA-256; returns the digest."""
    digest = hashlib.sha256(data).hexdigest()
    target = stored_path(digest)
    if not target.exists():
        with atomic_path(target) as tmp:
            tmp.write_bytes(data)
    return digest


def store_file(source: Path) -> str:
    """Keep a file (an upload streamed to disk) under its SHA-256, read in chunks; returns the digest."""
    digest = hashlib.sha256()
    with open(source, "rb") as stream:
        for chunk in iter(lambda: stream.read(CHUNK), b""):
            digest.update(chunk)
    name = digest.hexdigest()
    target = stored_path(name)
    if not target.exists():
        with atomic_path(target) as tmp:
            shutil.copyfile(source, tmp)
    return name


def evidence_names(items: Iterable[Mapping[str, Any]]) -> list[str]:
    """The name each evidence file gets on disk: its recorded name with every ``/`` and ``\\`` (and whatever else
    a file system refuses) made safe, unique within the case regardless of case (``a.pdf`` and ``a.pdf/b.pdf`` both
    stay), the extension kept. The one way a name from data becomes a path."""
    used: set[str] = set()
    names = []
    for n, item in enumerate(items):
        recorded = str(item.get("file") or "材料")
        flat = safe_name(recorded.replace("/", "_").replace("\\", "_"))
        stem, suffix = os.path.splitext(flat)
        name, k = flat, 1
        while name.lower() in used:
            k += 1
            name = safe_name(f"{stem}_{item.get('id') or n + 1}{'_' + str(k) if k > 2 else ''}{suffix}")
        used.add(name.lower())
        names.append(name)
    return names


def evidence_tree(records: Iterable[CaseRecord], root: Path) -> tuple[int, list[dict[str, Any]]]:
    """Lay the cases' stored evidence out as the library reads it (``root/<case_id>/<file>``): hard links into the
    store where it can (same file system), copies elsewhere. Returns how many files are there and a copy of each
    case's data whose evidence names are the names laid out (what the library is then given)."""
    import copy

    count, out = 0, []
    for record in records:
        data = copy.deepcopy(record.data)
        items = [e for e in data.get("evidence", []) if isinstance(e, dict)]
        folder = root / safe_name(record.case_id)
        for item, name in zip(items, evidence_names(items), strict=True):
            item["file"] = name
            digest = item.get("sha256")
            source = stored_path(digest) if isinstance(digest, str) and _DIGEST.fullmatch(digest) else None
            if source is None or not source.is_file():
                continue  # the audit reports it missing
            target = folder / name
            if not target.exists():
                folder.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(source, target)
                except OSError:
                    shutil.copyfile(source, target)
            count += 1
        out.append(data)
    return count, out


# ---- staged ledger uploads -------------------------------------------------------------------------------------
def staging_root() -> Path:
    return Path(settings.LEDGER_STAGING)


def _staged_path(user_id: int, token: str) -> Path | None:
    if not re.fullmatch(r"[A-Za-z0-9_-]{20,64}", token):
        return None
    return staging_root() / str(int(user_id)) / f"{token}.xlsx"


def stage(user_id: int, stream: IO[bytes]) -> str:
    """Keep an uploaded ledger for its user until it is confirmed or expires; returns its token."""
    expire_staged()
    token = secrets.token_urlsafe(24)
    target = _staged_path(user_id, token)
    assert target is not None
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp, open(tmp, "wb") as out:
        shutil.copyfileobj(stream, out, CHUNK)
    return token


def staged(user_id: int, token: str) -> Path | None:
    """The staged ledger of this user under this token, unless it expired (None)."""
    path = _staged_path(user_id, token)
    if path is None or not path.is_file():
        return None
    if time.time() - path.stat().st_mtime > settings.LEDGER_STAGING_SECONDS:
        path.unlink(missing_ok=True)
        return None
    return path


def expire_staged() -> int:
    """Remove every staged ledger older than LEDGER_STAGING_SECONDS; returns how many."""
    root, removed = staging_root(), 0
    limit = time.time() - settings.LEDGER_STAGING_SECONDS
    for path in _files(root):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed


def _files(root: Path) -> Iterator[Path]:
    if root.is_dir():
        for folder in root.iterdir():
            if folder.is_dir():
                yield from (p for p in folder.iterdir() if p.is_file())
