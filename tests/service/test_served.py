"""Issue 30's campaign replayed against real servers (``docgen serve --demo``: gunicorn, its job worker, SQLite):
the ledger takeover and the forged 文号 over HTTP, a PDF that takes half a minute to draw, a server behind HTTPS
(Secure cookies, HSTS, a lock-out per person behind the proxy), and the audit log's chain checked from the
command line after someone with the database's keys tampered with it."""

from __future__ import annotations

import http.client
import os
import re
import sqlite3
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import DOCGEN, DemoServer, serving_demo
from hostile_files import heavy_pdf
from http_session import Session

from docgen.ledger.reader import import_ledger
from docgen.ledger.writer import export_ledger

pytestmark = [pytest.mark.slow]


def test_the_ledger_takeover_and_forged_numbers_are_refused_over_http(demo_server: DemoServer,
                                                                     tmp_path: Path) -> None:
    school = Session(demo_server.base, "云溪镇中心小学", demo_server.accounts["云溪镇中心小学"])
    exported = tmp_path / "导出.xlsx"
    exported.write_bytes(school.post_bytes("/ledger/export/", {"full_ids": "on", "reason": "与学籍系统核对身份证号"}))
    own = next(c for c in import_ledger(exported).batch["cases"] if c["case_id"] == "QS-2022-002")
    own["case_id"] = "QS-2022-011"  # 桐林乡初级中学's case, under the school's own row
    export_ledger([own], tmp_path / "接管.xlsx")
    page, _ = school.upload("/ledger/", {}, "接管.xlsx", (tmp_path / "接管.xlsx").read_bytes())
    assert "属于其他单位的案卷" in page and "confirm-import" not in page and "修改" not in page
    token = re.search(r'name="token" value="([^"]+)"', page)
    page, _ = school.post("/ledger/confirm/", {"token": token[1] if token else "", "name": "接管.xlsx"})
    assert "导入完成" not in page
    owner = Session(demo_server.base, "桐林乡初级中学", demo_server.accounts["桐林乡初级中学"])
    assert "QS-2022-011" in owner.get("/cases/QS-2022-011/")
    # the township's and the bureau's numbers, recorded by a school through its own case
    case = next(c for c in import_ledger(exported).batch["cases"] if c["case_id"] == "QS-2022-022")
    for notice in case["notices"]:
        notice["doc_no"] = {"return_order": "云政限复〔2025〕5000000号",
                            "penalty_notice": "青教罚告〔2025〕999号"}.get(notice["kind"], notice.get("doc_no"))
    export_ledger([case], tmp_path / "文号.xlsx")
    page, _ = school.upload("/ledger/", {}, "文号.xlsx", (tmp_path / "文号.xlsx").read_bytes())
    assert "本单位不能登记云溪镇人民政府的文号" in page and "本单位不能登记青石县教育局的文号" in page
    bureau = Session(demo_server.base, "青石县教育局", demo_server.accounts["青石县教育局"])
    started = time.monotonic()
    register = bureau.get("/numbers/")
    assert time.monotonic() - started < 5 and "5000000" not in register and "有漏号" not in register


def test_a_pdf_that_takes_long_to_draw_holds_no_web_worker(demo_server: DemoServer) -> None:
    school = Session(demo_server.base, "桐林乡中心小学", demo_server.accounts["桐林乡中心小学"])
    started = time.monotonic()
    page, url = school.upload("/cases/QS-2022-004/evidence/new/", {"kind": "registry_certificate",
                                                                   "date": "2022-11-02", "description": "学籍证明"},
                              "学籍证明.pdf", heavy_pdf())
    assert url.endswith("/cases/QS-2022-004/") and "材料已上传" in page
    assert time.monotonic() - started < 25  # the box stopped the drawing: the upload did not wait 30 s
    evidence = re.findall(r"/cases/QS-2022-004/evidence/(E\d+)/preview/", page)[-1]
    timings: list[float] = []

    def look() -> None:
        begun = time.monotonic()
        school.get_bytes(f"/cases/QS-2022-004/evidence/{evidence}/preview/")
        timings.append(time.monotonic() - begun)

    lookers = [threading.Thread(target=look) for _ in range(4)]
    for thread in lookers:
        thread.start()
    begun = time.monotonic()
    with urllib.request.urlopen(f"{demo_server.base}/login/", timeout=30) as response:
        assert response.status == 200
    sign_in_page = time.monotonic() - begun
    for thread in lookers:
        thread.join()
    assert sign_in_page < 2 and len(timings) == 4 and max(timings) < 3, (sign_in_page, timings)


