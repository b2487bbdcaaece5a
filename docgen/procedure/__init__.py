"""The procedure stage: one case read through the steps of ``procedure/steps.yaml`` — what it did late, early,
out of order or by the wrong body (the audit), what it owes next (the due list, the service's 待办), which
documents it may be issued and the date each takes."""

from docgen.procedure.audit import audit_case
from docgen.procedure.forward import Dated, NextStep, Owed, document_date, next_steps, owed_steps
from docgen.procedure.timeline import Occurrence, Timeline

__all__ = ["Dated", "NextStep", "Occurrence", "Owed", "Timeline", "audit_case", "document_date", "next_steps",
           "owed_steps"]
