"""Queuing a task by its name (``docgen.service.county.tasks``, the workers' entry, imports what the tasks run;
what queues one names it, as RQ and the database worker do, so neither imports the other)."""

from __future__ import annotations

from typing import Any

from django.utils.module_loading import import_string

TASKS = "docgen.service.county.tasks"


def enqueue(name: str, *args: Any) -> None:
    """Queue the task ``name`` (``run_job``, ``make_preview_task``) with ``args``."""
    import_string(f"{TASKS}.{name}").enqueue(*args)
