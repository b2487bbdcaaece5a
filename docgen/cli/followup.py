"""Commands for the township's regular work: ledgers (A3B3), monthly reports, what is due."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from docgen.cli import county_spec, handles_errors, load_checked, main, parse_date_option, print_problems
from docgen.errors import EXIT_OK, EXIT_PROBLEMS, DocgenError


@main.command()
@click.argument("roster", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--cases", "case_paths", multiple=True, required=True, type=click.Path(path_type=Path),
              help="案卷 JSON 文件（可多次指定）。")
@click.option("-o", "--out", type=click.Path(path_type=Path, file_okay=False), required=True, help="输出目录。")
@click.option("--unit", default="", help="统计单位：乡镇（如 云溪镇）、小学统计本辖区，中学统计本校；默认全县。")
@click.option("--pdf", is_flag=True, help="同时生成 PDF。")
@handles_errors
def ledgers(roster: Path, case_paths: tuple[Path, ...], out: Path, unit: str, pdf: bool) -> int:
    """生成 A3B3 就读台账：B3-1 就读情况、B3-2 县外就读、B3-3 建卡贫困学生，分村统计并按乡镇合计。

    同时核对：台账人数 = 县内就读 + 县外就读 + 各类一生一案；有去向不明的儿童时退出码为 1。
    """
    from docgen.fsutil import refuse_overlap
    from docgen.roster import build_tables, load_roster, reconcile, write_tables
    from docgen.roster.tables import COLUMN_LABELS, COLUMNS, unit_scope
    from docgen.roster.writers import MEASURES

    refuse_overlap([("输出目录", out)], [("适龄儿童少年台账", roster), *(("案卷文件", f) for f in case_paths)])
    loaded = load_roster(roster)
    cases = load_checked(case_paths)
    tables = build_tables(loaded, cases, *unit_scope(unit, cases))
    written = write_tables(tables, out, pdf)
    counts = reconcile(tables)
    parts = " + ".join(f"{COLUMN_LABELS[c]} {counts[c]}" for c in COLUMNS if counts[c])
    click.echo(f"{tables.unit}：适龄儿童少年 {counts['children']} 人 = {parts}")
    for x in tables.retention:
        mark = click.style("达标", fg="green") if x["met"] else click.style("未达标", fg="red")
        click.echo(f"  {x['township']} {MEASURES[x['measure']]} {x['rate']:.2%}（目标 {x['target']:.0%}）{mark}")
    click.echo(f"已写入：{', '.join(str(p) for p in written)}")
    print_problems(tables.problems)
    return EXIT_PROBLEMS if tables.problems else EXIT_OK


def _month(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(f"{value}-01")
    except ValueError as exc:
        raise click.BadParameter(f"月份应写成 YYYY-MM，如 2022-09，实际是“{value}”") from exc


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--month", required=True, callback=lambda _c, _p, v: _month(v), metavar="YYYY-MM", help="统计月份。")
@click.option("--unit", "units", multiple=True, help="填报单位（乡镇或学校，可多次指定）；默认所有乡镇和学校。")
@click.option("--roster", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="适龄儿童少年台账：从中找出没有案卷的学校，为它们出零报告。")
@click.option("--filler", default="", help="填报人姓名。")
@click.option("--date", "filed_on", callback=lambda _c, _p, v: parse_date_option(v), metavar="YYYY-MM-DD",
              help="报送日期（默认：今天在次月1日至20日之间就用今天，否则用最近的那一天）。")
@click.option("-o", "--out", type=click.Path(path_type=Path, file_okay=False), required=True, help="输出目录。")
@click.option("--pdf", is_flag=True, help="同时生成 PDF。")
@handles_errors
def monthly(files: tuple[Path, ...], month: dt.date, units: tuple[str, ...], roster: Path | None, filler: str,
            filed_on: dt.date | None, out: Path, pdf: bool) -> int:
    """生成控辍保学月报表（每个乡镇、学校一份）；没有辍学学生的单位出零报告。"""
    from docgen.followup import monthly_report
    from docgen.followup.monthly import filing_date, filing_window, reporting_units
    from docgen.followup.writers import write_monthly
    from docgen.fsutil import refuse_overlap, staged_folder
    from docgen.roster import load_roster

    start, end = filing_window(month)
    if filed_on is not None and filed_on < start:
        raise DocgenError(f"--date {filed_on.isoformat()} 早于统计月份结束：{month.year}年{month.month}月的月报表"
                          f"最早 {start.isoformat()} 报送，未写出任何文件")
    refuse_overlap([("输出目录", out)], [("适龄儿童少年台账", roster), *(("案卷文件", f) for f in files)])
    cases = load_checked(files)
    if filed_on is None:
        filed_on = filing_date(month, dt.date.today())
        click.echo(f"报送日期：{filed_on.year}年{filed_on.month}月{filed_on.day}日"
                   f"（{'今天' if filed_on == dt.date.today() else '月报表应在次月20日前报送'}；用 --date 指定）")
    elif filed_on > end:
        click.echo(f"注意：报送日期 {filed_on.isoformat()} 晚于 {end.isoformat()}（次月20日），属于逾期报送")
    if not units:
        schools = {ch["school"] for ch in load_roster(roster).children if ch.get("school")} if roster else set()
        units = tuple(reporting_units(cases, schools))
    written, lines = [], []
    with staged_folder(out) as staging:  # every report, or (a full disk, a failed conversion) none
        for unit in units:
            report = monthly_report(cases, unit, month)
            written.append(write_monthly(report, staging, filler, filed_on))
            kind = "零报告" if report.zero else (f"新增 {report.total('new_suspected') + report.total('new_dropped')}，"
                                                 f"复学 {report.total('returned')}，销号 {report.total('closed')}，"
                                                 f"月末未复学 {report.total('open')}")
            lines.append(f"{unit} {report.label}：{kind}")
        if pdf:
            from docgen.convert.pdf import convert_to_pdf

            convert_to_pdf(staging, [p.name for p in written])
    for line in lines:
        click.echo(line)
    click.echo(f"月报表已写入 {out}（{len(written)} 份）")
    return EXIT_OK


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--date", "on", callback=lambda _c, _p, v: parse_date_option(v),
              metavar="YYYY-MM-DD", help="按这一天计算（默认今天）。")
@click.option("-o", "--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="另存为 Excel 待办清单（.xlsx）。")
@handles_errors
def due(files: tuple[Path, ...], on: dt.date | None, out: Path | None) -> int:
    """列出每个案卷接下来要办的事（家访、书面报告、行政处罚、催复函、补送教、月报表），按到期先后排列。"""
    from docgen.followup import due_actions
    from docgen.followup.writers import write_due
    from docgen.fsutil import refuse_overlap

    refuse_overlap([("输出文件", out)], [("案卷文件", f) for f in files])
    on = on or dt.date.today()
    cases = load_checked(files)
    actions = due_actions(cases, on, county_spec())
    for a in actions:
        days = a.overdue(on)
        if days > 0:
            when = click.style(f"逾期 {days} 天", fg="red")
        else:
            when = "今天到期" if days == 0 else f"{-days} 天后到期"
        who = f"{a.school} {a.student}（{a.case_id}）" if a.case_id else a.township
        click.echo(f"{a.due.isoformat()}  {when}  {who}：{a.action}")
    if out:
        write_due(actions, on, out)
        click.echo(f"待办清单已写入 {out}")
    return EXIT_OK


@main.group()
def roster() -> None:
    """适龄儿童少年台账：从 Excel 导入、导出到 Excel。"""


@roster.command("import")
@click.argument("ledger", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="写出的台账 JSON。")
@click.option("--county", required=True, help="县名。")
@click.option("--school-year", type=int, required=True, help="学年起始年份，如 2022 表示 2022—2023 学年。")
@click.option("--mapping", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="表头映射（YAML，默认内置：docgen/data/roster_mapping.yaml）。")
@handles_errors
def roster_import(ledger: Path, out: Path, county: str, school_year: int, mapping: Path | None) -> int:
    """把 Excel 适龄儿童少年台账转换成 JSON，并检查身份证号、年龄等；有问题时逐条列出（工作表!单元格（列名）），
    不写出文件。"""
    import json

    from docgen.fsutil import refuse_overlap, write_text_atomic
    from docgen.roster.excel import import_roster

    refuse_overlap([("输出文件", out)], [("台账", ledger), ("映射文件", mapping)])
    data = import_roster(ledger, county, school_year, mapping)  # checked as any roster; every problem at its cell
    write_text_atomic(out, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    click.echo(f"已从 {ledger} 导入 {len(data['children'])} 名儿童，写入 {out}")
    return EXIT_OK


@roster.command("export")
@click.argument("roster_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="写出的 .xlsx。")
@handles_errors
def roster_export(roster_file: Path, out: Path) -> int:
    """把台账 JSON 导出为 Excel，便于在 Excel 中维护。"""
    from docgen.fsutil import refuse_overlap
    from docgen.roster import load_roster
    from docgen.roster.excel import export_roster

    refuse_overlap([("输出文件", out)], [("适龄儿童少年台账", roster_file)])
    export_roster(load_roster(roster_file).children, out)
    click.echo(f"已导出到 {out}")
    return EXIT_OK


@main.command("term-start")
@click.argument("roster_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--cases", "case_paths", multiple=True, required=True, type=click.Path(path_type=Path),
              help="案卷 JSON 文件（可多次指定）。")
@click.option("--school", "schools", multiple=True, help="学校（可多次指定）；默认台账中的所有学校。")
@click.option("--term-start", "term_start", required=True, callback=lambda _c, _p, v: parse_date_option(v),
              metavar="YYYY-MM-DD", help="开学日期。")
@click.option("-o", "--out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="写出的 .xlsx。")
@handles_errors
def term_start_command(roster_file: Path, case_paths: tuple[Path, ...], schools: tuple[str, ...],
                       term_start: dt.date, out: Path) -> int:
    """生成开学工作统计报表：各校分年级的应到、在校、送教、休学、辍学人数和未到校学生名单。"""
    from docgen.fsutil import refuse_overlap
    from docgen.roster import load_roster
    from docgen.roster.model import outside_school_year
    from docgen.roster.term import term_report
    from docgen.roster.writers import write_term_reports

    refuse_overlap([("输出文件", out)], [("适龄儿童少年台账", roster_file), *(("案卷文件", f) for f in case_paths)])
    loaded = load_roster(roster_file)
    wrong_year = outside_school_year(loaded.school_year, term_start, "开学日期")
    if wrong_year:
        raise DocgenError(f"--term-start：{wrong_year}")
    cases = load_checked(case_paths)
    schools = schools or tuple(sorted({c["school"] for c in loaded.children if c.get("school")}))
    reports = [term_report(loaded, cases, school, term_start) for school in schools]
    write_term_reports(reports, out)
    for report in reports:
        total = sum(c["expected"] for c in report.grades.values())
        click.echo(f"{report.school}：应到 {total} 人，未到校 {len(report.absent)} 人")
    click.echo(f"开学工作统计报表已写入 {out}")
    return EXIT_OK
