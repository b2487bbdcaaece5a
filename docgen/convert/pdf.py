"""Word → PDF with LibreOffice: through the machine's persistent converters (pool.py), or, where they cannot run,
one converter process per batch, not one per document.

Starting soffice costs 1–2 s; converting many files in one call costs ~0.2 s each. soffice grows
with every document, so a very large batch is converted in chunks, each by a fresh process. The
profile folder is shared between runs (its first creation is slow) and guarded by a lock so two
batches never use it at once. Fonts named by GB/T 9704 are mapped to Noto CJK by fonts.conf.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import signal
import subprocess
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from docgen.convert.cache import ConversionCache, digest
from docgen.errors import ConverterError

CHUNK = 200
TIMEOUT_PER_FILE = 30



def _soffice() -> str:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise ConverterError("未安装 LibreOffice（soffice），无法生成 PDF：请先运行 scripts/setup.sh")


def _profile() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return cache / "docgen" / "libreoffice-profile"


def convert_to_pdf(folder: Path, files: Sequence[str]) -> float:
    """Convert ``files`` (names inside ``folder``) to PDFs beside them; return the seconds it took. Through the
    machine's persistent converters (pool.py) where they can run, else one soffice run per chunk. Every document
    that can be converted is; those that cannot are named, with why, in one ConverterError at the end."""
    from docgen.convert import pool

    if files and pool.available():
        start = time.perf_counter()
        failures = _through_pool(folder.resolve(), files)
        if failures:
            listed = "、".join(f"{name}（{why}）" for name, why in list(failures.items())[:5])
            raise ConverterError(f"{len(failures)} 份文书没有转换成 PDF：{listed}")
        return time.perf_counter() - start
    soffice = _soffice()
    folder = folder.resolve()
    profile = _profile()
    profile.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["FONTCONFIG_FILE"] = str(resources.files("docgen").joinpath("data").joinpath("fonts").joinpath("fonts.conf"))
    start = time.perf_counter()
    with open(profile.parent / "libreoffice.lock", "w") as lock:
        if not pool.lock_within(lock, pool.WAIT_TIMEOUT):
            raise ConverterError(f"LibreOffice 一直被其他任务占用（超过 {pool.WAIT_TIMEOUT} 秒），请稍后重试")
        for i in range(0, len(files), CHUNK):
            chunk = list(files[i:i + CHUNK])
            command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                       "--nologo", "--nolockcheck", "--convert-to", "pdf", "--outdir", str(folder), *chunk]
            _run_with_deadline(command, folder, env, 60 + TIMEOUT_PER_FILE * len(chunk))
    missing = [f for f in files if not (folder / (Path(f).stem + ".pdf")).is_file()]
    if missing:
        raise ConverterError(f"LibreOffice 没有生成这些文件的 PDF：{'、'.join(missing[:5])}")
    return time.perf_counter() - start


def _through_pool(folder: Path, files: Sequence[str], options: Sequence[str] = ()) -> dict[str, str]:
    """:func:`pool.convert_files`; ConverterError when no converter comes free before the deadline."""
    from docgen.convert import pool

    try:
        return pool.convert_files(folder, files, options)
    except TimeoutError as exc:
        raise ConverterError(str(exc)) from None


def _run_with_deadline(command: list[str], folder: Path, env: dict[str, str], seconds: float) -> None:
    """Run soffice; past ``seconds`` it is killed with everything it started (soffice runs soffice.bin under it:
    killing only the first would leave the second converting, or hung, with the profile locked)."""
    process = subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise ConverterError(f"LibreOffice 转换超时（超过 {seconds:.0f} 秒）：{folder}") from None


@dataclass
class Converted:
    """What :func:`convert_cached` did: seconds taken, documents converted, documents whose PDF was reused."""

    seconds: float
    converted: int
    reused: int


def convert_cached(folder: Path, files: Sequence[str], cache: ConversionCache) -> Converted:
    """:func:`convert_to_pdf`, converting only documents whose bytes the cache has not seen: the PDF of an
    unchanged document (a batch run again, a print file of the same notices) is copied from the cache."""
    start = time.perf_counter()
    todo: dict[str, str] = {}  # file → key, for the documents the cache lacks
    reused = 0
    for name in files:
        key = digest(b"docx", (folder / name).read_bytes())
        pdf = cache.get(key)
        if pdf is None:
            todo[name] = key
        else:
            (folder / (Path(name).stem + ".pdf")).write_bytes(pdf)
            reused += 1
    try:
        if todo:
            convert_documents(folder, list(todo))
    finally:  # what was converted is kept even when another document failed
        for name, key in todo.items():
            target = folder / (Path(name).stem + ".pdf")
            if target.is_file():
                cache.put(key, target.read_bytes())
        cache.prune()
    return Converted(time.perf_counter() - start, len(todo), reused)


def join_pdfs(folder: Path, files: Sequence[str], target: str) -> None:
    """The PDF of a print file, from the PDFs of its documents (``files``, Word names in ``folder``) one after
    another: the same pages a conversion of the print file gives, without converting them a second time."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for name in files:
        writer.append(folder / (Path(name).stem + ".pdf"))
    with open(folder / (Path(target).stem + ".pdf"), "wb") as out:
        writer.write(out)


