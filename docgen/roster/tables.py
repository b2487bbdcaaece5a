"""The A3B3 tables (B3-1, B3-2, B3-3) per village with township totals, their reconciliation with the
roster, and retention against the targets of seed 002.

Every child is counted exactly once: a child with a case (一生一案) under the case's category, else
as studying in or out of the county; a child in none of these is unaccounted for and reported.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from docgen.cases import Case
from docgen.cases.schema import case_field
from docgen.problems import Problem

CATEGORIES = list(case_field(["situation", "category"]).node["enum"])
CATEGORY_LABELS = case_field(["situation", "category"]).labels
IN_COUNTY, OUT_OF_COUNTY, UNACCOUNTED = "in_county", "out_of_county", "unaccounted"
COLUMNS = [IN_COUNTY, OUT_OF_COUNTY, *CATEGORIES, UNACCOUNTED]
COLUMN_LABELS = {IN_COUNTY: "县内就读", OUT_OF_COUNTY: "县外就读", UNACCOUNTED: "去向不明", **CATEGORY_LABELS}
OPEN = {"suspected", "dropped_out"}
TARGETS = {"primary": 1.0, "junior": 0.98, "disabled": 0.95}  # seed 002: 100%, ≥98%, ≥95%


@dataclass
class Child:
    """One roster child with the case that explains them, if any."""

    raw: dict[str, Any]
    case: Case | None

    @property
    def bucket(self) -> str:
        if self.case is not None:
            return self.case.category
        return {"in_county": IN_COUNTY, "out_of_county": OUT_OF_COUNTY}.get(self.raw["attending"], UNACCOUNTED)

    @property
    def grade(self) -> int | None:
        if self.case is not None:
            return self.case.student.get("grade")
        return self.raw.get("grade")

    @property
    def school(self) -> str:
        """The school the child attends: the case's when there is one, else the roster's."""
        return self.case.school if self.case is not None else self.raw.get("school", "")

    @property
    def flags(self) -> set[str]:
        return set(self.raw.get("flags", [])) | set(self.case.get_path("flags") or [] if self.case else [])


@dataclass
class Row:
    township: str
    village: str
    counts: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts[c] for c in COLUMNS)


@dataclass
class Tables:
    unit: str
    b3_1: list[Row]
    b3_2: list[dict[str, Any]]  # out-of-county children, with whether the 学籍证明 is held
    b3_3: list[Row]
    retention: list[dict[str, Any]]
    problems: list[Problem]
    children: int
    cases: int


def link(roster: Any, cases: Iterable[Case]) -> tuple[list[Child], list[Problem]]:
    """Roster children with their cases (by case id or ID number), and every child or case left out."""
    by_id = {c.id_number: c for c in cases}
    by_case = {c.case_id: c for c in by_id.values()}
    linked, used, problems = [], set(), []
    for i, raw in enumerate(roster.children):
        case = by_case.get(raw.get("case_id", "")) or by_id.get(raw["id_number"])
        if raw.get("case_id") and raw["case_id"] not in by_case:
            problems.append(Problem(roster.file, f"$.children[{i}].case_id",
                                    f"案卷 {raw['case_id']} 不在案卷文件中", raw["name"]))
        if case is not None:
            used.add(case.case_id)
        elif raw["attending"] == "none":
            problems.append(Problem(roster.file, f"$.children[{i}]",
                                    "未就读，也没有一生一案案卷：去向不明，请核实并劝返", raw["name"]))
        linked.append(Child(raw, case))
    for case in by_case.values():
        if case.case_id not in used:
            problems.append(Problem(roster.file, "$.children", f"案卷 {case.case_id} 的学生不在台账中", case.name))
    return linked, problems


TOWNSHIP_TOTAL, COUNTY_TOTAL = "合计", "全县合计"


def in_unit(child: Child, unit: str, kind: str) -> bool:
    """Township and primary school count their district; a middle school counts its own students (seed 004)."""
    if kind == "county":
        return True
    if kind == "middle":
        return child.school == unit
    return child.raw["township"] == unit


def _rows(children: list[Child]) -> list[Row]:
    rows: dict[tuple[str, str], Row] = {}
    for child in children:
        key = (child.raw["township"], child.raw["village"])
        rows.setdefault(key, Row(*key)).counts[child.bucket] += 1
    ordered = []
    for township in sorted({k[0] for k in rows}):
        villages = [rows[k] for k in sorted(rows) if k[0] == township]
        total = Row(township, TOWNSHIP_TOTAL)
        for row in villages:
            total.counts.update(row.counts)
        ordered += [*villages, total]
    townships = [r for r in ordered if r.village == TOWNSHIP_TOTAL]
    if len(townships) > 1:  # a county's table ends with the county total
        county = Row("全县", COUNTY_TOTAL)
        for row in townships:
            county.counts.update(row.counts)
        ordered.append(county)
    return ordered


def _retention(children: list[Child]) -> list[dict[str, Any]]:
    result = []
    for township in sorted({c.raw["township"] for c in children}):
        mine = [c for c in children if c.raw["township"] == township]

        def rate(group: list[Child], kept: Any) -> tuple[int, int, float]:
            ok = sum(1 for c in group if kept(c))
            return ok, len(group), ok / len(group) if group else 1.0

        def not_dropped(c: Child) -> bool:
            return c.case is None or c.case.status not in OPEN

        primary = rate([c for c in mine if (c.grade or 0) <= 6], not_dropped)
        junior = rate([c for c in mine if (c.grade or 0) >= 7], not_dropped)
        disabled = rate([c for c in mine if "disabled" in c.flags],
                        lambda c: not_dropped(c) and c.bucket not in ("B4-5",))
        for key, (ok, n, value) in (("primary", primary), ("junior", junior), ("disabled", disabled)):
            result.append({"township": township, "measure": key, "kept": ok, "of": n, "rate": value,
                           "target": TARGETS[key], "met": value >= TARGETS[key]})
    return result


def build_tables(roster: Any, cases: Sequence[Case], unit: str = "", kind: str = "county") -> Tables:
    children, problems = link(roster, cases)
    scoped = [c for c in children if in_unit(c, unit, kind)]
    poor = [c for c in scoped if "registered_poor" in c.flags]
    out = [c for c in scoped if c.bucket == OUT_OF_COUNTY] if kind != "middle" else []
    b3_2 = [{"township": c.raw["township"], "village": c.raw["village"], "name": c.raw["name"],
             "place": c.raw.get("out_of_county_place", ""), "grade": c.grade,
             "certificate": bool(c.raw.get("registry_certificate"))}
            for c in sorted(out, key=lambda c: (c.raw["township"], c.raw["village"], c.raw["name"]))]
    return Tables(unit or roster.county, _rows(scoped), b3_2, _rows(poor), _retention(scoped), problems,
                  len(scoped), sum(1 for c in scoped if c.case is not None))


def reconcile(tables: Tables) -> dict[str, int]:
    """The equation an auditor checks: children = in county + out of county + cases of each category."""
    totals = Counter()
    for row in tables.b3_1:
        if row.village not in (TOWNSHIP_TOTAL, COUNTY_TOTAL):
            totals.update(row.counts)
    return {"children": tables.children, **{c: totals[c] for c in COLUMNS},
            "sum": sum(totals[c] for c in COLUMNS)}


def unit_scope(unit: str, cases: Sequence[Case]) -> tuple[str, str]:
    """(unit, kind) for a --unit argument: the county, a township, or a school (a primary school counts its
    district, which is its township's villages; a middle school counts its own students)."""
    if not unit:
        return "", "county"
    if unit.endswith(("镇", "乡", "街道")):
        return unit, "township"
    if "中学" in unit:
        return unit, "middle"
    township = next((c.township for c in cases if c.school == unit), unit)
    return township, "township"
