"""A large case file cut into blocks of bytes that the workers split into cases themselves.

Finding where each case ends with the JSON scanner kept the main process busy for half a core on a
county of 100,000 cases, and sending each case's text to a worker cost as much again. Most case files
are laid out by a program (``json.dump`` with an indent): every case closes on a line of its own, with
the same indentation, and the next begins the same way. When the first two cases show such a layout,
the main process only reads the file and finds those marks (C-speed ``bytes.find``), and hands on, per
chunk of cases, where its bytes are; the worker reads them from the file again, cuts them into cases at
the same marks and parses each case strictly as before. A compact file (``json.dumps`` without an indent)
is cut the same way where "}, {" is followed by the key its first two cases start with: inner objects
close alike, but not before that key (and a string cannot hold the mark). Its cases' columns are not
counted, so a fault in one of them is reported by the exact reading.

The cut is checked, not trusted: each piece starts where a case starts (the first where the main process
found it, each next one right after the previous piece and its comma), so a piece that parses as one
JSON value *is* that case. A piece that does not parse, a count that differs, a block that changed on
disk or an array that does not close where expected raise :class:`CutMismatch`, and the caller reads
the file again the exact way — which then reports what is really wrong with it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Generator
from dataclasses import dataclass
from typing import BinaryIO

from zlib_ng import zlib_ng as zlib  # its CRC-32 is ten times zlib's: the main process checksums every byte

from docgen.errors import InputError

BLOCK_BYTES = 1 << 21  # read at a time by the main process
MAX_CASE_BYTES = 64 << 20  # one case's text: a real case is a few kilobytes
_SPACE = " \t\r\n"
_PLAIN = json.JSONDecoder()


class CutMismatch(Exception):
    """Signals that the file is not laid out as its first cases suggested: the driver reads it again case by case.
    Never reaches the user (it is no DocgenError)."""


@dataclass(frozen=True)
class Layout:
    """How a file's cases are separated: ``close`` ends each case; ``gap`` (``close``, a comma, the next
    case's start) stands between two, its last ``lead`` bytes being the next case's own; a case after the
    first starts at ``column`` (0: not known — a compact file, where a fault is reported by the exact reading)."""

    close: bytes
    gap: bytes
    column: int
    lead: int = 1


@dataclass(frozen=True)
class Block:
    """``count`` cases in bytes ``start``–``end`` of ``file``, the first being case number ``first`` of the
    file and starting at ``line``, ``column``; ``crc`` of those bytes as the main process read them."""

    file: str
    start: int
    end: int
    first: int
    count: int
    line: int
    column: int
    crc: int
    layout: Layout


@dataclass(frozen=True)
class Piece:
    """A case cut out of a block: its number in the file, where it starts, its text, the byte after it."""

    index: int
    line: int
    column: int
    text: str
    end: int


def learn_layout(text: str, start: int) -> Layout | None:
    """The layout shown by the first two cases of ``text`` (the first starting at ``start``), or None when
    they show none to cut by: neither on lines of their own nor, in a compact file, starting with one key."""
    if text[start:start + 1] != "{":
        return None
    try:
        _, end = _PLAIN.raw_decode(text, start)
    except (ValueError, RecursionError):
        return None  # the first case runs past what is read, or is broken: the exact reading says which
    body = text[start:end - 1]
    close = body[len(body.rstrip(_SPACE)):] + "}"
    after = text[end:end + 4096]
    comma = len(after) - len(after.lstrip(_SPACE))
    if after[comma:comma + 1] != ",":
        return None
    rest = after[comma + 1:]
    brace = len(rest) - len(rest.lstrip(_SPACE))
    if rest[brace:brace + 1] != "{":
        return None
    gap = close + after[:comma + 1] + rest[:brace + 1]
    if "\n" in close and "\n" in rest[:brace]:
        column = brace - rest.rfind("\n", 0, brace)
        return Layout(close.encode(), gap.encode(), column)
    # Not on lines of their own (a compact file): "}, {" also stands between inner objects, but not before the
    # key every case starts with. A string cannot hold the mark (its quotes would be escaped).
    key, first_key = _FIRST_KEY.match(rest, brace + 1), _FIRST_KEY.match(body, 1)
    if key is None or first_key is None or first_key.group(1) != key.group(1):
        return None
    lead = "{" + key.group(0)
    return Layout(close.encode(), (gap + key.group(0)).encode(), 0, len(lead.encode()))


_FIRST_KEY = re.compile(r'"([A-Za-z_][A-Za-z0-9_]*)"[ \t]*:')


class _Scan:
    """A file's bytes from ``base`` on, read block by block, the part before the current block let go."""

    def __init__(self, handle: BinaryIO, base: int) -> None:
        self.handle, self.base = handle, base
        handle.seek(base)
        self.data = b""
        self.eof = False

    def more(self) -> bool:
        raw = self.handle.read(BLOCK_BYTES)
        self.eof = not raw
        self.data += raw
        return not self.eof

    def drop(self, upto: int) -> None:
        self.data = self.data[upto:]
        self.base += upto


