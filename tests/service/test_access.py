"""Every URL × every role: what each unit sees, and what it is refused (deny by default, 404 for others' cases)."""

from __future__ import annotations

import pytest
from conftest import sign_in
from django.contrib.auth.models import User
from django.test import Client

from docgen.demo import demo_cases
from docgen.service.county.demo import load_demo
from docgen.service.county.models import CaseRecord, Unit

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
             *(f"/cases/{c.case_id}/notices/0/service/" for c in CaseRecord.objects.all() if c.data.get("notices"))]
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
        if url.endswith(("/new/", "/service/")):  # auditors read only; the others record work on their own cases
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
