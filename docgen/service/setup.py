"""Getting a county's service ready to start: its key, its database schema, and (for the demo) its data."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from docgen.service import SECRET_KEY_FILE
from docgen.workspace import Workspace


def configure(workspace: Workspace) -> None:
    """Point Django at the county's workspace and set it up (no database change)."""
    os.environ["DOCGEN_WORKSPACE"] = str(workspace.root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docgen.service.settings")
    import django

    django.setup()


def prepare(workspace: Workspace, *, demo: bool = False) -> list:
    """Make the service's secret key (once, owner-only), bring the database up to date, load the demo when
    asked; returns the demo accounts (empty otherwise)."""
    key = workspace.root / SECRET_KEY_FILE
    if not key.exists():
        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(secrets.token_urlsafe(50))
    configure(workspace)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    if not demo:
        return []
    from docgen.service.county.demo import load_demo

    return load_demo()


def gunicorn_args(bind: str, workers: int) -> list[str]:
    """gunicorn serving the service: a real server, also for the demo (never Django's development server)."""
    binary = Path(sys.executable).with_name("gunicorn")
    return [str(binary), "docgen.service.wsgi:application", "--bind", bind, "--workers", str(workers),
            "--access-logfile", "-", "--capture-output"]


def worker_args(workspace: Workspace) -> list[str]:
    """A job worker for the workspace (``docgen worker``), as a command line."""
    binary = Path(sys.executable).with_name("docgen")
    return [str(binary), "worker", "--workspace", str(workspace.root)]


def run_worker(workspace: Workspace, *, burst: bool = False) -> None:
    """Run jobs until stopped: the database worker, or an RQ worker when the settings name Redis; beside it the
    watchdog that queues again the jobs of workers that died."""
    import threading

    configure(workspace)
    from django.conf import settings
    from django.core.management import call_command

    from docgen.service.county.jobs.watchdog import start_watchdog

    stop = threading.Event()
    start_watchdog(stop)
    try:
        if settings.REDIS_URL:
            # django-tasks-rq's job class runs the task (RQ's own would call the Task object itself)
            call_command("rqworker", "default", burst=burst, job_class="django_tasks_rq.backend.Job", verbosity=1)
        else:
            call_command("db_worker", batch=burst, interval=1, verbosity=1, startup_delay=False)
    finally:
        stop.set()


def supervise(commands: list[list[str]]) -> int:
    """Run the web server and the job workers side by side; Ctrl+C or SIGTERM stops them all. When one of them
    ends on its own the others are stopped too, and its exit status is returned."""
    import signal
    import subprocess
    import time

    processes = [subprocess.Popen(command) for command in commands]

    def stop(signum: int, _frame: object) -> None:
        for p in processes:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM if signum != signal.SIGINT else signal.SIGINT)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    status = 0
    while all(p.poll() is None for p in processes):
        time.sleep(0.5)
    status = next(p.returncode for p in processes if p.returncode is not None)
    for p in processes:
        if p.poll() is None:
            p.terminate()
    for p in processes:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
    from docgen.convert import pool

    pool.stop_all()  # the machine's PDF converters this service started (those another process holds stay)
    return status