RUN = 50  # documents of one template converted together, then cut apart (5× faster than one by one)
_BOOKMARKS = ("ExportBookmarksToPDFDestination=true",)


def convert_documents(folder: Path, files: Sequence[str]) -> None:
    """Convert ``files`` (Word documents of one batch, names in ``folder``) to PDFs beside them.

    Through the machine's converters, documents go in runs of :data:`RUN`: each run merged into one document
    (each document's start bookmarked), converted once, and its PDF cut at the bookmarks into the documents'
    own PDFs — LibreOffice spends most of a small document's time loading it. A run that fails is converted
    document by document, so a document that cannot be converted is named, and the others still are.
    Elsewhere, :func:`convert_to_pdf`."""
    from docgen.convert import pool

    if len(files) < 2 or not pool.available():
        convert_to_pdf(folder, files)
        return
    from docgen.ooxml.merge import merge_documents

    folder = folder.resolve()
    runs = {f".run-{os.getpid()}-{k:05d}.docx": list(files[i:i + RUN])
            for k, i in enumerate(range(0, len(files), RUN))}
    failed: dict[str, str] = {}
    try:
        for name, members in runs.items():
            try:
                merged = merge_documents([(folder / f).read_bytes() for f in members], marked=True)
            except (OSError, ValueError, zipfile.BadZipFile, KeyError):  # converted one by one, to say which
                failed[name] = "无法合并"
                continue
            (folder / name).write_bytes(merged)
        failed |= _through_pool(folder, [name for name in runs if name not in failed], _BOOKMARKS)
        alone = [f for name, members in runs.items()
                 if name in failed or not _cut(folder / (Path(name).stem + ".pdf"), folder, members) for f in members]
    finally:
        for name in runs:
            (folder / name).unlink(missing_ok=True)
            (folder / (Path(name).stem + ".pdf")).unlink(missing_ok=True)
    failures = _through_pool(folder, alone) if alone else {}
    if failures:
        listed = "、".join(f"{name}（{why}）" for name, why in list(failures.items())[:5])
        raise ConverterError(f"{len(failures)} 份文书没有转换成 PDF：{listed}")


def _cut(pdf: Path, folder: Path, members: Sequence[str]) -> bool:
    """The PDF of a run cut at its bookmarks into its documents' PDFs; False when the marks are not all there in
    order (the run is then converted document by document)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError

    from docgen.ooxml.merge import mark_name

    try:
        reader = PdfReader(pdf)
        marks = {name.lstrip("/"): dest for name, dest in reader.named_destinations.items()}
        starts = [reader.get_destination_page_number(marks[mark_name(k)]) for k in range(len(members))]
    except (OSError, KeyError, PdfReadError, ValueError):
        return False
    bounds = [*starts, len(reader.pages)]
    if starts[0] != 0 or any(b <= a for a, b in itertools.pairwise(bounds)):
        return False
    for k, name in enumerate(members):
        writer = PdfWriter()
        for page in range(bounds[k], bounds[k + 1]):
            writer.add_page(reader.pages[page])
        with open(folder / (Path(name).stem + ".pdf"), "wb") as out:
            writer.write(out)
    return True
