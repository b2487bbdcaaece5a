"""The roster and the A3B3 tables: every child counted once, the counts reconcile, a child left out fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docgen.cases import load_cases
from docgen.errors import DataProblemsError
from docgen.roster import build_tables, load_roster, reconcile
from docgen.roster.tables import COLUMNS


@pytest.fixture
def county(demo_dir: Path, tmp_path: Path) -> tuple[dict, list]:
    roster = json.loads((demo_dir / "roster.json").read_text(encoding="utf-8"))
    cases = load_cases([demo_dir / "cases.json"]).checked()
    return roster, cases


def _load(tmp_path: Path, roster: dict):
    path = tmp_path / "roster.json"
    path.write_text(json.dumps(roster, ensure_ascii=False), encoding="utf-8")
    return load_roster(path)


def test_demo_ledgers_reconcile_with_the_roster(county, tmp_path: Path) -> None:
    roster, cases = county
    tables = build_tables(_load(tmp_path, roster), cases)
    counts = reconcile(tables)
    assert tables.problems == []
    assert counts["children"] == len(roster["children"]) == counts["sum"]
    assert counts["unaccounted"] == 0
    assert sum(counts[c] for c in COLUMNS if c.startswith("B4") or c == "work_study") == len(cases) == 24
    in_county = sum(1 for c in roster["children"] if c["attending"] == "in_county" and "case_id" not in c)
    assert counts["in_county"] == in_county
    for row in tables.b3_1:  # every village row adds up, and the township totals are the sums of its villages
        assert row.total == sum(row.counts.values())
    totals = [r for r in tables.b3_1 if r.village == "合计"]
    assert sum(r.total for r in totals) == counts["children"]
    county = tables.b3_1[-1]  # the county's table ends with the county total, the sum of its townships
    assert (county.township, county.village, county.total) == ("全县", "全县合计", counts["children"])
    assert all(county.counts[c] == sum(r.counts[c] for r in totals) for c in COLUMNS)


def test_a_child_left_out_fails_the_reconciliation(county, tmp_path: Path) -> None:
    roster, cases = county
    child = next(c for c in roster["children"] if c["attending"] == "in_county")
    child["attending"] = "none"
    del child["school"]
    tables = build_tables(_load(tmp_path, roster), cases)
    assert reconcile(tables)["unaccounted"] == 1
    (problem,) = tables.problems
    assert problem.case == child["name"] and "去向不明" in problem.message


def test_a_case_missing_from_the_roster_is_reported(county, tmp_path: Path) -> None:
    roster, cases = county
    roster["children"] = [c for c in roster["children"] if c.get("case_id") != "QS-2022-003"]
    tables = build_tables(_load(tmp_path, roster), cases)
    assert [p.message for p in tables.problems] == ["案卷 QS-2022-003 的学生不在台账中"]


def test_a_middle_school_counts_its_own_students_and_keeps_no_b3_2(county, tmp_path: Path) -> None:
    roster, cases = county
    tables = build_tables(_load(tmp_path, roster), cases, "云溪镇初级中学", "middle")
    own = sum(1 for c in roster["children"] if c.get("school") == "云溪镇初级中学")
    own += sum(1 for c in cases if c["student"]["school"] == "云溪镇初级中学")
    assert tables.children == own and tables.b3_2 == []


def test_retention_against_the_targets(county, tmp_path: Path) -> None:
    roster, cases = county
    tables = build_tables(_load(tmp_path, roster), cases)
    junior = next(x for x in tables.retention if x["township"] == "桐林乡" and x["measure"] == "junior")
    open_junior = sum(1 for c in cases if c["hukou_place"]["township"] == "桐林乡" and c["student"]["grade"] >= 7
                      and c["situation"]["status"] in ("suspected", "dropped_out"))
    assert junior["of"] - junior["kept"] == open_junior and junior["met"] is (junior["rate"] >= 0.98)


def test_roster_children_are_checked_like_students(county, tmp_path: Path) -> None:
    roster, _ = county
    roster["children"][30]["id_number"] = roster["children"][30]["id_number"][:17] + "0"
    roster["children"][31]["birth_date"] = "2019-01-01"
    with pytest.raises(DataProblemsError) as info:
        _load(tmp_path, roster)
    messages = [p.message for p in info.value.problems]
    assert any("身份证号校验位错误" in m for m in messages)
    assert any("不在义务教育适龄范围" in m for m in messages)


def test_roster_round_trips_through_excel(county, tmp_path: Path) -> None:
    from docgen.roster.excel import export_roster, import_roster

    roster, _ = county
    export_roster(roster["children"], tmp_path / "台账.xlsx")
    assert import_roster(tmp_path / "台账.xlsx", roster["county"], roster["school_year"]) == roster


def test_start_of_term_report_counts_who_was_absent_then(county, tmp_path: Path) -> None:
    import datetime as dt

    from docgen.roster.term import term_report

    roster, cases = county
    report = term_report(_load(tmp_path, roster), cases, "桐林乡初级中学", dt.date(2022, 9, 1))
    # Dropped out by the 10-day check (2022-09-11) and not back: 梁家乐 (B4-7, 09-05) and 王建华 (B4-9, 09-05).
    # 邓建华 is on the B4-3 route; 高语嫣 (09-19) and 张梓豪 (10-10) were still at school then; 李诗琪 (B4-2)
    # left with her certificate in July and is no longer expected.
    assert sorted(r["case_id"] for r in report.absent) == ["QS-2022-018", "QS-2022-023"]
    expected = sum(c["expected"] for c in report.grades.values())
    gone = sum(1 for c in cases if c["student"]["school"] == "桐林乡初级中学" and c["situation"].get("closed_on")
               and c["situation"]["closed_on"] <= "2022-09-01" and c["situation"]["category"] not in ("B4-3", "B4-4",
                                                                                                    "B4-5", "B4-6"))
    assert expected == sum(1 for c in roster["children"] if c.get("school") == "桐林乡初级中学") + sum(
        1 for c in cases if c["student"]["school"] == "桐林乡初级中学") - gone
    assert gone == 1
