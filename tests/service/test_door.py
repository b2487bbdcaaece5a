"""Issue 30's reproducers, each against the one guarded door: the Excel ledger import may not take over another
unit's case, forge another body's 文号, name another unit's stored file or duplicate an ID number; a "/" in a name
neither breaks the export nor stays without a way to correct it; legacy data a job cannot use fails that case, not
the county's job; the audit log of one county is not another's."""

from __future__ import annotations

import copy
import time
from pathlib import Path

import pytest
from conftest import client_of, sign_in
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from ledger_files import new_student

from docgen.idcard import with_check_digit
from docgen.ledger.writer import export_ledger
from docgen.service.county import jobs
from docgen.service.county.models import (
    AuditEvent,
    CaseRecord,
    IssuedDocument,
    IssuedNumber,
    Job,
    Member,
    Series,
)
from docgen.service.county.privacy import mask_name
from docgen.service.county.register import DbAllocator

pytestmark = pytest.mark.usefixtures("in_process_jobs")  # jobs run here, in the test's transaction


def case_data(case_id: str) -> dict:
    return copy.deepcopy(CaseRecord.objects.get(case_id=case_id).data)


def ledger_of(cases: list[dict], path: Path) -> Path:
    export_ledger(cases, path)
    return path


def upload(client: Client, path: Path):
    return client.post("/ledger/", {"file": SimpleUploadedFile(path.name, path.read_bytes())})


def snapshot() -> dict:
    """Everything a refused import must leave as it was."""
    return {"cases": {r.case_id: r.data for r in CaseRecord.objects.all()},
            "numbers": sorted(IssuedNumber.objects.values_list("doc_no", "status")),
            "series": sorted(Series.objects.values_list("issuer", "series", "year", "last"))}


def preview_and_confirm(client: Client, path: Path) -> tuple[list[str], str]:
    """The preview's problems (messages) and the page a forged confirmation ends on."""
    response = upload(client, path)
    result = response.context["result"]
    page = client.post("/ledger/confirm/", {"token": result.token, "name": path.name}, follow=True)
    return [p.message for p in result.problems], page.content.decode()


# ---- High: a school takes over another unit's case --------------------------------------------------------------
def test_a_school_cannot_take_over_another_units_case_by_its_case_id(accounts: dict[str, str],
                                                                     tmp_path: Path) -> None:
    school = client_of(accounts, "云溪镇中心小学")
    before = snapshot()
    own = case_data("QS-2022-002")  # the school's own student, as its export with full IDs has it
    own["case_id"] = "QS-2022-011"  # 桐林乡初级中学's case
    response = upload(school, ledger_of([own], tmp_path / "台账.xlsx"))
    result = response.context["result"]
    assert [p.message for p in result.problems] == ["属于其他单位的案卷"]
    html = response.content.decode()
    assert "confirm-import" not in html and "修改" not in html  # nothing tells the case exists, or whose
    assert "桐林乡初级中学" not in html
    page = school.post("/ledger/confirm/", {"token": result.token, "name": "台账.xlsx"}, follow=True)
    assert "台账有 1 个问题" in page.content.decode()
    assert snapshot() == before
    owner = client_of(accounts, "桐林乡初级中学")
    assert owner.get("/cases/QS-2022-011/").status_code == 200
    assert school.get("/cases/QS-2022-011/").status_code == 404


def test_an_id_number_of_another_case_is_refused_without_saying_whose(accounts: dict[str, str],
                                                                      tmp_path: Path) -> None:
    school = client_of(accounts, "云溪镇中心小学")
    before = snapshot()
    moved = case_data("QS-2022-002")
    moved["case_id"] = "QS-2022-099"  # its own row under a new id: the ID number is QS-2022-002's
    other = case_data("QS-2022-010")  # another own row, given a 桐林乡 student's ID and registry numbers
    theirs = CaseRecord.objects.get(case_id="QS-2022-011").data["student"]
    other["student"].update(id_number=theirs["id_number"], registry_no=theirs["registry_no"],
                            birth_date=theirs["birth_date"], gender=theirs["gender"])
    problems, page = preview_and_confirm(school, ledger_of([moved, other], tmp_path / "台账.xlsx"))
    assert problems.count("身份证号与另一个案卷重复") == problems.count("学籍号与另一个案卷重复") == 2
    assert "台账有" in page and "导入完成" not in page
    assert snapshot() == before
    assert "QS-2022-011" not in page and theirs["id_number"] not in page


