"""Untrusted files opened in a box: every look inside an uploaded file — the check that a PDF parses and a photo
decodes, the small picture of its first page — runs in a child process with a CPU-time and a memory limit
(``resource.setrlimit`` in the child) and a wall-clock deadline, never in the web worker itself. A file that
breaks a limit is reported as such (:class:`BoxFailed`); the web worker carries on.

Run as ``python -m docgen.service.county.sandbox limit CPU BYTES -- COMMAND…`` it sets the limits and becomes the
command; as ``… check FILE`` or ``… picture FILE OUT`` it is the child's side of a look inside (no Django).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

WIDTH = 480
PICTURES = {".jpg", ".jpeg", ".png"}


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int = 10
    memory_bytes: int = 1024 * 1024 * 1024
    wall_seconds: float = 20.0


CHECK = Limits()
PREVIEW = Limits(cpu_seconds=5, memory_bytes=768 * 1024 * 1024, wall_seconds=10.0)


class BoxFailed(Exception):
    """The child did not finish within its limits, or failed: ``reason`` says which, in the clerk's words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def run_boxed(args: list[str], limits: Limits) -> subprocess.CompletedProcess[bytes]:
    """Run ``args`` in a box: a child of its own session that sets its limits and then becomes ``args`` (no code
    runs between fork and exec here, so a threaded worker is safe); BoxFailed when it runs out of time or
    memory or ends badly."""
    boxed = [sys.executable, "-m", "docgen.service.county.sandbox", "limit", str(limits.cpu_seconds),
             str(limits.memory_bytes), "--", *args]
    process = subprocess.Popen(boxed, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)  # its own process group: the deadline ends all of it
    try:
        out, err = process.communicate(timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise BoxFailed(f"打开文件超过 {limits.wall_seconds:g} 秒仍未完成") from None
    if process.returncode < 0 and -process.returncode in (signal.SIGXCPU, signal.SIGKILL):
        raise BoxFailed(f"打开文件用了超过 {limits.cpu_seconds} 秒的计算时间")
    if process.returncode != 0:
        raise BoxFailed("文件无法打开（内存不够或文件结构异常）")
    return subprocess.CompletedProcess(args, process.returncode, out, err)


def _child(command: str) -> list[str]:
    return [sys.executable, "-m", "docgen.service.county.sandbox", command]


def check_file(path: Path) -> tuple[str | None, str]:
    """What the file really is and what is wrong with it (:func:`docgen.check.files.open_media`), found in a box."""
    done = run_boxed([*_child("check"), str(path)], CHECK)
    found = json.loads(done.stdout.decode("utf-8"))
    return found["media"], found["problem"]


def make_picture(path: Path, suffix: str, out: Path) -> None:
    """A PNG at most WIDTH wide of a photo or of a PDF's first page, written to ``out``; BoxFailed when the file
    cannot be drawn within the limits (poppler's pdftoppm for PDFs, Pillow for photos, each in a box)."""
    if suffix == ".pdf":
        stem = out.with_suffix("")
        run_boxed(["pdftoppm", "-png", "-f", "1", "-l", "1", "-scale-to", str(WIDTH), "-singlefile", str(path),
                   str(stem)], PREVIEW)
        made = stem.with_suffix(".png")
        if made != out and made.is_file():
            made.replace(out)
    elif suffix in PICTURES:
        run_boxed([*_child("picture"), str(path), str(out)], PREVIEW)
    else:
        raise BoxFailed("这类文件没有预览")
    if not out.is_file() or out.stat().st_size == 0:
        raise BoxFailed("没有得到预览图")


# ---- the child's side -----------------------------------------------------------------------------------------------
def _check(path: str) -> None:
    from docgen.check.files import open_media

    with open(path, "rb") as stream:
        media, problem = open_media(stream.read())
    sys.stdout.write(json.dumps({"media": media, "problem": problem}, ensure_ascii=False))


def _picture(path: str, out: str) -> None:
    from PIL import Image

    with Image.open(path) as image:
        image.thumbnail((WIDTH, WIDTH * 2))
        image.convert("RGB").save(out, "PNG", optimize=True)


def _limit(cpu_seconds: str, memory_bytes: str, command: list[str]) -> None:
    """In the child: set the limits (CPU time, address space, no core file), then become ``command``."""
    cpu, memory = int(cpu_seconds), int(memory_bytes)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.nice(5)
    os.execvp(command[0], command)


def main(argv: list[str]) -> int:
    if len(argv) >= 5 and argv[0] == "limit" and argv[3] == "--":
        _limit(argv[1], argv[2], argv[4:])
    if len(argv) >= 2 and argv[0] == "check":
        _check(argv[1])
        return 0
    if len(argv) >= 3 and argv[0] == "picture":
        _picture(argv[1], argv[2])
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
