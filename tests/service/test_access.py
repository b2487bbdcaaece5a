"""Every URL × every role: what each unit sees, and what it is refused (deny by default, 404 for others' cases)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import sign_in
from django.contrib.auth.models import User
from django.test import Client

from docgen.demo import demo_cases
from docgen.service.county.demo import load_demo
from docgen.service.county.models import AuditEvent, CaseRecord, Unit

ROLES = {"bureau": "青石县教育局", "auditor": "青石县人民政府教育督导室", "township": "云溪镇",
         "school": "桐林乡中心小学"}


@pytest.fixture()
def county(db) -> dict[str, Client]:
    accounts = {a.username: a for a in load_demo()}
    assert set(ROLES.values()) <= set(accounts)
    clients = {}
    for role, username in ROLES.items():
        client = Client()
        sign_in(client, username, accounts[username].password)
        clients[role] = client
    nobody = User.objects.create_user("无单位用户", password="x")
    clients["nobody"] = Client()
    clients["nobody"].force_login(nobody)
    clients["anonymous"] = Client()
    return clients


def expected_cases(role: str) -> set[str]:
    cases = demo_cases()[0]["cases"]
    yunxi_schools = set(Unit.objects.filter(kind="school", township="云溪镇").values_list("name", flat=True))
    rules = {
        "bureau": lambda c: True, "auditor": lambda c: True,
        "township": lambda c: c["hukou_place"]["township"] == "云溪镇" or c["student"]["school"] in yunxi_schools,
        "school": lambda c: c["student"]["school"] == "桐林乡中心小学",
        "nobody": lambda c: False, "anonymous": lambda c: False,
    }
    return {c["case_id"] for c in cases if rules[role](c)}


@pytest.mark.parametrize("role", ["bureau", "auditor", "township", "school", "nobody", "anonymous"])
def test_every_url_for_every_role(county: dict[str, Client], role: str) -> None:
    client = county[role]
    every_case = list(CaseRecord.objects.values_list("case_id", flat=True))
    assert len(every_case) == 24
    mine = expected_cases(role)
    ids = [c.data["student"]["id_number"] for c in CaseRecord.objects.all()]

    teaching = {c.case_id for c in CaseRecord.objects.all()
                if c.data.get("home_teaching") or c.data.get("remote_teaching")}
    assert teaching
    pages = ["/", "/cases/", "/numbers/", "/audit/", "/audit/export/", "/accounts/", "/ledger/", "/jobs/", "/audits/",
             *(f"/cases/{case_id}/" for case_id in every_case),
             *(f"/cases/{case_id}/teaching/new/" for case_id in every_case),
             *(f"/cases/{case_id}/persuasions/new/" for case_id in every_case),
             *(f"/cases/{case_id}/evidence/new/" for case_id in every_case),
             *(f"/cases/{c.case_id}/notices/0/service/" for c in CaseRecord.objects.all() if c.data.get("notices")),
             *(f"/cases/{c.case_id}/persuasions/0/edit/" for c in CaseRecord.objects.all() if c.data.get("persuasions")
               ),
             *(f"/cases/{c}/teaching/0/edit/" for c in teaching)]
    for url in pages:
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith("/login/"), url
            continue
        case_id = url.split("/")[2] if url.startswith("/cases/") and url.count("/") >= 3 else None
        expected = 404 if case_id and case_id not in mine else 200
        if url.startswith(("/audit/", "/accounts/")):
            expected = 200 if role == "bureau" else 404  # only the county bureau reads the log, manages accounts
        if url == "/ledger/":
            expected = 404 if role == "nobody" else 200
        if url.endswith(("/new/", "/service/", "/edit/")):  # auditors read only; others record work on their own
            expected = 200 if url.split("/")[2] in mine and role in ("bureau", "township", "school") else 404
            if "/teaching/" in url and url.split("/")[2] not in teaching:
                expected = 404  # only a case with a teaching plan has sessions
        assert response.status_code == expected, (role, url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            html = response.content.decode()
            assert not any(i in html for i in ids), (role, url)  # ID numbers are masked on every page
    listed = county[role].get("/cases/")
    if role != "anonymous":
        shown = {c.case_id for c, *_ in listed.context["rows"]}
        assert shown == mine, role
    if role == "nobody":
        assert "还没有分配单位" in listed.content.decode()


def test_search_by_name_registry_and_last_digits_of_the_id(county: dict[str, Client]) -> None:
    client = county["bureau"]
    record = CaseRecord.objects.get(case_id="QS-2022-004")
    student = record.data["student"]
    for query in (student["name"], student["registry_no"][-6:], student["id_number"][-4:], student["id_number"]):
        response = client.post("/cases/", {"q": query}, follow=True)
        assert query not in response.redirect_chain[-1][0]  # the words are posted, never put in a URL
        rows = response.context["rows"]
        assert "QS-2022-004" in {c.case_id for c, *_ in rows}, query
        assert student["id_number"] not in response.content.decode()
    rows = county["school"].post("/cases/", {"q": "QS-2022-0"}, follow=True).context["rows"]
    assert {c.case_id for c, *_ in rows} == expected_cases("school")  # search never widens what a unit sees
    assert len(county["school"].get("/cases/").context["rows"]) == len(expected_cases("school"))


def test_the_login_page_speaks_chinese_and_refuses_a_wrong_password(db) -> None:
    load_demo()
    response = Client().post("/login/", {"username": "青石县教育局", "password": "wrong"})
    assert response.status_code == 200 and "用户名或密码不正确" in response.content.decode()


def test_refusals_and_expired_forms_speak_chinese(county: dict[str, Client], settings) -> None:
    settings.DEBUG = False
    response = county["school"].get("/cases/QS-2022-001/")
    html = response.content.decode()
    assert response.status_code == 404 and "找不到这个页面" in html and "桐林乡中心小学" in html
    assert "还没有分配单位" not in html
    strict = Client(enforce_csrf_checks=True)
    expired = strict.post("/login/", {"username": "x", "password": "y"})
    assert expired.status_code == 403 and "页面已过期" in expired.content.decode()


def test_a_school_files_its_monthly_report_and_the_county_sees_who_has_not(county: dict[str, Client]) -> None:
    import datetime as dt

    from docgen.service.county.filings import report_month

    assert county["school"].post("/filings/").status_code == 302
    assert county["school"].post("/filings/").status_code == 302  # once: the first day stands
    assert county["auditor"].post("/filings/").status_code == 404  # auditors and the bureau do not file
    states = {s.unit.name: s for s in county["bureau"].get("/").context["filings"]}
    assert states["桐林乡中心小学"].filing.filed_on == dt.date.today()
    assert states["桐林乡中心小学"].filing.month == report_month(dt.date.today())
    assert states["云溪镇中心小学"].filing is None
    assert states["云溪镇中心小学"].overdue == (dt.date.today().day > 20)
    assert set(states) == set(Unit.objects.filter(kind__in=("school", "township")).values_list("name", flat=True))
    township = {s.unit.name for s in county["township"].get("/").context["filings"]}
    assert township == {"云溪镇人民政府", "云溪镇中心小学", "云溪镇初级中学"}
    # a slip of the hand is taken back the same day (one of an earlier day stands, below)
    assert 'id="withdraw-filing"' in county["school"].get("/").content.decode()
    undone = county["school"].post("/filings/", {"withdraw": "1"}, follow=True).content.decode()
    assert "已撤回" in undone and 'id="withdraw-filing"' not in undone and "登记：本单位已报送" in undone
    states = {s.unit.name: s for s in county["bureau"].get("/").context["filings"]}
    assert states["桐林乡中心小学"].filing is None
    assert AuditEvent.objects.filter(action="撤回月报表报送登记", username="桐林乡中心小学").count() == 1
    again = county["school"].post("/filings/", {"withdraw": "1"}, follow=True).content.decode()
    assert "本单位没有登记" in again


def test_a_filing_of_an_earlier_day_stands(county: dict[str, Client]) -> None:
    import datetime as dt

    from docgen.service.county.models import MonthlyFiling

    county["school"].post("/filings/")
    MonthlyFiling.objects.update(filed_on=dt.date.today() - dt.timedelta(days=1))
    refused = county["school"].post("/filings/", {"withdraw": "1"}, follow=True).content.decode()
    assert "只能当天撤回" in refused and MonthlyFiling.objects.count() == 1


def test_the_case_list_comes_in_pages_that_keep_the_filter(county: dict[str, Client], monkeypatch) -> None:
    from docgen.service.web import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    seen, page = [], 1
    while True:
        response = county["bureau"].get("/cases/", {"category": "B4-1", "page": page})
        seen += [c.case_id for c, *_ in response.context["rows"]]
        if not response.context["page"].has_next():
            break
        assert "category=B4-1&amp;page=" in response.content.decode()
        page += 1
    assert page == 3 and sorted(seen) == sorted(CaseRecord.objects.filter(category="B4-1")
                                                .values_list("case_id", flat=True))


# ---- every write path × every role × another unit's object ------------------------------------------------------
VISIT = {"date": "2022-10-20", "method": "home_visit", "place": "学生家中", "outcome": "undecided",
         "participants": "罗晓梅 云溪镇人民政府 社事办主任", "content": "宣讲义务教育法", "reason": "核对后修改记录"}
SESSION = {"date": "2022-11-08", "class_hours": "2", "subject": "语文", "teachers": "周婷 女",
           "reason": "核对后修改记录"}
OTHERS = {  # role → (a case outside its reach, one with a teaching plan)
    "bureau": ("BS-2022-001", "BS-2022-001"),  # another county's
    "auditor": ("QS-2022-002", "QS-2022-014"),  # it sees them, but changes nothing
    "township": ("QS-2022-003", "QS-2022-015"),  # 桐林乡's, for 云溪镇
    "school": ("QS-2022-002", "QS-2022-014"),  # 云溪镇中心小学's, for 桐林乡中心小学
    "nobody": ("QS-2022-002", "QS-2022-014"),
}


def _state() -> dict:
    """Everything a refused write must leave as it was (the audit log may only have gained reads and sign-ins)."""
    from django.conf import settings as live

    from docgen.service.county.models import IssuedDocument, IssuedNumber, Job, Member, MonthlyFiling, Series

    store = [p.name for p in sorted(Path(live.EVIDENCE_STORE).rglob("*")) if p.is_file()]
    return {"cases": {r.case_id: r.data for r in CaseRecord.objects.all()},
            "numbers": sorted(IssuedNumber.objects.values_list("doc_no", "status", "void_reason")),
            "series": sorted(Series.objects.values_list("county", "issuer", "series", "year", "last")),
            "documents": IssuedDocument.objects.count(),
            "jobs": sorted(Job.objects.values_list("pk", "status", "cancel_requested")),
            "users": sorted(User.objects.values_list("username", "password")),
            "members": sorted(Member.objects.values_list("user__username", "unit__name")),
            "units": sorted(Unit.objects.values_list("county", "name")),
            "filings": MonthlyFiling.objects.count(), "store": store}


def _another_county() -> dict:
    """白沙县: a case, a 文号, a bureau account and a job of its own."""
    import datetime as dt

    from django.db import transaction
    from ledger_files import new_student

    from docgen.service.county import door
    from docgen.service.county.accounts import add_account
    from docgen.service.county.models import Job
    from docgen.service.county.register import DbAllocator

    admin = door.command_actor("白沙县")
    add_account(admin, "白沙县教育局", "白沙县教育局", "bureau", new_unit=True)
    case = new_student()
    case["case_id"] = "BS-2022-001"
    case["hukou_place"]["county"] = "白沙县"
    door.save(admin, case)
    with transaction.atomic():
        DbAllocator("白沙县").number(issuer="白沙县教育局", prefix="白教罚告", series="罚告", year=2022,
                                     template="行政处罚事先告知书", case_id="BS-2022-001", record_key="",
                                     issued_on=dt.date(2022, 10, 1))
    unit = Unit.objects.get(county="白沙县", name="白沙县教育局")
    return {"job": Job.objects.create(county="白沙县", unit=unit, kind="audit", params={"on": "2026-12-01"},
                                      title="核查", created_by="白沙县教育局")}


@pytest.mark.parametrize("role", sorted(OTHERS))
def test_every_write_path_for_every_role_on_another_units_object(county: dict[str, Client], role: str,
                                                                 tmp_path: Path) -> None:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from ledger_files import new_student_ledger
    from PIL import Image

    from docgen.ledger.writer import export_ledger
    from docgen.service.county.models import AuditEvent, IssuedNumber, Job

    baisha = _another_county()
    township_job = Job.objects.create(county="青石县", unit=Unit.objects.get(name="桐林乡人民政府"), kind="audit",
                                      params={"on": "2026-12-01"}, title="核查", created_by="桐林乡")
    job = baisha["job"] if role == "bureau" else township_job
    case_id, teaching_id = OTHERS[role]
    number = IssuedNumber.objects.filter(case_id=case_id).first() or IssuedNumber.objects.get(case_id="QS-2022-003")
    picture = io.BytesIO()
    Image.new("RGB", (20, 20), "navy").save(picture, "PNG")
    # a ledger the other unit's clerk uploaded (its token is that user's), and one naming the other unit's case
    owner = Client()
    owner.force_login(User.objects.get(username="桐林乡初级中学"))
    staged = owner.post("/ledger/", {"file": SimpleUploadedFile("台账.xlsx", new_student_ledger(
        tmp_path / "台账.xlsx").read_bytes())}).context["result"]
    theirs = dict(CaseRecord.objects.get(case_id=case_id).data, remarks="改过")
    export_ledger([theirs], tmp_path / "他人.xlsx")
    client = county[role]
    before = _state()
    reads = ("登录", "登录失败", "查看案卷", "查看完整身份证号")
    changes_before = AuditEvent.objects.exclude(action__in=reads).count()
    writes = [
        (f"/cases/{case_id}/persuasions/new/", VISIT),
        (f"/cases/{teaching_id}/teaching/new/", SESSION),
        (f"/cases/{case_id}/notices/0/service/", {"served_on": "2022-10-01", "service_method": "left"}),
        (f"/cases/{case_id}/evidence/new/", {"kind": "school_photo", "date": "2022-11-02",
                                             "file": SimpleUploadedFile("照片.png", picture.getvalue())}),
        (f"/cases/{case_id}/documents/new/", {"template": "限期复学通知书", "date": "2022-10-14", "confirmed": "1"}),
        (f"/cases/{case_id}/documents/new/", {"template": "劝返复学通知书", "date": "2022-10-14", "confirmed": "1"}),
        (f"/cases/{case_id}/persuasions/0/edit/", VISIT),
        (f"/cases/{case_id}/persuasions/0/withdraw/", {"reason": "重复录入的记录"}),
        (f"/cases/{teaching_id}/teaching/0/edit/", SESSION),
        (f"/cases/{teaching_id}/teaching/0/withdraw/", {"reason": "重复录入的记录"}),
        (f"/cases/{case_id}/reveal/", {"reason": "办理学籍转接，核对身份证号"}),
        (f"/numbers/{number.pk}/void/", {"reason": "送达地址有误，重新出具"}),
        (f"/numbers/{number.pk}/void/", {"reason": "送达地址有误，重新出具", "confirmed": "1"}),
        (f"/jobs/{job.pk}/cancel/", {}),
        ("/accounts/", {"username": "白沙县教育局", "unit": "青石县教育局", "kind": "bureau", "township": ""}),
        ("/accounts/白沙县教育局/reset/" if role == "bureau" else "/accounts/桐林乡/reset/", {}),
        ("/accounts/白沙县教育局/reset/" if role == "bureau" else "/accounts/桐林乡/reset/", {"confirmed": "1"}),
    ]
    for url, fields in writes:
        response = client.post(url, fields)
        if role == "anonymous":
            continue
        if url == "/accounts/" and role == "bureau":  # its own page: the name is another county's, refused
            assert "已被其他县使用" in response.content.decode(), url
            continue
        sees = role == "auditor" and url.endswith("/reveal/")  # the auditor reads every case (the reveal logged)
        assert response.status_code == (200 if sees else 404), (role, url, response.status_code)
    # the ledger: another unit's case is refused in the preview; another user's upload cannot be confirmed
    imported = client.post("/ledger/", {"file": SimpleUploadedFile("他人.xlsx", (tmp_path / "他人.xlsx").read_bytes())})
    if role in ("auditor", "nobody"):
        assert imported.status_code == 404, role
    else:
        problems = [p.message for p in imported.context["result"].problems]
        assert problems and set(problems) <= {"属于其他单位的案卷", "不是本县（青石县）的学生"}, problems
        assert "修改" not in imported.content.decode()
        confirmed = client.post("/ledger/confirm/", {"token": imported.context["result"].token, "name": "他人.xlsx"},
                                follow=True)
        assert "台账有" in confirmed.content.decode()
    stolen = client.post("/ledger/confirm/", {"token": staged.token, "name": "台账.xlsx"}, follow=True)
    assert stolen.status_code == 404 or "要导入的台账已失效" in stolen.content.decode()
    assert _state() == before, role
    assert AuditEvent.objects.exclude(action__in=reads).count() == changes_before
    revealed = AuditEvent.objects.filter(action="查看完整身份证号", target=case_id).exists()
    assert revealed == (role == "auditor")

