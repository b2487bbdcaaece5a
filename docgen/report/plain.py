"""A case's check result in plain sentences, for the 核查结果.txt in its archive folder."""

from __future__ import annotations

from collections.abc import Sequence

from docgen.cases.schema import place_label
from docgen.check.findings import SEVERITY_LABELS, Finding

NUMERALS = "一二三四五六七八九十"


def _numeral(n: int) -> str:
    return NUMERALS[n - 1] if n <= len(NUMERALS) else str(n)


def case_findings_text(student: str, item: str, findings: Sequence[Finding]) -> str:
    """``student`` as a person names them (name and masked 学籍号), ``item`` the inventory line."""
    gaps = [f for f in findings if f.counts]
    head = f"{student}的案卷（{item}）"
    if not findings:
        return f"{head}：材料齐全，未发现缺漏。\n"
    notes = len(findings) - len(gaps)
    counts = f"发现 {len(gaps)} 处需要补充的地方" + (f"，另有 {notes} 条提示" if notes else "")
    lines = [f"{head}核查{counts}：", ""]
    for n, finding in enumerate(findings, 1):
        where = place_label(finding.path) if finding.path.startswith("$") else finding.path
        sentence = finding.message.rstrip("。") + "。"
        lines.append(f"{_numeral(n)}、{SEVERITY_LABELS[finding.severity]}：{sentence}")
        if where:
            lines.append(f"    在案卷中的位置：{where}。")
        if finding.source is not None:
            lines.append(f"    依据：{finding.source}")
    return "\n".join(lines) + "\n"
