"""docgen templates check: clean templates pass, mistakes are named with template and paragraph."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, edited_docx

from docgen.demo import template_samples
from docgen.render import load_registry
from docgen.render.template_check import check_registry, check_template

REGISTRY = load_registry()


def test_shipped_templates_are_clean() -> None:
    assert check_registry(REGISTRY, template_samples()) == []


def _edited(tmp_path: Path, name: str, edits: list[tuple[str, str]]):
    spec = REGISTRY.get(name)
    return dataclasses.replace(spec, path=edited_docx(spec.path, tmp_path / f"{name}.docx", edits))


@pytest.mark.parametrize(
    ("name", "edits", "expected"),
    [
        ("限期复学通知书", [("{{ case.student.id_number }}", "{{ case.student.id_nmuber }}")],
         "case.student.id_nmuber 不在案卷格式中"),
        ("限期复学通知书", [("{{ doc.deadline }}", "{{ doc.dedline }}")], "doc.dedline 不存在"),
        ("限期复学通知书", [("你的子女", "{{ school }}你的子女")], "变量 school 不存在"),
        ("劝返记录汇总表", [("{{ p.outcome }}", "{{ p.outcom }}")],
         "第 10 段（{{ p.outcom }}） p.outcom 不在案卷格式中"),
        ("劝返记录表", [("{{ record.content }}", "{{ record.contents }}")], "record.contents 不在案卷格式中"),
        ("函", [("{{ doc.no }}", "{{ doc.no ")], "标记 {{ … }} 不完整或跨了段落"),
    ],
)
def test_mistakes_are_reported(tmp_path: Path, name: str, edits: list[tuple[str, str]], expected: str) -> None:
    problems = [str(p) for p in check_template(_edited(tmp_path, name, edits))]
    assert any(expected in p for p in problems), problems
    assert all(p.startswith(f"{name}: ") for p in problems)


def _misplaced_endif(tmp_path: Path) -> Path:
    """A clerk's edit: {% if %} in the title, {% endif %} inside the table's first cell."""
    folder = tmp_path / "templates"
    shutil.copytree(REGISTRY.folder, folder)
    source = REGISTRY.get("劝返记录表").path
    edited_docx(source, folder / source.name, [
        ('<w:t xml:space="preserve">劝返工作记录表</w:t>',
         '<w:t xml:space="preserve">劝返工作记录表{% if case.student.name %}</w:t>'),
        ('<w:t xml:space="preserve">学生姓名</w:t>', '<w:t xml:space="preserve">学生姓名{% endif %}</w:t>'),
    ])
    return folder


def test_a_block_crossing_the_table_is_named_by_templates_check_and_refused_by_render(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from docgen.cli import main

    folder = _misplaced_endif(tmp_path)
    problems = check_registry(load_registry(folder))
    assert [(p.file, p.path.split("（")[0]) for p in problems] == [("劝返记录表", "第 2 段")]
    assert "不在文档的同一层" in problems[0].message
    result = CliRunner().invoke(main, ["templates", "check", "--templates", str(folder)])
    assert result.exit_code == 2 and "劝返记录表: 第 2 段" in result.output  # render refuses it: unusable
    cases = FIXTURES / "cases" / "valid-batch.json"
    result = CliRunner().invoke(main, ["render", str(cases), "-t", "劝返记录表", "-o", str(tmp_path / "out"),
                                       "--templates", str(folder), "--date", "2022-10-01"])
    assert result.exit_code == 2 and "第 2 段" in result.stderr and "不在文档的同一层" in result.stderr
    assert not (tmp_path / "out").exists()


def test_every_shipped_template_renders_a_demo_case_into_well_formed_parts() -> None:
    from docgen.render.template_check import render_problems

    samples = template_samples()
    assert [p for spec in REGISTRY.templates for p in render_problems(spec, samples)] == []
