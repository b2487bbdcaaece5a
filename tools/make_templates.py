"""Write the lean GB/T 9704-2012 Word templates in templates_docx/ (run once; the .docx files are then
the source a county edits in Word or WPS).

Each template is a minimal OOXML package (about 6 KB): A4, margins 37 mm top / 28 mm left, a
156 × 225 mm text block of 22 lines × 28 characters, title in 小标宋 2号, body in 仿宋_GB2312 3号,
the East-Asian font and zh-CN language on every run, and page numbers in the footer.

28 characters of 3号 (16 pt) are 448 pt, wider than the 442 pt line: GB/T 9704 sets them a little closer.
The page's document grid says so (28 characters and 22 lines, as Word's 页面设置 shows it), and every
character is set 0.3 pt closer, which is what holds 28 to a line in LibreOffice as well: LibreOffice widens
characters to a character grid but never narrows them, so paragraphs do not snap to it.
Usage: .venv/bin/python tools/make_templates.py
"""

from __future__ import annotations

import math
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

OUT = Path(__file__).resolve().parents[1] / "templates_docx"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
BODY_FONT, TITLE_FONT, HEI, KAI = "仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"
BODY_SZ, TITLE_SZ = 32, 44  # half-points: 3号 = 16 pt, 2号 = 22 pt
LINE = 579  # twentieths of a point: 225 mm / 22 lines ≈ 28.95 pt, exact spacing
TEXT_WIDTH = 8844  # twentieths of a point: 210 mm − 28 mm − 26 mm = 156 mm
CHARS = 28
# Word's grid pitch is the default size plus charSpace/4096 pt; rounded down so that 28 pitches fit the line.
CHAR_SPACE = math.floor((TEXT_WIDTH / 20 / CHARS - BODY_SZ / 2) * 4096)
CONDENSED = -6  # twentieths of a point closer per character: 28 × 15.7 pt = 439.6 pt ≤ 442.2 pt
CELL_LINE = 440  # lines in table cells: 22 pt

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>
<Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/>
<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>
<Override PartName="/word/footer2.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>
<Override PartName="/word/footer3.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>
<Override PartName="/word/footer4.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
</Relationships>"""
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DOC_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{_REL}/styles" Target="styles.xml"/>
<Relationship Id="rId2" Type="{_REL}/settings" Target="settings.xml"/>
<Relationship Id="rId3" Type="{_REL}/footer" Target="footer1.xml"/>
<Relationship Id="rId4" Type="{_REL}/footer" Target="footer2.xml"/>
<Relationship Id="rId5" Type="{_REL}/footer" Target="footer3.xml"/>
<Relationship Id="rId6" Type="{_REL}/footer" Target="footer4.xml"/>
<Relationship Id="rId7" Type="{_REL}/fontTable" Target="fontTable.xml"/>
</Relationships>"""
CORE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{title}</dc:title><dc:creator>docgen</dc:creator><dc:language>zh-CN</dc:language></cp:coreProperties>"""
# Odd and even pages carry different footers (GB/T 9704 7.5: odd page numbers right, even left).
SETTINGS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="{W}"><w:evenAndOddHeaders/><w:defaultTabStop w:val="640"/><w:characterSpacingControl w:val="compressPunctuation"/><w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/></w:settings>"""
# The 公文 faces are not on every machine: each declares what to use instead (Word reads altName,
# LibreOffice the family and charset), so the title never falls back to a thin sans face.
FONT_FALLBACKS = (("仿宋_GB2312", "仿宋", "modern"), ("方正小标宋简体", "华文中宋", "roman"), ("黑体", "SimHei", "modern"),
                  ("楷体_GB2312", "楷体", "script"), ("宋体", "SimSun", "roman"))
FONT_TABLE = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:fonts xmlns:w="{W}">'
              + "".join(f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
                        f'<w:family w:val="{family}"/><w:pitch w:val="fixed"/></w:font>'
                        for name, alt, family in FONT_FALLBACKS)
              + "</w:fonts>")
RED = "FF0000"


def fonts(name: str) -> str:
    return f'<w:rFonts w:ascii="{name}" w:hAnsi="{name}" w:eastAsia="{name}" w:cs="{name}" w:hint="eastAsia"/>'


