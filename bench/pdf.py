"""Benchmark: N 限期复学通知书 to PDF, in one process, interleaved rounds.

  baseline — one soffice run for the whole batch (what `render --pdf` did: LibreOffice started for each batch);
  pool     — the machine's persistent converters (docgen/convert/pool.py), one per core, already running,
             one document at a time;
  runs     — the same converters, documents merged in runs of 50, converted once and cut apart at bookmarks
             (what `render --pdf` and the service do: docgen/convert/pdf.py convert_documents).
Prints seconds per notice (median of the rounds), the ratio, and the converters' peak memory.
Usage: .venv/bin/python bench/pdf.py [n=200] [rounds=3]
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from docgen.cases import load_data
from docgen.demo import demo_cases
from docgen.render import load_registry, pool
from docgen.render.batch import render_documents


def notices(n: int) -> list[bytes]:
    spec = load_registry().get("限期复学通知书")
    cases = load_data([("demo", demo_cases()[0])]).checked()
    made = [d for _, d in render_documents(spec, cases, on=dt.date(2022, 10, 14), allocator=None)]
    return [made[i % len(made)] for i in range(n)]


def batch(folder: Path, documents: list[bytes]) -> list[str]:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    names = [f"n{i:05d}.docx" for i in range(len(documents))]
    for name, data in zip(names, documents, strict=True):
        (folder / name).write_bytes(data)
    return names


def timed(folder: Path, names: list[str], how: str) -> float:
    from docgen.convert.pdf import convert_documents, convert_to_pdf

    os.environ["DOCGEN_CONVERTER_POOL"] = "0" if how == "baseline" else "1"
    start = time.perf_counter()
    (convert_documents if how == "runs" else convert_to_pdf)(folder, names)
    elapsed = time.perf_counter() - start
    assert all((folder / (Path(n).stem + ".pdf")).is_file() for n in names)
    return elapsed / len(names)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    if not pool.available():
        sys.exit("没有可用的转换服务（先运行 scripts/setup.sh，它建立 .venv-uno）")
    documents = notices(n)
    peak = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "batch"
        timed(folder, batch(folder, documents[:4]), "pool")  # start the converters: the pool is kept running
        results: dict[str, list[float]] = {"baseline": [], "pool": [], "runs": []}
        for _ in range(rounds):
            for name in results:
                results[name].append(timed(folder, batch(folder, documents), name))
                peak = max(peak, *(pool.Slot(i).memory_mb() for i in range(pool.size())))
    base, fast = statistics.median(results["baseline"]), statistics.median(results["pool"])
    runs = statistics.median(results["runs"])
    print(f"{n} 份限期复学通知书转 PDF，{rounds} 轮交替，{pool.size()} 个转换进程：")
    print(f"  每次启动 soffice 转整批：{base:.3f} 秒/份")
    print(f"  常驻转换进程，逐份：    {fast:.3f} 秒/份（{base / fast:.2f} 倍）")
    print(f"  常驻转换进程，每 50 份合并转换后切分：{runs:.3f} 秒/份（{base / runs:.2f} 倍）")
    print(f"  转换进程内存峰值：      {peak:.0f} MB（上限 {pool.MEMORY_LIMIT_MB} MB）")
    pool.stop_all()


if __name__ == "__main__":
    main()
