"""The ``docgen`` command line: parses options, calls one library function, prints the result.

Exit codes: 0 = all good, 1 = the data has problems, 2 = unusable input or usage,
3 = an internal error (a bug: rerun with ``--debug`` and report the traceback).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from docgen.errors import EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE, DataProblemsError, DocgenError
from docgen.problems import Problem

EXIT_INTERNAL = 3


def _date_option(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"日期应为 YYYY-MM-DD，实际是“{value}”") from exc


today_option = click.option(
    "--today",
    callback=lambda _ctx, _param, value: _date_option(value),
    metavar="YYYY-MM-DD",
    help="按这一天判断“将来的日期”和年龄（默认今天）。",
)


def _print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem))


def handles_errors(func: Callable[..., int | None]) -> Callable[..., None]:
    """Turn docgen errors into one line on stderr and the exit code; no traceback without --debug."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            code = func(*args, **kwargs) or EXIT_OK
        except BrokenPipeError:
            # The reader went away (``docgen check … | head``): stop quietly, as other tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            code = EXIT_OK
        except DataProblemsError as exc:
            _print_problems(exc.problems)
            click.echo(f"共 {len(exc.problems)} 个问题，未写出任何文件。", err=True)
            code = exc.exit_code
        except DocgenError as exc:
            if debug:
                raise
            click.echo(f"错误：{exc}", err=True)
            code = exc.exit_code
        except Exception as exc:
            if debug:
                raise
            hint = "加 --debug 重新运行可看到详细信息，请报告此问题"
            click.echo(f"内部错误：{type(exc).__name__}: {exc}（{hint}）", err=True)
            code = EXIT_INTERNAL
        sys.exit(code)

    return wrapper


mapping_option = click.option(
    "--mapping", type=click.Path(path_type=Path), default=None,
    help="台账表头映射文件（YAML）；默认使用内置映射，各县可复制后按本地列名修改。",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="出错时显示完整的调用栈（供开发人员排查）。")
@click.option("-v", "--verbose", is_flag=True, help="显示处理过程中的提示信息。")
@click.version_option(package_name="docgen")
def main(debug: bool, verbose: bool) -> None:
    """控辍保学文书生成与一生一案档案整理工具。"""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@today_option
