"""Children of the roster due to enter school this school year — the families 入学通知书 go to.

Two groups (义务教育法 Art. 11; seed 002 "完善义务教育入学通知书制度"): children six full years old by
31 August who start grade 1, and primary graduates who start junior middle school (grade 7). Only
children placed in a school of the county get a notice; one who studies out of the county is the
other county's to notify. An entrant carries what a batch needs of a case (an id for the register,
a name, a school, a label for problems) and the view its template reads as ``child``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen.cases.model import lookup
from docgen.dates import cn_date, full_years, parse_iso
from docgen.idcard import mask_id
from docgen.roster.model import Roster, load_roster

GRADE_1, JUNIOR_MIDDLE = "grade_1", "junior_middle"
KINDS = {GRADE_1: "一年级", JUNIOR_MIDDLE: "初中一年级"}
COMPUTED = ("guardian_salutation", "entry_grade", "entry_reason")  # what view() adds to the roster's fields
REASONS = {GRADE_1: "到{cutoff}已满六周岁，应当入学接受义务教育",
           JUNIOR_MIDDLE: "已完成小学教育，应当升入初级中学继续接受义务教育"}


ENTRANT_PREFIX = "入学"


def entrant_of(case_id: str) -> tuple[int, str] | None:
    """(school year, ID number) of a child of the roster, from what the register keeps for its 入学通知书; None for
    a case's own 案卷编号."""
    if not case_id.startswith(ENTRANT_PREFIX) or ":" not in case_id:
        return None
    year, _, id_number = case_id.removeprefix(ENTRANT_PREFIX).partition(":")
    return (int(year), id_number) if year.isdigit() else None


@dataclass(frozen=True)
class Entrant:
    """One child due to enter school, shaped for a document batch."""

    child: Mapping[str, Any]
    category: str  # GRADE_1 or JUNIOR_MIDDLE
    file: str
    path: str
    county: str
    school_year: int

    @property
    def case_id(self) -> str:
        """What the register keeps in place of a case's 案卷编号 (see :func:`entrant_of`)."""
        return f"{ENTRANT_PREFIX}{self.school_year}:{self.child['id_number']}"

    @property
    def name(self) -> str:
        return str(self.child["name"])

    @property
    def school(self) -> str:
        return str(self.child.get("school", ""))

    @property
    def township(self) -> str:
        return str(self.child.get("township", ""))

    @property
    def label(self) -> str:
        return f"{self.name}({mask_id(self.child['id_number'])})"

    def get_path(self, dotted: str) -> Any:
        return lookup(self.child, dotted.split("."))

    def records(self, path: tuple[str, ...] | list[str]) -> Iterator[tuple[int, Any]]:
        return iter(())

    def view(self) -> dict[str, Any]:
        cutoff = dt.date(self.school_year, 8, 31)
        guardian = self.child.get("guardian")
        return {
            **self.child,
            "gender": {"male": "男", "female": "女"}.get(self.child.get("gender", ""), ""),
            "guardian_salutation": guardian or f"{self.name}的家长（监护人）",
            "entry_grade": KINDS[self.category],
            "entry_reason": REASONS[self.category].format(cutoff=cn_date(cutoff)),
        }


def entry_kind(child: Mapping[str, Any], school_year: int) -> str | None:
    """GRADE_1, JUNIOR_MIDDLE or None for a child of the roster of ``school_year``."""
    if child.get("attending") != "in_county" or not child.get("school"):
        return None
    grade = child.get("grade")
    if grade == 1:
        born = parse_iso(child.get("birth_date"))
        return GRADE_1 if born and full_years(born, dt.date(school_year, 8, 31)) >= 6 else None
    return JUNIOR_MIDDLE if grade == 7 else None


def due_entrants(roster: Roster) -> list[Entrant]:
    out = []
    for i, child in enumerate(roster.children):
        kind = entry_kind(child, roster.school_year)
        if kind:
            out.append(Entrant(child, kind, roster.file, f"$.children[{i}]", roster.county, roster.school_year))
    return out


def load_entrants(path: Path) -> list[Entrant]:
    """The children of the roster file ``path`` due to enter school (the roster checked as it is read)."""
    return due_entrants(load_roster(path))
