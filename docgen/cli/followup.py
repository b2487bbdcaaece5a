"""Commands for the township's regular work: ledgers (A3B3), monthly reports, what is due."""

from __future__ import annotations

from pathlib import Path

import click

from docgen.cli import handles_errors, main, print_problems
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
