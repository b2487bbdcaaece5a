"""Jobs run by real worker processes: the database worker that ``docgen serve`` starts beside gunicorn (a batch,
an archive, an audit, end to end), and RQ workers on a real redis-server taking a 200-notice batch with PDFs
while one of them is killed with SIGKILL part-way (the batch still completes: 200 documents, no number twice,
none skipped)."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from batch_zip import listed
from conftest import DOCGEN, DemoServer, free_port, served_accounts, wait_until_serving
from http_session import Session

pytestmark = [pytest.mark.slow]


def job_id(url: str) -> int:
    return int(re.search(r"/jobs/(\d+)/$", url)[1])


def test_the_database_worker_runs_a_batch_an_archive_and_an_audit(demo_server: DemoServer) -> None:
    township = Session(demo_server.base, "云溪镇", demo_server.accounts["云溪镇"])
    _, url = township.post("/jobs/", {"kind": "render", "template": "限期复学通知书", "date": "2022-10-14",
                                         "confirmed": "1"})
    batch = job_id(url)
    state = township.wait(batch, 120)
    assert state["status"] == "done", state
    with zipfile.ZipFile(io.BytesIO(township.get_bytes(f"/jobs/{batch}/result/"))) as bundle:
        documents = listed(bundle)
        assert documents and all(f"文书/{d['file']}" in bundle.namelist() for d in documents)
    _, url = township.post("/jobs/", {"kind": "archive", "archive-date": "2026-12-01"})
    archive = job_id(url)
    state = township.wait(archive, 300)
    assert state["status"] == "done", state
    assert "校验通过" in state["message"] and "档案包校验：通过" in township.get(f"/jobs/{archive}/")
    with zipfile.ZipFile(io.BytesIO(township.get_bytes(f"/jobs/{archive}/result/"))) as bundle:
        names = bundle.namelist()
    assert any(n.endswith("bagit.txt") for n in names) and any(n.endswith("核查报告.pdf") for n in names)
    auditor = Session(demo_server.base, "青石县人民政府教育督导室", demo_server.accounts["青石县人民政府教育督导室"])
    _, url = auditor.post("/jobs/", {"kind": "audit", "audit-date": "2026-12-01"})
    check = job_id(url)
    state = auditor.wait(check, 300)
    assert state["status"] == "done" and state["message"].startswith("核查 24 份案卷"), state
    with zipfile.ZipFile(io.BytesIO(auditor.get_bytes(f"/jobs/{check}/result/"))) as bundle:
        assert {Path(n).suffix for n in bundle.namelist()} == {".json", ".html", ".pdf", ".xlsx"}
    assert "核查记录" in auditor.get("/audits/") and f"#{check}" in auditor.get("/audits/")


# ---- scale-out: RQ on Redis ------------------------------------------------------------------------------------
def _redis(tmp: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(tmp)], stdout=subprocess.DEVNULL)
    for _ in range(100):
        if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True).stdout.strip() \
                == "PONG":
            break
        time.sleep(0.1)
    return server, f"redis://127.0.0.1:{port}/0"


SEED = """
import sys
from pathlib import Path
from docgen.service.setup import prepare
from docgen.workspace import load_workspace
prepare(load_workspace(Path(sys.argv[1])), demo=True)
from docgen.demo import demo_cases
from docgen.cases import load_data
from docgen.render.batch import select_jobs
from docgen.service.county.door import save_case
from docgen.demo import copy_case
from docgen.service.county.documents import registry_specs
spec = next(s for s in registry_specs() if s.name == "限期复学通知书")


def applies(case):
    return bool(select_jobs(spec, load_data([("x", case)]).cases)[0])


cases = demo_cases()[0]["cases"]
count, k = sum(map(applies, cases)), 1
while count < 200:  # copies of the cases it applies to, until the batch has 200 documents
    for case in cases:
        copy = copy_case(case, k)
        if count < 200 and applies(copy):
            save_case(copy, source="test")
            count += 1
    k += 1
"""


def _ppid(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _child_of(parents: set[int]) -> int:
    """The one process whose parent is one of ``parents`` (an idle RQ worker has no child; a busy one its
    work-horse)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if _ppid(int(stat.parent.name)) in parents:
                children.append(int(stat.parent.name))
        except (OSError, ValueError):  # gone meanwhile
            continue
    assert len(children) == 1, children
    return children[0]


@pytest.mark.skipif(not Path("/usr/bin/redis-server").exists(), reason="redis-server is installed by setup.sh")
def test_rq_workers_finish_a_200_notice_batch_when_one_is_killed(tmp_path: Path) -> None:
    redis, url = _redis(tmp_path)
    workspace = tmp_path / "青石县"
    subprocess.run([DOCGEN, "init", str(workspace), "--county", "青石县"], check=True, capture_output=True)
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(DOCGEN_WORKSPACE=str(workspace), DOCGEN_REDIS_URL=url, DOCGEN_JOB_STALE_SECONDS="8")
    subprocess.run([sys.executable, "-c", SEED, str(workspace)], check=True, env=env)
    port = free_port()
    web = subprocess.Popen([DOCGEN, "serve", "--demo", "--bind", f"127.0.0.1:{port}", "--job-workers", "0"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
                           start_new_session=True)
    workers = [subprocess.Popen([DOCGEN, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True) for _ in range(2)]
    try:
        accounts = served_accounts(web)
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(base)
        bureau = Session(base, "青石县教育局", accounts["青石县教育局"])
        _, page = bureau.post("/jobs/", {"kind": "render", "template": "限期复学通知书", "date": "2022-10-14",
                                         "pdf": "on", "confirmed": "1"})
        job = job_id(page)
        state = bureau.wait(job, 180, until=lambda s: s["phase"].startswith("生成文书") and s["done"] >= 50)
        assert "工作进程" not in state["log"]  # which machine and process is not the clerk's business
        horse = _child_of({w.pid for w in workers})  # the busy worker's work-horse
        worker = _ppid(horse)
        killed = next(w for w in workers if w.pid == worker)
        if os.getpgid(horse) != os.getpgid(worker):  # RQ's work-horse runs in a process group of its own
            os.killpg(horse, signal.SIGKILL)
        os.killpg(worker, signal.SIGKILL)  # the machine is gone: its worker, work-horse and LibreOffice
        killed.wait(timeout=10)
        state = bureau.wait(job, 600)
        assert state["status"] == "done", state
        assert "重新排队" in state["log"] and "上次已完成，沿用" in state["log"]
        data = bureau.get_bytes(f"/jobs/{job}/result/")
        with zipfile.ZipFile(io.BytesIO(data)) as bundle:
            documents = listed(bundle)
            names = set(bundle.namelist())
            assert len(documents) == 200
            for d in documents:
                assert f"文书/{d['file']}" in names and f"PDF/{Path(d['file']).stem}.pdf" in names
                zipfile.ZipFile(io.BytesIO(bundle.read(f"文书/{d['file']}"))).testzip()
        numbers = [d["doc_no"] for d in documents]
        assert len(set(numbers)) == 200  # no number twice
        assert "有漏号" not in bureau.get("/numbers/")  # none skipped: every series of the register is gapless
    finally:
        for p in [web, *workers]:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGINT)
        for p in [web, *workers]:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)
        web.stdout.close()
        redis.terminate()
        redis.wait(timeout=10)
