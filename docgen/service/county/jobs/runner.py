"""Running one job in a worker: claim it with a lease, beat a heartbeat while it runs, report progress, stop when
cancelled, and end it done, failed (in the clerk's words, with what to do) or cancelled.

The lease makes a job safe to run again: a worker that dies leaves the job "running" with a heartbeat that stops;
the watchdog (watchdog.py) queues it again and the next attempt claims it with a new lease. Every write of an
attempt names its lease, so an attempt that was only slow, not dead, finds out and stops instead of racing the
new one. Each kind of job is written in idempotent steps (numbers asked for again are the same numbers; finished
chunks are kept; results are built beside their place and moved in), so an attempt continues where the last
one stopped.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.http import HttpRequest
from django.utils import timezone
from simple_history.models import HistoricalRecords

from docgen.errors import DataProblemsError, DocgenError
from docgen.service.county.models import Job

log = logging.getLogger("docgen.jobs")
HEARTBEAT_SECONDS = 5
PROGRESS_EVERY = 0.5  # seconds between progress writes (the last one of a phase is always written)


class Cancelled(Exception):
    """The clerk asked to cancel the job."""


class LeaseLost(Exception):
    """Another attempt holds the job now (this one was taken for dead): stop without writing anything more."""


class JobFailed(DocgenError):
    """A job that cannot be done as asked: the message and the advice are shown to the clerk."""

    def __init__(self, message: str, advice: str = "") -> None:
        super().__init__(message)
        self.advice = advice


def job_folder(job_id: int) -> Path:
    return Path(settings.JOB_STORE) / str(job_id)


@dataclass
class Run:
    """One attempt at a job, as its steps see it."""

    job: Job
    lease: str
    request: HttpRequest  # the clerk who started the job, for the audit log and the cases' history
    _last_write: float = 0.0

    @property
    def folder(self) -> Path:
        return job_folder(self.job.pk)

    def _update(self, **fields: object) -> None:
        changed = Job.objects.filter(pk=self.job.pk, lease=self.lease).update(heartbeat=timezone.now(), **fields)
        if not changed:
            raise LeaseLost
        for key, value in fields.items():
            if not hasattr(value, "resolve_expression"):
                setattr(self.job, key, value)

    def check_cancelled(self) -> None:
        if Job.objects.filter(pk=self.job.pk, cancel_requested=True).exists():
            raise Cancelled

    def phase(self, name: str, total: int = 0) -> None:
        """A new phase of the job ("编号", "生成文书", …) with ``total`` steps to count."""
        self.check_cancelled()
        self._update(phase=name, done=0, total=total)
        self.note(f"{name}" + (f"（共 {total}）" if total else ""))
        self._last_write = timezone.now().timestamp()

    def progress(self, done: int, total: int | None = None) -> None:
        """``done`` of the phase's steps are done; written at most twice a second, and at the end of the phase."""
        total = self.job.total if total is None else total
        now = timezone.now().timestamp()
        if done < total and now - self._last_write < PROGRESS_EVERY:
            return
        self.check_cancelled()
        self._update(done=done, total=total)
        self._last_write = now

    def cases_with_evidence(self, what: str) -> tuple[list, Path]:
        """The cases the job's unit sees, and their stored evidence laid out in the job's folder as the library
        reads it; JobFailed when there are none (``what``: 整理, 核查 — what there is nothing to do)."""
        from docgen.service.county.access import visible_cases
        from docgen.service.county.store import evidence_tree

        records = list(visible_cases(self.request.user).order_by("case_id"))
        if not records:
            raise JobFailed(f"本单位没有可{what}的案卷", "先录入或导入案卷。")
        self.phase("准备佐证材料", len(records))
        evidence = self.folder / "evidence"
        files = evidence_tree(records, evidence)
        self.progress(len(records), len(records))
        self.note(f"佐证材料 {files} 个")
        return records, evidence

    def keep(self, result: Path, summary: dict) -> None:
        """The job's result file (in its folder) and the summary its page shows."""
        self._update(result_file=result.name, result_size=result.stat().st_size, summary=summary)

    def note(self, line: str) -> None:
        """A line of the job's log (shown on its page)."""
        stamp = timezone.localtime().strftime("%H:%M:%S")
        self._update(log=Concat(F("log"), Value(f"{stamp} {line}\n")))


