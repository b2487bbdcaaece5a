"""Writing outputs safely: never over an input, never half-written, and names the file system accepts.

Files are written to a temporary name and renamed; folders are built in a staging folder beside
the target and moved or swapped in at the end. A staging folder carries the id of the process that
made it, so a later run removes the ones a killed run left behind without touching a live one's.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import io
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from docgen.errors import InputError, OutputError

MAX_NAME_BYTES = 255  # ext4, NTFS and most file systems
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)


def safe_name(text: str, max_bytes: int = 120) -> str:
    """A file-name part valid on Windows too, that cannot leave its folder, at most ``max_bytes`` in UTF-8."""
    name = _UNSAFE.sub("_", text).strip(" .")
    if _RESERVED.match(name):
        name = f"_{name}"
    encoded = name.encode("utf-8", "replace")
    if len(encoded) > max_bytes:
        name = encoded[:max_bytes].decode("utf-8", "ignore").rstrip(" .")
    return name or "_"


class UniqueNames:
    """Names for files or folders made from values in data (a school, a student, a unit, an evidence file), all in
    one folder: each :func:`safe_name`, and a name given already gets ``_2``, ``_3`` … (compared ignoring case, as
    Windows and macOS compare them). ``张/三`` and ``张_三``, or two long names alike in their first bytes, never
    become one file that the second overwrites."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def name(self, text: str, max_bytes: int = 120, suffix: str = "") -> str:
        """A safe name for ``text`` (with ``suffix``, such as ``.pdf``, kept whole), unique in this folder."""
        room = max_bytes - len(suffix.encode("utf-8"))
        candidate, n = safe_name(text, room) + suffix, 1
        while candidate.casefold() in self.taken:
            n += 1
            tail = f"_{n}"
            candidate = safe_name(text, room - len(tail)) + tail + suffix
        self.taken.add(candidate.casefold())
        return candidate


def file_suffix(name: str) -> str:
    """The extension of a file named in data (``.pdf``), lower case, or '' when it is not a plain one."""
    return plain_suffix(os.path.splitext(name.replace("\\", "/").rsplit("/", 1)[-1])[1])


def plain_suffix(suffix: str) -> str:
    """``suffix`` (``.PDF``) lower case when it is a plain extension of a few letters and digits, else ''."""
    suffix = suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""


_BREAKS = "、，,；;：（( 　"


def short_title(title: str, limit: int) -> str:
    """``title`` cut to at most ``limit`` characters at a clause boundary (、，（ …), never inside a word;
    a title with no boundary early enough is kept whole."""
    if len(title) <= limit:
        return title
    cut = max(title.rfind(mark, 0, limit + 1) for mark in _BREAKS)
    return title[:cut].rstrip() if cut > 0 else title


def _os_message(exc: OSError) -> str:
    return exc.strerror or str(exc)


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target`` in one step.

    On any exception the temporary file is removed and ``target`` is left as it was.
    """
    target = Path(target)
    made = [p for p in (target.parent, *target.parent.parents) if not p.exists()]  # folders made for it
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir():
            raise OutputError(str(target), "这是一个已有的目录，不能作为输出文件")
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:60]}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
    except OSError as exc:
        _remove_empty(made)
        raise OutputError(str(target), f"无法写入（{_os_message(exc)}）") from exc
    tmp_path = Path(tmp)
    done = False
    try:
        yield tmp_path
        os.replace(tmp_path, target)
        done = True
    except OSError as exc:
        raise OutputError(str(target), f"无法写入（{_os_message(exc)}）") from exc
    finally:
        tmp_path.unlink(missing_ok=True)
        if not done:
            _remove_empty(made)


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders made for an output that failed (innermost first), if nothing else went into them."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


def check_writable(target: str | Path) -> None:
    """OutputError now, before any work, when ``target`` cannot be written (its folder is a file, no permission).

    The file itself is left as it is.
    """
    target = Path(target)
    made = [p for p in (target.parent, *target.parent.parents) if not p.exists()]
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir():
            raise OutputError(str(target), "这是一个已有的目录，不能作为输出文件")
        with tempfile.NamedTemporaryFile(prefix=f".{target.name[:60]}.", suffix=".tmp", dir=target.parent):
            pass
    except OSError as exc:
        raise OutputError(str(target), f"无法写入（{_os_message(exc)}）") from exc
    finally:
        _remove_empty(made)  # made again when the file is written; left behind if it never is


def write_text_atomic(target: str | Path, text: str) -> None:
    """Write UTF-8 text to ``target`` atomically."""
    write_bytes_atomic(target, text.encode("utf-8"))


def write_file(path: str, data: bytes) -> None:
    """``data`` as the whole of the file at ``path`` (made, or emptied first), through the system's own calls:
    a third cheaper than a Python file object, which counts when a batch writes 100,000 files."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def read_file(path: str, size: int | None = None, head: int | None = None) -> bytes:
    """The whole of the file at ``path`` through the system's own calls (the counterpart of :func:`write_file`):
    ``size`` when known already saves asking for it; ``head``: only that many first bytes. Opened without
    blocking: a pipe put where a file was found is an error, not a wait."""
    return read_fd(os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOCTTY | os.O_NONBLOCK), size, head)


