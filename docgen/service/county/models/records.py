"""The county's shared records. A case is the JSON the case schema describes (validated by the library on
every save); the columns beside it are copies of its fields for filtering and for keeping units apart."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from docgen.cases.model import lookup


class Unit(models.Model):
    """A county bureau, township, school or auditing office; users belong to one and see what it may see."""

    class Kind(models.TextChoices):
        BUREAU = "bureau", "县教育局"
        TOWNSHIP = "township", "乡镇"
        SCHOOL = "school", "学校"
        AUDITOR = "auditor", "督导（审计）"

    COUNTY_WIDE = (Kind.BUREAU, Kind.AUDITOR)  # the kinds that see the whole county

    county = models.CharField("县", max_length=40)
    name = models.CharField("单位名称", max_length=80)
    kind = models.CharField("单位类别", max_length=10, choices=Kind.choices)
    township = models.CharField("所属乡镇", max_length=40, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "单位"
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="one_unit_name_per_county")]

    def __str__(self) -> str:
        return self.name

    @property
    def county_wide(self) -> bool:
        """Whether the unit sees the whole county (the bureau, an auditing office)."""
        return self.kind in Unit.COUNTY_WIDE


class CaseRecord(models.Model):
    """One student's case (一生一案)."""

    county = models.CharField("县", max_length=40, db_index=True)
    case_id = models.CharField("案卷编号", max_length=40)
    data = models.JSONField("案卷")
    township = models.CharField("户籍乡镇", max_length=40, db_index=True)
    village = models.CharField("户籍村（社区）", max_length=40, db_index=True)
    school = models.CharField("就读学校", max_length=80, db_index=True)
    category = models.CharField("处置类别", max_length=20, db_index=True)
    status = models.CharField("状态", max_length=20, db_index=True, blank=True)
    step = models.CharField("四步法进度", max_length=30, db_index=True, blank=True)
    # The student's numbers, for the door's "no other case has them" (never shown from here: pages mask them).
    id_number = models.CharField("身份证号", max_length=40, blank=True, default="")
    registry_no = models.CharField("学籍号", max_length=40, blank=True, default="")
    updated = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(verbose_name="案卷历史", excluded_fields=["updated", "id_number", "registry_no"])

    class Meta:
        verbose_name = verbose_name_plural = "案卷"
        constraints = [
            models.UniqueConstraint(fields=["county", "case_id"], name="one_case_id_per_county"),
            models.UniqueConstraint(fields=["county", "id_number"], condition=~models.Q(id_number=""),
                                    name="one_case_per_id_number"),
            models.UniqueConstraint(fields=["county", "registry_no"], condition=~models.Q(registry_no=""),
                                    name="one_case_per_registry_no"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {lookup(self.data, 'student.name') or ''}"


class IssuedNumber(models.Model):
    """One 文号 of the county's register: per issuer, series and year, sequential, never reused."""

    class Status(models.TextChoices):
        ISSUED = "issued", "已发"
        RECORDED = "recorded", "案卷登记"
        VOID = "void", "作废"

    county = models.CharField("县", max_length=40)
    issuer = models.CharField("发文机关", max_length=80)
    series = models.CharField("类别代字", max_length=20)
    year = models.PositiveIntegerField("年份")
    seq = models.PositiveIntegerField("序号")
    doc_no = models.CharField("文号", max_length=80)
    template = models.CharField("文书", max_length=40)
    case_id = models.CharField("案卷编号", max_length=40, blank=True)
    record_key = models.CharField("记录", max_length=80, blank=True)
    issued_on = models.DateField("成文日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ISSUED)
    void_reason = models.TextField("作废原因", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "文号"
        constraints = [
            models.UniqueConstraint(fields=["county", "issuer", "series", "year", "seq"], name="one_seq_per_series"),
            models.UniqueConstraint(fields=["county", "doc_no"], name="one_doc_no"),
            models.UniqueConstraint(fields=["county", "template", "case_id", "record_key"],
                                    condition=~models.Q(status="void"), name="one_live_number_per_document"),
        ]

    def __str__(self) -> str:
        return self.doc_no


class IssuedDocument(models.Model):
    """A document the service generated for a case: kept in the store by content hash, downloaded through a
    view that checks the unit."""

    county = models.CharField("县", max_length=40)
    case_id = models.CharField("案卷编号", max_length=40, db_index=True)
    template = models.CharField("文书", max_length=40)
    doc_no = models.CharField("文号", max_length=80, blank=True)
    file = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64)
    issued_on = models.DateField("成文日期")
    made_by = models.CharField("出具人", max_length=150)
    made_at = models.DateTimeField("出具时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "出具的文书"
        ordering = ["-made_at", "-id"]

    def __str__(self) -> str:
        return f"{self.template} {self.doc_no}".strip()


class Series(models.Model):
    """The last sequence number of one series: the row a numbering transaction locks."""

    county = models.CharField(max_length=40)
    issuer = models.CharField(max_length=80)
    series = models.CharField(max_length=20)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["county", "issuer", "series", "year"], name="one_series")]


class Member(models.Model):
    """A user's unit: what they may see and do follows from its kind. A user without one sees nothing."""

    user = models.OneToOneField("auth.User", on_delete=models.CASCADE, related_name="member", verbose_name="用户")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="members", verbose_name="单位")

    class Meta:
        verbose_name = verbose_name_plural = "单位成员"

    def __str__(self) -> str:
        return f"{self.user.get_username()}（{self.unit}）"


class MonthlyFiling(models.Model):
    """A unit's 控辍保学月报表 for one month, filed (signed and sealed, sent to the bureau) on a day."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="filings", verbose_name="单位")
    month = models.DateField("月份")  # the first day of the month reported on
    filed_on = models.DateField("报送日期")
    filed_by = models.CharField("报送人", max_length=150)

    class Meta:
        verbose_name = verbose_name_plural = "月报表报送"
        constraints = [models.UniqueConstraint(fields=["unit", "month"], name="one_filing_per_unit_month")]

    def __str__(self) -> str:
        return f"{self.unit} {self.month:%Y-%m}"


class RosterFile(models.Model):
    """The county's 适龄儿童少年台账 for a school year, as the bureau imported it (checked as ``docgen roster import``
    checks it); the newest of a county is the one in use."""

    county = models.CharField("县", max_length=40, db_index=True)
    school_year = models.PositiveSmallIntegerField("学年")  # 2022 for 2022—2023
    data = models.JSONField("台账")
    children = models.PositiveIntegerField("儿童数")
    name = models.CharField("导入的文件", max_length=200)
    imported_by = models.CharField("导入人", max_length=150)
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "适龄儿童少年台账"
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.county} {self.school_year}学年（{self.children} 人）"


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("操作日志只能追加，不能修改")

    def delete(self):
        raise PermissionError("操作日志只能追加，不能删除")


class AuditEvent(models.Model):
    """One line of the append-only audit log: who did what to which record, when, from where — and the hash of
    the line before it, so a changed, removed or slipped-in line breaks the chain (``docgen audit verify``)."""

    at = models.DateTimeField("时间", db_index=True)
    username = models.CharField("用户", max_length=150, blank=True)
    unit = models.CharField("单位", max_length=80, blank=True)
    county = models.CharField("县", max_length=40, blank=True, db_index=True)
    action = models.CharField("操作", max_length=40, db_index=True)
    target = models.CharField("对象", max_length=120, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    address = models.GenericIPAddressField("地址", null=True, blank=True)
    seq = models.PositiveBigIntegerField("序号", unique=True)
    prev_hash = models.CharField("上一条的哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "操作日志"
        ordering = ["-seq"]

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError("操作日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("操作日志只能追加，不能删除")

    @property
    def summary(self) -> str:
        from docgen.service.county.wording import describe

        return describe(self.detail)


class AuditChain(models.Model):
    """The head of the audit chain: the last event's number and hash. Its row is locked by every transaction
    that writes (first, before anything else), so events join the chain one at a time."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = verbose_name_plural = "操作日志链头"
