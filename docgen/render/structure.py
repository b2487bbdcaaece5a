"""Whether a template's Jinja blocks respect the structure of the Word XML they sit in.

``{% if %}`` before a table and ``{% endif %}`` inside it renders a valid document only while the
condition holds; when it does not, half a table is cut out and Word cannot open the file. Blocks are
checked on the body as rendering compiles it (docxtpl's patching, one paragraph per line): the
element names open at a block's start must be the ones open at each ``else`` and at its end.
"""

from __future__ import annotations

import re

_XML_TAG = re.compile(r"<(/?)([A-Za-z][\w:.-]*)[^>]*?(/?)>")
_BLOCK = re.compile(r"{%-?\s*(if|for|elif|else|endif|endfor)\b")
_OPENS = ("if", "for")


def block_levels(xml: str) -> list[tuple[int, str]]:
    """(paragraph number, Chinese message) for every block that crosses a level of the XML."""
    tokens = sorted([(m.start(), m, True) for m in _XML_TAG.finditer(xml)] +
                    [(m.start(), m, False) for m in _BLOCK.finditer(xml)], key=lambda t: t[0])
    stack: list[str] = []
    blocks: list[tuple[str, tuple[str, ...], int]] = []
    problems = []
    for position, m, is_xml in tokens:
        if is_xml:
            closing, name, empty = m.groups()
            if empty:
                continue
            if not closing:
                stack.append(name)
            elif stack and stack[-1] == name:
                stack.pop()
            continue
        word = m.group(1)
        line = max(1, xml.count("\n", 0, position))  # line n+1 of the body holds its n-th paragraph
        if word in _OPENS:
            blocks.append((word, tuple(stack), line))
            continue
        if not blocks:
            continue  # an end without a start is Jinja's own syntax error
        opened, level, start = blocks[-1]
        if word.startswith("end"):
            blocks.pop()
        if tuple(stack) != level:
            problems.append((line, f"{{% {opened} %}}（第 {start} 段）与 {{% {word} %}} 不在文档的同一层"
                                   "（如一个在表格外、一个在表格内）：条件不成立或循环为空时会生成 Word 打不开的文件，"
                                   "请把两者放在同一段落、同一单元格或同一行"))
    return problems
