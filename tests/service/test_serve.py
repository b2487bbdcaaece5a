"""``docgen serve --demo`` under a real gunicorn: the accounts it prints sign in, and each sees its own cases."""

from __future__ import annotations

import http.cookiejar
import re
import subprocess
import urllib.parse
import urllib.request

import pytest
from conftest import DemoServer
from selenium.webdriver.support.ui import WebDriverWait


@pytest.mark.slow
@pytest.mark.browser
def test_the_demo_service_signs_in_its_accounts(demo_server: DemoServer, chrome) -> None:
    base, accounts, workspace, server = (demo_server.base, demo_server.accounts, demo_server.workspace,
                                         demo_server.process)
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
    assert "script-src 'self'" in policy and "default-src 'none'" in policy and "unsafe-inline" not in policy
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
    WebDriverWait(chrome, 20).until(lambda d: "桐林乡人民政府" in d.page_source)
    header = chrome.execute_script("return getComputedStyle(document.querySelector('header')).backgroundColor")
    assert header == "rgb(31, 59, 99)" and "桐林乡人民政府" in chrome.page_source
    children = subprocess.run(["ps", "-o", "args=", "--ppid", str(server.pid)], capture_output=True,
                              text=True).stdout
    assert "gunicorn" in children and "docgen worker" in children  # the web server and a job worker
