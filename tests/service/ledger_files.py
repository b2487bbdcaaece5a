"""Ledger workbooks for the service's tests: a new student of 云溪镇 (not yet in the county's cases), written
by the library's own export, optionally with one bad cell."""

from __future__ import annotations

import copy
from pathlib import Path

from docgen.demo import demo_cases
from docgen.idcard import with_check_digit
from docgen.ledger.writer import export_ledger

NEW_CASE_ID = "QS-2022-025"
NEW_NAME = "周子涵"


def new_student() -> dict:
    case = copy.deepcopy(next(c for c in demo_cases()[0]["cases"] if c["case_id"] == "QS-2022-001"))
    id_number = with_check_digit("43992120090714106")
    case["case_id"] = NEW_CASE_ID
    case["student"].update(name=NEW_NAME, gender="female", id_number=id_number, birth_date="2009-07-14",
                           registry_no=f"G{id_number}", grade=7)
    case["situation"].update(dropout_date="2022-10-10", status="dropped_out", reported_on="2022-10-12",
                             step="publicity")
    visit = {k: v for k, v in case["persuasions"][0].items() if k != "evidence"}
    for key in ("persuasions", "notices", "evidence", "return_info"):
        case.pop(key, None)
    case["persuasions"] = [{**visit, "date": "2022-10-11"}]  # visited the day after; the order may follow
    return case


def new_student_ledger(path: Path, *, bad_date: bool = False) -> Path:
    """The new student's ledger; with ``bad_date`` the 辍学时间 cell holds 2022-02-30."""
    case = new_student()
    if bad_date:
        case["situation"]["dropout_date"] = "2022-02-30"
    export_ledger([case], path)
    return path
