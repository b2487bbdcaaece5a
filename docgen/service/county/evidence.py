"""Evidence uploads: the file arrives on disk (streamed, its size checked while it is read), is opened and checked
in a box (a PDF must parse, a photo decode, within time and memory limits; its small picture made there too), must
be a kind the county's spec allows for the material, and is kept in the store by content hash (the same file twice
is stored once). It becomes the case's through the door, as an upload to that case; only a unit that sees the case
reaches it again."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from docgen.errors import DocgenError
from docgen.fsutil import safe_name
from docgen.service.county.changes import add_linked_record, add_record, items
from docgen.service.county.door import Actor
from docgen.service.county.models import CaseRecord
from docgen.service.county.overview import county_spec
from docgen.service.county.previews import make_preview
from docgen.service.county.sandbox import BoxFailed, check_file
from docgen.service.county.store import store_file
from docgen.specs.evidence_types import MEDIA_LABELS

MAX_UPLOAD_BYTES = 30 * 1024 * 1024
EXTENSIONS = {"pdf": {".pdf"}, "image": {".jpg", ".jpeg", ".png"}, "docx": {".docx"},
              "audio": {".mp3", ".wav", ".m4a", ".amr"}, "video": {".mp4", ".mov"}}
CONTENT_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
                 ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 ".mp3": "audio/mpeg", ".wav": "audio/wav", ".m4a": "audio/mp4", ".amr": "audio/amr",
                 ".mp4": "video/mp4", ".mov": "video/quicktime"}


class UploadError(DocgenError):
    """An upload that cannot be evidence: the message says why, in the clerk's words."""


@dataclass(frozen=True)
class Stored:
    digest: str
    name: str  # the cleaned original name, as the case records it
    size: int


def too_big(size: int, limit: int = MAX_UPLOAD_BYTES) -> str:
    return f"文件 {size // (1024 * 1024)} MB，超过 {limit // (1024 * 1024)} MB 的上限"


def clean_name(name: str, media: str) -> str:
    """The name the case records: the uploaded name's last part, its extension the one of what it really is."""
    base = re.split(r"[/\\]", name)[-1]
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    if suffix not in EXTENSIONS[media]:
        suffix = sorted(EXTENSIONS[media])[0]
    stem = re.sub(r"\s+", "_", stem).strip("._") or "材料"
    return safe_name(f"{stem[:60]}{suffix}")


def check_upload(name: str, path: Path, kind: str) -> str:
    """The cleaned file name, or UploadError: too large, not what its name says, broken, too costly to open, or
    not allowed for the kind."""
    size = path.stat().st_size
    if size > MAX_UPLOAD_BYTES:
        raise UploadError(too_big(size))
    if not size:
        raise UploadError("文件是空的")
    try:
        media, problem = check_file(path)
    except BoxFailed as exc:
        raise UploadError(f"{exc.reason}，没有保存；请换一个文件（如重新扫描或另存为 PDF）") from exc
    if media is None:
        raise UploadError("看不出这是什么文件（只收 PDF、JPG/PNG 照片、Word 文档、音频和视频）")
    if problem:
        raise UploadError(problem)
    allowed = county_spec().evidence_types.allowed(kind)
    if media not in allowed:
        wanted = "、".join(MEDIA_LABELS[m] for m in allowed)
        raise UploadError(f"这类材料应为 {wanted}，上传的是 {MEDIA_LABELS[media]}")
    return clean_name(name, media)


def next_evidence_id(record: CaseRecord) -> str:
    used = {e.get("id") for e in record.data.get("evidence", [])}
    n = len(used) + 1
    while f"E{n:03d}" in used:
        n += 1
    return f"E{n:03d}"


# The records a piece of evidence can prove (each has an ``evidence`` list of material ids): list → what it is.
PROVABLE = {"persuasions": "劝返记录", "notices": "通知书", "home_teaching.sessions": "送教上门记录",
            "remote_teaching.sessions": "远程送教记录"}


def evidence_targets(record: CaseRecord) -> list[tuple[str, str]]:
    """The case's records an upload can be attached to: (``list:index``, how a clerk recognises it)."""
    targets = []
    for list_name, what in PROVABLE.items():
        for n, item in enumerate(items(record, list_name)):
            if not isinstance(item, dict):
                continue
            when = item.get("date") or item.get("issued_on") or ""
            detail = item.get("doc_no") or item.get("place") or item.get("subject") or ""
            targets.append((f"{list_name}:{n}", f"{what} {when} {detail}".strip()))
    return targets


_RECORD_AT = re.compile(r"^\$\.(" + "|".join(re.escape(k) for k in PROVABLE) + r")\[(\d+)\]")


def target_at(path: str) -> str:
    """The ``list:index`` of the provable record a finding's JSON path is inside ("" when none): the upload form
    that settles a missing record form or receipt starts on it."""
    found = _RECORD_AT.match(path or "")
    return f"{found[1]}:{found[2]}" if found else ""


def target_of(key: str) -> tuple[str, int] | None:
    """``persuasions:2`` → ("persuasions", 2); None for anything else."""
    list_name, _, index = key.partition(":")
    return (list_name, int(index)) if list_name in PROVABLE and index.isdigit() else None


def add_evidence(actor: Actor, record: CaseRecord, *, kind: str, name: str, path: Path, date: dt.date | None,
                 description: str, proves: str = "") -> dict:
    """Check, store and record one piece of evidence on the case — named in the record it ``proves``
    (``list:index`` of :func:`evidence_targets`), when given — (UploadError or DataProblemsError on refusal); its
    small picture is made now, in a box (a placeholder when it cannot be)."""
    link = target_of(proves) if proves else None
    if proves and (link is None or proves not in dict(evidence_targets(record))):
        raise UploadError("没有这条记录，请从列表中选择这份材料证明的记录")
    clean = check_upload(name, path, kind)
    digest = store_file(path)
    make_preview(digest, Path(clean).suffix.lower())
    item = {"id": next_evidence_id(record), "kind": kind, "file": clean, "sha256": digest}
    if date:
        item["date"] = date.isoformat()
    if description:
        item["description"] = description
    if link is not None:
        add_linked_record(actor, record, "evidence", item, link, uploads={digest})
    else:
        add_record(actor, record, "evidence", item, uploads={digest})
    return item
