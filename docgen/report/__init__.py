"""Stage: reporting a completeness check to people — terminal summary, JSON, HTML, PDF and .xlsx."""

from docgen.report.model import Report, build_report, mask_id
from docgen.report.writers import write_reports

__all__ = ["Report", "build_report", "mask_id", "write_reports"]
