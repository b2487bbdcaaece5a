"""Background jobs of the county service: a batch of documents, an archive, an audit. A view starts one with
:func:`start` (the job row and its task are made in one transaction); a worker runs it through the runner; the
job's page follows its progress and offers its result. Who may start what follows the unit, as for one document.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from docgen.service.county import audit
from docgen.service.county.access import unit_of
from docgen.service.county.jobs.runner import Run, job_folder
from docgen.service.county.models import AuditRun, Job, Unit

__all__ = ["Run", "batch_templates", "cancel", "job_folder", "may_start", "result_path", "run_steps", "start",
           "visible_audits", "visible_jobs"]


def _steps() -> dict[str, Any]:
    from docgen.service.county.jobs import archive, audits, render, reports

    return {Job.Kind.RENDER: render.run, Job.Kind.ARCHIVE: archive.run, Job.Kind.AUDIT: audits.run,
            Job.Kind.MONTHLY: reports.run}


def run_steps(job_id: int) -> None:
    """Run one attempt at the job (called by the task, in a worker)."""
    from docgen.service.county.jobs.runner import run

    run(job_id, _steps())


def start(request: HttpRequest, unit: Unit, kind: str, params: dict[str, Any], title: str) -> Job:
    """Record the job and queue its task once the transaction commits (a worker never sees a job not yet saved)."""
    from docgen.service.county.tasks import run_job

    with transaction.atomic():
        job = Job.objects.create(county=unit.county, unit=unit, kind=kind, params=params, title=title,
                                 created_by=request.user.get_username())
        audit.log(request, audit.JOB_STARTED, f"#{job.pk}", kind=kind, title=title)
        transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def _of_unit(rows, unit: Unit | None) -> QuerySet:
    """Rows of the county's jobs or audits a unit sees: the bureau and auditors all, others their unit's own."""
    if unit is None:
        return rows.none()
    rows = rows.filter(county=unit.county)
    return rows if unit.kind in (Unit.Kind.BUREAU, Unit.Kind.AUDITOR) else rows.filter(unit=unit)


def visible_jobs(user: AbstractBaseUser) -> QuerySet[Job]:
    """The bureau and auditors see the county's jobs; townships and schools their own unit's."""
    return _of_unit(Job.objects, unit_of(user))


def cancel(request: HttpRequest, job: Job) -> None:
    """Ask the job to stop: a queued job is cancelled at once, a running one at its next step."""
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(cancel_requested=True)
        Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(status=Job.Status.CANCELLED,
                                                                        message="已取消")
        audit.log(request, audit.JOB_CANCELLED, f"#{job.pk}", title=job.title)


def batch_templates(unit: Unit | None) -> list[str]:
    """The documents this unit may issue as a batch (auditors none)."""
    from docgen.service.county.documents import may_issue, registry_specs

    return [s.name for s in registry_specs() if may_issue(unit, s)]


def may_start(unit: Unit | None, kind: str) -> bool:
    """Batches: a unit that issues documents; archives: the bureau, townships and schools; audits and monthly
    reports: also auditors."""
    if unit is None:
        return False
    if kind == Job.Kind.RENDER:
        return bool(batch_templates(unit))
    if kind in (Job.Kind.AUDIT, Job.Kind.MONTHLY):
        return unit.kind in (Unit.Kind.BUREAU, Unit.Kind.AUDITOR, Unit.Kind.TOWNSHIP, Unit.Kind.SCHOOL)
    return unit.kind in (Unit.Kind.BUREAU, Unit.Kind.TOWNSHIP, Unit.Kind.SCHOOL)


def visible_audits(user: AbstractBaseUser) -> QuerySet[AuditRun]:
    return _of_unit(AuditRun.objects, unit_of(user))


def result_path(job: Job) -> Path | None:
    """The job's result file, once the job is done."""
    if job.status != Job.Status.DONE or not job.result_file:
        return None
    path = job_folder(job.pk) / job.result_file
    return path if path.is_file() else None


def audit_trend(user: AbstractBaseUser, count: int = 8) -> list[tuple[AuditRun, int | None]]:
    """The unit's latest audits, oldest first, each with the change in gaps since the one before (None first)."""
    unit = unit_of(user)
    runs = list(visible_audits(user).filter(unit=unit).order_by("-created")[:count])[::-1] if unit else []
    return [(run, None if i == 0 else run.gaps - runs[i - 1].gaps) for i, run in enumerate(runs)]
