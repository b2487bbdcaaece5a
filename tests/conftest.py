"""Shared fixtures: a fixed 'today', the fixture folders and the demo county built once per session."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from docgen.demo.county import ADOPTED, COUNTY, HEARING_FINE, UNITS
from docgen.workspace import init_workspace

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = dt.date(2026, 11, 23)
DOCGEN = str(Path(sys.executable).with_name("docgen"))


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo county as ``docgen demo`` writes it (cases, ledger, evidence, planted gaps)."""
    from docgen.demo import build_demo

    out = tmp_path_factory.mktemp("demo") / "county"
    build_demo(out)
    return out


def edited_docx(source: Path, target: Path, edits: list[tuple[str, str]], part: str = "word/document.xml") -> Path:
    """A copy of a .docx with text replacements in one part (each replacement must apply)."""
    import zipfile

    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == part:
                text = data.decode("utf-8")
                for old, new in edits:
                    assert old in text, old
                    text = text.replace(old, new, 1)
                data = text.encode("utf-8")
            dst.writestr(info, data)
    return target


# XML bombs for Excel files: entities that expand a billion times, or read a file of the machine.
LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol0 "lol">' + "".join(
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)) + "]>")
XXE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def hostile_copy(source: Path, target: Path, part: str, doctype: str, entity: str, before: str = "") -> Path:
    """A copy of an .xlsx whose ``part`` declares ``doctype`` and uses ``entity`` in its first cell or sheet name."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == part:
                text = re.sub(r"^(<\?xml[^>]*\?>)?", lambda m: (m.group(0) or "") + before + doctype,
                              data.decode(), count=1)
                if part.endswith("workbook.xml"):
                    text = re.sub(r'(<sheet [^>]*name=")', r"\g<1>" + entity, text, count=1)
                else:
                    text = re.sub(r'<c r="A2"[^>]*>.*?</c>',
                                  f'<c r="A2" t="inlineStr"><is><t>{entity}</t></is></c>', text, count=1)
                data = text.encode()
            dst.writestr(info, data)
    return target


@pytest.fixture(autouse=True, scope="session")
def _quick_password_hashes() -> Iterator[None]:
    """Passwords hashed with a cheap hasher inside the test process, as Django advises for tests (the demo's eight
    accounts cost 3 s per test otherwise); the servers the tests start hash as deployed."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """File-check results go to a folder of the test run, not the user's cache."""
    import os

    os.environ["DOCGEN_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(autouse=True, scope="session")
def _converters(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The test run's own PDF converters (ports and profiles of its own, shared with the servers it starts),
    stopped when the run ends."""
    from docgen.convert import pool

    os.environ["DOCGEN_CONVERTER_DIR"] = str(tmp_path_factory.mktemp("converters"))
    os.environ["DOCGEN_CONVERTER_PORT"] = str(free_port() // 4 * 4)
    yield
    pool.stop_all()


@pytest.fixture(autouse=True)
def workspace(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test numbers documents in a fresh county workspace of its own (``$DOCGEN_WORKSPACE``);
    a test about having none removes the variable."""
    from docgen.workspace import ENV_VAR, init_workspace

    root = tmp_path_factory.mktemp("workspace")
    init_workspace(root, "青石县")
    monkeypatch.setenv(ENV_VAR, str(root))
    from django.conf import settings

    if settings.configured:  # the service's file store, in the test's workspace (never the checkout)
        monkeypatch.setattr(settings, "EVIDENCE_STORE", root / "evidence-store")
        monkeypatch.setattr(settings, "JOB_STORE", root / "jobs")
        monkeypatch.setattr(settings, "LEDGER_STAGING", root / "ledger-staging")
        monkeypatch.setattr(settings, "LOG_DIR", root / "logs")
    return root


@pytest.fixture(scope="session")
def chrome():
    """Debian's chromium, headless, driven through Debian's chromium-driver (no browser downloads)."""
    import shutil

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary = shutil.which("chromium")
    driver_path = shutil.which("chromedriver")
    assert binary and driver_path, "chromium and chromium-driver (Debian) are installed by scripts/setup.sh"
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def sign_in(client, username: str, password: str):
    """Sign in to the service as a person does: a POST to the sign-in page (django-axes needs the request, so the
    test client's login() is not used)."""
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, f"{username} could not sign in: {response.status_code}"
    return client


def client_of(accounts: dict[str, str], username: str):
    """A test client signed in as ``username`` of ``accounts`` (see the ``accounts`` fixture)."""
    from django.test import Client

    return sign_in(Client(), username, accounts[username])


@pytest.fixture()
def accounts(db) -> dict[str, str]:
    """The demo county loaded into the test's database: each account's username → its fresh password."""
    from docgen.service.county.demo import load_demo

    return {a.username: a.password for a in load_demo()}


@pytest.fixture()
def in_process_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Jobs run in this process inside the test's transaction, which holds SQLite's write lock: a heartbeat from
    another connection would wait for it, so none is sent (real workers beat, see test_workers.py)."""
    from docgen.service.county.jobs import runner

    monkeypatch.setattr(runner, "HEARTBEAT_SECONDS", 3600)


# ---- the county service under a real server -------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class DemoServer:
    base: str
    accounts: dict[str, str]
    workspace: Path
    process: subprocess.Popen


def served_accounts(server: subprocess.Popen) -> dict[str, str]:
    """The demo accounts ``docgen serve --demo`` prints, read from its output as it starts."""
    accounts = {}
    for line in server.stdout:
        found = re.match(r"\s+\S+\s+(\S+)\s+密码 (\S+)$", line)
        if found:
            accounts[found[1]] = found[2]
        if "桐林乡初级中学" in accounts:
            break
    return accounts


def wait_until_serving(base: str) -> None:
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"{base}/login/", timeout=2):
                return
        except OSError:
            time.sleep(0.2)


@contextmanager
def serving_demo(folder: Path, env: dict[str, str] | None = None) -> Iterator[DemoServer]:
    """``docgen serve --demo`` under gunicorn in a workspace of its own (``env``: more of its environment)."""
    workspace = folder / "青石县"
    # the demo county's own settings (its units' signers and phones), as ``docgen demo`` writes them
    init_workspace(workspace, COUNTY, None, {"units": UNITS, "penalty": {"hearing_fine": HEARING_FINE},
                                             "adopted_documents": ADOPTED})
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    environment.update(DOCGEN_WORKSPACE=str(workspace), **(env or {}))
    server = subprocess.Popen([DOCGEN, "serve", "--demo", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=environment,
                              start_new_session=True)
    try:
        accounts = served_accounts(server)
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(base)
        yield DemoServer(base, accounts, workspace, server)
    finally:
        os.killpg(server.pid, signal.SIGINT)  # gunicorn: quick shutdown
        server.wait(timeout=30)
        server.stdout.close()


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """``docgen serve --demo`` under gunicorn in a workspace of its own; the accounts as it prints them."""
    with serving_demo(tmp_path_factory.mktemp("served")) as server:
        yield server
