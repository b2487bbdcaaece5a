"""A student's binder (案卷.pdf): cover, 卷内目录 whose page ranges are the binder's own pages, every
item with a bookmark — and a page saying so for anything that could not be included."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, select_autoescape
from markupsafe import Markup
from pypdf import PdfReader, PdfWriter

from docgen.archive.cache import ConversionCache, digest
from docgen.archive.pages import html_to_pdf, page_count, pdf_reader
from docgen.resources import data_text

MAX_INDEX_TRIES = 4


@dataclass
class Item:
    """One entry of the binder and its index line."""

    title: str
    file: str
    date: str = ""
    doc_no: str = ""
    remarks: str = ""
    pdf: bytes | None = None  # None when it could not be included (``problem`` says why)
    problem: str = ""
    pages: int = 0
    reader: PdfReader | None = None  # the parsed pdf, kept so it is parsed once
    source: str = ""  # the evidence file as the case names it


def _render(template: str, **values: Any) -> str:
    env = Environment(autoescape=select_autoescape(default=True))
    # Our stylesheet is not data: mark it safe, or autoescaping breaks the quotes in font-family.
    return env.from_string(data_text(f"archive/{template}")).render(css=Markup(data_text("archive/archive.css")),
                                                                   **values)


def _placeholder(item: Item, cache: ConversionCache) -> bytes:
    return html_to_pdf(_render("notice.html.j2", title=item.title, message=item.problem,
                               file=item.source or item.file), cache)


def build_binder(cover: dict[str, Any], title: str, items: Sequence[Item],
                 cache: ConversionCache) -> tuple[bytes, bytes, bytes]:
    """(cover PDF, index PDF, binder PDF) for one student; fills in each item's page count."""
    for item in items:
        if item.pdf is None:
            item.pdf = _placeholder(item, cache)
        if item.reader is None:
            item.reader = pdf_reader(item.pdf)
        item.pages = len(item.reader.pages)
    index_pages = 1
    for _ in range(MAX_INDEX_TRIES):
        entries, start = [], 2 + index_pages  # the cover is one page
        for seq, item in enumerate(items, 1):
            end = start + item.pages - 1
            entries.append({"seq": seq, "title": item.title, "doc_no": item.doc_no, "date": item.date,
                            "pages": f"{start}" if end == start else f"{start}—{end}",
                            "remarks": item.remarks or ("未能纳入，见说明页" if item.problem else "")})
            start = end + 1
        index_pdf = html_to_pdf(_render("index.html.j2", title=title, entries=entries), cache)
        if page_count(index_pdf) == index_pages:
            break
        index_pages = page_count(index_pdf)
    total = 1 + index_pages + sum(i.pages for i in items)
    cover_pdf = html_to_pdf(_render("cover.html.j2", c=dict(cover, item_count=len(items), page_total=total)), cache)
    if page_count(cover_pdf) != 1 or page_count(index_pdf) != index_pages:
        raise RuntimeError("cover or index page count did not settle")
    key = digest(b"binder", cover_pdf, index_pdf, *(item.pdf or b"" for item in items),
                 *(f"{seq}. {item.title}".encode() for seq, item in enumerate(items, 1)))
    cached = cache.get(key)
    if cached is not None:
        return cover_pdf, index_pdf, cached
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(cover_pdf)), outline_item="案卷封面", import_outline=False)
    writer.append(PdfReader(io.BytesIO(index_pdf)), outline_item="卷内目录", import_outline=False)
    for seq, item in enumerate(items, 1):
        writer.append(item.reader, outline_item=f"{seq}. {item.title}", import_outline=False)
    out = io.BytesIO()
    writer.write(out)
    cache.put(key, out.getvalue())
    return cover_pdf, index_pdf, out.getvalue()
