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
import secrets
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import timezone

from docgen.cases import Case, load_data
from docgen.errors import DataProblemsError, DocgenError
from docgen.service.county.door import Actor, job_actor
from docgen.service.county.models import Job
from docgen.service.county.privacy import for_page, mask_name, masked

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
    actor: Actor  # the clerk who started the job, through the unit it was started for
    _last_write: float = 0.0
    skipped: list[str] = field(default_factory=list)  # cases left out: masked name and the reason, in Chinese

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

    def records(self):
        """The cases the job's unit sees (through the door), in order."""
        from docgen.service.county import door

        return door.cases(self.actor).order_by("case_id")

    def skip(self, name: str, case_id: str, reason: str) -> None:
        """Leave one case out, saying whose and why (name masked) in the log and the result."""
        line = skipped_line(name, case_id, reason)
        self.skipped.append(line)
        self.note(f"未能处理 {line}")

    def usable(self, sources: list[tuple[str, dict]]) -> list[Case]:
        """The cases that pass the library's checks together; each one that does not is left out and reported
        (one broken case never stops the county's job)."""
        return usable(sources, self.skip)

    def cases_with_evidence(self, what: str) -> tuple[list[dict], Path]:
        """The cases the job's unit sees (their data with evidence named as laid out) and their stored evidence
        laid out in the job's folder as the library reads it; JobFailed when there are none (``what``: 整理,
        核查 — what there is nothing to do)."""
        from docgen.service.county.store import evidence_tree

        records = list(self.records())
        if not records:
            raise JobFailed(f"本单位没有可{what}的案卷", "先录入或导入案卷。")
        self.phase("准备佐证材料", len(records))
        evidence = self.folder / "evidence"
        files, data = evidence_tree(records, evidence)
        self.progress(len(records), len(records))
        self.note(f"佐证材料 {files} 个")
        return data, evidence

    def keep(self, result: Path, summary: dict) -> None:
        """The job's result file (in its folder) and the summary its page shows."""
        self._update(result_file=result.name, result_size=result.stat().st_size, summary=summary)

    def note(self, line: str) -> None:
        """A line of the job's log (shown on its page), ID numbers masked."""
        stamp = timezone.localtime().strftime("%H:%M:%S")
        self._update(log=Concat(F("log"), Value(f"{stamp} {for_page(line)}\n")))

    def skipped_summary(self) -> str:
        """What the result says about the cases left out (empty when none)."""
        if not self.skipped:
            return ""
        shown = "；".join(self.skipped[:10]) + ("……" if len(self.skipped) > 10 else "")
        return f"；另有 {len(self.skipped)} 份案卷未能处理（{shown}），改正后可重新发起"


def skipped_line(name: str, case_id: str, reason: str) -> str:
    """A case left out, as a clerk reads it: 姓名 masked, 案卷编号, why (ID numbers masked)."""
    return f"{mask_name(name)}（{case_id}）：{masked(reason)}"


def usable(sources: list[tuple[str, dict]], skip: Callable[[str, str, str], None]) -> list[Case]:
    """The cases that pass the library's checks together; ``skip(name, case_id, why)`` for each one that does
    not."""
    loaded = load_data(sources)
    for rejected in loaded.rejected:
        errors = [p for p in rejected.problems if p.is_error]
        skip(rejected.label.split("(")[0], rejected.case_id, errors[0].message if errors else "案卷数据有问题")
    return loaded.cases


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
    job = Job.objects.select_related("unit").get(pk=job_id)
    return Run(job, lease, job_actor(job))


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
        run._update(status=status, message=for_page(message), advice=for_page(advice), finished=timezone.now(),
                    lease="")


def run(job_id: int, steps: dict[str, Callable[[Run], str]]) -> None:
    """Run the job's steps (by kind) as one attempt; see the module docstring."""
    attempt = claim(job_id)
    if attempt is None:
        log.info("job %s: not queued, nothing to do", job_id)
        return
    stop = threading.Event()
    beat = threading.Thread(target=_beat, args=(job_id, attempt.lease, stop), daemon=True)
    beat.start()
    try:
        log.info("job %s: run by worker %s:%s", job_id, socket.gethostname(), os.getpid())  # not for the page
        attempt.note("开始执行")
        if attempt.job.attempts > 1:
            attempt.note(f"第 {attempt.job.attempts} 次执行：接着上次中断的地方继续")
        attempt.check_cancelled()
        step = steps.get(attempt.job.kind)
        if step is None:
            raise JobFailed("没有这种后台任务", "从后台任务页发起任务。")
        message = step(attempt)
        attempt.note("完成")
        _finish(attempt, Job.Status.DONE, message + attempt.skipped_summary())
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
        reference = secrets.token_hex(4).upper()
        log.exception("job %s failed (reference %s)", job_id, reference)  # the traceback goes to the log file only
        with contextlib.suppress(LeaseLost, DatabaseError):
            attempt.note(f"系统内部错误，错误编号 {reference}")
        _finish(attempt, Job.Status.FAILED, f"任务因系统内部错误中止，没有生成结果（错误编号 {reference}）。",
                 f"请把任务编号 #{job_id} 和错误编号 {reference} 告诉县教育局的系统管理员。")
    finally:
        stop.set()
        beat.join()
