"""What ``docgen rules`` prints: every rule with its severity, kind, wording and source; and the coverage table of
the seeds, passage by passage — as lines for a terminal of 80–120 columns, or as a stable JSON list."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from docgen.check.catalog import KINDS, RuleInfo
from docgen.check.findings import SEVERITY_LABELS
from docgen.problems import Source
from docgen.procedure.coverage import Coverage, Entry
from docgen.text import wrap

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
INDENT = "      "


def _cite(source: Source) -> str:
    return f"{source.document.short}：“{source.passage}”"


def _readable(message: str) -> str:
    """A rule's wording without its placeholders (``{date} 的劝返…`` → ``… 的劝返…``)."""
    return _PLACEHOLDER.sub("…", message)


def rule_lines(rules: Sequence[RuleInfo], width: int) -> Iterator[str]:
    """The rules by kind: id, severity and wording on one line (wrapped), then each source."""
    counts = Counter(r.kind for r in rules)
    parts = "、".join(f"{label} {counts[kind]}" for kind, label in KINDS.items() if counts[kind])
    yield f"核查规则一览（共 {len(rules)} 条：{parts}）"
    for kind, label in KINDS.items():
        of_kind = [r for r in rules if r.kind == kind]
        if not of_kind:
            continue
        yield ""
        yield f"{label}（{len(of_kind)} 条）"
        for rule in of_kind:
            yield from wrap(f"  {rule.id} [{SEVERITY_LABELS[rule.severity]}] {_readable(rule.message)}", width, INDENT)
            for source in rule.sources:
                yield from wrap(f"{INDENT}依据：{_cite(source)}", width, INDENT + "  ")


def rules_json(rules: Sequence[RuleInfo]) -> list[dict[str, Any]]:
    return [{"id": r.id, "kind": r.kind, "kind_label": r.kind_label, "severity": r.severity,
             "severity_label": SEVERITY_LABELS[r.severity], "message": r.message,
             "sources": [{"doc": s.document.id, "document": s.document.short, "passage": s.passage}
                         for s in r.sources]}
            for r in rules]


def _counts(entries: Sequence[Entry]) -> tuple[int, int, int]:
    """(passages, checked by rules, not checkable)."""
    checked = sum(e.checked for e in entries)
    return len(entries), checked, len(entries) - checked


def coverage_summary(coverage: Coverage) -> str:
    quoted = [e for e in coverage.entries if e.quoted]
    total, checked, unchecked = _counts(quoted)
    served = sum(bool(e.supported_by) for e in quoted if not e.checked)
    possible = sum(e.checkable for e in quoted)
    laws = len(coverage.entries) - total
    return (f"合计：{len(coverage.seeds)} 份依据文件中规定义务的原文 {total} 段，由规则核查 {checked} 段，"
            f"没有规则核查 {unchecked} 段（其中 {possible} 段可以增加规则，{served} 段由命令或网页服务支持）；"
            f"另列法律条文 {laws} 段")


def coverage_lines(coverage: Coverage, width: int) -> Iterator[str]:
    """The table by document: each passage, what it sets, and its rules or the reason none can check it."""
    yield from wrap("依据文件逐句核对表：依据文件中每一段规定了义务、办理单位、时限、先后、次数或条件的原文，"
                    "由哪些规则核查，或为什么不能从案卷核查", width)
    for document in coverage.documents():
        entries = coverage.entries_of(document)
        total, checked, unchecked = _counts(entries)
        yield ""
        if document.id in coverage.seeds:
            counts = f"原文 {total} 段：规则核查 {checked} 段，没有规则核查 {unchecked} 段"
        else:
            counts = f"法律条文 {total} 段（原文不在项目中，只列出规则所依据的条文）"
        yield from wrap(str(document), width, "  ")
        yield from wrap(f"  {counts}", width, "    ")
        for n, entry in enumerate(entries, 1):
            number = f"  {n}. "
            yield from wrap(f"{number}“{entry.passage}”", width, " " * len(number) + " ")
            inner = " " * len(number)
            sets = "、".join(coverage.set_labels[s] for s in entry.sets)
            yield from wrap(f"{inner}规定：{sets}", width, inner + "  ")
            if entry.checked:
                yield from wrap(f"{inner}核查规则：{'、'.join(entry.rules)}", width, inner + "  ")
            else:
                label = "尚无规则（可以从案卷核查）" if entry.checkable else "不能从案卷核查"
                yield from wrap(f"{inner}{label}：{entry.reason}", width, inner + "  ")
            if entry.note:
                yield from wrap(f"{inner}说明：{entry.note}", width, inner + "  ")
            if entry.supported_by:
                yield from wrap(f"{inner}功能支持：{entry.supported_by}", width, inner + "  ")
    yield ""
    yield from wrap(coverage_summary(coverage), width, "  ")


def coverage_json(coverage: Coverage) -> list[dict[str, Any]]:
    return [{"doc": e.document.id, "document": e.document.short, "passage": e.passage, "quoted": e.quoted,
             "sets": list(e.sets), "rules": list(e.rules), "reason": e.reason, "checkable": e.checkable,
             "supported_by": e.supported_by, "note": e.note}
            for e in coverage.entries]
