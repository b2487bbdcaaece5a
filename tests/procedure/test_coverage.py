"""The coverage table: every obligation passage of the five seeds is listed, quoted word for word, and answered with
the rules that check it or the reason none can; every rule the audit has is explained by a passage."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from docgen.check.catalog import default_coverage, rule_catalog
from docgen.check.engine import INACTIVE_RULE, INVALID_RULE
from docgen.check.institutions import UNIT_RULES
from docgen.errors import SpecError
from docgen.procedure.coverage import compact, load_coverage
from docgen.specs import DEFAULT_PROCEDURE_DIR, load_spec

SPEC = load_spec()
COVERAGE = default_coverage(SPEC)
SEEDS = ("tanghe-2022-95", "district-2022-plan", "qingtongxia-2018-49", "county-2022-0924", "xianyi-2022-56")

# Words that, in these documents, always state a duty, a deadline, a frequency or a threshold: a sentence holding
# one must be answered by the table. (Broader words — 要、应、由、负责 — also occur in headings, goals and
# phrases such as “重要”“相应”“负责的态度”, so they are not used here.)
MARKERS = ("必须", "须", "应当", "应该", "要及时", "及时", "不得", "严禁", "禁止", "日内", "当天", "第一时间",
           "立即", "每周", "每月", "每年", "每学期", "以上", "不少于", "不低于", "至少")


def _sentences(text: str) -> list[tuple[int, int, str]]:
    """The seed's sentences (ending with 。；！ or a line end) as (start, end, text) in its whitespace-free form."""
    flat, out, pos = compact(text), [], 0
    for raw in re.split(r"(?<=[。；！;!])|\n", text):
        sentence = compact(raw)
        if sentence:
            start = flat.index(sentence, pos)
            pos = start + len(sentence)
            out.append((start, pos, sentence))
    return out


def _spans(doc_id: str) -> list[tuple[int, int]]:
    """Where the table's passages of one seed lie in its whitespace-free text (every occurrence)."""
    flat = compact(COVERAGE.seeds[doc_id])
    spans = []
    for entry in COVERAGE.entries:
        if entry.document.id == doc_id:
            passage = compact(entry.passage)
            spans += [(m.start(), m.start() + len(passage)) for m in re.finditer(re.escape(passage), flat)]
    return spans


def test_the_shipped_table_loads_with_every_seed_answered() -> None:
    assert set(COVERAGE.seeds) == set(SEEDS)
    for doc_id in SEEDS:
        entries = [e for e in COVERAGE.entries if e.document.id == doc_id]
        assert len(entries) >= 15, doc_id
        assert all(e.quoted for e in entries)
    for entry in COVERAGE.entries:
        assert entry.rules or entry.reason, entry.passage
        assert not (entry.rules and entry.reason), entry.passage
        assert set(entry.sets) <= set(COVERAGE.set_labels)
    checked = [e for e in COVERAGE.entries if e.quoted and e.checked]
    unchecked = [e for e in COVERAGE.entries if e.quoted and not e.checked]
    assert len(checked) > 100 and len(unchecked) > 100
    # Passages of the laws explain rules only; they are not quoted from a text the project does not carry.
    assert all(e.checked and not e.quoted for e in COVERAGE.entries if e.document.id not in SEEDS)


def test_every_rule_the_audit_has_is_explained_by_a_passage() -> None:
    catalog = {r.id for r in rule_catalog(SPEC)}
    expected = ({r.id for r in SPEC.checklists.all_rules} | set(SPEC.procedure.rule_ids)
                | {r.id for r in UNIT_RULES} | {INVALID_RULE, INACTIVE_RULE})
    assert catalog == expected
    assert catalog - COVERAGE.cited_rules() == set()


def test_every_rule_has_wording_severity_and_source() -> None:
    rules = rule_catalog(SPEC)
    assert len({r.id for r in rules}) == len(rules)
    for rule in rules:
        assert rule.message and rule.sources and rule.severity in ("error", "warning", "info"), rule.id


@pytest.mark.parametrize("doc_id", SEEDS)
def test_every_sentence_with_an_obligation_marker_is_in_the_table(doc_id: str) -> None:
    spans = _spans(doc_id)
    missing = [sentence for start, end, sentence in _sentences(COVERAGE.seeds[doc_id])
               if any(m in sentence for m in MARKERS) and not any(a < end and start < b for a, b in spans)]
    assert missing == []


@pytest.mark.parametrize("doc_id", SEEDS)
def test_the_obligation_word_itself_is_inside_a_quoted_passage(doc_id: str) -> None:
    """Stricter than overlapping the sentence: a passage that cut off the marker would not quote the duty."""
    spans = _spans(doc_id)
    flat = compact(COVERAGE.seeds[doc_id])
    missing = [flat[max(0, m.start() - 20):m.end() + 10] for marker in MARKERS
               for m in re.finditer(re.escape(marker), flat)
               if not any(a <= m.start() and m.end() <= b for a, b in spans)]
    assert missing == []


