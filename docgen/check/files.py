"""Evidence files: every file a case names exists inside its folder, opens, and is what its kind needs.

Paths from the data are resolved under the evidence root and never followed outside it: a symlink
leaving the folder is reported, not read. Pipes, devices and sockets are reported and never opened
(reading one would wait forever); files past a size limit are not read. A PDF must parse and have
pages; an image must decode within a pixel limit. ``fast`` keeps the old signature sniff.
Results are cached by content hash, so checking the same file twice costs one read.
"""

from __future__ import annotations

import hashlib
import io
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen.cases.model import records
from docgen.cases.schema import case_field
from docgen.specs.evidence_types import MEDIA_LABELS, EvidenceTypes

_EXTENSIONS = {
    "pdf": {".pdf"}, "image": {".jpg", ".jpeg", ".png"}, "docx": {".docx"},
    "audio": {".wav", ".mp3", ".m4a", ".amr"}, "video": {".mp4", ".mov"},
}
HEAD_BYTES = 16
MAX_FILE_BYTES = 200 * 1024 * 1024  # a scanned case file is a few MB; past this it is not evidence
MAX_PIXELS = 64_000_000  # a 64-megapixel photo decodes to ~200 MB; a 30000×30000 "photo" is an attack


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


def read_evidence(folder: Path, name: str) -> tuple[bytes | None, str]:
    """The bytes of ``name`` inside ``folder``, or None and why not (outside, missing, special, too large)."""
    base = folder.resolve()
    path = (base / name).resolve()
    if not path.is_relative_to(base):
        return None, "路径指向本案材料目录之外，未读取"
    try:
        mode = path.stat()
    except FileNotFoundError:
        return None, "文件不存在"
    except OSError:
        return None, "文件无法读取"
    if not stat.S_ISREG(mode.st_mode):
        return None, "不是普通文件（目录、管道或设备），未读取"
    if mode.st_size > MAX_FILE_BYTES:
        return None, f"文件过大（{mode.st_size // 1024 // 1024} MB，上限 {MAX_FILE_BYTES // 1024 // 1024} MB），未读取"
    try:
        return path.read_bytes(), ""
    except OSError:
        return None, "文件无法读取"


def open_media(data: bytes, ext: str) -> tuple[str | None, str]:
    """What ``data`` really is (pdf, image, docx, audio, video) after opening it, and a problem if it is broken."""
    return _open_media(hashlib.sha256(data).digest() + ext.encode(), data, ext)


_RESULTS: dict[bytes, tuple[str | None, str]] = {}


def _open_media(key: bytes, data: bytes, ext: str) -> tuple[str | None, str]:
    if key in _RESULTS:
        return _RESULTS[key]
    media = _sniff(data[:HEAD_BYTES])
    problem = ""
    if media == "pdf":
        problem = pdf_problem(data)
    elif media == "image":
        problem = image_problem(data)
    _RESULTS[key] = (media, problem)
    return media, problem


def pdf_problem(data: bytes) -> str:
    """'' when ``data`` parses as a PDF with at least one page, else what is wrong."""
    from pypdf import PdfReader

    try:
        if len(PdfReader(io.BytesIO(data), strict=False).pages) == 0:
            return "PDF 文件没有任何页面"
    except Exception:  # pypdf raises many kinds for a damaged file; any of them means the same to a clerk
        return "PDF 文件已损坏（可能没有传完整），无法打开"
    return ""


def image_problem(data: bytes) -> str:
    """'' when ``data`` decodes as an image within the pixel limit, else what is wrong."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                return f"图片过大（{width}×{height} 像素），请压缩后重新上传"
            image.load()
    except Image.DecompressionBombError:
        return f"图片过大（超过 {MAX_PIXELS // 1_000_000} 兆像素），请压缩后重新上传"
    except Exception:  # Pillow raises several kinds for truncated or forged images
        return "图片已损坏，无法打开"
    return ""


def evidence_file_problems(case: Any, root: Path, types: EvidenceTypes, fast: bool = False) -> Iterator[FileProblem]:
    """Every evidence item of ``case`` whose file under ``root/<case_id>/`` is missing or not what it should be."""
    folder = root / str(case.get("case_id", ""))
    labels = case_field(["evidence", "[]", "kind"]).labels
    for i, item in records(case, "evidence"):
        if not isinstance(item.get("file"), str):
            continue
        kind = str(item.get("kind", ""))
        name = item["file"]

        def problem(text: str, ident: str = str(item.get("id", "")), kind: str = kind, name: str = name,
                    where: str = f"$.evidence[{i}].file") -> FileProblem:
            return FileProblem(ident, labels.get(kind, kind), name, text, where)

        data, unreadable = read_evidence(folder, name)
        if data is None:
            yield problem(f"的{unreadable}" if unreadable != "文件不存在" else "的文件不存在")
            continue
        ext = Path(name).suffix.lower()
        if fast:
            media, broken = _sniff(data[:HEAD_BYTES]), ""
        else:
            media, broken = open_media(data, ext)
        ext_media = next((m for m, exts in _EXTENSIONS.items() if ext in exts), None)
        allowed = types.allowed(kind)
        if media is None or (ext_media is not None and ext_media != media):
            yield problem("的文件已损坏，或内容与扩展名不符")
        elif broken:
            yield problem(f"的{broken}")
        elif media not in allowed:
            wanted = "或".join(MEDIA_LABELS[m] for m in allowed)
            yield problem(f"的文件类型不对，应为{wanted}")
