"""Commands for the township's regular work: ledgers (A3B3), monthly reports, what is due."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from docgen.cli import handles_errors, main, parse_date_option, print_problems
from docgen.errors import EXIT_OK, EXIT_PROBLEMS

UNIT_KINDS = {"county": "全县", "township": "乡镇", "primary": "小学", "middle": "中学"}


def _unit_kind(unit: str) -> str:
    if not unit:
        return "county"
    if unit.endswith(("镇", "乡", "街道")):
        return "township"
    return "middle" if "中学" in unit else "primary"


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
    from docgen.cases import read_case_file
    from docgen.roster import build_tables, load_roster, reconcile, write_tables
    from docgen.roster.tables import COLUMN_LABELS, COLUMNS
    from docgen.roster.writers import MEASURES

    kind = _unit_kind(unit)
    if kind == "primary":
        unit = next((c.get("hukou_place", {}).get("township", "") for f in case_paths
                     for c in read_case_file(f).cases() if c.get("student", {}).get("school") == unit), unit)
        kind = "township"  # a primary school counts its district: the township's villages
    loaded = load_roster(roster)
    cases = [c for f in case_paths for c in read_case_file(f).cases()]
    tables = build_tables(loaded, cases, unit, kind)
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
@click.option("-o", "--out", type=click.Path(path_type=Path, file_okay=False), required=True, help="输出目录。")
@click.option("--pdf", is_flag=True, help="同时生成 PDF。")
@handles_errors
def monthly(files: tuple[Path, ...], month: dt.date, units: tuple[str, ...], roster: Path | None, filler: str,
            out: Path, pdf: bool) -> int:
    """生成控辍保学月报表（每个乡镇、学校一份）；没有辍学学生的单位出零报告。"""
    from docgen.cases import read_case_file
    from docgen.followup import monthly_report
    from docgen.followup.writers import write_monthly
    from docgen.roster import load_roster

    cases = [c for f in files for c in read_case_file(f).cases()]
    if not units:
        found = {c["hukou_place"]["township"] for c in cases} | {c["student"]["school"] for c in cases}
        if roster:
            found |= {ch["school"] for ch in load_roster(roster).children if ch.get("school")}
        units = tuple(sorted(found))
    written = []
    for unit in units:
        report = monthly_report(cases, unit, month)
        written.append(write_monthly(report, out, filler, dt.date.today()))
        kind = "零报告" if report.zero else (f"新增 {report.total('new_suspected') + report.total('new_dropped')}，"
                                             f"复学 {report.total('returned')}，销号 {report.total('closed')}，"
                                             f"月末未复学 {report.total('open')}")
        click.echo(f"{unit} {report.label}：{kind}")
    if pdf:
        from docgen.render.pdf import convert_to_pdf

        convert_to_pdf(out, [p.name for p in written])
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
    from docgen.cases import read_case_file
    from docgen.followup import due_actions
    from docgen.followup.writers import write_due
    from docgen.specs import load_spec

    on = on or dt.date.today()
    cases = [c for f in files for c in read_case_file(f).cases()]
    actions = due_actions(cases, on, load_spec().calendar)
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
