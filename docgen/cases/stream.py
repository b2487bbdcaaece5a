"""Reading a large case file one case at a time, so a county's 100,000 cases never sit in memory at once.

The file is read in blocks. The top-level object is walked key by key; inside ``"cases"`` each case's
text is cut out with the C JSON scanner (``raw_decode``, which only finds where the case ends) and handed on
as text with the line and column it starts at. Whoever checks the case parses that text strictly
(:func:`docgen.cases.loader.parse_json_text`), so a duplicated key or a NaN is refused as it would be in a
small file, and its message names the line in the file. A file that is not a ``{…}`` object is read whole,
as before (it is small, or it is not a case file and the usual message says so).
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docgen.cases.blocks import Block, CutMismatch, cut_blocks, learn_layout
from docgen.cases.loader import STRICT_DECODER, check_input_file, json_error, refused_error
from docgen.errors import InputError

BLOCK = 1 << 22  # characters read at a time
MAX_CASE_CHARS = 64 << 20  # one case's text: a real case is a few kilobytes
_SPACE = re.compile(r"[ \t\n\r]*")
_PLAIN = json.JSONDecoder()


@dataclass(frozen=True)
class CaseText:
    """One case of a batch file, still as text: its JSON path, where it starts, and how far the file is read."""

    path: str
    line: int
    column: int  # 0: not known (cut out of a compact file)
    text: str
    read: int  # bytes of the file read up to this case's end (estimated from the characters)
    data: Any = None  # the parsed case instead of its text, for a file that was read whole
    cut: bool = False  # cut out by its file's layout, unchecked (see docgen.cases.blocks)


@dataclass(frozen=True)
class CaseIndex:
    """Where each case of a file lies, recorded while the file was cut into cases: (line, column, first and
    last character, bytes read) per case, and the other top-level keys. Reading the same file again with its
    index slices each case's text out without scanning it (see :func:`open_case_stream`)."""

    envelope: dict[str, Any]
    spans: tuple[tuple[int, int, int, int, int], ...]


@dataclass
class CaseStream:
    """A case file opened for streaming: iterate it for :class:`CaseText` items, or, when ``blocks`` is set,
    those for the workers to cut (see :mod:`docgen.cases.blocks`); ``envelope`` holds the other top-level
    keys (complete once iterated). ``whole`` is set instead when the file was read at once. Once iterated,
    ``digest`` is the SHA-256 of the bytes read and ``index`` where the cases were (not for blocks)."""

    file: str
    size: int
    envelope: dict[str, Any] = field(default_factory=dict)
    whole: Any = None
    _items: Iterator[CaseText] | None = None
    digest: str = ""
    index: CaseIndex | None = None
    blocks: Generator[Block, None, None] | None = None
    _reader: _Reader | None = None

    def __iter__(self) -> Iterator[CaseText]:
        return self._items or iter(())

    def close(self) -> None:
        """Let go of the file when the stream is not read to its end."""
        if self._reader is not None:
            self._reader.handle.close()


