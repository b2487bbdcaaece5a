"""``docgen rules``: every rule the audit applies, and which passages of the seeds they check."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click

from docgen.cli import checklists_option, county_spec, handles_errors, main, spec_option

MIN_WIDTH, MAX_WIDTH = 80, 120


def _width() -> int:
    """The terminal's width, kept between 80 and 120 columns (a pipe or a file gets 100)."""
    return min(max(shutil.get_terminal_size((100, 24)).columns, MIN_WIDTH), MAX_WIDTH)


@main.command()
@click.option("--coverage", is_flag=True,
              help="逐句核对表：依据文件中每一段规定义务的原文由哪些规则核查，或为什么不能从案卷核查。")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON 列表（供程序读取）。")
@spec_option
@checklists_option
@handles_errors
def rules(coverage: bool, as_json: bool, spec_dir: Path | None, checklist_dir: Path | None) -> int:
    """列出核查的全部规则（编号、严重程度、种类、要求和依据）；--coverage 列出依据文件逐句核对表。"""
    from docgen.check.catalog import default_coverage, rule_catalog
    from docgen.check.listing import coverage_json, coverage_lines, rule_lines, rules_json

    spec = county_spec(spec_dir, checklist_dir)
    if coverage:
        table = default_coverage(spec)
        data, lines = (coverage_json(table), None) if as_json else (None, coverage_lines(table, _width()))
    else:
        catalog = rule_catalog(spec)
        data, lines = (rules_json(catalog), None) if as_json else (None, rule_lines(catalog, _width()))
    if lines is None:
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return 0
    for line in lines:
        click.echo(line)
    return 0
