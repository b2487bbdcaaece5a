"""What the completeness check finds: one Finding per problem, each saying what, where and why."""

from __future__ import annotations

from dataclasses import dataclass

from docgen.idcard import mask_registry
from docgen.specs.inventory import Source

SEVERITIES = ("error", "warning", "info")
SEVERITY_LABELS = {"error": "缺漏", "warning": "建议补充", "info": "提示"}


@dataclass(frozen=True)
class CaseRef:
    """The case a finding is about, as an auditor and a school recognise it."""

    file: str
    case_id: str
    name: str
    registry_no: str
    id_number: str
    category: str
    township: str
    school: str

    @property
    def label(self) -> str:
        """Name and masked 学籍号: findings end up in reports and archives, which never show a full ID."""
        return f"{self.name}({mask_registry(self.registry_no)})" if self.registry_no else self.name


@dataclass(frozen=True)
class Finding:
    """One problem: the rule that found it, how serious, about which case or unit, and the regulation."""

    rule_id: str
    severity: str
    item: str  # archive item code (B4-2) or category the rule belongs to
    message: str
    where: str  # JSON path inside the case, or the evidence file
    source: Source
    case: CaseRef | None = None
    unit: str = ""  # institution (township government, school) for institution-level findings

    @property
    def counts(self) -> bool:
        """Errors and warnings are gaps; info findings are notes that do not make a case incomplete."""
        return self.severity != "info"

    def line(self) -> str:
        who = self.case.label if self.case else self.unit
        where = f" {self.where}" if self.where else ""
        return f"[{SEVERITY_LABELS[self.severity]}] {who} {self.item}{where}：{self.message}（规则 {self.rule_id}）"