# A document's own title is the paragraph in the style "Title" (标题): the archive's 卷内目录 reads it from there.
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W}"><w:docDefaults><w:rPrDefault><w:rPr>{fonts(BODY_FONT)}<w:spacing w:val="{CONDENSED}"/><w:sz w:val="{BODY_SZ}"/><w:szCs w:val="{BODY_SZ}"/><w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:snapToGrid w:val="0"/><w:spacing w:line="{LINE}" w:lineRule="exact"/><w:jc w:val="both"/></w:pPr></w:pPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/><w:rPr><w:sz w:val="{BODY_SZ}"/><w:szCs w:val="{BODY_SZ}"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr>{fonts(TITLE_FONT)}<w:sz w:val="{TITLE_SZ}"/><w:szCs w:val="{TITLE_SZ}"/></w:rPr></w:style>
<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:left w:w="108" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>
<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/></w:tblBorders></w:tblPr></w:style>
</w:styles>"""


def _page_number(align: str, indent: str) -> str:
    """"— 1 —" in 4号 宋体, one character (14 pt) in from the edge of the text block."""
    rpr = f'<w:rPr>{fonts("宋体")}<w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr>'
    field = (f'<w:r>{rpr}<w:fldChar w:fldCharType="begin"/></w:r><w:r>{rpr}<w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
             f'<w:r>{rpr}<w:fldChar w:fldCharType="separate"/></w:r><w:r>{rpr}<w:t>1</w:t></w:r><w:r>{rpr}<w:fldChar w:fldCharType="end"/></w:r>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:ftr xmlns:w="{W}"><w:p><w:pPr><w:ind w:{indent}="280"/>'
            f'<w:jc w:val="{align}"/></w:pPr><w:r>{rpr}<w:t xml:space="preserve">— </w:t></w:r>{field}'
            f'<w:r>{rpr}<w:t xml:space="preserve"> —</w:t></w:r></w:p></w:ftr>')


FOOTER_ODD = _page_number("right", "right")
FOOTER_EVEN = _page_number("left", "left")
FOOTER_NONE = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:ftr xmlns:w="{W}"><w:p/></w:ftr>'
# 信函格式 (GB/T 9704 10.1): no page number on the first page, a red double line (thin over thick) above its foot.
FOOTER_LETTER = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:ftr xmlns:w="{W}"><w:p><w:pPr>'
                 f'<w:pBdr><w:top w:val="thinThickSmallGap" w:sz="24" w:space="1" w:color="{RED}"/></w:pBdr></w:pPr></w:p></w:ftr>')
GRID = f'<w:docGrid w:type="linesAndChars" w:linePitch="{LINE}" w:charSpace="{CHAR_SPACE}"/>'


def section(*, first: str = "") -> str:
    """A section of A4 with GB/T 9704 margins, page numbers from 1 (odd right, even left). ``first``:
    the footer of its first page ("none" for a 回证 page, "letter" for 信函格式)."""
    refs = '<w:footerReference w:type="default" r:id="rId3"/><w:footerReference w:type="even" r:id="rId4"/>'
    if first:
        refs += f'<w:footerReference w:type="first" r:id="{"rId6" if first == "letter" else "rId5"}"/>'
    if first == "none":
        refs = ('<w:footerReference w:type="default" r:id="rId5"/><w:footerReference w:type="even" r:id="rId5"/>'
                '<w:footerReference w:type="first" r:id="rId5"/>')
    return (f'<w:sectPr>{refs}<w:pgSz w:w="11906" w:h="16838"/>'
            f'<w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1588" w:header="851" w:footer="992" w:gutter="0"/>'
            f'<w:pgNumType w:start="1"/>{"<w:titlePg/>" if first else ""}{GRID}</w:sectPr>')


def run(text: str, font: str = BODY_FONT, size: int = BODY_SZ, bold: bool = False) -> str:
    rpr = f"<w:rPr>{fonts(font)}{'<w:b/>' if bold else ''}<w:sz w:val=\"{size}\"/><w:szCs w:val=\"{size}\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/></w:rPr>"
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def para(text: str, *, align: str = "both", indent: bool = False, font: str = BODY_FONT, size: int = BODY_SZ,
         bold: bool = False, before: int = 0, after: int = 0, right: int = 0, left: int = 0, color: str = "",
         border: str = "", line: int = LINE, style: str = "", keep: bool = False, frame: str = "",
         tabs: str = "", runs: str = "") -> str:
    """One paragraph. ``style`` "Title" marks the document's own title; ``frame`` a framePr (a paragraph kept
    at a place on the page); ``runs`` replaces the text run (several fonts in one paragraph)."""
    ppr = "<w:pPr>" + (f'<w:pStyle w:val="{style}"/>' if style else "") + ("<w:keepNext/>" if keep else "")
    ppr += frame + border + tabs + f'<w:spacing w:before="{before}" w:after="{after}" w:line="{line}" w:lineRule="exact"/>'
    if indent or right or left:
        first = ' w:firstLineChars="200" w:firstLine="640"' if indent else ""
        ppr += f'<w:ind w:left="{left}" w:right="{right}"{first}/>'
    ppr += f'<w:jc w:val="{align}"/></w:pPr>'
    text_run = runs or run(text, font, size, bold)
    if color:
        text_run = text_run.replace("<w:sz ", f'<w:color w:val="{color}"/><w:sz ', 1)
    return f"<w:p>{ppr}{text_run}</w:p>"


def title(text: str, *, own: bool = True, after: int = 0) -> str:
    """A line in 小标宋 2号; ``own``: the document's own title (style "Title"), not the organ's name over it."""
    return para(text, align="center", font=TITLE_FONT, size=TITLE_SZ, style="Title" if own else "", after=after)


def table(headers: list[str], cells: list[str], loop: str) -> str:
    """A bordered table with a header row and one row per item of ``loop`` ({%tr for … %})."""
    width = TEXT_WIDTH // len(headers)
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for _ in headers)

    def cell(text: str) -> str:
        return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
                f'{para(text, align="center", size=24, line=CELL_LINE)}</w:tc>')

    def row(texts: list[str]) -> str:
        return "<w:tr>" + "".join(cell(t) for t in texts) + "</w:tr>"

    single = lambda text: ("<w:tr>" + f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:gridSpan w:val="{len(headers)}"/></w:tcPr>'  # noqa: E731
                           + para(text, size=24, line=CELL_LINE) + "</w:tc></w:tr>")
    return (f'<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="{TEXT_WIDTH}" w:type="dxa"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>{row(headers)}{single('{%tr for ' + loop + ' %}')}{row(cells)}"
            f"{single('{%tr endfor %}')}</w:tbl>")


APPROVAL = object()  # a form row an approver fills in: opinion, signature, seal and date
GUARDIAN_SIGNS = object()  # a form row the guardian signs and dates
DATE_LINE = "年　　月　　日"
CELL_MARGINS = 216  # the table's cell margins, left and right
SMALL_CHAR = 274  # a 4号 character set 0.3 pt closer, in twentieths of a point


def _flush_right(text: str, width: int) -> str:
    """A line of a value cell ending near the cell's right edge: set left with an indent, because a right-aligned
    line loses the blank characters a signature needs at its end."""
    indent = max(0, width - CELL_MARGINS - len(text) * SMALL_CHAR - SMALL_CHAR)
    return para(text, align="left", left=indent, size=28, line=CELL_LINE)


def _cell_paragraphs(value: object, width: int) -> str:
    """What a form's value cell (``width`` wide) holds: text (a list: one paragraph each), or a row to sign."""
    small = {"size": 28, "line": CELL_LINE}
    if value is APPROVAL:
        return (para("", **small) + para("", **small) + _flush_right("负责人（签名）：　　　　（盖章）", width)
                + _flush_right(DATE_LINE, width))
    if value is GUARDIAN_SIGNS:
        return para("", **small) + _flush_right("监护人（签名）：　　　　", width) + _flush_right(DATE_LINE, width)
    texts = value if isinstance(value, list) else [value]
    return "".join(_flush_right(t, width) if t == DATE_LINE else para(str(t), align="left", **small) for t in texts)