# ---- High: another body's 文号 forged through the import --------------------------------------------------------
def test_a_school_cannot_record_a_townships_or_the_bureaus_numbers(accounts: dict[str, str], tmp_path: Path) -> None:
    school = client_of(accounts, "桐林乡初级中学")
    before = snapshot()
    case = case_data("QS-2022-023")  # the school's own B4-9 student
    for notice in case["notices"]:
        if notice["kind"] == "return_order":
            notice["doc_no"] = "桐政限复〔2025〕5000000号"
        elif notice["kind"] == "penalty_notice":
            notice["doc_no"] = "青教罚告〔2025〕999号"
    problems, page = preview_and_confirm(school, ledger_of([case], tmp_path / "台账.xlsx"))
    assert sorted(problems) == ["本单位不能登记桐林乡人民政府的文号", "本单位不能登记青石县教育局的文号"]
    assert "台账有 2 个问题" in page
    assert snapshot() == before  # the register untouched: no number, no series moved


def test_history_stays_within_the_margin_and_the_issuers_own_series(accounts: dict[str, str],
                                                                    tmp_path: Path, settings) -> None:
    settings.NUMBER_MARGIN = 20
    last = Series.objects.get(issuer="云溪镇人民政府", series="限复", year=2022).last  # 8 in the demo
    bureau = client_of(accounts, "青石县教育局")
    problems, _ = preview_and_confirm(bureau, ledger_of([recorded(f"云政限复〔2022〕{last + 21}号")],
                                                        tmp_path / "远.xlsx"))
    assert problems == [f"文号 云政限复〔2022〕{last + 21}号 比登记簿中下一个号（第 {last + 1} 号）大了 20 个以上，"
                        "不能登记；新的文书请在本系统中出具并编号"]
    problems, _ = preview_and_confirm(bureau, ledger_of([recorded(f"桐政限复〔2022〕{last + 3}号")],
                                                        tmp_path / "前缀.xlsx"))  # 桐林乡's series on 云溪镇's
    assert problems == ["文号应写成“云政限复〔年份〕序号号”，如 云政限复〔2022〕3号"]
    # A number the register holds for the notice is not changed through the import (it is voided first).
    changed = case_data("QS-2022-004")
    changed["notices"][0]["doc_no"] = "桐政限复〔2022〕9号"
    problems, _ = preview_and_confirm(bureau, ledger_of([changed], tmp_path / "改号.xlsx"))
    assert problems == ["这份限期复学通知书已登记文号 桐政限复〔2022〕5号，不能改为 桐政限复〔2022〕9号；"
                        "如登记有误，请先在文号登记簿中作废原文号"]
    assert Series.objects.get(issuer="云溪镇人民政府", series="限复", year=2022).last == last
    # The township records its own paper history within the margin; the series continues after it.
    problems, page = preview_and_confirm(client_of(accounts, "云溪镇"),
                                         ledger_of([recorded(f"云政限复〔2022〕{last + 20}号")], tmp_path / "近.xlsx"))
    assert problems == [] and "导入完成：1 个案卷新增或更新" in page
    assert Series.objects.get(issuer="云溪镇人民政府", series="限复", year=2022).last == last + 20
    assert IssuedNumber.objects.get(doc_no=f"云政限复〔2022〕{last + 20}号").status == "recorded"


def recorded(doc_no: str) -> dict:
    """A new 云溪镇 student whose 限期复学通知书 (on paper) has ``doc_no``."""
    case = new_student()
    case["situation"]["step"] = "order"
    case["notices"] = [{"kind": "return_order", "issuer": "云溪镇人民政府", "issued_on": "2022-10-14",
                        "doc_no": doc_no, "deadline": "2022-10-24"}]
    return case


