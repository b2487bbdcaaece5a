"""Persistent LibreOffice converters: one per core, shared by every process on the machine (each background job,
each ``docgen render --pdf``), kept running between batches so no batch pays LibreOffice's start-up again.

A converter is a slot ``i``: an unoserver (XML-RPC in front of one soffice, with a profile of its own) on ports
``BASE + 2i`` and ``BASE + 2i + 1``, and a lock file that a process holds while it converts through it — so two
processes never share a converter, and a process killed mid-conversion lets go of it with its life. unoserver
runs under an interpreter that can ``import uno`` (Debian's python3 with python3-uno; ``scripts/setup.sh`` makes
``.venv-uno`` for it). Each converter is restarted after ``STOP_AFTER`` documents (soffice grows with every
document), when its memory passes ``MEMORY_LIMIT_MB``, and when a document takes longer than ``TIMEOUT`` (the
document is reported, the others go on). Where no such interpreter exists, :func:`available` is false and
PDF conversion falls back to one soffice run per chunk (``pdf.py``).
"""

from __future__ import annotations

import fcntl
import logging
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import xmlrpc.client
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

log = logging.getLogger("docgen.pdf")
TIMEOUT = int(os.environ.get("DOCGEN_CONVERT_TIMEOUT", "60"))  # seconds for one document
STOP_AFTER = 300  # documents, then the converter restarts (soffice reaches ~650 MB by then)
MEMORY_LIMIT_MB = int(os.environ.get("DOCGEN_CONVERTER_MEMORY_MB", "700"))
MEMORY_EVERY = 20  # documents between two looks at a converter's memory
START_TIMEOUT = 90
WAIT_TIMEOUT = int(os.environ.get("DOCGEN_CONVERTER_WAIT", "1800"))  # seconds to wait for a busy converter


def _cache() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return Path(os.environ.get("DOCGEN_CONVERTER_DIR", base / "docgen" / "converters"))


def size() -> int:
    return max(1, int(os.environ.get("DOCGEN_CONVERTERS", os.cpu_count() or 1)))


@cache
def uno_python() -> str | None:
    """An interpreter that runs unoserver: $DOCGEN_UNO_PYTHON, the project's .venv-uno, or Debian's python3."""
    project = str(Path(sys.prefix).parent / ".venv-uno" / "bin" / "python")
    candidates = [os.environ.get("DOCGEN_UNO_PYTHON", ""), project, "/usr/bin/python3"]
    for candidate in filter(None, candidates):
        if Path(candidate).is_file() and subprocess.run(
                [candidate, "-c", "import uno, unoserver.server"], capture_output=True, timeout=60).returncode == 0:
            return candidate
    return None


def available() -> bool:
    return os.environ.get("DOCGEN_CONVERTER_POOL", "1") != "0" and uno_python() is not None and bool(
        shutil.which("soffice"))


