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
<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
</Relationships>"""
DOC_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>
</Relationships>"""
CORE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{title}</dc:title><dc:creator>docgen</dc:creator><dc:language>zh-CN</dc:language></cp:coreProperties>"""
SETTINGS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="{W}"><w:defaultTabStop w:val="640"/><w:characterSpacingControl w:val="compressPunctuation"/><w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/></w:settings>"""


def fonts(name: str) -> str:
    return f'<w:rFonts w:ascii="{name}" w:hAnsi="{name}" w:eastAsia="{name}" w:cs="{name}"/>'


STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W}"><w:docDefaults><w:rPrDefault><w:rPr>{fonts(BODY_FONT)}<w:sz w:val="{BODY_SZ}"/><w:szCs w:val="{BODY_SZ}"/><w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:line="{LINE}" w:lineRule="exact"/><w:jc w:val="both"/></w:pPr></w:pPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>
<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:left w:w="108" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>
<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/></w:tblBorders></w:tblPr></w:style>
</w:styles>"""
FOOTER = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:ftr xmlns:w="{W}"><w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr>{fonts("宋体")}<w:sz w:val="28"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr><w:t xml:space="preserve">— </w:t></w:r><w:r><w:rPr>{fonts("宋体")}<w:sz w:val="28"/></w:rPr><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:rPr>{fonts("宋体")}<w:sz w:val="28"/></w:rPr><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:rPr>{fonts("宋体")}<w:sz w:val="28"/></w:rPr><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:rPr>{fonts("宋体")}<w:sz w:val="28"/></w:rPr><w:t>1</w:t></w:r><w:r><w:rPr>{fonts("宋体")}<w:sz w:val="28"/></w:rPr><w:fldChar w:fldCharType="end"/></w:r><w:r><w:rPr>{fonts("宋体")}<w:sz w:val="28"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr><w:t xml:space="preserve"> —</w:t></w:r></w:p></w:ftr>"""
SECTION = (f'<w:sectPr><w:footerReference w:type="default" r:id="rId3"/><w:pgSz w:w="11906" w:h="16838"/>'
           f'<w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1588" w:header="851" w:footer="992" w:gutter="0"/>'
           f'<w:docGrid w:type="lines" w:linePitch="{LINE}"/></w:sectPr>')


def run(text: str, font: str = BODY_FONT, size: int = BODY_SZ, bold: bool = False) -> str:
    rpr = f"<w:rPr>{fonts(font)}{'<w:b/>' if bold else ''}<w:sz w:val=\"{size}\"/><w:szCs w:val=\"{size}\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/></w:rPr>"
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def para(text: str, *, align: str = "both", indent: bool = False, font: str = BODY_FONT, size: int = BODY_SZ,
         bold: bool = False, before: int = 0) -> str:
    ppr = f'<w:pPr><w:spacing w:before="{before}" w:line="{LINE}" w:lineRule="exact"/>'
    ppr += '<w:ind w:firstLineChars="200" w:firstLine="640"/>' if indent else ""
    ppr += f'<w:jc w:val="{align}"/></w:pPr>'
    return f"<w:p>{ppr}{run(text, font, size, bold)}</w:p>"


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


def signature(issuer: str = "{{ doc.issuer }}", date: str = "{{ doc.date }}") -> str:
    """Issuer and date right-aligned, with room above the date for the seal (GB/T 9704 7.3.5)."""
    return para("") + para(issuer, align="right") + para(date, align="right") + para("（盖章）", align="right")


def write(name: str, body: str) -> None:
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{W}" xmlns:r="{R}">'
                f"<w:body>{body}{SECTION}</w:body></w:document>")
    with zipfile.ZipFile(OUT / f"{name}.docx", "w", zipfile.ZIP_DEFLATED) as docx:
        for part, text in (("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", ROOT_RELS),
                           ("word/document.xml", document), ("word/_rels/document.xml.rels", DOC_RELS),
                           ("word/styles.xml", STYLES), ("word/settings.xml", SETTINGS),
                           ("word/footer1.xml", FOOTER), ("docProps/core.xml", CORE.format(title=name))):
            docx.writestr(part, text)


GUARDIAN = "{{ case.guardians[0].name }}"
STUDENT = "{{ case.student.name }}"
P = para


