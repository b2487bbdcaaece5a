"""The compiled renderer writes what docxtpl writes (canonical word/document.xml), only faster."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import edited_docx
from lxml import etree

from docgen.demo import demo_cases
from docgen.errors import TemplateError
from docgen.render import load_registry
from docgen.render.context import DocInfo, readable_case, template_context
from docgen.render.engine import CompiledTemplate, FallbackTemplate, load_renderer, needs_fallback

REGISTRY = load_registry()
CASES = demo_cases()[0]["cases"]
DOC = DocInfo("云政限复〔2022〕3号", "云溪镇人民政府", "镇", dt.date(2022, 9, 14), dt.date(2022, 9, 24), "青石县教育局")


def canonical(package: bytes, part: str = "word/document.xml") -> bytes:
    return etree.tostring(etree.fromstring(zipfile.ZipFile(io.BytesIO(package)).read(part)), method="c14n")


def contexts(spec):
    if spec.source == "roster":
        from docgen.demo.roster import demo_roster
        from docgen.roster.entrants import due_entrants
        from docgen.roster.model import Roster

        data = demo_roster(CASES)
        for entrant in due_entrants(Roster("r", data["county"], data["school_year"], data["children"]))[:4]:
            yield template_context(entrant.view(), None, [], DOC, key="child")
        return
    for case in CASES:
        if case["situation"]["category"] not in spec.applies_to:
            continue
        records = [None] if not spec.per else [r for r in (case.get(spec.per[0], {}) if len(spec.per) == 1 else
                                                              case.get(spec.per[0], {}).get(spec.per[1], [])) or []]
        for record in records[:2]:
            yield template_context(readable_case(case), record, list(spec.per), DOC)


@pytest.mark.parametrize("spec", REGISTRY.templates, ids=lambda s: s.name)
def test_every_template_matches_docxtpl(spec) -> None:
    fast, slow = CompiledTemplate(spec.path), FallbackTemplate(spec.path)
    checked = 0
    for context in list(contexts(spec))[:4]:
        ours, theirs = fast.render(context), slow.render(context)
        for part in ("word/document.xml", "word/footer1.xml"):
            assert canonical(ours, part) == canonical(theirs, part), part
        checked += 1
    assert checked or spec.name == "复学申请表"  # the demo has no resumption; its template is covered below


@pytest.mark.parametrize("spec", [s for s in REGISTRY.templates if s.source != "roster"], ids=lambda s: s.name)
def test_only_the_parts_of_the_case_a_template_reads_are_made_readable(spec) -> None:
    renderer = CompiledTemplate(spec.path)
    assert renderer.case_keys  # our templates read named parts of the case
    for case in [c for c in CASES if c["situation"]["category"] in spec.applies_to][:6]:
        part = readable_case(case, renderer.case_keys)
        assert set(part) == renderer.case_keys & set(case)
        full = template_context(readable_case(case), None, [], DOC)
        assert renderer.render(template_context(part, None, [], DOC)) == renderer.render(full)


def test_a_template_that_passes_the_case_on_reads_all_of_it() -> None:
    from jinja2 import Environment

    from docgen.render.engine import used_keys

    env = Environment()
    assert used_keys(env.parse("{{ case.student.name }}{{ case['situation'].category }}"), "case") == \
        {"student", "situation"}
    assert used_keys(env.parse("{% for k in case %}{{ k }}{% endfor %}"), "case") is None
    assert used_keys(env.parse("{{ case | tojson }}"), "case") is None


def test_special_characters_are_escaped_and_the_file_opens() -> None:
    spec = REGISTRY.get("限期复学通知书")
    case = dict(CASES[0])
    case["student"] = dict(case["student"], name="A&B<实验>\"'学生", school="A&B<实验>学校")
    context = template_context(readable_case(case), None, [], DOC)
    fast = CompiledTemplate(spec.path).render(context)
    assert canonical(fast) == canonical(FallbackTemplate(spec.path).render(context))
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(fast)).paragraphs)
    assert "你的子女A&B<实验>\"'学生（性别男" in text
    assert "到A&B<实验>学校复学" in text


def test_values_are_printed_as_typed_and_only_the_templates_escaped_braces_become_braces(tmp_path: Path) -> None:
    # docxtpl turns its escaped braces ({_{ … %_}) back into braces anywhere in the result, values included; ours
    # turn into braces in the template's text only, on both paths.
    spec = REGISTRY.get("限期复学通知书")
    edited = edited_docx(spec.path, tmp_path / "escaped.docx", [("限期复学通知书<", "限期{_{复学}_}{_%通知书%_}<")])
    case = dict(CASES[0])
    for name in ("甲{_{乙}_}丙{_%丁%_}", "{单独的括号}", "{{ case.student.name }}", "无括号"):
        case["student"] = dict(case["student"], name=name)
        context = template_context(readable_case(case), None, [], DOC)
        fast = canonical(CompiledTemplate(edited).render(context))
        assert fast == canonical(FallbackTemplate(edited).render(context)), name
        assert f"你的子女{name}（" in fast.decode(), name
        assert "限期{{复学}}{%通知书%}<" in fast.decode()


def test_line_breaks_in_values_become_word_line_breaks() -> None:
    spec = REGISTRY.get("劝返记录表")
    case = CASES[0]
    record = dict(case["persuasions"][0], content="第一行\n第二行")
    context = template_context(readable_case(case), record, ["persuasions"], DOC)
    fast = CompiledTemplate(spec.path).render(context)
    assert canonical(fast) == canonical(FallbackTemplate(spec.path).render(context))
    assert b"<w:br/>" in zipfile.ZipFile(io.BytesIO(fast)).read("word/document.xml")


def test_templates_with_tags_outside_the_body_fall_back_to_docxtpl(tmp_path: Path) -> None:
    spec = REGISTRY.get("函")
    assert needs_fallback(spec.path) is None
    changed = edited_docx(spec.path, tmp_path / "函.docx",
                          [("PAGE </w:instrText>", "PAGE </w:instrText><w:t>{{ doc.no }}</w:t>")], "word/footer1.xml")
    assert "footer1.xml" in needs_fallback(changed)
    renderer = load_renderer(changed)
    assert not renderer.fast
    out = renderer.render(template_context(readable_case(CASES[16]), CASES[16]["letters"][0], ["letters"], DOC))
    assert "云政限复〔2022〕3号".encode() in zipfile.ZipFile(io.BytesIO(out)).read("word/footer1.xml")


@pytest.mark.parametrize("tag", [
    "{{ case.__class__.__mro__[1].__subclasses__() }}", "{{ cycler.__init__.__globals__ }}",
    "{{ ''.__class__.__mro__ }}",
    "{{ case|attr('__class__') }}", "{% set ns = namespace() %}{% set ns.__dict__ = 1 %}", "{{ case['__class__'] }}",
])
def test_a_template_reaching_for_python_is_refused_before_rendering(tmp_path: Path, tag: str) -> None:
    spec = REGISTRY.get("函")
    changed = edited_docx(spec.path, tmp_path / "x.docx", [("{{ record.recipient }}", tag)])
    with pytest.raises(TemplateError, match=r"模板 x.docx: 第 \d+ 段（.*）：取用了程序内部的“_"):
        load_renderer(changed)


@pytest.mark.parametrize(("tag", "message"), [
    ("{{ 1/0 }}", "ZeroDivisionError"), ("{{ case.nothing() }}", "模板取用了不存在的内容"),
    ("{{ 9 ** 99999999 }}", "指数 99999999 过大"), ("{{ 'a' * 10 ** 9 }}", "重复后超过"),
    ("{{ range(10 ** 9) | list }}", "Range too big"),
])
def test_a_template_failing_while_rendering_is_named_by_paragraph(tmp_path: Path, tag: str, message: str) -> None:
    spec = REGISTRY.get("函")
    changed = edited_docx(spec.path, tmp_path / "x.docx", [("{{ record.recipient }}", tag)])
    letter = CASES[16]["letters"][0]
    for renderer in (load_renderer(changed), FallbackTemplate(changed)):
        with pytest.raises(TemplateError, match=r"模板 x.docx: 第 \d+ 段（\{\{") as caught:
            renderer.render(template_context(readable_case(CASES[16]), letter, ["letters"], DOC))
        assert message in str(caught.value)
        assert caught.value.paragraph > 1 and tag[:8] in caught.value.text


SPLIT_RUN = '</w:t></w:r><w:r><w:rPr><w:sz w:val="28"/></w:rPr><w:t xml:space="preserve">'


def test_a_tag_split_between_its_braces_in_the_footer_takes_docxtpls_path(tmp_path: Path) -> None:
    """Word splits "{{" from "{ doc.no }}" across runs: the tag is still seen, and rendered, not printed raw."""
    spec = REGISTRY.get("限期复学通知书")
    dash = '<w:t xml:space="preserve">— </w:t>'
    split = f'<w:t xml:space="preserve">— {{{SPLIT_RUN}{{ doc.no }}}} </w:t>'
    edited = edited_docx(spec.path, tmp_path / "footer.docx", [(dash, split)], part="word/footer1.xml")
    assert needs_fallback(edited) is not None
    renderer = load_renderer(edited)
    out = renderer.render(template_context(readable_case(CASES[0]), None, [], DOC))
    footer = zipfile.ZipFile(io.BytesIO(out)).read("word/footer1.xml").decode("utf-8")
    assert DOC.no in footer and "doc.no" not in footer


def test_a_split_tc_tag_is_seen(tmp_path: Path) -> None:
    xml = f"<w:tc><w:p><w:r><w:t>{{{SPLIT_RUN}%tc for x in y %}}</w:t></w:r></w:p></w:tc>"
    from docgen.render.engine import _UNSUPPORTED, joined_tags

    assert not any(p.search(xml) for p in _UNSUPPORTED)
    assert any(p.search(joined_tags(xml)) for p in _UNSUPPORTED)


_PARTS = {  # part kind → (root element, file name, relationship type, content type)
    "header": ("hdr", "header1.xml", "header", "header+xml"),
    "footnotes": ("footnotes", "footnotes.xml", "footnotes", "footnotes+xml"),
}


def _with_header(source: Path, target: Path, header_text: str, kind_name: str = "header") -> Path:
    """A copy of a template with a header (or footnotes) part added as Word adds one: part, content type, relation."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    root, name, rel_type, content = _PARTS[kind_name]
    inner = (f'<w:p><w:r><w:t xml:space="preserve">{header_text}</w:t></w:r></w:p>' if root == "hdr" else
             f'<w:footnote w:id="1"><w:p><w:r><w:t xml:space="preserve">{header_text}</w:t></w:r></w:p></w:footnote>')
    header = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{root} xmlns:w="{w}">{inner}</w:{root}>'
    rel = (f'<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
           f'{rel_type}" Target="{name}"/></Relationships>')
    kind = (f'<Override PartName="/word/{name}" ContentType="application/vnd.openxmlformats-officedocument.'
            f'wordprocessingml.{content}"/></Types>')
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info).decode("utf-8")
            if info.filename == "[Content_Types].xml":
                data = data.replace("</Types>", kind)
            elif info.filename == "word/_rels/document.xml.rels":
                data = data.replace("</Relationships>", rel)
            elif info.filename == "word/document.xml" and root == "hdr":
                data = data.replace("<w:sectPr>", '<w:sectPr><w:headerReference w:type="default" r:id="rId9"/>')
            dst.writestr(info, data)
        dst.writestr(f"word/{name}", header)
    return target


