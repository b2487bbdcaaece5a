"""Evidence files: every file a case names exists inside its folder, is readable, and is what its kind needs.

Paths from the data are resolved under the evidence root and never followed outside it: a ``../`` or
an absolute path is reported, not read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen.cases.schema import case_field
from docgen.specs.evidence_types import MEDIA_LABELS, EvidenceTypes

_EXTENSIONS = {
    "pdf": {".pdf"}, "image": {".jpg", ".jpeg", ".png"}, "docx": {".docx"},
    "audio": {".wav", ".mp3", ".m4a", ".amr"}, "video": {".mp4", ".mov"},
}
HEAD_BYTES = 16


def _sniff(head: bytes) -> str | None:
    """The media a file's first bytes say it is."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if (head[:4] == b"RIFF" and head[8:12] == b"WAVE") or head.startswith((b"ID3", b"\xff\xfb", b"#!AMR")):
        return "audio"
    if head[4:8] == b"ftyp":
        return "video"
    return None


@dataclass(frozen=True)
class FileProblem:
    evidence_id: str
    kind: str
    file: str
    problem: str
    where: str


def evidence_file_problems(case: dict[str, Any], root: Path, types: EvidenceTypes) -> Iterator[FileProblem]:
    """Every evidence item of ``case`` whose file under ``root/<case_id>/`` is missing or not what it should be."""
    folder = (root / str(case.get("case_id", ""))).resolve()
    labels = case_field(["evidence", "[]", "kind"]).labels
    for i, item in enumerate(case.get("evidence", [])):
        if not isinstance(item, dict) or not isinstance(item.get("file"), str):
            continue
        kind = str(item.get("kind", ""))
        name = item["file"]

        def problem(text: str, ident: str = str(item.get("id", "")), kind: str = kind, name: str = name,
                    where: str = f"$.evidence[{i}].file") -> FileProblem:
            return FileProblem(ident, labels.get(kind, kind), name, text, where)

        path = (folder / name).resolve()
        if not path.is_relative_to(folder):
            yield problem("的路径指向本案材料目录之外，未读取")
            continue
        if not path.is_file():
            yield problem("的文件不存在")
            continue
        try:
            with path.open("rb") as handle:
                head = handle.read(HEAD_BYTES)
        except OSError:
            yield problem("的文件无法读取")
            continue
        allowed = types.allowed(kind)
        media = _sniff(head)
        ext_media = next((m for m, exts in _EXTENSIONS.items() if path.suffix.lower() in exts), None)
        if media is None or (ext_media is not None and ext_media != media):
            yield problem("的文件已损坏，或内容与扩展名不符")
        elif media not in allowed:
            wanted = "或".join(MEDIA_LABELS[m] for m in allowed)
            yield problem(f"的文件类型不对，应为{wanted}")
