"""Placeholder evidence files for the demo county: small images, PDFs and sounds that say what they stand for.

A real archive holds scans and photos; the demo holds a picture of a card naming the document, the
student and the date, marked as fictional, in the format the real item would have.
"""

from __future__ import annotations

import io
import math
import shutil
import struct
import subprocess
import wave
from functools import cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from docgen.cases.model import CaseData
from docgen.cases.schema import case_field
from docgen.errors import FontMissingError

KIND_LABELS = case_field(["evidence", "[]", "kind"]).labels
PHOTO_SIZE = (640, 440)
PAGE_SIZE = (595, 842)  # A4 at 72 dpi: the PDF page comes out A4



@cache
def _font_file() -> tuple[str, int]:
    """The installed Simplified-Chinese font file and its index in a collection, via fontconfig."""
    if shutil.which("fc-match"):
        out = subprocess.run(
            ["fc-match", "-f", "%{file}|%{index}", "Noto Sans CJK SC:lang=zh-cn"],
            capture_output=True, text=True, check=False, timeout=60,
        ).stdout
        file, _, index = out.partition("|")
        if file and "CJK" in file and Path(file).exists():
            return file, int(index or 0)
    raise FontMissingError("没有找到中文字体（Noto Sans CJK），请先运行 scripts/setup.sh 安装 fonts-noto-cjk")


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    file, index = _font_file()
    return ImageFont.truetype(file, size, index=index)


def _card(size: tuple[int, int], title: str, lines: list[str], tint: tuple[int, int, int]) -> Image.Image:
    width, height = size
    image = Image.new("RGB", size, (250, 250, 246))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width - 1, 70), fill=tint)
    draw.text((24, 18), title, font=_font(30), fill=(255, 255, 255))
    y = 100
    for line in lines:
        while line:  # wrap long lines by width
            cut = len(line)
            while draw.textlength(line[:cut], font=_font(20)) > width - 48:
                cut -= 1
            draw.text((24, y), line[:cut], font=_font(20), fill=(40, 40, 40))
            line, y = line[cut:], y + 32
    draw.text((24, height - 44), "虚构示例材料 · 仅供演示 · 非真实证件", font=_font(16), fill=(170, 40, 40))
    draw.rectangle((4, 4, width - 5, height - 5), outline=tint, width=3)
    return image


def _wav_bytes(seconds: float = 0.6, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = b"".join(
            struct.pack("<h", int(6000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(int(seconds * rate))
        )
        out.writeframes(frames)
    return buffer.getvalue()


def page_placeholder(title: str, owner: str) -> bytes:
    """A one-page PDF standing for an institution's document."""
    buffer = io.BytesIO()
    _card(PAGE_SIZE, "单位档案材料", [title, f"归档单位：{owner}"], (90, 60, 120)).save(buffer, "PDF", resolution=72.0)
    return buffer.getvalue()


def placeholder_bytes(case: CaseData, item: dict[str, Any]) -> bytes:
    """The bytes of one placeholder evidence file, in the format its extension names."""
    student = case["student"]
    title = KIND_LABELS[item["kind"]]
    lines = [
        f"学生：{student['name']}（{student['school']}）",
        f"案卷编号：{case['case_id']}    材料编号：{item['id']}",
        f"日期：{item.get('date', '')}",
        f"说明：{item.get('description', '')}",
    ]
    suffix = Path(item["file"]).suffix.lower()
    buffer = io.BytesIO()
    if suffix == ".wav":
        return _wav_bytes()
    if suffix == ".pdf":
        _card(PAGE_SIZE, title, lines, (60, 80, 140)).save(buffer, "PDF", resolution=72.0)
    elif suffix == ".png":
        _card(PHOTO_SIZE, title, lines, (40, 120, 90)).save(buffer, "PNG", optimize=True)
    else:
        _card(PHOTO_SIZE, title, lines, (150, 90, 40)).save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def write_placeholders(case: CaseData, folder: Path, withheld: set[str]) -> int:
    """Write every evidence file a case names into ``folder``, except the withheld ones; return the count."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for item in case.get("evidence", []):
        if item["id"] in withheld:
            continue
        (folder / item["file"]).write_bytes(placeholder_bytes(case, item))
        count += 1
    return count
