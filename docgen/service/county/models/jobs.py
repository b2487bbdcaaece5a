"""Long work run by a worker (Django's tasks framework): the job row is what a page shows and what survives a
worker's death — its progress, its log, its result file, and the lease of the attempt now running it."""

from __future__ import annotations

from django.db import models

from docgen.service.county.models.records import Unit


class Job(models.Model):
    class Kind(models.TextChoices):
        RENDER = "render", "批量出具文书"
        ARCHIVE = "archive", "整理迎检档案"
        AUDIT = "audit", "核查"
        MONTHLY = "monthly", "月报表"
        ROSTER = "roster", "就读台账、开学统计和入学通知书"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        CANCELLED = "cancelled", "已取消"

    county = models.CharField("县", max_length=40, db_index=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, verbose_name="发起单位")
    kind = models.CharField("任务类别", max_length=10, choices=Kind.choices)
    params = models.JSONField("参数", default=dict)
    title = models.CharField("任务", max_length=200)
    created_by = models.CharField("发起人", max_length=150)
    created = models.DateTimeField("发起时间", auto_now_add=True)
    started = models.DateTimeField("开始时间", null=True)
    finished = models.DateTimeField("结束时间", null=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    phase = models.CharField("阶段", max_length=40, blank=True)
    done = models.PositiveIntegerField("已完成", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    message = models.TextField("结果或原因", blank=True)
    advice = models.TextField("怎么办", blank=True)
    log = models.TextField("日志", blank=True)
    result_file = models.CharField("结果文件", max_length=200, blank=True)
    result_size = models.BigIntegerField("结果大小", default=0)
    summary = models.JSONField("结果摘要", default=dict)
    cancel_requested = models.BooleanField("已要求取消", default=False)
    lease = models.CharField("执行凭据", max_length=40, blank=True)
    heartbeat = models.DateTimeField("最近心跳", null=True)
    attempts = models.PositiveSmallIntegerField("执行次数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "后台任务"
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def finished_state(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.CANCELLED)

    @property
    def percent(self) -> int:
        return 100 if self.status == self.Status.DONE else (100 * self.done // self.total if self.total else 0)


class AuditRun(models.Model):
    """One audit of the cases a unit sees, kept for good: its report (the library's 核查报告.json) and counts."""

    job = models.OneToOneField(Job, on_delete=models.CASCADE, related_name="audit_run")
    county = models.CharField("县", max_length=40, db_index=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, verbose_name="核查单位")
    as_of = models.DateField("核查截止日期")
    created = models.DateTimeField("核查时间", auto_now_add=True)
    scope = models.CharField("范围", max_length=200)
    cases = models.PositiveIntegerField("案卷数", default=0)
    complete = models.PositiveIntegerField("齐全", default=0)
    gaps = models.PositiveIntegerField("缺漏", default=0)
    warnings = models.PositiveIntegerField("建议补充", default=0)
    report = models.JSONField("核查报告")

    class Meta:
        verbose_name = verbose_name_plural = "核查记录"
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.as_of} {self.scope}"
