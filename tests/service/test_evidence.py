"""Evidence uploads: streamed to disk (the size checked on the way), opened and checked in a box before storing,
stored once by content hash, served only to its units; their small pictures made once, in a box, never in a
request."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from conftest import sign_in
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hostile_files import heavy_pdf
from PIL import Image

from docgen.service.county.demo import load_demo
from docgen.service.county.models import AuditEvent, CaseRecord

CASE = "QS-2022-004"  # 桐林乡中心小学


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(out, "PNG")
    return out.getvalue()


@pytest.fixture()
def store(settings, tmp_path: Path) -> Path:
    settings.EVIDENCE_STORE = tmp_path / "store"
    return settings.EVIDENCE_STORE


@pytest.fixture()
def clients(db, store: Path) -> dict[str, Client]:
    accounts = {a.username: a.password for a in load_demo()}
    out = {}
    for name in ("桐林乡中心小学", "云溪镇中心小学", "桐林乡"):
        out[name] = Client()
        sign_in(out[name], name, accounts[name])
    return out


def stored_files(store: Path) -> set[Path]:
    """The files kept in the store (by their SHA-256; their small pictures lie beside them)."""
    return {p for p in store.rglob("*") if p.is_file() and len(p.name) == 64}


def upload(client: Client, kind: str, name: str, data: bytes) -> object:
    return client.post(f"/cases/{CASE}/evidence/new/", {"kind": kind, "date": "2022-11-02",
                                                          "description": "复学后在校照片",
                                                          "file": SimpleUploadedFile(name, data)})


def test_a_photo_is_stored_once_and_served_only_to_its_units(clients: dict[str, Client], store: Path) -> None:
    school = clients["桐林乡中心小学"]
    data = png()
    stored = stored_files(store)  # the demo's own evidence
    assert upload(school, "school_photo", "在校 照片.png", data).status_code == 302
    assert upload(school, "school_photo", "再传一次.png", data).status_code == 302
    assert len(stored_files(store) - stored) == 1  # the same content is kept once
    item = CaseRecord.objects.get(case_id=CASE).data["evidence"][-1]
    assert item["file"] == "再传一次.png" and len(item["sha256"]) == 64
    response = school.get(f"/cases/{CASE}/evidence/{item['id']}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == data and response["Content-Disposition"].startswith("inline")
    other = clients["桐林乡"].get(f"/cases/{CASE}/evidence/{item['id']}/")
    b"".join(other.streaming_content)  # read to the end: the test client closes the stream, as a server does
    assert other.status_code == 200
    assert clients["云溪镇中心小学"].get(f"/cases/{CASE}/evidence/{item['id']}/").status_code == 404
    assert AuditEvent.objects.filter(action="下载材料", target=CASE).count() == 2


@pytest.mark.parametrize(("kind", "name", "data", "message"), [
    ("school_photo", "照片.png", b"just some text", "看不出这是什么文件"),
    ("registry_certificate", "学籍证明.pdf", b"%PDF-1.4 broken", "PDF 文件已损坏"),
    ("school_photo", "照片.pdf", None, "这类材料应为 照片"),
])
def test_a_bad_file_is_refused_beside_the_field(clients: dict[str, Client], store: Path, kind: str, name: str,
                                                data: bytes | None, message: str) -> None:
    if data is None:  # a real PDF, where the kind wants a photo
        out = io.BytesIO()
        Image.new("RGB", (20, 20)).save(out, "PDF")
        data = out.getvalue()
    before = CaseRecord.objects.get(case_id=CASE).data
    stored = stored_files(store)
    response = upload(clients["桐林乡中心小学"], kind, name, data)
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors["file"]), response.context["form"].errors
    assert CaseRecord.objects.get(case_id=CASE).data == before
    assert stored_files(store) == stored  # nothing kept


def test_the_case_page_shows_previews_of_photos_and_pdfs(clients: dict[str, Client], store: Path) -> None:
    from pypdf import PdfWriter

    school = clients["桐林乡中心小学"]
    pdf = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.write(pdf)
    upload(school, "school_photo", "在校照片.png", png())
    upload(school, "registry_certificate", "学籍证明.pdf", pdf.getvalue())
    items = CaseRecord.objects.get(case_id=CASE).data["evidence"][-2:]
    page = school.get(f"/cases/{CASE}/").content.decode()
    for item in items:
        url = f"/cases/{CASE}/evidence/{item['id']}/preview/"
        assert f'src="{url}"' in page
        response = school.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        with Image.open(io.BytesIO(response.content)) as picture:
            assert picture.width <= 480
        assert clients["云溪镇中心小学"].get(url).status_code == 404  # another school: no preview either


def test_a_pdf_that_takes_long_to_draw_gets_a_placeholder_made_once_in_a_box(
        clients: dict[str, Client], store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from docgen.service.county import previews, sandbox

    school = clients["桐林乡中心小学"]
    started = time.monotonic()
    assert upload(school, "registry_certificate", "学籍证明.pdf", heavy_pdf()).status_code == 302
    assert time.monotonic() - started < sandbox.PREVIEW.wall_seconds + sandbox.CHECK.wall_seconds
    item = CaseRecord.objects.get(case_id=CASE).data["evidence"][-1]
    assert (stored_path := store / item["sha256"][:2] / f"{item['sha256']}.preview.failed").is_file()
    assert "计算时间" in stored_path.read_text(encoding="utf-8")  # the box's CPU limit stopped pdftoppm

    def never(*args, **kwargs):
        raise AssertionError("a request drew a file")

    monkeypatch.setattr(previews, "make_picture", never)  # from here on, nothing may draw in a request
    for _ in range(3):
        started = time.monotonic()
        response = school.get(f"/cases/{CASE}/evidence/{item['id']}/preview/")
        assert response.status_code == 200 and response.content == previews.placeholder()
        assert time.monotonic() - started < 1
    assert school.get(f"/cases/{CASE}/").status_code == 200


def test_a_file_over_the_limit_stops_while_it_is_read(clients: dict[str, Client], store: Path, settings) -> None:
    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    before = CaseRecord.objects.get(case_id=CASE).data
    response = upload(clients["桐林乡中心小学"], "school_photo", "照片.png", png() + b"\0" * (2 * 1024 * 1024))
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["文件超过 1 MB 的上限，没有上传"]
    assert CaseRecord.objects.get(case_id=CASE).data == before


def test_an_old_file_without_a_picture_gets_one_from_a_worker_task(clients: dict[str, Client], store: Path) -> None:
    from django_tasks_db.models import DBTaskResult

    from docgen.service.county.previews import make_preview, placeholder

    school = clients["桐林乡中心小学"]
    item = next(e for e in CaseRecord.objects.get(case_id=CASE).data["evidence"]
                if e.get("sha256") and e["file"].endswith((".jpg", ".png", ".pdf")))
    url = f"/cases/{CASE}/evidence/{item['id']}/preview/"
    assert school.get(url).content == placeholder()  # the demo's files were stored without pictures
    asked = DBTaskResult.objects.filter(task_path__endswith="make_preview_task")
    assert asked.count() == 1
    school.get(url)
    assert asked.count() == 1  # asked once, not on every view
    assert make_preview(item["sha256"], Path(item["file"]).suffix.lower())  # what the worker's task does
    with Image.open(io.BytesIO(school.get(url).content)) as picture:
        assert picture.width <= 480


def test_a_record_form_uploaded_for_its_visit_settles_the_finding(db, store: Path) -> None:
    import copy

    from pdf_files import one_page_pdf

    from docgen.service.county.door import save_case
    from docgen.service.county.evidence import target_at
    from docgen.service.county.overview import case_findings

    accounts = {a.username: a.password for a in load_demo()}
    data = copy.deepcopy(CaseRecord.objects.get(case_id="QS-2022-003").data)  # 张梓豪, 桐林乡
    visit = {k: v for k, v in data["persuasions"][-1].items() if k != "evidence"}  # a fifth visit, no form yet
    data["persuasions"].append(visit | {"date": "2022-10-20"})
    save_case(data)
    record = CaseRecord.objects.get(case_id="QS-2022-003")
    findings, _ = case_findings(record, dt.date(2026, 12, 1))
    finding = next(f for f in findings if "2022-10-20 的劝返没有附劝返记录表" in f.message)
    target = target_at(finding.path)
    assert target == f"persuasions:{len(data['persuasions']) - 1}"
    clerk = sign_in(Client(), record.township, accounts[record.township])
    page = clerk.get(f"/cases/{record.case_id}/").content.decode()
    assert f"?proves={target.replace(':', '%3A')}" in page  # the finding links to the form that settles it
    assert "给这条记录附材料" in page
    form = clerk.get(f"/cases/{record.case_id}/evidence/new/", {"proves": target, "kind": "persuasion_record"})
    assert form.context["form"].initial == {"proves": target, "kind": "persuasion_record"}
    visit = record.data["persuasions"][int(target.split(":")[1])]
    response = clerk.post(f"/cases/{record.case_id}/evidence/new/", {
        "kind": "persuasion_record", "date": visit["date"], "description": "签字的劝返记录表", "proves": target,
        "file": SimpleUploadedFile("劝返记录表.pdf", one_page_pdf(b"0 0 m 10 10 l S"))})
    assert response.status_code == 302, response.context["form"].errors
    record.refresh_from_db()
    added = record.data["evidence"][-1]
    assert added["id"] in record.data["persuasions"][int(target.split(":")[1])]["evidence"]
    after, _ = case_findings(record, dt.date(2026, 12, 1))
    assert finding.message not in [f.message for f in after]
    assert AuditEvent.objects.filter(action="修改案卷", detail__path=f"$.persuasions[{target.split(':')[1]}].evidence"
                                     ).exists()
    # a record of another case, or none at all, is refused beside the field
    bad = clerk.post(f"/cases/{record.case_id}/evidence/new/", {
        "kind": "persuasion_record", "proves": "persuasions:99",
        "file": SimpleUploadedFile("x.pdf", one_page_pdf(b"0 0 m 10 10 l S"))})
    assert "没有这条记录" in " ".join(bad.context["form"].errors["proves"])
