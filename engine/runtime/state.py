"""The per-workflow key-value store that survives between runs ("only notify once", counters).

``StateDB`` is one SQLite database (WAL, busy timeout) in the user's data folder, shared by ``flowdeck run``, the
daemon and the app; ``WorkflowState`` is one workflow's view of it, keyed by the workflow file's resolved path.
Every change is one SQLite transaction, so a crash (even SIGKILL) never leaves half a value, and two processes that
write at once wait for each other instead of losing a write. ``MemoryState`` is the stand-in for runs without a file.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import StepError

BUSY_TIMEOUT = 10.0  # seconds a state change waits for another process's change before the step fails
STATE_FILE = "state.sqlite3"

SCHEMA = """
CREATE TABLE IF NOT EXISTS saved (
    workflow TEXT NOT NULL,      -- the workflow's identity: its file's resolved path
    name TEXT NOT NULL,          -- the workflow's name when the value was set (to find and show it)
    key TEXT NOT NULL,
    value TEXT NOT NULL,         -- JSON
    set_at REAL NOT NULL,        -- seconds since the epoch
    PRIMARY KEY (workflow, key)
);
CREATE INDEX IF NOT EXISTS saved_by_name ON saved (name);
"""


_HINTS = (  # what an SQLite or OS error means for a person
    ("readonly", "the file or its folder is read-only"),
    ("Permission denied", "the folder is read-only"),
    ("Read-only file system", "the disk is mounted read-only"),
    ("unable to open", "is its folder read-only?"),
    ("disk I/O error", "is the disk full?"),
    ("not a database", "the file is damaged; move it away to start with no saved values"),
    ("malformed", "the file is damaged; move it away to start with no saved values"),
)


def _is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite's "another connection holds the lock" (worth trying again)."""
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc))


def default_state_path() -> Path:
    """``state.sqlite3`` in the user's data folder, next to the run history."""
    import platformdirs

    return platformdirs.user_data_path("flowdeck") / STATE_FILE


@dataclass(frozen=True)
class Saved:
    """One saved value as ``flowdeck state`` and the app show it."""

    workflow: str  # the workflow's name
    path: str  # its identity (the resolved file path)
    key: str
    value: Any
    set_at: float


class MemoryState:
    """State that lives as long as the process (runs of a workflow that has no file, component tests)."""

    def __init__(self) -> None:
        self._data: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._siblings: dict[str, MemoryState] = {}

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            return self._data.get(key, default)

    def set(self, key: str, value: Any) -> None:
        with self._lock:
            self._data[key] = value

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def sibling(self, workflow: str, name: str) -> MemoryState:
        """The store of another workflow: one of its own, as long as this store lives."""
        with self._lock:
            return self._siblings.setdefault(workflow, MemoryState())

    def of(self, workflow: str, name: str, method: str, *args: Any) -> Any:
        """``method(*args)`` on the store of another workflow (how a run process reaches a child run's store)."""
        return getattr(self.sibling(workflow, name), method)(*args)

    def increment(self, key: str, by: float = 1, reset: bool = False) -> tuple[Any, float]:
        """Add ``by`` to the counter ``key`` (0 if unset) at once; returns (previous, new value)."""
        with self._lock:
            previous = self._data.get(key, 0)
            self._data[key] = value = _counted(key, previous, by, reset)
            return previous, value


def _counted(key: str, previous: Any, by: float, reset: bool) -> float:
    """The counter after adding ``by`` to ``previous`` (or 0 with ``reset``); a StepError if it is no number."""
    if isinstance(previous, bool) or not isinstance(previous, int | float):
        raise StepError(f"the saved value '{key}' is {previous!r}, not a number; it cannot be counted", "value")
    return 0 if reset else previous + by


