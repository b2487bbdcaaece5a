"""The template registry (templates_docx/registry.yaml): which templates exist and what each needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docgen.cases.schema import case_field
from docgen.errors import SpecError
from docgen.specs import DEFAULT_TEMPLATE_DIR, default_procedure
from docgen.specs.loading import load_spec_file
from docgen.specs.procedure import Procedure, Step

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
    style: str = ""  # 公文 (GB/T 9704), 执法文书 (行政执法文书) or 表格
    signed_copy: str = ""  # the evidence kind of the signed scan that stands for this document in an archive
    receipt_copy: str = ""  # the evidence kind of its signed 送达回证, which replaces the blank one in an archive
    unit_fields: tuple[str, ...] = ()  # what the issuing unit's workspace settings must give: signer, contact, phone
    full_ids: bool = False  # the document legally names its party in full: ID numbers are not masked in it
    # The step of the procedure that issues this document (its categories, its date, what it waits for), if any.
    step: Step | None = field(default=None, compare=False, repr=False)
    procedure: Procedure | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Registry:
    folder: Path
    templates: tuple[TemplateSpec, ...]
    procedure: Procedure | None = field(default=None, compare=False, repr=False)

    def get(self, name: str) -> TemplateSpec:
        for spec in self.templates:
            if spec.name == name:
                return spec
        names = "、".join(t.name for t in self.templates)
        raise SpecError(str(self.folder / REGISTRY_FILE), f"没有名为“{name}”的模板（现有：{names}）")


def load_registry(folder: Path | None = None, procedure: Procedure | None = None) -> Registry:
    """The templates of ``folder`` (the project's by default), each tied to the step of ``procedure`` (the
    county's, by default) that issues it."""
    folder = folder or DEFAULT_TEMPLATE_DIR
    procedure = procedure or default_procedure()
    path = folder / REGISTRY_FILE
    raw = load_spec_file(path, SCHEMA_FILE)
    specs = []
    for entry in raw["templates"]:
        where = f"模板“{entry['name']}”"
        step = procedure.producing(entry["name"])
        applies_to = tuple(entry.get("applies_to", step.applies_to if step else ()))
        if not applies_to:
            raise SpecError(str(path), f"{where}：没有写 applies_to，程序中也没有出具它的步骤")
        if step is not None and "applies_to" in entry and set(applies_to) != set(step.applies_to):
            raise SpecError(str(path), f"{where}：applies_to 与程序中出具它的步骤“{step.id}”不一致，"
                                       "请删去这里的 applies_to（以 procedure/steps.yaml 为准）")
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
        for key in ("signed_copy", "receipt_copy"):
            if entry.get(key) and entry[key] not in kinds:
                raise SpecError(str(path), f"{where}：{key} “{entry[key]}” 不是佐证材料的种类")
        for dotted in [*entry["fields"], *(k for k in entry.get("where", {}) if not per)]:
            if not known(dotted.split(".")):
                raise SpecError(str(path), f"{where}：{dotted} 不在{'台账' if source == 'roster' else '案卷'}格式中")
        specs.append(TemplateSpec(
            name=entry["name"], path=template, per=per, applies_to=applies_to,
            issuer=entry["issuer"], fields=tuple(entry["fields"]), archive_items=tuple(entry["archive_items"]),
            series=entry.get("series", ""), deadline_days=entry.get("deadline_days"),
            notice_kind=entry.get("notice_kind", ""), where=entry.get("where", {}), source=source,
            style=entry.get("style", ""), signed_copy=entry.get("signed_copy", ""), step=step, procedure=procedure,
            receipt_copy=entry.get("receipt_copy", ""), unit_fields=tuple(entry.get("unit_fields", [])),
            full_ids=bool(entry.get("full_ids", False)),
        ))
    return Registry(folder, tuple(specs), procedure)


def roster_field(parts: list[str]) -> bool:
    from docgen.resources import data_json

    child = data_json("roster.schema.json")["$defs"]["child"]["properties"]
    return len(parts) == 1 and parts[0] in child
