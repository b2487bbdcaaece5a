"""Writing the A3B3 tables: one .xlsx (B3-1, B3-2, B3-3, 巩固率) and a Word table per item (PDF optional); and the
start-of-term statistics report (.xlsx)."""

from __future__ import annotations

from pathlib import Path

from docgen.dates import cn_date, parse_iso
from docgen.fsutil import save_docx, save_workbook, staged_folder
from docgen.roster.tables import COLUMN_LABELS, COLUMNS, COUNTY_TOTAL, TOWNSHIP_TOTAL, Row, Tables
from docgen.wordtable import add_paragraph, add_table, new_document
from docgen.xlsx import GREEN, PERCENT_FORMAT, RED, Styled, Table, new_workbook, write_sheet

MEASURES = {"primary": "小学六年巩固率", "junior": "初中三年巩固率", "disabled": "三类残疾儿童少年入学率"}
B3_TITLES = {"B3-1": "义务教育阶段适龄儿童少年就读情况统计表", "B3-2": "义务教育阶段适龄儿童少年县外就读情况统计表",
             "B3-3": "义务教育阶段建卡贫困学生就读情况统计表"}
COUNT_HEADER = ["乡镇", "村（社区）", "适龄儿童少年", *(COLUMN_LABELS[c] for c in COLUMNS)]
OUT_HEADER = ["乡镇", "村（社区）", "姓名", "县外就读地", "年级", "学籍证明"]
SIGNATURES = "填表人（签名）：__________    审核人（签名）：__________    （盖章）    日期：______年____月____日"


def _count_rows(rows: list[Row]) -> tuple[list[list[object]], list[int]]:
    """B3-1 and B3-3 rows (each village, its township's 合计, the county's), and which of them are totals."""
    values = [[r.township, r.village, r.total, *(r.counts[c] for c in COLUMNS)] for r in rows]
    return values, [i for i, r in enumerate(rows) if r.village in (TOWNSHIP_TOTAL, COUNTY_TOTAL)]


def _out_total(township: str, label: str, children: list[dict]) -> list[object]:
    held = sum(bool(x["certificate"]) for x in children)
    return [township, label, f"共 {len(children)} 人", "", "", f"有 {held} 人，缺 {len(children) - held} 人"]


def _out_rows(tables: Tables) -> tuple[list[list[object]], list[int]]:
    """B3-2: each child out of the county, a 合计 per township (how many, how many 学籍证明 held and missing) and
    the county's."""
    rows: list[list[object]] = []
    totals: list[int] = []
    townships = sorted({x["township"] for x in tables.b3_2})
    for township in townships:
        children = [x for x in tables.b3_2 if x["township"] == township]
        rows += [[x["township"], x["village"], x["name"], x["place"], f"{x['grade']}年级" if x["grade"] else "",
                  "有" if x["certificate"] else "缺"] for x in children]
        totals.append(len(rows))
        rows.append(_out_total(township, TOWNSHIP_TOTAL, children))
    if len(townships) > 1:
        totals.append(len(rows))
        rows.append(_out_total("全县", COUNTY_TOTAL, tables.b3_2))
    return rows, totals


def _items(tables: Tables) -> list[tuple[str, list[str], list[list[object]], list[int]]]:
    return [("B3-1", COUNT_HEADER, *_count_rows(tables.b3_1)), ("B3-2", OUT_HEADER, *_out_rows(tables)),
            ("B3-3", COUNT_HEADER, *_count_rows(tables.b3_3))]


def _retention_rows(tables: Tables) -> tuple[list[list[object]], list[int]]:
    """Each township's three rates against their targets (green met, red not), then the county's from the sums."""
    def row(township: str, measure: str, kept: int, of: int, target: float) -> list[object]:
        rate = kept / of if of else 1.0
        fill = GREEN if rate >= target else RED
        return [township, MEASURES[measure], kept, of, Styled(round(rate, 4), PERCENT_FORMAT, fill),
                Styled(target, "0%"), Styled("达标" if rate >= target else "未达标", fill=fill)]

    rows = [row(x["township"], x["measure"], x["kept"], x["of"], x["target"]) for x in tables.retention]
    totals = []
    if len({x["township"] for x in tables.retention}) > 1:
        for measure in MEASURES:
            mine = [x for x in tables.retention if x["measure"] == measure]
            totals.append(len(rows))
            rows.append(row("全县", measure, sum(x["kept"] for x in mine), sum(x["of"] for x in mine),
                            mine[0]["target"]))
    return rows, totals


