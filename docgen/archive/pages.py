"""Turning archive items into PDF pages: Word via LibreOffice, photos onto A4, HTML via WeasyPrint.

Every conversion goes through the cache; Word documents that miss it are converted together in
one LibreOffice run.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError

from docgen.check.files import image_problem
from docgen.convert.cache import ConversionCache, digest
from docgen.convert.pdf import convert_to_pdf

A4_PIXELS = (1240, 1754)  # A4 at 150 dpi
MARGIN = 90


def docx_to_pdf(documents: Sequence[bytes], cache: ConversionCache) -> list[bytes]:
    """PDFs of Word documents, converting the ones the cache lacks in a single LibreOffice run."""
    keys = [digest(b"docx", d) for d in documents]
    found = {k: cache.get(k) for k in keys}
    todo = [(k, d) for k, d in zip(keys, documents, strict=True) if found[k] is None]
    todo = list(dict(todo).items())  # the same document twice is converted once
    if todo:
        with tempfile.TemporaryDirectory(prefix="docgen-convert-") as tmp:
            folder = Path(tmp)
            names = []
            for i, (_, data) in enumerate(todo):
                (folder / f"{i}.docx").write_bytes(data)
                names.append(f"{i}.docx")
            convert_to_pdf(folder, names)
            for i, (key, _) in enumerate(todo):
                found[key] = (folder / f"{i}.pdf").read_bytes()
                cache.put(key, found[key])
    return [found[k] for k in keys]  # type: ignore[misc]


def image_to_pdf(data: bytes, cache: ConversionCache) -> bytes:
    """A photo scaled onto an A4 page; raises ValueError when the bytes are not a readable image."""
    key = digest(b"image", data)
    cached = cache.get(key)
    if cached is not None:
        return cached
    too_big = image_problem(data)
    if too_big.startswith("图片过大"):
        raise ValueError(too_big)
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            picture = image.convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValueError("图片无法读取") from exc
    page = Image.new("RGB", A4_PIXELS, "white")
    box = (A4_PIXELS[0] - 2 * MARGIN, A4_PIXELS[1] - 2 * MARGIN)
    picture.thumbnail(box)
    page.paste(picture, ((A4_PIXELS[0] - picture.width) // 2, MARGIN))
    out = io.BytesIO()
    page.save(out, "PDF", resolution=150.0)
    cache.put(key, out.getvalue())
    return out.getvalue()


def html_to_pdf(html: str, cache: ConversionCache) -> bytes:
    key = digest(b"html", html.encode("utf-8"))
    cached = cache.get(key)
    if cached is not None:
        return cached
    from weasyprint import HTML  # slow to import; only assembly needs it

    data = HTML(string=html).write_pdf()
    cache.put(key, data)
    return data


def pdf_reader(pdf: bytes) -> PdfReader:
    """A parsed PDF whose pages could be counted; raises ValueError for a file that is not a readable PDF."""
    try:
        reader = PdfReader(io.BytesIO(pdf))
        if len(reader.pages) < 1:
            raise ValueError("no pages")
        return reader
    except (PdfReadError, ValueError, KeyError, OSError, TypeError) as exc:
        raise ValueError("PDF 文件已损坏，无法读取") from exc


RECEIPT_TITLE = "送达回证"


def without_receipt(pdf: bytes) -> bytes:
    """A generated notice without the blank 送达回证 printed after it (its last pages, each headed 送达回证): in an
    archive the signed one takes its place."""
    reader = pdf_reader(pdf)
    keep = len(reader.pages)
    while keep > 1 and "".join(reader.pages[keep - 1].extract_text().split()).startswith(RECEIPT_TITLE):
        keep -= 1
    if keep == len(reader.pages):
        return pdf
    writer = PdfWriter()
    for page in reader.pages[:keep]:
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def page_count(pdf: bytes) -> int:
    return len(pdf_reader(pdf).pages)
