"""The procedure in the service: the case page's 待办 and the documents it offers are the procedure's (the same
steps the due list and the audit read), for the unit that must take each step; a clerk's 成文日期 is kept, a
date the procedure forbids is refused with the reason, a re-issue keeps the recorded number and date and says so;
the dashboard counts completeness as the audit report does."""

from __future__ import annotations

import re

import pytest
from conftest import client_of
from django.test import Client
from ledger_files import NEW_CASE_ID, new_student

from docgen.service.county import door, jobs
from docgen.service.county.door import save_case
from docgen.service.county.models import AuditRun, CaseRecord, IssuedDocument, Job

DING = "QS-2022-020"  # 丁志强, B4-8: meeting 2022-11-10, request 2022-11-11, approved, remote teaching since 11-21

pytestmark = pytest.mark.usefixtures("in_process_jobs")  # jobs run here, in the test's transaction


@pytest.fixture()
def accounts(accounts: dict[str, str]) -> dict[str, str]:
    """The demo county and one more student of 云溪镇 (NEW_CASE_ID), with no notice yet."""
    save_case(new_student())
    return accounts


def before_the_request() -> None:
    """丁志强 as his case stood after the meeting of 2022-11-10: no 远程送教请示 yet (nor what followed it)."""
    record = CaseRecord.objects.get(case_id=DING)
    data = dict(record.data, applications=[])
    data.pop("remote_teaching")
    door.save(door.command_actor(record.county), data, where="测试准备")


def offer_row(page: str, template: str) -> str:
    found = re.search(rf'<tr id="offer-{template}">(.*?)</tr>', page, re.S)
    assert found, f"no offer of {template}"
    return found[1]


def issue(client: Client, case_id: str, template: str, date: str) -> str:
    response = client.post(f"/cases/{case_id}/documents/new/", {"template": template, "date": date,
                                                                "confirmed": "1"}, follow=True)
    return response.content.decode()


def test_the_step_the_due_list_asks_for_is_offered_to_the_unit_that_takes_it(accounts: dict[str, str]) -> None:
    before_the_request()
    school = client_of(accounts, "云溪镇初级中学")
    page = school.get(f"/cases/{DING}/").content.decode()
    due = page.split('<h2 id="due">', 1)[1].split("<h2", 1)[0]
    assert "逾期" in due and "学校报送远程送教请示（研判会议之后）" in due and 'href="#offer-远程送教请示"' in due
    row = offer_row(page, "远程送教请示")
    assert "待办" in row and 'name="date"' in row and "2022-11-10 起" in row
    # the township sees the step on the case, and why it is not theirs to take
    township = client_of(accounts, "云溪镇").get(f"/cases/{DING}/").content.decode()
    assert "学校报送远程送教请示" in township
    assert "不能出具：这一步由学校、特殊教育学校办理" in offer_row(township, "远程送教请示")
    not_theirs = issue(client_of(accounts, "云溪镇"), DING, "远程送教请示", "2022-11-11")
    assert "本单位不能为这个案卷出具这份文书" in not_theirs
    # a date before the meeting is refused with the reason and the passage; nothing is kept
    refused = issue(school, DING, "远程送教请示", "2022-11-09")
    assert "未出具" in refused and "早于程序允许的 2022-11-10" in refused and "研判会议纪要" in refused
    assert not IssuedDocument.objects.filter(case_id=DING).exists()
    made = issue(school, DING, "远程送教请示", "2022-11-11")
    assert "已出具远程送教请示" in made and "成文日期 2022-11-11" in made
    document = IssuedDocument.objects.get(case_id=DING)
    assert document.issued_on.isoformat() == "2022-11-11" and "〔2022〕" in document.doc_no


