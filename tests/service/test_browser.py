"""The county service in a real headless Chromium (Debian's chromium + chromium-driver) against gunicorn:
a township clerk's day, a school refused another school's case, the auditor's county dashboard, and a reveal
that the bureau finds in the audit log. Each page is saved as a screenshot ($DOCGEN_SCREENSHOTS, else the
test's temporary folder) for a person to look at."""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import pytest
from conftest import DemoServer
from ledger_files import NEW_CASE_ID, NEW_NAME, new_student_ledger
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

pytestmark = [pytest.mark.slow, pytest.mark.browser]


class Person:
    """One user at the browser: signs in, clicks, fills in, and leaves a screenshot of every page."""

    def __init__(self, chrome, server: DemoServer, shots: Path, username: str) -> None:
        self.chrome, self.base, self.shots, self.username = chrome, server.base, shots, username
        chrome.delete_all_cookies()
        chrome.get(f"{self.base}/login/")
        chrome.find_element(By.NAME, "username").send_keys(username)
        chrome.find_element(By.NAME, "password").send_keys(server.accounts[username])
        self._navigate(chrome.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        assert username in self.text(), f"{username} did not get in"

    def _navigate(self, element) -> None:
        """Click and wait for the next page (the old one gone, the new one loaded)."""
        old = self.chrome.find_element(By.TAG_NAME, "html")
        element.click()
        WebDriverWait(self.chrome, 20).until(expected_conditions.staleness_of(old))
        WebDriverWait(self.chrome, 20).until(
            lambda d: d.execute_script("return document.readyState") == "complete")

    def text(self) -> str:
        return self.chrome.find_element(By.TAG_NAME, "body").text

    def open(self, path: str) -> str:
        self.chrome.get(f"{self.base}{path}")
        return self.text()

    def click(self, text: str) -> None:
        self._navigate(self.chrome.find_element(By.PARTIAL_LINK_TEXT, text))

    def press(self, css: str) -> None:
        self._navigate(self.chrome.find_element(By.CSS_SELECTOR, css))

    def fill(self, name: str, value: str) -> None:
        element = self.chrome.find_element(By.NAME, name)
        if element.tag_name == "select":
            Select(element).select_by_visible_text(value)
        elif element.get_attribute("type") == "date":  # typing into a date field depends on the locale
            self.chrome.execute_script("arguments[0].value = arguments[1]", element, value)
        else:
            element.clear()
            element.send_keys(value)

    def shot(self, name: str) -> None:
        height = self.chrome.execute_script("return document.documentElement.scrollHeight")
        self.chrome.set_window_size(1100, min(max(height, 700), 4000))
        self.chrome.save_screenshot(str(self.shots / f"{name}.png"))
        self.chrome.set_window_size(1100, 900)


@pytest.fixture()
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("DOCGEN_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_township_clerk_imports_records_issues_and_downloads(demo_server: DemoServer, chrome, shots: Path,
                                                              tmp_path: Path) -> None:
    clerk = Person(chrome, demo_server, shots, "云溪镇")
    clerk.shot("01-工作台-云溪镇")
    # the ledger with one bad cell: the cell is shown, nothing is saved
    clerk.click("台账")
    clerk.fill("file", str(new_student_ledger(tmp_path / "云溪镇台账.xlsx", bad_date=True)))
    clerk.press("form[enctype] button[type=submit]")
    page = clerk.text()
    assert "发现 1 个问题，没有导入" in page and "辍学学生台账!U2（辍学时间）" in page
    assert "日期 2022-02-30 不存在" in page
    assert not chrome.find_elements(By.ID, "confirm-import")
    clerk.shot("02-台账导入-有错")
    # fixed in Excel, uploaded again, checked, confirmed
    clerk.fill("file", str(new_student_ledger(tmp_path / "云溪镇台账.xlsx")))
    clerk.press("form[enctype] button[type=submit]")
    assert "检查通过：共 1 个学生" in clerk.text()
    clerk.shot("03-台账导入-通过")
    clerk.press("#confirm-import")
    assert "导入完成：1 个案卷新增或更新" in clerk.text() and NEW_NAME in clerk.text()
    clerk.shot("04-案卷列表-导入后")
    # a persuasion visit
    clerk.click(NEW_NAME)
    clerk.click("添加劝返记录")
    clerk.fill("date", "2022-10-13")
    clerk.fill("method", "入户劝返")
    clerk.fill("place", "石桥村学生家中")
    clerk.fill("participants", "罗晓梅 云溪镇人民政府 社事办主任\n吴丽 云溪镇初级中学 班主任")
    clerk.fill("content", "宣讲义务教育法，了解辍学原因，家长表示配合")
    clerk.fill("outcome", "未明确表态")
    clerk.shot("05-添加劝返记录")
    clerk.press("button.primary")
    assert "劝返记录已保存" in clerk.text() and "劝返记录（1 次）" in clerk.text()
    # the 限期复学通知书: numbered from the county register, recorded on the case, downloaded
    clerk.fill("template", "限期复学通知书")
    clerk.fill("date", "2022-10-14")
    clerk.press("form[action$='/documents/new/'] button")
    page = clerk.text()
    assert "已出具限期复学通知书，文号 云政限复〔2022〕" in page
    doc_no = page.split("文号 ", 1)[1].split("。", 1)[0]
    clerk.shot("06-案卷-已出具通知书")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    chrome.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    chrome.find_element(By.PARTIAL_LINK_TEXT, "下载 Word").click()  # a download: the page stays
    for _ in range(100):
        files = [p for p in downloads.iterdir() if p.suffix == ".docx"]
        if files:
            break
        time.sleep(0.1)
    assert len(files) == 1 and NEW_NAME in files[0].name and "限期复学通知书" in files[0].name
    text = zipfile.ZipFile(io.BytesIO(files[0].read_bytes())).read("word/document.xml").decode()
    assert NEW_NAME in text and doc_no in text
    register = clerk.open("/numbers/")
    assert doc_no in register and NEW_CASE_ID in register and "有漏号" not in register
    clerk.shot("07-文号登记簿")


def test_a_school_is_refused_another_schools_case(demo_server: DemoServer, chrome, shots: Path) -> None:
    school = Person(chrome, demo_server, shots, "桐林乡中心小学")
    page = school.open("/cases/QS-2022-001/")  # 云溪镇初级中学's student
    assert "找不到这个页面" in page and "林嘉豪" not in page
    school.shot("08-学校打开别校案卷")
    assert "林嘉豪" not in school.open("/cases/?q=林嘉豪")


def test_the_auditor_sees_the_county_dashboard(demo_server: DemoServer, chrome, shots: Path) -> None:
    auditor = Person(chrome, demo_server, shots, "青石县人民政府教育督导室")
    page = auditor.open("/")
    assert "各校案卷完整性" in page and "桐林乡初级中学" in page and "云溪镇中心小学" in page
    assert "月报表（本月20日前报送）" in page and "报送情况" in page
    auditor.shot("09-督导工作台-全县")
    assert "出具并编文号" not in auditor.open("/cases/QS-2022-004/")


def test_a_reveal_of_a_full_id_appears_in_the_audit_log(demo_server: DemoServer, chrome, shots: Path) -> None:
    clerk = Person(chrome, demo_server, shots, "桐林乡")
    page = clerk.open("/cases/QS-2022-004/")
    assert "439921********1081" in page and "439921201103091081" not in page
    clerk.fill("reason", "办理学籍转接，核对身份证号")
    clerk.press("form.reveal button")
    assert "439921201103091081" in clerk.text() and "已记入操作日志" in clerk.text()
    clerk.shot("10-查看完整身份证号")
    bureau = Person(chrome, demo_server, shots, "青石县教育局")
    bureau.click("操作日志")
    log = bureau.text()
    assert "查看完整身份证号" in log and "原因：办理学籍转接，核对身份证号" in log and "QS-2022-004" in log
    bureau.shot("11-操作日志")
    bureau.click("单位和账号")
    bureau.fill("username", "周老师")
    bureau.fill("unit", "云溪镇石桥小学")
    bureau.fill("kind", "学校")
    bureau.fill("township", "云溪镇")
    bureau.press("form.form button.primary")
    page = bureau.text()
    assert "账号 周老师（云溪镇石桥小学）的密码" in page and "云溪镇石桥小学" in page.split("本县的单位", 1)[1]
    bureau.shot("12-单位和账号")