def form(rows: list[tuple[str, object]], label_width: int = 2600) -> str:
    """A two-column form (label | value) of the kind clerks fill in by hand; labels on one line."""
    value_width = TEXT_WIDTH - label_width

    def cell(content: str, width: int) -> str:
        return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>{content}</w:tc>'

    body = "".join(f"<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val=\"560\"/></w:trPr>"
                   f"{cell(para(k, align='left', size=28, line=CELL_LINE), label_width)}"
                   f"{cell(_cell_paragraphs(v, value_width), value_width)}</w:tr>"
                   for k, v in rows)
    return (f'<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="{TEXT_WIDTH}" w:type="dxa"/>'
            f'<w:tblLayout w:type="fixed"/></w:tblPr>'
            f'<w:tblGrid><w:gridCol w:w="{label_width}"/><w:gridCol w:w="{value_width}"/></w:tblGrid>{body}</w:tbl>')


def form_title(text: str) -> str:
    """A form's title, a line clear of the table under it."""
    return title(text, after=240)


CHAR = 320  # one 3号 character, in twentieths of a point
SIGN_WIDTH = 9 * CHAR  # the column the issuer and the date are centred in: a 7-character date sits ~4 characters in


def enforcement_head(name: str) -> str:
    """行政执法文书: the organ's name over the document's name, the 文号 flush right under them."""
    return (title("{{ doc.issuer }}", own=False) + title(name) + para("{{ doc.no }}", align="right") + para(""))


def red_head(kind: str) -> str:
    """GB/T 9704 公文 head. ``kind`` "letter" (信函格式: organ's name in red over a red double line, 文号 flush
    right under it) or "file" (文件格式 of a 上行文: "…文件" in red, 文号 left and 签发人 right, red rule under them)."""
    mark = lambda text: para(text, align="center", font=TITLE_FONT, size=60, color=RED, line=900)  # noqa: E731
    if kind == "letter":
        rule = f'<w:pBdr><w:bottom w:val="thickThinSmallGap" w:sz="24" w:space="4" w:color="{RED}"/></w:pBdr>'
        return (mark("{{ doc.issuer }}") + para("", border=rule, line=300)
                + para("{{ doc.no }}", align="right", right=0) + para(""))
    rule = f'<w:pBdr><w:bottom w:val="single" w:sz="12" w:space="4" w:color="{RED}"/></w:pBdr>'
    # GB/T 9704 7.2.4: 发文字号 one character in from the left, 签发人 (in 楷体) one character in from the right.
    number = para("", border=rule, tabs=f'<w:tabs><w:tab w:val="right" w:pos="{TEXT_WIDTH - CHAR}"/></w:tabs>',
                  left=CHAR, align="left",
                  runs=run("{{ doc.no }}") + "<w:r><w:tab/></w:r>" + run("签发人：") + run("{{ doc.signer }}", KAI))
    return mark("{{ doc.issuer }}文件") + para("") + para("") + number + para("")


SIGN_MARK = "<!--signature-->"


