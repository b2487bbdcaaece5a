"""Institution-level checks of the inventory's A3B1–A3B3: documents in order, mechanism items and ledgers.

Which unit keeps which item comes from the inventory's ``keepers``; ``per_village`` items must have a
table for every village of the unit's district (a middle school keeps one table for its own school).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from docgen.cases.loader import read_json_file
from docgen.check.files import real_folder_in
from docgen.check.findings import Finding, finding
from docgen.errors import InputError
from docgen.fsutil import inside
from docgen.resources import data_json
from docgen.schema_errors import describe, json_path
from docgen.specs import ArchiveItem, Inventory

LEVELS = ("national", "province", "city", "county", "township", "school")
LEVEL_LABELS = data_json("institutions.schema.json")["$defs"]["document"]["properties"]["level"]["x-labels"]
OWN_SCHOOL = "本校"
UNITS_FOLDER = "units"


@dataclass(frozen=True)
class UnitRule:
    """A finding the unit-archive check reports: its id, the inventory item whose source it cites ("" for the
    inventory as a whole) and what it means, as ``docgen rules`` lists it."""

    id: str
    item: str
    message: str


A3B1_PRESENT = UnitRule("a3b1.present", "A3B1", "单位没有归档任何控辍保学相关文件")
A3B1_ORDER = UnitRule("a3b1.order", "A3B1", "相关文件未按级别从高到低、按时间从远到近排列")
A3B2_PRESENT = UnitRule("a3b2.present", "A3B2", "缺少工作机制的某项材料（B2-1…B2-7）")
A3B3_VILLAGE_LEDGER = UnitRule("a3b3.village-ledger", "A3B3", "分村统计的就读台账缺少某村的（中学为本校的）")
UNIT_FILE = UnitRule("unit.file", "", "单位档案登记的文件不存在，或路径指向单位材料目录之外")
UNIT_RULES = (A3B1_PRESENT, A3B1_ORDER, A3B2_PRESENT, A3B3_VILLAGE_LEDGER, UNIT_FILE)


@dataclass(frozen=True)
class Unit:
    name: str
    kind: str
    township: str
    raw: dict[str, Any]

    def keeps(self, item: ArchiveItem) -> bool:
        kinds = {self.kind} | ({"school"} if self.kind in ("primary", "middle") else set())
        return bool(kinds & set(item.keepers))

    def district(self) -> list[str]:
        """The villages whose children this unit counts; a middle school counts its own school only."""
        if self.kind == "middle":
            return [OWN_SCHOOL]
        if self.kind == "village":
            return [self.name]
        return list(self.raw.get("villages", []))


def load_units(path: Path) -> list[Unit]:
    """Read an institutions file; raise InputError naming the first place it does not fit the schema."""
    data = read_json_file(path, "单位档案目录")
    validator = Draft202012Validator(data_json("institutions.schema.json"), format_checker=FormatChecker())
    error = next(iter(sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        raise InputError(str(path), f"{json_path(error)} 不符合单位档案目录的格式：{describe(error)}")
    return [Unit(u["name"], u["kind"], u["township"], u) for u in data["units"]]


def check_units(units: list[Unit], inventory: Inventory, evidence_root: Path | None) -> list[Finding]:
    findings: list[Finding] = []
    for unit in units:
        for item in inventory.walk():
            if item.per_student or item.children or not item.active or not unit.keeps(item):
                continue
            findings.extend(_check_item(unit, item, evidence_root))
    return findings


def _finding(rule: str, unit: Unit, item: ArchiveItem, message: str, where: str = "") -> Finding:
    return finding(rule, "error", item.code, message, where, item.source, unit=unit.name)


def _check_item(unit: Unit, item: ArchiveItem, root: Path | None) -> Iterator[Finding]:
    if item.code == "A3B1":
        yield from _documents(unit, item, root)
    elif item.per_village:
        ledgers = unit.raw.get("ledgers", {}).get(item.code, {})
        for village in unit.district():
            if village not in ledgers:
                yield _finding(A3B3_VILLAGE_LEDGER.id, unit, item, f"缺少{village}的{item.title}")
        yield from _files(unit, item, list(ledgers.values()), root)
    else:
        files = unit.raw.get("items", {}).get(item.code, [])
        if not files:
            yield _finding(A3B2_PRESENT.id, unit, item, f"缺少 {item.label}")
        yield from _files(unit, item, files, root)


def _documents(unit: Unit, item: ArchiveItem, root: Path | None) -> Iterator[Finding]:
    documents = unit.raw.get("documents", [])
    if not documents:
        yield _finding(A3B1_PRESENT.id, unit, item, "没有归档任何控辍保学相关文件")
        return
    def key(doc: dict[str, Any]) -> tuple[int, str]:
        return LEVELS.index(doc["level"]), doc["date"]

    expected = sorted(documents, key=key)
    wrong = next((i for i, (have, want) in enumerate(zip(documents, expected, strict=True)) if have is not want), None)
    if wrong is not None:
        have, want = documents[wrong], expected[wrong]
        yield _finding(
            A3B1_ORDER.id, unit, item,
            f"相关文件未按级别从高到低、按时间从远到近排列：第 {wrong + 1} 份应为《{want['title']}》"
            f"（{LEVEL_LABELS[want['level']]}，{want['date']}），现为《{have['title']}》"
            f"（{LEVEL_LABELS[have['level']]}，{have['date']}）",
            f"$.documents[{wrong}]",
        )
    yield from _files(unit, item, [d["file"] for d in documents], root)


def _files(unit: Unit, item: ArchiveItem, files: list[str], root: Path | None) -> Iterator[Finding]:
    if root is None:
        return
    # Resolved as text (a loop of links is no crash) and only stat'ed: nothing here is opened.
    units = os.path.realpath(root / UNITS_FOLDER)
    folder = real_folder_in(units, unit.name)
    if folder is None:  # the schema refuses such names; never read outside all the same
        yield _finding(UNIT_FILE.id, unit, item, f"单位名称“{unit.name}”不能用作目录名，未读取其材料")
        return
    for name in files:
        path = os.path.realpath(os.path.join(folder, name))
        if not inside(path, folder):
            yield _finding(UNIT_FILE.id, unit, item, f"文件路径指向单位材料目录之外，未读取：{name}")
        elif not os.path.isfile(path):
            yield _finding(UNIT_FILE.id, unit, item, f"文件不存在：{name}")
