"""Fixity: the archive is a BagIt bag (RFC 8493) with SHA-256 manifests, made and verified by the
Library of Congress's bagit library; ``verify`` reports every changed, missing and unexpected file.

The manifests are looked over first (UTF-8, each line a checksum and a path inside the bag): a damaged one is
named by file and line. bagit.txt and bag-info.txt are not trusted to read the bag (docgen's bags are always
BagIt 0.97 in UTF-8): when they are damaged, the tag manifest reports them as changed like any other file."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

import bagit

from docgen.errors import InputError
from docgen.problems import Problem

logging.getLogger("bagit").setLevel(logging.CRITICAL)  # it logs each problem in English; we report them in Chinese


def make_bag(folder: Path, *, county: str, schools: list[str], as_of: dt.date, students: int, files: int) -> None:
    """Turn ``folder`` into a bag in place (the payload moves under data/)."""
    info = {
        "Source-Organization": county or "（未注明县）",
        "External-Description": "控辍保学迎检档案（一生一案）",
        "Bagging-Date": dt.date.today().isoformat(),
        "Docgen-As-Of": as_of.isoformat(),
        "Docgen-Schools": "、".join(schools),
        "Docgen-Students": str(students),
        "Docgen-Files": str(files),
    }
    bagit.make_bag(str(folder), info, processes=1, checksums=["sha256"])


@dataclass(frozen=True)
class Verification:
    """What verifying a bag found: how many files it holds, and a problem per changed, missing, unexpected or
    unreadable file (the file as the problem's place, what happened to it as its message)."""

    files: int
    problems: list[Problem]


class _DocgenBag(bagit.Bag):
    """A bag docgen made: BagIt 0.97, tag files in UTF-8, whatever its bagit.txt and bag-info.txt now say. A damaged
    bagit.txt is then one changed file the tag manifest finds, not a reason to verify nothing."""

    def _open(self) -> None:
        self.tags = {"BagIt-Version": "0.97", "Tag-File-Character-Encoding": "UTF-8"}
        self._version, self.version_info, self.tag_file_name, self.encoding = "0.97", (0, 97), "bag-info.txt", "utf-8"
        try:
            self.info = bagit._load_tag_file(os.path.join(self.path, self.tag_file_name), encoding="utf-8")
        except (OSError, UnicodeError, ValueError):
            self.info = {}  # a damaged bag-info.txt is a changed file (the tag manifest says so); nothing here needs it
        self._load_manifests()


MANIFESTS = ("manifest-sha256.txt", "tagmanifest-sha256.txt")
TAG_FILES = ("bagit.txt", "bag-info.txt", "manifest-sha256.txt")  # what make_bag lists in the tag manifest


def _manifest_problems(root: Path) -> list[str]:
    """What is wrong with the manifests themselves (the lists of checksums), by file and line, in Chinese."""
    problems = []
    for name in MANIFESTS:
        try:
            text = (root / name).read_bytes().decode("utf-8")
        except FileNotFoundError:
            problems.append(f"缺少 {name}（校验码清单）")
            continue
        except UnicodeDecodeError as exc:
            problems.append(f"{name} 不是 UTF-8 文本（第 {exc.start + 1} 个字节处），已损坏")
            continue
        except OSError as exc:
            problems.append(f"{name} 无法读取（{exc.strerror or exc}）")
            continue
        seen: set[str] = set()
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            parts = line.split(None, 1)
            if len(parts) < 2 or not _SHA256.fullmatch(parts[0]):
                problems.append(f"{name} 第 {number} 行已损坏（应为 64 位十六进制校验码、空格和文件路径）")
                continue
            file, payload = parts[1].strip(), name == MANIFESTS[0]
            if "\0" in file or file.startswith("/") or ".." in file.split("/") or file.startswith("data/") != payload:
                what = "文件" if payload else "说明文件"
                problems.append(f"{name} 第 {number} 行的路径 {file[:80]!r} 不是本档案中的{what}")
            elif file in seen:
                problems.append(f"{name} 第 {number} 行重复列出了 {file[:80]}")
            seen.add(file)
        if name == MANIFESTS[1]:
            problems += [f"{name} 中缺少 {tag} 的校验码" for tag in TAG_FILES if tag not in seen]
    return problems


_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


def verify_bag(path: Path) -> Verification:
    """Every problem with the bag at ``path``: changed, missing and unexpected files, a broken manifest.

    InputError (exit 2) when ``path`` is no bag, or when a manifest is itself damaged (its lines cannot be read as
    checksums and paths inside the bag: which line of which file is named); every other change is a problem.
    """
    if not path.is_dir() or not ((path / "bagit.txt").exists() or (path / MANIFESTS[0]).exists()):
        raise InputError(str(path), "不是 docgen 生成的档案（BagIt）：没有 bagit.txt 和校验码清单")
    broken = _manifest_problems(path)
    if broken:
        raise InputError(str(path), f"档案的校验码清单已损坏，无法逐一校验：{'；'.join(broken[:3])}"
                                    + (f" 等 {len(broken)} 处" if len(broken) > 3 else ""))
    special = _special_files(path)
    try:
        bag = _DocgenBag(str(path))
    except (bagit.BagError, OSError, UnicodeError, ValueError) as exc:  # checked above: should not happen
        raise InputError(str(path), f"档案的校验码清单已损坏，无法逐一校验（{exc}）") from None
    problems = [Problem(rel, "", _SPECIAL, id="bag.special") for rel in special]
    for rel in special:
        bag.entries.pop(rel, None)  # hashing a pipe would wait for a writer forever: report it, never open it
    # bag.validate() stops at its first failing stage (the Payload-Oxum count), but an auditor needs
    # every changed, missing and unexpected file: run bagit's stages one by one and keep all details.
    stages = (bag._validate_structure, bag._validate_completeness, lambda: bag._validate_entries(processes=1))
    for stage in stages:
        try:
            stage()
        except bagit.BagValidationError as exc:
            problems += [_describe(d) for d in exc.details] or [_structure(str(exc.message))]
        except OSError as exc:  # a listed path that is a folder, or unreadable
            where = os.path.relpath(exc.filename, path) if exc.filename else ""
            message = "文件无法读取" if where else f"文件无法读取（{exc}）"
            problems.append(Problem(where, "", message, id="bag.unreadable"))
    missing = {p.file for p in problems if p.id == "bag.missing"}
    problems = [p for p in problems if not (p.id == "bag.changed" and p.file in missing)]
    return Verification(len(bag.payload_entries()), sorted(dict.fromkeys(problems), key=lambda p: (p.file, p.id)))


_CHANGED, _MISSING, _UNEXPECTED = "文件已被修改", "文件缺失", "多出文件（清单中没有）"


def _structure(message: str) -> Problem:
    """bagit's message about the bag's layout, in Chinese."""
    if "data directory" in message:
        return Problem("data", "", "缺少 data 目录（档案的全部内容）", id="bag.structure")
    if "bagit.txt" in message:
        return Problem("bagit.txt", "", "缺少 bagit.txt", id="bag.structure")
    return Problem("", "", message, id="bag.structure")


_SPECIAL = "不是普通文件（管道、设备或套接字），未读取"


def _special_files(root: Path) -> list[str]:
    """Paths (relative to the bag, / separated) of everything that is neither a folder, a file nor a link."""
    found = []
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            full = Path(folder) / name
            mode = full.lstat().st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode)):
                found.append(full.relative_to(root).as_posix())
    return sorted(found)


def _describe(detail: object) -> Problem:
    """One of bagit's typed details as a problem at its file."""
    path = str(getattr(detail, "path", ""))
    if isinstance(detail, bagit.ChecksumMismatch):
        return Problem(path, "", _CHANGED, id="bag.changed")
    if isinstance(detail, bagit.FileMissing):
        return Problem(path, "", _MISSING, id="bag.missing")
    if isinstance(detail, bagit.UnexpectedFile):
        return Problem(path, "", _UNEXPECTED, id="bag.unexpected")
    return Problem(path, "", str(detail), id="bag.other")