def test_voiding_a_number_far_ahead_brings_the_series_back(accounts: dict[str, str]) -> None:
    import datetime as dt

    from django.db import transaction

    # A register inflated before the door (as the campaign left it): one number five million ahead.
    with transaction.atomic():
        DbAllocator("青石县").record(issuer="桐林乡人民政府", series="限复", doc_no="桐政限复〔2022〕5000000号",
                                     template="行政处罚事先告知书", case_id="QS-2022-003", record_key="x",
                                     issued_on=dt.date(2022, 9, 1))
    bureau = client_of(accounts, "青石县教育局")
    started = time.monotonic()
    page = bureau.get("/numbers/")
    assert time.monotonic() - started < 5 and len(page.content) < 2_000_000  # the gaps are counted, not listed
    assert "共 4999992 个" in page.content.decode()
    number = IssuedNumber.objects.get(doc_no="桐政限复〔2022〕5000000号")
    bureau.post(f"/numbers/{number.pk}/void/", {"reason": "误录入的文号，作废", "confirmed": "1"})
    assert Series.objects.get(issuer="桐林乡人民政府", series="限复", year=2022).last == 7
    assert not DbAllocator("青石县").gaps()
    assert "有漏号" not in bureau.get("/numbers/").content.decode()


# ---- Medium: evidence by hash; ledger uploads are not evidence -----------------------------------------------------
def test_a_ledger_row_cannot_name_another_units_file_by_its_hash(accounts: dict[str, str], tmp_path: Path,
                                                                 settings) -> None:
    school = client_of(accounts, "云溪镇中心小学")
    theirs = next(e for e in CaseRecord.objects.get(case_id="QS-2022-011").data["evidence"] if e.get("sha256"))
    new = case_data("QS-2022-010")
    new["case_id"] = "QS-2022-098"
    number = with_check_digit("43992120120625120")
    new["student"].update(id_number=number, registry_no=f"G{number}", birth_date="2012-06-25", gender="female")
    new["evidence"] = [{"id": "E001", "kind": theirs["kind"], "file": "诊断证明.pdf", "sha256": theirs["sha256"]}]
    for key in ("suspension", "leave"):
        new.pop(key, None)
    problems, _ = preview_and_confirm(school, ledger_of([new], tmp_path / "台账.xlsx"))
    assert "佐证材料的文件只能在案卷页上传，不能在台账或表单中指定已存的文件（SHA-256）" in problems
    assert not CaseRecord.objects.filter(case_id="QS-2022-098").exists()
    # whatever is uploaded to /ledger/ waits for its user in the staging area, never in the evidence store
    store = Path(settings.EVIDENCE_STORE)
    stored = {p.name for p in store.rglob("*") if p.is_file()}
    response = school.post("/ledger/", {"file": SimpleUploadedFile("x.xlsx", b"%PDF-1.4 not a ledger at all")})
    assert response.status_code == 200 and response.context["form"].errors["file"]
    assert {p.name for p in store.rglob("*") if p.is_file()} == stored
    user = Member.objects.get(user__username="云溪镇中心小学").user
    assert list((Path(settings.LEDGER_STAGING) / str(user.pk)).iterdir())


