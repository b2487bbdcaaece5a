"""What the completeness check finds: a :class:`~docgen.problems.Problem` per gap, made by :func:`finding`."""

from __future__ import annotations

from docgen.idcard import mask_ids_in
from docgen.problems import FINDING_LABELS, CaseRef, Problem, Source

SEVERITIES = ("error", "warning", "info")
SEVERITY_LABELS = FINDING_LABELS

Finding = Problem  # a checklist finding is a problem like any other; the name says which kind a list holds


def finding(rule_id: str, severity: str, item: str, message: str, where: str, source: Source,
            case: CaseRef | None = None, unit: str = "") -> Problem:
    """A checklist finding about a case (``case``) or a unit's own archive (``unit``). Findings go into reports and
    archives, which never show an ID number: any in the message, well-formed or not, is masked."""
    return Problem(file=case.file if case else "", path=where, message=mask_ids_in(message),
                   case=case.label if case else unit, severity=severity, id=rule_id, source=source,
                   ref=case, unit=unit, item=item)


__all__ = ["SEVERITIES", "SEVERITY_LABELS", "CaseRef", "Finding", "finding"]
