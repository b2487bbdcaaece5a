"""Benchmark: 限期复学通知书 through the library, and through `docgen render` end to end, in one run.

Library (N notices, default 1,000; contexts made beforehand):
  baseline — what most code does: a new DocxTemplate per notice, render (autoescape), save to a file;
  docgen   — the compiled template: per notice render the body, write the .docx with the other parts'
             compressed bytes copied; then the same over 2 worker processes.
CLI (--cli M cases, e.g. 100000): a county file of M cases is written (copies of the demo's cases the notice
applies to), then `docgen render` runs on it as a clerk would run it. Its memory: the largest process's peak
(the system's own high-water mark), and the whole process tree sampled every 0.2 s, both as RSS and as PSS
(the workers share the main process's pages from the fork: PSS counts a shared page once). The time to
its first document is when the first .docx appears. Afterwards every document is opened and the register
is checked for gaps. Its rate is printed beside the library's one-process rate measured in the same run.

--crossover SIZE…: only the batch through the library on one process and on two, at each size.

Usage: .venv/bin/python bench/render.py [n=1000] [--cli M] [--keep DIR] | --crossover 100 200 400 800
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from crossover import one_against_two
from docxtpl import DocxTemplate

from docgen.demo import copy_case, demo_cases
from docgen.render import load_registry
from docgen.render.context import DocInfo, readable_case, template_context
from docgen.render.engine import CompiledTemplate, jinja_env

DOCGEN = str(Path(sys.executable).with_name("docgen"))
_compiled: CompiledTemplate | None = None


def _start(path: Path) -> None:
    global _compiled
    _compiled = CompiledTemplate(path)


def _render(context: dict[str, Any]) -> bytes:
    assert _compiled is not None
    return _compiled.render(context)


def library(n: int) -> float:
    """The library's rates; returns docgen's one-process rate (docs/s)."""
    spec = load_registry().get("限期复学通知书")
    cases = [c for c in demo_cases()[0]["cases"] if c["situation"]["category"] in spec.applies_to]
    issued, deadline = dt.date(2022, 9, 14), dt.date(2022, 9, 24)
    doc = DocInfo("云政限复〔2022〕1号", "云溪镇人民政府", "镇", issued, deadline, "青石县教育局")
    contexts = [template_context(readable_case(cases[i % len(cases)]), None, [], doc) for i in range(n)]
    out = Path(tempfile.mkdtemp(prefix="bench-render-"))
    env = jinja_env()

    start = time.perf_counter()
    for i, context in enumerate(contexts):
        tpl = DocxTemplate(str(spec.path))
        tpl.render(context, jinja_env=env, autoescape=True)
        tpl.save(out / f"base-{i}.docx")
    t_base = time.perf_counter() - start

    start = time.perf_counter()
    compiled = CompiledTemplate(spec.path)
    for i, context in enumerate(contexts):
        (out / f"ours-{i}.docx").write_bytes(compiled.render(context))
    t_ours = time.perf_counter() - start

    start = time.perf_counter()
    with ProcessPoolExecutor(2, initializer=_start, initargs=(spec.path,)) as pool:
        for i, data in enumerate(pool.map(_render, contexts, chunksize=64)):
            (out / f"two-{i}.docx").write_bytes(data)
    t_two = time.perf_counter() - start
    shutil.rmtree(out)

    print(f"library — notices: {n} (template {spec.path.name}, {spec.path.stat().st_size} bytes)")
    print(f"  docxtpl loop:          {n / t_base:8.0f} docs/s ({t_base:.2f} s)")
    print(f"  docgen, one process:   {n / t_ours:8.0f} docs/s ({t_ours:.2f} s)  ratio {t_base / t_ours:.1f}x")
    print(f"  docgen, two processes: {n / t_two:8.0f} docs/s ({t_two:.2f} s)  ratio {t_base / t_two:.1f}x")
    return n / t_ours


def county_file(path: Path, m: int) -> None:
    """M cases the notice applies to, each a valid case of its own, written one at a time."""
    spec = load_registry().get("限期复学通知书")
    base = [c for c in demo_cases()[0]["cases"] if c["situation"]["category"] in spec.applies_to]
    with path.open("w", encoding="utf-8") as out:
        out.write('{"schema_version": 1, "cases": [\n')
        for i in range(m):
            case = copy_case(base[i % len(base)], i // len(base) + 1)
            out.write((",\n" if i else "") + json.dumps(case, ensure_ascii=False, indent=2))
        out.write("\n]}\n")


def _tree(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def _memory_kb(pid: int) -> tuple[int, int, int]:
    """A process's peak RSS so far (VmHWM), its RSS now and its PSS now (pages shared with the processes it forked
    from counted in proportion, so that a sum over the tree counts each page once)."""
    peak = rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1])
            elif line.startswith("VmRSS:"):
                rss = int(line.split()[1])
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
    except OSError:
        pass
    return peak, rss, pss


class Sampler(threading.Thread):
    """The process tree's memory, and when the first document shows up in ``watch``'s staging folder."""

    def __init__(self, pid: int, parent: Path) -> None:
        super().__init__(daemon=True)
        self.pid, self.parent = pid, parent
        self.peak_one = self.peak_sum = self.peak_pss = 0
        self.first: float | None = None
        self.started = time.perf_counter()
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.2):
            sizes = [_memory_kb(p) for p in _tree(self.pid)]
            self.peak_one = max(self.peak_one, *(s[0] for s in sizes), 0)
            self.peak_sum = max(self.peak_sum, sum(s[1] for s in sizes))
            self.peak_pss = max(self.peak_pss, sum(s[2] for s in sizes))
            if self.first is None:
                for staging in self.parent.glob(".out.staging-*"):
                    if next(staging.glob("*.docx"), None) is not None:
                        self.first = time.perf_counter() - self.started


def cli(m: int, keep: Path | None, library_rate: float) -> None:
    work = keep or Path(tempfile.mkdtemp(prefix="bench-cli-"))
    work.mkdir(parents=True, exist_ok=True)
    cases = work / f"county-{m}.json"
    if not cases.exists():
        start = time.perf_counter()
        county_file(cases, m)
        print(f"CLI — wrote {cases.name}: {cases.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - start:.0f} s")
    shutil.rmtree(work / "ws", ignore_errors=True)
    shutil.rmtree(work / "out", ignore_errors=True)
    subprocess.run([DOCGEN, "init", str(work / "ws"), "--county", "青石县"], check=True, capture_output=True)
    command = [DOCGEN, "render", str(cases), "-t", "限期复学通知书", "-o", str(work / "out"), "--date", "2022-10-14",
               "--workspace", str(work / "ws"), "-q"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = Sampler(process.pid, work)
    sampler.start()
    _, err = process.communicate()
    elapsed = time.perf_counter() - start
    sampler.stop.set()
    sampler.join()
    # The exact peak of the largest process: the system's own count over every process waited for.
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # a largest child so far: ours if it grew
    largest = max(sampler.peak_one, after if after > before else 0)
    if process.returncode:
        sys.exit(f"docgen render failed ({process.returncode}): {err.strip()[-500:]}")
    manifest = json.loads((work / "out" / "限期复学通知书_清单.json").read_text(encoding="utf-8"))
    documents = manifest["documents"]
    for d in documents:  # every document opens
        with zipfile.ZipFile(work / "out" / d["file"]) as package:
            assert package.testzip() is None and b"<w:body" in package.read("word/document.xml")
    gaps = subprocess.run([DOCGEN, "numbers", "list", "--workspace", str(work / "ws")], capture_output=True, text=True)
    numbers = {d["doc_no"] for d in documents}
    rate = len(documents) / elapsed
    print(f"CLI — docgen render of {m} cases: {len(documents)} documents in {elapsed:.1f} s = {rate:.0f} docs/s "
          f"(ratio to the library's one process: {rate / library_rate:.2f})")
    first = f"{sampler.first:.1f} s" if sampler.first is not None else "not seen"
    print(f"  peak RSS: largest process {largest / 1024:.0f} MB; all processes together "
          f"{sampler.peak_sum / 1024:.0f} MB RSS, {sampler.peak_pss / 1024:.0f} MB PSS (shared pages counted once; "
          "sampled every 0.2 s); "
          f"first document after {first}")
    print(f"  print files: {len(manifest['print_files'])}; every document opens; "
          f"numbers unique: {len(numbers) == len(documents)}; register gapless: {gaps.returncode == 0}")
    if keep is None:
        shutil.rmtree(work)


def crossover(sizes: list[int]) -> None:
    """A batch of each size through `render_files` on one process and on two (forced), medians of 3 interleaved
    rounds: where two processes start to pay is where docgen.render.stream.PARALLEL_FROM should be."""
    from docgen.render import render_files
    from docgen.render import stream as batch_stream

    spec = load_registry().get("限期复学通知书")
    work = Path(tempfile.mkdtemp(prefix="bench-crossover-"))
    on = dt.date(2026, 11, 23)
    print(f"crossover — one process against two (PARALLEL_FROM is {batch_stream.PARALLEL_FROM} cases)")
    try:
        for size in sizes:
            county_file(work / "county.json", size)

            def one_run(workers: int, round_: int, size: int = size) -> None:
                batch_stream.PARALLEL_FROM = 0 if workers == 2 else 10**9
                render_files(spec, [work / "county.json"], work / f"out-{size}-{workers}-{round_}", register=None,
                             on=on, workers=workers)

            one_against_two(size, one_run)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=1000, help="notices for the library figures")
    parser.add_argument("--cli", type=int, default=0, metavar="M", help="cases for `docgen render` end to end")
    parser.add_argument("--keep", type=Path, help="folder for the county file and output (kept, reused)")
    parser.add_argument("--crossover", type=int, nargs="+", metavar="SIZE",
                        help="only compare one process with two at these batch sizes (e.g. 100 200 400 800 1600)")
    args = parser.parse_args()
    if args.crossover:
        crossover(args.crossover)
        return
    rate = library(args.n)
    if args.cli:
        cli(args.cli, args.keep, rate)


if __name__ == "__main__":
    main()
