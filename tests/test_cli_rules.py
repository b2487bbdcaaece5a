"""``docgen rules`` through click's runner: what an auditor reads, and what a program reads."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from docgen.check.catalog import default_coverage, rule_catalog
from docgen.cli import main
from docgen.specs import DEFAULT_CHECKLIST_DIR, load_spec
from docgen.text import display_width


def run(*args: str, columns: int = 100) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env={"COLUMNS": str(columns)})
    return result.exit_code, result.stdout, result.stderr


def test_rules_lists_every_rule_with_severity_kind_wording_and_source() -> None:
    code, out, err = run("rules")
    assert code == 0 and err == ""
    lines = out.splitlines()
    catalog = rule_catalog(load_spec())
    count = Counter(r.kind for r in catalog)
    assert lines[0] == (f"核查规则一览（共 {len(catalog)} 条：核查规则 {count['checklist']}、"
                        f"程序 {count['procedure']}、单位档案 5、案卷数据 1、档案清单 1）")
    assert f"程序（{count['procedure']} 条）" in lines and "单位档案（5 条）" in lines
    assert "  persuasion.five [缺漏] 劝返记录只有 … 次，要求 5 次以上" in lines
    assert "  inflow-reply.wait [提示] 复函（…）在去函（…）30日之后才收到" in lines
    at = lines.index("  home-visit.late [建议补充] 第一次家访劝返在 …，距学生无故未到校（…）已超过一周："
                     "无故缺课3日就应及")
    assert lines[at + 1:at + 4] == [
        "      时家访",
        "      依据：唐河县教育体育局教基〔2022〕95号：“在校生3日内无故不到校的，学校要及时家访，对有辍学倾向",
        "        的要深入学生家庭做劝返工作”",
    ]
    for rule in catalog:
        assert f"  {rule.id} [" in out
    assert max(display_width(line) for line in lines) <= 100


def test_rules_fit_the_terminal_between_80_and_120_columns() -> None:
    for columns, limit in ((60, 80), (80, 80), (200, 120)):
        _, out, _ = run("rules", "--coverage", columns=columns)
        widest = max(display_width(line) for line in out.splitlines())
        assert limit - 4 <= widest <= limit, columns


def test_rules_json_is_one_entry_per_rule() -> None:
    code, out, _ = run("rules", "--json")
    assert code == 0
    rules = json.loads(out)
    assert [r["id"] for r in rules] == [r.id for r in rule_catalog(load_spec())]
    unit = next(r for r in rules if r["id"] == "a3b1.order")
    assert unit["kind"] == "unit" and unit["kind_label"] == "单位档案" and unit["severity_label"] == "缺漏"
    assert unit["sources"][0]["document"] == "咸宜镇人民政府咸宜府发〔2022〕56号"
    decision = next(r for r in rules if r["id"] == "penalty-decision.statement-period")
    assert decision["message"].startswith("行政处罚决定书的日期 {date}")  # machines get the placeholders
    assert decision["sources"][0]["doc"] == "xzcff-2021"


def test_rules_coverage_prints_each_seed_passage_with_its_rules_or_reason() -> None:
    code, out, err = run("rules", "--coverage")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert "唐河县教育体育局《关于印发〈唐河县义务教育控辍保学专项行动“回头看”工作的实施方案〉的通知》（教基〔" in lines
    at = lines.index("  17. “在校生3日内无故不到校的，学校要及时家访，对有辍学倾向的要深入学生家庭做劝返工作”")
    assert lines[at + 1:at + 3] == ["      规定：义务、办理单位、时限",
                                    "      核查规则：home-visit.late、persuasion.five"]
    monthly = lines.index("  25. “并于每月20日前将月报表加盖中心学校公章，填报人签名，上报县教体局基础教育一股”")
    assert lines[monthly + 1] == "      规定：义务、时限、办理单位"
    assert lines[monthly + 2] == "      不能从案卷核查：月报表是单位的报表，不在学生案卷中"
    assert lines[monthly + 3].startswith("      功能支持：docgen monthly 月报表（报送日期取次月1—20日")
    assert any(line.startswith("      尚无规则（可以从案卷核查）：") for line in lines)
    coverage = default_coverage(load_spec())
    seeds = [e for e in coverage.entries if e.quoted]
    checked = sum(e.checked for e in seeds)
    first = next(i for i, line in enumerate(lines) if line.startswith("合计："))
    summary = "".join(line.strip() for line in lines[first:])
    assert (f"合计：5 份依据文件中规定义务的原文 {len(seeds)} 段，由规则核查 {checked} 段，"
            f"没有规则核查 {len(seeds) - checked} 段") in summary
    assert max(display_width(line) for line in lines) <= 100


def test_rules_coverage_json_is_the_table_in_file_order() -> None:
    code, out, _ = run("rules", "--coverage", "--json")
    assert code == 0
    entries = json.loads(out)
    coverage = default_coverage(load_spec())
    assert [(e["doc"], e["passage"]) for e in entries] == [(e.document.id, e.passage) for e in coverage.entries]
    assert set(entries[0]) == {"doc", "document", "passage", "quoted", "sets", "rules", "reason", "checkable",
                               "supported_by", "note"}
    report = "对无故离校超过一个星期的，由学校及时书面报告各镇（街道办）和教育局"
    written = next(e for e in entries if e["passage"] == report)
    assert written["rules"] == ["written-report.late", "written-report.missing"] and written["reason"] == ""


def test_rules_with_a_broken_county_checklist_says_where_without_a_traceback(tmp_path: Path) -> None:
    checklists = tmp_path / "checklists"
    shutil.copytree(DEFAULT_CHECKLIST_DIR, checklists)
    b41 = checklists / "B4-1.yaml"
    b41.write_text(b41.read_text(encoding="utf-8").replace("kinds: [school_photo]", "kinds: [photo]"),
                   encoding="utf-8")
    code, out, err = run("rules", "--checklists", str(checklists))
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.strip() == f"错误：{b41}: 规则 b4-1.school-photo：佐证材料种类 photo 不在案卷格式中"
