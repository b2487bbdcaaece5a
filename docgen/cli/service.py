"""``docgen serve``: the county service in the browser."""

from __future__ import annotations

from pathlib import Path

import click

from docgen.cli import handles_errors, main, workspace_option


@main.command()
@click.option("--bind", default="127.0.0.1:8000", show_default=True, help="监听地址和端口。")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="网页进程数。")
@click.option("--job-workers", default=1, show_default=True, type=click.IntRange(0, 64),
              help="同时启动的后台任务进程数（0：只提供网页，任务由其他机器上的 docgen worker 执行）。")
@click.option("--demo", is_flag=True, help="载入示例县（青石县）的单位、账号和案卷，并列出示例账号和密码。")
@workspace_option
@handles_errors
def serve(bind: str, workers: int, job_workers: int, demo: bool, workspace_dir: Path | None) -> int:
    """启动县级网页服务（gunicorn）和后台任务进程，数据库在本县工作区中（或环境变量 DATABASE_URL 指定的数据库）。"""
    from docgen.service.setup import gunicorn_args, prepare, supervise, worker_args
    from docgen.text import pad
    from docgen.workspace import require_workspace

    workspace = require_workspace(workspace_dir)
    accounts = prepare(workspace, demo=demo)
    if accounts:
        click.echo("示例账号（每次载入示例都会重新生成密码）：")
        for a in accounts:
            click.echo(f"  {pad(a.kind, 14)}{pad(a.username, 26)}密码 {a.password}")
    click.echo(f"网页服务：http://{bind}/  （按 Ctrl+C 停止）", err=True)
    return supervise([gunicorn_args(bind, workers)] + [worker_args(workspace)] * job_workers)


@main.command()
@click.option("--burst", is_flag=True, help="做完排队中的任务就退出。")
@workspace_option
@handles_errors
def worker(burst: bool, workspace_dir: Path | None) -> int:
    """执行后台任务（批量出具文书、整理档案、核查）。

    设置 DOCGEN_REDIS_URL 时从 Redis（RQ）领取任务，可在多台机器上运行。"""
    from docgen.service.setup import run_worker
    from docgen.workspace import require_workspace

    run_worker(require_workspace(workspace_dir), burst=burst)
    return 0


@main.command()
@click.argument("username")
@click.option("--unit", "unit_name", required=True, help="单位名称，如 云溪镇人民政府、云溪镇中心小学。")
@click.option("--kind", type=click.Choice(["bureau", "township", "school", "auditor"]), required=True,
              help="单位类别：bureau 县教育局，township 乡镇，school 学校，auditor 督导（只读）。")
@click.option("--township", default="", help="乡镇和学校所属的乡镇，如 云溪镇。")
@workspace_option
@handles_errors
def account(username: str, unit_name: str, kind: str, township: str, workspace_dir: Path | None) -> int:
    """为网页服务建立（或重设）一个账号：单位不存在时一并建立，打印新密码。"""
    from docgen.service.setup import prepare
    from docgen.workspace import require_workspace

    workspace = require_workspace(workspace_dir)
    prepare(workspace)
    from docgen.service.county.accounts import add_account
    from docgen.service.county.door import command_actor

    made = add_account(command_actor(workspace.county, "docgen account"), username, unit_name, kind, township,
                       new_unit=True, again=True)
    click.echo(f"账号 {username}（{unit_name}）的密码：{made.password}")
    if made.similar:
        click.echo(f"注意：新建了单位“{unit_name}”，本县已有相近的单位 {'、'.join(made.similar)}，请确认不是同一个单位",
                   err=True)
    return 0


@main.group()
def audit() -> None:
    """网页服务的操作日志。"""


@audit.command("verify")
@workspace_option
@handles_errors
def audit_verify(workspace_dir: Path | None) -> int:
    """逐条核对操作日志的哈希链：每一条都接在上一条之后、内容与哈希相符、时间不倒退，数据库的保护触发器都在。
    完整时打印条数和链头（可抄下存档），退出码 0；不完整时指出第一处断开的地方，退出码 1。"""
    from docgen.service.setup import configure
    from docgen.workspace import require_workspace

    configure(require_workspace(workspace_dir))  # reads only: no migration, no key made
    from django.conf import settings
    from django.db import DatabaseError

    from docgen.errors import InputError
    from docgen.service.county.audit import verify

    database = settings.DATABASES["default"]
    missing = InputError(str(database.get("NAME", "")),
                         "无法读取操作日志：数据库还没有建立或连不上（先运行 docgen serve）")
    if database["ENGINE"].endswith("sqlite3") and not Path(database["NAME"]).is_file():
        raise missing  # (opening it would make an empty one)
    try:
        check = verify()
    except DatabaseError as exc:
        raise missing from exc
    click.echo(check.summary())
    return 0 if check.whole else 1
