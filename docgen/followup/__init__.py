"""Stage: the regular follow-up work of a township or school — monthly reports and what is due."""

from docgen.followup.due import Action, due_actions
from docgen.followup.monthly import MonthlyReport, monthly_report

__all__ = ["Action", "MonthlyReport", "due_actions", "monthly_report"]
