"""Write the lean GB/T 9704-2012 Word templates in templates_docx/ (run once; the .docx files are then
the source a county edits in Word or WPS).

Each template is a minimal OOXML package (about 5 KB): A4, margins 37 mm top / 28 mm left, a
156 × 225 mm text block of 22 lines (a line grid; 3号 characters fill a 156 mm line 27–28 to a line), title in 小标宋 2号, body in 仿宋_GB2312 3号,
the East-Asian font and zh-CN language on every run, and page numbers in the footer.
Usage: .venv/bin/python tools/make_templates.py
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

OUT = Path(__file__).resolve().parents[1] / "templates_docx"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
BODY_FONT, TITLE_FONT, HEI = "仿宋_GB2312", "方正小标宋简体", "黑体"
BODY_SZ, TITLE_SZ = 32, 44  # half-points: 3号 = 16 pt, 2号 = 22 pt
LINE = 579  # twentieths of a point: 225 mm / 22 lines ≈ 28.95 pt, exact spacing

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


STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W}"><w:docDefaults><w:rPrDefault><w:rPr>{fonts(BODY_FONT)}<w:sz w:val="{BODY_SZ}"/><w:szCs w:val="{BODY_SZ}"/><w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:line="{LINE}" w:lineRule="exact"/><w:jc w:val="both"/></w:pPr></w:pPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>
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
GRID = f'<w:docGrid w:type="lines" w:linePitch="{LINE}"/>'


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
         bold: bool = False, before: int = 0, right: int = 0, left: int = 0, color: str = "", border: str = "",
         line: int = LINE) -> str:
    ppr = f'<w:pPr>{border}<w:spacing w:before="{before}" w:line="{line}" w:lineRule="exact"/>'
    if indent or right or left:
        first = ' w:firstLineChars="200" w:firstLine="640"' if indent else ""
        ppr += f'<w:ind w:left="{left}" w:right="{right}"{first}/>'
    ppr += f'<w:jc w:val="{align}"/></w:pPr>'
    text_run = run(text, font, size, bold)
    if color:
        text_run = text_run.replace("<w:sz ", f'<w:color w:val="{color}"/><w:sz ', 1)
    return f"<w:p>{ppr}{text_run}</w:p>"


def title(text: str) -> str:
    return para(text, align="center", font=TITLE_FONT, size=TITLE_SZ)


def table(headers: list[str], cells: list[str], loop: str) -> str:
    """A bordered table with a header row and one row per item of ``loop`` ({%tr for … %})."""
    width = 8844 // len(headers)
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for _ in headers)

    def cell(text: str) -> str:
        return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
                f'{para(text, align="center", size=24)}</w:tc>')

    def row(texts: list[str]) -> str:
        return "<w:tr>" + "".join(cell(t) for t in texts) + "</w:tr>"

    single = lambda text: ("<w:tr>" + f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:gridSpan w:val="{len(headers)}"/></w:tcPr>'  # noqa: E731
                           + para(text, size=24) + "</w:tc></w:tr>")
    return (f'<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="8844" w:type="dxa"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>{row(headers)}{single('{%tr for ' + loop + ' %}')}{row(cells)}"
            f"{single('{%tr endfor %}')}</w:tbl>")


def form(rows: list[tuple[str, str]]) -> str:
    """A two-column form (label | value) of the kind clerks fill in by hand."""
    def cell(text: str, width: int) -> str:
        return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{para(text, size=28)}</w:tc>'

    body = "".join(f"<w:tr><w:trPr><w:trHeight w:val=\"600\"/></w:trPr>{cell(k, 2400)}{cell(v, 6444)}</w:tr>"
                   for k, v in rows)
    return (f'<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="8844" w:type="dxa"/></w:tblPr>'
            f'<w:tblGrid><w:gridCol w:w="2400"/><w:gridCol w:w="6444"/></w:tblGrid>{body}</w:tbl>')



CHAR = 320  # one 3号 character, in twentieths of a point
SIGN_WIDTH = 9 * CHAR  # the column the issuer and the date are centred in: a 7-character date sits ~4 characters in


def enforcement_head(name: str) -> str:
    """行政执法文书: the organ's name over the document's name, the 文号 flush right under them."""
    return (title("{{ doc.issuer }}") + title(name) + para("{{ doc.no }}", align="right") + para(""))


def red_head(kind: str) -> str:
    """GB/T 9704 公文 head. ``kind`` "letter" (信函格式: organ's name in red over a red double line, 文号 flush
    right under it) or "file" (文件格式 of a 上行文: "…文件" in red, 文号 left and 签发人 right, red rule under them)."""
    mark = lambda text: para(text, align="center", font=TITLE_FONT, size=60, color=RED, line=900)  # noqa: E731
    if kind == "letter":
        rule = f'<w:pBdr><w:bottom w:val="thickThinSmallGap" w:sz="24" w:space="4" w:color="{RED}"/></w:pBdr>'
        return (mark("{{ doc.issuer }}") + para("", border=rule, line=300)
                + para("{{ doc.no }}", align="right", right=0) + para(""))
    rule = f'<w:pBdr><w:bottom w:val="single" w:sz="12" w:space="4" w:color="{RED}"/></w:pBdr>'
    number = (f'<w:p><w:pPr>{rule}<w:tabs><w:tab w:val="right" w:pos="{8844 - CHAR}"/></w:tabs>'
              f'<w:spacing w:line="{LINE}" w:lineRule="exact"/><w:ind w:left="{CHAR}"/></w:pPr>'
              + run("{{ doc.no }}") + '<w:r><w:tab/></w:r>' + run("签发人：", BODY_FONT) + run("　　　", "楷体_GB2312")
              + "</w:p>")
    return mark("{{ doc.issuer }}文件") + para("") + para("") + number + para("")


SIGN_MARK = "<!--signature-->"


def signature(issuer: str = "{{ doc.issuer }}", date: str = "{{ doc.date }}") -> str:
    """发文机关署名 centred over the 成文日期, the date four characters in from the right (GB/T 9704
    7.3.5.1): a borderless table set right, its last column four characters wide and empty."""
    cell = lambda text, jc: (f'<w:tc><w:tcPr><w:tcW w:w="{SIGN_WIDTH}" w:type="dxa"/></w:tcPr>'  # noqa: E731
                             f'{para(text, align=jc)}</w:tc>')
    rows = "".join(f"<w:tr>{cell(t, 'center')}<w:tc><w:tcPr><w:tcW w:w=\"{4 * CHAR}\" w:type=\"dxa\"/></w:tcPr>"
                   f"<w:p/></w:tc></w:tr>" for t in (issuer, date))
    none = "".join(f'<w:{b} w:val="nil"/>' for b in ("top", "left", "bottom", "right", "insideH", "insideV"))
    return (SIGN_MARK + para("") + para("")
            + f'<w:tbl><w:tblPr><w:tblW w:w="{SIGN_WIDTH + 4 * CHAR}" w:type="dxa"/><w:jc w:val="right"/>'
              f'<w:tblBorders>{none}</w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="0" w:type="dxa"/>'
              f'<w:right w:w="0" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid><w:gridCol w:w="{SIGN_WIDTH}"/>'
              f'<w:gridCol w:w="{4 * CHAR}"/></w:tblGrid>'
              f"{rows}</w:tbl>")


def imprint(cc: str = "", printed_by: str = "") -> str:
    """版记 (GB/T 9704 7.4): 抄送 and 印发机关和印发日期 in 4号 仿宋 between rules (the first and last thick),
    a table under the signature (LibreOffice 7.4 does not keep a full-width floating table at the page foot)."""
    thick, thin = 'w:val="single" w:sz="8" w:space="0" w:color="000000"', 'w:val="single" w:sz="4" w:space="0" w:color="000000"'
    nil = 'w:val="nil"'
    rows = [(f"抄送：{cc}。", "")] if cc else []
    if printed_by:
        rows.append((printed_by, "{{ doc.date }}印发"))

    def row(i: int, left: str, right: str) -> str:
        top = thick if i == 0 else thin
        bottom = thick if i == len(rows) - 1 and printed_by else (thin if i == len(rows) - 1 else nil)
        borders = f"<w:tcBorders><w:top {top}/><w:left {nil}/><w:bottom {bottom}/><w:right {nil}/></w:tcBorders>"
        cells = (f'<w:tc><w:tcPr><w:tcW w:w="{8844 // 2}" w:type="dxa"/>{borders}</w:tcPr>{para(left, size=28, left=CHAR)}</w:tc>'
                 f'<w:tc><w:tcPr><w:tcW w:w="{8844 // 2}" w:type="dxa"/>{borders}</w:tcPr>'
                 f'{para(right, size=28, align="right", right=CHAR)}</w:tc>')
        return f"<w:tr>{cells}</w:tr>"

    return (f'<w:tbl><w:tblPr><w:tblW w:w="8844" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
            f'<w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar></w:tblPr>'
            f'<w:tblGrid><w:gridCol w:w="{8844 // 2}"/><w:gridCol w:w="{8844 // 2}"/></w:tblGrid>'
            + "".join(row(i, *r) for i, r in enumerate(rows)) + "</w:tbl><w:p/>")


def receipt(document: str, addressee: str = "{{ case.guardians[0].name }}",
            place: str = "{{ case.hukou_place.township }}{{ case.hukou_place.village }}{{ case.hukou_place.group }}") -> str:
    """送达回证 on a page of its own, without a page number, for the office's file."""
    rows = [("送达文书", f"《{document}》（{{{{ doc.no }}}}）"), ("受送达人", addressee), ("送达地点", place),
            ("送达方式", "□直接送达　□留置送达　□委托送达　□邮寄送达"), ("受送达人签名（盖章）", "　　　　年　　月　　日"),
            ("代收人及代收理由", ""), ("见证人签名", ""), ("送达人签名", "　　　　年　　月　　日"), ("备注", "")]
    return (f'<w:p><w:pPr>{section()}</w:pPr></w:p>'
            + title("送达回证") + para("{{ doc.issuer }}", align="center") + form(rows)
            + para("注：受送达人拒绝签收的，送达人应在备注栏写明情况，由见证人签名，把文书留在受送达人住所。", size=24))


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
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{W}" xmlns:r="{R}">'
                f"<w:body>{body}{section(first=first)}</w:body></w:document>")
    with zipfile.ZipFile(OUT / f"{name}.docx", "w", zipfile.ZIP_DEFLATED) as docx:
        for part, text in (("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", ROOT_RELS),
                           ("word/document.xml", document), ("word/_rels/document.xml.rels", DOC_RELS),
                           ("word/styles.xml", STYLES), ("word/settings.xml", SETTINGS),
                           ("word/fontTable.xml", FONT_TABLE), ("word/footer1.xml", FOOTER_ODD),
                           ("word/footer2.xml", FOOTER_EVEN), ("word/footer3.xml", FOOTER_NONE),
                           ("word/footer4.xml", FOOTER_LETTER), ("docProps/core.xml", CORE.format(title=name))):
            docx.writestr(part, text)