# ---- Medium: a "/" in a name --------------------------------------------------------------------------------------
def test_a_slash_in_a_name_is_refused_by_the_form_and_never_breaks_the_export(accounts: dict[str, str]) -> None:
    from docgen.service.county import door

    clerk = client_of(accounts, "云溪镇")
    visit = {"date": "2022-10-20", "method": "home_visit", "place": "学生家中", "outcome": "undecided",
             "participants": "罗晓梅/李 云溪镇人民政府 社事办主任", "content": "宣讲义务教育法"}
    refused = clerk.post("/cases/QS-2022-002/persuasions/new/", visit)
    assert refused.status_code == 200
    assert "含有“/”" in refused.context["form"].errors["participants"][0]
    # Such a name stored before the form refused it (through the door, which the library lets pass):
    data = case_data("QS-2022-002")
    data["persuasions"][0]["participants"][0]["name"] = "罗晓梅/李"
    door.save(door.command_actor("青石县"), data)
    student = data["student"]["name"]
    for name in ("云溪镇中心小学", "云溪镇", "青石县教育局", "青石县人民政府教育督导室"):
        page = client_of(accounts, name).post("/ledger/export/", {}).content.decode()
        assert "台账没有导出" in page and "劝返人员" in page and "分隔符“/”" in page, name
        assert mask_name(student) in page and "修改" in page
    # ... and it can be corrected on the case page, the change in the history with its reason
    edit = clerk.get("/cases/QS-2022-002/persuasions/0/edit/")
    assert edit.status_code == 200 and "罗晓梅/李" in edit.content.decode()
    fixed = dict(edit.context["form"].initial, participants="罗晓梅 云溪镇人民政府 社事办主任",
                 reason="劝返人员姓名录入有误")
    fixed = {k: v for k, v in fixed.items() if v is not None}
    assert clerk.post("/cases/QS-2022-002/persuasions/0/edit/", fixed).status_code == 302
    assert case_data("QS-2022-002")["persuasions"][0]["participants"] == [
        {"name": "罗晓梅", "unit": "云溪镇人民政府", "role": "社事办主任"}]
    event = AuditEvent.objects.filter(action="修改案卷", target="QS-2022-002").latest("seq")
    assert event.detail["reason"] == "劝返人员姓名录入有误" and event.detail["path"].endswith("participants")
    assert clerk.post("/ledger/export/", {})["Content-Disposition"].startswith("attachment")
    # a record entered by mistake is withdrawn, the reason and the old value kept
    count = len(case_data("QS-2022-002")["persuasions"])
    assert clerk.post("/cases/QS-2022-002/persuasions/4/withdraw/", {"reason": "重复录入"}).status_code == 302
    assert len(case_data("QS-2022-002")["persuasions"]) == count - 1
    withdrawn = AuditEvent.objects.filter(action="修改案卷", target="QS-2022-002").latest("seq")
    assert withdrawn.detail["reason"] == "重复录入" and withdrawn.detail["new"] is None
    assert client_of(accounts, "桐林乡").get("/cases/QS-2022-002/persuasions/0/edit/").status_code == 404


# ---- Medium: legacy data a job cannot use ------------------------------------------------------------------------
def _legacy(case_id: str, change) -> None:
    """Data stored before the door (the campaign's database): written past it, as an old row would be."""
    record = CaseRecord.objects.get(case_id=case_id)
    data = copy.deepcopy(record.data)
    change(data)
    CaseRecord.objects.filter(pk=record.pk).update(data=data)


def _run(client: Client, kind: str, **fields: str) -> Job:
    response = client.post("/jobs/", {"kind": kind, **fields, **({"confirmed": "1"} if kind == "render" else {})})
    assert response.status_code == 302, response.content.decode()[:500]
    job = Job.objects.latest("pk")
    jobs.run_steps(job.pk)
    job.refresh_from_db()
    return job


def test_evidence_names_with_slashes_never_become_paths(accounts: dict[str, str], settings) -> None:
    import io

    from pypdf import PdfWriter

    from docgen.service.county.store import store

    out = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.write(out)
    digest = store(out.getvalue())

    def names(case: dict) -> None:
        case["evidence"] += [{"id": "X01", "kind": "registry_certificate", "file": "a.pdf", "sha256": digest},
                             {"id": "X02", "kind": "registry_certificate", "file": "a.pdf/b.pdf", "sha256": digest},
                             {"id": "X03", "kind": "registry_certificate", "file": "..\\c.pdf", "sha256": digest}]

    _legacy("QS-2022-002", names)
    auditor = client_of(accounts, "青石县人民政府教育督导室")
    job = _run(auditor, "audit", **{"audit-date": "2026-12-01"})
    assert job.status == Job.Status.DONE, (job.message, job.log)
    township = client_of(accounts, "云溪镇")
    archive = _run(township, "archive", **{"archive-date": "2026-12-01"})
    assert archive.status == Job.Status.DONE, (archive.message, archive.log)
    for page in (auditor.get(f"/jobs/{job.pk}/"), township.get(f"/jobs/{archive.pk}/")):
        html = page.content.decode()
        assert "Traceback" not in html and str(settings.JOB_STORE) not in html and "FileExistsError" not in html


