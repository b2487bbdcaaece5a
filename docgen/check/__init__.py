"""Stage: checking case files (and institutions' archives) against the county's checklists."""

from docgen.check.engine import CheckResult, check_cases
from docgen.check.findings import CaseRef, Finding

__all__ = ["CaseRef", "CheckResult", "Finding", "check_cases"]
