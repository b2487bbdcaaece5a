"""The tasks of the service (Django's tasks framework), on whichever worker — the database worker or RQ — picks
them up: run a job (what a job does is in ``jobs``; this only hands the job's number to it), and make the small
picture of an evidence file stored before pictures were made at upload.

This module is the workers' entry, above what it runs: the code that queues a task names it
(:func:`docgen.service.county.queue.enqueue`), as the queue itself does, rather than importing it."""

from __future__ import annotations

from django_tasks import task

from docgen.service.county.jobs import run_steps
from docgen.service.county.previews import make_preview


@task()
def run_job(job_id: int) -> None:
    run_steps(job_id)


@task()
def make_preview_task(digest: str, suffix: str) -> None:
    """The small picture of a stored evidence file, made in a box on a job worker (never in a web worker)."""
    make_preview(digest, suffix)
