"""What the completeness check finds: a :class:`~docgen.problems.Problem` per gap, made by :func:`finding`."""

from __future__ import annotations

from docgen.problems import FINDING_LABELS, CaseRef, Problem, finding

SEVERITIES = ("error", "warning", "info")
SEVERITY_LABELS = FINDING_LABELS

Finding = Problem  # a checklist finding is a problem like any other; the name says which kind a list holds

__all__ = ["SEVERITIES", "SEVERITY_LABELS", "CaseRef", "Finding", "finding"]
