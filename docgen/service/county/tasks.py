"""The tasks of the service (Django's tasks framework), on whichever worker — the database worker or RQ — picks
them up: run a job (what a job does is in ``jobs``; this only hands the job's number to it), and make the small
picture of an evidence file stored before pictures were made at upload."""

from __future__ import annotations

from django_tasks import task


@task()
def run_job(job_id: int) -> None:
    from docgen.service.county.jobs import run_steps

    run_steps(job_id)


@task()
def make_preview_task(digest: str, suffix: str) -> None:
    """The small picture of a stored evidence file, made in a box on a job worker (never in a web worker)."""
    from docgen.service.county.previews import make_preview

    make_preview(digest, suffix)
