"""The print file of a batch: every document's body in one .docx, each starting on a new page."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCUMENT = "word/document.xml"


def _q(tag: str) -> str:
    return f"{{{W}}}{tag}"


def merge_documents(documents: Sequence[bytes]) -> bytes:
    """One package holding the bodies of ``documents`` in order (styles and parts of the first)."""
    first = zipfile.ZipFile(io.BytesIO(documents[0]))
    root = etree.fromstring(first.read(DOCUMENT))
    body = root.find(_q("body"))
    section = body.find(_q("sectPr"))
    for data in documents[1:]:
        other = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(DOCUMENT)).find(_q("body"))
        children = [c for c in other if c.tag != _q("sectPr")]
        _start_on_new_page(children)
        for child in children:
            section.addprevious(child)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as merged:
        for info in first.infolist():
            data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True) \
                if info.filename == DOCUMENT else first.read(info)
            merged.writestr(info.filename, data)
    return out.getvalue()


def _start_on_new_page(children: list[etree._Element]) -> None:
    paragraph = next((c for c in children if c.tag == _q("p")), None)
    if paragraph is None:  # a document that opens with a table: put an empty page-break paragraph first
        paragraph = etree.Element(_q("p"))
        children.insert(0, paragraph)
    ppr = paragraph.find(_q("pPr"))
    if ppr is None:
        ppr = etree.SubElement(paragraph, _q("pPr"))
        paragraph.insert(0, ppr)
    if ppr.find(_q("pageBreakBefore")) is None:
        ppr.insert(0 if ppr.find(_q("pStyle")) is None else 1, etree.Element(_q("pageBreakBefore")))
