"""Recording work in the browser: saved only when the whole case still passes, errors beside the field, logged."""

from __future__ import annotations

import pytest
from conftest import sign_in
from django.test import Client

from docgen.service.county.demo import load_demo
from docgen.service.county.models import AuditEvent, CaseRecord

VISIT = {"date": "2022-10-20", "method": "home_visit", "place": "石桥村学生家中",
         "participants": "罗晓梅 云溪镇人民政府 社事办主任\n吴丽 云溪镇初级中学 班主任",
         "content": "再次宣讲义务教育法，家长表示考虑", "outcome": "undecided"}


@pytest.fixture()
def clerk(db) -> Client:
    accounts = {a.username: a.password for a in load_demo()}
    client = Client()
    sign_in(client, "云溪镇", accounts["云溪镇"])
    return client


def yunxi_case() -> CaseRecord:
    return CaseRecord.objects.filter(township="云溪镇", category="B4-8").order_by("case_id").first()


def test_a_valid_visit_is_saved_and_logged(clerk: Client) -> None:
    case = yunxi_case()
    before = len(case.data["persuasions"])
    response = clerk.post(f"/cases/{case.case_id}/persuasions/new/", VISIT)
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.case_id}/"
    case.refresh_from_db()
    added = case.data["persuasions"][-1]
    assert len(case.data["persuasions"]) == before + 1
    assert added["participants"][1] == {"name": "吴丽", "unit": "云溪镇初级中学", "role": "班主任"}
    event = AuditEvent.objects.get(action="修改案卷")
    assert event.target == case.case_id and event.detail["path"] == f"$.persuasions[{before}]"
    assert event.detail["old"] is None and event.detail["new"] == added
    assert "劝返记录已保存" in clerk.get(f"/cases/{case.case_id}/").content.decode()


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"date": "2022-13-40"}, "date", "日期格式应为"),
    ({"participants": "罗晓梅"}, "participants", "每行写 姓名 单位 职务"),
    ({"method": "telepathy"}, "method", "请从列表中选择劝返方式"),
    ({"content": ""}, "content", "请填写劝返内容"),
    ({"date": "2099-01-01"}, "date", "晚于"),  # the library's own check, placed beside the field
])
def test_an_invalid_visit_is_refused_beside_its_field(clerk: Client, change: dict, field: str, message: str) -> None:
    case = yunxi_case()
    before = case.data
    response = clerk.post(f"/cases/{case.case_id}/persuasions/new/", VISIT | change)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and any(message in e for e in errors[field]), errors
    case.refresh_from_db()
    assert case.data == before and not AuditEvent.objects.filter(action="修改案卷").exists()


def test_recording_that_a_notice_was_served_logs_each_changed_field(clerk: Client) -> None:
    case = next(c for c in CaseRecord.objects.filter(township="云溪镇") if c.data.get("notices"))
    notice = case.data["notices"][0]
    url = f"/cases/{case.case_id}/notices/0/service/"
    late = clerk.post(url, {"served_on": "2099-01-01", "service_method": "left"})
    assert late.status_code == 200 and "served_on" in late.context["form"].errors  # the library refuses it
    response = clerk.post(url, {"served_on": notice["issued_on"], "service_method": "left"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.data["notices"][0]["service_method"] == "left"
    events = AuditEvent.objects.filter(action="修改案卷")
    changes = {e.detail["path"]: (e.detail["old"], e.detail["new"]) for e in events}
    assert changes["$.notices[0].service_method"] == (notice.get("service_method"), "left")
    assert clerk.get(f"/cases/{case.case_id}/notices/99/service/").status_code == 404


SESSION = {"date": "2022-11-08", "class_hours": "2", "subject": "语文", "teachers": "周婷 女\n王强 男",
           "content": "识字：个别化教学"}


def test_a_teaching_session_is_added_to_the_cases_plan(clerk: Client) -> None:
    case = CaseRecord.objects.get(case_id="QS-2022-014")  # 送教上门, 云溪镇中心小学
    before = len(case.data["home_teaching"].get("sessions", []))
    response = clerk.post(f"/cases/{case.case_id}/teaching/new/", SESSION)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.data["home_teaching"]["sessions"][-1] == {
        "date": "2022-11-08", "class_hours": 2, "subject": "语文", "content": "识字：个别化教学",
        "teachers": [{"name": "周婷", "gender": "female"}, {"name": "王强", "gender": "male"}]}
    assert len(case.data["home_teaching"]["sessions"]) == before + 1
    bad = clerk.post(f"/cases/{case.case_id}/teaching/new/", SESSION | {"teachers": "周婷", "class_hours": "20"})
    errors = bad.context["form"].errors
    assert "姓名 性别" in errors["teachers"][0] and "不超过 12 学时" in errors["class_hours"][0]


def test_the_case_page_shows_its_history_of_changes(clerk: Client) -> None:
    case = yunxi_case()
    clerk.post(f"/cases/{case.case_id}/persuasions/new/", VISIT)
    page = clerk.get(f"/cases/{case.case_id}/")
    history = page.context["history"]
    assert history[0].user == "云溪镇" and "劝返记录" in history[0].place
    assert any(h.new == "再次宣讲义务教育法，家长表示考虑" for h in history)
    assert history[-1].place == "建立案卷"
