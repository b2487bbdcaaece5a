"""The county service in a real headless Chromium (Debian's chromium + chromium-driver) against gunicorn:
a township clerk's day, a school refused another school's case, the auditor's county dashboard, and a reveal
that the bureau finds in the audit log. Each page is saved as a screenshot ($DOCGEN_SCREENSHOTS, else the
test's temporary folder) for a person to look at."""

from __future__ import annotations

import base64
import io
import os
import subprocess
import sys
import time
import urllib.parse
import zipfile
from pathlib import Path

import pytest
from conftest import DemoServer
from ledger_files import NEW_CASE_ID, NEW_NAME, new_student_ledger
from pypdf import PdfReader
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

pytestmark = [pytest.mark.slow, pytest.mark.browser]


class Person:
    """One user at the browser: signs in, clicks, fills in, and leaves a screenshot of every page."""

    def __init__(self, chrome, server: DemoServer, shots: Path, username: str) -> None:
        self.chrome, self.base, self.shots, self.username = chrome, server.base, shots, username
        for _ in range(2):  # headless Chromium now and then posts a fresh sign-in form with a stale CSRF cookie
            chrome.delete_all_cookies()
            chrome.get(f"{self.base}/login/")
            chrome.find_element(By.NAME, "username").send_keys(username)
            chrome.find_element(By.NAME, "password").send_keys(server.accounts[username])
            self._navigate(chrome.find_element(By.CSS_SELECTOR, "button[type=submit]"))
            if "页面已过期" not in self.text():
                break
        assert username in self.text(), f"{username} did not get in"

    def _navigate(self, element) -> None:
        """Click and wait for the next page (the old one gone, the new one loaded)."""
        old = self.chrome.find_element(By.TAG_NAME, "html")
        element.click()

        def gone(_driver) -> bool:  # Chromium answers a stale node with either of two errors
            try:
                old.is_enabled()
            except WebDriverException:
                return True
            return False

        WebDriverWait(self.chrome, 20).until(gone)
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

    def issue(self, template: str, date: str) -> None:
        """Issue ``template`` from the case page's list of documents, dated ``date``."""
        row = self.chrome.find_element(By.ID, f"offer-{template}")
        field = row.find_element(By.NAME, "date")
        self.chrome.execute_script("arguments[0].value = arguments[1]", field, date)
        self._navigate(row.find_element(By.CSS_SELECTOR, "button"))
        confirm = self.chrome.find_elements(By.ID, "confirm-issue")  # the page that shows the number to be taken
        if confirm:  # (none when the date was refused: the case page says why)
            self._navigate(confirm[0])

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
    assert "劝返记录已保存" in clerk.text() and "劝返记录（2 次）" in clerk.text()  # the ledger's one and this
    # the 限期复学通知书: offered to the township, numbered from the county register, recorded, downloaded
    clerk.issue("限期复学通知书", "2022-10-14")
    page = clerk.text()
    assert "已出具限期复学通知书，文号 云政限复〔2022〕" in page
    doc_no = page.split("文号 ", 1)[1].split("，", 1)[0]
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


def _before_the_request(server: DemoServer) -> None:
    """丁志强 (QS-2022-020) as his case stood after the meeting of 2022-11-10, the 远程送教请示 not yet sent —
    put back through the service's door as a command does."""
    script = (
        "import django; django.setup()\n"
        "from docgen.service.county import door\n"
        "from docgen.service.county.models import CaseRecord\n"
        "r = CaseRecord.objects.get(case_id='QS-2022-020')\n"
        "data = dict(r.data, applications=[]); data.pop('remote_teaching')\n"
        "door.save(door.command_actor(r.county), data, where='测试准备')\n")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update(DOCGEN_WORKSPACE=str(server.workspace), DJANGO_SETTINGS_MODULE="docgen.service.settings")
    subprocess.run([sys.executable, "-c", script], check=True, env=env, capture_output=True)


