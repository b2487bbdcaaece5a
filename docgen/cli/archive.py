"""Commands for auditors and archive keepers: check, assemble, verify."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from docgen.cli import (
    checklists_option,
    county_spec,
    handles_errors,
    load_checked,
    main,
    parse_date_option,
    spec_option,
    templates_option,
    workspace_option,
)
from docgen.errors import EXIT_OK, EXIT_PROBLEMS


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--evidence", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="佐证材料根目录（其下每个案卷一个以案卷编号命名的子目录）。")
@click.option("--institutions", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="单位档案目录（JSON）：各乡镇、村、学校的相关文件、工作机制材料和就读台账。")
@click.option("--report", "report_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="把核查报告写入此目录：JSON、HTML、PDF 和 Excel 各一份。")
@click.option("--as-of", "as_of", callback=lambda _c, _p, v: parse_date_option(v), metavar="YYYY-MM-DD",
              help="核查截止日期（默认今天）：送教次数算到这一天之前的完整周。")
@spec_option
@checklists_option
@click.option("--fast", is_flag=True,
              help="快速核查：佐证材料只看文件开头判断类型，不打开核对 PDF 和图片是否损坏。")
@handles_errors
def check(files: tuple[Path, ...], evidence: Path | None, institutions: Path | None, report_dir: Path | None,
          as_of: dt.date | None, spec_dir: Path | None, checklist_dir: Path | None, fast: bool) -> int:
    """核查案卷是否符合迎检档案要求，列出每一处缺漏及其依据。

    退出码：0 全部齐全，1 有缺漏，2 输入无法使用。
    """
    from docgen.check.institutions import load_units
    from docgen.check.stream import audit_files
    from docgen.cli.progress import progress_bar
    from docgen.fsutil import refuse_overlap, require_dir
    from docgen.report import build_report, write_reports
    from docgen.report.terminal import summary_lines

    refuse_overlap([("报告目录", report_dir)], _inputs(files, evidence, institutions, spec_dir, checklist_dir))
    spec = county_spec(spec_dir, checklist_dir)
    if evidence is not None:
        require_dir(evidence, "佐证材料目录")
    units = load_units(institutions) if institutions else []
    with progress_bar("核查案卷", "个案卷", sys.stdout.isatty()) as progress:
        outcome = audit_files(files, spec, as_of or dt.date.today(), evidence, units, fast=fast, progress=progress)
    result = outcome.result
    report = build_report(result, spec, _scope(outcome.counties, len(result.cases)))
    for line in summary_lines(report):
        click.echo(line)
    if outcome.reused:
        click.echo(f"{outcome.reused} 个案卷及其佐证材料与上次核查时相同，沿用了上次的核查结果。", err=True)
    if evidence is None:
        click.echo("注意：未指定 --evidence，没有核对佐证材料文件是否存在。", err=True)
    if report_dir is not None:
        written = write_reports(report, report_dir)
        click.echo(f"报告已写入：{', '.join(str(p) for p in written)}")
    return EXIT_PROBLEMS if result.gaps else EXIT_OK


def _scope(counties: Sequence[str], cases: int) -> str:
    """What the report covers, as a reader names it: the county and how many cases (never a file name)."""
    return f"{'、'.join(counties) or '（未注明县）'}，案卷 {cases} 份"


def _inputs(files: Sequence[Path], evidence: Path | None, institutions: Path | None, spec_dir: Path | None,
            checklist_dir: Path | None, template_dir: Path | None = None) -> list[tuple[str, Path | None]]:
    from docgen.specs import DEFAULT_CHECKLIST_DIR, DEFAULT_SPEC_DIR, DEFAULT_TEMPLATE_DIR

    return [*(("案卷文件", f) for f in files), ("佐证材料目录", evidence), ("单位档案目录", institutions),
            ("档案清单目录", spec_dir or DEFAULT_SPEC_DIR), ("核查规则目录", checklist_dir or DEFAULT_CHECKLIST_DIR),
            ("模板目录", template_dir or DEFAULT_TEMPLATE_DIR)]


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--evidence", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="佐证材料根目录（<目录>/<案卷编号>/…，单位材料在 <目录>/units/<单位>/…）。")
@click.option("-o", "--out", type=click.Path(path_type=Path, file_okay=False), required=True, help="档案目录。")
@click.option("--institutions", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="单位档案目录（JSON），把各单位的 A3B1—A3B3 材料一并归档。")
@click.option("--as-of", "as_of", callback=lambda _c, _p, v: parse_date_option(v), metavar="YYYY-MM-DD",
              help="归档日期（默认今天）。")
@click.option("--zip", "make_zip", is_flag=True, help="另外打包成一个 zip 文件。")
@spec_option
@checklists_option
@templates_option
@workspace_option
@handles_errors
def assemble(files: tuple[Path, ...], evidence: Path, out: Path, institutions: Path | None, as_of: dt.date | None,
             make_zip: bool, spec_dir: Path | None, checklist_dir: Path | None, template_dir: Path | None,
             workspace_dir: Path | None) -> int:
    """按档案资料清单整理迎检档案：每生一个文件夹（封面、卷内目录、案卷 PDF、核查结果），整体做成 BagIt 包。"""
    from docgen.archive import assemble_archive
    from docgen.check.institutions import load_units
    from docgen.fsutil import refuse_overlap, require_dir
    from docgen.render import load_registry
    from docgen.workspace import require_workspace

    workspace = require_workspace(workspace_dir)
    settings = workspace.archive  # the county's 档号 scheme, 保管期限 and 密级
    zip_path = out.parent / f"{out.name}.zip" if make_zip else None
    inputs = _inputs(files, evidence, institutions, spec_dir, checklist_dir, template_dir)
    refuse_overlap([("档案目录", out), ("zip 文件", zip_path)], inputs)
    require_dir(evidence, "佐证材料目录")
    spec, registry = county_spec(spec_dir, checklist_dir, workspace), load_registry(template_dir)
    units = load_units(institutions) if institutions else []
    cases = load_checked(files)
    counties = sorted({c.county for c in cases} - {""})
    result = assemble_archive(cases, out, spec, registry, evidence_root=evidence, as_of=as_of or dt.date.today(),
                              units=units, county="、".join(counties), make_zip=make_zip,
                              settings=settings, issuing=workspace.issuing)
    click.echo(f"档案已整理到 {out}：{result.students} 名学生，{result.files} 个文件，"
               f"转换 {result.converted} 个、沿用缓存 {result.reused} 个，用时 {result.seconds:.1f} 秒")
    if result.zip_path:
        click.echo(f"zip：{result.zip_path}")
    for problem in result.problems:
        click.echo(f"未能纳入：{problem}", err=True)
    click.echo(f"核查发现 {result.gaps} 处缺漏，见 {out / 'data' / '核查报告.pdf'} 和各生文件夹中的 核查结果.txt")
    return EXIT_PROBLEMS if result.problems or result.gaps else EXIT_OK


@main.command()
@click.argument("archive", type=click.Path(path_type=Path, file_okay=False))
@handles_errors
def verify(archive: Path) -> int:
    """校验档案是否被改动：列出每一个被修改、缺失和多出的文件。退出码 0 完好，1 有改动。"""
    from docgen.archive import verify_bag

    result = verify_bag(archive)
    for problem in result.problems:
        click.echo(problem)
    if result.problems:
        click.echo(f"档案 {archive} 有 {len(result.problems)} 处改动。", err=True)
        return EXIT_PROBLEMS
    click.echo(f"档案 {archive} 完好：{result.files} 个文件与清单一致（SHA-256）。", err=True)
    return EXIT_OK


@main.command()
@click.argument("before", type=click.Path(path_type=Path))
@click.argument("after", type=click.Path(path_type=Path))
@handles_errors
def diff(before: Path, after: Path) -> int:
    """比较两次核查：按单位和案卷列出已整改、新发现和仍存在的缺漏，附数量。

    BEFORE、AFTER 为 docgen check --report 写出的 核查报告.json（或其所在目录）。退出码：0 没有新缺漏，1 有新缺漏。
    """
    from docgen.report.diff import diff_reports, read_report
    from docgen.report.terminal import diff_lines

    result = diff_reports(read_report(before), read_report(after))
    for line in diff_lines(result):
        click.echo(line)
    return EXIT_PROBLEMS if result.new else EXIT_OK