def _request(port: int, method: str, path: str, address: str, cookies: dict[str, str], body: str = "") -> tuple:
    """One request as nginx passes it on behind HTTPS (X-Forwarded-Proto, X-Forwarded-For)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": address, "Host": f"127.0.0.1:{port}",
               "Referer": f"https://127.0.0.1:{port}{path}",
               "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body.encode(), headers=headers)
    response = connection.getresponse()
    content = response.read().decode()
    set_cookies = response.headers.get_all("Set-Cookie") or []
    for line in set_cookies:
        name, value = line.split(";", 1)[0].split("=", 1)
        cookies[name] = value
    connection.close()
    return response.status, dict(response.headers), set_cookies, content


def _sign_in(port: int, address: str, username: str, password: str) -> tuple[int, list[str], dict[str, str]]:
    cookies: dict[str, str] = {}
    _request(port, "GET", "/login/", address, cookies)
    body = urllib.parse.urlencode({"username": username, "password": password,
                                   "csrfmiddlewaretoken": cookies["csrftoken"]})
    status, _, set_cookies, _ = _request(port, "POST", "/login/", address, cookies, body)
    return status, set_cookies, cookies


def test_behind_https_cookies_are_secure_hsts_is_sent_and_a_lockout_falls_on_the_person(
        tmp_path_factory: pytest.TempPathFactory, demo_server: DemoServer) -> None:
    with urllib.request.urlopen(f"{demo_server.base}/login/") as plain:  # without DOCGEN_HTTPS: neither
        assert "Secure" not in (plain.headers["Set-Cookie"] or "") and not plain.headers["Strict-Transport-Security"]
    with serving_demo(tmp_path_factory.mktemp("https"), {"DOCGEN_HTTPS": "1"}) as server:
        port = int(server.base.rsplit(":", 1)[1])
        status, headers, set_cookies, _ = _request(port, "GET", "/login/", "10.0.0.1", {})
        assert status == 200 and headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert all("Secure" in line for line in set_cookies) and set_cookies
        password = server.accounts["云溪镇"]
        for _ in range(5):
            _sign_in(port, "10.0.0.1", "云溪镇", "错的密码")
        assert _sign_in(port, "10.0.0.1", "云溪镇", password)[0] == 429  # locked out there
        status, set_cookies, _ = _sign_in(port, "10.0.0.2", "云溪镇", password)  # the person elsewhere: not
        assert status == 302 and any(c.startswith("sessionid=") and "Secure" in c and "HttpOnly" in c
                                     for c in set_cookies)
        status, _, bureau = _sign_in(port, "10.0.0.3", "青石县教育局", server.accounts["青石县教育局"])
        log = _request(port, "GET", "/audit/", "10.0.0.3", bureau)[3]
        assert "10.0.0.2" in log and "10.0.0.1" in log and "127.0.0.1" not in log


def test_the_audit_chain_is_checked_from_the_command_line(demo_server: DemoServer) -> None:
    """Last in this module: it tampers with the served county's database."""
    for name in ("桐林乡", "云溪镇", "青石县教育局"):  # some events to chain, whatever ran before
        Session(demo_server.base, name, demo_server.accounts[name]).get("/cases/")
    workspace = str(demo_server.workspace)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # the served county's own database
    whole = subprocess.run([DOCGEN, "audit", "verify", "--workspace", workspace], capture_output=True, text=True,
                           env=env)
    assert whole.returncode == 0 and "操作日志完整" in whole.stdout, whole.stdout + whole.stderr
    database = sqlite3.connect(demo_server.workspace / "service.sqlite3")
    replace = ("INSERT OR REPLACE INTO county_auditevent (id, at, username, unit, county, action, target, detail, "
               "address, seq, prev_hash, hash) SELECT id, at, username, unit, county, '导出', target, detail, "
               "address, seq, prev_hash, hash FROM county_auditevent WHERE seq = 3")
    with pytest.raises(sqlite3.DatabaseError, match="操作日志只能按顺序追加"):
        database.execute(replace)
    for trigger in ("county_auditevent_chain", "county_auditevent_no_update", "county_auditevent_no_delete"):
        database.execute(f"DROP TRIGGER {trigger}")
    database.execute(replace)
    database.commit()
    database.close()
    broken = subprocess.run([DOCGEN, "audit", "verify", "--workspace", workspace], capture_output=True, text=True,
                            env=env)
    assert broken.returncode == 1
    assert "第 3 条" in broken.stdout and "内容与它的哈希不符" in broken.stdout and "触发器" in broken.stdout