def _encode(key: str, value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise StepError(f"the value for '{key}' cannot be saved: {exc} (save text, numbers, lists, mappings)", "value")


class StateDB:
    """The database of every workflow's saved values. Thread-safe; opened at its first use.

    Each process opens its own connection (one per process, guarded by a lock; a forked child opens its own).
    A failure to read or write (read-only folder, full disk, damaged file) raises StepError with one line that says
    what failed and where, so the step that touched the state fails with it.
    """

    def __init__(self, path: Path, busy_timeout: float = BUSY_TIMEOUT) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._pid = 0

    @classmethod
    def default(cls) -> StateDB:
        """The user's store (``default_state_path()``), the one the command, the daemon and the app share."""
        return cls(default_state_path())

    def store(self, workflow: str, name: str) -> WorkflowState:
        """The store of one workflow (``workflow`` is its identity, ``name`` how it is shown)."""
        return WorkflowState(self, workflow, name)

    # -- connection ------------------------------------------------------------------------------
    def _db(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False)
            try:
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: a crash loses no committed change
                db.executescript(SCHEMA)
            except BaseException:
                db.close()
                raise
            self._conn, self._pid = db, os.getpid()
        return self._conn

    def _fail(self, doing: str, exc: BaseException) -> StepError:
        reason = (exc.strerror or str(exc)) if isinstance(exc, OSError) else str(exc)
        for words, hint in _HINTS:
            if words in reason:
                reason = f"{reason} ({hint})"
                break
        self._conn = None  # reopen next time: the folder may be writable again
        return StepError(f"state: could not {doing} in {self.path}: {reason}", kind="state")

    def _read(self, doing: str, sql: str, params: tuple = ()) -> list[tuple]:
        deadline = time.monotonic() + self.busy_timeout
        with self._lock:
            while True:
                try:
                    return self._db().execute(sql, params).fetchall()
                except (sqlite3.Error, OSError) as exc:
                    if _is_busy(exc) and time.monotonic() < deadline:  # (see _write)
                        time.sleep(0.02)
                        continue
                    raise self._fail(doing, exc) from None

    def _write(self, doing: str, change: Any) -> Any:
        """``change(db)`` in one IMMEDIATE transaction; other writers wait up to the busy timeout.

        SQLite answers "locked" at once, without waiting, where waiting could deadlock (two processes that open a
        new database at the same moment and switch it to WAL, or a rollback-journal writer that commits while the
        other reads): the whole transaction is then tried again, with a short pause, until the busy timeout.
        """
        deadline = time.monotonic() + self.busy_timeout
        with self._lock:
            while True:
                try:
                    return self._attempt(change)
                except (sqlite3.Error, OSError) as exc:
                    if _is_busy(exc) and time.monotonic() < deadline:
                        time.sleep(0.02)
                        continue
                    raise self._fail(doing, exc) from None

    def _attempt(self, change: Any) -> Any:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            result = change(db)
            db.execute("COMMIT")
            return result
        except BaseException:
            try:
                db.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            raise

    # -- one workflow's values -------------------------------------------------------------------
    def get(self, workflow: str, key: str, default: Any = None) -> Any:
        if self._conn is None and not self.path.exists():  # nothing saved yet: no need to create the file
            return default
        rows = self._read(f"read '{key}'", "SELECT value FROM saved WHERE workflow = ? AND key = ?", (workflow, key))
        return json.loads(rows[0][0]) if rows else default

    def set(self, workflow: str, name: str, key: str, value: Any) -> None:
        text = _encode(key, value)
        self._write(
            f"save '{key}'",
            lambda db: db.execute(
                "INSERT OR REPLACE INTO saved (workflow, name, key, value, set_at) VALUES (?, ?, ?, ?, ?)",
                (workflow, name, key, text, time.time()),
            ),
        )

    def delete(self, workflow: str, key: str) -> None:
        self._write(
            f"forget '{key}'",
            lambda db: db.execute("DELETE FROM saved WHERE workflow = ? AND key = ?", (workflow, key)),
        )

    def increment(self, workflow: str, name: str, key: str, by: float = 1, reset: bool = False) -> tuple[Any, float]:
        """Add ``by`` to the counter in one transaction, so that counts from several processes add up."""

        def change(db: sqlite3.Connection) -> tuple[Any, float]:
            row = db.execute("SELECT value FROM saved WHERE workflow = ? AND key = ?", (workflow, key)).fetchone()
            previous = json.loads(row[0]) if row else 0
            value = _counted(key, previous, by, reset)
            db.execute(
                "INSERT OR REPLACE INTO saved (workflow, name, key, value, set_at) VALUES (?, ?, ?, ?, ?)",
                (workflow, name, key, _encode(key, value), time.time()),
            )
            return previous, value

        return self._write(f"count '{key}'", change)

    # -- all workflows (flowdeck state, the app) -------------------------------------------------
    def entries(self, workflows: list[str] | None = None) -> list[Saved]:
        """Saved values, by workflow name, path and key; only those of ``workflows`` (identities) if given."""
        if not self.path.exists():
            return []
        sql = "SELECT name, workflow, key, value, set_at FROM saved"
        params: tuple = ()
        if workflows is not None:
            sql += f" WHERE workflow IN ({', '.join('?' * len(workflows))})"
            params = tuple(workflows)
        rows = self._read("read the saved values", sql + " ORDER BY name, workflow, key", params)
        return [Saved(name, path, key, json.loads(value), set_at) for name, path, key, value, set_at in rows]

    def workflows_named(self, name: str) -> list[str]:
        """The identities of the workflows with saved values whose name is ``name``."""
        if not self.path.exists():
            return []
        rows = self._read("read the saved values", "SELECT DISTINCT workflow FROM saved WHERE name = ?", (name,))
        return sorted(r[0] for r in rows)

    def clear(self, workflow: str, key: str | None = None) -> int:
        """Forget the values of ``workflow`` (only ``key`` if given); returns how many were forgotten."""
        if self._conn is None and not self.path.exists():  # nothing was ever saved: create nothing
            return 0
        if key is None:
            sql, params = "DELETE FROM saved WHERE workflow = ?", (workflow,)
        else:
            sql, params = "DELETE FROM saved WHERE workflow = ? AND key = ?", (workflow, key)
        return int(self._write("forget saved values", lambda db: db.execute(sql, params).rowcount))

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None


class WorkflowState:
    """One workflow's saved values (the StateStore its runs see); a thin view of the shared ``StateDB``."""

    def __init__(self, db: StateDB, workflow: str, name: str) -> None:
        self.db, self.workflow, self.name = db, workflow, name

    def get(self, key: str, default: Any = None) -> Any:
        return self.db.get(self.workflow, key, default)

    def set(self, key: str, value: Any) -> None:
        self.db.set(self.workflow, self.name, key, value)

    def delete(self, key: str) -> None:
        self.db.delete(self.workflow, key)

    def increment(self, key: str, by: float = 1, reset: bool = False) -> tuple[Any, float]:
        """Add ``by`` to the counter ``key`` atomically (across processes); returns (previous, new value)."""
        return self.db.increment(self.workflow, self.name, key, by, reset)

    def sibling(self, workflow: str, name: str) -> WorkflowState:
        """The store of another workflow in the same database (a ``workflow.run`` child keeps its own values)."""
        return self.db.store(workflow, name)

    def of(self, workflow: str, name: str, method: str, *args: Any) -> Any:
        """``method(*args)`` on the store of another workflow (how a run process reaches a child run's store)."""
        return getattr(self.sibling(workflow, name), method)(*args)