def read_fd(fd: int, size: int | None = None, head: int | None = None) -> bytes:
    """What :func:`read_file` reads, from an open descriptor (closed here)."""
    try:
        if head is not None:
            return os.read(fd, head)
        want = (os.fstat(fd).st_size if size is None else size) + 1  # one more: a short read says it was the end
        chunks = []
        while True:
            chunk = os.read(fd, want)
            chunks.append(chunk)
            if len(chunk) < want:
                return b"".join(chunks) if len(chunks) > 1 else chunk
    finally:
        os.close(fd)


# ---- paths from data are opened inside their folder, never outside -----------------------------

_OPENAT2 = 437  # the same number on every Linux architecture (since 5.6)
_RESOLVE_NO_MAGICLINKS, _RESOLVE_BENEATH = 0x02, 0x08
_O_PATH = getattr(os, "O_PATH", os.O_RDONLY)


class _OpenHow(ctypes.Structure):
    _fields_ = [("flags", ctypes.c_uint64), ("mode", ctypes.c_uint64), ("resolve", ctypes.c_uint64)]


_syscall: Any = None  # libc's syscall(), False where there is no openat2


def _openat2(dirfd: int, name: str, flags: int) -> int | None:
    """openat2(dirfd, name, flags, RESOLVE_BENEATH): None where the system has no such call."""
    global _syscall
    if _syscall is None:
        libc_name = ctypes.util.find_library("c") if os.name == "posix" and os.uname().sysname == "Linux" else None
        _syscall = getattr(ctypes.CDLL(libc_name, use_errno=True), "syscall", False) if libc_name else False
        if _syscall:
            _syscall.restype = ctypes.c_long
    if not _syscall:
        return None
    how = _OpenHow(flags, 0, _RESOLVE_BENEATH | _RESOLVE_NO_MAGICLINKS)
    fd = _syscall(ctypes.c_long(_OPENAT2), ctypes.c_long(dirfd), os.fsencode(name), ctypes.byref(how),
                  ctypes.c_size_t(ctypes.sizeof(how)))
    if fd >= 0:
        return fd
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EPERM):  # an old kernel, or a sandbox that forbids the call
        _syscall = False
        return None
    raise OSError(err, os.strerror(err), name)


