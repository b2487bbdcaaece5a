"""Small pictures of stored evidence for the case page: a photo scaled down, a PDF's first page. Each is made once
per file, in a box (:mod:`docgen.service.county.sandbox`: a child process with CPU-time and memory limits) — when
the file is uploaded, or for a file stored before, by a task on the job workers the first time a page asks — and
kept beside the file in the store. A request never draws a file: it gets the picture, or a placeholder while the
picture is being made or when it cannot be made (the failure is kept too, so it is not tried again)."""

from __future__ import annotations

import io
import logging
import os
import tempfile
import time
from functools import cache
from pathlib import Path

from docgen.fsutil import atomic_path
from docgen.service.county.sandbox import PICTURES, BoxFailed, make_picture
from docgen.service.county.store import stored_path

log = logging.getLogger("docgen.service")
KINDS = PICTURES | {".pdf"}
PENDING_SECONDS = 600  # a task asked for this long ago and not done is asked for again


def _picture(digest: str) -> Path:
    return stored_path(digest).with_name(f"{digest}.preview.png")


def _failed(digest: str) -> Path:
    return stored_path(digest).with_name(f"{digest}.preview.failed")


def _pending(digest: str) -> Path:
    return stored_path(digest).with_name(f"{digest}.preview.pending")


def make_preview(digest: str, suffix: str) -> bool:
    """Make the file's picture in a box (once); False when it cannot be made (too slow, too big, broken)."""
    source, target = stored_path(digest), _picture(digest)
    if target.is_file():
        return True
    if _failed(digest).is_file() or not source.is_file() or suffix not in KINDS:
        return False
    try:
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".preview-") as tmp:
            made = Path(tmp) / "page.png"
            make_picture(source, suffix, made)
            os.replace(made, target)
    except BoxFailed as exc:
        log.warning("evidence %s: no preview (%s)", digest[:12], exc.reason)
        with atomic_path(_failed(digest)) as tmp:
            tmp.write_text(exc.reason, encoding="utf-8")
        return False
    finally:
        _pending(digest).unlink(missing_ok=True)
    return True


def preview_png(digest: str, suffix: str) -> bytes | None:
    """What the page shows for the file: its picture, else a placeholder (and, when nobody has tried yet, a task
    to make it); None for a kind of file that has no picture."""
    if suffix not in KINDS:
        return None
    picture = _picture(digest)
    if picture.is_file():
        return picture.read_bytes()
    if not _failed(digest).is_file() and stored_path(digest).is_file():
        _ask_for(digest, suffix)
    return placeholder()


def _ask_for(digest: str, suffix: str) -> None:
    pending = _pending(digest)
    try:
        if pending.is_file() and time.time() - pending.stat().st_mtime < PENDING_SECONDS:
            return
        pending.touch()
    except OSError:
        return
    from docgen.service.county.queue import enqueue

    enqueue("make_preview_task", digest, suffix)


@cache
def placeholder() -> bytes:
    """A plain grey picture with a frame (drawn once: it holds nothing from any file)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 160), (233, 236, 241))
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 231, 151), outline=(160, 168, 180), width=2)
    draw.line((8, 8, 231, 151), fill=(200, 205, 213), width=2)
    draw.line((8, 151, 231, 8), fill=(200, 205, 213), width=2)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
