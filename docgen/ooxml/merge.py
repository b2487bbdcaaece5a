"""The print file of a batch: every document's body in one .docx, each a section of its own that starts
on a new page with page number 1, so each family's notice is numbered "— 1 —" as if printed alone."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from functools import lru_cache

from lxml import etree

from docgen.ooxml.zipwrite import PRINT_LEVEL, deflate, read_member, zip_bytes

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCUMENT = "word/document.xml"


def _q(tag: str) -> str:
    return f"{{{W}}}{tag}"


def merge_documents(documents: Sequence[bytes], marked: bool = False) -> bytes:
    """One package holding the bodies of ``documents`` in order (styles and parts of the first).

    Documents of one template (the same root element) are joined as text, each one's sections edited on
    their own; others through one lxml tree (moving elements between trees costs ~1 ms per document).
    ``marked``: each document starts with a bookmark named :func:`mark_name` of its index, so that a PDF of the
    whole (exported with bookmarks as destinations) can be cut back into the documents' own PDFs."""
    first = zipfile.ZipFile(io.BytesIO(documents[0]))
    texts = [first.read(DOCUMENT)] + [_document(d) for d in documents[1:]]
    joined = _join_texts(texts, marked)
    if joined is None:
        return _merge_trees(first, documents, marked)
    return _package(first, _unique_drawings(joined))


_DRAWING_ID = re.compile(rb'(<wp:docPr\b[^>]*?\bid=")[0-9]+(")')


def _unique_drawings(document: bytes) -> bytes:
    """Each document of a template numbers its drawings (the 版记's text box) alike: in the print file they are
    numbered again, one id each, as Word requires."""
    if b"<wp:docPr" not in document:
        return document
    ids = iter(range(1, document.count(b"<wp:docPr") + 1))
    return _DRAWING_ID.sub(lambda m: m.group(1) + str(next(ids)).encode() + m.group(2), document)


def _document(package: bytes) -> bytes:
    """The document part of a .docx: walked to directly in the files docgen writes, else through zipfile."""
    found = read_member(package, DOCUMENT)
    return found if found is not None else zipfile.ZipFile(io.BytesIO(package)).read(DOCUMENT)


_MARK_ID = 1_900_000_000  # far above the bookmark ids a template uses


def mark_name(k: int) -> str:
    return f"docgenDoc{k:05d}"


_PARAGRAPH = re.compile(rb"<w:p\b[^>]*(?<!/)>(?:<w:pPr\b(?:[^>]*/>|.*?</w:pPr>))?", re.DOTALL)


def _mark_text(body: bytes, k: int) -> bytes:
    """``body`` with document ``k``'s bookmark in its first paragraph (a bookmark between paragraphs is put on the
    page before, where the previous document ends)."""
    mark = (f'<w:bookmarkStart w:id="{_MARK_ID + k}" w:name="{mark_name(k)}"/>'
            f'<w:bookmarkEnd w:id="{_MARK_ID + k}"/>').encode()
    first = _PARAGRAPH.search(body)
    if first is None:
        return mark + body
    return body[:first.end()] + mark + body[first.end():]


_BODY_OPEN = re.compile(rb"<w:body\b[^>]*>")
_SECTION = re.compile(rb"<w:sectPr\b(?:[^>]*/>|.*?</w:sectPr>)", re.DOTALL)


