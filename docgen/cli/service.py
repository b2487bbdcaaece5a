"""``docgen serve``: the county service in the browser."""

from __future__ import annotations

import os
from pathlib import Path

import click

from docgen.cli import handles_errors, main, workspace_option


@main.command()
@click.option("--bind", default="127.0.0.1:8000", show_default=True, help="监听地址和端口。")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="网页进程数。")
@click.option("--demo", is_flag=True, help="载入示例县（青石县）的单位、账号和案卷，并列出示例账号和密码。")
@workspace_option
@handles_errors
def serve(bind: str, workers: int, demo: bool, workspace_dir: Path | None) -> int:
    """启动县级网页服务（gunicorn），数据库在本县工作区中（或环境变量 DATABASE_URL 指定的数据库）。"""
    from docgen.service.setup import gunicorn_args, prepare
    from docgen.text import pad
    from docgen.workspace import require_workspace

    workspace = require_workspace(workspace_dir)
    accounts = prepare(workspace, demo=demo)
    if accounts:
        click.echo("示例账号（每次载入示例都会重新生成密码）：")
        for a in accounts:
            click.echo(f"  {pad(a.kind, 14)}{pad(a.username, 26)}密码 {a.password}")
    click.echo(f"网页服务：http://{bind}/  （按 Ctrl+C 停止）", err=True)
    args = gunicorn_args(bind, workers)
    os.execv(args[0], args)
    return 0  # not reached
