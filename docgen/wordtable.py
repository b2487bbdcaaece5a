"""Word tables a clerk prints and files (the A3B3 tables, the monthly report): A4 with margins, 仿宋_GB2312 declared
for East-Asian text with the zh-CN language (LibreOffice picks simplified glyph forms by it; fonts.conf maps the
face to FandolFang), columns as wide as what they hold, the header row repeated on every page (the title too, in
the page header of every page after the first), rows never split across pages, 合计 rows in bold, and
第 X 页 共 Y 页 in the footer."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from docgen.text import display_width

FONT = "仿宋_GB2312"
HEADER_UNITS = 8  # a header wider than its column's values wraps, four characters a line
CELL_PADDING_MM = 4.2  # Word's default cell margins (1.9 mm left and right) and a little air
PT_MM = 25.4 / 72


def style_run(run: Any, size: float = 10.5, bold: bool = False) -> None:
    """仿宋_GB2312 on a python-docx run, East-Asian font and language included (Word otherwise falls back to a
    Japanese font)."""
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def new_document(title: str, landscape: bool = False) -> Any:
    """An empty A4 document with margins, 仿宋_GB2312 as its default font, ``title`` in the page header of every
    page after the first and 第 X 页 共 Y 页 in the footer of every page."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    section = doc.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.left_margin = section.right_margin = Mm(15)
        section.top_margin, section.bottom_margin = Mm(20), Mm(18)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(20)
        section.top_margin, section.bottom_margin = Mm(25), Mm(20)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    section.different_first_page_header_footer = True
    heading = section.header.paragraphs[0]
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    style_run(heading.add_run(title), 9)
    for footer in (section.footer, section.first_page_footer):
        _page_numbers(footer.paragraphs[0])
    return doc


def _page_numbers(paragraph: Any) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in ("第 ", "PAGE", " 页 共 ", "NUMPAGES", " 页"):
        if text.isupper():
            _field(paragraph, text)
        else:
            style_run(paragraph.add_run(text), 9)


def _field(paragraph: Any, instruction: str) -> None:
    """A PAGE or NUMPAGES field, as Word writes one (begin, instruction, separate, a placeholder, end)."""
    for kind in ("begin", "instr", "separate", "text", "end"):
        run = paragraph.add_run()
        style_run(run, 9)
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {instruction} "
            run._element.append(instr)
        elif kind == "text":
            run.text = "1"
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._element.append(char)


def add_paragraph(doc: Any, text: str, size: float = 10.5, *, bold: bool = False, center: bool = False,
                  after: float = 4) -> Any:
    paragraph = doc.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(after)
    style_run(paragraph.add_run(text), size, bold)
    return paragraph


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def text_units(text: str) -> float:
    """Half-em units ``text`` takes as set: a CJK character two, a Latin letter or digit a little over one, and a
    quarter em where CJK meets Latin (LibreOffice spaces 2022年9月 as 2022 年 9 月)."""
    units, previous = 0.0, None
    for ch in text:
        wide = display_width(ch) == 2
        units += 2 if wide else 1.1
        if previous is not None and wide != previous and not ch.isspace():
            units += 0.5
        previous = None if ch.isspace() else wide
    return units


def column_widths(header: Sequence[str], rows: Sequence[Sequence[Any]], size: float,
                  available_mm: float) -> list[float]:
    """Millimetres per column: each as wide as its widest value (a long header wraps); when the table is wider than
    the page, the widest columns are narrowed to a common width (their text wraps) and the narrow ones — names,
    dates, numbers — keep theirs; a table narrower than the page is widened in proportion to fill it."""
    unit_mm = size / 2 * PT_MM
    widths = []
    for i, head in enumerate(header):
        data = max((text_units(_text(r[i])) for r in rows if i < len(r)), default=0)
        head_units = text_units(head)
        if head_units > max(data, HEADER_UNITS):
            head_units = max(HEADER_UNITS, math.ceil(head_units / 5))
        widths.append(max(data, head_units, 2) * unit_mm + CELL_PADDING_MM)
    total = sum(widths)
    if total <= available_mm:
        return [w * available_mm / total for w in widths]
    # The cap c with sum(min(w, c)) == available: walk the columns from the narrowest up.
    ordered = sorted(widths)
    room, left = available_mm, len(ordered)
    cap = ordered[-1]
    for w in ordered:
        if w * left > room:
            cap = room / left
            break
        room -= w
        left -= 1
    return [min(w, cap) for w in widths]


def add_table(doc: Any, header: Sequence[str], rows: Sequence[Sequence[Any]], *, size: float = 9,
              totals: Sequence[int] = ()) -> Any:
    """A bordered table filling the text width: ``header`` repeated on every page, rows kept whole, the rows at the
    indexes ``totals`` in bold, numbers centred."""
    section = doc.sections[-1]
    available = (section.page_width - section.left_margin - section.right_margin) / Mm(1)
    widths = column_widths(header, rows, size, available)
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)
    _fill(table.rows[0], header, widths, size, bold=True, center=True)
    trpr = table.rows[0]._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:tblHeader"))
    bold = set(totals)
    for i, values in enumerate(rows):
        row = table.add_row()
        _fill(row, values, widths, size, bold=i in bold, center=False)
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    return table


def _fill(row: Any, values: Sequence[Any], widths: Sequence[float], size: float, *, bold: bool, center: bool) -> None:
    for cell, value, width in zip(row.cells, values, widths, strict=True):
        cell.width = Mm(width)
        paragraph = cell.paragraphs[0]
        if center or isinstance(value, int):
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        style_run(paragraph.add_run(_text(value)), size, bold)