def write_xlsx(tables: Tables, target: Path) -> None:
    wb = new_workbook()
    for code, header, rows, totals in _items(tables):
        write_sheet(wb, code, B3_TITLES[code], [Table(header, rows, totals)],
                    subtitle=f"统计单位：{tables.unit}    迎检档案资料 A3B3 {code}：分村统计，乡镇合计",
                    notes=[SIGNATURES])
    rows, totals = _retention_rows(tables)
    write_sheet(wb, "巩固率", "义务教育巩固率和三类残疾儿童少年入学率",
                [Table(["乡镇", "指标", "达标人数", "应统计人数", "比率", "目标", "是否达标"], rows, totals)],
                subtitle=f"统计单位：{tables.unit}    目标：小学六年巩固率100%，初中三年巩固率不低于98%，"
                         "三类残疾儿童少年入学率不低于95%")
    save_workbook(wb, target)


def write_docx(code: str, tables: Tables, header: list[str], rows: list[list[object]], totals: list[int],
               target: Path) -> None:
    doc = new_document(f"{B3_TITLES[code]}（{tables.unit}）", landscape=True)
    add_paragraph(doc, f"{B3_TITLES[code]}（分村统计）", 16, bold=True, center=True, after=6)
    add_paragraph(doc, f"统计单位：{tables.unit}")
    add_table(doc, header, rows, size=9, totals=totals)
    add_paragraph(doc, SIGNATURES).paragraph_format.space_before = 12
    save_docx(doc, target)


def write_tables(tables: Tables, out: Path, pdf: bool = False) -> list[Path]:
    """The A3B3 tables as files in ``out``: all of them, or (a full disk, a failed conversion) none."""
    with staged_folder(out) as staging:
        written = [staging / "A3B3_就读台账.xlsx"]
        write_xlsx(tables, written[0])
        for code, header, rows, totals in _items(tables):
            path = staging / f"{code}_{B3_TITLES[code]}.docx"
            write_docx(code, tables, header, rows, totals, path)
            written.append(path)
        if pdf:
            from docgen.convert.pdf import convert_to_pdf

            convert_to_pdf(staging, [p.name for p in written if p.suffix == ".docx"])
            written += [p.with_suffix(".pdf") for p in written if p.suffix == ".docx"]
    return [out / p.name for p in written]


def write_term_reports(reports: list, target: Path) -> None:
    """The start-of-term statistics report, one sheet per school: by grade with 合计, the children not at school,
    room for signatures and the seal."""
    from docgen.roster.term import MEASURES

    wb = new_workbook()
    for report in reports:
        grades = [[f"{grade}年级", *(counts[m] for m in MEASURES)] for grade, counts in report.grades.items()]
        grades.append(["合计", *(sum(c[m] for c in report.grades.values()) for m in MEASURES)])
        tables = [Table(["年级", *MEASURES.values()], grades, [len(grades) - 1])]
        notes = []
        if report.absent:
            absent = [[i, row["name"], f"{row['grade']}年级", row["case_id"], parse_iso(row["dropout_date"])]
                      for i, row in enumerate(report.absent, 1)]
            tables.append(Table(["序号", "姓名", "年级", "案卷编号", "辍学时间"], absent,
                                caption=f"未到校学生名单（共 {len(absent)} 人）"))
        else:
            notes.append("未到校学生：无")
        notes.append("填报人（签名）：__________    单位负责人（签名）：__________    （盖章）    "
                     "报送日期：______年____月____日")
        write_sheet(wb, report.school, f"{report.school}开学工作统计报表", tables,
                    subtitle=f"开学日期：{cn_date(report.term_start)}；{cn_date(report.check_by)}前清查，"
                             f"{cn_date(report.report_by)}前上报",
                    notes=notes)
    target.parent.mkdir(parents=True, exist_ok=True)
    save_workbook(wb, target)
