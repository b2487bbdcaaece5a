"""The coverage table (``procedure/coverage.yaml``): every passage of the five seed documents that sets an
obligation, an actor, a time limit, an order, a count or a condition, with the rules that check it — or the reason it
cannot be checked from case data, and the command or service feature that serves it instead.

When loaded it is checked against ``coverage.schema.json``, against the seed texts the project carries in
``procedure/seeds/`` (every passage is quoted word for word; whitespace does not count) and against the rules that
exist (the checklists, the procedure, the unit-archive checks, ``case.invalid`` and ``inventory.inactive``). A
passage of a law, whose text the project does not carry, may be listed only to explain the rules resting on it.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from docgen.errors import SpecError
from docgen.problems import Document
from docgen.specs.loading import load_spec_file
from docgen.specs.sources import Sources

COVERAGE_FILE, COVERAGE_SCHEMA, SEEDS_FOLDER = "coverage.yaml", "coverage.schema.json", "seeds"


def compact(text: str) -> str:
    """``text`` without any whitespace: how a passage is compared with its seed (the seeds break lines and put
    spaces inside words where their PDFs did)."""
    return "".join(text.split())


@dataclass(frozen=True)
class Entry:
    """One passage: what it sets (keys of ``Coverage.set_labels``), and either the rules that check it or the reason
    no rule does (``checkable``: a rule could, from what the case records or could record); ``supported_by`` names a
    command or feature that serves it without a finding, ``note`` what the rules leave out."""

    document: Document
    passage: str
    sets: tuple[str, ...]
    rules: tuple[str, ...]
    reason: str
    checkable: bool
    supported_by: str
    note: str
    quoted: bool  # the passage was found in the seed's text (False: a law's passage, not carried)

    @property
    def checked(self) -> bool:
        return bool(self.rules)


@dataclass(frozen=True)
class Coverage:
    path: Path
    entries: tuple[Entry, ...]
    set_labels: Mapping[str, str]
    seeds: Mapping[str, str]  # document id → the seed's text, for every document the project carries

    def documents(self) -> list[Document]:
        """The documents the table quotes: the seeds first, then the laws, each in the order first quoted."""
        docs = list(dict.fromkeys(e.document for e in self.entries))
        return sorted(docs, key=lambda d: d.id not in self.seeds)

    def entries_of(self, document: Document) -> list[Entry]:
        return [e for e in self.entries if e.document == document]

    def cited_rules(self) -> set[str]:
        return {r for e in self.entries for r in e.rules}


def _where(index: int, raw: Mapping[str, object]) -> str:
    passage = str(raw.get("passage", ""))
    short = passage if len(passage) <= 16 else f"{passage[:16]}…"
    return f"$.entries[{index}]（{raw.get('doc', '')}“{short}”）"


def _seed_texts(folder: Path, sources: Sources) -> dict[str, str]:
    texts = {}
    for doc_id, name in sources.texts.items():
        path = folder / SEEDS_FOLDER / name
        try:
            texts[doc_id] = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise SpecError(str(path),
                            f"依据文件“{doc_id}”的原文不存在（{sources.path.name} 的 text 指向这里）") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise SpecError(str(path), f"无法读取依据文件“{doc_id}”的原文（{exc}）") from exc
    return texts


def load_coverage(folder: Path, sources: Sources, rule_ids: Collection[str]) -> Coverage:
    """Read ``coverage.yaml`` in ``folder`` and check every entry: its document is registered, a seed's passage is
    in the seed's text word for word, every rule it names is one of ``rule_ids``, no passage is listed twice.
    SpecError names the file and the entry."""
    path = folder / COVERAGE_FILE
    raw = load_spec_file(path, COVERAGE_SCHEMA)
    schema = json.loads((folder / COVERAGE_SCHEMA).read_text(encoding="utf-8"))
    set_labels = schema["$defs"]["entry"]["properties"]["sets"]["items"]["x-labels"]
    seeds = _seed_texts(folder, sources)
    compact_seeds = {doc_id: compact(text) for doc_id, text in seeds.items()}
    known = set(rule_ids)
    seen: dict[tuple[str, str], int] = {}
    entries = []
    for i, item in enumerate(raw["entries"]):
        where = _where(i, item)
        document = sources.documents.get(item["doc"])
        if document is None:
            registered = "、".join(sources.documents)
            raise SpecError(str(path),
                            f"{where}：依据文件“{item['doc']}”不在 {sources.path.name} 中（已登记：{registered}）")
        passage = compact(item["passage"])
        if document.id in compact_seeds:
            if passage not in compact_seeds[document.id]:
                raise SpecError(str(path),
                                f"{where}：原文在 {sources.texts[document.id]} 中找不到，应逐字摘录（空白不计）")
        elif "rules" not in item:
            raise SpecError(str(path), f"{where}：项目中没有“{document.id}”的原文，只能用来说明规则的依据，应写 rules")
        unknown = [r for r in item.get("rules", []) if r not in known]
        if unknown:
            raise SpecError(str(path), f"{where}：规则 {'、'.join(unknown)} 不存在（docgen rules 列出全部规则）")
        key = (document.id, passage)
        if key in seen:
            raise SpecError(str(path), f"{where}：与 $.entries[{seen[key]}] 是同一段原文")
        seen[key] = i
        entries.append(Entry(document, item["passage"].strip(), tuple(item["sets"]), tuple(item.get("rules", [])),
                             item.get("reason", ""), item.get("checkable", False), item.get("supported_by", ""),
                             item.get("note", ""),
                             document.id in compact_seeds))
    return Coverage(path, tuple(entries), set_labels, seeds)
