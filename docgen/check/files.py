"""Evidence files: every file a case names exists inside its folder, opens, and is what its kind needs.

Paths from the data are resolved under the evidence root and never followed outside it: a symlink
leaving the folder is reported, not read. Pipes, devices and sockets are reported and never opened
(reading one would wait forever); files past a size limit are not read. A PDF must parse and have
pages; an image must be whole and within a pixel limit. ``fast`` keeps the old signature sniff.
Results are kept between runs (see :class:`FileChecker`), so a re-check of an unchanged county opens nothing.
"""

from __future__ import annotations

import base64
import binascii
import errno
import io
import json
import os
import re
import stat
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen.cases.model import records
from docgen.cases.schema import case_field
from docgen.check.cache import ResultStore, Stat
from docgen.fsutil import inside, open_beneath, open_folder, read_beneath, read_fd
from docgen.specs.evidence_types import MEDIA_LABELS, EvidenceTypes

_EXTENSIONS = {
    "pdf": {".pdf"}, "image": {".jpg", ".jpeg", ".png"}, "docx": {".docx"},
    "audio": {".wav", ".mp3", ".m4a", ".amr"}, "video": {".mp4", ".mov"},
}
_MEDIA_OF_SUFFIX = {suffix: media for media, suffixes in _EXTENSIONS.items() for suffix in suffixes}
HEAD_BYTES = 16
MAX_FILE_BYTES = 200 * 1024 * 1024  # a scanned case file is a few MB; past this it is not evidence
MAX_PIXELS = 64_000_000  # a 64-megapixel photo decodes to ~200 MB; a 30000×30000 "photo" is an attack


def _sniff(head: bytes) -> str | None:
    """The media a file's first bytes say it is."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if (head[:4] == b"RIFF" and head[8:12] == b"WAVE") or head.startswith((b"ID3", b"\xff\xfb", b"#!AMR")):
        return "audio"
    if head[4:8] == b"ftyp":
        return "video"
    return None


@dataclass(frozen=True)
class FileProblem:
    evidence_id: str
    kind: str
    file: str
    problem: str
    where: str


OUTSIDE = "路径指向本案材料目录之外，未读取"
FOLDER_OUTSIDE = "本案材料目录指向佐证材料目录之外，未读取"
LOOP = "路径是循环的符号链接，未读取"


def real_folder_in(root: str, case_id: str) -> str | None:
    """The real path of folder ``case_id`` (a case's, or a unit's) in the real folder ``root``; None when the folder
    is a link that leaves ``root`` (nothing in it is then read). A case's folder may be a link within ``root``."""
    folder = f"{root}{os.sep}{case_id}"
    if case_id in ("", ".", "..") or "/" in case_id:
        real = os.path.realpath(folder)
    else:
        try:
            real = os.path.realpath(folder) if stat.S_ISLNK(os.lstat(folder).st_mode) else folder
        except (OSError, ValueError):
            return folder  # missing, or a name the system refuses: each of its files then says so
    return real if inside(real, root) and real != root else None


def _locate(base: str, name: str, looked: dict[str, os.stat_result] | None = None,
            ) -> tuple[str | None, os.stat_result | None, str]:
    """``name`` inside the real folder ``base``: its real path and status, or why it may not be read.

    Nothing is opened here (links are resolved as text and stat'ed): the file is then opened with
    :func:`~docgen.fsutil.open_beneath`, which cannot leave ``base`` either. A plain file name costs one lstat (the
    path joined as text: Path objects cost more than the lstat here), none when ``looked`` has it from just before;
    a link, or a name with folders in it, is resolved and must stay inside.
    """
    path = f"{base}{os.sep}{name}"
    try:
        plain = name not in ("", ".", "..") and "/" not in name
        info = (looked.pop(path, None) if looked else None) or os.lstat(path) if plain else None
        if info is None or stat.S_ISLNK(info.st_mode):
            real = os.path.realpath(path)
            if not inside(real, base):
                return None, None, OUTSIDE
            path, info = real, os.stat(real)
    except FileNotFoundError:
        return None, None, "文件不存在"
    except OSError as exc:
        return None, None, LOOP if exc.errno == errno.ELOOP else "文件无法读取"
    except ValueError:
        return None, None, "文件无法读取"
    if not stat.S_ISREG(info.st_mode):
        return None, None, "不是普通文件（目录、管道或设备），未读取"
    if info.st_size > MAX_FILE_BYTES:
        size, limit = info.st_size // 1024 // 1024, MAX_FILE_BYTES // 1024 // 1024
        return None, None, f"文件过大（{size} MB，上限 {limit} MB），未读取"
    return path, info, ""


