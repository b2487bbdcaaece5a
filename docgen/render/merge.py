"""The print file of a batch: every document's body in one .docx, each a section of its own that starts
on a new page with page number 1, so each family's notice is numbered "— 1 —" as if printed alone."""

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
    _restart_numbers(body)
    for data in documents[1:]:
        other = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(DOCUMENT)).find(_q("body"))
        _restart_numbers(other)
        # The section that ended the body so far now ends with a paragraph of its own: the next
        # document starts a new section (a new page, its page numbers from 1).
        closing = body.find(_q("sectPr"))
        carrier = etree.SubElement(body, _q("p"))
        etree.SubElement(carrier, _q("pPr")).append(closing)
        for child in list(other):
            body.append(child)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as merged:
        for info in first.infolist():
            data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True) \
                if info.filename == DOCUMENT else first.read(info)
            merged.writestr(info.filename, data)
    return out.getvalue()


# CT_SectPr order: pgNumType comes after these (the page size, margins, borders, line numbering).
_BEFORE_PAGE_NUMBERS = frozenset(f"{{{W}}}{t}" for t in ("footnotePr", "endnotePr", "type", "pgSz", "pgMar",
                                                          "paperSrc", "pgBorders", "lnNumType"))


def _restart_numbers(body: etree._Element) -> None:
    """The first section of a document starts on a new page and numbers its pages from 1."""
    first = next(body.iter(_q("sectPr")), None)
    if first is None:
        first = etree.SubElement(body, _q("sectPr"))
    kind = first.find(_q("type"))
    if kind is not None:
        kind.set(_q("val"), "nextPage")
    numbers = first.find(_q("pgNumType"))
    if numbers is None:
        numbers = etree.Element(_q("pgNumType"))
        anchor = [c for c in first if c.tag in _BEFORE_PAGE_NUMBERS]
        if anchor:
            anchor[-1].addnext(numbers)
        else:
            first.insert(len([c for c in first if c.tag in (_q("headerReference"), _q("footerReference"))]), numbers)
    numbers.set(_q("start"), "1")