def inside(path: str, folder: str) -> bool:
    """Whether the real path ``path`` is the real folder ``folder`` or lies within it."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def open_folder(folder: str) -> int:
    """A descriptor for the folder ``folder``, to open names inside it with :func:`open_beneath`."""
    return os.open(folder, _O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)


def open_beneath(folder: str, name: str, flags: int = os.O_RDONLY, dirfd: int | None = None) -> int:
    """A descriptor for ``name`` inside the real folder ``folder`` that cannot be anything outside it.

    Every path that comes from data is opened this way. Links are followed only while they stay inside
    (openat2 with RESOLVE_BENEATH, Linux 5.6 and later, on ``dirfd`` when the caller holds the folder open);
    where the system has no openat2, the name is resolved first, checked, and the real path opened without
    following a link. OSError EXDEV when the path leaves the folder, ELOOP for a loop of links. Never waits:
    a pipe where a file was is an error, not a hang.
    """
    flags |= os.O_CLOEXEC | os.O_NOCTTY | os.O_NONBLOCK
    own = dirfd is None
    fd = open_folder(folder) if dirfd is None else dirfd
    try:
        opened = _openat2(fd, name, flags)
    finally:
        if own:
            os.close(fd)
    if opened is not None:
        return opened
    real = os.path.realpath(os.path.join(folder, name))
    if not inside(real, folder):
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV), name)
    return os.open(real, flags | os.O_NOFOLLOW)


def read_beneath(folder: str, name: str, size: int | None = None, head: int | None = None,
                 dirfd: int | None = None) -> bytes:
    """What :func:`read_file` reads, of ``name`` opened inside ``folder`` (:func:`open_beneath`)."""
    return read_fd(open_beneath(folder, name, dirfd=dirfd), size, head)


def save_workbook(workbook: Any, target: str | Path) -> None:
    """Save an openpyxl workbook atomically (its sheets laid out for printing by docgen.xlsx.write_sheet); no
    cell becomes a live formula, and a failure is one line.

    Every value we write is data: a text that starts with ``=`` (a name typed as ``=A1`` in a ledger, or
    a hostile value) is stored as text, so Excel shows it and never evaluates it.
    """
    if not getattr(workbook, "write_only", False):
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        cell.data_type = "s"
    buffer = io.BytesIO()
    try:
        workbook.save(buffer)
    except Exception as exc:  # openpyxl raises many kinds; the user needs one line, not its traceback
        why = write_failure(exc)
        message = f"无法写入（{why}）" if why else f"无法写出 Excel 文件（{type(exc).__name__}: {exc}）"
        raise OutputError(str(target), message) from None
    write_bytes_atomic(target, buffer.getvalue())


def save_docx(document: Any, target: str | Path) -> None:
    """Save a python-docx document atomically; a failure is one line."""
    buffer = io.BytesIO()
    try:
        document.save(buffer)
    except Exception as exc:
        why = write_failure(exc)
        message = f"无法写入（{why}）" if why else f"无法写出 Word 文件（{type(exc).__name__}: {exc}）"
        raise OutputError(str(target), message) from None
    write_bytes_atomic(target, buffer.getvalue())


_LXML_IO = {"IO_ENOSPC": errno.ENOSPC, "IO_EFBIG": errno.EFBIG, "IO_EIO": errno.EIO, "IO_EDQUOT": errno.EDQUOT}


def write_failure(exc: BaseException) -> str:
    """Why a write failed, as the system says it, when ``exc`` is the machine's doing (a full disk, a file too
    large: an OSError, or lxml's report of one while openpyxl spools a sheet to a temporary file); else ''."""
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    code = _LXML_IO.get(str(exc).strip()) if type(exc).__name__ == "SerialisationError" else None
    return os.strerror(code) if code else ""


def write_bytes_atomic(target: str | Path, data: bytes) -> None:
    """``data`` as the file ``target``, atomically: a full disk leaves nothing (and the old file as it was).

    Workbooks and documents are made in memory and written here: a zip written straight to a file that the disk
    cannot hold is left half-open, and Python then prints its traceback when it cleans the object up.
    """
    with atomic_path(target) as tmp:
        write_file(str(tmp), data)


@contextmanager
def staged_folder(out: Path) -> Iterator[Path]:
    """A staging folder beside ``out`` for the files of one output; they are moved into ``out`` when the block
    completes, and on any error (a full disk) the staging folder is removed and ``out`` left as it was."""
    staging = make_staging(out)
    try:
        yield staging
        move_into(staging, out)
    except OutputError as exc:  # named where the file was to go, not where it was being made
        inner = os.path.relpath(exc.file, staging)
        if inner.startswith(".."):
            raise
        raise OutputError(str(out / inner), exc.detail) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# ---- outputs never touch inputs ---------------------------------------------------------------