def test_a_tag_split_inside_a_header_is_rendered_as_docxtpl_would(tmp_path: Path) -> None:
    spec = REGISTRY.get("限期复学通知书")
    edited = _with_header(spec.path, tmp_path / "header.docx", f"{{{SPLIT_RUN}{{ doc.issuer }}}}")
    assert needs_fallback(edited) is not None
    context = template_context(readable_case(CASES[0]), None, [], DOC)
    out = load_renderer(edited).render(context)
    header = zipfile.ZipFile(io.BytesIO(out)).read("word/header1.xml").decode("utf-8")
    assert DOC.issuer in header and "{{" not in header
    assert canonical(out) == canonical(FallbackTemplate(edited).render(context))


def _clerk_edit(source: Path, target: Path, edit: str) -> Path:
    """A clerk's edit made with python-docx (as Word would save it): a picture, or a table inside a table cell."""
    from PIL import Image

    document = docx.Document(str(source))
    if edit == "picture":
        logo = target.with_suffix(".png")
        Image.new("RGB", (60, 60), "red").save(logo)
        document.add_paragraph().add_run().add_picture(str(logo))
    else:
        outer = document.add_table(rows=1, cols=2)
        outer.cell(0, 0).text = "{{ case.student.name }}"
        inner = outer.cell(0, 1).add_table(rows=1, cols=1)
        inner.cell(0, 0).text = "{{ doc.no }}"
    document.save(str(target))
    return target