def _unread(exc: OSError) -> str:
    """Why a located file could not be opened after all (it changed in between)."""
    return {errno.EXDEV: OUTSIDE, errno.ELOOP: LOOP, errno.ENOENT: "文件不存在"}.get(exc.errno or 0, "文件无法读取")


PROBES = 8  # files looked at before asking for many: are they in memory already?
Opener = Callable[[str, str], int]


def advise_reading(files: Iterable[tuple[str, str]], opener: Opener = open_beneath) -> None:
    """Ask the kernel to start reading these regular files now, all at once: they are read one by one next.

    ``files`` are (real folder, name) pairs a caller located (:func:`_locate`): each is opened inside its folder
    (``opener``, :func:`~docgen.fsutil.open_beneath`), never outside it. A disk serves many reads at once far faster
    than one after another (bench/audit.py: 570 MB of evidence read cold in 2.1 s one by one, in 0.45 s after
    this). Only a hint: nothing is read into this process, and a file that cannot be opened is simply skipped (its
    check says why). Callers pass only files they found regular (opening a pipe or device has effects); the
    opener's O_NONBLOCK keeps even a swapped-in pipe from waiting.

    When :data:`PROBES` files spread over the list are wholly in memory already (a county checked or written a
    moment ago), the rest most likely are too and nothing is asked: asking costs an open per file, a twentieth
    of such an audit. Should that guess be wrong, the files are only read one after another.
    """
    if not hasattr(os, "posix_fadvise"):
        return
    files = list(files)
    step = max(1, len(files) // PROBES)
    if len(files) > PROBES and all(_in_memory(folder, name, opener) for folder, name in files[::step][:PROBES]):
        return
    for folder, name in files:
        try:
            fd = opener(folder, name)
        except OSError:
            continue
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass
        finally:
            os.close(fd)


def _in_memory(folder: str, name: str, opener: Opener = open_beneath) -> bool:
    """Whether the file (its first megabyte) is in the page cache: a read that may not wait for the disk
    (RWF_NOWAIT) gets all of it. False when unsure (no such read on this system, or any error)."""
    flag = getattr(os, "RWF_NOWAIT", None)
    if flag is None:
        return False
    try:
        fd = opener(folder, name)
    except OSError:
        return False
    try:
        size = min(os.fstat(fd).st_size, 1 << 20)  # of a large file, its first megabyte
        return size == 0 or os.preadv(fd, [bytearray(size)], 0, flag) == size
    except OSError:
        return False
    finally:
        os.close(fd)


def read_evidence(root: Path, case_id: str, name: str) -> tuple[bytes | None, str]:
    """The bytes of ``name`` in case ``case_id``'s folder under the evidence folder ``root``, or None and why not
    (outside the case's folder, missing, special, too large): never opened outside the case's folder."""
    base = real_folder_in(os.path.realpath(root), case_id)
    if base is None:
        return None, FOLDER_OUTSIDE
    path, info, unreadable = _locate(base, name)
    if path is None or info is None:
        return None, unreadable
    try:
        return read_beneath(base, name, info.st_size), ""
    except OSError as exc:
        return None, _unread(exc)


def open_media(data: bytes) -> tuple[str | None, str]:
    """What ``data`` really is (pdf, image, docx, audio, video) after opening it, and a problem if it is broken."""
    media = _sniff(data[:HEAD_BYTES])
    if media == "pdf":
        return media, pdf_problem(data)
    if media == "image":
        return media, image_problem(data)
    if media == "docx":
        return media, docx_problem(data)
    return media, ""


class FileChecker:
    """Checks evidence files, remembering results so an unchanged file is never opened twice.

    A file is known by its device, inode, size and modification time: a re-check only stats it, and a new or
    changed file is read and opened. Not by content hash: hashing a file costs more than opening it
    (bench/audit.py). ``fast`` only reads the first bytes (bagit's "fast" level, for a quick look at a big
    county). The cache is a small SQLite file; when it cannot be used the checks simply run uncached.
    """

    def __init__(self, cache_path: Path | None = None, fast: bool = False, store: ResultStore | None = None) -> None:
        self.fast = fast
        self.store = store if store is not None else ResultStore(None if fast else cache_path)
        self.looked: dict[str, os.stat_result] = {}  # regular files stat'ed by look(), for check() to use
        self.known: dict[tuple[int, int, int, int], tuple[str | None, str]] = {}
        self.asked: set[tuple[int, int]] = set()  # (device, inode) recall() asked the cache about
        self.located: dict[tuple[str, str], tuple[str | None, os.stat_result | None, str]] = {}  # by locate()
        self.roots: dict[Path, str] = {}  # evidence roots as given → resolved
        self._folder: tuple[str, int] | None = None  # the case folder last opened from, and its descriptor

    def look(self, paths: Sequence[str]) -> list[Stat]:
        """The files at ``paths`` as they are now (see :data:`Stat`), each regular file's status kept for
        :meth:`check` (which then need not stat it again) and for :meth:`recall`."""
        out: list[Stat] = []
        for path in paths:
            try:
                info = os.lstat(path)
                if stat.S_ISLNK(info.st_mode):
                    info = os.stat(path)
                else:
                    self.looked[path] = info
                out.append((info.st_size, info.st_mtime_ns, info.st_ino, info.st_mode))
            except (OSError, ValueError):
                out.append(None)
        return out

    def recall(self) -> None:
        """Fetch what the cache knows of the files looked at, in one query (one per file was 7 % of a first audit)."""
        inodes: dict[int, list[int]] = {}
        for info in self.looked.values():
            inodes.setdefault(info.st_dev, []).append(info.st_ino)
        for device, numbers in inodes.items():
            rows = self.store.all("SELECT inode, size, mtime, media, problem FROM file_checks WHERE device = ?"
                                  " AND inode IN (SELECT value FROM json_each(?))", (device, json.dumps(numbers)))
            if rows is None:
                continue  # no cache, or it failed: each file is asked about on its own
            self.known.update(((device, *row[:3]), (row[3], row[4])) for row in rows)
            self.asked.update((device, n) for n in numbers)

    def forget(self) -> None:
        """Drop what look(), locate() and recall() kept (at the end of a chunk of cases)."""
        self.looked.clear()
        self.located.clear()
        self.known.clear()
        self.asked.clear()
        self._close_folder()

    def real_folder(self, root: Path, case_id: str) -> str | None:
        """The real path of case ``case_id``'s folder in ``root`` (:func:`real_folder_in`): ``root`` resolved
        once, then one lstat (resolving each case's folder whole was a link lookup per level of the path)."""
        real = self.roots.get(root)
        if real is None:
            real = self.roots[root] = os.path.realpath(root)
        return real_folder_in(real, case_id)

    def locate(self, base: str, name: str) -> tuple[str | None, os.stat_result | None, str]:
        """:func:`_locate`, kept for :meth:`check` (for files asked for ahead, see :func:`advise_reading`)."""
        found = self.located[(base, name)] = _locate(base, name, self.looked)
        return found

    def open(self, base: str, name: str) -> int:
        """``name`` opened inside the real folder ``base`` (:func:`~docgen.fsutil.open_beneath`); the folder is held
        open while its files are opened one after another."""
        if self._folder is None or self._folder[0] != base:
            self._close_folder()
            self._folder = (base, open_folder(base))
        return open_beneath(base, name, dirfd=self._folder[1])

    def _close_folder(self) -> None:
        if self._folder is not None:
            os.close(self._folder[1])
            self._folder = None

    def close(self) -> None:
        self._close_folder()
        self.store.close()

    def flush(self) -> None:
        self.store.flush()

    def check(self, base: str | None, name: str) -> tuple[str | None, str, str]:
        """(media, problem, why it was not read) for ``name`` inside the real case folder ``base`` (None: the case's
        folder leaves the evidence folder, see :meth:`real_folder`)."""
        if base is None:
            return None, "", FOLDER_OUTSIDE
        located = self.located.pop((base, name), None)
        path, info, unreadable = located if located is not None else _locate(base, name, self.looked)
        if path is None or info is None:
            return None, "", unreadable
        # Known by the file itself, not its name: the service lays a job's evidence out anew each time as hard
        # links into its store, and a re-audit must still find every unchanged file checked.
        key = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
        if (info.st_dev, info.st_ino) in self.asked:
            row = self.known.get(key)
        else:
            row = self.store.get("SELECT media, problem FROM file_checks WHERE device=? AND inode=? AND size=? AND"
                                 " mtime=?", key)
        if row is not None:
            return row[0], row[1], ""
        try:
            # The system's own calls, the size known from the status: one read of the whole file (a Python file
            # object's open and read cost twice as much, for 190,000 files in a county).
            fd = self.open(base, name)
            data = read_fd(fd, None, HEAD_BYTES) if self.fast else read_fd(fd, info.st_size, None)
        except OSError as exc:
            return None, "", _unread(exc)
        if self.fast:
            return _sniff(data), "", ""
        media, problem = open_media(data)
        self.store.put("file_checks", (*key, media, problem))
        return media, problem, ""


def pdf_problem(data: bytes) -> str:
    """'' when ``data`` opens as a PDF with at least one page, else what is wrong.

    PDFium (pypdfium2) reads the cross-reference table and the page tree, a tenth of pypdf's time. It rebuilds a
    damaged cross-reference table where it can, so a file must also end with the PDF end marker (%%EOF, in its
    last 1024 bytes as readers allow): a file cut short is broken even where its pages could be pieced together.
    """
    import pypdfium2.raw as pdfium  # the raw API: the helper classes cost as much again as opening the file

    if b"%%EOF" not in data[-1024:]:
        return "PDF 文件已损坏（可能没有传完整），无法打开"
    bomb = inflation_problem(data)
    if bomb:
        return bomb
    with _PDFIUM:  # PDFium is not thread-safe
        document = pdfium.FPDF_LoadMemDocument64(data, len(data), None)
        if not document:
            error = pdfium.FPDF_GetLastError()
            if error == pdfium.FPDF_ERR_SUCCESS:  # it parsed, but there is no page to load
                return "PDF 文件没有任何页面"
            if error == pdfium.FPDF_ERR_PASSWORD:
                return "PDF 文件设有打开密码，无法查看，请上传未加密的文件"
            return "PDF 文件已损坏（可能没有传完整），无法打开"  # not a PDF, or damaged past repair
        try:
            pages = pdfium.FPDF_GetPageCount(document)
        finally:
            pdfium.FPDF_CloseDocument(document)
    return "" if pages > 0 else "PDF 文件没有任何页面"


MB = 1024 * 1024
MAX_INFLATED = 64 * MB  # one stream of a PDF decompressed (pypdf, binding the archive, stops at 75 MB)
MAX_INFLATED_TOTAL = 256 * MB  # all of a PDF's streams
_STREAM = re.compile(rb">>\s*stream\r?\n")
_OBJ = re.compile(rb"\d+\s+\d+\s+obj\b")
BOMB = f"PDF 文件中有内容解压后超过 {MAX_INFLATED // MB} MB（可能是恶意构造的“压缩炸弹”），无法打开"


def inflation_problem(data: bytes) -> str:
    """'' unless a Flate-compressed stream of the PDF ``data`` inflates past :data:`MAX_INFLATED` (or all of them
    past :data:`MAX_INFLATED_TOTAL`): a 400 KB file can hold 400 MB of page content that binding it would inflate.

    Counting pages (PDFium) inflates none; binding a PDF (pypdf) inflates its page contents and object streams,
    never its pictures, which are left out here too. Each stream is decoded through its filters as a reader
    would (Flate, and the hex and base-85 text forms that may come before it), inflated in pieces and dropped,
    never past the limit.
    """
    total = 0
    for found in _STREAM.finditer(data):
        head = data[max(0, found.start() - 4096):found.start()]
        objects = list(_OBJ.finditer(head))
        head = head[objects[-1].end():] if objects else head  # the stream's own dictionary
        named = _FILTER.search(head)
        filters = re.findall(rb"/(\w+)", named.group(1)) if named else []
        if not any(f in _FLATE for f in filters) or re.search(rb"/Subtype\s*/Image\b", head):
            continue
        size = _decoded_size(data, found.end(), filters, MAX_INFLATED + 1)
        total += size
        if size > MAX_INFLATED or total > MAX_INFLATED_TOTAL:
            return BOMB
    return ""


_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/\w+)")
_FLATE = (b"FlateDecode", b"Fl")
_TEXT_FORMS = {b"ASCIIHexDecode": "hex", b"AHx": "hex", b"ASCII85Decode": "a85", b"A85": "a85"}


