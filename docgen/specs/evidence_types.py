"""Which file types each kind of evidence may be (a photo must be a picture, a letter a scan or document)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from docgen.specs.loading import load_spec_file

TYPES_FILE = "evidence_types.yaml"
SCHEMA_FILE = "evidence_types.schema.json"
MEDIA_LABELS = {"pdf": "PDF 扫描件", "image": "照片（JPG/PNG）", "docx": "Word 文档", "audio": "音频", "video": "视频"}


@dataclass(frozen=True)
class EvidenceTypes:
    default: tuple[str, ...]
    kinds: dict[str, tuple[str, ...]]
    default_author: str = "school"
    authors: dict[str, str] = field(default_factory=dict)

    def allowed(self, kind: str) -> tuple[str, ...]:
        return self.kinds.get(kind, self.default)

    def author(self, kind: str) -> str:
        """Who makes this kind of evidence (卷内目录 责任者): a role (school, township, bureau, village,
        guardian) or an organisation's name."""
        return self.authors.get(kind, self.default_author)


def load_evidence_types(checklist_dir: Path) -> EvidenceTypes:
    raw = load_spec_file(checklist_dir / TYPES_FILE, SCHEMA_FILE)
    return EvidenceTypes(tuple(raw["default"]), {k: tuple(v) for k, v in raw["kinds"].items()},
                         raw.get("default_author", "school"), dict(raw.get("authors", {})))