def test_a_clerks_date_is_kept_and_a_reissue_keeps_the_recorded_number_and_date(accounts: dict[str, str]) -> None:
    school = client_of(accounts, "云溪镇初级中学")
    page = school.get(f"/cases/{NEW_CASE_ID}/").content.decode()
    # the school's 劝返复学通知书 goes with the first home visit: that is its default date, which the clerk may change
    assert 'value="2022-10-11"' in offer_row(page, "劝返复学通知书")
    issue(school, NEW_CASE_ID, "劝返复学通知书", "2022-10-13")
    assert IssuedDocument.objects.get(case_id=NEW_CASE_ID).issued_on.isoformat() == "2022-10-13"
    clerk = client_of(accounts, "云溪镇")
    first = issue(clerk, NEW_CASE_ID, "限期复学通知书", "2022-10-14")
    number = re.search(r"文号 (云政限复〔2022〕\d+号)", first)[1]
    again = issue(clerk, NEW_CASE_ID, "限期复学通知书", "2022-10-20")
    assert f"文号 {number}，成文日期 2022-10-14" in again
    assert f"重新出具沿用原文号 {number}、成文日期 2022-10-14（不是所填的 2022-10-20）" in again
    page = clerk.get(f"/cases/{NEW_CASE_ID}/").content.decode()
    assert "重新出具" in offer_row(page, "限期复学通知书") and 'value="2022-10-14"' in offer_row(page, "限期复学通知书")
    assert [n["issued_on"] for n in CaseRecord.objects.get(case_id=NEW_CASE_ID).data["notices"]
            if n["kind"] == "return_order"] == ["2022-10-14"]


def test_an_auditor_reads_the_offers_but_is_offered_nothing(accounts: dict[str, str]) -> None:
    page = client_of(accounts, "青石县人民政府教育督导室").get(f"/cases/{DING}/").content.decode()
    assert 'id="offers"' not in page and "出具并编文号" not in page


def school_rows(page: str) -> dict[str, tuple[int, int, int]]:
    table = page.split("<h2>各校案卷完整性</h2>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'data-label="学校">([^<]+)</td><td data-label="案卷" class="n">(\d+)</td>'
                      r'<td data-label="齐全" class="n">(\d+)</td><td data-label="有缺漏" class="n[^"]*">(\d+)', table)
    return {name: (int(n), int(complete), int(incomplete)) for name, n, complete, incomplete in rows}


def test_the_dashboard_counts_completeness_as_the_audit_report_does(accounts: dict[str, str]) -> None:
    bureau = client_of(accounts, "青石县教育局")
    live = school_rows(bureau.get("/").content.decode())
    assert live and sum(n for n, _, _ in live.values()) == CaseRecord.objects.count()
    response = bureau.post("/jobs/", {"kind": "audit", "audit-date": "2026-12-01"})
    assert response.status_code == 302
    jobs.run_steps(Job.objects.latest("pk").pk)
    run = AuditRun.objects.latest("pk")
    page = bureau.get("/").content.decode()
    assert f"#{run.job_id} 核查" in page and "已核对佐证材料文件" in page
    reported = {s["name"]: (s["cases"], s["complete"], s["incomplete"]) for s in run.report["schools"]}
    assert school_rows(page) == reported
    totals = dict(re.findall(r'<th data-label="合计">([^<]+)合计</th><td data-label="案卷" class="n">(\d+)</td>', page))
    assert totals["全县"] == str(run.cases) and len(totals) == len(run.report["townships"]) + 1
    for township in run.report["townships"]:  # each township's total is its schools' sum, shown once
        assert totals[township["name"]] == str(township["cases"])
        assert township["cases"] == sum(s["cases"] for s in run.report["schools"] if s["township"] == township["name"])
    assert sum(c for _, c, _ in reported.values()) == run.complete


def test_a_schools_dashboard_shows_its_own_rows_without_a_township_total(accounts: dict[str, str]) -> None:
    page = client_of(accounts, "云溪镇初级中学").get("/").content.decode()
    assert set(school_rows(page)) == {"云溪镇初级中学"} and "云溪镇合计" not in page
    assert "云溪镇合计" in client_of(accounts, "云溪镇").get("/").content.decode()
