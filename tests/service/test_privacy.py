"""Minors' data to the letter: ID numbers masked in pages (also when typed into free text), in the case page's
title, in issued documents unless the template legally names its party (full_ids), in job results, in log lines;
a 500 logged under a reference the page shows."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from conftest import client_of
from django.test import Client
from ledger_files import NEW_CASE_ID, new_student

from docgen.idcard import mask_id
from docgen.service.county import jobs
from docgen.service.county.door import save_case
from docgen.service.county.models import CaseRecord, IssuedDocument, Job

TYPED = "439921201206251201"  # an ID number someone typed into a text field

pytestmark = pytest.mark.usefixtures("in_process_jobs")  # jobs run here, in the test's transaction


@pytest.fixture()
def accounts(accounts: dict[str, str]) -> dict[str, str]:
    """The demo county and one more student of 云溪镇 (NEW_CASE_ID), with no notice yet."""
    save_case(new_student())
    return accounts


def document_text(client: Client, made: IssuedDocument) -> str:
    response = client.get(f"/cases/{made.case_id}/documents/{made.pk}/")
    data = b"".join(response.streaming_content)
    return zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()


def test_an_id_typed_into_free_text_is_masked_on_the_page_and_the_title_is_the_students(
        accounts: dict[str, str]) -> None:
    clerk = client_of(accounts, "云溪镇")
    visit = {"date": "2022-10-20", "method": "home_visit", "place": "学生家中", "outcome": "undecided",
             "participants": "罗晓梅 云溪镇人民政府 社事办主任",
             "content": f"核对了家长的身份证号 {TYPED}，家长表示配合"}
    assert clerk.post(f"/cases/{NEW_CASE_ID}/persuasions/new/", visit).status_code == 302
    assert CaseRecord.objects.get(case_id=NEW_CASE_ID).data["persuasions"][-1]["content"].endswith("表示配合")
    page = clerk.get(f"/cases/{NEW_CASE_ID}/").content.decode()
    assert TYPED not in page and mask_id(TYPED) in page
    title = re.search(r"<title>(.*?)</title>", page, re.S)[1]
    assert title == f"周子涵（{NEW_CASE_ID}） · 青石县控辍保学工作平台"  # not the history table
    student = CaseRecord.objects.get(case_id=NEW_CASE_ID).data["student"]["id_number"]
    assert student not in page


def test_issued_documents_carry_full_ids_only_where_the_law_needs_them(accounts: dict[str, str]) -> None:
    township = client_of(accounts, "云溪镇")
    township.post(f"/cases/{NEW_CASE_ID}/documents/new/", {"template": "限期复学通知书", "date": "2022-10-14",
                                                           "confirmed": "1"})
    order = IssuedDocument.objects.get(case_id=NEW_CASE_ID)
    student = CaseRecord.objects.get(case_id=NEW_CASE_ID).data["student"]["id_number"]
    text = document_text(township, order)
    assert student not in text and mask_id(student) in text
    # 行政处罚决定书 (行政处罚法 Art. 59) names its party in full; an ID typed into its facts stays masked
    record = CaseRecord.objects.get(case_id="QS-2022-022")
    data = record.data
    data["penalty"]["facts"] = f"{data['penalty']['facts']}（举报人身份证号 {TYPED}）"
    save_case(data)
    bureau = client_of(accounts, "青石县教育局")
    done = bureau.post("/cases/QS-2022-022/documents/new/", {"template": "行政处罚决定书", "date": "2022-12-20",
                                                             "confirmed": "1"},
                       follow=True)
    assert "已出具行政处罚决定书" in done.content.decode(), done.content.decode()[-3000:]
    decision = IssuedDocument.objects.get(case_id="QS-2022-022", template="行政处罚决定书")
    text = document_text(bureau, decision)
    party = data["penalty"]["party"]["id_number"]
    assert party in text and TYPED not in text and mask_id(TYPED) in text


def test_a_batchs_documents_are_masked_too(accounts: dict[str, str]) -> None:
    township = client_of(accounts, "云溪镇")
    township.post("/jobs/", {"kind": "render", "template": "限期复学通知书", "date": "2022-10-14",
                             "confirmed": "1"})
    job = Job.objects.latest("pk")
    jobs.run_steps(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.log
    ids = [c.data["student"]["id_number"] for c in CaseRecord.objects.filter(township="云溪镇")]
    with zipfile.ZipFile(jobs.result_path(job)) as bundle:
        for name in bundle.namelist():
            if name.endswith(".docx"):
                text = zipfile.ZipFile(io.BytesIO(bundle.read(name))).read("word/document.xml").decode()
                assert not any(i in text for i in ids), name


def test_a_500_is_logged_under_the_reference_its_page_shows(accounts: dict[str, str], settings,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    from docgen.service.web import views

    def broken(*args, **kwargs):
        raise RuntimeError(f"something broke near {TYPED}")

    monkeypatch.setattr(views, "case_findings", broken)
    settings.DEBUG = False
    clerk = client_of(accounts, "云溪镇")
    clerk.raise_request_exception = False
    response = clerk.get(f"/cases/{NEW_CASE_ID}/")
    page = response.content.decode()
    assert response.status_code == 500 and "系统出错了" in page and "RuntimeError" not in page
    reference = re.search(r'<strong id="reference">([0-9A-F]{8})</strong>', page)[1]
    log = (Path(settings.LOG_DIR) / "service.log").read_text(encoding="utf-8")
    assert f"reference {reference}" in log and "RuntimeError: something broke near" in log
    assert TYPED not in log and mask_id(TYPED) in log  # ID numbers masked in log lines too