def signature(issuer: str = "{{ doc.issuer }}", date: str = "{{ doc.date }}", *, seal: bool = False) -> str:
    """发文机关署名 centred over the 成文日期, the date four characters in from the right (GB/T 9704
    7.3.5.1): a borderless table set right, its last column four characters wide and empty. ``seal``: a
    行政执法文书's "（印章）" under the organ's name, where the seal goes."""
    cell = lambda text, jc: (f'<w:tc><w:tcPr><w:tcW w:w="{SIGN_WIDTH}" w:type="dxa"/></w:tcPr>'  # noqa: E731
                             f'{para(text, align=jc)}</w:tc>')
    lines = (issuer, "（印章）", date) if seal else (issuer, date)
    rows = "".join(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{cell(t, 'center')}<w:tc><w:tcPr><w:tcW w:w=\"{4 * CHAR}\" "
                   f"w:type=\"dxa\"/></w:tcPr><w:p/></w:tc></w:tr>" for t in lines)
    none = "".join(f'<w:{b} w:val="nil"/>' for b in ("top", "left", "bottom", "right", "insideH", "insideV"))
    return (SIGN_MARK + para("") + para("")
            + f'<w:tbl><w:tblPr><w:tblW w:w="{SIGN_WIDTH + 4 * CHAR}" w:type="dxa"/><w:jc w:val="right"/>'
              f'<w:tblBorders>{none}</w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="0" w:type="dxa"/>'
              f'<w:right w:w="0" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid><w:gridCol w:w="{SIGN_WIDTH}"/>'
              f'<w:gridCol w:w="{4 * CHAR}"/></w:tblGrid>'
              f"{rows}</w:tbl>")


def note(text: str) -> str:
    """附注 (GB/T 9704 7.3.6): in parentheses, two characters in, on the line under the 成文日期."""
    return para(f"（{text}）", indent=True, align="left")


# The 版记 stands at the foot of the last page (GB/T 9704 7.4). LibreOffice 7.4 places neither a framed paragraph
# (framePr) nor a floating table, but it does place a text box anchored to the document's last paragraph at the
# bottom of the text block of that paragraph's page; where the text fills that page, the paragraph and its box
# go on to the next. The rules above, between and under the lines are paragraph borders inside the box.
EMU = 635  # per twentieth of a point
THICK, THIN = 'w:val="single" w:sz="8" w:space="1" w:color="000000"', 'w:val="single" w:sz="4" w:space="1" w:color="000000"'
DRAWING_NS = ('xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
              'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
              'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"')


def _foot_box(content: str, height: int) -> str:
    """A run holding a borderless text box of the text block's width, at the foot of the text block."""
    cx, cy = TEXT_WIDTH * EMU, height * EMU
    return ('<w:r><w:drawing><wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="1" '
            'behindDoc="0" locked="1" layoutInCell="1" allowOverlap="0"><wp:simplePos x="0" y="0"/>'
            '<wp:positionH relativeFrom="margin"><wp:align>center</wp:align></wp:positionH>'
            '<wp:positionV relativeFrom="margin"><wp:align>bottom</wp:align></wp:positionV>'
            f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapTopAndBottom/>'
            '<wp:docPr id="1001" name="版记"/><wp:cNvGraphicFramePr/><a:graphic><a:graphicData '
            'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp><wps:cNvSpPr txBox="1"/>'
            f'<wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect">'
            '<a:avLst/></a:prstGeom><a:noFill/><a:ln><a:noFill/></a:ln></wps:spPr>'
            f'<wps:txbx><w:txbxContent>{content}</w:txbxContent></wps:txbx><wps:bodyPr rot="0" vert="horz" wrap="square" '
            'lIns="0" tIns="0" rIns="0" bIns="0" anchor="b" anchorCtr="0"><a:noAutofit/></wps:bodyPr></wps:wsp>'
            '</a:graphicData></a:graphic></wp:anchor></w:drawing></w:r>')


def imprint(cc: str = "", printed_by: str = "") -> str:
    """版记: 抄送 and 印发机关和印发日期 in 4号 仿宋, the first and last rule thick, the one between thin; a 函 (信函格式)
    has only the 抄送, without rules (GB/T 9704 10.1). The last paragraph of the document."""
    lines = []
    if cc:
        lines.append(run(f"抄送：{cc}。", size=28))
    if printed_by:
        lines.append(run(printed_by, size=28) + "<w:r><w:tab/></w:r>" + run("{{ doc.date }}印发", size=28))
    tab = f'<w:tabs><w:tab w:val="right" w:pos="{TEXT_WIDTH - CHAR}"/></w:tabs>'
    content = ""
    for i, runs in enumerate(lines):
        top = THICK if i == 0 else ""
        bottom = THICK if i == len(lines) - 1 and printed_by else THIN
        border = "<w:pBdr>" + (f"<w:top {top}/>" if top else "") + f"<w:bottom {bottom}/></w:pBdr>" if printed_by else ""
        content += para("", border=border, tabs=tab, left=CHAR, right=CHAR, align="left", line=CELL_LINE, runs=runs)
    return f"<w:p><w:pPr><w:spacing w:line=\"240\" w:lineRule=\"exact\"/></w:pPr>{_foot_box(content, len(lines) * CELL_LINE + 120)}</w:p>"


