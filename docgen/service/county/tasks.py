"""The one task of the service (Django's tasks framework): run a job. What a job does is in ``jobs``; this only
hands the job's number to it, on whichever worker — the database worker or RQ — picks the task up."""

from __future__ import annotations

from django_tasks import task


@task()
def run_job(job_id: int) -> None:
    from docgen.service.county.jobs import run_steps

    run_steps(job_id)
