"""``docgen serve --demo`` under a real gunicorn: the accounts it prints sign in, and each sees its own cases."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

DOCGEN = str(Path(sys.executable).with_name("docgen"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@pytest.mark.browser
def test_the_demo_service_signs_in_its_accounts(tmp_path: Path, chrome) -> None:
    workspace = tmp_path / "青石县"
    subprocess.run([DOCGEN, "init", str(workspace), "--county", "青石县"], check=True, capture_output=True)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["DOCGEN_WORKSPACE"] = str(workspace)
    server = subprocess.Popen([DOCGEN, "serve", "--demo", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
                              start_new_session=True)
    try:
        accounts = {}
        for line in server.stdout:
            found = re.match(r"\s+\S+\s+(\S+)\s+密码 (\S+)$", line)
            if found:
                accounts[found[1]] = found[2]
            if "桐林乡初级中学" in accounts:
                break
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{base}/login/", timeout=2):
                    break
            except OSError:
                time.sleep(0.2)
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        browser.open(f"{base}/login/").close()
        token = next(c.value for c in jar if c.name == "csrftoken")
        form = urllib.parse.urlencode({"username": "桐林乡中心小学", "password": accounts["桐林乡中心小学"],
                                       "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(f"{base}/login/", data=form, headers={"Referer": f"{base}/login/"})
        with browser.open(request) as response:
            page = response.read().decode()
            policy = response.headers["Content-Security-Policy"]
        assert "script-src 'none'" in policy and "default-src 'none'" in policy
        nonce = re.search(r"'nonce-([^']+)'", policy)[1]
        assert f'<style nonce="{nonce}">' in page and ' style="' not in page  # no inline style attributes
        assert "桐林乡中心小学" in page and "工作台" in page
        with browser.open(f"{base}/cases/") as response:
            cases = response.read().decode()
        schools = set(re.findall(r'data-label="学校">([^<]+)<', cases))
        assert schools == {"桐林乡中心小学"}
        assert server.poll() is None and (workspace / "service.sqlite3").is_file()
        # In a real browser the page keeps its look under the policy (the stylesheet is not blocked).
        chrome.delete_all_cookies()
        chrome.set_window_size(1000, 800)
        chrome.get(f"{base}/login/")
        chrome.find_element("name", "username").send_keys("桐林乡")
        chrome.find_element("name", "password").send_keys(accounts["桐林乡"])
        chrome.find_element("css selector", "button[type=submit]").click()
        header = chrome.execute_script("return getComputedStyle(document.querySelector('header')).backgroundColor")
        assert header == "rgb(31, 59, 99)" and "桐林乡人民政府" in chrome.page_source
        assert "gunicorn" in subprocess.run(["ps", "-o", "args=", "-p", str(server.pid)], capture_output=True,
                                            text=True).stdout
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        server.stdout.close()