def test_the_step_due_on_ding_zhiqiang_is_offered_to_his_school(demo_server: DemoServer, chrome,
                                                                shots: Path) -> None:
    _before_the_request(demo_server)
    township = Person(chrome, demo_server, shots, "云溪镇")
    page = township.open("/cases/QS-2022-020/")
    assert "学校报送远程送教请示（研判会议之后）" in page and "不能出具：这一步由学校、特殊教育学校办理" in page
    township.shot("09-丁志强-乡镇看到学校的待办")
    school = Person(chrome, demo_server, shots, "云溪镇初级中学")
    page = school.open("/cases/QS-2022-020/")
    assert "逾期" in page and "出具远程送教请示" in page
    school.shot("10-丁志强-学校的待办和可出具的文书")
    chrome.find_element(By.PARTIAL_LINK_TEXT, "出具远程送教请示").click()  # the 待办 links to the document's row
    assert chrome.current_url.endswith("#offer-" + urllib.parse.quote("远程送教请示"))
    school.issue("远程送教请示", "2022-11-09")
    assert "未出具" in school.text() and "早于程序允许的 2022-11-10" in school.text()
    school.shot("11-丁志强-日期早于研判会议被拒")
    school.issue("远程送教请示", "2022-11-11")
    assert "已出具远程送教请示" in school.text() and "成文日期 2022-11-11" in school.text()
    owed = chrome.find_element(By.ID, "due").find_element(By.XPATH, "following-sibling::div[1]").text
    assert "本系统已出具远程送教请示（云中请〔2022〕1号，2022-11-11）" in owed  # the step itself is still to record
    school.shot("12-丁志强-已出具远程送教请示")
    # the case printed: no menu, no forms — the record itself
    printed = base64.b64decode(chrome.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})["data"])
    (shots / "13-丁志强-打印.pdf").write_bytes(printed)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(printed)).pages)
    assert "丁志强" in text and "劝返记录" in text and "修改历史" in text
    assert "文号登记簿" not in text and "出具并编文号" not in text and "退出" not in text
    assert "修改或撤回" not in text and "已出具远程送教请示" not in text and "点此展开" not in text
    assert "E063" in text  # the 63 pieces of evidence, folded on the screen, are on paper


def test_a_school_is_refused_another_schools_case(demo_server: DemoServer, chrome, shots: Path) -> None:
    school = Person(chrome, demo_server, shots, "桐林乡中心小学")
    page = school.open("/cases/QS-2022-001/")  # 云溪镇初级中学's student
    assert "找不到这个页面" in page and "林嘉豪" not in page
    school.shot("08-学校打开别校案卷")
    school.open("/cases/")
    school.fill("q", "林嘉豪")  # a search is posted: the words stay out of the address and the access log
    school.press("form.filters button")
    assert "林嘉豪" not in school.text() and "没有符合条件的案卷" in school.text()
    assert "林嘉豪" not in urllib.parse.unquote(chrome.current_url)


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
    chrome.find_element(By.NAME, "new_unit").click()  # not in the list: made only when asked
    bureau.press("form.form button.primary")
    page = bureau.text()
    assert "账号 周老师（云溪镇石桥小学）的密码" in page and "云溪镇石桥小学" in page.split("本县的单位", 1)[1]
    bureau.shot("12-单位和账号")


def _wait_for_job(person: Person, timeout: float = 180) -> str:
    """On a job's page: wait until the job has ended (the page reloads itself then), return the page's text."""
    WebDriverWait(person.chrome, timeout, poll_frequency=0.5, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.find_element(By.ID, "job-status").text in ("已完成", "失败", "已取消")
        and not d.find_elements(By.CSS_SELECTOR, "script[src*='job.js']"))
    return person.text()