class _Reader:
    """The file's text in blocks, with the position's line and column kept for messages."""

    def __init__(self, path: Path, name: str) -> None:
        self.name = name
        self.handle = path.open("rb")
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.buf = ""
        self.pos = 0
        self.dropped = 0  # characters before buf
        self.dropped_lines = 0
        self.start_column = 0  # characters between the last dropped line break and buf
        # (position in buf, its line, the last line break in buf before it or -1): counted on from the last case
        self.counted = (0, 1, -1)
        self.bytes_read = 0
        self.eof = False
        self.sha = hashlib.sha256()

    def more(self) -> bool:
        if self.eof:
            return False
        raw = self.handle.read(BLOCK)
        try:
            text = self.decoder.decode(raw, final=not raw)
        except UnicodeDecodeError as exc:
            raise InputError(self.name, f"不是 UTF-8 编码的文本（第 {self.bytes_read + exc.start + 1} 个字节处），"
                                        "请另存为 UTF-8") from None
        self.bytes_read += len(raw)
        self.sha.update(raw)
        self.eof = not raw
        if self.pos > BLOCK:  # forget what was handed on
            self.dropped_lines += self.buf.count("\n", 0, self.pos)
            last = self.buf.rfind("\n", 0, self.pos)
            self.start_column = self.pos - last - 1 if last >= 0 else self.start_column + self.pos
            self.dropped += self.pos
            self.buf = self.buf[self.pos:]
            self.pos = 0
            self.counted = (0, self.dropped_lines + 1, -1)
        self.buf += text
        return True

    def seek(self, byte: int) -> None:
        """Read on from ``byte`` of the file (what was read is let go; line numbers no longer follow)."""
        self.handle.seek(byte)
        self.decoder.reset()
        self.buf, self.pos, self.eof = "", 0, False

    def where(self, pos: int) -> tuple[int, int]:
        at, line, last = self.counted if pos >= self.counted[0] else (0, self.dropped_lines + 1, -1)
        breaks = self.buf.count("\n", at, pos)
        if breaks:  # only the text since the last case is searched (a file without line breaks made this quadratic)
            line += breaks
            last = self.buf.rfind("\n", at, pos)
        self.counted = (pos, line, last)
        return line, (pos - last if last >= 0 else self.start_column + pos + 1)

    def fail(self, pos: int, reason: str) -> InputError:
        line, column = self.where(pos)
        return InputError(self.name, f"不是有效的 JSON：第 {line} 行第 {column} 列，{reason}")

    def skip_space(self) -> str:
        """The next character that is not white space ('' at the end of the file)."""
        while True:
            self.pos = _SPACE.match(self.buf, self.pos).end()
            if self.pos < len(self.buf) or not self.more():
                return self.buf[self.pos:self.pos + 1]

    def expect(self, chars: str, reason: str) -> str:
        ch = self.skip_space()
        if not ch or ch not in chars:
            raise self.fail(self.pos, reason)
        self.pos += 1
        return ch

    def value(self, decoder: json.JSONDecoder, path: str = "$") -> tuple[Any, int, int]:
        """The JSON value at the position (``path`` in the file): (value, start, end); reads on while it runs past
        the buffer."""
        self.skip_space()
        while True:
            start = self.pos  # reading more may drop what was handed on, and so move the position
            try:
                value, end = decoder.raw_decode(self.buf, start)
            except json.JSONDecodeError as exc:
                # Stopped near the end of what is read (in "tru", "-", "\\u00" or an open string): read on.
                near_end = exc.pos >= len(self.buf) - 64 or exc.msg.startswith("Unterminated")
                if near_end and len(self.buf) - start < MAX_CASE_CHARS and self.more():
                    continue
                raise self.fail(exc.pos, json_error(exc)) from None
            except RecursionError:
                raise InputError(self.name, "不是可用的 JSON：嵌套层数过多，不是本系统的文件格式") from None
            except ValueError as exc:  # our strict hooks (a repeated key, NaN, a huge number)
                line, column = self.where(start)
                raise refused_error(self.name, self.buf[start:], exc, line, column, path) from None
            if end == len(self.buf) and not self.eof and self.more():
                continue  # a number may go on in the next block
            self.pos = end
            return value, start, end


def open_case_stream(path: str | Path, what: str = "案卷文件",
                     known: tuple[str, CaseIndex] | None = None, cut: int = 0) -> CaseStream:
    """Open a case file for reading case by case (InputError when it cannot be used at all).

    ``known``: the file's digest and the index recorded when a file with that digest was read before; the
    cases are then sliced out without being scanned, and InputError is raised if the file is not that file.
    ``cut``: give the stream ``blocks`` of that many cases instead of cases when the file's layout allows it.
    """
    path = Path(path)
    name = str(path)
    size = check_input_file(path, what)
    reader = _Reader(path, name)
    if known is not None:
        digest, index = known
        stream = CaseStream(name, size, dict(index.envelope))
        stream._items = _known_cases(reader, stream, index, digest)
        return stream
    try:
        stream = _walk(reader, path, size, cut)
    except BaseException:
        reader.handle.close()
        raise
    if stream._items is None and stream.blocks is None:
        reader.handle.close()
        from docgen.cases.load import read_case_json

        stream.whole = read_case_json(path)  # not a {…}; one case; or an envelope without a list of cases
        stream.envelope = {}
    return stream


def _walk(reader: _Reader, path: Path, size: int, cut: int) -> CaseStream:
    """The top-level keys up to ``"cases": [`` (the stream's items start there)."""
    name = str(path)
    stream = CaseStream(name, size, _reader=reader)
    if reader.skip_space() != "{":
        return stream
    reader.pos += 1
    keys: list[str] = []
    while True:
        ch = reader.expect('"}', "字段名应使用英文双引号")
        if ch == "}":
            return stream
        reader.pos -= 1
        key, start, _ = reader.value(_PLAIN)
        if key in keys:
            raise _twice(reader, key, start)
        keys.append(key)
        reader.expect(":", "缺少冒号")
        if key == "cases" and reader.skip_space() == "[":
            stream.blocks = _blocks(reader, stream, keys, cut) if cut else None
            if stream.blocks is None:
                stream._items = _cases(reader, stream, keys)
            return stream
        stream.envelope[key], _, _ = reader.value(STRICT_DECODER, f"$.{key}")
        if reader.expect(",}", "缺少逗号") == "}":
            return stream