def _decoded_size(data: bytes, start: int, filters: list[bytes], limit: int) -> int:
    """How many bytes the stream at ``start`` decodes to through ``filters``, counting no further than ``limit``
    (0 when a filter is one this check does not follow: the file is then left to PDFium)."""
    end = data.find(b"endstream", start)
    source: bytes | memoryview = memoryview(data)[start:end if end >= 0 else len(data)]
    size = 0
    for n, name in enumerate(filters):
        last = n == len(filters) - 1
        try:
            if name in _TEXT_FORMS:
                text = re.sub(rb"\s", b"", bytes(source))
                source = (binascii.unhexlify(text.split(b">")[0] + b"0" * (len(text.split(b">")[0]) % 2))
                          if _TEXT_FORMS[name] == "hex" else base64.a85decode(text.split(b"~>")[0]))
                size = len(source)
            elif name in _FLATE:
                size, kept = _inflate(source, limit, keep=not last)
                if size >= limit:
                    return size
                source = kept
            else:
                return 0
        except (ValueError, binascii.Error):
            return size if last else 0
    return size


def _inflate(source: bytes | memoryview, limit: int, keep: bool) -> tuple[int, bytes]:
    """(bytes the Flate data ``source`` inflates to, at most ``limit``; those bytes when ``keep``)."""
    inflater, size, kept = zlib.decompressobj(), 0, []
    try:
        for at in range(0, len(source), 1 << 16):
            piece = inflater.decompress(source[at:at + (1 << 16)], limit - size)
            while True:
                size += len(piece)
                if keep:
                    kept.append(piece)
                if size >= limit or not inflater.unconsumed_tail:
                    break
                piece = inflater.decompress(inflater.unconsumed_tail, limit - size)
            if size >= limit or inflater.eof:
                break
    except zlib.error:
        pass  # not a whole Flate stream: PDFium decides whether the file opens
    return size, b"".join(kept)


