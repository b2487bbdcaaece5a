"""The audit log: sign-ins and failures, case views and ID reveals recorded; append-only down to the database."""

from __future__ import annotations

import itertools

import pytest
from conftest import client_of, sign_in
from django.db import DatabaseError, connection, transaction
from django.test import Client

from docgen.service.county.models import AuditEvent, CaseRecord


def test_sign_ins_failures_and_case_views_are_logged(accounts: dict[str, str]) -> None:
    Client().post("/login/", {"username": "桐林乡", "password": "不对"})
    client = Client()
    client.post("/login/", {"username": "桐林乡", "password": accounts["桐林乡"]})
    client.get("/cases/QS-2022-023/")
    log = [(e.username, e.unit, e.action, e.target) for e in AuditEvent.objects.order_by("id")]
    assert log == [("桐林乡", "", "登录失败", ""), ("桐林乡", "桐林乡人民政府", "登录", ""),
                   ("桐林乡", "桐林乡人民政府", "查看案卷", "QS-2022-023")]


def test_a_full_id_is_shown_only_after_a_reason_and_the_reveal_is_logged(accounts: dict[str, str]) -> None:
    client = client_of(accounts, "桐林乡")
    full = CaseRecord.objects.get(case_id="QS-2022-023").data["student"]["id_number"]
    refused = client.post("/cases/QS-2022-023/reveal/", {"reason": "看"})
    assert refused.status_code == 200 and "原因至少写 4 个字" in refused.content.decode()
    assert full not in refused.content.decode() and not AuditEvent.objects.filter(action="查看完整身份证号").exists()
    shown = client.post("/cases/QS-2022-023/reveal/", {"reason": "办理学籍转接，核对身份证号"})
    assert full in shown.content.decode() and "已记入操作日志" in shown.content.decode()
    event = AuditEvent.objects.get(action="查看完整身份证号")
    assert (event.target, event.detail) == ("QS-2022-023", {"reason": "办理学籍转接，核对身份证号"})
    assert client.get("/cases/QS-2022-023/reveal/").status_code == 405  # only by an explicit request
    other = client_of(accounts, "桐林乡中心小学").post("/cases/QS-2022-023/reveal/", {"reason": "办理学籍转接核对"})
    assert other.status_code == 404  # not that school's student


def test_only_the_bureau_reads_the_log(accounts: dict[str, str]) -> None:
    client_of(accounts, "云溪镇").get("/cases/QS-2022-001/")
    page = client_of(accounts, "青石县教育局").get("/audit/").content.decode()
    assert "查看案卷" in page and "QS-2022-001" in page
    assert client_of(accounts, "青石县人民政府教育督导室").get("/audit/").status_code == 404


