"""Background jobs of the county service: a batch of documents, an archive, an audit. A view starts one with
:func:`start` (the job row and its task are made in one transaction); a worker runs it through the runner; the
job's page follows its progress and offers its result. Who may start what follows the unit, as for one document.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import QuerySet, Sum
from django.utils import timezone

from docgen.errors import DocgenError
from docgen.service.county import audit, door
from docgen.service.county.door import Actor
from docgen.service.county.jobs.runner import Run, job_folder
from docgen.service.county.models import AuditRun, Job, Unit
from docgen.service.county.queue import enqueue

__all__ = [
    "JobRefused",
    "Run",
    "audits_of_scope",
    "batch_templates",
    "cancel",
    "expire_results",
    "job_folder",
    "job_of",
    "may_start",
    "result_path",
    "run_steps",
    "start",
    "visible_audits",
    "visible_jobs",
]
log = logging.getLogger("docgen.jobs")
EXPIRED = "结果已超过保存期限，已删除；需要时请重新发起任务。"


class JobRefused(DocgenError):
    """A job that may not start now (the unit's quota): the message says why and what to do."""


def _steps() -> dict[str, Any]:
    from docgen.service.county.jobs import archive, audits, render, reports, roster

    return {Job.Kind.RENDER: render.run, Job.Kind.ARCHIVE: archive.run, Job.Kind.AUDIT: audits.run,
            Job.Kind.MONTHLY: reports.run, Job.Kind.ROSTER: roster.run}


def run_steps(job_id: int) -> None:
    """Run one attempt at the job (called by the task, in a worker)."""
    from docgen.service.county.jobs.runner import run

    run(job_id, _steps())


def start(actor: Actor, kind: str, params: dict[str, Any], title: str) -> Job:
    """Record the job and queue its task once the transaction commits (a worker never sees a job not yet saved).
    The door's NotFound when the actor's unit may not start this kind; JobRefused over the unit's quota."""
    from django.db import transaction

    unit = actor.unit
    if unit is None or not may_start(unit, kind):
        raise door.NotFound
    expire_results()
    with door.writing():
        waiting = Job.objects.filter(unit=unit, status__in=(Job.Status.QUEUED, Job.Status.RUNNING)).count()
        if waiting >= settings.JOB_UNIT_QUEUE:
            raise JobRefused(f"本单位已有 {waiting} 个任务在排队或进行中，请等它们完成后再发起")
        kept = Job.objects.filter(unit=unit, status=Job.Status.DONE).aggregate(n=Sum("result_size"))["n"] or 0
        if kept > settings.JOB_UNIT_QUOTA_BYTES:
            _free(unit, kept - settings.JOB_UNIT_QUOTA_BYTES)
        job = Job.objects.create(county=unit.county, unit=unit, kind=kind, params=params, title=title,
                                 created_by=actor.username)
        audit.log(actor, audit.JOB_STARTED, f"#{job.pk}", kind=kind, title=title)
        transaction.on_commit(lambda: enqueue("run_job", job.pk))
    return job


def _drop_result(job: Job, why: str) -> None:
    shutil.rmtree(job_folder(job.pk), ignore_errors=True)
    Job.objects.filter(pk=job.pk).update(result_file="", result_size=0, message=f"{job.message}（{why}）"[:2000])


def _free(unit: Unit, needed: int) -> None:
    """Make room in the unit's quota: its oldest kept results go first."""
    freed = 0
    for job in Job.objects.filter(unit=unit, status=Job.Status.DONE).exclude(result_file="").order_by("finished"):
        if freed >= needed:
            break
        freed += job.result_size
        _drop_result(job, "本单位保存的结果超过上限，最早的结果已删除")


def expire_results(now: dt.datetime | None = None) -> int:
    """Delete the result files of jobs finished more than JOB_RESULT_DAYS ago (the job and its log stay)."""
    limit = (now or timezone.now()) - dt.timedelta(days=settings.JOB_RESULT_DAYS)
    old = list(Job.objects.filter(finished__lt=limit).exclude(result_file=""))
    for job in old:
        _drop_result(job, EXPIRED)
    if old:
        log.info("results of %d jobs expired", len(old))
    return len(old)


def _of_unit(rows, unit: Unit | None) -> QuerySet:
    """Rows of the county's jobs or audits a unit sees: the bureau and auditors all, others their unit's own."""
    if unit is None:
        return rows.none()
    rows = rows.filter(county=unit.county)
    return rows if unit.county_wide else rows.filter(unit=unit)


def visible_jobs(actor: Actor) -> QuerySet[Job]:
    """The bureau and auditors see the county's jobs; townships and schools their own unit's."""
    return _of_unit(Job.objects, actor.unit)


def job_of(actor: Actor, pk: int) -> Job:
    """A job the actor sees (the door's NotFound otherwise)."""
    found = visible_jobs(actor).select_related("unit").filter(pk=pk).first()
    if found is None:
        raise door.NotFound
    return found


def cancel(actor: Actor, job: Job) -> None:
    """Ask the job to stop: a queued job is cancelled at once, a running one at its next step. Only its own
    unit cancels it (NotFound for others)."""
    if actor.unit is None or job.unit_id != actor.unit.pk:
        raise door.NotFound
    with door.writing():
        Job.objects.filter(pk=job.pk).update(cancel_requested=True)
        Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(status=Job.Status.CANCELLED,
                                                                        message="已取消")
        audit.log(actor, audit.JOB_CANCELLED, f"#{job.pk}", title=job.title)


def batch_templates(unit: Unit | None) -> list[str]:
    """The documents this unit may issue as a batch (auditors none)."""
    from docgen.service.county.documents import may_issue, registry_specs

    return [s.name for s in registry_specs() if may_issue(unit, s)]


def may_start(unit: Unit | None, kind: str) -> bool:
    """Batches: a unit that issues documents; archives and the roster's ledgers: the bureau, townships and schools;
    audits and monthly reports: also auditors."""
    if unit is None or kind not in Job.Kind.values:
        return False
    if kind == Job.Kind.RENDER:
        return bool(batch_templates(unit))
    if kind in (Job.Kind.AUDIT, Job.Kind.MONTHLY):
        return unit.kind in (Unit.Kind.BUREAU, Unit.Kind.AUDITOR, Unit.Kind.TOWNSHIP, Unit.Kind.SCHOOL)
    return unit.kind in (Unit.Kind.BUREAU, Unit.Kind.TOWNSHIP, Unit.Kind.SCHOOL)


def visible_audits(actor: Actor) -> QuerySet[AuditRun]:
    return _of_unit(AuditRun.objects, actor.unit)


def audits_of_scope(actor: Actor) -> QuerySet[AuditRun]:
    """The audits of just what the actor's unit sees: the county's — run by the bureau or an auditor, the same
    cases either way — for either of them; a township's or school's own."""
    unit = actor.unit
    if unit is None:
        return AuditRun.objects.none()
    if unit.county_wide:
        return visible_audits(actor).filter(unit__kind__in=Unit.COUNTY_WIDE)
    return visible_audits(actor).filter(unit=unit)


def result_path(job: Job) -> Path | None:
    """The job's result file, once the job is done."""
    if job.status != Job.Status.DONE or not job.result_file:
        return None
    path = job_folder(job.pk) / job.result_file
    return path if path.is_file() else None


def audit_trend(actor: Actor, count: int = 8) -> list[tuple[AuditRun, int | None]]:
    """The latest audits of the unit's scope (see :func:`audits_of_scope`), oldest first, each with the change in
    gaps since the one before (None first)."""
    runs = list(audits_of_scope(actor).order_by("-created")[:count])[::-1]
    return [(run, None if i == 0 else run.gaps - runs[i - 1].gaps) for i, run in enumerate(runs)]