def _join_texts(texts: Sequence[bytes], marked: bool = False) -> bytes | None:
    """The bodies of ``texts`` joined as text (UTF-8 bytes, never decoded: copying them is most of the cost), or
    None when they are not all of one template's shape (the same text up to and including ``<w:body …>``)."""
    heads, bodies = [], []
    for text in texts:
        opening = _BODY_OPEN.search(text)
        end = text.rfind(b"</w:body>")
        if opening is None or end < 0:
            return None
        heads.append(text[:opening.end()])
        bodies.append(text[opening.end():end])
    if any(h != heads[0] for h in heads):
        return None
    try:
        body_element = etree.fromstring(heads[0] + b"</w:body></w:document>")[0]
    except etree.XMLSyntaxError:
        return None
    declarations = " ".join(f'xmlns:{p}="{u}"' if p else f'xmlns="{u}"' for p, u in body_element.nsmap.items())
    out = [heads[0]]
    for k, body in enumerate(bodies):
        sections = list(_SECTION.finditer(body))
        if not sections or b"sectPrChange" in body or body[sections[-1].end():].strip():
            return None  # no section of its own, a tracked change of one, or not at the end: let lxml do it
        restarted = _restarted(sections[0].group(0), declarations)
        if restarted is None:
            return None
        if len(sections) == 1:  # a notice's usual shape: its one section both starts and closes it
            content, closing = body[:sections[0].start()], restarted
        else:
            content = body[:sections[0].start()] + restarted + body[sections[0].end():sections[-1].start()]
            closing = sections[-1].group(0)
        out.append(_mark_text(content, k) if marked else content)
        out.append(b"<w:p><w:pPr>" + closing + b"</w:pPr></w:p>" if k < len(bodies) - 1 else closing)
    out.append(texts[0][texts[0].rfind(b"</w:body>"):])
    return b"".join(out)


@lru_cache(maxsize=64)  # the documents of one template mostly share their first section's properties
def _restarted(section: bytes, declarations: str) -> bytes | None:
    """A section's properties made to start on a new page with page number 1 (see :func:`_restart_numbers`);
    None when the section uses a prefix the document's root does not declare."""
    try:
        wrapper = etree.fromstring(f"<w:wrap {declarations}>".encode() + section + b"</w:wrap>")
    except etree.XMLSyntaxError:
        return None
    _restart_numbers(wrapper)
    # The document declares every prefix the section uses: the declarations lxml repeats on it are left out.
    return re.sub(r' xmlns:\w+="[^"]*"', "", etree.tostring(wrapper[0], encoding="unicode")).encode()


def _package(first: zipfile.ZipFile, document: bytes) -> bytes:
    """The first document's package with ``document`` as its body; the same bytes for the same documents."""
    return zip_bytes([deflate(info.filename, document if info.filename == DOCUMENT else first.read(info), PRINT_LEVEL)
                      for info in first.infolist()])


def _merge_trees(first: zipfile.ZipFile, documents: Sequence[bytes], marked: bool = False) -> bytes:
    root = etree.fromstring(first.read(DOCUMENT))
    body = root.find(_q("body"))
    _restart_numbers(body)
    if marked:
        _mark_tree(body, 0)
    closing = _closing(body)
    for k, data in enumerate(documents[1:], 1):
        other = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(DOCUMENT)).find(_q("body"))
        _restart_numbers(other)
        if marked:
            _mark_tree(other, k)
        # The section that ended the body so far now ends with a paragraph of its own: the next
        # document starts a new section (a new page, its page numbers from 1).
        carrier = etree.SubElement(body, _q("p"))
        etree.SubElement(carrier, _q("pPr")).append(closing)
        closing = _closing(other)
        body.extend(list(other))
    return _package(first, _unique_drawings(etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                                            standalone=True)))


def _mark_tree(body: etree._Element, k: int) -> None:
    """The tree form of :func:`_mark_text`."""
    start = etree.Element(_q("bookmarkStart"), {_q("id"): str(_MARK_ID + k), _q("name"): mark_name(k)})
    end = etree.Element(_q("bookmarkEnd"), {_q("id"): str(_MARK_ID + k)})
    paragraph = next(body.iter(_q("p")), None)
    parent = paragraph if paragraph is not None else body
    at = 1 if paragraph is not None and len(paragraph) and paragraph[0].tag == _q("pPr") else 0
    parent.insert(at, end)
    parent.insert(at, start)


def _closing(body: etree._Element) -> etree._Element:
    """The body's own section properties: its last child (looked up from the end, as a body is long)."""
    last = body[-1] if len(body) else None
    if last is not None and last.tag == _q("sectPr"):
        return last
    return body.find(_q("sectPr"))


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