def acting_as(username: str) -> HttpRequest:
    """A request standing for the clerk who started the job: the audit log and case history name them."""
    request = HttpRequest()
    request.user = User.objects.filter(username=username).first() or User(username=username)
    return request


def claim(job_id: int) -> Run | None:
    """Take the job for this attempt: it must be queued (new, or queued again after a dead worker). None when it
    is finished, cancelled before it started, or held by a live attempt."""
    lease = uuid.uuid4().hex
    now = timezone.now()
    with transaction.atomic():
        taken = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
            status=Job.Status.RUNNING, lease=lease, heartbeat=now, attempts=F("attempts") + 1,
            started=now)
        if not taken:
            return None
    job = Job.objects.get(pk=job_id)
    return Run(job, lease, acting_as(job.created_by))


def _beat(job_id: int, lease: str, stop: threading.Event) -> None:
    """Keep the job's heartbeat fresh while the attempt runs (its own database connection)."""
    try:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                Job.objects.filter(pk=job_id, lease=lease, status=Job.Status.RUNNING).update(
                    heartbeat=timezone.now())
            except DatabaseError:  # busy (a long transaction of the job itself): beat again next time
                log.warning("job %s: heartbeat not written this time", job_id)
                connection.close()
    finally:
        connection.close()


def _finish(run: Run, status: str, message: str = "", advice: str = "") -> None:
    with contextlib.suppress(LeaseLost):
        run._update(status=status, message=message, advice=advice, finished=timezone.now(), lease="")


def run(job_id: int, steps: dict[str, Callable[[Run], str]]) -> None:
    """Run the job's steps (by kind) as one attempt; see the module docstring."""
    attempt = claim(job_id)
    if attempt is None:
        log.info("job %s: not queued, nothing to do", job_id)
        return
    stop = threading.Event()
    beat = threading.Thread(target=_beat, args=(job_id, attempt.lease, stop), daemon=True)
    beat.start()
    HistoricalRecords.context.request = attempt.request
    try:
        attempt.note(f"由工作进程 {socket.gethostname()}:{os.getpid()} 执行")
        if attempt.job.attempts > 1:
            attempt.note(f"第 {attempt.job.attempts} 次执行：接着上次中断的地方继续")
        attempt.check_cancelled()
        message = steps[attempt.job.kind](attempt)
        attempt.note("完成")
        _finish(attempt, Job.Status.DONE, message)
    except Cancelled:
        attempt.note("已按要求取消；已生成的部分不作为结果")
        _finish(attempt, Job.Status.CANCELLED, "已取消")
    except LeaseLost:
        log.warning("job %s: another attempt holds it now; this one stops", job_id)
    except DataProblemsError as exc:
        lines = [str(p) for p in exc.problems]
        for line in lines[:50]:
            attempt.note(line)
        _finish(attempt, Job.Status.FAILED, f"有 {len(lines)} 处案卷数据问题，任务没有生成任何结果：{lines[0]}",
                 "按日志中列出的位置改正案卷后，重新发起任务。")
    except JobFailed as exc:
        _finish(attempt, Job.Status.FAILED, str(exc), exc.advice)
    except DocgenError as exc:
        _finish(attempt, Job.Status.FAILED, str(exc), "改正上面所说的问题后重新发起任务；仍不行请联系县教育局。")
    except Exception:
        log.exception("job %s failed", job_id)
        attempt.note(traceback.format_exc(limit=5))
        _finish(attempt, Job.Status.FAILED, "任务因系统内部错误中止，没有生成结果。",
                 f"请把任务编号 #{job_id} 告诉县教育局的系统管理员。")
    finally:
        HistoricalRecords.context.request = None
        stop.set()
        beat.join()
