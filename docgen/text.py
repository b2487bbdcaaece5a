"""Text that every output can hold: what XML 1.0 (so Word and Excel) forbids, and how it is made safe.

Excel cells bring vertical tabs (U+000B, a line break inside a cell) and JSON can carry NUL, U+FFFF
or a lone surrogate. Word and openpyxl cannot write those; the rule here is the one both render
paths share: U+000B becomes a line break, the other forbidden characters are dropped.
"""

from __future__ import annotations

import re
import unicodedata

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def has_forbidden(text: str) -> bool:
    """Whether ``text`` holds a character XML 1.0 does not allow."""
    return _FORBIDDEN.search(text) is not None


def has_surrogate(text: str) -> bool:
    """Whether ``text`` holds half of a UTF-16 pair, which no UTF-8 file can store."""
    return _SURROGATE.search(text) is not None


def forbidden_names(text: str) -> str:
    """The forbidden characters of ``text`` as U+XXXX, for a message."""
    return "、".join(sorted({f"U+{ord(c):04X}" for c in _FORBIDDEN.findall(text)}))


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal or an Excel cell: a CJK (wide) character counts two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` display columns."""
    return text + " " * max(0, width - display_width(text))


_TOKENS = re.compile(r"[!-~]+|\s+|.", re.S)  # an ASCII word (a rule id, a command), a run of spaces, one character
_NO_LINE_START = set("，。、；：？！）》」』”’…—")  # Chinese punctuation stays at the end of the line before


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    """``text`` in lines of at most ``width`` terminal columns (a CJK character counts two): broken between
    characters, never inside an ASCII word, never before a closing punctuation mark (the character before it moves
    down with it); lines after the first start with ``indent``. Only a word longer than a line overflows."""
    lines: list[str] = []
    tokens: list[str] = []  # the current line after its lead (``indent`` on continuation lines)
    lead = ""

    def used() -> int:
        return display_width(lead) + sum(display_width(t) for t in tokens)

    for token in _TOKENS.findall(text):
        if token.isspace() and lead and not tokens:
            continue
        if not tokens or used() + display_width(token) <= width:
            tokens.append(token)
            continue
        carried = []
        if token in _NO_LINE_START and len(tokens) > 1 and not tokens[-1].isspace():
            carried.append(tokens.pop())
        lines.append((lead + "".join(tokens)).rstrip())
        lead, tokens = indent, [*carried, *([] if token.isspace() else [token])]
    if tokens:
        lines.append((lead + "".join(tokens)).rstrip())
    return lines or [""]


def village_committee(village: str) -> str:
    """石桥村 → 石桥村村民委员会, 龙潭社区 → 龙潭社区居民委员会 (the committees' legal names)."""
    return f"{village}居民委员会" if village.endswith("社区") else f"{village}村民委员会"


def xml_safe(text: str) -> str:
    """``text`` with U+000B as a line break and every other XML-forbidden character dropped."""
    if not has_forbidden(text):
        return text
    return _FORBIDDEN.sub("", text.replace("\x0b", "\n"))
