"""A batch's cases in chunks, each case checked on its own where the chunk is handled.

Stages that run over many cases (a batch of documents, an audit) read their input with
:func:`case_chunks` and hand each chunk to a worker (see :mod:`docgen.parallel`); the worker turns each
item into a :class:`CheckedCase` with :func:`check_item`. What needs all cases at once — values two cases
may not share — stays with the caller, who sees the checked cases in input order (:class:`DuplicateFinder`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from docgen.cases.blocks import Block, CutMismatch, block_pieces, one_value
from docgen.cases.load import CheckedCase, case_entries, check_one, may_hold_forbidden
from docgen.cases.loader import json_type, parse_json_text
from docgen.cases.stream import CaseIndex, CaseText, file_digest, open_case_stream
from docgen.cases.validate import envelope_problems
from docgen.errors import InputError
from docgen.problems import Problem

CHUNK = 200  # cases a worker takes at a time


@dataclass
class Chunk:
    seq: int
    file: str
    items: list[Any]  # CaseText from a case file, or subjects already checked
    read: float  # how much of the input is read at the chunk's end, 0–1
    block: Block | None = None  # instead of items: a block of the file for the worker to cut into cases

    @property
    def count(self) -> int:
        return self.block.count if self.block is not None else len(self.items)


def chunk_items(chunk: Chunk) -> list[Any]:
    """A chunk's items, its block cut into cases where the worker handles it."""
    if chunk.block is None:
        return chunk.items
    return [CaseText(f"$.cases[{p.index}]", p.line, p.column, p.text, p.end, cut=True)
            for p in block_pieces(chunk.block)]


class Indexes(Protocol):
    """Where the indexes of case files read before are kept (by the SHA-256 of the file's bytes)."""

    def get(self, digest: str) -> CaseIndex | None: ...

    def put(self, digest: str, index: CaseIndex) -> None: ...


def case_chunks(files: Sequence[Path], today: dt.date, problems: list[Problem], size: int = CHUNK,
                indexes: Indexes | None = None, cut: bool = True) -> Iterator[Chunk]:
    """The cases of ``files`` in chunks of :class:`CaseText`; the envelopes' own problems go to ``problems``.

    ``cut``: a file laid out one case per line block comes as blocks for the workers to cut (see
    :mod:`docgen.cases.blocks`; a worker raises CutMismatch when the layout does not hold: run again
    without). Otherwise, with ``indexes``, a file read before (the same bytes) is cut where its index says
    instead of scanned.
    """
    seq = 0
    for k, path in enumerate(files):
        if cut:
            stream = open_case_stream(path, cut=size)
            if stream.blocks is not None:
                count = 0
                with closing(stream.blocks):  # let go of the file also when the caller stops early
                    for block in stream.blocks:
                        yield Chunk(seq, str(path), [], (k + block.end / max(stream.size, 1)) / len(files), block)
                        seq, count = seq + 1, count + block.count
                problems.extend(envelope_problems(str(path), {**stream.envelope, "cases": [{}] if count else []},
                                                  today))
                continue
            stream.close()
        known = None
        if indexes is not None:
            try:
                digest = file_digest(path)
            except OSError:  # open_case_stream says what is wrong with it
                digest = ""
            index = indexes.get(digest) if digest else None
            known = (digest, index) if index is not None else None
        stream = open_case_stream(path, known=known)
        if stream.whole is not None:  # one case, or a batch file without a list of cases
            data = stream.whole
            if isinstance(data, dict) and "cases" in data:
                problems.extend(envelope_problems(str(path), data, today))
            items = [CaseText(prefix, 1, 1, "", 0, case) for prefix, case in case_entries(str(path), data)]
            yield Chunk(seq, str(path), items, (k + 1) / len(files))
            seq += 1
            continue
        items = []
        count = 0
        with closing(stream):  # let go of the file also when the caller stops early
            for item in stream:
                items.append(item)
                count += 1
                if len(items) == size:
                    yield Chunk(seq, str(path), items, (k + item.read / max(stream.size, 1)) / len(files))
                    seq, items = seq + 1, []
        if items:
            yield Chunk(seq, str(path), items, (k + 1) / len(files))
            seq += 1
        # The envelope's own keys; each case was checked as an object on its own.
        problems.extend(envelope_problems(str(path), {**stream.envelope, "cases": [{}] if count else []}, today))
        if indexes is not None and known is None and stream.index is not None:
            indexes.put(stream.digest, stream.index)


def check_item(file: str, item: CaseText, today: dt.date) -> CheckedCase | Problem:
    """One case of a chunk parsed (strictly, its text's own line in messages) and checked, or why it is no case."""
    clean = item.data is None and not may_hold_forbidden(item.text)
    if item.data is not None:
        data = item.data
    else:  # clean text is parsed straight into the read-only form the checked case keeps
        try:
            data = parse_json_text(file, item.text, item.line, item.column, frozen=clean, path=item.path)
        except InputError:
            # A cut piece that is no JSON value was cut wrongly; in a compact file the message cannot say where
            # the fault is (the column is not known): either way the exact reading finds and reports it.
            if item.cut and (not item.column or not one_value(item.text)):
                raise CutMismatch(file) from None
            raise
    if not isinstance(data, dict):
        return Problem(file, item.path, f"应为一个案卷对象 {{…}}，实际是{json_type(data)}", id="schema")
    return check_one(file, item.path, data, today, clean)
