"""The roster of compulsory-age children (适龄儿童少年台账): loading and checking it.

Each child is checked the way a case's student is: the GB 11643 check digit, the birth date and
gender inside the ID, and school age for the roster's school year (6 full years by 31 August, up to
16). Problems are collected, one line each, like ``docgen validate``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from docgen import idcard
from docgen.cases.checks import MAX_AGE, MIN_AGE
from docgen.cases.loader import read_json_file
from docgen.dates import cn_date, full_years, parse_iso
from docgen.errors import DataProblemsError, InputError
from docgen.problems import Problem
from docgen.resources import data_json
from docgen.schema_errors import describe, json_path


@dataclass(frozen=True)
class Roster:
    file: str
    county: str
    school_year: int
    children: list[dict[str, Any]]


def school_year_of(day: dt.date) -> int:
    """The school year ``day`` falls in (it starts on 1 August): 2022 for 2022-09-01 and for 2023-03-01."""
    return day.year if day.month >= 8 else day.year - 1


def school_year_span(school_year: int) -> tuple[dt.date, dt.date]:
    """The days of school year ``school_year``—``school_year + 1``: 1 August to 31 July."""
    return dt.date(school_year, 8, 1), dt.date(school_year + 1, 7, 31)


def outside_school_year(school_year: int, day: dt.date, what: str) -> str | None:
    """Why ``day`` (``what``: 开学日期, 成文日期) cannot be used with the roster of ``school_year`` — its ages and
    grades are reckoned for that school year, so a day of another year would tell a family the wrong things — or
    None when it falls in it."""
    first, last = school_year_span(school_year)
    if first <= day <= last:
        return None
    return (f"{what}{cn_date(day)}不在台账的 {school_year}—{school_year + 1} 学年（{cn_date(first)}至{cn_date(last)}）"
            f"内：请用这一学年内的日期，或先导入 {school_year_of(day)} 学年的台账")


def _child_problems(file: str, i: int, child: dict[str, Any], school_year: int) -> list[Problem]:
    problems = []
    who = f"{child.get('name', '')}({idcard.mask_id(child.get('id_number', ''))})"
    where = f"$.children[{i}]"
    id_number, born = child["id_number"], parse_iso(child["birth_date"])
    expected = idcard.check_digit(id_number[:17])
    if id_number[17] != expected:
        problems.append(Problem(file, f"{where}.id_number", f"身份证号校验位错误，应为 {expected}", who))
    if born is None:
        problems.append(Problem(file, f"{where}.birth_date", f"日期 {child['birth_date']} 不存在", who))
        return problems
    if idcard.birth_date(id_number) not in (None, born):
        problems.append(Problem(file, f"{where}.birth_date", "出生日期与身份证号不一致", who))
    if idcard.gender(id_number) != child["gender"]:
        problems.append(Problem(file, f"{where}.gender", "性别与身份证号不一致", who))
    cutoff = dt.date(school_year, 8, 31)
    age = full_years(born, cutoff)
    if age < MIN_AGE or age > MAX_AGE:
        problems.append(Problem(file, f"{where}.birth_date",
                                f"到 {cutoff.isoformat()} 为 {age} 周岁，不在义务教育适龄范围（6—16周岁）", who))
    if child["attending"] == "in_county" and "school" not in child:
        problems.append(Problem(file, f"{where}.school", "县内就读的儿童应写明就读学校", who))
    if child["attending"] == "out_of_county" and "out_of_county_place" not in child:
        problems.append(Problem(file, f"{where}.out_of_county_place", "县外就读的儿童应写明就读地", who))
    return problems


def load_roster(path: Path) -> Roster:
    """Read and check a roster; InputError when unusable, DataProblemsError listing every data problem."""
    name = str(path)
    data = read_json_file(path, "适龄儿童少年台账")
    if isinstance(data, dict) and "cases" in data and "children" not in data:
        raise InputError(name, "这是案卷文件，不是适龄儿童少年台账（如 roster.json）")
    return check_roster(name, data)


REQUIRED = "roster.required"  # the id of a problem about a field the child lacks (its path ends in the field)


def check_roster(name: str, data: Any) -> Roster:
    """The roster ``data`` (read from ``name``) checked; DataProblemsError listing every problem by JSON path."""
    errors = sorted(Draft202012Validator(data_json("roster.schema.json")).iter_errors(data),
                    key=lambda e: list(e.absolute_path))
    if errors:
        raise DataProblemsError([_schema_problem(name, e) for e in errors])
    problems = [p for i, child in enumerate(data["children"])
                for p in _child_problems(name, i, child, data["school_year"])]
    seen: dict[str, int] = {}
    for i, child in enumerate(data["children"]):
        if child["id_number"] in seen:
            problems.append(Problem(name, f"$.children[{i}].id_number",
                                    f"身份证号与 $.children[{seen[child['id_number']]}] 重复", child["name"]))
        seen.setdefault(child["id_number"], i)
    if problems:
        raise DataProblemsError(problems)
    return Roster(name, data["county"], data["school_year"], data["children"])


def _schema_problem(name: str, error: Any) -> Problem:
    if error.validator == "required":  # located at the field itself, as a ledger's cell is
        missing = error.message.split("'")[1]
        return Problem(name, f"{json_path(error)}.{missing}", describe(error), id=REQUIRED)
    return Problem(name, json_path(error), describe(error), id="roster.schema")