def test_the_log_cannot_be_changed_or_deleted(accounts: dict[str, str]) -> None:
    client_of(accounts, "云溪镇")
    event = AuditEvent.objects.get()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(action="改过")
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        event.save()
    for sql in ("UPDATE county_auditevent SET action = 'x'", "DELETE FROM county_auditevent"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.get().action == "登录"


def test_five_wrong_passwords_lock_the_account_for_a_while(accounts: dict[str, str]) -> None:
    client = Client()
    for _ in range(4):
        assert client.post("/login/", {"username": "云溪镇", "password": "错的"}).status_code == 200
    assert client.post("/login/", {"username": "云溪镇", "password": "错的"}).status_code == 429  # the fifth
    locked = client.post("/login/", {"username": "云溪镇", "password": accounts["云溪镇"]})  # even the right one
    assert locked.status_code == 429 and "暂停登录 15 分钟" in locked.content.decode()
    assert AuditEvent.objects.filter(action="登录失败", username="云溪镇").count() >= 5
    sign_in(Client(), "桐林乡", accounts["桐林乡"])  # other accounts are not affected


def test_the_bureau_exports_the_log_and_the_export_is_logged(accounts: dict[str, str]) -> None:
    import io

    from openpyxl import load_workbook

    reader = client_of(accounts, "云溪镇")
    case = CaseRecord.objects.filter(township="云溪镇").first()
    reader.post(f"/cases/{case.case_id}/reveal/", {"reason": "办理学籍转接，核对身份证号"})
    bureau = client_of(accounts, "青石县教育局")
    response = bureau.get("/audit/export/")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "操作日志"
    assert rows[2] == ("序号", "时间", "用户", "单位", "操作", "对象", "详情", "地址", "哈希")
    # printable: A4, the title and the header on every page, times as times in Chinese
    assert int(sheet.page_setup.paperSize) == 9 and sheet.print_title_rows == "$1:$3"
    assert sheet["B4"].number_format == 'yyyy"年"m"月"d"日" hh:mm:ss' and sheet["B4"].font.name == "宋体"
    reveal = next(r for r in rows if r[4] == "查看完整身份证号")
    assert reveal[2] == "云溪镇" and reveal[6] == "原因：办理学籍转接，核对身份证号" and len(reveal[8]) == 64
    assert AuditEvent.objects.filter(action="导出", target="操作日志", username="青石县教育局").exists()
    assert client_of(accounts, "青石县人民政府教育督导室").get("/audit/export/").status_code == 404


# ---- the chain ---------------------------------------------------------------------------------------------------
def _sql(statement: str, params: tuple = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _drop_triggers() -> None:
    """What someone holding the database's keys could do: take the triggers away."""
    from docgen.service.county.audit import TRIGGERS

    for name in TRIGGERS[connection.vendor]:
        _sql(f"DROP TRIGGER {name}" + (" ON county_auditevent" if connection.vendor == "postgresql" else ""))


def _backdated() -> tuple:
    """A row that continues the chain by its numbers and hashes but is dated years back."""
    import datetime as dt

    from docgen.service.county.audit import event_hash

    last = AuditEvent.objects.order_by("-seq").first()
    at = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    digest = event_hash(last.hash, last.seq + 1, at, "某人", "", "青石县", "查看案卷", "QS-2022-001", {}, None)
    stamp = at.isoformat(" ") if connection.vendor == "postgresql" else "2020-01-01 00:00:00"
    return (stamp, last.seq + 1, last.hash, digest)


TAMPERING = {
    # changes event 2's action in place of the row (SQLite: INSERT OR REPLACE; PostgreSQL: INSERT … ON CONFLICT)
    "replace": ("的内容与它的哈希不符", {
        "sqlite": "INSERT OR REPLACE INTO county_auditevent (id, at, username, unit, county, action, target, detail, "
                  "address, seq, prev_hash, hash) SELECT id, at, username, unit, county, '导出', target, detail, "
                  "address, seq, prev_hash, hash FROM county_auditevent WHERE seq = 2",
        "postgresql": "INSERT INTO county_auditevent SELECT * FROM county_auditevent WHERE seq = 2 "
                      "ON CONFLICT (id) DO UPDATE SET action = '导出'"}),
    "backdate": ("的时间早于上一条（倒填日期）", dict.fromkeys(("sqlite", "postgresql"),
        "INSERT INTO county_auditevent (at, username, unit, county, action, target, detail, address, seq, prev_hash, "
        "hash) VALUES (%s, '某人', '', '青石县', '查看案卷', 'QS-2022-001', '{}', NULL, %s, %s, %s)")),
    "delete": ("第 1 条之后应为第 2 条，实际是第 3 条", {
        "sqlite": "DELETE FROM county_auditevent WHERE seq = 2",
        "postgresql": "DELETE FROM county_auditevent WHERE seq = 2"}),
    "empty": ("被删除", {
        "sqlite": "DELETE FROM county_auditevent",
        "postgresql": "TRUNCATE county_auditevent"}),
}


def _events(accounts: dict[str, str]) -> None:
    client = client_of(accounts, "桐林乡")
    for case_id in ("QS-2022-003", "QS-2022-004", "QS-2022-007"):
        client.get(f"/cases/{case_id}/")


def test_the_chain_is_whole_and_verified_on_the_page_and_by_the_command(accounts: dict[str, str]) -> None:
    from click.testing import CliRunner

    from docgen.cli import main
    from docgen.service.county.audit import GENESIS, hash_of, verify

    _events(accounts)
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1)) and events[0].prev_hash == GENESIS
    assert all(e.prev_hash == p.hash and e.hash == hash_of(e) for p, e in itertools.pairwise(events))
    assert all(e.county == "青石县" for e in events)
    check = verify()
    assert check.whole and (check.events, check.head_hash) == (len(events), events[-1].hash)
    done = CliRunner().invoke(main, ["audit", "verify"])
    assert done.exit_code == 0 and f"共 {len(events)} 条" in done.output and events[-1].hash in done.output
    page = client_of(accounts, "青石县教育局").get("/audit/").content.decode()
    assert "操作日志完整" in page


@pytest.mark.parametrize("tamper", sorted(TAMPERING))
def test_tampering_is_refused_and_when_forced_the_first_broken_link_is_named(accounts: dict[str, str],
                                                                            tamper: str) -> None:
    from click.testing import CliRunner

    from docgen.cli import main
    from docgen.service.county.audit import verify

    _events(accounts)
    words, statements = TAMPERING[tamper]
    statement = statements[connection.vendor]
    params = _backdated() if tamper == "backdate" else ()
    before = list(AuditEvent.objects.order_by("seq").values_list("seq", "hash"))
    with pytest.raises(DatabaseError), transaction.atomic():
        _sql(statement, params)  # the database refuses it
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", "hash")) == before and verify().whole
    _drop_triggers()
    _sql(statement, params)
    check = verify()
    assert not check.whole and words in check.broken, check.broken
    assert check.missing_triggers  # the dropped triggers are named too
    done = CliRunner().invoke(main, ["audit", "verify"])
    assert done.exit_code == 1 and words in done.output and "触发器" in done.output
    page = client_of(accounts, "青石县教育局").get("/audit/").content.decode()
    assert "操作日志不完整" in page and words in page


def test_a_dropped_trigger_alone_is_detected(accounts: dict[str, str]) -> None:
    from docgen.service.county.audit import verify

    _events(accounts)
    _sql("DROP TRIGGER county_auditevent_chain" + (" ON county_auditevent" if connection.vendor == "postgresql"
                                                   else ""))
    check = verify()
    assert not check.whole and not check.broken and check.missing_triggers == ("county_auditevent_chain",)
