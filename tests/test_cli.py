"""The command line through click's runner: exit codes and what a clerk reads."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from conftest import FIXTURES
from openpyxl import load_workbook

from docgen.cli import main

CASES = FIXTURES / "cases"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_validate_valid_file_exits_0() -> None:
    code, out, err = run("validate", "--today", "2026-11-23", str(CASES / "valid-batch.json"))
    assert code == 0
    assert out == ""
    assert "检查了 1 个文件、2 个案卷，全部合格。" in err


def test_validate_problems_exit_1_one_line_each() -> None:
    code, out, err = run("validate", "--today", "2026-11-23", str(CASES / "id-check-digit.json"))
    assert code == 1
    (line,) = out.splitlines()
    assert line.startswith(f"{CASES / 'id-check-digit.json'}: 测试甲(G")
    assert line.endswith("$.student.id_number 身份证号校验位错误，应为 7")
    assert "发现 1 个问题" in err


def test_validate_unusable_exits_2_without_traceback() -> None:
    unusable = FIXTURES / "unusable" / "list-of-numbers.json"
    code, out, err = run("validate", str(unusable), str(CASES / "valid-minimal.json"))
    assert code == 2
    assert "Traceback" not in out + err
    assert "不是案卷文件" in err
    assert "1 个文件无法使用" in err


def test_validate_bad_today_is_a_usage_error() -> None:
    code, _, err = run("validate", "--today", "2022-02-30", str(CASES / "valid-minimal.json"))
    assert code == 2
    assert "日期应为 YYYY-MM-DD" in err


def test_export_then_import_round_trips(tmp_path: Path) -> None:
    ledger, back = tmp_path / "台账.xlsx", tmp_path / "back.json"
    code, out, _ = run("export", str(CASES / "valid-batch.json"), "-o", str(ledger))
    assert code == 0 and "已导出 2 个案卷" in out
    code, out, _ = run("import", str(ledger), "-o", str(back), "--today", "2026-11-23")
    assert code == 0 and "导入 2 个案卷" in out
    original = json.loads((CASES / "valid-batch.json").read_text(encoding="utf-8"))
    assert json.loads(back.read_text(encoding="utf-8")) == original


def test_import_with_problems_writes_nothing_and_exits_1(tmp_path: Path) -> None:
    ledger, out_json = tmp_path / "台账.xlsx", tmp_path / "out.json"
    run("export", str(CASES / "valid-batch.json"), "-o", str(ledger))
    wb = load_workbook(ledger)
    wb["辍学学生台账"]["D3"] = "43992120110101202X"
    wb.save(ledger)
    code, out, err = run("import", str(ledger), "-o", str(out_json), "--today", "2026-11-23")
    assert code == 1
    assert "辍学学生台账!D3（身份证号） 身份证号校验位错误" in out
    assert "未写出任何文件" in err
    assert not out_json.exists()
    assert list(tmp_path.iterdir()) == [ledger], "no temporary file is left behind"


def test_import_missing_file_exits_2() -> None:
    code, _, err = run("import", "no-such.xlsx", "-o", "x.json")
    assert code == 2
    assert err.strip() == "错误：no-such.xlsx: 文件不存在"


def test_mapping_prints_the_default_mapping() -> None:
    code, out, _ = run("mapping")
    assert code == 0
    assert "key: 案卷编号" in out and "身份证号: student.id_number" in out


def test_demo_command_builds_the_county(tmp_path: Path) -> None:
    code, out, _ = run("demo", str(tmp_path / "demo"))
    assert code == 0
    assert "24 个案卷" in out and "预设缺漏 14 处" in out
    code, _, err = run("validate", str(tmp_path / "demo" / "cases.json"))
    assert code == 0, err


def test_check_exit_codes_and_report(tmp_path: Path, demo_dir: Path) -> None:
    args = ["check", str(demo_dir / "cases.json"), "--evidence", str(demo_dir / "evidence"), "--as-of", "2026-11-23"]
    code, out, _ = run(*args, "--institutions", str(demo_dir / "institutions.json"), "--report", str(tmp_path))
    assert code == 1
    assert "合计              24    13    11      11    0" in out
    assert "（b4-2.certificate-after-persuasion）" in out
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["核查报告.html", "核查报告.json", "核查报告.pdf", "核查报告.xlsx"]
    code, out, _ = run("check", str(CASES / "valid-minimal.json"), "--as-of", "2026-11-23")
    assert code == 1 and "劝返记录只有 1 次" in out
    code, _, err = run("check", str(CASES / "valid-minimal.json"), "--evidence", str(tmp_path / "nope"))
    assert code == 2 and "佐证材料目录不存在" in err


def test_check_of_a_complete_case_exits_0(tmp_path: Path) -> None:
    from docgen.demo import demo_cases

    case = next(c for c in demo_cases()[0]["cases"] if c["case_id"] == "QS-2022-001")
    path = tmp_path / "one.json"
    path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    code, out, _ = run("check", str(path), "--as-of", "2026-11-23")
    assert code == 0, out


def test_render_numbers_and_templates_commands(tmp_path: Path, demo_dir: Path) -> None:
    out = tmp_path / "通知书"
    code, stdout, _ = run("render", str(demo_dir / "cases.json"), "-t", "入学通知书", "-o", str(out),
                          "--date", "2026-11-23")
    assert code == 0 and "已生成入学通知书 24 份（编文号 24 份）" in stdout
    register = str(tmp_path / "文号登记簿.sqlite")
    code, stdout, _ = run("numbers", "list", "--register", register)
    assert code == 0 and stdout.count("青教入学〔2026〕") == 24
    code, stdout, _ = run("numbers", "void", "青教入学〔2026〕3号", "--reason", "姓名有误", "--register", register)
    assert code == 0
    code, stdout, _ = run("numbers", "list", "--register", register)
    assert "青教入学〔2026〕3号\t2026-11-23\t作废（姓名有误）" in stdout
    code, _, err = run("render", str(demo_dir / "cases.json"), "-t", "不存在的模板", "-o", str(out))
    assert code == 2 and "没有名为“不存在的模板”的模板" in err
    code, stdout, err = run("templates", "check")
    assert code == 0 and "全部正确" in err


def test_assemble_and_verify_refuse_unusable_input(tmp_path: Path) -> None:
    code, _, err = run("assemble", str(CASES / "valid-minimal.json"), "--evidence", str(tmp_path / "nope"),
                       "-o", str(tmp_path / "archive"))
    assert code == 2 and "佐证材料目录不存在" in err
    code, _, err = run("verify", str(tmp_path))
    assert code == 2 and "不是 docgen 生成的档案（BagIt）" in err


def test_ledgers_monthly_due_and_roster_commands(tmp_path: Path, demo_dir: Path) -> None:
    roster, cases = str(demo_dir / "roster.json"), str(demo_dir / "cases.json")
    code, out, _ = run("ledgers", roster, "--cases", cases, "-o", str(tmp_path / "ledgers"))
    assert code == 0 and "适龄儿童少年 313 人 = 县内就读 268 + 县外就读 21" in out
    code, out, _ = run("monthly", cases, "--roster", roster, "--month", "2022-09", "-o", str(tmp_path / "m"))
    assert code == 0 and "青石县实验小学 2022年9月：零报告" in out
    assert len(list((tmp_path / "m").glob("*.docx"))) == 7
    code, out, _ = run("due", cases, "--date", "2022-10-20", "-o", str(tmp_path / "due.xlsx"))
    assert code == 0 and "梁家乐（QS-2022-018）：催办复函" in out and (tmp_path / "due.xlsx").exists()
    code, _, err = run("monthly", cases, "--month", "2022-13", "-o", str(tmp_path / "m"))
    assert code == 2 and "月份应写成 YYYY-MM" in err
    code, out, _ = run("roster", "import", str(demo_dir / "roster.xlsx"), "-o", str(tmp_path / "r.json"),
                       "--county", "青石县", "--school-year", "2022")
    assert code == 0 and "导入 313 名儿童" in out
    code, out, _ = run("term-start", roster, "--cases", cases, "--term-start", "2022-09-01", "-o",
                       str(tmp_path / "t.xlsx"))
    assert code == 0 and "桐林乡初级中学：应到 47 人，未到校 2 人" in out
