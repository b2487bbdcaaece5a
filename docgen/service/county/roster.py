"""The county's roster of compulsory-age children (适龄儿童少年台账) in the service. The bureau imports it from
Excel in two steps, as a ledger is: the workbook staged for its user, read and checked by the library (every problem
at its sheet, cell and column, as ``docgen roster import``), shown; only a clean one can be confirmed, and the
confirmation reads and checks it again. The newest roster of a county is the one in use; each unit sees the children
its ledgers count (the library's scope: the county, a township, a primary school's district, a middle school's own
students)."""

from __future__ import annotations

import logging
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from docgen.errors import DataProblemsError, DocgenError
from docgen.problems import Problem
from docgen.roster.entrants import due_entrants
from docgen.roster.excel import export_roster, import_roster
from docgen.roster.model import Roster
from docgen.roster.tables import Child, in_unit, unit_scope
from docgen.service.county import audit, door
from docgen.service.county.door import Actor
from docgen.service.county.models import RosterFile, Unit
from docgen.service.county.privacy import masked_problem
from docgen.service.county.store import stage, staged

log = logging.getLogger("docgen.service")
MAX_ROSTER_BYTES = 20 * 1024 * 1024
IMPORT_ROSTER = "导入适龄儿童少年台账"


class RosterRefusedError(DocgenError):
    """The workbook cannot be read as a roster at all, or a confirmation names nothing staged."""


@dataclass
class RosterPreview:
    token: str
    name: str
    school_year: int
    children: int = 0
    townships: list[tuple[str, int]] = field(default_factory=list)  # township → children
    entrants: int = 0  # children due to enter grade 1 or grade 7 this school year
    problems: list[Problem] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.problems


def may_import(actor: Actor) -> bool:
    """The roster is the county's: its bureau imports it."""
    return actor.kind == Unit.Kind.BUREAU and door.may_edit(actor)


def _read(actor: Actor, token: str, name: str, school_year: int) -> tuple[RosterPreview, dict[str, Any] | None]:
    assert actor.user_id is not None
    path = staged(actor.user_id, token)
    if path is None:
        raise RosterRefusedError("要导入的台账已失效，请重新上传")
    preview = RosterPreview(token, name, school_year)
    try:
        data = import_roster(path, actor.county, school_year)
    except DataProblemsError as exc:
        preview.problems = [masked_problem(Problem(name, p.path, p.message, p.case, p.severity, p.id))
                            for p in exc.problems]
        return preview, None
    except DocgenError as exc:
        raise RosterRefusedError(str(exc).replace(str(path), name)) from exc
    except Exception as exc:  # whatever the reader meets in a hostile workbook: refused, never a 500
        log.warning("roster %s could not be read: %s", name, type(exc).__name__)
        raise RosterRefusedError(f"{name}: 无法读取这个 Excel 文件，请在 Excel 中另存为 .xlsx 后重新上传") from exc
    children = data["children"]
    preview.children = len(children)
    preview.townships = sorted(Counter(c["township"] for c in children).items())
    preview.entrants = len(due_entrants(Roster(name, data["county"], school_year, children)))
    return preview, data


def preview_roster(actor: Actor, stream: IO[bytes], size: int, name: str, school_year: int) -> RosterPreview:
    """Stage the uploaded workbook for this user, read and check it; nothing is saved. The door's NotFound for
    anyone but the bureau."""
    if not may_import(actor) or actor.user_id is None:
        raise door.NotFound
    if size > MAX_ROSTER_BYTES:
        raise RosterRefusedError(f"{name}: 文件超过 {MAX_ROSTER_BYTES // (1024 * 1024)} MB")
    return _read(actor, stage(actor.user_id, stream), name, school_year)[0]


def confirm_roster(actor: Actor, token: str, name: str, school_year: int) -> RosterFile:
    """Keep the previewed roster as the county's (read and checked again: what is kept is what was checked)."""
    if not may_import(actor) or actor.user_id is None:
        raise door.NotFound
    preview, data = _read(actor, token, name, school_year)
    if data is None:
        raise RosterRefusedError(f"{name}: 台账有 {len(preview.problems)} 个问题，请改正后重新上传")
    with door.writing():
        kept = RosterFile.objects.create(county=actor.county, school_year=school_year, data=data,
                                         children=preview.children, name=name, imported_by=actor.username)
        audit.log(actor, IMPORT_ROSTER, name, school_year=school_year, children=preview.children)
    path = staged(actor.user_id, token)
    if path is not None:
        path.unlink(missing_ok=True)
    return kept


def blank_workbook() -> bytes:
    """An empty roster workbook with the columns the import reads, for a county to fill in."""
    with tempfile.TemporaryDirectory(prefix="docgen-roster-") as tmp:
        target = Path(tmp) / "台账.xlsx"
        export_roster([], target)
        return target.read_bytes()


def current_roster(actor: Actor) -> RosterFile | None:
    """The roster in use in the actor's county (None before the bureau imports one)."""
    if not actor.county:
        return None
    return RosterFile.objects.filter(county=actor.county).first()


def as_roster(kept: RosterFile) -> Roster:
    """The kept roster as the library reads one (it was checked when imported)."""
    return Roster(kept.name, kept.data["county"], kept.school_year, kept.data["children"])


def scope(actor: Actor) -> tuple[str, str]:
    """The library's (unit, kind) of the ledgers this unit counts: the county (bureau, auditors), its township
    (a township, a primary school: its district), or its own students (a middle school)."""
    unit = actor.unit
    if unit is None or unit.county_wide:
        return "", "county"
    found, kind = unit_scope(unit.name if unit.kind == Unit.Kind.SCHOOL else unit.township, ())
    return (found, kind) if kind == "middle" else (unit.township, "township")  # the service knows the township


def children_in_scope(actor: Actor, kept: RosterFile) -> int:
    """How many children of the roster this unit's ledgers count (the library's rule, :func:`in_unit`)."""
    unit, kind = scope(actor)
    return sum(in_unit(Child(child, None), unit, kind) for child in kept.data["children"])


def schools_in_scope(actor: Actor, roster: Roster) -> list[str]:
    """The schools whose 开学 statistics this unit makes: every school of the roster (the county), its
    township's, or its own."""
    unit = actor.unit
    named = {c["school"]: c["township"] for c in roster.children if c.get("attending") == "in_county"
             and c.get("school")}
    if unit is None or unit.county_wide:
        return sorted(named)
    if unit.kind == Unit.Kind.TOWNSHIP:
        return sorted(s for s, t in named.items() if t == unit.township)
    return [unit.name] if unit.name in named else []
