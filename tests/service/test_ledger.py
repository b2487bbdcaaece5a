"""Excel ledger import (preview first, nothing saved until a clean workbook is confirmed) and export (masked)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from conftest import client_of
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.test import Client
from ledger_files import NEW_CASE_ID, new_student, new_student_ledger
from openpyxl import load_workbook

from docgen.service.county import ledger as service_ledger
from docgen.service.county.actors import Actor
from docgen.service.county.door import save
from docgen.service.county.models import AuditEvent, CaseRecord, Unit


def upload(client: Client, path: Path):
    return client.post("/ledger/", {"file": SimpleUploadedFile(path.name, path.read_bytes())})


def test_a_bad_cell_is_shown_and_nothing_is_saved_until_a_clean_ledger_is_confirmed(
        accounts: dict[str, str], tmp_path: Path) -> None:
    clerk = client_of(accounts, "云溪镇")
    response = upload(clerk, new_student_ledger(tmp_path / "台账.xlsx", bad_date=True))
    result = response.context["result"]
    assert [(p.path, p.message) for p in result.problems] == [("辍学学生台账!U2（辍学时间）", "日期 2022-02-30 不存在")]
    html = response.content.decode()
    assert "辍学学生台账!U2（辍学时间）" in html and "confirm-import" not in html
    assert not CaseRecord.objects.filter(case_id=NEW_CASE_ID).exists()
    # a confirmation of the bad workbook (forged) is refused too: it is checked again
    refused = clerk.post("/ledger/confirm/", {"token": result.token, "name": "台账.xlsx"}, follow=True)
    assert "台账有 1 个问题" in refused.content.decode()
    assert not CaseRecord.objects.filter(case_id=NEW_CASE_ID).exists()

    fixed = upload(clerk, new_student_ledger(tmp_path / "台账.xlsx"))
    preview = fixed.context["result"]
    assert preview.clean and [(r.case_id, r.change) for r in preview.rows] == [(NEW_CASE_ID, "新增")]
    assert not CaseRecord.objects.filter(case_id=NEW_CASE_ID).exists()  # still nothing until confirmed
    done = clerk.post("/ledger/confirm/", {"token": preview.token, "name": "台账.xlsx"}, follow=True)
    assert "导入完成：1 个案卷新增或更新" in done.content.decode()
    saved = CaseRecord.objects.get(case_id=NEW_CASE_ID)
    assert saved.data == new_student() and saved.township == "云溪镇"
    event = AuditEvent.objects.get(action="导入台账")
    assert event.detail["cases"] == [NEW_CASE_ID] and event.username == "云溪镇"
    again = upload(clerk, new_student_ledger(tmp_path / "台账.xlsx")).context["result"]
    assert [r.change for r in again.rows] == ["无变化"]


def test_a_unit_cannot_import_another_units_students(accounts: dict[str, str], tmp_path: Path) -> None:
    school = client_of(accounts, "桐林乡中心小学")
    result = upload(school, new_student_ledger(tmp_path / "台账.xlsx")).context["result"]
    assert [p.message for p in result.problems] == ["不是桐林乡中心小学的学生"]
    school.post("/ledger/confirm/", {"token": result.token, "name": "台账.xlsx"})
    assert not CaseRecord.objects.filter(case_id=NEW_CASE_ID).exists()
    auditor = client_of(accounts, "青石县人民政府教育督导室")
    assert upload(auditor, new_student_ledger(tmp_path / "台账.xlsx")).status_code == 404


def test_not_a_workbook_is_refused_beside_the_field(accounts: dict[str, str]) -> None:
    clerk = client_of(accounts, "云溪镇")
    response = clerk.post("/ledger/", {"file": SimpleUploadedFile("台账.xlsx", b"not a workbook")})
    assert "不是有效的 Excel .xlsx 文件" in " ".join(response.context["form"].errors["file"])


def _ids(data: bytes) -> list[str]:
    ws = load_workbook(io.BytesIO(data), read_only=True)["辍学学生台账"]
    header = [c.value for c in next(ws.iter_rows(max_row=1))]
    column = header.index("身份证号")
    return [row[column] for row in ws.iter_rows(min_row=2, values_only=True) if row[column]]


def test_export_masks_ids_unless_asked_with_a_reason(accounts: dict[str, str]) -> None:
    clerk = client_of(accounts, "云溪镇")
    masked = clerk.post("/ledger/export/", {})
    assert masked.status_code == 200 and masked["Content-Disposition"].startswith("attachment")
    ids = _ids(masked.content)
    visible = CaseRecord.objects.filter(township="云溪镇").count()
    assert len(ids) >= visible and all("********" in i for i in ids)
    no_reason = clerk.post("/ledger/export/", {"full_ids": "on", "reason": ""})
    assert "须写明原因" in no_reason.content.decode()
    full = clerk.post("/ledger/export/", {"full_ids": "on", "reason": "与学籍系统核对身份证号"})
    assert not any("*" in i for i in _ids(full.content))
    events = list(AuditEvent.objects.filter(action="导出").order_by("id"))
    assert [e.detail["full_ids"] for e in events] == [False, True]
    assert events[1].detail["reason"] == "与学籍系统核对身份证号"


def test_a_confirmation_names_only_a_workbook_its_user_staged(accounts: dict[str, str], tmp_path: Path) -> None:
    clerk = client_of(accounts, "云溪镇")
    for token in ("../" * 21 + "x", "0" * 64, "", "A" * 32):
        page = clerk.post("/ledger/confirm/", {"token": token, "name": "台账.xlsx"}, follow=True)
        assert "要导入的台账已失效，请重新上传" in page.content.decode(), token
    staged = upload(clerk, new_student_ledger(tmp_path / "台账.xlsx")).context["result"]
    other = client_of(accounts, "青石县教育局")  # another user cannot confirm the clerk's upload
    page = other.post("/ledger/confirm/", {"token": staged.token, "name": "台账.xlsx"}, follow=True)
    assert "要导入的台账已失效" in page.content.decode()
    assert not AuditEvent.objects.filter(action="导入台账").exists()
    assert not CaseRecord.objects.filter(case_id=NEW_CASE_ID).exists()


def test_a_hostile_workbook_is_refused_beside_the_field(accounts: dict[str, str], tmp_path: Path) -> None:
    from hostile_files import billion_laughs

    clerk = client_of(accounts, "云溪镇")
    hostile = billion_laughs(new_student_ledger(tmp_path / "台账.xlsx"), tmp_path / "笑.xlsx")
    response = upload(clerk, hostile)
    assert response.status_code == 200
    message = " ".join(response.context["form"].errors["file"])
    assert message.startswith("笑.xlsx") and "DOCTYPE" in message and "未读取" in message
    assert not CaseRecord.objects.filter(case_id=NEW_CASE_ID).exists()


def test_a_staged_ledger_expires(accounts: dict[str, str], tmp_path: Path, settings) -> None:
    clerk = client_of(accounts, "云溪镇")
    staged = upload(clerk, new_student_ledger(tmp_path / "台账.xlsx")).context["result"]
    assert staged.clean
    settings.LEDGER_STAGING_SECONDS = -1  # an hour later, say
    page = clerk.post("/ledger/confirm/", {"token": staged.token, "name": "台账.xlsx"}, follow=True)
    assert "要导入的台账已失效，请重新上传" in page.content.decode()
    assert not CaseRecord.objects.filter(case_id=NEW_CASE_ID).exists()
    assert not any(Path(settings.LEDGER_STAGING).rglob("*.xlsx"))  # and it is gone


def _staged(tmp_path: Path, data: bytes, name: str = "导出的台账.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("full_ids", [False, True], ids=["masked", "full"])
def test_an_unchanged_export_imports_with_no_changes(accounts: dict[str, str], tmp_path: Path, full_ids: bool) -> None:
    clerk = client_of(accounts, "云溪镇")
    form = {"full_ids": "on", "reason": "与学籍系统核对身份证号"} if full_ids else {}
    exported = clerk.post("/ledger/export/", form).content
    response = upload(clerk, _staged(tmp_path, exported))
    assert response.context["form"].errors == {}
    result = response.context["result"]
    assert result.problems == []
    assert {r.change for r in result.rows} == {"无变化"}
    assert len(result.rows) == CaseRecord.objects.filter(township="云溪镇").count()


def _edit(data: bytes, header: str, case_id: str, value: object) -> bytes:
    book = load_workbook(io.BytesIO(data))
    ws = book["辍学学生台账"]
    names = [c.value for c in ws[1]]
    key, column = names.index("案卷编号") + 1, names.index(header) + 1
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, key).value == case_id)
    ws.cell(row, column).value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_masked_id_keeps_the_stored_one_and_the_preview_names_each_change(
        accounts: dict[str, str], tmp_path: Path) -> None:
    clerk = client_of(accounts, "云溪镇")
    record = CaseRecord.objects.filter(township="云溪镇").order_by("case_id").first()
    stored_id = record.data["student"]["id_number"]
    exported = clerk.post("/ledger/export/", {}).content
    edited = _edit(exported, "备注", record.case_id, "2026年12月复核：已回到原籍")
    response = upload(clerk, _staged(tmp_path, edited))
    result = response.context["result"]
    assert result.problems == []
    row = next(r for r in result.rows if r.case_id == record.case_id)
    assert row.change == "修改"
    assert [(c.place, c.new) for c in row.changes] == [("备注", "2026年12月复核：已回到原籍")]
    assert "2026年12月复核：已回到原籍" in response.content.decode()
    clerk.post("/ledger/confirm/", {"token": result.token, "name": "导出的台账.xlsx"})
    record.refresh_from_db()
    assert record.data["student"]["id_number"] == stored_id  # the mask never overwrites the stored number
    assert record.data["remarks"] == "2026年12月复核：已回到原籍"


def test_a_masked_id_on_a_new_student_says_to_type_the_whole_number(accounts: dict[str, str], tmp_path: Path) -> None:
    clerk = client_of(accounts, "云溪镇")
    path = new_student_ledger(tmp_path / "台账.xlsx")
    book = load_workbook(path)
    ws = book["辍学学生台账"]
    names = [c.value for c in ws[1]]
    column = names.index("身份证号") + 1
    ws.cell(2, column).value = "439921********1033"
    book.save(path)
    result = upload(clerk, path).context["result"]
    assert len(result.problems) == 1, result.problems
    assert "遮掩" in result.problems[0].message and "完整" in result.problems[0].message
    assert result.problems[0].path.startswith("辍学学生台账!")


def test_an_export_older_than_the_case_never_undoes_what_was_saved_after_it(
        accounts: dict[str, str], tmp_path: Path) -> None:
    clerk = client_of(accounts, "云溪镇")
    first, second = CaseRecord.objects.filter(township="云溪镇").order_by("case_id")[:2]
    exported = clerk.post("/ledger/export/", {}).content
    save(Actor("云溪镇", Unit.objects.get(name="云溪镇人民政府"), None), dict(first.data, remarks="导出之后补记的情况"))
    later = service_ledger.STAMP_SLACK + dt.timedelta(seconds=1)  # saved a while after the export, not in its second
    CaseRecord.objects.filter(pk=first.pk).update(updated=F("updated") + later)
    edited = _edit(_edit(exported, "备注", first.case_id, "台账上改的"), "备注", second.case_id, "台账上改的")
    result = upload(clerk, _staged(tmp_path, edited)).context["result"]
    assert [p.path for p in result.problems] == [f"辍学学生台账（案卷编号 {first.case_id}）"]
    assert "之后又有改动" in result.problems[0].message and "请重新导出台账" in result.problems[0].message
    refused = clerk.post("/ledger/confirm/", {"token": result.token, "name": "导出的台账.xlsx"}, follow=True)
    assert "台账有 1 个问题" in refused.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.data["remarks"] == "导出之后补记的情况" and second.data.get("remarks") != "台账上改的"


def test_a_missing_field_is_named_in_words_not_by_its_json_key(accounts: dict[str, str], tmp_path: Path) -> None:
    from docgen.ledger import export_ledger

    data = new_student()
    data.pop("guardians")
    export_ledger([data], tmp_path / "缺监护人.xlsx")
    response = upload(client_of(accounts, "云溪镇"), tmp_path / "缺监护人.xlsx")
    messages = [p.message for p in response.context["result"].problems]
    assert any(m.startswith("缺少必填项“监护人”") for m in messages), messages
    assert "guardians" not in response.content.decode()