@pytest.mark.parametrize("edit", ["picture", "nested-table"])
def test_clerk_edits_render_like_docxtpl(tmp_path: Path, edit: str) -> None:
    spec = REGISTRY.get("限期复学通知书")
    edited = _clerk_edit(spec.path, tmp_path / f"{edit}.docx", edit)
    context = template_context(readable_case(CASES[0]), None, [], DOC)
    out = load_renderer(edited).render(context)
    assert canonical(out) == canonical(FallbackTemplate(edited).render(context))
    text = zipfile.ZipFile(io.BytesIO(out)).read("word/document.xml").decode("utf-8")
    assert "{{" not in text and DOC.no in text
    if edit == "picture":
        assert needs_fallback(edited) is not None  # a picture takes docxtpl's path
        assert any(n.startswith("word/media/") for n in zipfile.ZipFile(io.BytesIO(out)).namelist())
    else:
        assert CASES[0]["student"]["name"] in text


def test_a_tag_split_inside_a_footnote_is_rendered_as_docxtpl_would(tmp_path: Path) -> None:
    spec = REGISTRY.get("限期复学通知书")
    edited = _with_header(spec.path, tmp_path / "footnote.docx", f"{{{SPLIT_RUN}{{ doc.no }}}}", "footnotes")
    assert needs_fallback(edited) is not None
    out = load_renderer(edited).render(template_context(readable_case(CASES[0]), None, [], DOC))
    footnotes = zipfile.ZipFile(io.BytesIO(out)).read("word/footnotes.xml").decode("utf-8")
    assert DOC.no in footnotes and "{{" not in footnotes
