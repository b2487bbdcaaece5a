"""docgen templates check: clean templates pass, mistakes are named with template and paragraph."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from conftest import edited_docx

from docgen.render import load_registry
from docgen.render.template_check import check_registry, check_template

REGISTRY = load_registry()


def test_shipped_templates_are_clean() -> None:
    assert check_registry(REGISTRY) == []


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
         "第 10 段（{{ p.outcom }}）：p.outcom 不在案卷格式中"),
        ("劝返记录表", [("{{ record.content }}", "{{ record.contents }}")], "record.contents 不在案卷格式中"),
        ("函", [("{{ doc.no }}", "{{ doc.no ")], "标记 {{ … }} 不完整或跨了段落"),
    ],
)
def test_mistakes_are_reported(tmp_path: Path, name: str, edits: list[tuple[str, str]], expected: str) -> None:
    problems = [str(p) for p in check_template(_edited(tmp_path, name, edits))]
    assert any(expected in p for p in problems), problems
    assert all(p.startswith(f"{name}: ") for p in problems)
