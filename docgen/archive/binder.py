"""A student's binder (案卷.pdf) as DA/T 22-2015 lays it out: 案卷封面, 卷内目录, the documents with their
page numbers stamped in the upper right corner, and the 卷内备考表 at the end.

Only the documents' pages are numbered (1 … N); the cover, the index and the 备考表 are not. The
卷内目录 gives each document's first page, and the last document's first and last page. A document
that could not be bound gets a page saying so; a missing one (备注 "缺") gets a line and no page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, select_autoescape
from markupsafe import Markup
from pypdf import PdfReader, PdfWriter, Transformation

from docgen.archive.pages import html_to_pdf, page_count, pdf_reader
from docgen.check.findings import SEVERITY_LABELS, Finding
from docgen.convert.cache import ConversionCache, digest
from docgen.dates import cn_date, parse_iso
from docgen.resources import data_text

A4_POINTS = (595.28, 841.89)


@dataclass
class Item:
    """One 卷内文件 and its line in the 卷内目录."""

    title: str
    file: str
    date: str = ""  # ISO
    doc_no: str = ""
    remarks: str = ""
    pdf: bytes | None = None  # None when it could not be included (``problem`` says why)
    problem: str = ""
    pages: int = 0
    reader: PdfReader | None = None  # the parsed pdf, kept so it is parsed once
    source: str = ""  # the evidence file as the case names it
    author: str = ""  # 责任者
    missing: bool = False  # listed with 备注 "缺": no pages
    blank_receipt: bool = False  # a generated notice whose blank 送达回证 is left out (the signed one is filed)
    finding: Finding | None = None  # the check's finding a 缺 item stands for


@dataclass(frozen=True)
class Binder:
    cover: bytes
    index: bytes
    notes: bytes  # 卷内备考表
    pdf: bytes  # everything, in binding order, with bookmarks
    pages: int  # numbered pages (the documents')


def render_page(template: str, **values: Any) -> str:
    env = Environment(autoescape=select_autoescape(default=True))
    # Our stylesheet is not data: mark it safe, or autoescaping breaks the quotes in font-family.
    return env.from_string(data_text(f"archive/{template}")).render(css=Markup(data_text("archive/archive.css")),
                                                                   **values)


def _placeholder(item: Item, cache: ConversionCache) -> bytes:
    return html_to_pdf(render_page("notice.html.j2", title=item.title, message=item.problem,
                                   file=item.source or item.file), cache)


def _compact(iso: str) -> str:
    """DA/T 22 dates in the index: 8 digits, 20220915."""
    return iso.replace("-", "")


def index_entries(items: Sequence[Item]) -> list[dict[str, Any]]:
    """The 卷内目录 lines: first page of each document, first—last for the last document with pages."""
    entries, start = [], 1
    bound = [i for i in items if not i.missing]
    for seq, item in enumerate(items, 1):
        pages = ""
        if not item.missing:
            end = start + item.pages - 1
            pages = f"{start}—{end}" if item is bound[-1] and end > start else str(start)
            start = end + 1
        remarks = item.remarks or ("未能装订，见说明页" if item.problem else "")
        entries.append({"seq": seq, "doc_no": item.doc_no, "author": item.author, "title": item.title,
                        "date": _compact(item.date), "pages": pages, "remarks": remarks})
    return entries


_ISO_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_NUMERALS = "一二三四五六七八九十"
# Chinese text has no space beside a Chinese character (the check's messages set numbers and dates apart with one).
_CJK_SPACE = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef]) +| +(?=[\u3000-\u9fff\uff00-\uffef])")


def _words(message: str) -> str:
    """A finding as the 备考表 states it: dates as a reader writes them, no file name (the evidence-file rule's
    message ends with one), one sentence."""
    text = _ISO_DATE.sub(lambda m: cn_date(parse_iso(m.group(1))) if parse_iso(m.group(1)) else m.group(1), message)
    if "：" in text and re.search(r"\.[A-Za-z0-9]{2,4}$", text):
        text = text.rsplit("：", 1)[0]
    return _CJK_SPACE.sub("", text).rstrip("。") + "。"


def notes_paragraphs(items: Sequence[Item], findings: Sequence[Finding], pages: int) -> list[str]:
    """本卷情况说明 (DA/T 22-2015 6.4): how many documents and pages, then exactly what the check found missing or
    wrong in this case, which documents the 卷内目录 lists as 缺 and which could not be bound — in words."""
    missing = [i for i in items if i.missing]
    unbound = [i for i in items if i.problem and not i.missing]
    gaps = [f for f in findings if f.counts]
    notes = [f for f in findings if not f.counts]
    out = [f"本卷共有文件 {len(items) - len(missing)} 件，{pages} 页（不含案卷封面、卷内目录和本表）。"]
    if gaps:
        marked = {id(i.finding): n for n, i in enumerate(items, 1) if i.missing and i.finding is not None}
        out.append(f"经核查，本卷有以下 {len(gaps)} 处需要补充或更正：")
        for n, finding in enumerate(gaps, 1):
            number = _NUMERALS[n - 1] if n <= len(_NUMERALS) else str(n)
            where = f"（卷内目录第 {marked[id(finding)]} 项注明“缺”）" if id(finding) in marked else ""
            label = SEVERITY_LABELS[finding.severity]
            out.append(f"（{number}）{label}：{_words(finding.message).removesuffix('。')}{where}。")
    if missing:
        listed = "；".join(m.title + (f"（{_words(m.problem)[:-1]}）" if m.problem else "") for m in missing)
        out.append(f"应归档而缺少的材料 {len(missing)} 件，已在卷内目录中注明“缺”：{listed}。")
    out += [f"{u.title}：{_words(u.problem)}" for u in unbound]
    out += [f"提示：{_words(f.message)}" for f in notes]
    if not gaps and not missing and not unbound:
        out.append("卷内文件齐全，经核查未发现缺漏；无缺损、修改、补充、移出情况。")
    return out


def _stamp(writer: PdfWriter, first: int, count: int, cache: ConversionCache) -> None:
    """Number ``count`` pages of ``writer`` from its page ``first`` on, 1 … count, upper right."""
    if count == 0:
        return
    stamps = PdfReader(io.BytesIO(html_to_pdf(render_page("stamps.html.j2", numbers=range(1, count + 1)), cache)))
    for n in range(count):
        page = writer.pages[first + n]
        if page.rotation:
            page.transfer_rotation_to_content()
        box = page.mediabox
        shift = Transformation().translate(float(box.right) - A4_POINTS[0], float(box.top) - A4_POINTS[1])
        page.merge_transformed_page(stamps.pages[n], shift)


def unbindable(items: Sequence[Item]) -> list[Item]:
    """The items whose PDF fails when bound on its own (appended, each page merged with another as when it is
    numbered), for a binder that failed: those get a page saying so and the binder is made again."""
    failed = []
    for item in items:
        if item.missing or item.reader is None:
            continue
        try:
            writer = PdfWriter()
            writer.append(item.reader, import_outline=False)
            for page in writer.pages:
                page.merge_transformed_page(writer.pages[0], Transformation())
                _ = page.get_contents()
            writer.write(io.BytesIO())
        except Exception:  # pypdf raises many kinds for a damaged or hostile file
            failed.append(item)
    return failed


def build_binder(cover: dict[str, Any], title: str, items: Sequence[Item], cache: ConversionCache,
                 findings: Sequence[Finding] = ()) -> Binder:
    """The binder of one student; fills in each bound item's page count. ``findings``: what the check found about
    the case, stated on the 卷内备考表."""
    for item in items:
        if item.missing:
            continue
        if item.pdf is None:
            item.pdf = _placeholder(item, cache)
        if item.reader is None:
            item.reader = pdf_reader(item.pdf)
        item.pages = len(item.reader.pages)
    total = sum(i.pages for i in items if not i.missing)
    missing = [i for i in items if i.missing]
    index_pdf = html_to_pdf(render_page("index.html.j2", title=title, entries=index_entries(items)), cache)
    cover_pdf = html_to_pdf(render_page("cover.html.j2", c=dict(cover, item_count=len(items) - len(missing),
                                                                page_total=total)), cache)
    notes_pdf = html_to_pdf(render_page("notes.html.j2", c=cover, paragraphs=notes_paragraphs(items, findings, total)),
                            cache)
    if page_count(cover_pdf) != 1:
        raise RuntimeError("the cover did not fit on one page")
    key = digest(b"binder-2", cover_pdf, index_pdf, notes_pdf, *(item.pdf or b"" for item in items),
                 *(f"{seq}. {item.title}".encode() for seq, item in enumerate(items, 1)))
    cached = cache.get(key)
    if cached is None:
        writer = PdfWriter()
        writer.append(PdfReader(io.BytesIO(cover_pdf)), outline_item="案卷封面", import_outline=False)
        writer.append(PdfReader(io.BytesIO(index_pdf)), outline_item="卷内目录", import_outline=False)
        first = len(writer.pages)
        for seq, item in enumerate(items, 1):
            if not item.missing:
                writer.append(item.reader, outline_item=f"{seq}. {item.title}", import_outline=False)
        _stamp(writer, first, total, cache)
        writer.append(PdfReader(io.BytesIO(notes_pdf)), outline_item="卷内备考表", import_outline=False)
        out = io.BytesIO()
        writer.write(out)
        cached = out.getvalue()
        cache.put(key, cached)
    return Binder(cover_pdf, index_pdf, notes_pdf, cached, total)