DOCX_BROKEN = "Word 文件已损坏，无法打开"
MAX_DOCX_XML = 64 * MB  # word/document.xml of a scanned-in form is a few hundred KB


def docx_problem(data: bytes) -> str:
    """'' when ``data`` is a Word document whose text part opens (a zip holding word/document.xml that is XML,
    within :data:`MAX_DOCX_XML` inflated), else what is wrong: a damaged one is named here, not by LibreOffice
    failing in the middle of assembling an archive."""
    from lxml import etree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            if "[Content_Types].xml" not in package.namelist():
                return DOCX_BROKEN
            info = package.getinfo("word/document.xml")
            if info.file_size > MAX_DOCX_XML:
                return f"Word 文件的正文解压后超过 {MAX_DOCX_XML // MB} MB，无法打开"
            with package.open(info) as part:
                xml = part.read(MAX_DOCX_XML + 1)
        if len(xml) > MAX_DOCX_XML:
            return f"Word 文件的正文解压后超过 {MAX_DOCX_XML // MB} MB，无法打开"
        etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, KeyError, ValueError, EOFError, OSError,
            NotImplementedError, RuntimeError, etree.XMLSyntaxError):
        return DOCX_BROKEN
    return ""


def image_problem(data: bytes) -> str:
    """'' when ``data`` is a whole image within the pixel limit, else what is wrong.

    Pillow reads the headers (size, colour, tables). A PNG then has every chunk's checksum verified up to its end
    marker, which finds a cut-off or altered file. A JPEG must have its end marker after the image data (which
    cannot hold one): a file cut off anywhere fails, as when it was decoded, at a tenth of the cost. Decoding
    also failed some JPEGs with bytes changed inside (about 1 in 5 such files in a trial; libjpeg passes most as
    blemished pictures): that is left to a person looking at the picture.
    """
    from PIL import Image

    try:
        # Only the two kinds _sniff lets through: Pillow need not try the others on each file.
        with Image.open(io.BytesIO(data), formats=_IMAGE_FORMATS) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                return f"图片过大（{width}×{height} 像素），请压缩后重新上传"
            if image.format == "PNG":
                _strictly(image.verify)
            elif data.rfind(b"\xff\xd9", image.tile[0][2]) < 0:  # from the end: where a whole file has it
                return "图片已损坏，无法打开"
    except Image.DecompressionBombError:
        return f"图片过大（超过 {MAX_PIXELS // 1_000_000} 兆像素），请压缩后重新上传"
    except Exception:  # Pillow raises several kinds for truncated or forged images
        return "图片已损坏，无法打开"
    return ""