@handles_errors
def validate(files: tuple[Path, ...], today: dt.date | None) -> int:
    """检查案卷 JSON 文件，一次列出全部问题。

    退出码：0 全部合格，1 数据有问题，2 文件无法使用。
    """
    from docgen.cases import validate_files

    report = validate_files(files, today=today)
    _print_problems(report.problems)
    for error in report.unusable:
        click.echo(f"错误：{error}", err=True)
    summary = f"检查了 {len(report.files)} 个文件、{report.case_count} 个案卷"
    if report.unusable:
        click.echo(f"{summary}；{len(report.unusable)} 个文件无法使用。", err=True)
        return EXIT_UNUSABLE
    if report.problems:
        click.echo(f"{summary}，发现 {len(report.problems)} 个问题。", err=True)
        return EXIT_PROBLEMS
    click.echo(f"{summary}，全部合格。", err=True)
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
    from docgen.fsutil import write_text_atomic
    from docgen.ledger import import_ledger, load_mapping

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
    from docgen.cases import read_case_file
    from docgen.ledger import export_ledger, load_mapping

    case_files = [read_case_file(f) for f in files]
    cases = [case for f in case_files for case in f.cases()]
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


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--evidence", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="佐证材料根目录（其下每个案卷一个以案卷编号命名的子目录）。")
@click.option("--institutions", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="单位档案目录（JSON）：各乡镇、村、学校的相关文件、工作机制材料和就读台账。")
@click.option("--report", "report_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="把核查报告写入此目录：JSON、HTML、PDF 和 Excel 各一份。")
@click.option("--as-of", "as_of", callback=lambda _c, _p, v: _date_option(v), metavar="YYYY-MM-DD",
              help="核查截止日期（默认今天）：送教次数算到这一天之前的完整周。")
@click.option("--spec", "spec_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="档案资料清单目录（默认项目自带的 archive_specs/）。")
@click.option("--checklists", "checklist_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="核查规则目录（默认项目自带的 checklists/）。")
@handles_errors
def check(files: tuple[Path, ...], evidence: Path | None, institutions: Path | None, report_dir: Path | None,
          as_of: dt.date | None, spec_dir: Path | None, checklist_dir: Path | None) -> int:
    """核查案卷是否符合迎检档案要求，列出每一处缺漏及其依据。

    退出码：0 全部齐全，1 有缺漏，2 输入无法使用。
    """
    from docgen.cases import read_case_file
    from docgen.check import check_cases
    from docgen.check.institutions import load_units
    from docgen.errors import InputError
    from docgen.report import build_report, write_reports
    from docgen.report.terminal import summary_lines
    from docgen.specs import load_spec

    spec = load_spec(spec_dir, checklist_dir)
    if evidence is not None and not evidence.is_dir():
        raise InputError(str(evidence), "佐证材料目录不存在")
    case_files = [read_case_file(f) for f in files]
    units = load_units(institutions) if institutions else []
    result = check_cases(case_files, spec, as_of or dt.date.today(), evidence, units)
    report = build_report(result, spec, _scope(case_files))
    for line in summary_lines(report):
        click.echo(line)
    if evidence is None:
        click.echo("注意：未指定 --evidence，没有核对佐证材料文件是否存在。", err=True)
    if report_dir is not None:
        written = write_reports(report, report_dir)
        click.echo(f"报告已写入：{', '.join(str(p) for p in written)}")
    return EXIT_PROBLEMS if result.gaps else EXIT_OK


def _scope(case_files: Sequence[Any]) -> str:
    counties = sorted({c.get("hukou_place", {}).get("county", "") for f in case_files for c in f.cases()} - {""})
    names = "、".join(Path(f.name).name for f in case_files)
    return f"{'、'.join(counties) or '（未注明县）'}，案卷文件 {names}"


templates_option = click.option(
    "--templates", "template_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
    help="模板目录（默认项目自带的 templates_docx/，其中 registry.yaml 登记各模板）。",
)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-t", "--template", "template_name", required=True,
              help="模板名称，如 限期复学通知书（docgen templates list 可查看）。")
@click.option("-o", "--out", type=click.Path(path_type=Path, file_okay=False), required=True, help="输出目录。")
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 为每份文书和打印合并文件生成 PDF。")
@click.option("--date", "on", callback=lambda _c, _p, v: _date_option(v), metavar="YYYY-MM-DD",
              help="成文日期（默认今天；案卷已记载的通知书按记载的日期）。")
@click.option("--register", "register_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="文号登记簿（SQLite 文件，默认在输出目录的上一级：文号登记簿.sqlite）。")
@click.option("-q", "--quiet", is_flag=True, help="不显示进度条。")
@templates_option
@handles_errors
def render(files: tuple[Path, ...], template_name: str, out: Path, pdf: bool, on: dt.date | None,
           register_path: Path | None, quiet: bool, template_dir: Path | None) -> int:
    """按模板为每个适用的学生（或每条记录）生成一份 Word 文书，编好文号，另出一份打印合并文件。"""
    from docgen.cases import read_case_file
    from docgen.render import Register, load_registry, render_batch
    from docgen.render.batch import select_jobs

    spec = load_registry(template_dir).get(template_name)
    case_files = [read_case_file(f) for f in files]
    register = Register(register_path or out.parent / "文号登记簿.sqlite")
    show = not quiet and sys.stdout.isatty()
    total = len(select_jobs(spec, case_files)[0]) if show else 0
    with click.progressbar(length=total, label=f"生成{spec.name}", file=sys.stderr) if show else _NoBar() as bar:
        result = render_batch(spec, case_files, out, register=register, on=on or dt.date.today(), pdf=pdf,
                              progress=bar.update)
    if not result.documents:
        click.echo(f"没有需要出具{spec.name}的案卷（{result.skipped} 个案卷不适用）。")
        return EXIT_OK
    numbered = sum(1 for d in result.documents if d.doc_no)
    click.echo(f"已生成{spec.name} {len(result.documents)} 份（编文号 {numbered} 份），输出到 {out}")
    click.echo(f"打印合并文件：{out / result.print_file}；清单：{out / result.manifest}")
    if pdf:
        click.echo(f"PDF：{len(result.documents) + 1} 份，用时 {result.seconds_pdf:.1f} 秒")
    if result.skipped:
        click.echo(f"{result.skipped} 个案卷的处置类别不需要这份文书，已跳过。")
    return EXIT_OK


class _NoBar:
    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int) -> None:
        return None


@main.group()
def numbers() -> None:
    """文号登记簿：查看、查漏号、作废。"""


register_argument = click.option("--register", "register_path", type=click.Path(path_type=Path, dir_okay=False),
                                 required=True, help="文号登记簿（SQLite 文件）。")


@numbers.command("list")
@register_argument
@handles_errors
def numbers_list(register_path: Path) -> int:
    """列出登记簿中的全部文号，并指出漏号。有漏号时退出码为 1。"""
    from docgen.render.numbers import STATUS_LABELS, Register

    register = Register(register_path)
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
@register_argument
@handles_errors
def numbers_void(doc_no: str, reason: str, register_path: Path) -> int:
    """作废一个文号：号码保留在登记簿中，标明作废及原因，不再使用。"""
    from docgen.render.numbers import Register

    Register(register_path).void(doc_no, reason, dt.date.today())
    click.echo(f"已作废 {doc_no}：{reason}")
    return EXIT_OK


@main.group()
def templates() -> None:
    """文书模板：列出、检查。"""


@templates.command("list")
@templates_option
@click.option("--names", is_flag=True, help="只列出模板名称，每行一个（便于脚本使用）。")
@handles_errors
def templates_list(template_dir: Path | None, names: bool) -> int:
    """列出登记的模板。"""
    from docgen.render import load_registry

    for spec in load_registry(template_dir).templates:
        if names:
            click.echo(spec.name)
            continue
        per = "每个学生一份" if not spec.per else f"每条{'.'.join(spec.per)}一份"
        series = f"，文号类别“{spec.series}”" if spec.series else ""
        click.echo(f"{spec.name}：{per}，适用 {'、'.join(spec.applies_to)}{series}")
    return EXIT_OK


@templates.command("check")
@templates_option
@handles_errors
def templates_check(template_dir: Path | None) -> int:
    """检查每个模板：用到的变量是否都在案卷格式中，标记是否完整。有问题时退出码为 1。"""
    from docgen.render import load_registry
    from docgen.render.template_check import check_registry

    registry = load_registry(template_dir)
    problems = check_registry(registry)
    for problem in problems:
        click.echo(str(problem))
    outcome = f"发现 {len(problems)} 个问题" if problems else "全部正确"
    click.echo(f"检查了 {len(registry.templates)} 个模板，{outcome}。", err=True)
    return EXIT_PROBLEMS if problems else EXIT_OK


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--evidence", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="佐证材料根目录（<目录>/<案卷编号>/…，单位材料在 <目录>/units/<单位>/…）。")
@click.option("-o", "--out", type=click.Path(path_type=Path, file_okay=False), required=True, help="档案目录。")
@click.option("--institutions", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="单位档案目录（JSON），把各单位的 A3B1—A3B3 材料一并归档。")
@click.option("--as-of", "as_of", callback=lambda _c, _p, v: _date_option(v), metavar="YYYY-MM-DD",
              help="归档日期（默认今天）。")
@click.option("--zip", "make_zip", is_flag=True, help="另外打包成一个 zip 文件。")
@templates_option
@handles_errors
def assemble(files: tuple[Path, ...], evidence: Path, out: Path, institutions: Path | None, as_of: dt.date | None,
             make_zip: bool, template_dir: Path | None) -> int:
    """按档案资料清单整理迎检档案：每生一个文件夹（封面、卷内目录、案卷 PDF、核查结果），整体做成 BagIt 包。"""
    from docgen.archive import assemble_archive
    from docgen.cases import read_case_file
    from docgen.check.institutions import load_units
    from docgen.errors import InputError
    from docgen.render import load_registry
    from docgen.specs import load_spec

    if not evidence.is_dir():
        raise InputError(str(evidence), "佐证材料目录不存在")
    case_files = [read_case_file(f) for f in files]
    counties = sorted({c.get("hukou_place", {}).get("county", "") for f in case_files for c in f.cases()} - {""})
    result = assemble_archive(case_files, out, load_spec(), load_registry(template_dir), evidence_root=evidence,
                              as_of=as_of or dt.date.today(), units=load_units(institutions) if institutions else [],
                              county="、".join(counties), make_zip=make_zip)
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
