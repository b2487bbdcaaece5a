"""The command line through click's runner: exit codes and what a clerk reads."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
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
    assert "24 个案卷" in out and "预设缺漏 16 处" in out
    code, _, err = run("validate", str(tmp_path / "demo" / "cases.json"))
    assert code == 0, err


def test_check_exit_codes_and_report(tmp_path: Path, demo_dir: Path) -> None:
    args = ["check", str(demo_dir / "cases.json"), "--evidence", str(demo_dir / "evidence"), "--as-of", "2026-11-23"]
    code, out, _ = run(*args, "--institutions", str(demo_dir / "institutions.json"), "--report", str(tmp_path))
    assert code == 1
    total = next(line for line in out.splitlines() if line.startswith("合计"))
    assert total.split() == ["合计", "24", "13", "11", "13", "3", "0"]  # cases, complete, incomplete, gaps, units
    assert "（b4-2.certificate-after-persuasion）" in out
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["核查报告.html", "核查报告.json", "核查报告.pdf", "核查报告.xlsx"]
    scope = json.loads((tmp_path / "核查报告.json").read_text(encoding="utf-8"))["scope"]
    assert scope == "青石县，案卷 24 份"  # what a reader names, never a file name
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


def test_render_numbers_and_templates_commands(tmp_path: Path, demo_dir: Path, workspace: Path) -> None:
    out = tmp_path / "通知书"
    code, stdout, _ = run("render", str(demo_dir / "cases.json"), "-t", "限期复学通知书", "-o", str(out),
                          "--date", "2026-11-23")
    assert code == 0 and "已生成限期复学通知书 15 份（编文号 15 份）" in stdout
    assert f"文号登记簿：{workspace / '文号登记簿.sqlite'}" in stdout
    code, stdout, _ = run("numbers", "list")
    assert code == 0 and len(stdout.splitlines()) == 15  # recorded in the cases (〔2022〕) or issued now
    issued = [line.split("\t")[0] for line in stdout.splitlines()]
    code, stdout, _ = run("numbers", "void", issued[0], "--reason", "姓名有误")
    assert code == 0
    code, stdout, _ = run("numbers", "list")
    (line,) = [line for line in stdout.splitlines() if line.startswith(issued[0])]
    assert "\t作废（姓名有误）\t限期复学通知书" in line
    code, _, err = run("render", str(demo_dir / "cases.json"), "-t", "不存在的模板", "-o", str(out))
    assert code == 2 and "没有名为“不存在的模板”的模板" in err
    code, stdout, err = run("templates", "check")
    assert code == 0 and "全部正确" in err


def test_two_renders_into_different_folders_continue_one_series(tmp_path: Path, demo_dir: Path) -> None:
    args = (str(demo_dir / "cases.json"), "-t", "限期复学通知书", "--date", "2026-11-23")
    run("render", *args, "-o", str(tmp_path / "a"))
    first = json.loads((tmp_path / "a" / "限期复学通知书_清单.json").read_text(encoding="utf-8"))
    code, _, _ = run("render", *args, "-o", str(tmp_path / "b"))
    assert code == 0
    second = json.loads((tmp_path / "b" / "限期复学通知书_清单.json").read_text(encoding="utf-8"))
    assert [d["doc_no"] for d in first["documents"]] == [d["doc_no"] for d in second["documents"]]
    code, stdout, err = run("numbers", "list")
    assert code == 0 and "漏号" not in err
    assert len(stdout.splitlines()) == 15  # one number per notice, whichever folder it went to


def test_render_without_a_workspace_numbers_nothing(tmp_path: Path, demo_dir: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOCGEN_WORKSPACE")
    monkeypatch.chdir(tmp_path)
    code, stdout, err = run("render", str(demo_dir / "cases.json"), "-t", "限期复学通知书", "-o", "out")
    assert code == 2 and "没有找到工作区" in err and "docgen init" in err
    assert not (tmp_path / "out").exists() and not list(tmp_path.iterdir())
    code, stdout, _ = run("init", "--county", "青石县")
    assert code == 0 and (tmp_path / "docgen-workspace.yaml").is_file()
    code, stdout, _ = run("render", str(demo_dir / "cases.json"), "-t", "限期复学通知书", "-o", "out",
                          "--date", "2026-11-23")
    assert code == 0 and "编文号 15 份" in stdout
    code, _, err = run("init", "--county", "白水县")
    assert code == 2 and "已经是青石县的工作区" in err


def test_paper_numbers_are_imported_and_the_series_continues(tmp_path: Path) -> None:
    from openpyxl import Workbook

    from docgen.workspace import require_workspace

    book = Workbook()
    sheet = book.active
    sheet.append(["文号", "文书", "发文机关", "案卷编号", "成文日期"])
    sheet.append(["云政限复〔2026〕1号", "限期复学通知书", "云溪镇人民政府", "", "2026-03-02"])
    sheet.append(["云政限复〔2026〕2号", "限期复学通知书", "云溪镇人民政府", "", "2026年3月5日"])
    sheet.append(["云政限复〔2026〕3号", "劝返记录表", "云溪镇人民政府", "", "2026-03-06"])
    sheet.append(["云政限复〔2026〕4号", "限期复学通知书", "云溪镇人民政府", "", "2026-02-30"])
    book.save(tmp_path / "paper.xlsx")
    code, stdout, err = run("numbers", "import", str(tmp_path / "paper.xlsx"))
    assert code == 1
    assert "Sheet!B4（文书） “劝返记录表”不是编文号的文书" in stdout
    assert "Sheet!E5（成文日期）" in stdout and "未写出任何文件" in err
    sheet.delete_rows(4, 2)
    book.save(tmp_path / "paper.xlsx")
    code, stdout, _ = run("numbers", "import", str(tmp_path / "paper.xlsx"))
    assert code == 0 and "已登记 2 个纸面文号" in stdout
    code, stdout, _ = run("numbers", "import", str(tmp_path / "paper.xlsx"))
    assert code == 0 and "已登记 0 个纸面文号" in stdout  # importing the same list twice changes nothing
    with require_workspace().register.batch() as numbers:
        next_no = numbers.number(issuer="云溪镇人民政府", prefix="云政限复", series="限复", year=2026,
                                 template="限期复学通知书", case_id="QS-2022-001", record_key="",
                                 issued_on=dt.date(2026, 11, 23))
    assert next_no == "云政限复〔2026〕3号"
    code, stdout, err = run("numbers", "list")
    assert code == 0 and "漏号" not in err


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


def test_click_speaks_chinese_too() -> None:
    code, _, err = run("render", "x.json")
    assert code == 2 and "用法：" in err and "缺少选项 '-t' / '--template'" in err and "查看帮助" in err
    assert "Usage" not in err and "Missing option" not in err and "Try " not in err
    code, out, _ = run("--help")
    assert "显示本帮助并退出。" in out and "Show this message" not in out
    code, _, err = run("nosuch")
    assert code == 2 and "没有命令“nosuch”" in err


def test_a_roster_template_given_the_case_file_says_so(demo_dir: Path) -> None:
    code, out, err = run("render", str(demo_dir / "cases.json"), "-t", "入学通知书", "-o", "unused")
    assert code == 2 and out == ""
    assert err.strip() == f"错误：{demo_dir / 'cases.json'}: 这是案卷文件，不是适龄儿童少年台账（如 roster.json）"


def test_a_date_outside_the_rosters_school_year_is_refused(demo_dir: Path, tmp_path: Path) -> None:
    """The demo roster is 2022—2023's: its entrants' notices and its term statistics take days of that year."""
    roster, cases = str(demo_dir / "roster.json"), str(demo_dir / "cases.json")
    code, out, err = run("term-start", roster, "--cases", cases, "--term-start", "2026-09-01", "-o",
                         str(tmp_path / "t.xlsx"))
    assert code == 2 and out == "" and not (tmp_path / "t.xlsx").exists()
    assert err.strip() == ("错误：--term-start：开学日期2026年9月1日不在台账的 2022—2023 学年"
                           "（2022年8月1日至2023年7月31日）内：请用这一学年内的日期，或先导入 2026 学年的台账")
    code, out, err = run("render", roster, "-t", "入学通知书", "-o", str(tmp_path / "n"), "--date", "2023-08-01",
                         "--workspace", str(demo_dir))
    assert code == 2 and "--date：成文日期2023年8月1日不在台账的 2022—2023 学年" in err
    assert not (tmp_path / "n").exists()
