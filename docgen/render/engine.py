"""Rendering one template for many cases: compile once, then per document only the body is rendered.

docxtpl does, for every document: load the package, serialise the body, patch the tags
(``patch_xml``), compile the whole XML as a Jinja template, render it, resolve line breaks, re-parse
the tables, and save every part. Only the Jinja render and the body depend on the case. Here the
template is loaded, patched and compiled once; per document the body is rendered, spliced into the
document part, and the zip is written with every other part's compressed bytes copied. The output's
word/document.xml is the same canonical XML docxtpl produces (tests compare them).

Templates using what this path does not do — pictures, sub-documents, ``{%tc``/rich text, or tags in
headers, footers or properties — are rendered by docxtpl itself (``FallbackTemplate``).
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path
from typing import Any, Protocol

from docxtpl import DocxTemplate
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment

from docgen.errors import TemplateError
from docgen.ooxml.zipwrite import ONCE_LEVEL, Part, deflate, zip_bytes
from docgen.render.sandbox import Sandbox, failure, literal_braces, parse_checked
from docgen.render.structure import block_levels

DOCUMENT = "word/document.xml"
_UNSUPPORTED = (re.compile(r"\{[%#]-?\s*tc\b|\{\{-?\s*r |\{%-?\s*r |w:subDoc|\{\{-?\s*rp "),)
_DRAWING_ID = re.compile(r'(<wp:docPr\b[^>]*?\bid=")[0-9]+(")')
_TAG = re.compile(r"\{[{%#]")
_BODY = re.compile(r"<w:body>.*</w:body>", re.DOTALL)
_TEXT = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>")


def jinja_env() -> SandboxedEnvironment:
    """The environment every template renders in: sandboxed (no Python internals), values escaped.

    An optional fact the case lacks prints as blank; the facts a template cannot do without are
    listed in the registry and checked before anything is rendered.
    """
    return Sandbox()


class Renderer(Protocol):
    name: str
    fast: bool
    case_keys: frozenset[str] | None  # the keys of ``case`` the template reads (None: any)

    def render(self, context: dict[str, Any]) -> bytes: ...


class CompiledTemplate:
    """The fast path: one template, patched and compiled once, rendered per case."""

    fast = True

    def __init__(self, path: Path, env: SandboxedEnvironment | None = None) -> None:
        self.name, self.file = path.stem, path.name
        self.env = env or jinja_env()
        tpl = DocxTemplate(str(path))
        tpl.render_init()
        body = tpl.patch_xml(tpl.get_xml())
        self._resolve_listing = tpl.resolve_listing  # docxtpl's own pass for \n, \t, \a, \f in values
        self._source = source = re.sub(r"<w:p([ >])", r"\n<w:p\1", body)
        self.case_keys = used_keys(parse_checked(self.env, self.file, source), "case")
        # docxtpl renders ``source`` (a line break put before each paragraph) and takes one "\n" before every
        # "<w:p" out of the result: what the template itself has there is kept. Our environment neither trims nor
        # strips blocks and values are escaped, so rendering ``body`` as it is gives the same text without the
        # two passes over it.
        self.template = self.env.from_string(literal_braces(body))
        self._drawings = "<wp:docPr" in body  # a text box (the 版记 of a 公文): numbered as docxtpl numbers them
        with zipfile.ZipFile(path) as package:
            document = package.read(DOCUMENT).decode("utf-8")
            self.parts = [deflate(info.filename, package.read(info), ONCE_LEVEL) if info.filename != DOCUMENT else None
                          for info in package.infolist()]
        match = _BODY.search(document)
        if match is None:
            raise ValueError(f"{path}: word/document.xml has no <w:body>")
        self.prefix, self.suffix = document[: match.start()], document[match.end():]

    def render_body(self, context: dict[str, Any]) -> str:
        """The rendered <w:body> element, as docxtpl would put it into the document (its escaped braces turned into
        braces in the template's text, values as typed)."""
        try:
            xml = self.template.render(context)
        except Exception as exc:  # whatever the template raises (the sandbox's refusals too) is the template's fault
            raise self._failure(context, exc) from exc
        if any(ch in xml for ch in "\n\t\a\f"):
            xml = self._resolve_listing(xml)
        if self._drawings:
            xml = renumber_drawings(xml)
        return xml

    def _failure(self, context: dict[str, Any], exc: Exception) -> TemplateError:
        """The failure named by paragraph: the body has no line per paragraph, the source rendered again has."""
        try:
            self.env.from_string(literal_braces(self._source)).render(context)
        except Exception as again:
            return failure(self.file, self._source, again)
        return failure(self.file, self._source, exc)

    def document_xml(self, body: str) -> bytes:
        return (self.prefix + body + self.suffix).encode("utf-8")

    def package(self, document: bytes) -> bytes:
        parts: list[Part] = [p if p is not None else deflate(DOCUMENT, document) for p in self.parts]
        return zip_bytes(parts)

    def render(self, context: dict[str, Any]) -> bytes:
        return self.package(self.document_xml(self.render_body(context)))


_TITLE_PARAGRAPH = re.compile(r'<w:p\b[^>]*>(?:(?!</w:p>).)*?<w:pStyle w:val="Title"/>(?:(?!</w:p>).)*</w:p>',
                              re.DOTALL)


def document_title(package: bytes) -> str:
    """A rendered document's own title: the text of its first paragraph in the style "Title" (标题), "" when it
    has none (a county's own template may not mark it)."""
    with zipfile.ZipFile(io.BytesIO(package)) as docx:
        xml = docx.read(DOCUMENT).decode("utf-8")
    found = _TITLE_PARAGRAPH.search(xml)
    return html.unescape("".join(_TEXT.findall(found.group(0)))) if found else ""


def renumber_drawings(xml: str, first: int = 1001) -> str:
    """Every drawing's id (``wp:docPr``) numbered from ``first`` in document order, as docxtpl renumbers them: ids
    must be unique within a document, also where a loop repeats one."""
    ids = iter(range(first, first + xml.count("<wp:docPr")))
    return _DRAWING_ID.sub(lambda m: f"{m.group(1)}{next(ids)}{m.group(2)}", xml)


class _Whole(Exception):
    pass


def used_keys(tree: nodes.Node, name: str) -> frozenset[str] | None:
    """The keys a template reads directly below variable ``name`` (``case.student`` → ``student``), or None when
    it uses the variable in another way (passes it on, loops over it): then every key counts."""
    keys: set[str] = set()

    def walk(node: nodes.Node, parent: nodes.Node | None) -> None:
        if isinstance(node, nodes.Name) and node.name == name and node.ctx == "load":
            if isinstance(parent, nodes.Getattr) and parent.node is node:
                keys.add(parent.attr)
            elif isinstance(parent, nodes.Getitem) and parent.node is node and isinstance(parent.arg, nodes.Const) \
                    and isinstance(parent.arg.value, str):
                keys.add(parent.arg.value)
            else:
                raise _Whole
        for child in node.iter_child_nodes():
            walk(child, node)

    try:
        walk(tree, None)
    except _Whole:
        return None
    return frozenset(keys)


class FallbackTemplate:
    """docxtpl's full path, for templates the compiled path does not support."""

    fast = False
    case_keys = None

    def __init__(self, path: Path, env: SandboxedEnvironment | None = None) -> None:
        self.name = path.stem
        self.path = path
        self.env = env or jinja_env()

    def render(self, context: dict[str, Any]) -> bytes:
        tpl = _Docx(str(self.path))
        tpl.template_name = self.path.name
        try:
            tpl.render(context, jinja_env=self.env, autoescape=True)
        except TemplateError:
            raise
        except Exception as exc:  # outside a part's XML (document properties): no paragraph to name
            raise failure(self.path.name, "", exc) from exc
        out = io.BytesIO()
        tpl.save(out)
        return out.getvalue()


class _Docx(DocxTemplate):
    """docxtpl, with its escaped braces turned into braces in the template's text only (docxtpl turns them back in
    the whole result, values included) and a failure named by template, part and paragraph."""

    template_name = ""

    def render_xml_part(self, src_xml: str, part: Any, context: dict[str, Any], jinja_env: Any = None) -> str:
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", src_xml)
        self.current_rendering_part = part
        try:
            xml = jinja_env.from_string(literal_braces(source)).render(context)
        except Exception as exc:
            raise failure(self.template_name, source, exc, str(part.partname).lstrip("/")) from exc
        return self.resolve_listing(re.sub(r"\n<w:p([ >])", r"<w:p\1", xml))


# docxtpl joins a tag that Word split over several runs before it looks for tags: first the braces
# themselves ("{" in one run, "{ doc.no }}" in the next), then everything inside a tag. The decision
# below is taken on text joined the same way, so a split tag is seen wherever docxtpl would see it.
_SPLIT_BRACES = re.compile(r"(?<={)(<[^>]*>)+(?=[\{%\#])|(?<=[%\}\#])(<[^>]*>)+(?=\})", re.DOTALL)
_INSIDE_TAG = re.compile(r"{%(?:(?!%}).)*|{#(?:(?!#}).)*|{{(?:(?!}}).)*", re.DOTALL)
_RUN_BREAK = re.compile(r"</w:t>.*?(<w:t>|<w:t [^>]*>)", re.DOTALL)


def joined_tags(xml: str) -> str:
    """``xml`` with the runs inside every Jinja tag joined, as docxtpl does before rendering."""
    xml = _SPLIT_BRACES.sub("", xml)
    return _INSIDE_TAG.sub(lambda m: _RUN_BREAK.sub("", m.group(0)), xml)


def needs_fallback(path: Path) -> str | None:
    """Why the compiled path cannot render this template, or None when it can."""
    with zipfile.ZipFile(path) as package:
        for info in package.infolist():
            if not info.filename.endswith(".xml"):
                if info.filename.startswith("word/media/"):
                    return "含图片"
                continue
            text = joined_tags(package.read(info).decode("utf-8", errors="replace"))
            if info.filename == DOCUMENT:
                if any(p.search(text) for p in _UNSUPPORTED):
                    return "含图片、子文档或表格列循环等"
            elif _TAG.search(text):
                return f"{info.filename} 中有模板标记"
    return None


def patched_body(path: Path) -> str:
    """The body as it is compiled (docxtpl's patching), one paragraph per line."""
    tpl = DocxTemplate(str(path))
    tpl.render_init()
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(tpl.get_xml()))