def main() -> None:
    write("限期复学通知书", enforcement_head("限期复学通知书") + P(f"{GUARDIAN}：")
          + P(f"你的子女{STUDENT}（性别{{{{ case.student.gender }}}}，身份证号{{{{ case.student.id_number }}}}），系"
              "{{ case.student.school }}{{ case.student.grade_name }}学生，自{{ case.situation.dropout_date }}起未到校就读。",
              indent=True, align="left")
          + P(f"依据{LAW}第五条，适龄儿童、少年的父母或者其他法定监护人应当依法保证其按时入学接受并完成义务教育。经批评教育，"
              f"你仍未送子女返校。根据{LAW}第五十八条，现责令你于{{{{ doc.deadline }}}}前送{STUDENT}到"
              "{{ case.student.school }}复学。", indent=True)
          + P("逾期不改正的，将依法给予行政处罚；仍不履行的，将依法申请人民法院强制执行或追究法律责任。", indent=True)
          + signature() + receipt("限期复学通知书"), first="none")
    write("劝返复学通知书", enforcement_head("劝返复学通知书") + P(f"{GUARDIAN}：")
          + P(f"你的子女{STUDENT}是{{{{ case.student.school }}}}{{{{ case.student.grade_name }}}}学生，自"
              "{{ case.situation.dropout_date }}起未到校。接受义务教育是适龄儿童少年的权利，也是家长的法定义务。"
              "学校将为其返校提供帮助，请你配合学校做好劝返工作，尽快送孩子返校复学。", indent=True)
          + P("班主任：{{ case.student.head_teacher.name }}，联系电话：{{ case.student.head_teacher.phone }}。", indent=True)
          + signature())
    write("入学通知书", enforcement_head("入学通知书") + P("{{ child.guardian_salutation }}：")
          + P("你的子女{{ child.name }}（身份证号{{ child.id_number }}）{{ child.entry_reason }}，"
              "请于{{ doc.deadline }}前持户口簿到{{ child.school }}办理{{ child.entry_grade }}入学手续。",
              indent=True, align="left")
          + P(f"依据{LAW}第五条、第十一条，凡年满六周岁的儿童，其父母或者其他法定监护人应当送其入学接受并完成义务教育；"
              "条件不具备的地区的儿童，可以推迟到七周岁。适龄儿童、少年因身体状况需要延缓入学或者休学的，"
              "其父母或者其他法定监护人应当提出申请，由当地乡镇人民政府或者县级人民政府教育行政部门批准。", indent=True)
          + P(f"依据{LAW}第五十八条，适龄儿童、少年的父母或者其他法定监护人无正当理由未依照本法规定送适龄儿童、少年入学接受义务教育的，"
              "由当地乡镇人民政府或者县级人民政府教育行政部门给予批评教育，责令限期改正；逾期不改正的，将依法给予行政处罚，"
              "直至申请人民法院强制执行或追究法律责任。", indent=True)
          + signature())
    penalty = "case.penalty"
    write("行政处罚事先告知书", enforcement_head("行政处罚事先告知书")
          + P(f"{{{{ {penalty}.party.name }}}}：")
          + P(f"经查，{{{{ {penalty}.facts }}}}。以上事实有下列证据证明：{{{{ {penalty}.proof_list }}}}。", indent=True)
          + P(f"你的上述行为违反了{{{{ {penalty}.violated }}}}的规定。依据{{{{ {penalty}.basis }}}}，本机关拟对你作出如下"
              f"行政处罚：{{{{ {penalty}.penalty_content }}}}。", indent=True)
          + P("根据《中华人民共和国行政处罚法》第四十四条、第四十五条，你有权进行陈述和申辩。如有陈述、申辩意见，请于收到本告知书"
              f"之日起{{{{ {penalty}.statement_days }}}}日内向本机关提出；逾期未提出的，视为放弃陈述和申辩的权利。"
              f"{{% if {penalty}.penalty_type == \"罚款\" %}}依据该法第六十三条、第六十四条，拟作出较大数额罚款的，你有权要求听证，"
              "请于收到本告知书之日起五日内提出。{% endif %}", indent=True)
          + signature() + receipt("行政处罚事先告知书", f"{{{{ {penalty}.party.name }}}}", f"{{{{ {penalty}.party.address }}}}"),
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
          + signature() + receipt("行政处罚决定书", f"{{{{ {penalty}.party.name }}}}", f"{{{{ {penalty}.party.address }}}}"),
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
          + signature() + P("申请机关负责人（签名）：　　　　　", align="right", right=4 * CHAR))
    write("劝返记录表", title("劝返工作记录表") + form([
        ("学生姓名", STUDENT), ("就读学校", "{{ case.student.school }}{{ case.student.grade_name }}"),
        ("监护人", f"{GUARDIAN}（{{{{ case.guardians[0].relation }}}}）"), ("劝返时间", "{{ record.date }}"),
        ("劝返方式", "{{ record.method }}"), ("劝返地点", "{{ record.place }}"),
        ("劝返人员", "{{ record.participant_names }}"), ("劝返内容", "{{ record.content }}"),
        ("劝返结果", "{{ record.outcome }}"), ("监护人签字", ""), ("劝返人员签字", "")]))
    write("休学申请表", title("义务教育阶段学生休学申请表") + form([
        ("学生姓名", STUDENT), ("身份证号", "{{ case.student.id_number }}"),
        ("就读学校", "{{ case.student.school }}{{ case.student.grade_name }}"), ("监护人", GUARDIAN),
        ("申请时间", "{{ record.applied_on }}"), ("休学期限", "{{ record.period_from }}至{{ record.period_to }}"),
        ("休学原因", "{{ case.situation.reason }}"),
        ("诊断医院", "{{ case.diagnosis.hospital }}（{{ case.diagnosis.hospital_level }}）"),
        ("诊断建议", "{{ case.diagnosis.recommendation }}"), ("学校意见", "（盖章）  年  月  日"),
        ("教育行政部门意见", "（盖章）  年  月  日")]))
    write("复学申请表", title("义务教育阶段学生复学申请表") + form([
        ("学生姓名", STUDENT), ("身份证号", "{{ case.student.id_number }}"),
        ("原就读学校", "{{ case.student.school }}{{ case.student.grade_name }}"), ("监护人", GUARDIAN),
        ("申请时间", "{{ record.applied_on }}"), ("复学证明", "原诊断医院出具的可以正常随班就读的证明"),
        ("学校意见", "（盖章）  年  月  日"), ("教育行政部门意见", "（盖章）  年  月  日")]))
    write("缓免学申请表", title("义务教育阶段学生缓免学申请表") + form([
        ("学生姓名", STUDENT), ("身份证号", "{{ case.student.id_number }}"), ("监护人", GUARDIAN),
        ("申请种类", "{{ record.kind }}"), ("申请时间", "{{ record.applied_on }}"),
        ("残疾类别和等级", "{{ case.disability_certificate.kind }}{{ case.disability_certificate.grade }}级"),
        ("残疾证号", "{{ case.disability_certificate.number }}"),
        ("学校和村（社）认定意见", "（盖章）  年  月  日"), ("乡镇（街道）批准意见", "（盖章）  年  月  日"),
        ("县教育行政部门复审意见", "（盖章）  年  月  日")]))
    write("送教上门家长同意书", title("送教上门家长同意书")
          + P(f"本人{GUARDIAN}，是{STUDENT}的{{{{ case.guardians[0].relation }}}}。{STUDENT}持有"
              "{{ case.disability_certificate.kind }}{{ case.disability_certificate.grade }}级残疾证，经评估暂不能到校就读。"
              "{{ case.home_teaching.school }}将自{{ case.home_teaching.start_date }}起每周送教上门一次，每次不少于2学时，"
              "送教教师至少两人同行。", indent=True)
          + P("本人同意上述送教上门安排，保证孩子按时接受送教，并配合学校做好家庭训练。", indent=True)
          + P("") + P("监护人（签名）：__________", align="right") + P("____年__月__日", align="right"))
    write("送教上门工作记录", title("送教上门工作记录") + form([
        ("学生姓名", STUDENT), ("送教学校", "{{ case.home_teaching.school }}"), ("送教时间", "{{ record.date }}"),
        ("学时", "{{ record.class_hours }}"), ("送教教师", "{{ record.teacher_names }}"),
        ("学科", "{{ record.subject }}"), ("送教内容", "{{ record.content }}"), ("家长签字", "")]))
    write("远程送教请示", red_head("file") + title("关于对{{ case.student.name }}采取远程送教的请示") + P("")
          + P("{{ doc.addressee }}：", align="left")
          + P(f"我校{{{{ case.student.grade_name }}}}学生{STUDENT}，因{{{{ case.situation.reason }}}}，自"
              "{{ case.situation.dropout_date }}起辍学。经多次劝返，学生和家长同意参加老师远程送教，完成初中学业。"
              "经研判，拟安排专门教师每周远程送教2次。", indent=True)
          + P("妥否，请批示。", indent=True)
          + signature() + P("") + imprint("{{ case.hukou_place.township }}人民政府", "{{ doc.issuer }}办公室"))
    write("函", red_head("letter") + title("关于商请协助劝返{{ case.student.name }}的函") + P("")
          + P("{{ record.recipient }}：", align="left")
          + P(f"我{{{{ doc.issuer_short }}}}{{{{ case.hukou_place.village }}}}户籍适龄少年{STUDENT}（身份证号"
              "{{ case.student.id_number }}），自{{ case.situation.dropout_date }}起辍学，经多次劝返仍未返校。", indent=True,
              align="left")
          + P(f"依据{LAW}，为落实控辍保学责任，现{{{{ record.subject }}}}。", indent=True)
          + P("联系人：{{ doc.issuer }}社会事务办公室　　联系电话：", indent=True)
          + signature() + P("") + imprint("{{ doc.addressee }}"), first="letter")
    write("劝返记录汇总表", title("劝返记录汇总表") + P(f"学生：{STUDENT}    学校：{{{{ case.student.school }}}}")
          + table(["序号", "日期", "方式", "结果"],
                  ["{{ loop.index }}", "{{ p.date }}", "{{ p.method }}", "{{ p.outcome }}"], "p in case.persuasions"))


if __name__ == "__main__":
    main()
