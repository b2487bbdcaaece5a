"""Benchmark: 1,000 限期复学通知书 with the plain docxtpl loop and with docgen, in one process.

  baseline — what most code does: a new DocxTemplate per notice, render (autoescape), save to a file;
  docgen   — the compiled template: per notice render the body, write the .docx with the other parts'
             compressed bytes copied; then the same over 2 worker processes.
Both write real files. Prints the rates and the ratios. Usage: .venv/bin/python bench/render.py [n=1000]
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from docxtpl import DocxTemplate

from docgen.demo import demo_cases
from docgen.render import load_registry
from docgen.render.batch import _init_worker, _render_in_worker
from docgen.render.context import DocInfo, readable_case, template_context
from docgen.render.engine import CompiledTemplate, jinja_env


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
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
    with ProcessPoolExecutor(2, initializer=_init_worker, initargs=(spec.path,)) as pool:
        for i, data in enumerate(pool.map(_render_in_worker, contexts, chunksize=64)):
            (out / f"two-{i}.docx").write_bytes(data)
    t_two = time.perf_counter() - start

    print(f"notices: {n} (template {spec.path.name}, {spec.path.stat().st_size} bytes)")
    print(f"docxtpl loop:          {n / t_base:8.0f} docs/s ({t_base:.2f} s)")
    print(f"docgen, one process:   {n / t_ours:8.0f} docs/s ({t_ours:.2f} s)  ratio {t_base / t_ours:.1f}x")
    print(f"docgen, two processes: {n / t_two:8.0f} docs/s ({t_two:.2f} s)  ratio {t_base / t_two:.1f}x")


if __name__ == "__main__":
    main()
