"""Commands for case files and Excel ledgers: validate, import, export, mapping, demo."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from docgen.cli import (
    handles_errors,
    load_checked,
    main,
    mapping_option,
    print_problems,
    today_option,
)
from docgen.errors import EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE, DataProblemsError


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@today_option
@handles_errors
def validate(files: tuple[Path, ...], today: dt.date | None) -> int:
    """检查案卷 JSON 文件，一次列出全部问题。

    退出码：0 全部合格，1 数据有问题，2 文件无法使用。
    """
    from docgen.cases import load_data
    from docgen.cases.load import read_case_json
    from docgen.errors import InputError

    sources, unusable = [], []
    for f in files:
        try:
            sources.append((str(f), read_case_json(f)))
        except InputError as exc:
            unusable.append(exc)
    report = load_data(sources, today)
    print_problems(report.problems)
    for error in unusable:
        click.echo(f"错误：{error}", err=True)
    summary = f"检查了 {len(report.files)} 个文件、{report.case_count} 个案卷"
    if unusable:
        click.echo(f"{summary}；{len(unusable)} 个文件无法使用。", err=True)
        return EXIT_UNUSABLE
    warned = f"，另有 {len(report.warnings)} 处提醒" if report.warnings else ""
    if report.errors:
        click.echo(f"{summary}，发现 {len(report.errors)} 个问题{warned}。", err=True)
        return EXIT_PROBLEMS
    click.echo(f"{summary}，全部合格{warned}。", err=True)
    return EXIT_OK


@main.command("import")
@click.argument("ledger", type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True, help="写出的案卷 JSON 文件。")
@mapping_option
@today_option
@handles_errors
def import_(ledger: Path, out: Path, mapping: Path | None, today: dt.date | None) -> int:
    """把 Excel 台账（.xlsx）转换成案卷 JSON。

    有任何问题时逐条列出（工作表、行、列），不写出文件，退出码 1。
    """
    from docgen.fsutil import refuse_overlap, write_text_atomic
    from docgen.ledger import import_ledger, load_mapping

    refuse_overlap([("输出文件", out)], [("台账", ledger), ("映射文件", mapping)])
    result = import_ledger(ledger, load_mapping(mapping), today=today)
    if result.problems:
        raise DataProblemsError(result.problems)
    write_text_atomic(out, json.dumps(result.batch, ensure_ascii=False, indent=2) + "\n")
    click.echo(f"已从 {ledger} 导入 {len(result.batch['cases'])} 个案卷，写入 {out}")
    return EXIT_OK


@main.command("export")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True, help="写出的 Excel 台账（.xlsx）。")
@mapping_option
@handles_errors
def export(files: tuple[Path, ...], out: Path, mapping: Path | None) -> int:
    """把案卷 JSON 导出为 Excel 台账，便于在 Excel 中查看和修改。"""
    from docgen.fsutil import refuse_overlap
    from docgen.ledger import export_ledger, load_mapping

    refuse_overlap([("输出文件", out)], [("案卷文件", f) for f in files] + [("映射文件", mapping)])
    cases = load_checked(files)
    result = export_ledger(cases, out, load_mapping(mapping), source=", ".join(str(f) for f in files))
    sheets = "，".join(f"{name} {rows} 行" for name, rows in result.rows.items() if rows)
    click.echo(f"已导出 {len(cases)} 个案卷到 {out}（{sheets}）")
    if result.unmapped:
        click.echo(f"注意：映射中没有对应列，以下字段未导出：{'、'.join(result.unmapped)}", err=True)
    return EXIT_OK


@main.command()
@click.argument("out_dir", type=click.Path(path_type=Path))
@handles_errors
def demo(out_dir: Path) -> int:
    """生成示例县（青石县，虚构）的案卷、台账和佐证材料占位文件。"""
    from docgen.demo import build_demo

    summary = build_demo(out_dir)
    click.echo(
        f"示例县已生成：{summary.case_count} 个案卷（{summary.cases_file}），"
        f"{summary.evidence_count} 个佐证材料文件（{summary.evidence_dir}），"
        f"台账 {summary.ledger_file}，预设缺漏 {summary.gap_count} 处（{summary.gaps_file}）"
    )
    return EXIT_OK


@main.command()
@handles_errors
def mapping() -> int:
    """打印内置的台账表头映射（YAML），可另存后按本县台账的列名修改，再用 --mapping 指定。"""
    from docgen.ledger.mapping import DEFAULT_MAPPING
    from docgen.resources import data_text

    click.echo(data_text(DEFAULT_MAPPING), nl=False)
    return EXIT_OK
