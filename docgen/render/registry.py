"""The template registry (templates_docx/registry.yaml): which templates exist and what each needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docgen.cases.schema import case_field
from docgen.errors import SpecError
from docgen.specs import DEFAULT_TEMPLATE_DIR
from docgen.specs.loading import load_spec_file

REGISTRY_FILE = "registry.yaml"
SCHEMA_FILE = "registry.schema.json"


@dataclass(frozen=True)
class TemplateSpec:
    name: str
    path: Path
    per: tuple[str, ...]  # () = one document per case, else the list whose records each get one
    applies_to: tuple[str, ...]
    issuer: str
    fields: tuple[str, ...]
    archive_items: tuple[str, ...]
    series: str = ""
    deadline_days: int | None = None
    notice_kind: str = ""
    where: dict[str, Any] = field(default_factory=dict)
    source: str = "cases"  # "roster": one document per child of the roster due to enter school
    answers: dict[str, Any] = field(default_factory=dict)  # the notice this document follows, and the wait
    dated_by: dict[str, Any] = field(default_factory=dict)  # the case record whose date the document takes
    style: str = ""  # 公文 (GB/T 9704), 执法文书 (行政执法文书) or 表格
    signed_copy: str = ""  # the evidence kind of the signed scan that stands for this document in an archive
    full_ids: bool = False  # the document legally names its party in full: ID numbers are not masked in it


@dataclass(frozen=True)
class Registry:
    folder: Path
    templates: tuple[TemplateSpec, ...]

    def get(self, name: str) -> TemplateSpec:
        for spec in self.templates:
            if spec.name == name:
                return spec
        names = "、".join(t.name for t in self.templates)
        raise SpecError(str(self.folder / REGISTRY_FILE), f"没有名为“{name}”的模板（现有：{names}）")


def load_registry(folder: Path | None = None) -> Registry:
    folder = folder or DEFAULT_TEMPLATE_DIR
    path = folder / REGISTRY_FILE
    raw = load_spec_file(path, SCHEMA_FILE)
    specs = []
    for entry in raw["templates"]:
        where = f"模板“{entry['name']}”"
        template = folder / entry["file"]
        if not template.is_file():
            raise SpecError(str(path), f"{where}的文件 {entry['file']} 不存在")
        per = () if entry["per"] == "case" else tuple(entry["per"].split("."))
        source = entry.get("source", "cases")
        known = roster_field if source == "roster" else (lambda parts: case_field(parts) is not None)
        if per:
            listed = case_field(list(per))
            if source == "roster" or listed is None or listed.kind != "array":
                raise SpecError(str(path), f"{where}：per “{entry['per']}” 不是案卷中的列表")
        kinds = case_field(["evidence", "[]", "kind"]).labels
        if entry.get("signed_copy") and entry["signed_copy"] not in kinds:
            raise SpecError(str(path), f"{where}：signed_copy “{entry['signed_copy']}” 不是佐证材料的种类")
        dated = entry.get("dated_by", {})
        case_dated = [dated["field"]] if dated and "list" not in dated else []
        for dotted in [*entry["fields"], *(k for k in entry.get("where", {}) if not per), *case_dated]:
            if not known(dotted.split(".")):
                raise SpecError(str(path), f"{where}：{dotted} 不在{'台账' if source == 'roster' else '案卷'}格式中")
        specs.append(TemplateSpec(
            name=entry["name"], path=template, per=per, applies_to=tuple(entry["applies_to"]),
            issuer=entry["issuer"], fields=tuple(entry["fields"]), archive_items=tuple(entry["archive_items"]),
            series=entry.get("series", ""), deadline_days=entry.get("deadline_days"),
            notice_kind=entry.get("notice_kind", ""), where=entry.get("where", {}), source=source,
            answers=entry.get("answers", {}), dated_by=entry.get("dated_by", {}), style=entry.get("style", ""),
            signed_copy=entry.get("signed_copy", ""), full_ids=bool(entry.get("full_ids", False)),
        ))
    return Registry(folder, tuple(specs))


def roster_field(parts: list[str]) -> bool:
    from docgen.resources import data_json

    child = data_json("roster.schema.json")["$defs"]["child"]["properties"]
    return len(parts) == 1 and parts[0] in child