def main() -> None:
    write("限期复学通知书", title("限期复学通知书") + P("{{ doc.no }}", align="center") + P("")
          + P(f"{GUARDIAN}：")
          + P(f"你的子女{STUDENT}（性别{{{{ case.student.gender }}}}，身份证号{{{{ case.student.id_number }}}}），系"
              "{{ case.student.school }}{{ case.student.grade_name }}学生，自{{ case.situation.dropout_date }}起未到校就读。",
              indent=True)
          + P("依据《中华人民共和国义务教育法》第五条、第十一条，适龄儿童、少年的父母或者其他法定监护人应当依法保证其按时入学"
              "接受并完成义务教育。经批评教育，你仍未送子女返校。根据《中华人民共和国义务教育法》第五十八条，现责令你于"
              "{{ doc.deadline }}前送{{ case.student.name }}到{{ case.student.school }}复学。", indent=True)
          + P("逾期不改正的，将依法给予行政处罚；情节严重的，将申请人民法院强制执行或依法追究法律责任。", indent=True)
          + signature()
          + P("") + P("送达回证：本通知书已于____年__月__日收到。监护人（签名）：__________", size=24))
    write("劝返复学通知书", title("劝返复学通知书") + P(f"{GUARDIAN}：")
          + P(f"你的子女{STUDENT}是{{{{ case.student.school }}}}{{{{ case.student.grade_name }}}}学生，自"
              "{{ case.situation.dropout_date }}起未到校。接受义务教育是适龄儿童少年的权利，也是家长的法定义务。"
              "学校将为其返校提供帮助，请你配合学校做好劝返工作，尽快送孩子返校复学。", indent=True)
          + P("班主任：{{ case.student.head_teacher.name }}，联系电话：{{ case.student.head_teacher.phone }}。", indent=True)
          + signature())
    write("入学通知书", title("入学通知书") + P("{{ doc.no }}", align="center") + P("") + P(f"{GUARDIAN}：")
          + P(f"你的子女{STUDENT}（身份证号{{{{ case.student.id_number }}}}）已到义务教育入学年龄。请于{{{{ doc.deadline }}}}"
              "前持户口簿到{{ case.student.school }}办理入学手续。", indent=True)
          + P("依据《中华人民共和国义务教育法》第五条、第十一条，凡年满六周岁的儿童，其父母或者其他法定监护人应当送其入学"
              "接受并完成义务教育。", indent=True)
          + P("依据第五十八条，适龄儿童、少年的父母或者其他法定监护人无正当理由未依照本法规定送适龄儿童、少年入学接受义务教育的，"
              "由当地乡镇人民政府或者县级人民政府教育行政部门给予批评教育，责令限期改正。逾期不改的，将依法追究法律责任。",
              indent=True)
          + signature())
    write("行政处罚决定书", title("行政处罚决定书") + P("{{ doc.no }}", align="center") + P("")
          + P(f"当事人：{GUARDIAN}，系{STUDENT}的{{{{ case.guardians[0].relation }}}}，住{{{{ case.hukou_place.township }}}}"
              "{{ case.hukou_place.village }}。")
          + P(f"经查，当事人之子女{STUDENT}系适龄少年，自{{{{ case.situation.dropout_date }}}}起辍学。本机关已依法送达限期复学"
              "通知书，责令限期改正，当事人逾期仍未送子女复学。", indent=True)
          + P("以上事实违反了《中华人民共和国义务教育法》第五条的规定。依据第五十八条，本机关决定给予当事人批评教育并责令"
              "于{{ doc.deadline }}前送子女复学的行政处罚。", indent=True)
          + P("当事人如不服本决定，可在收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。",
              indent=True)
          + signature())
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
    write("送教上门家长同意书", title("送教上门家长同意书") + P(f"{GUARDIAN}：")
          + P(f"你的子女{STUDENT}持有{{{{ case.disability_certificate.kind }}}}{{{{ case.disability_certificate.grade }}}}级残疾证，"
              "经评估暂不能到校就读。{{ case.home_teaching.school }}将自{{ case.home_teaching.start_date }}起每周送教上门一次，"
              "每次不少于2学时，送教教师至少两人同行。", indent=True)
          + P("本人同意上述送教上门安排，并配合学校做好家庭训练。", indent=True)
          + P("") + P("监护人（签名）：__________", align="right") + P("____年__月__日", align="right"))
    write("送教上门工作记录", title("送教上门工作记录") + form([
        ("学生姓名", STUDENT), ("送教学校", "{{ case.home_teaching.school }}"), ("送教时间", "{{ record.date }}"),
        ("学时", "{{ record.class_hours }}"), ("送教教师", "{{ record.teacher_names }}"),
        ("学科", "{{ record.subject }}"), ("送教内容", "{{ record.content }}"), ("家长签字", "")]))
    write("远程送教请示", title("关于对{{ case.student.name }}采取远程送教的请示") + P("{{ doc.no }}", align="center")
          + P("") + P("{{ doc.addressee }}：")
          + P(f"我校{{{{ case.student.grade_name }}}}学生{STUDENT}，因{{{{ case.situation.reason }}}}，自"
              "{{ case.situation.dropout_date }}起辍学。经多次劝返，学生和家长同意参加老师远程送教，完成初中学业。"
              "经研判，拟安排专门教师每周远程送教2次。", indent=True)
          + P("妥否，请批示。", indent=True) + signature())
    write("函", title("关于商请协助劝返{{ case.student.name }}的函") + P("{{ doc.no }}", align="center") + P("")
          + P("{{ record.recipient }}：")
          + P(f"我{{{{ doc.issuer_short }}}}{{{{ case.hukou_place.village }}}}户籍适龄少年{STUDENT}（身份证号"
              "{{ case.student.id_number }}），自{{ case.situation.dropout_date }}起辍学。{{ record.subject }}。"
              "依据《中华人民共和国义务教育法》，特商请贵单位协助开展劝返工作，并请将处理情况函复我{{ doc.issuer_short }}。",
              indent=True)
          + signature())
    write("劝返记录汇总表", title("劝返记录汇总表") + P(f"学生：{STUDENT}    学校：{{{{ case.student.school }}}}")
          + table(["序号", "日期", "方式", "结果"],
                  ["{{ loop.index }}", "{{ p.date }}", "{{ p.method }}", "{{ p.outcome }}"], "p in case.persuasions"))


if __name__ == "__main__":
    main()