def test_a_clerk_runs_a_batch_and_downloads_it_and_an_auditor_compares_two_audits(
        demo_server: DemoServer, chrome, shots: Path, tmp_path: Path) -> None:
    clerk = Person(chrome, demo_server, shots, "桐林乡")
    clerk.click("后台任务")
    clerk.fill("template", "限期复学通知书")
    clerk.fill("date", "2022-10-14")
    chrome.find_element(By.NAME, "pdf").click()
    clerk.shot("08-后台任务-发起批量出具")
    clerk.press("form input[value=render] ~ button.primary")
    assert "沿用原文号" in chrome.find_element(By.ID, "batch-plan").text  # what it will do, before it does
    clerk.shot("08b-后台任务-确认批量出具")
    clerk.press("#confirm-batch")
    # The job's page follows the job without reloading: an observer left on this page (it would not survive a
    # reload) notes in the tab's session storage each status the page's script writes into it.
    assert chrome.find_element(By.ID, "job-status").text == "排队中"
    chrome.execute_script("""
        sessionStorage.removeItem('seen');
        new MutationObserver(() => sessionStorage.setItem('seen',
            (sessionStorage.getItem('seen') || '') + document.getElementById('job-status').textContent + ';'))
          .observe(document.getElementById('job-status'), {childList: true, characterData: true, subtree: true});""")
    clerk.shot("09-后台任务-进行中")
    page = _wait_for_job(clerk)
    assert chrome.execute_script("return sessionStorage.getItem('seen')"), "the page was not updated in place"
    assert "已完成" in page and "份限期复学通知书（含 PDF 和打印文件）" in page, page
    count = int(page.split("已生成 ", 1)[1].split(" 份", 1)[0])
    clerk.shot("10-后台任务-完成")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    chrome.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    chrome.find_element(By.PARTIAL_LINK_TEXT, "下载结果").click()
    for _ in range(200):
        files = [p for p in downloads.iterdir() if p.suffix == ".zip"]
        if files:
            break
        time.sleep(0.1)
    with zipfile.ZipFile(files[0]) as bundle:
        names = bundle.namelist()
    assert sum(n.startswith("PDF/") for n in names) == count and "打印/限期复学通知书_打印合并.pdf" in names

    auditor = Person(chrome, demo_server, shots, "青石县人民政府教育督导室")
    auditor.click("后台任务")
    auditor.fill("audit-date", "2026-12-01")
    auditor.press("form input[value=audit] ~ button.primary")
    first_id = int(chrome.current_url.rstrip("/").rsplit("/", 1)[1])
    first = _wait_for_job(auditor)
    assert "核查 " in first and "缺漏" in first
    # Between the audits the township records a fifth persuasion for 张梓豪 — without its signed record form.
    clerk = Person(chrome, demo_server, shots, "桐林乡")
    clerk.open("/cases/QS-2022-003/")
    clerk.click("添加劝返记录")
    clerk.fill("date", "2022-10-20")
    clerk.fill("method", "入户劝返")
    clerk.fill("place", "学生家中")
    clerk.fill("participants", "杨国栋 桐林乡人民政府 社事办干事\n马德明 桐林乡初级中学 班主任")
    clerk.fill("content", "再次宣讲义务教育法，了解学生近况")
    clerk.fill("outcome", "未明确表态")
    clerk.press("button.primary")
    assert "劝返记录已保存" in clerk.text()
    auditor = Person(chrome, demo_server, shots, "青石县人民政府教育督导室")
    auditor.click("后台任务")
    auditor.fill("audit-date", "2026-12-01")
    auditor.press("form input[value=audit] ~ button.primary")
    second_id = int(chrome.current_url.rstrip("/").rsplit("/", 1)[1])
    _wait_for_job(auditor)
    auditor.click("核查记录")
    # the menus start on two different audits: the one before the newest, against the newest
    assert Select(chrome.find_element(By.NAME, "before")).first_selected_option.text.startswith(f"#{first_id} ")
    assert Select(chrome.find_element(By.NAME, "after")).first_selected_option.text.startswith(f"#{second_id} ")
    auditor.shot("11-核查记录")
    auditor.press("form.filters button")
    page = auditor.text()
    auditor.shot("12-核查对比")
    assert "已整改：B4-1 劝返记录只有 4 次，要求 5 次以上" in page
    assert "新发现：B4-1 2022-10-20 的劝返没有附劝返记录表" in page
    assert int(chrome.find_element(By.ID, "fixed-count").text) >= 1
    assert int(chrome.find_element(By.ID, "new-count").text) >= 1


def test_the_bureau_makes_the_terms_ledgers_and_enrolment_notices_from_the_roster(
        demo_server: DemoServer, chrome, shots: Path) -> None:
    bureau = Person(chrome, demo_server, shots, "青石县教育局")
    bureau.click("适龄儿童")
    page = bureau.text()
    assert "正在使用：2022—2023 学年" in page and "导入台账（县教育局）" in page
    bureau.fill("roster-date", "2022-09-01")
    bureau.shot("14-适龄儿童-县教育局")
    bureau.press("#start-roster")
    done = _wait_for_job(bureau)
    assert "已完成" in done and "份入学通知书" in done, done
    bureau.shot("15-适龄儿童-生成完成")
    school = Person(chrome, demo_server, shots, "云溪镇初级中学")
    school.click("适龄儿童")
    page = school.text()
    assert "本单位统计范围内" in page and "导入台账" not in page
    assert "入学通知书" not in page.split("生成就读台账", 1)[1]  # the bureau's documents, not the school's
