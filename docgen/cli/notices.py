"""Commands for notices and forms: render, numbers, templates."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from docgen.cli import (
    handles_errors,
    main,
    parse_date_option,
    templates_option,
    workspace_option,
)
from docgen.errors import EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE, DocgenError


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-t", "--template", "template_name", required=True,
              help="模板名称，如 限期复学通知书（docgen templates list 可查看）。")
@click.option("-o", "--out", type=click.Path(path_type=Path, file_okay=False), required=True, help="输出目录。")
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 为每份文书和打印合并文件生成 PDF。")
@click.option("--date", "on", callback=lambda _c, _p, v: parse_date_option(v), metavar="YYYY-MM-DD",
              help="成文日期（默认今天；案卷已记载的通知书按记载的日期）。")
@workspace_option
@click.option("-q", "--quiet", is_flag=True, help="不显示进度条。")
@templates_option
@handles_errors
def render(files: tuple[Path, ...], template_name: str, out: Path, pdf: bool, on: dt.date | None,
           workspace_dir: Path | None, quiet: bool, template_dir: Path | None) -> int:
    """按模板为每个适用的学生（或每条记录）生成一份 Word 文书，编好文号，另按学校出打印合并文件。

    编文号的文书从本县工作区的文号登记簿取号（见 docgen init）。"""
    from docgen.cli.progress import progress_bar
    from docgen.fsutil import refuse_overlap
    from docgen.render import load_registry, render_batch, render_files
    from docgen.render.registry import DEFAULT_TEMPLATE_DIR
    from docgen.render.stream import PRINT_PART
    from docgen.workspace import find_workspace, require_workspace

    spec = load_registry(template_dir).get(template_name)
    # Numbering needs the county's register, a 请示 its signer; any other document uses the settings if found.
    workspace = require_workspace(workspace_dir) if spec.series or spec.unit_fields else find_workspace(workspace_dir)
    register = workspace.register if workspace and spec.series else None
    refuse_overlap([("输出目录", out), *([("文号登记簿", register.path)] if register else [])],
                   [*(("案卷文件", f) for f in files), ("模板目录", template_dir or DEFAULT_TEMPLATE_DIR)])
    entrants = None
    if spec.source == "roster":
        from docgen.roster.entrants import load_entrants
        from docgen.roster.model import outside_school_year

        if len(files) != 1:
            raise click.UsageError(f"{spec.name}按适龄儿童少年台账出具，请只给一个台账文件（roster.json）")
        entrants = load_entrants(files[0])
        wrong_year = entrants and outside_school_year(entrants[0].school_year, on or dt.date.today(), "成文日期")
        if wrong_year:
            raise DocgenError(("--date：" if on else "成文日期取今天（未用 --date 指定）：") + wrong_year)
    show = not quiet and sys.stdout.isatty()
    options = {"register": register, "on": on or dt.date.today(), "pdf": pdf,
               "issuing": workspace.issuing if workspace else None}
    with progress_bar(f"生成{spec.name}", "份", show) as progress:
        if entrants is not None:
            result = render_batch(spec, entrants, out, progress=progress, **options)
        else:
            result = render_files(spec, files, out, progress=progress, **options)
    for warning in result.warnings:
        click.echo(str(warning), err=True)
    if not result.documents:
        click.echo(f"没有需要出具{spec.name}的案卷（{result.skipped} 个案卷不适用）。")
        return EXIT_OK
    numbered = sum(1 for d in result.documents if d.doc_no)
    click.echo(f"已生成{spec.name} {len(result.documents)} 份（编文号 {numbered} 份），输出到 {out}")
    day = (on or dt.date.today()).isoformat()
    chosen = sum(1 for d in result.documents if d.date == day)
    said = f"--date 指定的 {day}" if on else f"今天（{day}，可用 --date 指定）"
    if chosen == len(result.documents):
        click.echo(f"成文日期：{said}")
    else:
        click.echo(f"成文日期：{len(result.documents) - chosen} 份按案卷记载或这份文书所随的那一步的日期"
                   + (f"，{chosen} 份用{said}" if chosen else ""))
    parts = len(result.print_files)
    click.echo(f"打印合并文件：{parts} 个（按学校分，每个至多 {PRINT_PART} 份文书），如 {out / result.print_files[0]}"
               if parts > 1 else f"打印合并文件：{out / result.print_files[0]}")
    click.echo(f"清单：{out / result.manifest}")
    if register:
        click.echo(f"文号登记簿：{register.path}")
    if pdf:
        reused = f"，其中 {result.pdf_reused} 份文书未改动，沿用此前转换的 PDF" if result.pdf_reused else ""
        click.echo(f"PDF：{len(result.documents) + parts} 份，用时 {result.seconds_pdf:.1f} 秒{reused}")
    if result.skipped:
        click.echo(f"{result.skipped} 个案卷的处置类别不需要这份文书，已跳过。")
    if spec.source == "roster":
        click.echo("只发给台账中今年应入学的儿童（满六周岁入一年级、小学毕业升入初中）的家长。")
    return EXIT_OK


@main.group()
def numbers() -> None:
    """文号登记簿：查看、查漏号、作废。"""


@numbers.command("list")
@workspace_option
@handles_errors
def numbers_list(workspace_dir: Path | None) -> int:
    """列出本县文号登记簿中的全部文号，并指出漏号。有漏号时退出码为 1。"""
    from docgen.render.numbers import STATUS_LABELS
    from docgen.workspace import require_workspace

    register = require_workspace(workspace_dir).register
    for e in register.entries():
        reason = f"（{e.void_reason}）" if e.void_reason else ""
        click.echo(f"{e.doc_no}\t{e.issued_on}\t{STATUS_LABELS[e.status]}{reason}\t{e.template}\t{e.case_id}{e.record_key}")
    gaps = register.gaps()
    for issuer, series, year, missing in gaps:
        click.echo(f"漏号：{issuer} {series}〔{year}〕缺 {'、'.join(map(str, missing))} 号", err=True)
    return EXIT_PROBLEMS if gaps else EXIT_OK


@numbers.command("void")
@click.argument("doc_no")
@click.option("--reason", required=True, help="作废原因。")
@workspace_option
@handles_errors
def numbers_void(doc_no: str, reason: str, workspace_dir: Path | None) -> int:
    """作废一个文号：号码保留在登记簿中，标明作废及原因，不再使用。"""
    from docgen.workspace import require_workspace

    require_workspace(workspace_dir).register.void(doc_no, reason, dt.date.today())
    click.echo(f"已作废 {doc_no}：{reason}")
    return EXIT_OK


@numbers.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@workspace_option
@templates_option
@handles_errors
def numbers_import(file: Path, workspace_dir: Path | None, template_dir: Path | None) -> int:
    """把已经在纸面上发出的文号（Excel：文号、文书、发文机关、案卷编号、成文日期）登记进本县登记簿，
    之后取号接着这些号往下编。有错时逐格指出，一个也不登记。"""
    from docgen.render import load_registry
    from docgen.render.paper_numbers import import_paper_numbers
    from docgen.workspace import require_workspace

    register = require_workspace(workspace_dir).register
    added = import_paper_numbers(file, load_registry(template_dir), register)
    click.echo(f"已登记 {added} 个纸面文号到 {register.path}")
    return EXIT_OK


@main.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False), default=".")
@click.option("--county", required=True, help="县（市、区）名称，如 青石县。")
@handles_errors
def init(folder: Path, county: str) -> int:
    """把一个目录设为本县的工作区：县的设置（docgen-workspace.yaml）和全县唯一的文号登记簿。"""
    from docgen.workspace import init_workspace

    workspace = init_workspace(folder, county)
    click.echo(f"工作区：{workspace.root}（{workspace.county}）")
    click.echo(f"设置：{workspace.settings_file}；文号登记簿：{workspace.register.path}")
    click.echo("在这个目录或其子目录中运行 docgen，或用 --workspace / 环境变量 DOCGEN_WORKSPACE 指定。")
    return EXIT_OK


@main.group()
def templates() -> None:
    """文书模板：列出、检查。"""


@templates.command("list")
@templates_option
@click.option("--names", is_flag=True, help="只列出模板名称，每行一个（便于脚本使用）。")
@click.option("--source", type=click.Choice(["cases", "roster"]), default=None,
              help="只列出按案卷（cases）或按适龄儿童少年台账（roster）出具的模板。")
@handles_errors
def templates_list(template_dir: Path | None, names: bool, source: str | None) -> int:
    """列出登记的模板。"""
    from docgen.render import load_registry

    for spec in load_registry(template_dir).templates:
        if source and spec.source != source:
            continue
        if names:
            click.echo(spec.name)
            continue
        per = ("按台账，每个应入学的儿童一份" if spec.source == "roster" else
               "每个学生一份" if not spec.per else f"每条{'.'.join(spec.per)}一份")
        series = f"，文号类别“{spec.series}”" if spec.series else ""
        click.echo(f"{spec.name}：{per}，适用 {'、'.join(spec.applies_to)}{series}")
    return EXIT_OK


@templates.command("check")
@templates_option
@handles_errors
def templates_check(template_dir: Path | None) -> int:
    """检查每个模板：用到的变量是否都在案卷格式中，标记是否完整。有问题时退出码为 1；有生成文书时会被拒绝的模板
    （语法错误、标记跨了表格等层次、取用程序内部）时为 2。"""
    from docgen.demo import template_samples
    from docgen.render import load_registry
    from docgen.render.template_check import TEMPLATE_REFUSED, check_registry

    registry = load_registry(template_dir)
    problems = check_registry(registry, template_samples())  # each template tried on the demo county
    for problem in problems:
        click.echo(str(problem))
    outcome = f"发现 {len(problems)} 个问题" if problems else "全部正确"
    click.echo(f"检查了 {len(registry.templates)} 个模板，{outcome}。", err=True)
    if any(p.id == TEMPLATE_REFUSED for p in problems):
        return EXIT_UNUSABLE
    return EXIT_PROBLEMS if problems else EXIT_OK
