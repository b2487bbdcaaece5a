"""The one driver of every batch over cases: reading, cutting, read-ahead, the number of processes, in-order
delivery, and the exact re-read when a file does not keep its layout.

A stage (render, check) supplies a *worker* — an object whose methods are the steps a chunk goes through in a
worker process (see :mod:`docgen.parallel`) — and a *sink* in the main process that takes each chunk's first
result in input order. The sink may send further steps for the chunk (render's numbers and file names) and
says when a chunk is finished; once the input is exhausted and every chunk finished, it may send work of its
own (print files) until nothing is pending. The driver keeps :data:`IN_FLIGHT` chunks per process between
being read and being finished, so memory stays bounded however large the county.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from docgen.cases.blocks import CutMismatch
from docgen.cases.chunks import CHUNK, Chunk, Indexes, case_chunks
from docgen.parallel import Inline, Processes, few_collections
from docgen.problems import Problem

IN_FLIGHT = 3  # chunks per process between being read and being finished
Result = TypeVar("Result")
Pool = Inline | Processes


class Sink(Protocol):
    """What a stage does in the main process with its workers' results."""

    def take(self, chunk: Chunk, result: Any, pool: Pool) -> bool:
        """The chunk's first step's result, in input order; True when the chunk is finished (else the sink sent
        it further steps, and :meth:`later` says when it is)."""

    def later(self, kind: str, seq: int, result: Any, pool: Pool) -> Iterable[int]:
        """The result of a further step (any order); the chunks (by ``seq``) it finished."""

    def drained(self, pool: Pool) -> bool:
        """Every chunk is finished: the sink may send work of its own; True when nothing more is pending."""


@dataclass(frozen=True)
class Workers:
    """How a stage's steps run: where a chunk starts (``first``), which steps begin and end a piece of work in a
    process, what to say when one dies, and from how many cases a second process pays (measured per stage)."""

    first: str
    starts: tuple[str, ...]
    ends: tuple[str, ...]
    died: str
    parallel_from: int


def over_files(files: Sequence[Path], problems: list[Problem], run: Callable[[Iterator[Chunk]], Result], *,
               today: dt.date | None = None, indexes: Indexes | None = None) -> Result:
    """``run`` over the chunks of the case files (their envelopes' problems into ``problems``). The files are cut
    into cases by their layout where they have one; should one not keep to it, ``run`` — which has written
    nothing yet — runs again with each case found by parsing."""
    today = today or dt.date.today()
    for cut in (True, False):
        del problems[:]
        try:
            with closing(case_chunks(files, today, problems, CHUNK, indexes, cut=cut)) as chunks:
                return run(chunks)
        except CutMismatch:
            if not cut:
                raise
    raise AssertionError("unreachable")


def in_memory(subjects: Sequence[Any]) -> Iterator[Chunk]:
    """Chunks of subjects already read and checked (cases of the service, roster entrants)."""
    for seq, start in enumerate(range(0, len(subjects), CHUNK)):
        part = list(subjects[start:start + CHUNK])
        yield Chunk(seq, part[0].file, part, min(1.0, (start + len(part)) / len(subjects)))


def drive(chunks: Iterable[Chunk], workers: Workers, make_worker: Callable[[int], Any],
          make_sink: Callable[[Pool], Sink], processes: int | None = None) -> Sink:
    """Run a stage over ``chunks``: read ahead to see whether the input is large enough for more than one process
    (``processes`` forces the number), make the worker for that many (``make_worker(n)``) and the sink, then
    keep the chunks flowing to the end. Returns the sink, holding whatever it gathered."""
    chunks = iter(chunks)
    ahead: list[Chunk] = []
    for chunk in chunks:
        ahead.append(chunk)
        if sum(c.count for c in ahead) >= workers.parallel_from:
            break
    size = processes if processes is not None else min(2, os.cpu_count() or 1)
    if sum(c.count for c in ahead) < workers.parallel_from:
        size = 1
    with few_collections():
        worker = make_worker(size)
        pool: Pool = Inline(worker) if size == 1 else Processes(worker, size, starts=workers.starts,
                                                                  ends=workers.ends, died=workers.died)
        try:
            sink = make_sink(pool)
            _flow(pool, itertools.chain(ahead, chunks), workers.first, sink)
            return sink
        finally:
            pool.close()


def _flow(pool: Pool, chunks: Iterator[Chunk], first: str, sink: Sink) -> None:
    """Send each chunk its first step, hand the results to the sink in input order, and go on while chunks are in
    flight or the sink has work pending."""
    limit = IN_FLIGHT * pool.size
    open_chunks: dict[int, Chunk] = {}
    firsts: dict[int, Any] = {}
    following, exhausted = 0, False
    while True:
        while not exhausted and len(open_chunks) < limit:
            chunk = next(chunks, None)
            if chunk is None:
                exhausted = True
                break
            open_chunks[chunk.seq] = chunk
            pool.send(first, chunk.seq, chunk)
        if exhausted and not open_chunks and sink.drained(pool):
            return
        kind, seq, value = pool.receive()
        if kind == "failed":
            raise value
        if kind == first and seq in open_chunks and seq not in firsts:
            firsts[seq] = value
            while following in firsts:
                if sink.take(open_chunks[following], firsts.pop(following), pool):
                    open_chunks.pop(following)
                following += 1
            continue
        for done in sink.later(kind, seq, value, pool):
            open_chunks.pop(done, None)
