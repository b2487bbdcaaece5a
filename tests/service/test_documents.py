"""Issuing a document from a case page: numbered from the county register, recorded on the case, downloaded by
the units that see the case; voiding a number with a reason."""

from __future__ import annotations

import io
import zipfile

import pytest
from conftest import client_of
from django.test import Client
from ledger_files import NEW_CASE_ID, new_student

from docgen.errors import DataProblemsError
from docgen.service.county.door import save_case
from docgen.service.county.models import AuditEvent, CaseRecord, IssuedDocument, IssuedNumber
from docgen.service.county.register import DbAllocator


@pytest.fixture()
def accounts(accounts: dict[str, str]) -> dict[str, str]:
    """The demo county and one more student of 云溪镇 (NEW_CASE_ID), with no notice yet."""
    save_case(new_student())
    return accounts


def status(response) -> int:
    """A download's status, its stream read to the end (the test client then closes it, as a server does)."""
    b"".join(response.streaming_content)
    return response.status_code


def issue(client: Client, template: str = "限期复学通知书", date: str = "2022-10-14", case_id: str = NEW_CASE_ID):
    return client.post(f"/cases/{case_id}/documents/new/", {"template": template, "date": date, "confirmed": "1"},
                       follow=True)


def test_a_number_is_taken_only_once_the_clerk_confirms_it(accounts: dict[str, str]) -> None:
    clerk = client_of(accounts, "云溪镇")
    asked = clerk.post(f"/cases/{NEW_CASE_ID}/documents/new/", {"template": "限期复学通知书", "date": "2022-10-14"})
    plan = asked.context["p"]
    assert plan.doc_no.startswith("云政限复〔2022〕") and not plan.reissue
    page = asked.content.decode()
    assert f"确认出具，取用文号 {plan.doc_no}" in page and "取用后不能收回" in page
    assert not IssuedNumber.objects.filter(case_id=NEW_CASE_ID).exists()  # nothing taken, nothing recorded
    assert not IssuedDocument.objects.filter(case_id=NEW_CASE_ID).exists()
    assert "notices" not in CaseRecord.objects.get(case_id=NEW_CASE_ID).data
    assert not AuditEvent.objects.filter(action="编发文号").exists()
    issue(clerk)
    assert IssuedDocument.objects.get(case_id=NEW_CASE_ID).doc_no == plan.doc_no  # the very number shown


def test_a_township_issues_a_return_order_and_downloads_it(accounts: dict[str, str]) -> None:
    clerk = client_of(accounts, "云溪镇")
    page = clerk.get(f"/cases/{NEW_CASE_ID}/").content.decode()
    assert "出具并编文号" in page and "限期复学通知书" in page
    response = issue(clerk)
    html = response.content.decode()
    assert "已出具限期复学通知书，文号 云政限复〔2022〕" in html
    made = IssuedDocument.objects.get(case_id=NEW_CASE_ID)
    number = IssuedNumber.objects.get(doc_no=made.doc_no)
    assert number.case_id == NEW_CASE_ID and number.status == "issued"
    notice = CaseRecord.objects.get(case_id=NEW_CASE_ID).data["notices"][0]
    assert notice == {"kind": "return_order", "issuer": "云溪镇人民政府", "issued_on": "2022-10-14",
                      "doc_no": made.doc_no, "deadline": "2022-10-24"}
    download = clerk.get(f"/cases/{NEW_CASE_ID}/documents/{made.pk}/")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    text = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).read("word/document.xml").decode()
    assert "周子涵" in text and made.doc_no in text
    assert {"生成文书", "编发文号", "下载材料"} <= set(AuditEvent.objects.values_list("action", flat=True))
    # issued again: the same document, the same number (the case records it), no new number taken
    issue(clerk)
    assert IssuedNumber.objects.filter(case_id=NEW_CASE_ID).count() == 1
    assert not DbAllocator("青石县").gaps()


def test_who_may_issue_and_download(accounts: dict[str, str]) -> None:
    issue(client_of(accounts, "云溪镇"))
    made = IssuedDocument.objects.get(case_id=NEW_CASE_ID)
    school = client_of(accounts, "云溪镇初级中学")  # the student's school: sees the case, issues its own forms only
    assert status(school.get(f"/cases/{NEW_CASE_ID}/documents/{made.pk}/")) == 200
    assert school.post(f"/cases/{NEW_CASE_ID}/documents/new/",
                       {"template": "限期复学通知书", "date": "2022-10-14", "confirmed": "1"}).status_code == 302
    assert IssuedDocument.objects.count() == 1  # refused: the choice is not among the school's
    other = client_of(accounts, "桐林乡中心小学")
    assert other.get(f"/cases/{NEW_CASE_ID}/documents/{made.pk}/").status_code == 404
    assert other.post(f"/cases/{NEW_CASE_ID}/documents/new/", {"template": "限期复学通知书",
                                                                "date": "2022-10-14",
"confirmed": "1"}).status_code == 404
    auditor = client_of(accounts, "青石县人民政府教育督导室")
    assert status(auditor.get(f"/cases/{NEW_CASE_ID}/documents/{made.pk}/")) == 200
    assert auditor.post(f"/cases/{NEW_CASE_ID}/documents/new/", {"template": "限期复学通知书",
                                                                  "date": "2022-10-14",
                                                                      "confirmed": "1"}).status_code == 404


