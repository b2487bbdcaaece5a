"""Benchmark: the county service under 50 simulated users, on the embedded default (SQLite in the workspace).

The demo county scaled ×20 (480 cases, each copy a valid case of its own saved through the same checks as any
other) is served by ``docgen serve`` (gunicorn, as the README starts it). Fifty users sign in — the bureau,
the auditor, townships and schools, each seeing only its own cases — and browse as people do: the case list
(sometimes filtered or searched), a case page, back to the list, with a pause to read between clicks. Every
request's latency is kept; p50/p95/p99, throughput and errors are printed, and beside them the same pages
fetched by one user alone in the same run (the baseline), as ratios. The dashboard, which re-checks every
visible case, is timed on its own.

Usage: .venv/bin/python bench/service.py [users=50] [seconds=60] [scale=20] [workers=4]
"""

from __future__ import annotations

import http.cookiejar
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

THINK = (0.5, 1.5)  # seconds a person spends reading a page before the next click


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(workspace: Path, scale: int) -> dict[str, str]:
    """The demo county in the workspace's database, every case copied ``scale - 1`` more times; the accounts."""
    from docgen.workspace import init_workspace, load_workspace

    init_workspace(workspace, "青石县")
    from docgen.service.setup import prepare

    accounts = {a.username: a.password for a in prepare(load_workspace(workspace), demo=True)}
    from docgen.service.county.demo import add_copies

    add_copies(scale)
    return accounts


class User:
    def __init__(self, base: str, username: str, password: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = self.opener.open(f"{base}/login/", timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        form = urllib.parse.urlencode({"username": username, "password": password,
                                       "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(f"{base}/login/", data=form, headers={"Referer": f"{base}/login/"})
        self.opener.open(request, timeout=30).read()

    def get(self, path: str) -> tuple[float, bool, str]:
        start = time.perf_counter()
        try:
            with self.opener.open(f"{self.base}{path}", timeout=30) as response:
                body = response.read().decode()
                ok = response.status == 200 and "/login/" not in response.url
        except (urllib.error.URLError, OSError):
            body, ok = "", False
        return time.perf_counter() - start, ok, body


def browse(user: User, until: float, seed: int, out: list[tuple[str, float, bool]]) -> None:
    rng = random.Random(seed)
    while time.perf_counter() < until:
        query = rng.choice(["", "", "?page=2", "?category=B4-1", "?step=order", "?q=" + urllib.parse.quote("林")])
        seconds, ok, body = user.get(f"/cases/{query}")
        out.append(("list", seconds, ok))
        cases = re.findall(r'href="/cases/([^/"]+)/"', body)
        time.sleep(rng.uniform(*THINK))
        if cases and time.perf_counter() < until:
            seconds, ok, _ = user.get(f"/cases/{rng.choice(cases)}/")
            out.append(("case", seconds, ok))
            time.sleep(rng.uniform(*THINK))


def pct(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def main() -> None:
    users, seconds, scale, workers = ([int(a) for a in sys.argv[1:5]] + [50, 60, 20, 4][len(sys.argv[1:5]):])
    workspace = Path(tempfile.mkdtemp(prefix="bench-service-")) / "青石县"
    os.environ["DOCGEN_WORKSPACE"] = str(workspace)
    started = time.perf_counter()
    accounts = build(workspace, scale)
    from docgen.service.county.models import CaseRecord

    took = time.perf_counter() - started
    print(f"示例县 ×{scale}：{CaseRecord.objects.count()} 个案卷（逐个校验后保存，{took:.0f} 秒）")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    docgen = str(Path(sys.executable).with_name("docgen"))
    server = subprocess.Popen([docgen, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/login/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        names = sorted(accounts)
        # Baseline: the same pages for one user alone (warm), in this run.
        alone = User(base, "青石县教育局", accounts["青石县教育局"])
        alone.get("/cases/")
        ids = list(CaseRecord.objects.values_list("case_id", flat=True))
        base_list = [alone.get("/cases/")[0] for _ in range(10)]
        base_case = [alone.get(f"/cases/{random.choice(ids)}/")[0] for _ in range(20)]
        dashboard = [alone.get("/")[0] for _ in range(3)]
        people = [User(base, names[i % len(names)], accounts[names[i % len(names)]]) for i in range(users)]
        results: list[list[tuple[str, float, bool]]] = [[] for _ in people]
        until = time.perf_counter() + seconds
        threads = [threading.Thread(target=browse, args=(p, until, i, results[i])) for i, p in enumerate(people)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=60)
    flat = [r for rs in results for r in rs]
    errors = sum(1 for r in flat if not r[2])
    print(f"{users} 个用户同时浏览 {seconds} 秒（gunicorn {workers} 个进程，SQLite）：{len(flat)} 次请求，"
          f"{len(flat) / seconds:.1f} 次/秒，错误 {errors} 次")
    print(f"{'页面':<8}{'次数':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'单人 p50 ms':>13}{'p95/单人':>10}")
    for kind, label, alone_times in (("list", "案卷列表", base_list), ("case", "案卷页", base_case)):
        times = [r[1] for r in flat if r[0] == kind]
        single = statistics.median(alone_times)
        print(f"{label:<8}{len(times):>6}{pct(times, 50) * 1000:>9.0f}{pct(times, 95) * 1000:>9.0f}"
              f"{pct(times, 99) * 1000:>9.0f}{single * 1000:>13.0f}{pct(times, 95) / single:>10.1f}")
    every = [r[1] for r in flat]
    print(f"全部请求 p95 {pct(every, 95) * 1000:.0f} ms（目标 <300 ms），错误 {errors} 次（目标 0）")
    board = statistics.median(dashboard) * 1000
    print(f"工作台（县教育局，{CaseRecord.objects.count()} 个案卷，单人）：{board:.0f} ms")


if __name__ == "__main__":
    main()
