"""Monthly reports (with zero reports) and the due list, checked by hand against the seeds' time rules."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import docx

from docgen.followup import due_actions, monthly_report
from docgen.followup.writers import write_monthly
from docgen.specs import load_spec


def _checked(demo_dir: Path) -> list:
    from docgen.cases import load_cases

    return load_cases([demo_dir / "cases.json"]).checked()


_cases = _checked  # every stage takes checked cases (read like the JSON they hold)


def test_september_report_of_a_township(demo_dir: Path) -> None:
    cases = _cases(demo_dir)
    report = monthly_report(cases, "云溪镇", dt.date(2022, 9, 1))
    sept = [c for c in cases if c["hukou_place"]["township"] == "云溪镇"
            and c["situation"]["dropout_date"].startswith("2022-09")]
    assert report.total("new_dropped") + report.total("new_suspected") == len(sept)
    assert report.total("closed") == sum(1 for c in cases if c["hukou_place"]["township"] == "云溪镇"
                                         and c["situation"].get("closed_on", "").startswith("2022-09"))
    assert not report.zero and len(report.still_open) == report.total("open")


def test_a_school_without_dropouts_files_a_zero_report(demo_dir: Path, tmp_path: Path) -> None:
    report = monthly_report(_cases(demo_dir), "青石县实验小学", dt.date(2022, 9, 1))
    assert report.zero
    path = write_monthly(report, tmp_path, "罗晓梅", dt.date(2022, 10, 15))
    text = "\n".join(p.text for p in docx.Document(path).paragraphs)
    assert "零报告：2022年9月，本单位无新增疑似辍学、辍学学生" in text and "填报人（签名）：罗晓梅" in text


def test_due_list_on_20_october_2022(demo_dir: Path) -> None:
    """Hand-checked against procedure/steps.yaml: what each of these cases owes on 2022-10-20, and nothing else."""
    on = dt.date(2022, 10, 20)
    actions = due_actions(_checked(demo_dir), on, load_spec())
    by_case: dict[str, list[tuple[str, int]]] = {}
    for a in actions:
        by_case.setdefault(a.case_id, []).append((a.action[:6], a.overdue(on)))
    # B4-7, family in 义乌: never reported in writing (absent from Monday 09-05: a week is 09-12, two working days
    # more is 09-14); the letter of 09-28 is unanswered → chase on 10-28. No penalty: the inflow place takes over.
    assert by_case["QS-2022-018"] == [("书面报告乡镇", 36), ("催办复函：2", -8)]
    # B4-9: 事先告知书 served 10-18 with 3 days to answer → the decision is due on 10-22 (it comes on 10-28).
    assert by_case["QS-2022-023"] == [("陈述、申辩期", -2)]
    # B4-9: served 10-15 → due 10-19; the decision is dated 10-25, later than 10-20: still owed that day.
    assert by_case["QS-2022-022"] == [("陈述、申辩期", 1)]
    # B4-8's route is remote teaching, not a penalty: nothing due although the order's deadline has passed.
    assert not {"QS-2022-020", "QS-2022-021"} & set(by_case)
    # B4-1 returned on 10-12, B4-6 taught that week: nothing due. B4-4 applied for leave on 10-18 (until
    # 2023-01-13): its return, or a renewal, is owed when the leave ends.
    assert not {"QS-2022-001", "QS-2022-015"} & set(by_case)
    assert by_case["QS-2022-011"] == [("休学期满：监", -85)]
    monthly = [a for a in actions if not a.case_id]
    assert [(a.township, a.due) for a in monthly] == [("云溪镇", on), ("桐林乡", on)]
    assert all(a.action.startswith("报送2022年9月控辍保学月报表") for a in monthly)  # September's, due 10-20
    assert monthly[0].source.startswith("唐河县教育体育局教基〔2022〕95号：“每月20日前")  # documents, not seed numbers
    assert not any(re.search(r"\b00\d：|\.txt", a.source) for a in actions)
    later = [a for a in due_actions(_checked(demo_dir), dt.date(2022, 10, 21), load_spec()) if not a.case_id]
    assert {(a.action[:13], a.due) for a in later} == {("报送2022年10月控辍保", dt.date(2022, 11, 20))}
    assert [a.due for a in actions] == sorted(a.due for a in actions)


def test_a_case_is_seen_as_it_stood_on_the_day(demo_dir: Path) -> None:
    """On 2022-09-25 nothing recorded later exists yet: no case whose dropout comes later, no letter sent later."""
    on = dt.date(2022, 9, 25)
    owed = {a.case_id for a in due_actions(_checked(demo_dir), on, load_spec()) if a.case_id}
    assert "QS-2022-005" not in owed  # dropped out on 09-26
    assert "QS-2022-004" in owed  # dropped out 09-19, reported on 09-26: the report is owed, due 09-28


def test_a_home_teaching_week_without_a_session_is_due(demo_dir: Path) -> None:
    on = dt.date(2022, 11, 21)
    actions = [a for a in due_actions(_checked(demo_dir), on, load_spec()) if a.case_id == "QS-2022-015"]
    assert [(a.action, a.due) for a in actions] == [
        ("补送教：2022-11-14 至 2022-11-20 当周送教 0 次，要求每周一次", dt.date(2022, 11, 20))]


def test_the_filing_date_falls_inside_the_window() -> None:
    from docgen.followup.monthly import filing_date, filing_window

    september = dt.date(2022, 9, 1)
    assert filing_window(september) == (dt.date(2022, 10, 1), dt.date(2022, 10, 20))
    assert filing_date(september, dt.date(2022, 10, 8)) == dt.date(2022, 10, 8)  # today, when inside
    assert filing_date(september, dt.date(2026, 11, 23)) == dt.date(2022, 10, 20)  # years later: the deadline
    assert filing_date(september, dt.date(2022, 9, 20)) == dt.date(2022, 10, 1)  # never before the month ends
    assert filing_window(dt.date(2022, 12, 1)) == (dt.date(2023, 1, 1), dt.date(2023, 1, 20))


def test_monthly_command_dates_the_report_and_names_every_category(demo_dir: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from docgen.cli import main

    cases = json.loads((demo_dir / "cases.json").read_text(encoding="utf-8"))
    categories = {c["situation"]["category"] for c in cases["cases"]}
    assert "work_study" in categories
    out = tmp_path / "monthly"
    result = CliRunner().invoke(main, ["monthly", str(demo_dir / "cases.json"), "--month", "2022-09",
                                       "--unit", "桐林乡", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "报送日期：2022年10月20日（月报表应在次月20日前报送；用 --date 指定）" in result.output
    (path,) = out.glob("*.docx")
    document = docx.Document(path)
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "报送日期：2022年10月20日" in text and not any("work_study" in c for c in cells)
    assert "送读工读学校" in cells
    early = CliRunner().invoke(main, ["monthly", str(demo_dir / "cases.json"), "--month", "2022-09",
                                      "--date", "2022-09-15", "--out", str(tmp_path / "early")])
    assert early.exit_code == 2 and "最早 2022-10-01 报送" in early.output and not (tmp_path / "early").exists()


def test_a_townships_report_shows_its_schools_adding_up_to_it(demo_dir: Path) -> None:
    from docgen.followup.monthly import MEASURES

    cases = _cases(demo_dir)
    township = monthly_report(cases, "桐林乡", dt.date(2022, 9, 1))
    assert township.by_school and set(township.schools) == {"桐林乡中心小学", "桐林乡初级中学"}
    for measure in MEASURES:
        assert sum(c[measure] for c in township.schools.values()) == township.total(measure), measure
    school = monthly_report(cases, "桐林乡初级中学", dt.date(2022, 9, 1))
    assert not school.by_school  # a school's own report has no breakdown by school
    for measure in MEASURES:  # and the township's row for that school is the school's own report
        assert township.schools["桐林乡初级中学"][measure] == school.total(measure), measure


def test_the_quarter_review_counts_each_student_once_at_their_school(demo_dir: Path) -> None:
    from docgen.followup.national import QUARTER_MEASURES, quarter_review

    cases = _cases(demo_dir)
    units = ["云溪镇", "桐林乡", "云溪镇中心小学", "云溪镇初级中学", "桐林乡中心小学", "桐林乡初级中学",
             "青石县实验小学"]
    review = quarter_review(cases, "青石县", 2022, 3, units, {"青石县实验小学": "云溪镇"})
    assert review.townships == {"云溪镇": ["云溪镇中心小学", "云溪镇初级中学", "青石县实验小学"],
                                "桐林乡": ["桐林乡中心小学", "桐林乡初级中学"]}
    assert sum(review.schools["青石县实验小学"].values()) == 0  # no cases: a row of zeros, under its township
    county = review.county_total()
    for measure in QUARTER_MEASURES:
        assert county[measure] == sum(review.township_total(t)[measure] for t in review.townships), measure
    in_quarter = [c for c in cases if "2022-07-01" <= c["situation"]["dropout_date"] <= "2022-09-30"]
    assert county["new"] == len(in_quarter)  # each student once (the flat list counted them twice)
    assert county["open_end"] == len(review.still_open)