def test_a_duplicate_id_fails_that_case_not_the_countys_jobs(accounts: dict[str, str]) -> None:
    twin = CaseRecord.objects.get(case_id="QS-2022-001").data["student"]

    def same_id(case: dict) -> None:
        case["student"].update(id_number=twin["id_number"], registry_no=twin["registry_no"],
                               birth_date=twin["birth_date"], gender=twin["gender"])

    _legacy("QS-2022-005", same_id)
    bureau = client_of(accounts, "青石县教育局")
    archive = _run(bureau, "archive", **{"archive-date": "2026-12-01"})
    assert archive.status == Job.Status.DONE, (archive.message, archive.log)
    assert "未能处理" in archive.message and "QS-2022-005" in archive.message
    name = CaseRecord.objects.get(case_id="QS-2022-005").data["student"]["name"]
    assert name not in archive.message and f"{name[0]}*" in archive.message  # the name masked
    assert twin["id_number"] not in archive.message and twin["id_number"][:6] + "********" in archive.message
    batch = _run(bureau, "render", template="限期复学通知书", date="2022-10-14")
    assert batch.status == Job.Status.DONE and batch.summary["documents"] > 0, (batch.message, batch.log)
    for page in (bureau.get("/jobs/"), bureau.get(f"/jobs/{archive.pk}/"), bureau.get(f"/jobs/{batch.pk}/status/")):
        assert twin["id_number"] not in page.content.decode()
    # and the door refuses the duplicate from the form on: QS-2022-005 cannot be saved until it is put right
    clerk = client_of(accounts, "云溪镇")
    visit = {"date": "2022-12-20", "method": "home_visit", "place": "学生家中", "outcome": "undecided",
             "participants": "罗晓梅 云溪镇人民政府 社事办主任", "content": "宣讲义务教育法"}
    refused = clerk.post("/cases/QS-2022-005/persuasions/new/", visit)
    assert refused.status_code == 200 and "身份证号与另一个案卷重复" in refused.content.decode()


# ---- Medium: another county's bureau ------------------------------------------------------------------------------
def test_a_bureau_sees_only_its_own_countys_events(accounts: dict[str, str]) -> None:
    from docgen.service.county import door
    from docgen.service.county.accounts import add_account

    other = door.command_actor("白沙县")
    password = add_account(other, "白沙县教育局", "白沙县教育局", "bureau", new_unit=True).password
    add_account(other, "白沙小学", "云溪镇中心小学", "school", "云溪镇", new_unit=True)  # a school named like 青石县's
    client_of(accounts, "云溪镇中心小学").get("/cases/QS-2022-002/")
    Client().post("/login/", {"username": "没有这个人", "password": "x"})
    Client().post("/login/", {"username": "云溪镇中心小学", "password": "错的"})
    baisha = sign_in(Client(), "白沙县教育局", password)
    page = baisha.get("/audit/").content.decode()
    assert "QS-2022-002" not in page and "没有这个人" not in page and "查看案卷" not in page and "登录失败" not in page
    qingshi = client_of(accounts, "青石县教育局").get("/audit/").content.decode()
    assert "QS-2022-002" in qingshi and "没有这个人" not in qingshi
    failed = AuditEvent.objects.get(action="登录失败", username="云溪镇中心小学")
    assert failed.county == "青石县"  # the account's county: its own bureau sees it
    assert AuditEvent.objects.get(action="登录失败", username="没有这个人").county == ""


# ---- the document is issued once, whatever the clicks ----------------------------------------------------------
def test_a_double_click_on_issue_makes_one_document(accounts: dict[str, str]) -> None:
    school = client_of(accounts, "云溪镇中心小学")  # a form without a number
    for _ in range(2):
        school.post("/cases/QS-2022-002/documents/new/", {"template": "劝返复学通知书", "date": "2022-10-14",
                                                          "confirmed": "1"})
    assert IssuedDocument.objects.filter(case_id="QS-2022-002", template="劝返复学通知书").count() == 1
    township = client_of(accounts, "云溪镇")  # a numbered notice
    for _ in range(2):
        township.post("/cases/QS-2022-002/documents/new/", {"template": "限期复学通知书", "date": "2022-10-14",
                                                            "confirmed": "1"})
    assert IssuedDocument.objects.filter(case_id="QS-2022-002", template="限期复学通知书").count() == 1
