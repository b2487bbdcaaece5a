"""Fixity: the archive is a BagIt bag (RFC 8493) with SHA-256 manifests, made and verified by the
Library of Congress's bagit library; ``verify`` reports every changed, missing and unexpected file."""

from __future__ import annotations

import datetime as dt
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import bagit

from docgen.errors import InputError

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
    files: int
    problems: list[str]


def verify_bag(path: Path) -> Verification:
    """Every problem with the bag at ``path``: changed, missing and unexpected files, a broken manifest."""
    special = _special_files(path)
    try:
        bag = bagit.Bag(str(path))
    except bagit.BagError as exc:
        raise InputError(str(path), f"不是 docgen 生成的档案（BagIt）：{exc}") from exc
    except (UnicodeError, ValueError, OSError) as exc:  # bagit.txt or a manifest that is not text
        raise InputError(str(path), f"档案的 BagIt 说明文件无法读取（{type(exc).__name__}），档案已损坏") from None
    problems: list[str] = [f"{_SPECIAL}{p}" for p in special]
    for rel in special:
        bag.entries.pop(rel, None)  # hashing a pipe would wait for a writer forever: report it, never open it
    # bag.validate() stops at its first failing stage (the Payload-Oxum count), but an auditor needs
    # every changed, missing and unexpected file: run bagit's stages one by one and keep all details.
    stages = (bag._validate_structure, bag._validate_bagittxt, bag._validate_completeness,
              lambda: bag._validate_entries(processes=1))
    for stage in stages:
        try:
            stage()
        except bagit.BagValidationError as exc:
            problems += [_describe(d) for d in exc.details] or [str(exc.message)]
    missing = {p.removeprefix(_MISSING) for p in problems if p.startswith(_MISSING)}
    problems = [p for p in problems if not (p.startswith(_CHANGED) and p.removeprefix(_CHANGED) in missing)]
    return Verification(len(bag.payload_entries()), sorted(dict.fromkeys(problems)))


_CHANGED, _MISSING, _UNEXPECTED = "文件已被修改：", "文件缺失：", "多出文件（清单中没有）："
_SPECIAL = "不是普通文件（管道、设备或套接字），未读取："


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


def _describe(detail: object) -> str:
    path = getattr(detail, "path", "")
    if isinstance(detail, bagit.ChecksumMismatch):
        return _CHANGED + path
    if isinstance(detail, bagit.FileMissing):
        return _MISSING + path
    if isinstance(detail, bagit.UnexpectedFile):
        return _UNEXPECTED + path
    return str(detail)