_IMAGE_FORMATS = ("JPEG", "PNG")
_STRICT = threading.Lock()
_PDFIUM = threading.Lock()


def _strictly(read: Callable[[], object]) -> None:
    """Read an image (``read``: its verify), failing if it is cut short. WeasyPrint, once imported (for a
    report), tells Pillow to pad cut-off images and skip checksums silently, for the whole process; a check must
    not inherit that."""
    from PIL import ImageFile

    with _STRICT:
        lenient = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            read()
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = lenient


def evidence_file_problems(case: Any, root: Path, types: EvidenceTypes, checker: FileChecker) -> Iterator[FileProblem]:
    """Every evidence item of ``case`` whose file under ``root/<case_id>/`` is missing or not what it should be."""
    base = checker.real_folder(root, str(case.get("case_id", "")))
    for i, item in records(case, "evidence"):
        name = item.get("file")
        if not isinstance(name, str):
            continue
        kind = str(item.get("kind", ""))
        media, broken, unreadable = checker.check(base, name)
        if unreadable:
            text = f"的{unreadable}"
        else:
            ext_media = _MEDIA_OF_SUFFIX.get(os.path.splitext(name)[1].lower())
            allowed = types.allowed(kind)
            if media is None or (ext_media is not None and ext_media != media):
                text = "的文件已损坏，或内容与扩展名不符"
            elif broken:
                text = f"的{broken}"
            elif media not in allowed:
                text = f"的文件类型不对，应为{'或'.join(MEDIA_LABELS[m] for m in allowed)}"
            else:
                continue
        labels = case_field(["evidence", "[]", "kind"]).labels
        yield FileProblem(str(item.get("id", "")), labels.get(kind, kind), name, text, f"$.evidence[{i}].file")
