"""The sources register (checklists/sources.yaml): every document rules and inventory items cite, by id."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docgen.errors import SpecError
from docgen.problems import Document, Source
from docgen.specs.loading import load_spec_file

SOURCES_FILE = "sources.yaml"
SCHEMA_FILE = "sources.schema.json"


@dataclass(frozen=True)
class Sources:
    path: Path
    documents: dict[str, Document]
    texts: dict[str, str] = field(default_factory=dict)  # document id → its text file in procedure/seeds/

    def cite(self, raw: dict[str, Any], where: str, file: Path) -> Source:
        """The Source of a spec entry's ``source: {doc, passage}``; SpecError when the register lacks it."""
        document = self.documents.get(raw["doc"])
        if document is None:
            known = "、".join(self.documents)
            raise SpecError(str(file), f"{where}的依据 “{raw['doc']}” 不在 {self.path} 中（已登记：{known}）")
        return Source(document, raw["passage"])


def load_sources(checklist_dir: Path) -> Sources:
    path = checklist_dir / SOURCES_FILE
    raw = load_spec_file(path, SCHEMA_FILE)
    documents = {key: Document(key, d["title"], d["issuer"], d.get("doc_no", ""), d.get("date", ""), d.get("note", ""))
                 for key, d in raw["documents"].items()}
    texts = {key: d["text"] for key, d in raw["documents"].items() if d.get("text")}
    return Sources(path, documents, texts)
