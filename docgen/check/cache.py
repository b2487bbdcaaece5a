"""What an audit keeps between runs, so a re-audit of an unchanged county opens and re-checks nothing.

Two kinds of result live in one small SQLite file in the user's cache folder ($DOCGEN_CACHE_DIR):
evidence file checks (see :class:`~docgen.check.files.FileChecker`) and whole audited cases
(:class:`CaseResults`). Results are written in batches, one transaction each, and a cache that cannot be
used (locked, full, unreadable) only costs speed: the audit then runs uncached.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sqlite3
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from docgen.fsutil import user_cache_dir

FLUSH_EVERY = 1000  # results kept per transaction
KEEP_DAYS = 60  # audited cases not seen again for this long are dropped

# The table of file checks is named anew whenever the checks of a file change (by_inode, then file_checks since
# PDFs are checked for compression bombs and Word files opened): a result of older checks is not trusted.
_SCHEMA = """
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
DROP TABLE IF EXISTS by_hash;
DROP TABLE IF EXISTS by_stat;
DROP TABLE IF EXISTS by_inode;
CREATE TABLE IF NOT EXISTS file_checks (device INTEGER NOT NULL, inode INTEGER NOT NULL, size INTEGER NOT NULL,
                                     mtime INTEGER NOT NULL, media TEXT, problem TEXT NOT NULL,
                                     PRIMARY KEY (device, inode, size, mtime));
CREATE TABLE IF NOT EXISTS cases (key TEXT PRIMARY KEY, files TEXT NOT NULL, stamps BLOB NOT NULL,
                                  audited BLOB NOT NULL, used TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS indexes (key TEXT PRIMARY KEY, spans BLOB NOT NULL, used TEXT NOT NULL);
"""
_INSERT = {
    "file_checks": "INSERT OR REPLACE INTO file_checks VALUES (?,?,?,?,?,?)",
    "cases": "INSERT OR REPLACE INTO cases VALUES (?,?,?,?,date('now'))",
    "touch": "UPDATE cases SET used = date('now') WHERE key = ?",
    "indexes": "INSERT OR REPLACE INTO indexes VALUES (?,?,date('now'))",
}


def default_cache_path() -> Path:
    """Where audit results are kept between runs: $DOCGEN_CACHE_DIR, else the user's cache folder."""
    return user_cache_dir() / "evidence-checks.sqlite"


class ResultStore:
    """The cache file: lookups at once, writes gathered and committed together (:meth:`flush`)."""

    def __init__(self, path: Path | None) -> None:
        self.db: sqlite3.Connection | None = None
        self.pending: dict[str, list[tuple[object, ...]]] = {table: [] for table in _INSERT}
        self.wrote = False
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, isolation_level=None, timeout=5)
            self.db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error):
            self.db = None

    def get(self, sql: str, args: tuple[object, ...]) -> Any:
        """The first row, or None (none found, no cache, or it cannot be read)."""
        rows = self.all(sql, args)
        return rows[0] if rows else None

    def all(self, sql: str, args: tuple[object, ...]) -> list[Any] | None:
        """Every row, or None when there is no cache or it cannot be read."""
        if self.db is None:
            return None
        try:
            return self.db.execute(sql, args).fetchall()
        except sqlite3.Error:
            return None

    def put(self, table: str, row: tuple[object, ...]) -> None:
        if self.db is None:
            return
        self.pending[table].append(row)
        if len(self.pending[table]) >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        if self.db is None or not any(self.pending.values()):
            return
        try:
            self.db.execute("BEGIN")
            for table, rows in self.pending.items():
                self.db.executemany(_INSERT[table], rows)
            self.db.execute("COMMIT")
            self.wrote = True
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")
        for rows in self.pending.values():
            rows.clear()

    def close(self) -> None:
        if self.db is not None:
            self.flush()
            with contextlib.suppress(sqlite3.Error):
                for table in ("cases", "indexes") if self.wrote else ():
                    self.db.execute(f"DELETE FROM {table} WHERE used < date('now', '-{KEEP_DAYS} days')")
            self.db.close()
            self.db = None


@cache
def code_fingerprint() -> str:
    """Changes whenever any of docgen's own code does (a result kept by other code is not trusted)."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for folder, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        for name in sorted(files):
            if name.endswith((".py", ".json", ".yaml")):
                info = os.stat(os.path.join(folder, name))
                h.update(f"{folder}/{name}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return h.hexdigest()


Stat = tuple[int, int, int, int] | None  # size, modification time, inode, mode; None: not there


def file_stats(folder: Path, names: Sequence[str]) -> list[Stat]:
    """What the evidence files named (relative to ``folder``) look like on disk now: size, time, inode, kind."""
    out: list[Stat] = []
    prefix = f"{folder}{os.sep}"  # the names are relative (case ID / file): joined by hand, 192,000 at a time
    for name in names:
        try:
            info = os.stat(prefix + name)
            out.append((info.st_size, info.st_mtime_ns, info.st_ino, info.st_mode))
        except (OSError, ValueError):
            out.append(None)
    return out


class CaseResults:
    """Audited cases kept by their exact text, the run's settings and their evidence files' stamps.

    ``salt`` holds everything else a case's findings depend on: docgen's code, the spec, the audit and
    check dates, the evidence folder. A case is found again only if its text (file name and JSON path
    included) is unchanged and every evidence file it names still has the same size, time and inode.
    """

    def __init__(self, store: ResultStore, salt: str) -> None:
        self.store, self.salt = store, salt.encode()

    def key(self, file: str, path: str, text: str) -> str:
        h = hashlib.sha256(self.salt)
        h.update(f"\0{file}\0{path}\0".encode())
        h.update(text.encode())
        return h.hexdigest()

    def get(self, key: str, folder: Path | None) -> Any:
        row = self.store.get("SELECT files, stamps, audited, used >= date('now') FROM cases WHERE key=?", (key,))
        if row is not None:
            names = row[0].split("\0") if row[0] else []
            if folder is None or pickle.dumps(file_stats(folder, names)) == row[1]:
                if not row[3]:  # seen again on a new day: kept longer (nothing is written on a second run that day)
                    self.store.put("touch", (key,))
                return pickle.loads(row[2])
        return None

    def put(self, key: str, names: Sequence[str], stats: list[Stat], audited: Any) -> None:
        """Keep ``audited`` with the evidence files' :func:`file_stats` as they were before it was checked."""
        self.store.put("cases", (key, "\0".join(names), pickle.dumps(stats),
                                 pickle.dumps(audited, pickle.HIGHEST_PROTOCOL)))


class FileIndexes:
    """Where the cases of case files lie (:class:`~docgen.cases.stream.CaseIndex`), by the files' SHA-256 and
    docgen's code, so that an unchanged file is cut into cases without being scanned again. Each lookup opens
    the cache on its own (the main process forks workers in between, which must not share a connection)."""

    def __init__(self, path: Path) -> None:
        self.path, self.code = path, code_fingerprint()

    def _key(self, digest: str) -> str:
        return hashlib.sha256(f"{self.code}\0{digest}".encode()).hexdigest()

    def get(self, digest: str) -> Any:
        store = ResultStore(self.path)
        try:
            row = store.get("SELECT spans FROM indexes WHERE key=?", (self._key(digest),))
        finally:
            store.close()
        return pickle.loads(row[0]) if row is not None else None

    def put(self, digest: str, index: Any) -> None:
        store = ResultStore(self.path)
        try:
            store.put("indexes", (self._key(digest), pickle.dumps(index, pickle.HIGHEST_PROTOCOL)))
        finally:
            store.close()
