"""Checking templates before clerks use them: every variable must exist, every tag must be whole.

Each template's body is patched and parsed exactly as rendering will do it; the Jinja syntax tree
is then walked, following ``{% for %}`` loops, and each ``case.…`` / ``record.…`` / ``doc.…``
reference is looked up in the case schema (or the few computed values the context adds).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateSyntaxError, nodes
from lxml import etree

from docgen.cases import Case
from docgen.cases.schema import case_field
from docgen.errors import TemplateError
from docgen.problems import Problem
from docgen.render.context import COMPUTED, DOC_FIELDS
from docgen.render.engine import DOCUMENT, jinja_env, load_renderer, patched_body
from docgen.render.registry import Registry, TemplateSpec, roster_field
from docgen.render.sandbox import unsafe_message, unsafe_references
from docgen.render.structure import block_levels
from docgen.roster.entrants import COMPUTED as ENTRANT_COMPUTED
from docgen.roster.entrants import Entrant

_TEXT = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>")
_PARAGRAPH = re.compile(r"<w:p[ >].*?</w:p>", re.DOTALL)
SAMPLE_DATE = dt.date(2022, 9, 14)  # inside the demo county's school year


TEMPLATE_CHECK, TEMPLATE_REFUSED = "template.check", "template.refused"


def template_problem(template: str, paragraph: int, text: str, message: str, refused: bool = False) -> Problem:
    """A problem with a template, placed at its paragraph (and the paragraph's text); ``refused``: rendering
    refuses the template (broken syntax or structure, Python's internals), not just a field it lacks."""
    where = f"第 {paragraph} 段（{text[:30]}）" if paragraph else ""
    return Problem(template, where, message, id=TEMPLATE_REFUSED if refused else TEMPLATE_CHECK)


def _paragraphs(xml: str) -> list[str]:
    return ["".join(_TEXT.findall(p)) for p in _PARAGRAPH.findall(xml)]


def _split_tags(spec: TemplateSpec, texts: list[str]) -> Iterator[Problem]:
    for n, text in enumerate(texts, 1):
        for opening, closing in (("{{", "}}"), ("{%", "%}")):
            if text.count(opening) != text.count(closing):
                yield template_problem(spec.name, n, text, f"标记 {opening} … {closing} 不完整或跨了段落")


class _Walker:
    """Follows variable references through the template's syntax tree."""

    def __init__(self, spec: TemplateSpec, texts: list[str]) -> None:
        self.spec = spec
        self.texts = texts
        self.problems: list[Problem] = []

    def problem(self, node: nodes.Node, message: str) -> None:
        n = max(1, (node.lineno or 1) - 1)
        self.problems.append(template_problem(self.spec.name, n, self.texts[n - 1] if n <= len(self.texts) else "",
                                             message))

    def chain(self, node: nodes.Node) -> tuple[str, list[str]] | None:
        parts: list[str] = []
        while isinstance(node, nodes.Getattr | nodes.Getitem):
            if isinstance(node, nodes.Getattr):
                parts.append(node.attr)
            elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, int):
                parts.append("[]")
            elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                parts.append(node.arg.value)
            else:
                return None
            node = node.node
        return (node.name, parts[::-1]) if isinstance(node, nodes.Name) else None

    def resolve(self, node: nodes.Node, scope: dict[str, list[str]]) -> list[str] | None:
        """The schema path a reference points at (None when it points at nothing docgen provides)."""
        found = self.chain(node)
        if found is None:
            return None
        root, parts = found
        if root == "loop":
            return []
        if root == "doc":
            if parts and parts[0] not in DOC_FIELDS:
                self.problem(node, f"doc.{parts[0]} 不存在（doc 只有：{'、'.join(DOC_FIELDS)}）")
            return []
        if root == "child" and self.spec.source == "roster":
            if len(parts) != 1 or not (roster_field(parts) or parts[0] in ENTRANT_COMPUTED):
                self.problem(node, f"child.{'.'.join(parts)} 不在适龄儿童少年台账格式中")
            return []
        if root == "case" and self.spec.source != "roster":
            base: list[str] = []
        elif root == "record" and self.spec.per:
            base = [*self.spec.per, "[]"]
        elif root in scope:
            base = scope[root]
        else:
            subject = "child" if self.spec.source == "roster" else "case"
            self.problem(node, f"变量 {root} 不存在（可用：{subject}、doc{'、record' if self.spec.per else ''}）")
            return None
        path = base + parts
        if case_field(path) is None and not self._computed(path):
            shown = ".".join(p for p in [root, *parts] if p != "[]")
            self.problem(node, f"{shown} 不在案卷格式中")
            return None
        return path

    @staticmethod
    def _computed(path: list[str]) -> bool:
        if len(path) < 2:
            return False
        parent, name = path[:-1], path[-1]
        owner = "sessions[]" if parent[-2:-1] == ["sessions"] else ".".join(parent[-2:]).replace(".[]", "[]")
        return (owner, name) in COMPUTED or (parent[-1], name) in COMPUTED

    def visit(self, node: nodes.Node, scope: dict[str, list[str]]) -> None:
        if isinstance(node, nodes.For):
            self.visit(node.iter, scope)
            path = self.resolve(node.iter, scope)
            inner = dict(scope)
            if isinstance(node.target, nodes.Name) and path is not None:
                inner[node.target.name] = [*path, "[]"]
            for child in node.body + node.else_:
                self.visit(child, inner)
            return
        reference = isinstance(node, nodes.Getattr | nodes.Getitem) or (
            isinstance(node, nodes.Name) and node.ctx == "load")
        if reference and self.chain(node) is not None:
            if not (isinstance(node, nodes.Name) and node.name in ("case", "child", "record", "doc", "loop", *scope)):
                self.resolve(node, scope)
            return
        for child in node.iter_child_nodes():
            self.visit(child, scope)


def structure_problems(spec: TemplateSpec, xml: str | None = None) -> list[Problem]:
    """Blocks whose opening and closing tags sit at different levels of the Word XML (see ``structure``)."""
    xml = xml if xml is not None else patched_body(spec.path)
    texts = _paragraphs(xml)
    return [template_problem(spec.name, n, texts[n - 1] if n <= len(texts) else "", message, refused=True)
            for n, message in block_levels(xml)]


@dataclass(frozen=True)
class Samples:
    """What a template is tried on once its tags check out: cases for the templates of cases, entrants for those of
    the roster (the caller's — ``docgen templates check`` gives the demo county's)."""

    cases: Sequence[Case]
    entrants: Sequence[Entrant]


def check_template(spec: TemplateSpec, samples: Samples | None = None) -> list[Problem]:
    """Every problem of one template: its tags, its structure, what it reaches for; then, with ``samples``, one
    document made from the first sample it applies to, every part of it well-formed XML."""
    with zipfile.ZipFile(spec.path) as package:
        raw = package.read(DOCUMENT).decode("utf-8")
    texts = _paragraphs(raw)
    problems = list(_split_tags(spec, texts))
    xml = patched_body(spec.path)
    problems += structure_problems(spec, xml)
    try:
        tree = jinja_env().parse(xml)
    except TemplateSyntaxError as exc:
        n = max(1, (exc.lineno or 1) - 1)
        patched = _paragraphs(xml)
        problems.append(template_problem(spec.name, n, patched[n - 1] if n <= len(patched) else "",
                                        f"模板语法错误：{exc.message}", refused=True))
        return problems
    # Line n of the patched XML is its (n-1)th paragraph: map positions against that, not the raw body.
    patched = _paragraphs(xml)
    unsafe: dict[int, list[str]] = {}
    for line, name in unsafe_references(tree):
        unsafe.setdefault(line, []).append(name)
    for line, names in unsafe.items():
        n = max(1, line - 1)
        problems.append(template_problem(spec.name, n, patched[n - 1] if n <= len(patched) else "",
                                        unsafe_message(xml, line, names), refused=True))
    walker = _Walker(spec, patched)
    walker.visit(tree, {})
    problems += walker.problems
    if problems or samples is None:
        return problems
    return render_problems(spec, samples)


def render_problems(spec: TemplateSpec, samples: Samples) -> list[Problem]:
    """Render the template once for the first sample it applies to and parse every XML part of the result."""
    from docgen.render.batch import assign_doc_info, select_jobs, subject_view
    from docgen.render.context import template_context

    subjects: Sequence[Any] = samples.entrants if spec.source == "roster" else samples.cases
    jobs, _ = select_jobs(spec, subjects)
    if not jobs:
        return []
    job = jobs[0]
    assign_doc_info(spec, [job], SAMPLE_DATE)
    key, view = subject_view(job.case)
    try:
        package = load_renderer(spec.path).render(template_context(view, job.record, list(spec.per), job.doc, key=key))
    except TemplateError as exc:  # named by template and paragraph already
        return [template_problem(spec.name, exc.paragraph, exc.text, f"用示例案卷试生成：{exc.detail}", refused=True)]
    except Exception as exc:  # whatever a clerk's edit makes docxtpl raise, the template is the cause
        return [template_problem(spec.name, 0, "", f"用示例案卷试生成时出错：{type(exc).__name__}: {exc}",
                                refused=True)]
    problems = []
    with zipfile.ZipFile(io.BytesIO(package)) as made:
        for name in made.namelist():
            if name.endswith(".xml") or name.endswith(".rels"):
                try:
                    etree.fromstring(made.read(name))
                except etree.XMLSyntaxError as exc:
                    message = f"用示例案卷试生成的 {name} 不是有效的 XML：{exc}"
                    problems.append(template_problem(spec.name, 0, "", message))
    return problems


def check_registry(registry: Registry, samples: Samples | None = None) -> list[Problem]:
    return [p for spec in registry.templates for p in check_template(spec, samples)]
