"""The demo county's roster of compulsory-age children for 2022—2023, consistent with its cases."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

from docgen import idcard
from docgen.cases.model import CaseData
from docgen.demo import county
from docgen.demo.builder import GIVEN_BOY, GIVEN_GIRL, SURNAMES

SCHOOL_YEAR = 2022
PER_VILLAGE = 55
COUNTY_SCHOOL = "青石县实验小学"  # a school with no dropout case: its monthly reports are zero reports
OUT_OF_COUNTY = ("广东省东莞市", "浙江省义乌市", "福建省厦门市", "湖南省长沙市")


def _grade(born: dt.date) -> int:
    """The grade a child born on that day is in, in the demo school year (6 by 31 August → grade 1)."""
    return SCHOOL_YEAR - born.year - (1 if (born.month, born.day) > (8, 31) else 0) - 5


PARENT_NAMES = ("建国", "永红", "德胜", "春生", "海军", "国华", "明亮", "志强", "国庆", "卫东")


def demo_roster(cases: Sequence[CaseData]) -> dict[str, Any]:
    rng = random.Random(SCHOOL_YEAR)
    parents = random.Random(SCHOOL_YEAR + 1)  # guardians' names from their own stream: the roster stays as it was
    children: list[dict[str, Any]] = []
    used_ids = {c["student"]["id_number"] for c in cases}
    for case in cases:
        student, place = case["student"], case["hukou_place"]
        child = {"name": student["name"], "gender": student["gender"], "id_number": student["id_number"],
                 "birth_date": student["birth_date"], "township": place["township"], "village": place["village"],
                 "attending": "none", "case_id": case["case_id"]}
        if case.get("flags"):
            child["flags"] = list(case["flags"])
        children.append(child)
    order = 500
    for town in county.TOWNSHIPS:
        for village in town.villages:
            for _ in range(PER_VILLAGE):
                born = dt.date(2006, 9, 1) + dt.timedelta(days=rng.randrange(0, 365 * 10))
                grade = _grade(born)
                if not 1 <= grade <= 9:
                    continue
                gender = rng.choice(("male", "female"))
                order += 2
                digit = order + (1 if gender == "male" else 0)
                id_number = idcard.with_check_digit(f"{county.DIVISION_CODE}{born:%Y%m%d}{digit % 1000:03d}")
                if id_number in used_ids:
                    continue
                used_ids.add(id_number)
                pool = GIVEN_BOY if gender == "male" else GIVEN_GIRL
                i = rng.randrange(0, len(pool) // 2) * 2
                name = rng.choice(SURNAMES) + pool[i:i + 2]
                child = {"name": name, "gender": gender, "id_number": id_number,
                         "birth_date": born.isoformat(), "township": town.name, "village": village,
                         "guardian": name[0] + parents.choice(PARENT_NAMES)}
                roll = rng.random()
                if roll < 0.08:
                    child.update(attending="out_of_county", out_of_county_place=rng.choice(OUT_OF_COUNTY),
                                 grade=grade, registry_certificate=rng.random() < 0.85)
                else:
                    school = (town.primary_school if grade <= 6 else town.middle_school)
                    if grade <= 6 and town is county.TOWNSHIPS[0] and roll > 0.85:
                        school = COUNTY_SCHOOL
                    child.update(attending="in_county", school=school, grade=grade)
                if rng.random() < 0.15:
                    child["flags"] = ["registered_poor"]
                children.append(child)
    return {"schema_version": 1, "county": county.COUNTY, "school_year": SCHOOL_YEAR, "children": children}
