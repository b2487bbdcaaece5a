"""Getting a county's service ready to start: its key, its database schema, and (for the demo) its data."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from docgen.service import SECRET_KEY_FILE
from docgen.workspace import Workspace


def prepare(workspace: Workspace, *, demo: bool = False) -> list:
    """Make the service's secret key (once, owner-only), bring the database up to date, load the demo when
    asked; returns the demo accounts (empty otherwise)."""
    key = workspace.root / SECRET_KEY_FILE
    if not key.exists():
        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(secrets.token_urlsafe(50))
    os.environ["DOCGEN_WORKSPACE"] = str(workspace.root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docgen.service.settings")
    import django
    from django.core.management import call_command

    django.setup()
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
