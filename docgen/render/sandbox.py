"""The sandbox templates render in, and how a template that reaches out of it, or fails, is named.

Templates are Word files a county edits. A tag such as ``{{ cycler.__init__.__globals__ }}`` reaches for
Python's internals: Jinja's sandbox refuses it while rendering, or prints nothing. Here such a reference is
refused before anything is rendered, and whatever a template raises while rendering is a
:class:`~docgen.errors.TemplateError` (exit 2) that names the template, the paragraph and its text.

Sources are the template's XML with one paragraph per line (as docxtpl renders it): line 1 holds what
comes before the first paragraph, line n + 1 the n-th paragraph.
"""

from __future__ import annotations

import re
from typing import Any

from jinja2 import ChainableUndefined, nodes
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import (
    UNSAFE_ASYNC_GENERATOR_ATTRIBUTES,
    UNSAFE_COROUTINE_ATTRIBUTES,
    UNSAFE_FUNCTION_ATTRIBUTES,
    UNSAFE_GENERATOR_ATTRIBUTES,
    UNSAFE_METHOD_ATTRIBUTES,
    SandboxedEnvironment,
)

from docgen.errors import TemplateError

UNSAFE_NAMES = frozenset(UNSAFE_FUNCTION_ATTRIBUTES | UNSAFE_METHOD_ATTRIBUTES | UNSAFE_GENERATOR_ATTRIBUTES
                         | UNSAFE_COROUTINE_ATTRIBUTES | UNSAFE_ASYNC_GENERATOR_ATTRIBUTES | {"mro"})
MAX_EXPONENT = 1000  # ``9 ** 99999999`` would keep a core busy for minutes before printing anything
MAX_REPEATED = 100_000  # characters or items ``"a" * n`` may make
_TEXT = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>")
_ESCAPED = re.compile(r"\{_\{|\}_\}|\{_%|%_\}")
_LITERAL = {"{_{": "{{", "}_}": "}}", "{_%": "{%", "%_}": "%}"}


class Sandbox(SandboxedEnvironment):
    """Jinja's sandbox without its demo helpers (``cycler``, ``joiner``, ``lipsum``: no template needs them), with
    powers and repetitions that would take minutes or gigabytes refused."""

    intercepted_binops = frozenset({"**", "*"})

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=ChainableUndefined)
        for name in ("cycler", "joiner", "lipsum"):
            self.globals.pop(name, None)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1 \
                and right > MAX_EXPONENT:
            raise SecurityError(f"指数 {right} 过大（至多 {MAX_EXPONENT}）")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(times, int) and len(seq) * times > MAX_REPEATED:
                    raise SecurityError(f"重复后超过 {MAX_REPEATED} 个字符或项")
        return super().call_binop(context, operator, left, right)


def literal_braces(source: str) -> str:
    """docxtpl's escaped braces (``{_{`` … ``%_}``) in a template's own text, written as Jinja expressions that
    print the braces. docxtpl replaces them in the rendered result instead, where a value typed with them would
    change too; this way values come out as typed."""
    return _ESCAPED.sub(lambda m: f"{{{{ {_LITERAL[m.group()]!r} }}}}", source)


def unsafe_references(tree: nodes.Node) -> list[tuple[int, str]]:
    """(line, name) of every attribute or key the template names that only Python's internals have
    (``__class__``, ``__globals__``, ``mro``, ``gi_frame`` …), including through ``|attr("…")`` and ``{% set %}``."""
    found = []
    for node in tree.find_all((nodes.Getattr, nodes.NSRef, nodes.Getitem, nodes.Filter)):
        name: object = None
        if isinstance(node, nodes.Getattr | nodes.NSRef):
            name = node.attr
        elif isinstance(node, nodes.Getitem):
            name = node.arg.value if isinstance(node.arg, nodes.Const) else None
        elif node.name == "attr" and node.args and isinstance(node.args[0], nodes.Const):
            name = node.args[0].value
        if isinstance(name, str) and (name.startswith("_") or name in UNSAFE_NAMES):
            found.append((node.lineno, name))
    return sorted(found, key=lambda found: found[0])


def _error(template: str, source: str, line: int | None, part: str | None, detail: str) -> TemplateError:
    """TemplateError at line ``line`` of ``source``, named as a clerk finds it in Word: 第 n 段（its text）."""
    if line is None:
        return TemplateError(f"模板 {template}: {detail}", detail=detail)
    lines = source.split("\n")
    text = "".join(_TEXT.findall(lines[line - 1])) if 0 < line <= len(lines) else ""
    paragraph = max(1, line - 1)
    where = f"第 {paragraph} 段（{text[:30]}）"
    where = where if part in (None, "word/document.xml") else f"{part} {where}"
    return TemplateError(f"模板 {template}: {where}：{detail}", paragraph=paragraph, text=text, detail=detail)


def _template_line(exc: BaseException) -> int | None:
    """The template line being rendered when ``exc`` was raised: Jinja puts template frames into tracebacks."""
    line, tb = None, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line if line is not None else getattr(exc, "lineno", None)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TemplateSyntaxError):
        return f"模板语法错误：{exc.message}"
    if isinstance(exc, SecurityError):
        return f"模板取用了不允许的内容，已拒绝（{exc}）"
    if isinstance(exc, UndefinedError):
        return f"模板取用了不存在的内容（{exc}）"
    return f"生成时出错（{type(exc).__name__}: {exc}）"


def failure(template: str, source: str, exc: BaseException, part: str | None = None) -> TemplateError:
    """``exc``, raised while parsing or rendering ``source``, as a TemplateError naming template and paragraph."""
    return _error(template, source, _template_line(exc), part, _reason(exc))


def parse_checked(env: SandboxedEnvironment, template: str, source: str, part: str | None = None) -> nodes.Template:
    """``source`` parsed; TemplateError for a syntax error or a reference to Python's internals."""
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as exc:
        raise failure(template, source, exc, part) from exc
    unsafe = unsafe_references(tree)
    if unsafe:
        line = unsafe[0][0]
        names = [name for at, name in unsafe if at == line]
        raise _error(template, source, line, part, unsafe_message(source, line, names))
    return tree


def unsafe_message(source: str, line: int, names: list[str]) -> str:
    """The refusal of ``names`` on ``line``, named in the order they are written."""
    text = source.split("\n")[line - 1] if 0 < line <= source.count("\n") + 1 else ""
    ordered = sorted(dict.fromkeys(names), key=lambda name: (text.find(name) % (len(text) + 1), name))
    shown = "、".join(f"“{name}”" for name in ordered)
    return f"取用了程序内部的{shown}，模板只能取案卷内容（case.…、record.…、child.…、doc.…），已拒绝"
