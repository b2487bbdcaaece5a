"""The sources register (checklists/sources.yaml): every document rules and inventory items cite, by id."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
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


def load_sources(checklist_dir: Path, adopted: Mapping[str, Document] | None = None) -> Sources:
    """The register. ``adopted`` (a county's, from its workspace): the county's own document for each local one it
    adopts, by the local one's id — cited instead of it; the local documents it does not adopt become advisory.
    None (no county named): every document as the register has it."""
    path = checklist_dir / SOURCES_FILE
    raw = load_spec_file(path, SCHEMA_FILE)
    documents = {key: Document(key, d["title"], d["issuer"], d.get("doc_no", ""), d.get("date", ""), d.get("note", ""))
                 for key, d in raw["documents"].items()}
    if adopted is not None:
        unknown = [key for key in adopted if key not in documents]
        if unknown:
            raise SpecError(str(path), f"工作区采用的依据 {'、'.join(unknown)} 不在依据文件登记表中"
                                       f"（已登记：{'、'.join(documents)}）")
        for key, d in raw["documents"].items():
            if d.get("scope") != "local":
                continue
            own = adopted.get(key)
            documents[key] = (replace(own, id=key, adopts=documents[key].short) if own is not None
                              else replace(documents[key], advisory=True))
    texts = {key: d["text"] for key, d in raw["documents"].items() if d.get("text")}
    return Sources(path, documents, texts)