def patched_parts(path: Path) -> dict[str, str]:
    """The parts other than the body that hold tags, patched as docxtpl patches them, one paragraph per line."""
    tpl = DocxTemplate(str(path))
    parts = {}
    with zipfile.ZipFile(path) as package:
        for info in package.infolist():
            if info.filename != DOCUMENT and info.filename.endswith(".xml"):
                text = joined_tags(package.read(info).decode("utf-8", errors="replace"))
                if _TAG.search(text):
                    parts[info.filename] = re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(text))
    return parts


def load_renderer(path: Path, env: SandboxedEnvironment | None = None) -> Renderer:
    """The renderer for a template; TemplateError (exit 2) when the template would make broken documents or
    reaches for Python's internals (named by template and paragraph)."""
    body = patched_body(path)
    crossing = block_levels(body)
    if crossing:
        n, message = crossing[0]
        paragraphs = body.split("\n")
        text = "".join(_TEXT.findall(paragraphs[n])) if n < len(paragraphs) else ""
        raise TemplateError(f"模板 {path.name}: 第 {n} 段（{text[:30]}）：{message}")
    env = env or jinja_env()
    parse_checked(env, path.name, body)
    if not needs_fallback(path):
        return CompiledTemplate(path, env)
    for part, source in patched_parts(path).items():
        parse_checked(env, path.name, source, part)
    return FallbackTemplate(path, env)
