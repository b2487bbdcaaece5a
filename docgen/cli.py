"""The ``docgen`` command line: parses options, calls one library function, prints the result.

Exit codes: 0 = all good, 1 = the data has problems, 2 = unusable input or usage,
3 = an internal error (a bug: rerun with ``--debug`` and report the traceback).
"""

from __future__ import annotations

import datetime as dt
import functools
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
            click.echo(f"内部错误：{type(exc).__name__}: {exc}（加 --debug 重新运行可看到详细信息，请报告此问题）", err=True)
            code = EXIT_INTERNAL
        sys.exit(code)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="出错时显示完整的调用栈（供开发人员排查）。")
@click.version_option(package_name="docgen")
def main(debug: bool) -> None:
    """控辍保学文书生成与一生一案档案整理工具。"""


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
