"""The versions database: every saved content of each workflow file, numbered per file (v1, v2...).

It lives in the user's data folder (``versions.sqlite3`` next to the run history), never in the workspace, so a
workspace under git or shared with others holds no copies. A version's text is stored once per content (its SHA-256;
zlib-compressed), however many files or versions share it. A new version is kept only when the content differs from
that file's latest version. Files are told apart by their absolute path (a renamed file starts a new history).

Retention (applied to a file whenever it gets a new version): every version from the last ``KEEP_DAYS`` days, and the
newest ``KEEP_LATEST`` whatever their age; an older one goes, and a content no version names any more goes with it.
Numbers are never reused: v7 stays v7 after v1-v6 are gone.

What records a version: every save in the app (source ``app``; just before it, the file's content on disk when it
is not a version yet, e.g. edited in another editor: source ``disk``), and every run of a workflow file by the daemon,
the app or ``flowdeck run`` when the file's content is not a version yet (source ``run``: a file edited in another
editor gets a version the first time it runs) - the run history names the version each run ran.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

KEEP_DAYS = 30  # every version younger than this is kept
KEEP_LATEST = 100  # and the newest this many of each file, whatever their age
FILE_NAME = "versions.sqlite3"
# a version's one-line summary is worked out when it is kept, for files up to this size; a bigger file's when it is
# first listed (a save or a run of a 1,000-step file does not wait the ~0.1 s two parses take)
SUMMARY_NOW_BYTES = 32_000
SCHEMA = """
CREATE TABLE IF NOT EXISTS contents (digest TEXT PRIMARY KEY, size INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS versions (
    file TEXT NOT NULL, number INTEGER NOT NULL, digest TEXT NOT NULL, saved REAL NOT NULL, source TEXT NOT NULL,
    summary TEXT NOT NULL, PRIMARY KEY (file, number));
CREATE INDEX IF NOT EXISTS versions_by_digest ON versions (digest);
"""
_COLUMNS = "v.file, v.number, v.digest, v.saved, v.source, v.summary, c.size"
_SAID: set[str] = set()  # faults the log has told (once per process and kind)


@dataclass(frozen=True, slots=True)
class Version:
    """One kept version of one file (its text: ``VersionStore.text``)."""

    file: str
    number: int
    digest: str
    saved: float
    source: str  # app (a save in the app), disk (found on disk before a save) or run (found new by a run)
    summary: str  # what changed since the version before, in one line
    size: int

    @property
    def label(self) -> str:
        return f"v{self.number}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def default_versions_path() -> Path:
    """``versions.sqlite3`` in the user's data folder (next to the run history)."""
    import platformdirs

    return platformdirs.user_data_path("flowdeck") / FILE_NAME


def file_key(file: str | os.PathLike[str]) -> str:
    """How the store names a workflow file: its absolute path."""
    return str(Path(file).expanduser().resolve())


class VersionStore:
    """The versions database; thread-safe, and safe to share with other processes (SQLite WAL, short writes)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_versions_path()
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._seen: dict[str, tuple[int, int, int]] = {}  # file -> (mtime_ns, size, number): runs skip unchanged files

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=5.0)
            try:
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = NORMAL")
                db.executescript(SCHEMA)
            except sqlite3.DatabaseError as exc:
                db.close()
                if "not a database" not in str(exc) and "malformed" not in str(exc):
                    raise
                self._move_aside(str(exc))
                return self._db
            self._conn = db
        return self._conn

    def _move_aside(self, reason: str) -> None:
        aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        self.path.rename(aside)
        log.warning("versions database %s is damaged (%s); moved it to %s and started afresh", self.path, reason,
                    aside.name)  # fmt: skip

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # -- writing ---------------------------------------------------------------------------------
    def record(self, file: str | os.PathLike[str], text: str, source: str, when: float | None = None) -> Version:
        """Keep ``text`` as the newest version of ``file`` (the latest one when it is the same content)."""
        with self._writing() as db:
            return self._keep(db, file_key(file), text, source, when, summarise=True)

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """The database in a write transaction of its own, committed at the end (rolled back on any error)."""
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise

    def _keep(
        self, db: sqlite3.Connection, key: str, text: str, source: str, when: float | None, summarise: bool
    ) -> Version:
        """``record`` inside the caller's transaction; without ``summarise`` a new version's summary is worked out
        when listed (_summarise), as a big file's is."""
        from engine.versions.diff import compare

        data = text.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        latest = self._latest(db, key)
        if latest is not None and latest.digest == digest:
            return latest
        earlier = db.execute("SELECT max(number) FROM versions WHERE file = ? AND digest = ?", (key, digest)).fetchone()
        summary = ""  # worked out when listed (_summarise)
        if earlier[0]:
            summary = f"back to v{earlier[0]}"
        elif summarise and len(data) <= SUMMARY_NOW_BYTES:
            previous = self._text(db, latest.digest) if latest is not None else None
            if len(previous or "") <= SUMMARY_NOW_BYTES:
                summary = compare(previous, text).line()
        db.execute("INSERT OR IGNORE INTO contents VALUES (?,?,?)", (digest, len(data), zlib.compress(data)))
        number = (latest.number if latest is not None else 0) + 1
        saved = time.time() if when is None else when
        db.execute("INSERT INTO versions VALUES (?,?,?,?,?,?)", (key, number, digest, saved, source, summary))
        self._prune(db, key)
        return Version(key, number, digest, saved, source, summary, len(data))

    def record_path(self, file: str | os.PathLike[str], source: str) -> Version:
        """Keep the file's content as it is on disk now."""
        return self.record(file, Path(file).read_bytes().decode("utf-8", errors="replace"), source)

    def for_run(self, file: str | os.PathLike[str]) -> int | None:
        """The number of the version of ``file`` a run starting now runs (recorded first if the content is new).
        A file unchanged since the last call (same modification time and size) is not read again."""
        name = os.fspath(file)
        stat = os.stat(name)
        known = self._known(name, stat)
        if known is not None:
            return known
        version = self.record_path(name, "run")
        self._seen[name] = (stat.st_mtime_ns, stat.st_size, version.number)
        return version.number

    def for_runs(self, files: list[str]) -> list[int | None]:
        """``for_run`` of runs starting together (200 schedule fires due in one second), the new versions kept in one
        transaction with their summaries worked out when listed: one commit and no YAML parse per file on the
        path that starts the runs. A file that cannot be read gets None; a database fault raises."""
        numbers: list[int | None] = [None] * len(files)
        new: dict[str, tuple[os.stat_result, str, list[int]]] = {}
        for i, name in enumerate(files):
            try:
                stat = os.stat(name)
                numbers[i] = self._known(name, stat)
                if numbers[i] is not None:
                    continue
                if name in new:
                    new[name][2].append(i)
                else:
                    new[name] = (stat, Path(name).read_bytes().decode("utf-8", errors="replace"), [i])
            except OSError as exc:  # no version to name: the run is recorded without one, as for_run's caller does
                said(f"the run history cannot name the version of {name}: {exc}", type(exc).__name__)
        if not new:
            return numbers
        with self._writing() as db:
            kept = {name: self._keep(db, file_key(name), text, "run", None, summarise=False).number
                    for name, (_stat, text, _at) in new.items()}  # fmt: skip
        for name, (stat, _text, at) in new.items():
            self._seen[name] = (stat.st_mtime_ns, stat.st_size, kept[name])
            for i in at:
                numbers[i] = kept[name]
        return numbers

    def _known(self, name: str, stat: os.stat_result) -> int | None:
        """The version number a run of ``name`` last had, if the file is unchanged since (modification time, size)."""
        seen = self._seen.get(name)
        return seen[2] if seen is not None and seen[:2] == (stat.st_mtime_ns, stat.st_size) else None

    def open(self) -> None:
        """Open the database now (its module and connection ready before fires due together need them)."""
        with self._lock:
            _ = self._db  # the property opens it

    def _prune(self, db: sqlite3.Connection, key: str) -> None:
        cutoff = time.time() - KEEP_DAYS * 86400
        row = db.execute(
            "SELECT number FROM versions WHERE file = ? ORDER BY number DESC LIMIT 1 OFFSET ?", (key, KEEP_LATEST - 1)
        ).fetchone()
        if row is None:
            return  # fewer than KEEP_LATEST: all kept
        gone = db.execute("DELETE FROM versions WHERE file = ? AND number < ? AND saved < ?", (key, row[0], cutoff))
        if gone.rowcount:
            db.execute("DELETE FROM contents WHERE digest NOT IN (SELECT digest FROM versions)")

    # -- reading ---------------------------------------------------------------------------------
    def versions(self, file: str | os.PathLike[str], limit: int | None = None) -> list[Version]:
        """The kept versions of ``file``, newest first."""
        sql = f"SELECT {_COLUMNS} FROM versions v JOIN contents c USING (digest) WHERE v.file = ? ORDER BY number DESC"
        args: tuple[Any, ...] = (file_key(file),)
        if limit is not None:
            sql, args = sql + " LIMIT ?", (*args, limit)
        with self._lock:
            found = [Version(*row) for row in self._db.execute(sql, args).fetchall()]
        return [self._summarise(v) if not v.summary else v for v in found]

    def _summarise(self, version: Version) -> Version:
        """A version kept without its summary (a big file): what changed since the version before, stored now."""
        from dataclasses import replace

        from engine.versions.diff import compare

        with self._lock:
            db = self._db
            row = db.execute(
                "SELECT digest FROM versions WHERE file = ? AND number < ? ORDER BY number DESC LIMIT 1",
                (version.file, version.number),
            ).fetchone()
            previous = self._text(db, row[0]) if row else None
            summary = compare(previous, self._text(db, version.digest)).line()
            db.execute(
                "UPDATE versions SET summary = ? WHERE file = ? AND number = ?", (summary, version.file, version.number)
            )
        return replace(version, summary=summary)

    def get(self, file: str | os.PathLike[str], number: int) -> Version | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM versions v JOIN contents c USING (digest) WHERE v.file = ? AND v.number = ?",
                (file_key(file), number),
            ).fetchone()
        return Version(*row) if row else None

    def text(self, version: Version) -> str:
        with self._lock:
            text = self._text(self._db, version.digest)
        if text is None:
            raise LookupError(f"the content of {version.label} of {version.file} is gone")
        return text

    def latest(self, file: str | os.PathLike[str]) -> Version | None:
        with self._lock:
            return self._latest(self._db, file_key(file))

    @staticmethod
    def _latest(db: sqlite3.Connection, key: str) -> Version | None:
        row = db.execute(
            f"SELECT {_COLUMNS} FROM versions v JOIN contents c USING (digest) WHERE v.file = ?"
            " ORDER BY number DESC LIMIT 1",
            (key,),
        ).fetchone()
        return Version(*row) if row else None

    @staticmethod
    def _text(db: sqlite3.Connection, digest: str) -> str | None:
        row = db.execute("SELECT data FROM contents WHERE digest = ?", (digest,)).fetchone()
        return zlib.decompress(row[0]).decode("utf-8") if row else None


def record_file(file: str | os.PathLike[str], source: str = "app", store: VersionStore | None = None) -> Version | None:
    """Keep the file's content as a version; never raises (a save or a run must not fail for its version: the
    fault is logged once per kind, and None returned)."""
    own = store is None
    store = store if store is not None else VersionStore()
    try:
        return store.record_path(file, source)
    except (OSError, sqlite3.Error, UnicodeError) as exc:
        said(f"could not keep a version of {file}: {exc}", type(exc).__name__)
        return None
    finally:
        if own:
            store.close()


def keep_before_save(file: str | os.PathLike[str]) -> Version | None:
    """Before the app overwrites ``file``: keep what is on disk if it is not a version yet (a file never saved by the
    app, or edited in another editor since), so that no content is lost to a save. Never raises."""
    return record_file(file, "disk") if Path(file).is_file() else None


def said(message: str, kind: str) -> None:
    """Log a versions fault once per process and kind."""
    if kind not in _SAID:
        _SAID.add(kind)
        log.warning("%s", message)
    else:
        log.debug("%s", message)
