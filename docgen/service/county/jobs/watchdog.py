"""Jobs whose worker died: a running job whose heartbeat stopped is queued again (a new task for the same job),
at most ``MAX_ATTEMPTS`` times; after that it fails with a message. Every worker runs the watchdog, so a job
is recovered as long as one worker lives; the conditional update lets only one of them queue it."""

from __future__ import annotations

import datetime as dt
import logging
import threading

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import timezone

from docgen.service.county.models import Job

log = logging.getLogger("docgen.jobs")
MAX_ATTEMPTS = 3
INTERVAL = 5
EXPIRE_EVERY = 720  # rounds of INTERVAL: once an hour


def requeue_stale(now: dt.datetime | None = None) -> list[int]:
    """Queue again (or fail, after too many attempts) every running job not heard of for JOB_STALE_SECONDS;
    returns the jobs queued again."""
    from docgen.service.county.tasks import run_job

    limit = (now or timezone.now()) - dt.timedelta(seconds=settings.JOB_STALE_SECONDS)
    requeued = []
    for job in Job.objects.filter(status=Job.Status.RUNNING, heartbeat__lt=limit):
        stamp = timezone.localtime().strftime("%H:%M:%S")
        why = f"{stamp} 执行它的工作进程已中断（{settings.JOB_STALE_SECONDS} 秒无心跳），重新排队\n"
        with transaction.atomic():
            if job.attempts >= MAX_ATTEMPTS:
                Job.objects.filter(pk=job.pk, lease=job.lease).update(
                    status=Job.Status.FAILED, lease="", finished=timezone.now(),
                    message=f"执行了 {job.attempts} 次都因工作进程中断而没有完成。",
                    advice="请联系县教育局的系统管理员检查后台工作进程（docgen worker）是否正常运行。",
                    log=Concat(F("log"), Value(f"{stamp} 工作进程又一次中断，不再重试\n")))
                continue
            taken = Job.objects.filter(pk=job.pk, lease=job.lease, status=Job.Status.RUNNING).update(
                status=Job.Status.QUEUED, lease="",
                log=Concat(F("log"), Value(why)))
            if taken:
                transaction.on_commit(lambda pk=job.pk: run_job.enqueue(pk))
                requeued.append(job.pk)
    if requeued:
        log.warning("jobs queued again after their worker died: %s", requeued)
    return requeued


def start_watchdog(stop: threading.Event) -> threading.Thread:
    """Check for stale jobs every few seconds, and for results past their keeping time every hour, until
    ``stop`` is set (a daemon thread of the worker process)."""
    def loop() -> None:
        from docgen.service.county.jobs import expire_results

        rounds = 0
        try:
            while not stop.wait(INTERVAL):
                try:
                    requeue_stale()
                    if rounds % EXPIRE_EVERY == 0:
                        expire_results()
                    rounds += 1
                except Exception:  # a database hiccup must not end the watchdog
                    log.exception("watchdog: checking for stale jobs failed")
                    connection.close()
        finally:
            connection.close()

    thread = threading.Thread(target=loop, name="docgen-watchdog", daemon=True)
    thread.start()
    return thread
