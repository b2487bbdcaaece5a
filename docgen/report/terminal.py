"""The terminal summary of a check: the counts, then one line per finding (IDs masked)."""

from __future__ import annotations

from collections.abc import Iterator

from docgen.check.findings import SEVERITY_LABELS
from docgen.report.diff import AuditDiff
from docgen.report.model import Report
from docgen.text import display_width, pad


def summary_lines(report: Report) -> Iterator[str]:
    yield f"{report.title}（截至 {report.as_of.isoformat()}）"
    yield f"范围：{report.scope}"
    rows = [("单位（问题多的在前）", "案卷", "齐全", "有缺漏", "案卷缺漏", "单位档案缺漏", "建议补充")]
    ordered = []
    for town in report.townships:
        ordered.append((town.name, town))
        ordered.extend((f"  {school.name}", school) for school in report.schools if school.township == town.name)
    for name, unit in [*ordered, ("合计", report.total)]:
        rows.append((name, str(unit.cases), str(unit.complete), str(unit.incomplete), str(unit.errors),
                     str(unit.unit_errors), str(unit.all_warnings)))
    widths = [max(display_width(r[i]) for r in rows) + 2 for i in range(len(rows[0]))]
    for row in rows:
        yield "".join(pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
    for item in report.items:
        yield ""
        yield f"{item.code} {item.title}"
        for section in item.students:
            case = section.case
            for f in section.findings:
                yield (f"  [{SEVERITY_LABELS[f.severity]}] {case.school} {case.name}({section.masked_id}) "
                       f"{f.message}（{f.id}）")
    if report.units:
        yield ""
        yield f"单位档案（A3B1—A3B3，共核查 {report.units_checked} 个单位）"
    for unit in report.units:
        for f in unit.findings:
            yield f"  [{SEVERITY_LABELS[f.severity]}] {unit.name} {f.item} {f.message}（{f.id}）"
    if report.notes:
        yield ""
        yield "提示"
    for note in report.notes:
        who = note.ref.name if note.ref else note.unit
        yield f"  {who} {note.message}"


def diff_lines(diff: AuditDiff) -> Iterator[str]:
    """Two audits compared: totals, a row per unit, then each case's fixed (−), new (+) and remaining (=) findings."""
    yield f"核查对比：{diff.before} → {diff.after}"
    yield f"已整改 {diff.fixed} 处，新发现 {diff.new} 处，仍存在 {diff.remaining} 处"
    rows = [("单位", "已整改", "新发现", "仍存在")]
    rows += [(u.name or "（未注明）", str(u.fixed), str(u.new), str(u.remaining)) for u in diff.units]
    widths = [max(display_width(r[i]) for r in rows) + 2 for i in range(len(rows[0]))]
    yield ""
    for row in rows:
        yield "".join(pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
    for case in diff.cases:
        yield ""
        who = f"{case.school} {case.student}（{case.case_id}）" if case.case_id else f"{case.school}（单位档案）"
        yield f"{who}：已整改 {len(case.fixed)}，新发现 {len(case.new)}，仍存在 {len(case.remaining)}"
        for mark, found in (("−", case.fixed), ("+", case.new), ("=", case.remaining)):
            for f in found:
                yield f"  {mark} {f.item} {f.message}（{f.rule}）"