def _next_case(data: bytes, at: int, layout: Layout, eof: bool, name: str) -> tuple[int, int | None] | None:
    """Where the case starting at ``data[at]`` ends, and where the next one starts (None: it is the list's
    last); None when more of the file must be read to tell.

    Cases on lines of their own end at the first ``close`` (its indentation is theirs alone), followed by the
    gap or by the end of the list. In a compact file "}" ends inner objects too: a case ends where the gap
    (with the next case's first key) follows, and the last one where it parses to its end.
    """
    gap, close = layout.gap, layout.close
    if layout.column:
        found = data.find(close, at)
        if found < 0 or (len(data) < found + len(gap) and not eof):
            return None
        return (_after(layout, found) if data.startswith(gap, found) else (found + len(close), None))
    found = data.find(gap, at)
    if found >= 0:
        return _after(layout, found)
    return (_value_end(data, at, name), None) if eof else None


def _after(layout: Layout, gap: int) -> tuple[int, int]:
    """The end of the case the gap at byte ``gap`` follows, and the start of the next."""
    return gap + len(layout.close), gap + len(layout.gap) - layout.lead


def cut_blocks(handle: BinaryIO, name: str, layout: Layout, start: int, line: int, column: int,
               per_block: int) -> Generator[Block, None, int]:
    """Blocks of ``per_block`` cases of the list whose first case starts at byte ``start`` (at ``line``,
    ``column``). Returns the byte after the last case, where the list's ``]`` should follow."""
    scan = _Scan(handle, start)
    at = first = count = 0  # at: where the current case starts, in scan.data (the block starts at 0)
    while True:
        found = _next_case(scan.data, at, layout, scan.eof, name)
        if found is None:  # not yet read far enough
            if len(scan.data) - at > MAX_CASE_BYTES or (not scan.more() and layout.column
                                                         and scan.data.find(layout.close, at) < 0):
                raise CutMismatch(name)  # the list never closed the way its first cases suggested
            continue
        end, following = found
        count += 1
        if following is not None and count < per_block:
            at = following
            continue
        yield Block(name, scan.base, scan.base + end, first, count, line, column,
                    zlib.crc32(memoryview(scan.data)[:end]), layout)
        if following is None:
            return scan.base + end
        line += scan.data.count(b"\n", 0, following)
        column = layout.column
        first, count, at = first + count, 0, 0
        scan.drop(following)


def _value_end(data: bytes, at: int, name: str) -> int:
    """The byte after the JSON value that starts at ``data[at]`` (CutMismatch when it is no complete value)."""
    try:
        text = data[at:].decode("utf-8")
        _, end = _PLAIN.raw_decode(text)
    except (ValueError, RecursionError):
        raise CutMismatch(name) from None
    return at + len(text[:end].encode("utf-8"))


def block_pieces(block: Block) -> list[Piece]:
    """The cases of a block, cut where its layout says (CutMismatch when they are not where they should be)."""
    fd = os.open(block.file, os.O_RDONLY)
    try:
        data = os.pread(fd, block.end - block.start, block.start)
    finally:
        os.close(fd)
    if len(data) != block.end - block.start or zlib.crc32(data) != block.crc:
        raise InputError(block.file, "文件在读取过程中被改动了，请等改动完成后重新运行")
    pieces: list[Piece] = []
    at, line, column = 0, block.line, block.column
    while True:
        if block.layout.column:
            found = _next_case(data, at, block.layout, True, block.file)
            if found is None:
                raise CutMismatch(block.file)
        else:  # compact: the block ends with its last case, the one no gap follows (found by the main process)
            cut = data.find(block.layout.gap, at)
            found = (len(data), None) if cut < 0 else _after(block.layout, cut)
        end, following = found
        try:
            text = data[at:end].decode("utf-8")
        except UnicodeDecodeError:
            raise CutMismatch(block.file) from None
        pieces.append(Piece(block.first + len(pieces), line, column, text, block.start + end))
        if end == len(data):
            break
        if following is None:
            raise CutMismatch(block.file)
        line += data.count(b"\n", at, following)
        at, column = following, block.layout.column
    if len(pieces) != block.count:
        raise CutMismatch(block.file)
    return pieces


def one_value(text: str) -> bool:
    """Whether ``text`` is one complete JSON value (what a correctly cut piece always is)."""
    try:
        _, end = _PLAIN.raw_decode(text)
    except (ValueError, RecursionError):
        return False
    return end == len(text)