def _cases(reader: _Reader, stream: CaseStream, keys: list[str]) -> Iterator[CaseText]:
    spans = []
    try:
        reader.pos += 1  # the "["
        index = 0
        if reader.skip_space() == "]":
            reader.pos += 1
        else:
            while True:
                _, start, end = reader.value(_PLAIN)
                line, column = reader.where(start)
                chars = reader.dropped + end
                read = chars * reader.bytes_read // max(reader.dropped + len(reader.buf), 1)
                spans.append((line, column, reader.dropped + start, chars, read))
                yield CaseText(f"$.cases[{index}]", line, column, reader.buf[start:end], read)
                index += 1
                if reader.expect(",]", "缺少逗号") == "]":
                    break
        _tail(reader, stream, keys)
        stream.digest = reader.sha.hexdigest()
        stream.index = CaseIndex(dict(stream.envelope), tuple(spans))
    finally:
        reader.handle.close()


def _tail(reader: _Reader, stream: CaseStream, keys: list[str]) -> None:
    """The top-level keys after the list of cases, to the end of the file."""
    while reader.expect(",}", "缺少逗号") == ",":
        reader.expect('"', "字段名应使用英文双引号")
        reader.pos -= 1
        key, start, _ = reader.value(_PLAIN)
        if key in keys:
            raise _twice(reader, key, start)
        keys.append(key)
        reader.expect(":", "缺少冒号")
        stream.envelope[key], _, _ = reader.value(STRICT_DECODER, f"$.{key}")
    if reader.skip_space():
        raise reader.fail(reader.pos, "JSON 结束后还有多余内容")


def _twice(reader: _Reader, key: str, start: int) -> InputError:
    line, column = reader.where(start)
    return InputError(reader.name, f"不是可用的 JSON：第 {line} 行第 {column} 列（$.{key[:40]}），"
                                   f"字段“{key[:40]}”在同一个对象中出现了两次")


def _blocks(reader: _Reader, stream: CaseStream, keys: list[str],
            per_block: int) -> Generator[Block, None, None] | None:
    """Blocks of the list of cases, when its first cases show a layout to cut by (see docgen.cases.blocks)."""
    if reader.dropped:
        return None
    first = _SPACE.match(reader.buf, reader.pos + 1).end()
    layout = learn_layout(reader.buf, first)
    if layout is None:
        return None
    bom = len(codecs.BOM_UTF8) if os.pread(reader.handle.fileno(), 3, 0) == codecs.BOM_UTF8 else 0
    start = bom + len(reader.buf[:first].encode("utf-8"))
    line, column = reader.where(first)
    return _cut_cases(reader, stream, keys, cut_blocks(reader.handle, stream.file, layout, start, line, column,
                                                        per_block))


def _cut_cases(reader: _Reader, stream: CaseStream, keys: list[str],
               blocks: Generator[Block, None, int]) -> Generator[Block, None, None]:
    try:
        end = yield from blocks
        reader.seek(end)  # the rest is read the exact way; any fault in it is a reason to read it all so
        try:
            reader.expect("]", "缺少“]”")
            _tail(reader, stream, keys)
        except InputError:
            raise CutMismatch(stream.file) from None
    finally:
        reader.handle.close()


def _known_cases(reader: _Reader, stream: CaseStream, known: CaseIndex, digest: str) -> Iterator[CaseText]:
    """The cases of a file read before, sliced out where its index says; the file must still be that file."""
    try:
        for i, (line, column, start, end, read) in enumerate(known.spans):
            while reader.dropped + len(reader.buf) < end and reader.more():
                pass
            text = reader.buf[start - reader.dropped:end - reader.dropped]
            reader.pos = end - reader.dropped  # what is before is not needed again
            yield CaseText(f"$.cases[{i}]", line, column, text, read)
        reader.pos = len(reader.buf)
        while reader.more():
            reader.pos = len(reader.buf)
        if reader.sha.hexdigest() != digest:
            raise InputError(stream.file, "文件在读取过程中被改动了，请等改动完成后重新运行")
        stream.digest, stream.index = digest, known
    finally:
        reader.handle.close()


def file_digest(path: str | Path) -> str:
    """The SHA-256 of a file's bytes (what :attr:`CaseStream.digest` will be)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
