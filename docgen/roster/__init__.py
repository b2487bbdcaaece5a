"""Stage: the roster of compulsory-age children and the A3B3 tables, reconciliation and retention."""

from docgen.roster.model import Roster, load_roster
from docgen.roster.tables import Tables, build_tables, reconcile
from docgen.roster.writers import write_tables

__all__ = ["Roster", "Tables", "build_tables", "load_roster", "reconcile", "write_tables"]