class _Transport(xmlrpc.client.Transport):
    """XML-RPC with a time limit (unoserver's own client waits for ever)."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def make_connection(self, host):  # the base class's signature
        connection = super().make_connection(host)
        connection.timeout = self._timeout
        return connection


@dataclass
class Slot:
    """One converter of the machine's pool."""

    index: int

    @property
    def port(self) -> int:
        return int(os.environ.get("DOCGEN_CONVERTER_PORT", "2103")) + 2 * self.index

    def _path(self, suffix: str) -> Path:
        return _cache() / f"slot-{self.index}{suffix}"

    def _proxy(self, timeout: float) -> xmlrpc.client.ServerProxy:
        return xmlrpc.client.ServerProxy(f"http://127.0.0.1:{self.port}", transport=_Transport(timeout),
                                         allow_none=True)

    def responding(self) -> bool:
        try:
            return self._proxy(5).info().get("api") is not None
        except (OSError, xmlrpc.client.Error):
            return False

    def _processes(self) -> Iterator[Path]:
        """The converter's processes (unoserver and its LibreOffice): those started with its profile."""
        profile = str(self._path("-profile"))
        for proc in Path("/proc").iterdir():
            try:
                if proc.name.isdigit() and profile in (proc / "cmdline").read_bytes().decode(errors="replace"):
                    yield proc
            except OSError:
                continue

    def memory_mb(self) -> float:
        """The resident memory of the converter (0 when it is not running)."""
        total = 0
        for proc in self._processes():
            try:
                status = (proc / "status").read_text()
            except OSError:
                continue
            line = next((x for x in status.splitlines() if x.startswith("VmRSS:")), "VmRSS: 0 kB")
            total += int(line.split()[1])
        return total / 1024

    def stop(self) -> None:
        for proc in list(self._processes()):
            with suppress(ProcessLookupError, PermissionError):
                os.kill(int(proc.name), signal.SIGKILL)

    def start(self) -> None:
        """(Re)start the converter and wait until it answers."""
        from importlib import resources

        self.stop()
        python = uno_python()
        if python is None:
            raise RuntimeError("no interpreter with uno")
        _cache().mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env["FONTCONFIG_FILE"] = str(resources.files("docgen") / "data" / "fonts" / "fonts.conf")
        command = [python, "-m", "unoserver.server", "--port", str(self.port), "--uno-port", str(self.port + 1),
                   "--user-installation", str(self._path("-profile")), "--conversion-timeout", str(TIMEOUT),
                   "--stop-after", str(STOP_AFTER)]
        # A daemon of the machine, not a child of this process (a shell starts it in the background and exits):
        # it outlives the job, and a worker killed mid-job.
        subprocess.run(["/bin/sh", "-c", '"$@" </dev/null >>"$0" 2>&1 &', str(self._path(".log")), *command],
                       env=env, start_new_session=True, timeout=30, check=False)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.responding():
                return
            time.sleep(0.3)
        raise RuntimeError(f"LibreOffice 转换进程（端口 {self.port}）没有启动，见 {self._path('.log')}")

    def ready(self) -> None:
        if self.memory_mb() > MEMORY_LIMIT_MB or not self.responding():
            self.start()

    def convert(self, source: Path, target: Path, options: Sequence[str] = ()) -> None:
        """``source`` to PDF at ``target`` (``options``: the PDF export's, "Name=value"); TimeoutError or another
        error when it cannot."""
        self._proxy(TIMEOUT + 15).convert(str(source), None, str(target), "pdf", None, list(options), True, None,
                                          None)

    @contextmanager
    def held(self, wait: bool) -> Iterator[bool]:
        """Hold the slot's lock while converting (False when ``wait`` is false and another process holds it).
        Waiting has a deadline too (:data:`WAIT_TIMEOUT`): TimeoutError when the slot never comes free."""
        _cache().mkdir(parents=True, exist_ok=True)
        with open(self._path(".lock"), "w") as lock:
            if not lock_within(lock, WAIT_TIMEOUT if wait else 0):
                if wait:
                    raise TimeoutError(f"LibreOffice 转换进程一直被其他任务占用（超过 {WAIT_TIMEOUT} 秒），请稍后重试")
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def lock_within(handle: Any, seconds: float) -> bool:
    """Take the exclusive lock of the open file ``handle``, waiting at most ``seconds``; False when it stays taken."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.2)


def _work(slot: Slot, jobs: queue.Queue, failures: dict[str, str], options: Sequence[str]) -> None:
    try:
        slot.ready()
    except Exception as exc:  # it did not start in time: its share of the documents is reported, not lost
        log.warning("converter %s: %s", slot.index, exc)
        while True:
            try:
                source, _ = jobs.get_nowait()
            except queue.Empty:
                return
            failures[source.name] = f"LibreOffice 转换进程没有启动（{START_TIMEOUT} 秒内）"
    done = 0
    while True:
        try:
            source, target = jobs.get_nowait()
        except queue.Empty:
            return
        try:
            slot.convert(source, target, options)
        except Exception as exc:  # a hung or broken document: report it, restart the converter, go on
            # The server answers a hung LibreOffice with a TimeoutError fault; our own time limit raises one here.
            timed_out = isinstance(exc, TimeoutError) or "TimeoutError" in str(exc) or "timed out" in str(exc)
            failures[source.name] = f"转换超时（超过 {TIMEOUT} 秒）" if timed_out else f"转换失败（{str(exc)[:80]}）"
            log.warning("converter %s: %s: %s", slot.index, source.name, exc)
            slot.start()
        if not target.is_file() and source.name not in failures:
            failures[source.name] = "没有生成 PDF"
        done += 1
        if done % MEMORY_EVERY == 0 and slot.memory_mb() > MEMORY_LIMIT_MB:
            log.info("converter %s: past %s MB, restarted", slot.index, MEMORY_LIMIT_MB)
            slot.start()
        elif not slot.responding():  # it stopped after STOP_AFTER documents: start it again
            slot.start()


def convert_files(folder: Path, files: Sequence[str], options: Sequence[str] = ()) -> dict[str, str]:
    """Convert ``files`` (names in ``folder``) to PDFs beside them through the machine's converters; returns the
    documents that could not be converted, with why. Uses every free converter (waits for one if all are busy).
    ``options``: the PDF export's (see :meth:`Slot.convert`)."""
    jobs: queue.Queue = queue.Queue()
    for name in files:
        jobs.put((folder / name, folder / (Path(name).stem + ".pdf")))
    failures: dict[str, str] = {}
    with _held_slots(min(size(), len(files))) as slots:
        threads = [threading.Thread(target=_work, args=(s, jobs, failures, options)) for s in slots]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    return failures


@contextmanager
def _held_slots(wanted: int) -> Iterator[list[Slot]]:
    """The free converters (at most ``wanted``), or the first one to come free when all are busy."""
    from contextlib import ExitStack

    with ExitStack() as stack:
        slots: list[Slot] = []
        for i in range(size()):
            if len(slots) == wanted:
                break
            if stack.enter_context(Slot(i).held(wait=False)):
                slots.append(Slot(i))
        if not slots:
            first = Slot(os.getpid() % size())
            stack.enter_context(first.held(wait=True))
            slots = [first]
        yield slots


def stop_all() -> None:
    """Stop the machine's converters (when the service stops; the next conversion starts them again)."""
    for i in range(size()):
        slot = Slot(i)
        with slot.held(wait=False) as free:
            if free:
                slot.stop()
