"""The roster online: the bureau imports the county's 适龄儿童少年台账 (checked and shown before it is kept); each
unit makes its A3B3 ledgers and 开学 statistics from it as a job; the bureau's job also issues the 入学通知书,
numbered from the county's register in the database."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from conftest import client_of
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from docgen.roster.entrants import due_entrants
from docgen.roster.excel import export_roster
from docgen.service.county import jobs
from docgen.service.county.actors import Actor
from docgen.service.county.models import AuditEvent, IssuedNumber, Job, RosterFile, Unit
from docgen.service.county.roster import as_roster

pytestmark = pytest.mark.usefixtures("in_process_jobs")  # jobs run here, in the test's transaction


def workbook(tmp_path: Path, bad: bool = False) -> Path:
    """The demo roster as the county keeps it in Excel (one ID number mistyped when ``bad``)."""
    children = [dict(c) for c in RosterFile.objects.get().data["children"]]
    if bad:
        children[4]["id_number"] = children[4]["id_number"][:-1] + ("0" if children[4]["id_number"][-1] != "0"
                                                                    else "1")
    path = tmp_path / ("名册-有错.xlsx" if bad else "名册.xlsx")
    export_roster(children, path)
    return path


def upload(client: Client, path: Path, year: int = 2022):
    return client.post("/roster/", {"school_year": str(year),
                                    "file": SimpleUploadedFile(path.name, path.read_bytes())})


def test_the_bureau_imports_a_roster_checked_cell_by_cell(accounts: dict[str, str], tmp_path: Path) -> None:
    bureau = client_of(accounts, "青石县教育局")
    first = RosterFile.objects.get()
    page = bureau.get("/roster/").content.decode()
    assert f"全县 {first.children} 名适龄儿童少年" in page and "导入台账（县教育局）" in page
    bad = upload(bureau, workbook(tmp_path, bad=True)).context["preview"]
    assert [(p.path, p.message) for p in bad.problems] == [
        ("适龄儿童少年台账!C6（身份证号）", "身份证号校验位错误，应为 7")]
    assert "********" in bad.problems[0].case  # the child named, the number masked
    assert RosterFile.objects.count() == 1  # nothing kept
    refused = bureau.post("/roster/confirm/", {"token": bad.token, "name": bad.name, "school_year": "2022"},
                          follow=True)
    assert "台账有" in refused.content.decode() and RosterFile.objects.count() == 1
    good = upload(bureau, workbook(tmp_path)).context["preview"]
    assert good.clean and good.children == first.children and sum(n for _, n in good.townships) == good.children
    assert good.entrants == len(due_entrants(as_roster(first)))
    done = bureau.post("/roster/confirm/", {"token": good.token, "name": good.name, "school_year": "2022"},
                       follow=True).content.decode()
    assert f"共 {first.children} 人" in done
    assert RosterFile.objects.count() == 2 and RosterFile.objects.first().imported_by == "青石县教育局"
    assert AuditEvent.objects.filter(action="导入适龄儿童少年台账", username="青石县教育局").count() == 1


def test_only_the_bureau_imports(accounts: dict[str, str], tmp_path: Path) -> None:
    path = workbook(tmp_path)
    for name in ("云溪镇", "云溪镇初级中学", "青石县人民政府教育督导室"):
        client = client_of(accounts, name)
        page = client.get("/roster/").content.decode()
        assert "导入台账（县教育局）" not in page and "全县" in page
        assert upload(client, path).status_code == 404
        assert client.post("/roster/confirm/", {"token": "x", "name": "x", "school_year": "2022"}).status_code == 404
    assert RosterFile.objects.count() == 1


def _run(client: Client) -> Job:
    response = client.post("/jobs/", {"kind": "roster", "roster-date": "2022-09-01"})
    assert response.status_code == 302, response.content.decode()[:800]
    job = Job.objects.latest("pk")
    jobs.run_steps(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, (job.message, job.log)
    return job


def test_the_bureaus_job_makes_the_ledgers_the_statistics_and_numbered_enrolment_notices(
        accounts: dict[str, str]) -> None:
    roster = as_roster(RosterFile.objects.get())
    entrants = due_entrants(roster)
    job = _run(client_of(accounts, "青石县教育局"))
    with zipfile.ZipFile(jobs.result_path(job)) as bundle:
        names = bundle.namelist()
        b3 = load_workbook(io.BytesIO(bundle.read("A3B3_就读台账/A3B3_就读台账.xlsx")))
        term = load_workbook(io.BytesIO(bundle.read(next(n for n in names if n.startswith("开学工作统计报表_")))))
    notices = [n for n in names if n.startswith("入学通知书/") and n.endswith(".docx") and "打印" not in n]
    assert len(notices) == len(entrants) == job.summary["entrants"] > 0
    assert not any(n.endswith(".json") for n in names)
    numbers = IssuedNumber.objects.filter(template="入学通知书")
    assert numbers.count() == len(entrants) and len({n.doc_no for n in numbers}) == len(entrants)
    assert b3.sheetnames and len(term.sheetnames) == job.summary["schools"] > 1
    assert job.summary["children"] == len(roster.children)
    again = _run(client_of(accounts, "青石县教育局"))  # run again: the same numbers, none taken twice
    assert again.summary["entrants"] == len(entrants) and IssuedNumber.objects.filter(template="入学通知书").count() \
        == len(entrants)


def test_a_township_gets_its_own_ledgers_and_no_notices(accounts: dict[str, str]) -> None:
    roster = as_roster(RosterFile.objects.get())
    job = _run(client_of(accounts, "云溪镇"))
    with zipfile.ZipFile(jobs.result_path(job)) as bundle:
        names = bundle.namelist()
    assert not any(n.startswith("入学通知书/") for n in names)
    assert job.summary["children"] == sum(c["township"] == "云溪镇" for c in roster.children)
    assert not IssuedNumber.objects.filter(template="入学通知书").exists()
    auditor = client_of(accounts, "青石县人民政府教育督导室")
    assert auditor.post("/jobs/", {"kind": "roster", "roster-date": "2022-09-01"}).status_code == 404


def test_the_bureau_gets_a_blank_roster_with_the_columns_the_import_reads(accounts: dict[str, str]) -> None:
    bureau = client_of(accounts, "青石县教育局")
    page = bureau.get("/roster/").content.decode()
    assert "第一行是列名：姓名" in page and "docgen" not in page.split("<main", 1)[1]  # words for a clerk
    blank = bureau.get("/roster/template/")
    assert blank.status_code == 200 and blank["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(blank.content))["适龄儿童少年台账"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header[:3] == ["姓名", "性别", "身份证号"] and sheet.max_row == 1  # no child in it
    ids = sheet.column_dimensions["C"]  # an ID number typed in stays whole: text, wide enough to read
    assert ids.number_format == "@" and ids.width >= 20
    attending = get_column_letter(header.index("就读情况") + 1)
    offered = [v for v in sheet.data_validations.dataValidation if f"{attending}2" in str(v.sqref)]
    assert offered and "县内就读" in offered[0].formula1
    assert client_of(accounts, "云溪镇").get("/roster/template/").status_code == 404


def test_a_term_outside_the_rosters_school_year_is_refused_beside_the_date(accounts: dict[str, str]) -> None:
    """The demo roster is 2022—2023's: a 2026 term would send families notices reckoned for 2022."""
    bureau = client_of(accounts, "青石县教育局")
    page = bureau.get("/jobs/")
    assert page.context["term"]["date"].value() == dt.date(2022, 9, 1)  # offered in the roster's year
    refused = bureau.post("/jobs/", {"kind": "roster", "roster-date": "2026-09-01"})
    assert refused.status_code == 200 and not Job.objects.filter(kind="roster").exists()
    assert refused.context["term"].errors["date"] == [
        "开学日期2026年9月1日不在台账的 2022—2023 学年（2022年8月1日至2023年7月31日）内：请用这一学年内的日期，"
        "或先导入 2026 学年的台账"]
    assert not IssuedNumber.objects.filter(template="入学通知书").exists()
    bureau_actor = Actor("青石县教育局", Unit.objects.get(name="青石县教育局"), None)
    job = jobs.start(bureau_actor, "roster", {"on": "2026-09-01"}, "开学")  # a job started past the form: refused too
    jobs.run_steps(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.message.startswith("开学日期2026年9月1日不在台账的")
    assert not IssuedNumber.objects.filter(template="入学通知书").exists()


def test_the_register_names_a_childs_enrolment_notice_and_counts_the_series_listed(accounts: dict[str, str]) -> None:
    _run(client_of(accounts, "青石县教育局"))
    page = client_of(accounts, "青石县教育局").get("/numbers/").content.decode()
    assert "适龄儿童（2022—2023 学年），身份证号 " in page and "入学2022:" not in page
    township = client_of(accounts, "云溪镇").get("/numbers/")
    listed = {(n.issuer, n.series, n.year) for n in township.context["rows"]}
    assert f"{len(listed)} 个文号系列" in township.content.decode() and "入学通知书" not in township.content.decode()
