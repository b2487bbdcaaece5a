"""The ``docgen`` command line: parses options, calls one library function, prints the result.

This package holds the group and the helpers every command shares; the commands live in one
module per area (cases and ledgers, notices, checking and archives) and are attached at the end.

Exit codes: 0 = all good, 1 = the data has problems, 2 = unusable input or usage,
3 = an internal error (a bug: rerun with ``--debug`` and report the traceback).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from docgen.cli import messages
from docgen.errors import EXIT_OK, EXIT_UNUSABLE, DataProblemsError, DocgenError
from docgen.problems import Problem

EXIT_INTERNAL = 3
messages.install()


def parse_date_option(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"日期应为 YYYY-MM-DD，实际是“{value}”") from exc


today_option = click.option(
    "--today",
    callback=lambda _ctx, _param, value: parse_date_option(value),
    metavar="YYYY-MM-DD",
    help="按这一天判断“将来的日期”和年龄（默认今天）。",
)


def print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem))


def load_checked(files: Sequence[Path], today: dt.date | None = None) -> list[Any]:
    """The checked cases of ``files`` for a command that produces documents.

    Every problem is printed as ``validate`` prints it and nothing is written when a case fails;
    warnings (text Word cannot hold, made safe) go to stderr and the command goes on.
    """
    from docgen.cases import load_cases

    loaded = load_cases(files, today)
    checked = loaded.checked()
    for warning in loaded.warnings:
        click.echo(str(warning), err=True)
    return checked


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
            print_problems(exc.problems)
            click.echo(f"共 {len(exc.problems)} 个问题，未写出任何文件。", err=True)
            code = exc.exit_code
        except DocgenError as exc:
            if debug:
                raise
            click.echo(f"错误：{exc}", err=True)
            code = exc.exit_code
        except OSError as exc:
            # A folder where a file should be, no permission, a full disk: the machine's state, not a bug.
            if debug:
                raise
            where = exc.filename or "输出"
            click.echo(f"错误：{where}: 无法读写（{exc.strerror or exc}）", err=True)
            code = EXIT_UNUSABLE
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
    if not debug:
        # After a failed write (a full disk) a half-written zip or an XML writer is cleaned up later, and fails again
        # as it closes: Python would print that traceback under the one-line error. The error was said already.
        sys.unraisablehook = _quiet_unraisable


def _quiet_unraisable(unraisable: Any) -> None:
    logging.getLogger("docgen").debug("ignored while cleaning up: %r", unraisable.exc_value)


templates_option = click.option(
    "--templates", "template_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
    help="模板目录（默认项目自带的 templates_docx/，其中 registry.yaml 登记各模板）。",
)


spec_option = click.option(
    "--spec", "spec_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
    help="档案资料清单目录（默认项目自带的 archive_specs/）。",
)


checklists_option = click.option(
    "--checklists", "checklist_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
    help="核查规则目录（默认项目自带的 checklists/）。",
)


workspace_option = click.option(
    "--workspace", "workspace_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
    help="本县工作区目录（docgen init 建立；默认当前目录或其上级，或环境变量 DOCGEN_WORKSPACE）。",
)


def county_spec(spec_dir: Path | None = None, checklist_dir: Path | None = None, workspace: Any = None) -> Any:
    """The spec with the county's sources: its workspace's (``workspace``, else the one found as other commands
    find it) adopted documents in place of the local ones it adopts; without a workspace, as the register has it."""
    from docgen.specs import load_spec
    from docgen.workspace import find_workspace

    found = workspace or find_workspace()
    return load_spec(spec_dir, checklist_dir, adopted=found.adopted if found is not None else None)


# The commands register themselves on ``main`` when imported.
from docgen.cli import archive, cases, followup, notices, rules, service  # noqa: E402, F401

