"""The evidence store: uploaded files kept in the workspace by content hash (the same file twice is stored once),
checked by opening them (a PDF must parse, a photo decode) and by the kinds the county's spec allows; served
only through a view that checks the user's unit."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from django.http import HttpRequest

from docgen.check.files import open_media
from docgen.fsutil import safe_name
from docgen.service.county.changes import add_record
from docgen.service.county.models import CaseRecord
from docgen.service.county.overview import county_spec
from docgen.service.county.store import store
from docgen.specs.evidence_types import MEDIA_LABELS

MAX_UPLOAD_BYTES = 30 * 1024 * 1024
EXTENSIONS = {"pdf": {".pdf"}, "image": {".jpg", ".jpeg", ".png"}, "docx": {".docx"},
              "audio": {".mp3", ".wav", ".m4a", ".amr"}, "video": {".mp4", ".mov"}}
CONTENT_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
                 ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 ".mp3": "audio/mpeg", ".wav": "audio/wav", ".m4a": "audio/mp4", ".amr": "audio/amr",
                 ".mp4": "video/mp4", ".mov": "video/quicktime"}


class UploadError(ValueError):
    """An upload that cannot be evidence: the message says why, in the clerk's words."""


@dataclass(frozen=True)
class Stored:
    digest: str
    name: str  # the cleaned original name, as the case records it
    size: int


def check_upload(name: str, data: bytes, kind: str) -> str:
    """The cleaned file name, or UploadError: too large, not what its name says, broken, or not allowed for the kind."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(f"文件 {len(data) // (1024 * 1024)} MB，超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB 的上限")
    if not data:
        raise UploadError("文件是空的")
    media, problem = open_media(data)
    if media is None:
        raise UploadError("看不出这是什么文件（只收 PDF、JPG/PNG 照片、Word 文档、音频和视频）")
    if problem:
        raise UploadError(problem)
    allowed = county_spec().evidence_types.allowed(kind)
    if media not in allowed:
        wanted = "、".join(MEDIA_LABELS[m] for m in allowed)
        raise UploadError(f"这类材料应为 {wanted}，上传的是 {MEDIA_LABELS[media]}")
    stem, suffix = Path(name).stem, Path(name).suffix.lower()
    if suffix not in EXTENSIONS[media]:
        suffix = sorted(EXTENSIONS[media])[0]
    stem = re.sub(r"\s+", "_", stem).strip("._") or "材料"
    return safe_name(f"{stem[:60]}{suffix}")


def next_evidence_id(record: CaseRecord) -> str:
    used = {e.get("id") for e in record.data.get("evidence", [])}
    n = len(used) + 1
    while f"E{n:03d}" in used:
        n += 1
    return f"E{n:03d}"


def add_evidence(request: HttpRequest, record: CaseRecord, *, kind: str, name: str, data: bytes,
                 date: dt.date | None, description: str) -> dict:
    """Check, store and record one piece of evidence on the case (UploadError or DataProblemsError on refusal)."""
    clean = check_upload(name, data, kind)
    digest = store(data)
    item = {"id": next_evidence_id(record), "kind": kind, "file": clean, "sha256": digest}
    if date:
        item["date"] = date.isoformat()
    if description:
        item["description"] = description
    add_record(request, record, "evidence", item)
    return item
