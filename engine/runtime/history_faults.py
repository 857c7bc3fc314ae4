"""Why the run history cannot be opened or written, told apart from real damage.

Only a damaged file (SQLite says "file is not a database" or "database disk image is malformed") is moved aside. A
full disk, a read-only folder or file, a permission refused, a database locked by another process and other I/O
errors leave the file as it is: they are reported in one line and the history tries again later.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

# SQLite's primary result codes (the low byte of an extended code)
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 26
_DAMAGE_WORDS = ("file is not a database", "database disk image is malformed")


@dataclass(frozen=True, slots=True)
class Fault:
    """A reason the history cannot be written for now: ``kind`` (full, read-only, denied, locked, io), what it is
    in words, and until when runs go on unrecorded."""

    kind: str
    what: str
    until: str = "until it can be written again"

    def line(self, path: Path) -> str:
        """The one line a person reads in the log or on stderr."""
        return f"the run history cannot be written: {self.what} ({path}); runs go on unrecorded {self.until}"


def damaged(exc: BaseException) -> bool:
    """Whether ``exc`` says the database file itself is damaged (the only case that moves it aside)."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in (_CORRUPT, _NOTADB):
        return True
    return any(words in str(exc) for words in _DAMAGE_WORDS)


def classify(exc: BaseException, path: Path) -> Fault:
    """The fault ``exc`` (from SQLite or the file system, not damage) stands for, for the database at ``path``."""
    if isinstance(exc, OSError):
        return _from_errno(exc.errno, exc, path)
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if code is not None else None
    text = str(exc)
    if primary == _FULL or "disk is full" in text:
        return _full()
    if primary in (_BUSY, _LOCKED) or "locked" in text or "busy" in text:
        return Fault("locked", "the database is locked by another process", "until it is free")
    if primary == _READONLY or "readonly" in text:
        return _read_only(path)
    if primary in (_CANTOPEN, _IOERR):  # SQLite does not say why: look at the folder
        return _folder_fault(path) or Fault("io", text)
    return Fault("io", text or type(exc).__name__)


def _from_errno(code: int | None, exc: OSError, path: Path) -> Fault:
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return _full()
    if code == errno.EROFS:
        return _read_only(path)
    if code in (errno.EACCES, errno.EPERM):
        return Fault("denied", "permission denied", "until it may be written")
    return Fault("io", exc.strerror or str(exc))


def _full() -> Fault:
    return Fault("full", "the disk is full", "until there is room")


def _read_only(path: Path) -> Fault:
    folder = _existing(path.parent)
    if _mounted_read_only(folder) or not os.access(folder, os.W_OK):
        return Fault("read-only", "its folder is read-only", "until it can be written")
    return Fault("read-only", "the file is read-only", "until it can be written")


def _folder_fault(path: Path) -> Fault | None:
    """What keeps SQLite from opening or writing ``path``, judged from its folder (None if nothing visible)."""
    folder = _existing(path.parent)
    if _mounted_read_only(folder):
        return _read_only(path)
    try:
        if os.statvfs(folder).f_bavail == 0:
            return _full()
    except (OSError, AttributeError):
        pass
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.R_OK | os.W_OK)):
        return Fault("denied", "permission denied", "until it may be written")
    return None


def _mounted_read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs on Windows
        return False


def _existing(folder: Path) -> Path:
    """``folder`` or its nearest parent that exists (the data folder may not have been made yet)."""
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    return folder


def rollback(db: sqlite3.Connection) -> None:
    """Roll back what is left of a failed transaction; SQLite may have rolled it back itself already (a full disk
    does), and a failing ROLLBACK must not replace the error that says why the write failed."""
    if db.in_transaction:
        try:
            db.execute("ROLLBACK")
        except sqlite3.Error:
            pass
