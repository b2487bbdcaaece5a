"""The archive inventory (档案资料清单) as a tree of items: A3B1 … A3B4 and their children."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docgen.problems import Source
from docgen.specs.loading import load_spec_file
from docgen.specs.sources import Sources

INVENTORY_FILE = "inventory.yaml"
SCHEMA_FILE = "inventory.schema.json"
KEEPER_LABELS = {"township": "乡镇", "village": "村", "school": "学校", "primary": "小学", "middle": "中学"}


@dataclass(frozen=True)
class ArchiveItem:
    """One line of the inventory: its code, title, requirement, who keeps it, and whether it applies."""

    code: str
    title: str
    keepers: tuple[str, ...]
    source: Source
    requirement: str = ""
    per_student: bool = False
    per_village: bool = False
    active: bool = True
    inactive_reason: str = ""
    note: str = ""
    parent: str = ""
    children: tuple[ArchiveItem, ...] = field(default=())

    @property
    def label(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def keeper_labels(self) -> str:
        return "、".join(KEEPER_LABELS[k] for k in self.keepers)


@dataclass(frozen=True)
class Inventory:
    """The whole inventory of one county."""

    title: str
    source: Source
    items: tuple[ArchiveItem, ...]
    path: Path

    def walk(self) -> Iterator[ArchiveItem]:
        """Every item, parents before their children, in inventory order."""
        def visit(items: tuple[ArchiveItem, ...]) -> Iterator[ArchiveItem]:
            for item in items:
                yield item
                yield from visit(item.children)
        return visit(self.items)

    def get(self, code: str) -> ArchiveItem | None:
        return next((i for i in self.walk() if i.code == code), None)


def _item(raw: dict[str, Any], cite: Callable[[dict[str, Any], str], Source], parent: str = "") -> ArchiveItem:
    return ArchiveItem(
        code=raw["code"], title=raw["title"], keepers=tuple(raw["keepers"]),
        source=cite(raw["source"], f"清单项 {raw['code']} "),
        requirement=raw.get("requirement", ""), per_student=raw.get("per_student", False),
        per_village=raw.get("per_village", False), active=raw.get("active", True),
        inactive_reason=raw.get("inactive_reason", ""), note=raw.get("note", ""), parent=parent,
        children=tuple(_item(c, cite, raw["code"]) for c in raw.get("children", [])),
    )


def load_inventory(spec_dir: Path, sources: Sources) -> Inventory:
    """The inventory in ``spec_dir`` (``inventory.yaml``, validated by the schema beside it), its sources
    looked up in the register."""
    path = spec_dir / INVENTORY_FILE
    raw = load_spec_file(path, SCHEMA_FILE)

    def cite(source: dict[str, Any], where: str) -> Source:
        return sources.cite(source, where, path)

    inventory = Inventory(raw["title"], cite(raw["source"], "清单"), tuple(_item(i, cite) for i in raw["items"]), path)
    codes = [i.code for i in inventory.walk()]
    duplicated = sorted({c for c in codes if codes.count(c) > 1})
    if duplicated:
        from docgen.errors import SpecError

        raise SpecError(str(path), f"编号重复：{'、'.join(duplicated)}")
    return inventory
