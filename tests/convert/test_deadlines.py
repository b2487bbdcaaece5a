"""Every LibreOffice call has a deadline: a hung soffice is killed with what it started, a converter that never
comes free or never starts is a clear error, never a wait without end (no LibreOffice needed: stand-ins)."""

from __future__ import annotations

import fcntl
import os
import signal
import time
from pathlib import Path

import pytest

from docgen.convert import pdf, pool


def test_a_hung_soffice_is_killed_with_the_process_it_started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = tmp_path / "soffice"
    pids = tmp_path / "pids"
    # soffice runs soffice.bin under it: the stand-in starts a child that hangs too, and says who they are.
    script.write_text(f"#!/bin/sh\nsleep 600 &\necho $$ $! > {pids}\nwait\n")
    script.chmod(0o755)
    monkeypatch.setattr(pool, "available", lambda: False)
    monkeypatch.setattr(pdf, "_soffice", lambda: str(script))
    monkeypatch.setattr(pdf, "TIMEOUT_PER_FILE", 0)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(pdf, "_run_with_deadline", _short(pdf._run_with_deadline))
    (tmp_path / "a.docx").write_bytes(b"x")
    started = time.monotonic()
    with pytest.raises(pdf.ConverterError, match="LibreOffice 转换超时"):
        pdf.convert_to_pdf(tmp_path, ["a.docx"])
    assert time.monotonic() - started < 30
    time.sleep(0.2)
    assert [pid for pid in map(int, pids.read_text().split()) if _running(pid)] == []


def _running(pid: int) -> bool:
    """Whether ``pid`` still runs (a killed child nobody has reaped yet is a zombie: it runs no more)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _short(run):  # the deadline of one chunk, cut from a minute to a second
    return lambda command, folder, env, seconds: run(command, folder, env, 1)


def test_a_converter_that_never_comes_free_is_an_error_not_a_wait(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCGEN_CONVERTER_DIR", str(tmp_path))
    monkeypatch.setenv("DOCGEN_CONVERTERS", "1")
    monkeypatch.setattr(pool, "WAIT_TIMEOUT", 1)
    monkeypatch.setattr(pool, "available", lambda: True)
    with open(tmp_path / "slot-0.lock", "w") as other:  # another process converting, for ever
        fcntl.flock(other, fcntl.LOCK_EX)
        pid = os.fork()
        if pid == 0:  # the lock is the other process's: flock locks belong to the open file, so hold it in a child
            signal.pause()
        try:
            (tmp_path / "a.docx").write_bytes(b"x")
            with pytest.raises(pdf.ConverterError, match="一直被其他任务占用"):
                pdf.convert_to_pdf(tmp_path, ["a.docx"])
        finally:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def test_a_converter_that_does_not_start_fails_its_documents_by_name(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCGEN_CONVERTER_DIR", str(tmp_path / "converters"))
    monkeypatch.setenv("DOCGEN_CONVERTERS", "1")
    monkeypatch.setattr(pool, "available", lambda: True)

    def never(self: pool.Slot) -> None:
        raise RuntimeError("LibreOffice 转换进程没有启动")

    monkeypatch.setattr(pool.Slot, "ready", never)
    for name in ("a.docx", "b.docx"):
        (tmp_path / name).write_bytes(b"x")
    with pytest.raises(pdf.ConverterError, match=r"2 份文书没有转换成 PDF：a\.docx（LibreOffice 转换进程没有启动"):
        pdf.convert_to_pdf(tmp_path, ["a.docx", "b.docx"])