def test_a_document_the_case_cannot_have_yet_is_refused_in_chinese(accounts: dict[str, str]) -> None:
    case = CaseRecord.objects.get(case_id="QS-2022-022")  # B4-9: penalty documents after the return order
    data = case.data
    data["notices"] = [n for n in data["notices"] if n["kind"] == "return_order"]
    data.pop("penalty", None)
    save_case(data)
    html = issue(client_of(accounts, "青石县教育局"), "行政处罚决定书", case_id="QS-2022-022").content.decode()
    assert "未出具" in html and "行政处罚事先告知书" in html
    assert not IssuedDocument.objects.exists()


def test_voiding_a_number_keeps_it_in_the_register_and_frees_the_document(accounts: dict[str, str]) -> None:
    clerk = client_of(accounts, "云溪镇")
    issue(clerk)
    first = IssuedDocument.objects.get().doc_no
    number = IssuedNumber.objects.get(doc_no=first)
    short = clerk.post(f"/numbers/{number.pk}/void/", {"reason": "错"}, follow=True)
    assert "未作废" in short.content.decode()
    other = client_of(accounts, "桐林乡")
    assert other.post(f"/numbers/{number.pk}/void/", {"reason": "送达地址有误"}).status_code == 404
    asked = clerk.post(f"/numbers/{number.pk}/void/", {"reason": "送达地址有误，重新出具"})  # first what it does
    assert f"案卷 <a href=\"/cases/{NEW_CASE_ID}/\">{NEW_CASE_ID}</a> 中这份限期复学通知书的记录将一并去掉" in \
        asked.content.decode()
    number.refresh_from_db()
    assert number.status != "void" and CaseRecord.objects.get(case_id=NEW_CASE_ID).data["notices"]
    clerk.post(f"/numbers/{number.pk}/void/", {"reason": "送达地址有误，重新出具", "confirmed": "1"})
    number.refresh_from_db()
    assert number.status == "void" and number.void_reason == "送达地址有误，重新出具"
    assert "notices" not in CaseRecord.objects.get(case_id=NEW_CASE_ID).data
    issue(clerk)
    second = IssuedDocument.objects.order_by("-id").first().doc_no
    assert second != first and not DbAllocator("青石县").gaps()
    page = clerk.get("/numbers/").content.decode()
    assert "送达地址有误，重新出具" in page and "作废" in page
    assert AuditEvent.objects.filter(action="作废文号", target=first).exists()


def test_numbers_the_cases_record_are_in_the_register_and_never_given_again(accounts: dict[str, str]) -> None:
    recorded = {n["doc_no"] for c in CaseRecord.objects.all() for n in c.data.get("notices", []) if n.get("doc_no")}
    assert recorded and recorded <= set(IssuedNumber.objects.values_list("doc_no", flat=True))
    issue(client_of(accounts, "云溪镇"))
    new = IssuedDocument.objects.get().doc_no
    assert new not in recorded
    town = sorted(IssuedNumber.objects.filter(issuer="云溪镇人民政府", series="限复").values_list("seq", flat=True))
    assert town == list(range(1, len(town) + 1))  # the new one follows the recorded ones, no hole, no repeat
    case = CaseRecord.objects.get(case_id="QS-2022-003")  # 桐林乡: give it 云溪镇's new number — refused
    data = case.data
    data["notices"][0]["doc_no"] = new
    with pytest.raises(DataProblemsError) as refused:
        save_case(data)
    assert [(p.path, p.message) for p in refused.value.problems] == [
        ("$.notices[0].doc_no", f"文号 {new} 已被另一份文书使用")]  # not whose: another unit's case
    case.refresh_from_db()
    assert case.data["notices"][0]["doc_no"] != new


def test_the_issue_button_says_a_number_is_taken_only_for_a_numbered_document(accounts: dict[str, str]) -> None:
    from docgen.render import load_registry

    page = client_of(accounts, "云溪镇初级中学").get("/cases/QS-2022-001/")
    offers = {o.template: o for o in page.context["offers"] if o.available}
    assert offers, "the school may issue something for this case"
    html = page.content.decode()
    for name, offer in offers.items():
        row = html.split(f'id="offer-{name}"', 1)[1].split("</tr>", 1)[0]
        numbered = bool(load_registry().get(name).series)
        assert offer.numbered == numbered
        assert ("出具并编文号…" in row) == (numbered and not offer.recorded), name
