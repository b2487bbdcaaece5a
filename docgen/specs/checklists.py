"""Checklists: the rules each archive item's case files must satisfy, as data, checked at load time.

A rule names fields of the case schema; a typo in a county's copy (``persuasion`` for
``persuasions``) is reported when the checklists are loaded, not silently never matched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen.cases.schema import Field, case_field
from docgen.errors import SpecError
from docgen.specs.inventory import Source
from docgen.specs.loading import load_spec_file
from docgen.specs.sources import Sources, load_sources

SCHEMA_FILE = "checklist.schema.json"
NOT_CHECKLISTS = {"calendar.yaml", "evidence_types.yaml", "sources.yaml"}
ALL = "all"
_OPERATORS = {"present", "equals", "in", "min", "max", "month", "after", "min_items", "contains", "any",
              "has_evidence", "term", "within_months"}


@dataclass(frozen=True)
class Rule:
    """One rule: what it checks (``kind`` and ``params``), how bad a failure is, and where it comes from."""

    id: str
    kind: str
    severity: str
    message: str
    source: Source
    checklist: str
    params: dict[str, Any]

    @property
    def when(self) -> dict[str, Any] | None:
        return self.params.get("when")


@dataclass(frozen=True)
class Checklist:
    file: Path
    title: str
    applies_to: tuple[str, ...]
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Checklists:
    """Every checklist of a county, with the rules that apply to each case category."""

    lists: tuple[Checklist, ...]

    def rules_for(self, category: str) -> list[Rule]:
        return [r for c in self.lists if ALL in c.applies_to or category in c.applies_to for r in c.rules]

    def rule(self, rule_id: str) -> Rule:
        return next(r for c in self.lists for r in c.rules if r.id == rule_id)

    @property
    def all_rules(self) -> list[Rule]:
        return [r for c in self.lists for r in c.rules]


def load_checklists(checklist_dir: Path, sources: Sources | None = None) -> Checklists:
    """Every ``*.yaml`` checklist in ``checklist_dir`` (except the calendar, evidence types and sources), each
    rule's source looked up in the sources register."""
    sources = sources or load_sources(checklist_dir)
    files = sorted(p for p in checklist_dir.glob("*.yaml") if p.name not in NOT_CHECKLISTS)
    if not files:
        raise SpecError(str(checklist_dir), "目录中没有核查规则文件（*.yaml）")
    lists = []
    seen: dict[str, Path] = {}
    for path in files:
        raw = load_spec_file(path, SCHEMA_FILE)
        rules = []
        for raw_rule in raw["rules"]:
            rule_id = raw_rule["id"]
            if rule_id in seen:
                raise SpecError(str(path), f"规则编号 {rule_id} 与 {seen[rule_id].name} 中的重复")
            seen[rule_id] = path
            _Paths(path, rule_id).check(raw_rule)
            params = {k: v for k, v in raw_rule.items() if k not in ("id", "kind", "severity", "message", "source")}
            rules.append(Rule(rule_id, raw_rule["kind"], raw_rule["severity"], raw_rule["message"],
                              sources.cite(raw_rule["source"], f"规则 {rule_id} ", path), raw["title"], params))
        _check_categories(path, raw["applies_to"])
        lists.append(Checklist(path, raw["title"], tuple(raw["applies_to"]), tuple(rules)))
    return Checklists(tuple(lists))


def _check_categories(path: Path, applies_to: list[str]) -> None:
    category = case_field(["situation", "category"])
    assert category is not None
    unknown = [c for c in applies_to if c != ALL and c not in category.node["enum"]]
    if unknown:
        raise SpecError(str(path), f"applies_to 中的类别 {'、'.join(unknown)} 不在案卷格式的处置类别中")


class _Paths:
    """Checks that every field, list and evidence kind a rule names exists in the case schema."""

    def __init__(self, path: Path, rule_id: str) -> None:
        self.path = path
        self.rule_id = rule_id
        kinds = case_field(["evidence", "[]", "kind"])
        assert kinds is not None
        self.evidence_kinds = set(kinds.node["enum"])

    def fail(self, message: str) -> None:
        raise SpecError(str(self.path), f"规则 {self.rule_id}：{message}")

    def field(self, base: list[str], dotted: str) -> Field:
        parts = base + dotted.split(".")
        found = case_field(parts)
        if found is None:
            self.fail(f"案卷格式中没有字段 {'.'.join(p for p in parts if p != '[]')}")
        assert found is not None
        return found

    def list_item(self, dotted: str) -> list[str]:
        found = self.field([], dotted)
        if found.kind != "array" or found.child("[]") is None or found.child("[]").kind != "object":
            self.fail(f"{dotted} 不是案卷中的记录列表")
        return [*dotted.split("."), "[]"]

    def evidence(self, kinds: list[str]) -> None:
        unknown = [k for k in kinds if k not in self.evidence_kinds]
        if unknown:
            self.fail(f"佐证材料种类 {'、'.join(unknown)} 不在案卷格式中")

    def match(self, base: list[str], match: dict[str, Any]) -> None:
        for key, matcher in match.items():
            target = self.field(base, key)
            if not isinstance(matcher, dict):
                continue
            if "any" in matcher:
                if target.kind != "array":
                    self.fail(f"{key} 不是列表，不能用 any")
                self.match([*base, *key.split("."), "[]"], matcher["any"])
            if "has_evidence" in matcher:
                self.evidence(matcher["has_evidence"])
            if "after" in matcher:
                self.date_ref(matcher["after"])

    def date_ref(self, ref: Any) -> None:
        if isinstance(ref, str):
            if not ref[:1].isdigit():
                found = self.field([], ref)
                if found.kind not in ("date", "planned_date"):
                    self.fail(f"{ref} 不是日期字段")
            return
        item = self.list_item(ref["list"])
        if "where" in ref:
            self.match(item, ref["where"])
        self.date_ref_field(item, ref.get("field", "date"))

    def date_ref_field(self, item: list[str], name: str) -> None:
        if self.field(item, name).kind not in ("date", "planned_date"):
            self.fail(f"{name} 不是日期字段")

    def check(self, rule: dict[str, Any]) -> None:
        if "when" in rule:
            self.match([], rule["when"])
        if "kinds" in rule:
            self.evidence(rule["kinds"])
        item: list[str] = []
        if "list" in rule:
            item = self.list_item(rule["list"])
        if "where" in rule:
            self.match(item, rule["where"])
        if "expect" in rule:
            self.match(item, rule["expect"])
        for key in ("month_of", "later", "earlier", "from", "to", "not_before"):
            if key in rule:
                self.date_ref(rule[key])
        if rule["kind"] == "cadence":
            self.date_ref_field(item, "date")
        for part in rule.get("rules", []):
            self.check({**part, "kind": part["kind"]})