def test_passages_are_found_in_the_seed_whatever_its_line_breaks() -> None:
    """Seed 000 breaks “对少数经相关部” / “门联合劝返” across lines; the table quotes it whole."""
    entry = next(e for e in COVERAGE.entries if e.passage.startswith("对少数经相关部门联合劝返三次以上"))
    assert "对少数经相关部\n" in COVERAGE.seeds[entry.document.id]
    assert "b4-3.joint-persuasion" in entry.rules


def _copy(tmp_path: Path, entries: str) -> Path:
    folder = tmp_path / "procedure"
    shutil.copytree(DEFAULT_PROCEDURE_DIR, folder)
    (folder / "coverage.yaml").write_text(f"version: 1\nentries:\n{entries}", encoding="utf-8")
    return folder


def _load(folder: Path) -> object:
    return load_coverage(folder, SPEC.sources, [r.id for r in rule_catalog(SPEC)])


GOOD = """  - doc: tanghe-2022-95
    passage: "在校生3日内无故不到校的，学校要及时家访"
    sets: [obligation, time]
    rules: [home-visit.late]
"""


def test_a_county_copy_with_a_good_entry_loads(tmp_path: Path) -> None:
    coverage = _load(_copy(tmp_path, GOOD))
    (entry,) = coverage.entries
    assert entry.rules == ("home-visit.late",) and entry.quoted


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (GOOD.replace("home-visit.late", "home-visit.too-late"),
         "$.entries[0]（tanghe-2022-95“在校生3日内无故不到校的，学校要…”）：规则 home-visit.too-late 不存在"),
        (GOOD.replace("学校要及时家访", "学校要立即家访"),
         "$.entries[0]（tanghe-2022-95“在校生3日内无故不到校的，学校要…”）：原文在 000_cb1af398ea51e0c5.txt 中找不到，"
         "应逐字摘录（空白不计）"),
        (GOOD.replace("tanghe-2022-95", "tanghe-2023-1"), "依据文件“tanghe-2023-1”不在 sources.yaml 中"),
        (GOOD.replace("rules: [home-visit.late]", "reason: 不能核查") + "    checkable: true\n"
         + GOOD.replace("sets: [obligation, time]", "sets: [obligation, time]\n    checkable: true"),
         "$.entries[1] 不符合 coverage.schema.json：写了“checkable”就要写“reason”"),
        (GOOD + "    reason: 需要电话记录\n", "$.entries[0] 不符合 coverage.schema.json：这里不能写“reason”"),
        (GOOD.replace("    rules: [home-visit.late]\n", ""), "$.entries[0] 不符合 coverage.schema.json：缺少“reason”"),
        (GOOD.replace("[obligation, time]", "[deadline]"), "$.entries[0].sets[0] 不符合 coverage.schema.json"),
        (GOOD + GOOD.replace("在校生3日内", "在校生 3日内"),
         "$.entries[1]（tanghe-2022-95“在校生 3日内无故不到校的，学校…”）：与 $.entries[0] 是同一段原文"),
        (GOOD.replace("tanghe-2022-95", "xzcff-2021").replace("    rules: [home-visit.late]\n", "    reason: 法律\n"),
         "项目中没有“xzcff-2021”的原文，只能用来说明规则的依据，应写 rules"),
    ],
)
def test_mistakes_in_the_table_are_named_with_file_and_entry(tmp_path: Path, entries: str, message: str) -> None:
    folder = _copy(tmp_path, entries)
    with pytest.raises(SpecError) as raised:
        _load(folder)
    assert str(raised.value).startswith(f"{folder / 'coverage.yaml'}: ")
    assert message in str(raised.value)


def test_a_missing_seed_text_is_named(tmp_path: Path) -> None:
    folder = _copy(tmp_path, GOOD)
    (folder / "seeds" / "003_33cc3c9a67e33d36.txt").unlink()
    with pytest.raises(SpecError) as raised:
        _load(folder)
    seed = folder / "seeds" / "003_33cc3c9a67e33d36.txt"
    assert str(raised.value).startswith(f"{seed}: 依据文件“county-2022-0924”的原文不存在")


def test_a_law_passage_is_not_looked_up_in_any_text(tmp_path: Path) -> None:
    law = GOOD.replace("tanghe-2022-95", "xzqzf-2011").replace("在校生3日内无故不到校的，学校要及时家访",
                                                               "第五十四条：行政机关申请人民法院强制执行前，应当催告当事人履行义务")
    (entry,) = _load(_copy(tmp_path, law)).entries
    assert not entry.quoted and entry.document.title == "中华人民共和国行政强制法"
