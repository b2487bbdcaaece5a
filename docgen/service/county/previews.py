"""Small pictures of stored evidence for the case page: a photo scaled down, a PDF's first page (poppler's
pdftoppm). Made once per file and kept beside it in the store; None when the file has no picture."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

from docgen.fsutil import atomic_path
from docgen.service.county.store import stored_path

WIDTH = 480
PICTURES = {".jpg", ".jpeg", ".png"}


def preview_png(digest: str, suffix: str) -> bytes | None:
    source = stored_path(digest)
    target = source.with_name(f"{digest}.preview.png")
    if target.is_file():
        return target.read_bytes()
    if not source.is_file():
        return None
    if suffix in PICTURES:
        data = _picture(source)
    elif suffix == ".pdf":
        data = _first_page(source)
    else:
        return None
    if data:
        with atomic_path(target) as tmp:
            tmp.write_bytes(data)
    return data


def _picture(path: Path) -> bytes | None:
    try:
        with Image.open(path) as image:
            image.thumbnail((WIDTH, WIDTH * 2))
            out = io.BytesIO()
            image.convert("RGB").save(out, "PNG", optimize=True)
            return out.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


def _first_page(path: Path) -> bytes | None:
    with tempfile.TemporaryDirectory(prefix="docgen-preview-") as tmp:
        stem = Path(tmp) / "page"
        try:
            subprocess.run(["pdftoppm", "-png", "-f", "1", "-l", "1", "-scale-to", str(WIDTH), "-singlefile",
                            str(path), str(stem)], check=True, capture_output=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            return None
        out = stem.with_suffix(".png")
        return out.read_bytes() if out.is_file() else None
