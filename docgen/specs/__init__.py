"""The county's archive specification as data: the inventory, checklists, calendar and evidence types.

The defaults live in the project's ``archive_specs/`` and ``checklists/`` folders; a county copies them,
edits them for its own codes and rules, and points ``--spec`` / ``--checklists`` at the copies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from docgen.errors import SpecError
from docgen.problems import Document
from docgen.specs.calendar import SchoolCalendar, load_calendar
from docgen.specs.checklists import Checklists, Rule, load_checklists
from docgen.specs.evidence_types import EvidenceTypes, load_evidence_types
from docgen.specs.inventory import ArchiveItem, Inventory, Source, load_inventory
from docgen.specs.procedure import Procedure, load_procedure
from docgen.specs.sources import Sources, load_sources

# The county-editable folders live at the top of the project; docgen/defaults/ links to them, and a
# built wheel carries copies there, so an installed docgen finds them the same way.
DEFAULTS = Path(__file__).resolve().parents[1] / "defaults"
DEFAULT_SPEC_DIR = DEFAULTS / "archive_specs"
DEFAULT_CHECKLIST_DIR = DEFAULTS / "checklists"
DEFAULT_TEMPLATE_DIR = DEFAULTS / "templates_docx"
DEFAULT_PROCEDURE_DIR = DEFAULTS / "procedure"


@cache
def default_procedure() -> Procedure:
    """The project's procedure, with the sources register and calendar of the project's checklists."""
    return load_procedure(DEFAULT_PROCEDURE_DIR, load_sources(DEFAULT_CHECKLIST_DIR),
                          load_calendar(DEFAULT_CHECKLIST_DIR))


@dataclass(frozen=True)
class Spec:
    """Everything the checker and the archive assembler need to know about a county's rules."""

    inventory: Inventory
    checklists: Checklists
    calendar: SchoolCalendar
    evidence_types: EvidenceTypes
    sources: Sources
    procedure: Procedure


def load_spec(spec_dir: Path | None = None, checklist_dir: Path | None = None,
              procedure_dir: Path | None = None, adopted: Mapping[str, Document] | None = None) -> Spec:
    """Load and validate the inventory, checklists and procedure (the project's defaults when not given).
    ``adopted``: the county's own documents for the local ones it adopts (its workspace's), see
    :func:`~docgen.specs.sources.load_sources`."""
    spec_dir = spec_dir or DEFAULT_SPEC_DIR
    checklist_dir = checklist_dir or DEFAULT_CHECKLIST_DIR
    sources = load_sources(checklist_dir, adopted)
    calendar = load_calendar(checklist_dir)
    checklists = load_checklists(checklist_dir, sources)
    procedure = load_procedure(procedure_dir or DEFAULT_PROCEDURE_DIR, sources, calendar)
    known = {r.id for r in checklists.all_rules}
    for step in procedure.steps:
        missing = [r for r in step.checked_by if r not in known]
        if missing:
            raise SpecError(str(procedure.folder / "steps.yaml"),
                            f"步骤“{step.id}”的 checked_by 规则 {'、'.join(missing)} 不在核查规则中")
    return Spec(load_inventory(spec_dir, sources), checklists, calendar, load_evidence_types(checklist_dir), sources,
                procedure)


__all__ = ["ArchiveItem", "Checklists", "EvidenceTypes", "Inventory", "Procedure", "Rule", "SchoolCalendar", "Source",
           "Sources", "Spec", "default_procedure", "load_spec"]