def receipt(document: str, addressee: str = "{{ case.guardians[0].name }}",
            place: str = "{{ case.hukou_place.township }}{{ case.hukou_place.village }}{{ case.hukou_place.group }}") -> str:
    """送达回证 on a page of its own, without a page number, for the office's file. The 文号 and the ways of
    service each have a line of their own, so that no number is broken across lines."""
    rows: list[tuple[str, object]] = [
        ("送达文书", [f"《{document}》", "{{ doc.no }}"]), ("受送达人", addressee), ("送达地点", place),
        ("送达方式", ["□直接送达　　□留置送达", "□委托送达　　□邮寄送达"]),
        ("受送达人签名（盖章）", ["", DATE_LINE]), ("代收人及代收理由", ""), ("见证人签名", ""),
        ("送达人签名", ["", DATE_LINE]), ("备注", "")]
    return (f'<w:p><w:pPr>{section()}</w:pPr></w:p>'
            + title("送达回证", own=False, after=240) + para("{{ doc.issuer }}", align="center", after=120)
            + form(rows, 3100)
            + para("注：受送达人拒绝签收的，送达人应在备注栏写明情况，由见证人签名，把文书留在受送达人住所。", size=24,
                   line=CELL_LINE, before=120))


GUARDIAN = "{{ case.guardians[0].name }}"
STUDENT = "{{ case.student.name }}"
P = para
LAW = "《中华人民共和国义务教育法》"


def keep_signature_with_text(body: str) -> str:
    """GB/T 9704 7.3.5: the signature never stands alone on a page. The last paragraph of the text, the
    blank lines and the issuer's row keep with what follows, so a page break moves them together."""
    if SIGN_MARK not in body:
        return body
    before, after = body.split(SIGN_MARK, 1)
    last = before.rfind("<w:p><w:pPr>")
    if last >= 0:
        before = before[:last] + "<w:p><w:pPr><w:keepNext/>" + before[last + len("<w:p><w:pPr>"):]
    table = after.index("<w:tbl>")
    blanks = after[:table].replace("<w:p><w:pPr>", "<w:p><w:pPr><w:keepNext/>")
    first_row = after.index("</w:tr>", table)
    head = after[table:first_row].replace("<w:p><w:pPr>", "<w:p><w:pPr><w:keepNext/>")
    return before + blanks + head + after[first_row:]


def write(name: str, body: str, *, first: str = "") -> None:
    body = keep_signature_with_text(body)
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{W}" xmlns:r="{R}" '
                f'{DRAWING_NS}>'
                f"<w:body>{body}{section(first=first)}</w:body></w:document>")
    with zipfile.ZipFile(OUT / f"{name}.docx", "w", zipfile.ZIP_DEFLATED) as docx:
        for part, text in (("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", ROOT_RELS),
                           ("word/document.xml", document), ("word/_rels/document.xml.rels", DOC_RELS),
                           ("word/styles.xml", STYLES), ("word/settings.xml", SETTINGS),
                           ("word/fontTable.xml", FONT_TABLE), ("word/footer1.xml", FOOTER_ODD),
                           ("word/footer2.xml", FOOTER_EVEN), ("word/footer3.xml", FOOTER_NONE),
                           ("word/footer4.xml", FOOTER_LETTER), ("docProps/core.xml", CORE.format(title=name))):
            # A fixed time: running the script again changes only the templates whose content changed.
            docx.writestr(zipfile.ZipInfo(part, date_time=(1980, 1, 1, 0, 0, 0)), text, zipfile.ZIP_DEFLATED)


def when(condition: str, text: str, otherwise: str = "") -> str:
    """Text shown only when ``condition`` holds: an optional value never leaves empty brackets behind."""
    return f"{{% if {condition} %}}{text}{{% else %}}{otherwise}{{% endif %}}" if otherwise else \
        f"{{% if {condition} %}}{text}{{% endif %}}"


GUARDIAN_LINE = GUARDIAN + when("case.guardians[0].relation", "（{{ case.guardians[0].relation }}）") + when(
    "case.guardians[0].phone", "，电话{{ case.guardians[0].phone }}")
PERIOD = when("record.period_from and record.period_to", "{{ record.period_from }}至{{ record.period_to }}")
HOSPITAL = when("case.diagnosis.hospital", "{{ case.diagnosis.hospital }}"
                + when("case.diagnosis.hospital_level", "（{{ case.diagnosis.hospital_level }}）"))
DISABILITY = when("case.disability_certificate.kind", "{{ case.disability_certificate.kind }}"
                  + when("case.disability_certificate.grade", "{{ case.disability_certificate.grade }}级"))

# The 函's subject follows whom it is sent to: the labour bureau is asked to investigate illegal employment of a
# minor, the police to help hold the guardian to the duty, the inflow place to help bring the child to school.
LETTER_KIND = "record.recipient_kind"
LETTER_TITLES = (
    ("人力资源和社会保障局", "关于商请查处非法招用未成年人{{ case.student.name }}的函"),
    ("公安局", "关于商请协助督促{{ case.student.name }}监护人送其入学的函"),
)
LETTER_DEFAULT_TITLE = "关于商请协助劝返{{ case.student.name }}入学的函"
LETTER_ASKS = (
    ("人力资源和社会保障局",
     "据了解，该生可能已离家务工。依据《中华人民共和国劳动法》第十五条和《禁止使用童工规定》，禁止用人单位招用"
     "未满16周岁的未成年人。现商请贵局依法调查该生是否被非法招用，如属实，请依法查处并责令用人单位将其送回原居住地，"
     "督促其返校接受义务教育，并将调查处理情况函复我{{ doc.issuer_short }}。"),
    ("公安局",
     "该生监护人经多次劝返和责令限期改正，仍未送其返校。依据" + LAW + "第五条、第五十八条，现商请贵局协助核实该生"
     "及其监护人的下落和居住情况，配合做好劝返、送达和法治宣传教育工作，督促监护人依法履行送子女接受义务教育的责任，"
     "并将协助情况函复我{{ doc.issuer_short }}。"),
)
LETTER_DEFAULT_ASK = ("该生已随父母到外地居住。按照“流入地为主、公办学校为主”的原则，现商请贵方协助核实该生及其家庭在当地的"
                      "居住和就读情况，督促其监护人送其入学接受义务教育，并将处理情况函复我{{ doc.issuer_short }}。")


