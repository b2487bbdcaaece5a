"""The county's shared records (records.py) and its background jobs and audit runs (jobs.py)."""

from docgen.service.county.models.jobs import AuditRun, Job
from docgen.service.county.models.records import (
    AuditChain,
    AuditEvent,
    AuditQuerySet,
    CaseRecord,
    IssuedDocument,
    IssuedNumber,
    Member,
    MonthlyFiling,
    RosterFile,
    Series,
    Unit,
)

__all__ = ["AuditChain", "AuditEvent", "AuditQuerySet", "AuditRun", "CaseRecord", "IssuedDocument", "IssuedNumber",
           "Job", "Member", "MonthlyFiling", "RosterFile", "Series",
           "Unit"]
