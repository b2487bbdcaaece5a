"""Steps of a stream of chunks, run in this process or in forked worker processes, one per core.

A *worker* is any object whose methods are the steps. ``send(kind, seq, *args)`` asks for
``worker.kind(*args)``; ``receive()`` gives back ``(kind, seq, result)`` as steps finish (in any order:
callers put results back in input order by ``seq``). With processes, the steps of one ``seq`` run in the
process that took its first step, which may keep state between them; new work goes to the least loaded
process. A step that raises hands its exception to the caller, raised from ``receive()`` as ("failed", …).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import pickle
import queue
from collections import deque
from collections.abc import Iterator
from typing import Any

from docgen.errors import DocgenError


class Inline:
    """The steps run in this process, one after the other."""

    size = 1

    def __init__(self, worker: Any) -> None:
        self.worker = worker
        self.results: deque[tuple[str, int, Any]] = deque()

    def send(self, kind: str, seq: int, *args: Any) -> None:
        self.results.append((kind, seq, getattr(self.worker, kind)(*args)))

    def receive(self) -> tuple[str, int, Any]:
        return self.results.popleft()

    def close(self) -> None:
        pass


def _serve(worker: Any, inbox: Any, outbox: Any) -> None:
    while (message := inbox.get()) is not None:
        kind, seq, args = message
        try:
            outbox.put((kind, seq, getattr(worker, kind)(*args)))
        except BaseException as exc:  # handed to the main process, which raises it
            try:
                pickle.dumps(exc)
                outbox.put(("failed", seq, exc))
            except Exception:
                outbox.put(("failed", seq, DocgenError(f"{type(exc).__name__}: {exc}")))


class Processes:
    """The steps run in ``size`` forked processes (the worker, with what it compiled, is inherited, not rebuilt).

    ``starts`` are the kinds of step that begin a piece of work; ``ends`` those that finish one. ``died`` is
    the message when a process exits under us (killed, out of memory).
    """

    def __init__(self, worker: Any, size: int, starts: tuple[str, ...], ends: tuple[str, ...], died: str) -> None:
        context = multiprocessing.get_context("fork")
        self.size, self.starts, self.ends, self.died = size, starts, ends, died
        self.outbox = context.Queue()
        self.inboxes = [context.Queue() for _ in range(size)]
        self.load = [0] * size
        self.owner: dict[int, int] = {}
        self.processes = [context.Process(target=_serve, args=(worker, inbox, self.outbox), daemon=True)
                          for inbox in self.inboxes]
        for p in self.processes:
            p.start()

    def send(self, kind: str, seq: int, *args: Any) -> None:
        if kind in self.starts:
            self.owner[seq] = min(range(self.size), key=self.load.__getitem__)
            self.load[self.owner[seq]] += 1
        self.inboxes[self.owner[seq]].put((kind, seq, args))

    def receive(self) -> tuple[str, int, Any]:
        while True:
            try:
                kind, seq, result = self.outbox.get(timeout=1)
            except queue.Empty:
                dead = [p for p in self.processes if not p.is_alive()]
                if dead:
                    raise DocgenError(self.died.format(code=dead[0].exitcode)) from None
                continue
            if kind in self.ends:
                self.load[self.owner.pop(seq)] -= 1
            return kind, seq, result

    def close(self) -> None:
        for inbox in self.inboxes:
            with contextlib.suppress(Exception):
                inbox.put(None)
        for p in self.processes:
            p.join(timeout=5)
            if p.is_alive():
                p.kill()
                p.join()


@contextlib.contextmanager
def few_collections() -> Iterator[None]:
    """Checking a case makes thousands of small objects that form no cycles, and the collector's passes over
    them took a quarter of a batch's time: collect less often while a stream runs (the processes forked for
    it inherit this), and leave what exists before it out of the passes."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