def by_recipient(choices: tuple[tuple[str, str], ...], default: str) -> str:
    """One text chosen by the kind of recipient (its Chinese label), the default for an inflow place and any other."""
    out = ""
    for i, (label, text) in enumerate(choices):
        out += f"{{% {'if' if i == 0 else 'elif'} {LETTER_KIND} == \"{label}\" %}}{text}"
    return out + f"{{% else %}}{default}{{% endif %}}"


def main() -> None:
    write("限期复学通知书", enforcement_head("限期复学通知书") + P(f"{GUARDIAN}：")
          + P(f"你的子女{STUDENT}（性别{{{{ case.student.gender }}}}，身份证号{{{{ case.student.id_number }}}}），系"
              "{{ case.student.school }}{{ case.student.grade_name }}学生，自{{ case.situation.dropout_date }}起未到校就读。",
              indent=True, align="left")
          + P(f"依据{LAW}第五条，适龄儿童、少年的父母或者其他法定监护人应当依法保证其按时入学接受并完成义务教育。经批评教育，"
              f"你仍未送子女返校。根据{LAW}第五十八条，现责令你于{{{{ doc.deadline }}}}前送{STUDENT}到"
              "{{ case.student.school }}复学。", indent=True)
          + P("逾期不改正的，将依法给予行政处罚；仍不履行的，将依法申请人民法院强制执行或追究法律责任。", indent=True)
          + signature(seal=True) + receipt("限期复学通知书"), first="none")
    write("劝返复学通知书", enforcement_head("劝返复学通知书") + P(f"{GUARDIAN}：")
          + P(f"你的子女{STUDENT}是{{{{ case.student.school }}}}{{{{ case.student.grade_name }}}}学生，自"
              "{{ case.situation.dropout_date }}起未到校。接受义务教育是适龄儿童少年的权利，也是家长的法定义务。"
              "学校将为其返校提供帮助，请你配合学校做好劝返工作，尽快送孩子返校复学。", indent=True)
          + P("班主任：{{ case.student.head_teacher.name }}"
              + when("case.student.head_teacher.phone", "，联系电话：{{ case.student.head_teacher.phone }}") + "。",
              indent=True)
          + signature(seal=True))
    write("入学通知书", enforcement_head("入学通知书") + P("{{ child.guardian_salutation }}：")
          + P("你的子女{{ child.name }}（身份证号{{ child.id_number }}）{{ child.entry_reason }}，"
              "请于{{ doc.deadline }}前持户口簿到{{ child.school }}办理{{ child.entry_grade }}入学手续。",
              indent=True, align="left")
          + P(f"依据{LAW}第五条、第十一条，凡年满六周岁的儿童，其父母或者其他法定监护人应当送其入学接受并完成义务教育；"
              "因身体状况需要延缓入学的，应当提出申请，由当地乡镇人民政府或者县级人民政府教育行政部门批准。", indent=True)
          + P("无正当理由不送适龄子女入学接受义务教育的，依据该法第五十八条，由当地乡镇人民政府或者县级人民政府教育行政部门"
              "给予批评教育，责令限期改正；逾期不改正的，依法给予行政处罚，直至申请人民法院强制执行或追究法律责任。", indent=True)
          + signature(seal=True))
    penalty = "case.penalty"
    # 行政处罚法 Art. 63–64: a hearing is the party's right before a fine of 较大数额 (the province's sum; see
    # ``penalty.hearing`` in the render context), to be asked for within 5 days. A warning offers none.
    hearing = when(f"{penalty}.hearing", "依据该法第六十三条、第六十四条，本机关拟作出较大数额罚款的行政处罚，你有权要求"
                   "听证；要求听证的，请于收到本告知书之日起5日内向本机关提出。")
    write("行政处罚事先告知书", enforcement_head("行政处罚事先告知书")
          + P(f"{{{{ {penalty}.party.name }}}}：")
          + P(f"经查，{{{{ {penalty}.facts }}}}。以上事实有下列证据证明：{{{{ {penalty}.proof_list }}}}。", indent=True)
          + P(f"你的上述行为违反了{{{{ {penalty}.violated }}}}的规定。依据{{{{ {penalty}.basis }}}}，本机关拟对你作出如下"
              f"行政处罚：{{{{ {penalty}.penalty_content }}}}。", indent=True)
          + P("根据《中华人民共和国行政处罚法》第四十四条、第四十五条，你有权进行陈述和申辩。如有陈述、申辩意见，请于收到本告知书"
              f"之日起{{{{ {penalty}.statement_days }}}}日内向本机关提出；逾期未提出的，视为放弃陈述和申辩的权利。{hearing}",
              indent=True)
          + signature(seal=True)
          + receipt("行政处罚事先告知书", f"{{{{ {penalty}.party.name }}}}", f"{{{{ {penalty}.party.address }}}}"),
          first="none")
    write("行政处罚决定书", enforcement_head("行政处罚决定书")
          + P(f"当事人：{{{{ {penalty}.party.name }}}}，{STUDENT}的{{{{ case.guardians[0].relation }}}}，"
              f"身份证号：{{{{ {penalty}.party.id_number }}}}，住址：{{{{ {penalty}.party.address }}}}。", align="left")
          + P(f"经查，{{{{ {penalty}.facts }}}}。", indent=True)
          + P(f"上述事实有以下证据证明：{{{{ {penalty}.proof_list }}}}。", indent=True)
          + P(f"本机关于{{{{ {penalty}.notice_date }}}}向当事人送达《行政处罚事先告知书》（{{{{ {penalty}.notice_no }}}}），告知拟作出"
              f"行政处罚的内容及事实、理由、依据，以及当事人依法享有的陈述、申辩权利。{{{{ {penalty}.statement }}}}。", indent=True)
          + P(f"本机关认为，当事人的上述行为违反了{{{{ {penalty}.violated }}}}的规定。依据{{{{ {penalty}.basis }}}}，决定对当事人"
              f"给予如下行政处罚：{{{{ {penalty}.penalty_content }}}}。", indent=True)
          + P(f"履行方式和期限：{{% if {penalty}.performance %}}{{{{ {penalty}.performance }}}}{{% else %}}本决定自送达之日起执行"
              f"{{% endif %}}。同时责令当事人于{{{{ doc.deadline }}}}前送{STUDENT}到{{{{ case.student.school }}}}复学。", indent=True)
          + P(f"当事人如不服本决定，可以在收到本决定书之日起六十日内向{{{{ {penalty}.review_body }}}}申请行政复议，也可以在六个月内"
              f"依法向{{{{ {penalty}.court }}}}提起行政诉讼。申请行政复议或者提起行政诉讼期间，本决定不停止执行。", indent=True)
          + P(f"{{% if {penalty}.penalty_type == \"罚款\" %}}当事人到期不缴纳罚款的，本机关可以每日按罚款数额的百分之三加处罚款；"
              "{% endif %}当事人在法定期限内不申请行政复议或者提起行政诉讼，又不履行本决定的，本机关将依法申请人民法院强制执行。",
              indent=True)
          + signature(seal=True)
          + receipt("行政处罚决定书", f"{{{{ {penalty}.party.name }}}}", f"{{{{ {penalty}.party.address }}}}"),
          first="none")
    write("强制执行申请书", title("强制执行申请书") + P("{{ doc.no }}", align="right") + P("")
          + P(f"申请人：{{{{ {penalty}.organ }}}}", align="left")
          + P(f"被申请人：{{{{ {penalty}.party.name }}}}，身份证号：{{{{ {penalty}.party.id_number }}}}，"
              f"住址：{{{{ {penalty}.party.address }}}}。", align="left")
          + P(f"申请事项：请求依法强制执行本机关作出的《行政处罚决定书》（{{{{ {penalty}.decision_no }}}}）。", indent=True)
          + P("事实和理由：", indent=True)
          + P(f"被申请人无正当理由不送其子女{STUDENT}接受义务教育。本机关于{{{{ {penalty}.decision_date }}}}对被申请人作出《行政处罚决定书》（{{{{ {penalty}.decision_no }}}}），"
              f"决定给予{{{{ {penalty}.penalty_content }}}}，该决定书已于{{{{ {penalty}.decision_served }}}}依法送达。"
              "被申请人在法定期限内未申请行政复议，也未提起行政诉讼，经本机关书面催告后仍未履行。", indent=True)
          + P("依据《中华人民共和国行政强制法》第五十三条、第五十四条和《中华人民共和国行政诉讼法》第九十七条，特申请贵院依法强制执行。",
              indent=True)
          + P("此致", indent=True) + P(f"{{{{ {penalty}.court }}}}", align="left")
          + P("附：1.《行政处罚决定书》及送达回证；2. 催告书及送达回证；3. 作出决定的事实、理由和依据材料；4. 当事人的陈述、申辩意见。",
              indent=True, size=28)
          + signature(seal=True) + P("申请机关负责人（签名）：　　　　", align="left", left=TEXT_WIDTH - 18 * CHAR))
    write("劝返记录表", form_title("劝返工作记录表") + form([
        ("学生姓名", STUDENT), ("就读学校", "{{ case.student.school }}{{ case.student.grade_name }}"),
        ("监护人", GUARDIAN_LINE), ("劝返时间", "{{ record.date }}"),
        ("劝返方式", "{{ record.method }}"), ("劝返地点", "{{ record.place }}"),
        ("劝返人员", "{{ record.participant_names }}"), ("劝返内容", "{{ record.content }}"),
        ("劝返结果", "{{ record.outcome }}"), ("监护人意见", GUARDIAN_SIGNS),
        ("劝返人员签名", ["", DATE_LINE])]))
    write("休学申请表", form_title("义务教育阶段学生休学申请表") + form([
        ("学生姓名", STUDENT), ("身份证号", "{{ case.student.id_number }}"),
        ("就读学校", "{{ case.student.school }}{{ case.student.grade_name }}"), ("监护人", GUARDIAN_LINE),
        ("申请时间", "{{ record.applied_on }}"), ("休学期限", PERIOD),
        ("休学原因", "{{ case.situation.reason }}"), ("诊断医院", HOSPITAL),
        ("诊断建议", "{{ case.diagnosis.recommendation }}"), ("监护人申请", GUARDIAN_SIGNS),
        ("学校意见", APPROVAL), ("教育行政部门意见", APPROVAL)]))
    write("复学申请表", form_title("义务教育阶段学生复学申请表") + form([
        ("学生姓名", STUDENT), ("身份证号", "{{ case.student.id_number }}"),
        ("原就读学校", "{{ case.student.school }}{{ case.student.grade_name }}"), ("监护人", GUARDIAN_LINE),
        ("申请时间", "{{ record.applied_on }}"),
        ("复学证明", when("record.fitness_hospital", "{{ record.fitness_hospital }}出具的可以正常随班就读的证明",
                          "原诊断医院出具的可以正常随班就读的证明")),
        ("监护人申请", GUARDIAN_SIGNS), ("学校意见", APPROVAL), ("教育行政部门意见", APPROVAL)]))
    write("缓免学申请表", form_title("义务教育阶段学生缓免学申请表") + form([
        ("学生姓名", STUDENT), ("身份证号", "{{ case.student.id_number }}"), ("监护人", GUARDIAN_LINE),
        ("申请种类", "{{ record.kind }}"), ("申请时间", "{{ record.applied_on }}"),
        ("残疾类别和等级", DISABILITY), ("残疾证号", "{{ case.disability_certificate.number }}"),
        ("监护人申请", GUARDIAN_SIGNS), ("学校和村（社区）认定意见", APPROVAL), ("乡镇（街道）批准意见", APPROVAL),
        ("县级教育行政部门复审意见", APPROVAL)], 3700))
    write("送教上门家长同意书", title("送教上门家长同意书") + P("")
          + P(f"本人{GUARDIAN}，是{STUDENT}的{{{{ case.guardians[0].relation }}}}。{STUDENT}持有"
              "{{ case.disability_certificate.kind }}{{ case.disability_certificate.grade }}级残疾证，经评估暂不能到校就读。"
              "{{ case.home_teaching.school }}将自{{ case.home_teaching.start_date }}起每周送教上门1次，每次不少于2学时，"
              "送教教师至少2人同行。", indent=True)
          + P("本人同意上述送教上门安排，保证孩子按时接受送教，并配合学校做好家庭训练。", indent=True)
          + P("") + P("监护人（签名）：　　　　　　", align="left", left=TEXT_WIDTH - 16 * CHAR)
          + P(DATE_LINE, align="left", left=TEXT_WIDTH - 10 * CHAR))
    write("送教上门工作记录", form_title("送教上门工作记录") + form([
        ("学生姓名", STUDENT), ("送教学校", "{{ case.home_teaching.school }}"), ("送教时间", "{{ record.date }}"),
        ("学时", "{{ record.class_hours }}"), ("送教教师", "{{ record.teacher_names }}"),
        ("学科", "{{ record.subject }}"), ("送教内容", "{{ record.content }}"),
        ("送教教师签名", ["", DATE_LINE]), ("家长签名", ["", DATE_LINE])]))
    write("远程送教请示", red_head("file") + title("关于对{{ case.student.name }}采取远程送教的请示") + P("")
          + P("{{ doc.addressee }}：", align="left")
          + P(f"我校{{{{ case.student.grade_name }}}}学生{STUDENT}，因{{{{ case.situation.reason }}}}，自"
              "{{ case.situation.dropout_date }}起辍学。经多次劝返，学生和家长同意参加老师远程送教，完成初中学业。"
              "经研判，拟安排专门教师每周远程送教2次。", indent=True)
          + P("妥否，请批示。", indent=True)
          + signature() + note("联系人：{{ doc.contact }}，电话：{{ doc.phone }}")
          + imprint("{{ case.hukou_place.township }}人民政府", "{{ doc.issuer }}办公室"))
    write("函", red_head("letter") + title(by_recipient(LETTER_TITLES, LETTER_DEFAULT_TITLE)) + P("")
          + P("{{ record.recipient }}：", align="left")
          + P(f"我{{{{ doc.issuer_short }}}}{{{{ case.hukou_place.village }}}}户籍适龄学生{STUDENT}（身份证号"
              "{{ case.student.id_number }}），自{{ case.situation.dropout_date }}起辍学，经多次劝返仍未返校。", indent=True,
              align="left")
          + P(by_recipient(LETTER_ASKS, LETTER_DEFAULT_ASK), indent=True)
          + P("联系人：{{ doc.contact }}，联系电话：{{ doc.phone }}。", indent=True)
          + signature() + imprint("{{ doc.addressee }}"), first="letter")
    write("劝返记录汇总表", form_title("劝返记录汇总表") + P(f"学生：{STUDENT}    学校：{{{{ case.student.school }}}}")
          + table(["序号", "日期", "方式", "结果"],
                  ["{{ loop.index }}", "{{ p.date }}", "{{ p.method }}", "{{ p.outcome }}"], "p in case.persuasions"))


if __name__ == "__main__":
    main()