def refuse_overlap(outputs: Iterable[tuple[str, Path | None]], inputs: Iterable[tuple[str, Path | None]]) -> None:
    """Raise InputError (exit 2) when an output is, contains or lies inside an input; nothing is written yet.

    ``outputs`` and ``inputs`` are (what it is, path) pairs; None entries are skipped.
    """
    ins = [(what, Path(os.path.realpath(p))) for what, p in inputs if p is not None]
    for out_what, out in outputs:
        if out is None:
            continue
        real = Path(os.path.realpath(out))
        for in_what, inp in ins:
            if real == inp:
                relation = "就是"
            elif real in inp.parents:
                relation = "包含"
            elif inp in real.parents:
                relation = "位于"
            else:
                continue
            tail = "之中" if relation == "位于" else ""
            raise InputError(str(out), f"{out_what}{relation}{in_what} {inp}{tail}，会覆盖输入，请换一个输出位置")


# ---- staging folders ------------------------------------------------------------------------

def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _clear_stale(parent: Path, prefix: str) -> None:
    for stale in parent.glob(f"{prefix}*"):
        m = re.match(re.escape(prefix) + r"(\d+)-", stale.name)
        if m and int(m[1]) != os.getpid() and not _pid_alive(int(m[1])):
            shutil.rmtree(stale, ignore_errors=True)


def make_staging(target: Path) -> Path:
    """A new empty staging folder beside ``target``, after removing those killed runs left behind."""
    prefix = f".{safe_name(target.name, 80)}.staging-"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _clear_stale(target.parent, prefix)
        return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=target.parent))
    except OSError as exc:
        raise OutputError(str(target), f"无法创建输出目录（{_os_message(exc)}）") from exc


def move_into(staging: Path, out_dir: Path) -> None:
    """Move every entry of ``staging`` into ``out_dir`` (one rename each), then remove ``staging``."""
    try:
        if out_dir.exists() and not out_dir.is_dir():
            raise OutputError(str(out_dir), "已有同名文件，不能作为输出目录")
        if not out_dir.exists():
            os.rename(staging, out_dir)  # the whole batch appears at once
            return
        for item in staging.iterdir():
            os.replace(item, out_dir / item.name)
        staging.rmdir()
    except OSError as exc:
        raise OutputError(str(out_dir), f"无法写入（{_os_message(exc)}）") from exc


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where the system cannot."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _old_prefix(out: Path) -> str:
    return f".{safe_name(out.name, 80)}.old-"


def recover_swap(out: Path) -> None:
    """Put back the previous folder a run killed between its two renames left aside."""
    if out.exists():
        for old in out.parent.glob(f"{_old_prefix(out)}*"):
            m = re.match(re.escape(_old_prefix(out)) + r"(\d+)", old.name)
            if m and not _pid_alive(int(m[1])):
                shutil.rmtree(old, ignore_errors=True)
        return
    leftovers = sorted(out.parent.glob(f"{_old_prefix(out)}*"), key=lambda p: p.stat().st_mtime)
    if leftovers:
        os.rename(leftovers[-1], out)


def swap_in(staging: Path, out: Path) -> None:
    """Replace the folder ``out`` with the complete ``staging``; at every instant one of them is at ``out``.

    Where the system swaps atomically this is one step; elsewhere the old folder is renamed aside
    only after the new one is complete, and :func:`recover_swap` puts it back after a kill.
    """
    try:
        if not out.exists():
            os.rename(staging, out)
            return
        if _exchange(staging, out):
            shutil.rmtree(staging, ignore_errors=True)  # staging now holds the old folder
            return
        old = out.parent / f"{_old_prefix(out)}{os.getpid()}"
        os.rename(out, old)
        os.rename(staging, out)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        raise OutputError(str(out), f"无法放入新的档案（{_os_message(exc)}）") from exc


def require_dir(path: Path, what: str) -> None:
    """InputError unless ``path`` is an existing folder."""
    if not path.is_dir():
        raise InputError(str(path), f"{what}不存在或不是目录")


def user_cache_dir() -> Path:
    """Where docgen keeps what only saves time (audit results, PDF conversions): $DOCGEN_CACHE_DIR, else the
    user's cache folder. Losing it costs speed, never a result."""
    root = os.environ.get("DOCGEN_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "docgen")
    return Path(root)
