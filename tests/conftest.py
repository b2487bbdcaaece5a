"""Shared fixtures: a fixed 'today', the fixture folders and the demo county built once per session."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = dt.date(2026, 11, 23)


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


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """File-check results go to a folder of the test run, not the user's cache."""
    import os

    os.environ["DOCGEN_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(autouse=True)
def workspace(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test numbers documents in a fresh county workspace of its own (``$DOCGEN_WORKSPACE``);
    a test about having none removes the variable."""
    from docgen.workspace import ENV_VAR, init_workspace

    root = tmp_path_factory.mktemp("workspace")
    init_workspace(root, "青石县")
    monkeypatch.setenv(ENV_VAR, str(root))
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
