"""Run history in SQLite (WAL): what ran, when, with which inputs and outputs.

Writes happen on a thread of the history's own, in batches: the event listener only appends to a queue. One row per
run and one row per step of a run (a step that runs many times, e.g. in a loop, keeps its last execution and its
attempt count; its log keeps the last ``MAX_LOG_LINES`` lines). Values longer than ``max_output_chars`` once written
as JSON are stored as a string that ends with ``TRUNCATED`` and the original size. The engine records a run's start
with ``begin`` (committed before the run's first step executes), so a process killed at any moment leaves no step
without its run. Retention is per workflow: a workflow's ``policy.history`` (told by the Engine through ``retain``)
is kept in the database, so every later prune applies it.

Faults never reach a run. Only a damaged file is moved aside (renamed ``*.corrupt-<time>``, and a fresh one is
created). A full disk, a read-only folder, a refused permission or a locked database are reported once, in one line
(log and ``problems``; engine.runtime.history_faults); the rows that could not be written wait in memory (at most
``MAX_UNWRITTEN_RUNS`` runs, the oldest dropped past that with a log line) and are written when the history tries
again: every ``RETRY_INTERVAL`` seconds and when a run starts.
"""

from __future__ import annotations

import logging
import os
import queue
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, NamedTuple

from engine.runtime import events as ev
from engine.runtime.history_faults import Fault, classify, damaged, rollback
from engine.runtime.history_read import HistoryQueries, HistoryUnavailable
from engine.runtime.history_rows import MAX_LOG_LINES, TRUNCATED, EventRows
from engine.runtime.owner import owns_row, this_process
from engine.runtime.records import Retention, RunRecord, StepRecord

__all__ = ["MAX_LOG_LINES", "TRUNCATED", "History", "HistoryUnavailable", "default_history_path"]
log = logging.getLogger(__name__)

PRUNE_INTERVAL = 600.0  # seconds between two automatic retention passes of a long-running process
_LINGER = 0.1  # seconds the writer waits after a wake-up so that bursts share one transaction (flush skips it)
_STOP = object()
_RETRY = object()  # the retry timer went off: try writing what waits
RETRY_INTERVAL = 5.0  # seconds between two attempts to write the history while it cannot be written
_SAID: dict[Path, str] = {}  # history file -> the kind of fault the log has said it has (once per process)
_SAID_LOCK = threading.Lock()
CHECKPOINT_BYTES = 4_000_000  # WAL size past which the writer checkpoints (about SQLite's own 1,000 pages)
MAX_UNWRITTEN_RUNS = 1000  # runs whose rows wait in memory while the history cannot be written; oldest dropped past it

_UNUSED_OWNER = "pid NOT IN (SELECT pid FROM runs WHERE status = 'running' AND pid IS NOT NULL)"
SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, workflow TEXT NOT NULL, path TEXT, trigger TEXT, source TEXT, status TEXT NOT NULL,
    started REAL, finished REAL, error TEXT, outputs TEXT, pid INTEGER, version INTEGER);
CREATE INDEX IF NOT EXISTS runs_by_workflow ON runs (workflow, started);
CREATE INDEX IF NOT EXISTS runs_by_start ON runs (started);
CREATE TABLE IF NOT EXISTS steps (
    run_id TEXT NOT NULL, step TEXT NOT NULL, block TEXT, status TEXT, inputs TEXT, output TEXT, logs TEXT,
    started REAL, duration REAL, attempts INTEGER, error TEXT, seq INTEGER, PRIMARY KEY (run_id, step));
CREATE TABLE IF NOT EXISTS retention (workflow TEXT PRIMARY KEY, keep_runs INTEGER, keep_days INTEGER);
CREATE TABLE IF NOT EXISTS owners (pid INTEGER PRIMARY KEY, boot TEXT, started TEXT);
"""
# ``owners``: the process behind each pid of ``runs.pid`` (engine.runtime.owner), written in the same transaction as
# the process's rows, so that a later process with the same pid (PID 1 in a container, a reboot) is not taken for a
# run's owner; an owner no running row names is forgotten at the next open.
# ``runs.version``: the version of the workflow file the run ran (engine.versions), added to older files on open.


class _Begun:
    """A run's row waiting for its commit in ``begin`` (``written``: None until a commit tried it)."""

    __slots__ = ("row", "written")

    def __init__(self, row: tuple[Any, ...]) -> None:
        self.row = row
        self.written: bool | None = None


class _Rows(NamedTuple):
    """Rows ready to write: run rows, step rows, retention."""

    runs: list[tuple[Any, ...]]
    steps: list[tuple[Any, ...]]
    kept: dict[str, Retention]


def default_history_path() -> Path:
    """``history.sqlite3`` in the user's data folder."""
    import platformdirs

    return platformdirs.user_data_path("flowdeck") / "history.sqlite3"


class History(EventRows, HistoryQueries):
    """The run history database. Thread-safe; subscribe ``listener`` to an Engine."""

    def __init__(
        self, path: Path, *, max_output_chars: int = 64_000, keep_runs: int = 200, keep_days: int = 30
    ) -> None:
        self.path = Path(path)
        self.max_output_chars = max_output_chars
        self.keep_runs = keep_runs
        self.keep_days = keep_days
        self.problems: list[str] = []
        self._lock = threading.RLock()  # the connection: opening it, its SQL (the records are the writer's own)
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._pending = 0
        self._idle = threading.Condition(threading.Lock())
        self._hurry = threading.Event()  # set by flush/close: write now, do not linger
        self._live: dict[str, tuple[RunRecord, dict[str, StepRecord]]] = {}
        # rows not written yet, by run (insertion order: oldest first); empty between batches unless the history is down
        self._unwritten: dict[str, tuple[RunRecord, dict[str, StepRecord]]] = {}
        self._unwritten_kept: dict[str, Retention] = {}
        self._fault: Fault | None = None  # why the history cannot be written now (None: it can)
        self._retry_at = 0.0
        self._next_prune = time.monotonic() + PRUNE_INTERVAL
        self._wal = f"{self.path}-wal"
        self._begun: list[_Begun] = []  # rows of runs beginning now, committed together (begin)
        self._begun_lock = threading.Lock()
        self._checkpointer: sqlite3.Connection | None = None  # the writer thread's, for _checkpoint
        self._conn: sqlite3.Connection | None = None
        self._versions: Any = None  # engine.versions.VersionStore, opened by the first run of a file
        self._conn = self._open()
        self._retention = self._read_retention()  # workflow -> its policy.history, as the database holds it
        self._thread = threading.Thread(target=self._write_loop, name="flowdeck-history", daemon=True)
        self._thread.start()

    @property
    def _db(self) -> sqlite3.Connection:
        """The connection; reading a closed History reopens it (a view may still page through runs after shutdown)."""
        if self._conn is None:
            self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=2.0)
        return self._conn

    @property
    def down(self) -> str | None:
        """The one-line reason the history cannot be written now, or None when it can."""
        fault = self._fault
        return fault.line(self.path) if fault is not None else None

    # -- opening -----------------------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection | None:
        """The database, ready to write; None (reported) when a fault keeps it from being opened for now."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return self._connect()
        except (sqlite3.Error, OSError) as exc:
            if not damaged(exc):
                self._went_down(exc)
                return None
            reason = str(exc)
        try:
            self._move_aside(reason)
            return self._connect()
        except (sqlite3.Error, OSError) as exc:
            self._went_down(exc)
            return None

    def _move_aside(self, reason: str) -> None:
        stamp = f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}"
        aside, n = self.path.with_name(stamp), 1
        while aside.exists():  # twice in one second: never over an earlier damaged file
            n += 1
            aside = self.path.with_name(f"{stamp}-{n}")
        for suffix in ("-wal", "-shm"):
            extra = Path(str(self.path) + suffix)
            if extra.exists():
                extra.rename(Path(str(aside) + suffix))
        self.path.rename(aside)
        self._problem(f"run history {self.path} is damaged ({reason}); moved it to {aside.name} and started afresh")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=2.0)
        try:
            db.execute("PRAGMA auto_vacuum = INCREMENTAL")  # only takes effect on a new file, before any table
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            # SQLite would checkpoint inside whichever commit crosses its mark, often a run's begin on a fire's path
            # (a copy and two fsyncs): the writer thread does it instead, on a connection of its own (_checkpoint)
            db.execute("PRAGMA wal_autocheckpoint = 0")
            db.executescript(SCHEMA)
            _migrate(db)
            db.execute("SELECT count(*) FROM runs").fetchone()
            self._mark_interrupted(db)
        except BaseException:
            db.close()
            raise
        return db

    def _mark_interrupted(self, db: sqlite3.Connection) -> None:
        """Runs left 'running' by a process that is gone did not finish: say so. Owners no running row names any
        more are forgotten (a writer adds its own with every write: see ``_write_rows``)."""
        rows = db.execute(
            "SELECT r.run_id, r.pid, o.boot, o.started FROM runs AS r LEFT JOIN owners AS o ON o.pid = r.pid"
            " WHERE r.status = 'running'"
        ).fetchall()
        me = this_process()
        dead = [run_id for run_id, pid, boot, started in rows if not owns_row(me, pid, boot, started)]
        stale = db.execute(f"SELECT count(*) FROM owners WHERE {_UNUSED_OWNER}").fetchone()[0]
        if not dead and not stale:
            return  # nothing to write: a reader in a read-only folder writes nothing
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany("UPDATE runs SET status = 'interrupted' WHERE run_id = ?", [(r,) for r in dead])
            db.executemany(
                "UPDATE steps SET status = 'interrupted' WHERE run_id = ? AND status = 'running'", [(r,) for r in dead]
            )
            db.execute(f"DELETE FROM owners WHERE {_UNUSED_OWNER}")
            db.execute("COMMIT")
        except BaseException:
            rollback(db)
            raise

    def _read_retention(self) -> dict[str, Retention]:
        if self._conn is None:
            return {}  # not open (reported): retention is told again with the next runs
        try:
            rows = self._db.execute("SELECT workflow, keep_runs, keep_days FROM retention").fetchall()
        except sqlite3.Error:
            return {}
        return {name: Retention(runs, days) for name, runs, days in rows}

    def _problem(self, message: str) -> None:
        log.warning("%s", message)
        self.problems.append(message)

    # -- faults ------------------------------------------------------------------------------------
    def _went_down(self, exc: BaseException) -> None:
        """A write or open failed: say why once per outage (a new kind of fault is said too); try again later."""
        fault = classify(exc, self.path)
        if self._fault is None or self._fault.kind != fault.kind:
            self.problems.append(fault.line(self.path))
            with _SAID_LOCK:  # the app has two Histories on one file (engine and window): the log says it once
                said, _SAID[self.path] = _SAID.get(self.path), fault.kind
            if said != fault.kind:
                log.warning("%s", fault.line(self.path))
        log.debug("run history: %s: %s", type(exc).__name__, exc)
        self._fault = fault
        self._retry_at = time.monotonic() + RETRY_INTERVAL
        if self._conn is not None:  # opened afresh on the next attempt (a remounted folder, a freed lock)
            try:
                self._conn.close()
            except sqlite3.Error:
                pass
            self._conn = None

    def _came_back(self, runs: int) -> None:
        if self._fault is None:
            return
        self._fault = None
        with _SAID_LOCK:
            said = _SAID.pop(self.path, None)
        if said is not None:
            kept = f"; {runs} run{'s' if runs != 1 else ''} kept meanwhile were recorded" if runs else ""
            log.warning("the run history is written again (%s)%s", self.path, kept)
        with self._idle:  # what the database holds is merged under what this process was told meanwhile
            for name, kept in self._read_retention().items():
                self._retention.setdefault(name, kept)

    def _try_again(self) -> None:
        """Open the database again after a fault (call with ``_lock`` held); reported as down again if it fails."""
        try:
            self._connection()
        except (sqlite3.Error, OSError) as exc:
            self._went_down(exc)
        else:
            self._came_back(0)

    def _connection(self) -> sqlite3.Connection:
        """The connection to write with: the open one, or (while down) a fresh open that raises its fault."""
        if self._conn is not None:
            return self._conn
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = self._connect()
        except sqlite3.DatabaseError as exc:
            if not damaged(exc):
                raise
            self._move_aside(str(exc))
            self._conn = self._connect()
        return self._conn

    def _keep_bounded(self) -> None:
        """While the history is down, past ``MAX_UNWRITTEN_RUNS`` runs the oldest one's rows are dropped."""
        while len(self._unwritten) > MAX_UNWRITTEN_RUNS:
            run_id, (run, _steps) = next(iter(self._unwritten.items()))
            del self._unwritten[run_id]
            if run.status != "running":
                self._live.pop(run_id, None)
            log.warning(
                "run history: run %s of %s (%s) is not recorded: %d more runs wait to be written, at most %d are kept",
                run_id, run.workflow, run.status, len(self._unwritten), MAX_UNWRITTEN_RUNS,
            )  # fmt: skip

    # -- writing -----------------------------------------------------------------------------------
    def begin(
        self, run_id: str, workflow: str, *, path: str = "", trigger: dict[str, Any] | None = None, source: str = ""
    ) -> None:
        """Record that run ``run_id`` starts, committed when this returns (the engine calls it before the run's first
        step may execute, so a process killed a moment later leaves the run recorded: 'interrupted' at the next
        open). Never raises; while the history is down, the row waits with the others."""
        run = RunRecord(run_id, workflow, path, dict(trigger or {}), source, "running", time.time())
        run.version = self._version_of(path)
        if self._fault is None and self._live.setdefault(run_id, (run, {}))[0] is run:
            ticket = _Begun(self._run_row(run))
            with self._begun_lock:
                self._begun.append(ticket)
            with self._lock:  # held by the writer for its SQL only: never while it folds events or encodes rows
                if ticket.written is None and self._fault is None:
                    # group commit: runs that began meanwhile (on other threads, waiting here) go in the same one
                    with self._begun_lock:
                        group, self._begun = self._begun, []
                    written = self._write_rows(_Rows([t.row for t in group], [], {}))
                    for t in group:
                        t.written = written
                elif ticket.written is None:  # down meanwhile: out of the group (a later commit must not write it)
                    with self._begun_lock:
                        if ticket in self._begun:
                            self._begun.remove(ticket)
            if ticket.written:
                return
        self._queue.put(run)  # down: the writer keeps it and tries at once ("and on the next run"); no waiting here

    def _version_of(self, path: str) -> int | None:
        """The version of the workflow file a run starting now runs (kept first if its content is new); None when
        there is no file or it cannot be told (a run never fails for it; the fault is logged once)."""
        if not path:
            return None
        try:
            return self._version_store().for_run(path)
        except (OSError, sqlite3.Error, UnicodeError) as exc:
            from engine.versions.store import said

            said(f"the run history cannot name the version of {path}: {exc}", type(exc).__name__)
            return None
        except Exception:  # a bug here must never keep a run from starting
            log.exception("run history: could not tell the version of %s", path)
            return None

    def _versions_of(self, paths: list[str]) -> list[int | None]:
        """``_version_of`` of runs beginning together: new versions kept in one transaction (VersionStore.for_runs)."""
        named = [p for p in paths if p]
        try:
            store = self._version_store()
            found = dict(zip(named, store.for_runs(named), strict=True)) if named else {}
        except (OSError, sqlite3.Error, UnicodeError) as exc:
            from engine.versions.store import said

            said(f"the run history cannot name the versions of {len(named)} runs: {exc}", type(exc).__name__)
            return [None] * len(paths)
        except Exception:  # a bug here must never keep a run from starting
            log.exception("run history: could not tell the versions of %d runs", len(named))
            return [None] * len(paths)
        return [found.get(p) if p else None for p in paths]

    def _version_store(self) -> Any:
        from engine.versions.store import FILE_NAME, VersionStore

        if self._versions is None:
            self._versions = VersionStore(self.path.with_name(FILE_NAME))
        return self._versions

    def prepare(self, paths: list[str] | None = None) -> None:
        """Ready what the first run of a file needs (the versions module and database, and the versions of the
        workflow files at ``paths``): called shortly before several schedule fires are due together, so that
        their start neither imports nor opens it, and finds their files known. Never raises."""
        try:
            self._version_store().open()
        except Exception as exc:  # the run path reports a fault of its own when it matters
            log.debug("run history: versions not prepared: %s", exc)
            return
        if paths:
            self._versions_of(paths)

    def _add_begun(self, run: RunRecord) -> None:
        """A run begun while the history was down: its row waits with the others (writer thread)."""
        live = self._live.setdefault(run.run_id, (run, {}))
        if live[0] is run:
            self._unwritten.setdefault(run.run_id, live)

    def listener(self, event: ev.Event) -> None:
        """Queue ``event`` for the writer thread (cheap; never blocks the caller on the database)."""
        with self._idle:
            self._pending += 1
        self._queue.put(event)

    def listen_batch(self, events: list[ev.Event]) -> None:
        """Queue a burst of events as one item (what the Engine subscribes: one hand-over per burst, not per event)."""
        with self._idle:
            self._pending += len(events)
        self._queue.put(events)

    def retain(self, workflow: str, retention: Retention) -> None:
        """Keep ``workflow``'s runs as its ``policy.history`` says (written with the next batch, only if it changed)."""
        with self._idle:
            if self._retention.get(workflow, Retention()) == retention:
                return
            self._retention[workflow] = retention
            self._pending += 1
        self._queue.put((workflow, retention))

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until every queued event is written (or, while the history is down, kept to be written later)."""
        deadline = time.monotonic() + timeout
        self._hurry.set()
        with self._idle:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self._idle.wait(left)

    def _write_loop(self) -> None:
        while True:
            wait = max(0.05, self._retry_at - time.monotonic()) if self._fault is not None else None
            try:
                batch = [self._queue.get(timeout=wait)]
            except queue.Empty:
                batch = [_RETRY]  # the retry timer
            if batch[0] is not _RETRY and self._hurry.wait(_LINGER):  # let more bursts arrive: fewer transactions
                self._hurry.clear()
            while True:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stop = any(x is _STOP for x in batch)
            events: list[ev.Event] = []
            kept: dict[str, Retention] = {}
            begun: list[RunRecord] = []  # runs begun while the history was down
            for item in batch:
                if isinstance(item, list):
                    events.extend(item)
                elif isinstance(item, tuple):
                    kept[item[0]] = item[1]
                elif isinstance(item, ev.Event):
                    events.append(item)
                elif isinstance(item, RunRecord):
                    begun.append(item)
            retry = bool(begun) or any(x is _RETRY for x in batch) or any(e.kind == ev.RUN_STARTED for e in events)
            try:
                self._apply(events, kept, begun, retry=retry or stop)
            except Exception as exc:  # a bug here must never reach the run
                log.exception("run history: could not write to %s", self.path)
                self.problems.append(f"could not write run history to {self.path}: {exc}")
            with self._idle:
                self._pending -= len(events) + sum(isinstance(x, tuple) for x in batch)
                self._idle.notify_all()
            if stop:
                self._give_up()
                return

    def _apply(
        self,
        events: list[ev.Event],
        kept: dict[str, Retention] | None = None,
        begun: list[RunRecord] | None = None,
        retry: bool = True,
    ) -> None:
        # The records are the writer thread's own (begin only adds a run it starts): no lock while folding.
        for run in begun or ():
            self._add_begun(run)
        unwritten = self._unwritten
        for event in events:
            record = self._update(event)
            if record is None:
                continue
            run, step = record
            rows = unwritten.get(run.run_id)
            if rows is None or rows[0] is not run:
                rows = unwritten[run.run_id] = (run, rows[1] if rows is not None else {})
            if step is not None:
                rows[1][step.step] = step
            elif event.kind == ev.RUN_FINISHED:
                for left in self._abandoned(run.run_id):
                    rows[1][left.step] = left
        self._unwritten_kept.update(kept or {})
        if self._fault is not None:
            self._keep_bounded()
            if not retry and time.monotonic() < self._retry_at:
                return  # down: the rows wait for the retry timer or the next run
        self._write_unwritten()
        if self._fault is None and time.monotonic() >= self._next_prune:
            self._next_prune = time.monotonic() + PRUNE_INTERVAL
            try:
                self.prune()
            except (sqlite3.Error, OSError) as exc:
                log.warning("run history: could not apply retention to %s: %s", self.path, exc)

    def _write_unwritten(self) -> bool:
        """Write every row waiting (writer thread); False (reported) if it failed, and the rows wait on."""
        runs, kept = self._unwritten, self._unwritten_kept
        if not runs and not kept:
            return True
        rows = _Rows(  # encoded before the lock is taken: a run's begin waits for the SQL only
            [self._run_row(r) for r, _ in runs.values()],
            [self._step_row(r.run_id, s) for r, steps in runs.values() for s in steps.values()],
            kept,
        )
        with self._lock:
            if not self._write_rows(rows):
                self._keep_bounded()
                return False
        for run, _ in runs.values():
            if run.status != "running":
                self._live.pop(run.run_id, None)
        self._unwritten, self._unwritten_kept = {}, {}
        self._checkpoint()
        return True

    def _checkpoint(self) -> None:
        """Copy the WAL back into the database once it passes ``CHECKPOINT_BYTES`` (writer thread). PASSIVE, on a
        connection of its own: a run's begin, writing meanwhile, neither waits for it nor pays for it."""
        try:
            if os.path.getsize(self._wal) < CHECKPOINT_BYTES:
                return
            if self._checkpointer is None:
                self._checkpointer = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except (OSError, sqlite3.Error) as exc:  # no WAL yet, or the disk is full: the next batch tries again
            log.debug("run history: no checkpoint now: %s", exc)

    def _write_rows(self, rows: _Rows, afresh: bool = True) -> bool:
        """Write ``rows`` in one transaction (``_lock`` held); False if it failed (reported: the history is down
        now). A file found damaged is moved aside and the rows go into a new one."""
        try:
            db = self._connection()
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany("INSERT OR REPLACE INTO runs VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows.runs)
                if rows.steps:
                    db.executemany("INSERT OR REPLACE INTO steps VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows.steps)
                if rows.kept:
                    self._write_retention(db, rows.kept)
                if rows.runs:  # in the same transaction: no row of this process's is ever without its owner
                    me = this_process()
                    db.execute("INSERT OR REPLACE INTO owners VALUES (?,?,?)", (me.pid, me.boot, me.started))
                db.execute("COMMIT")
            except BaseException:
                rollback(db)  # never hides why the write failed (a failed ROLLBACK used to say only that)
                raise
        except (sqlite3.Error, OSError) as exc:
            if damaged(exc) and afresh:  # found damaged while writing: aside with it, and the rows go into a fresh file
                return self._start_afresh(str(exc), rows)
            self._went_down(exc)
            return False
        self._came_back(len(rows.runs))
        return True

    def _start_afresh(self, reason: str, rows: _Rows) -> bool:
        """The open file turned out damaged: move it aside and write ``rows`` into a new one (once)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        try:
            self._move_aside(reason)
            self._conn = self._connect()
        except (sqlite3.Error, OSError) as exc:
            self._went_down(exc)
            return False
        return self._write_rows(rows, afresh=False)

    def _give_up(self) -> None:
        """At close, rows that still could not be written are lost: say how many."""
        count = len(self._unwritten)
        if count:
            what = self._fault.what if self._fault is not None else "it could not be written"
            log.warning("run history: %d run%s not recorded at exit (%s; %s)", count, "s" if count != 1 else "", what,
                        self.path)  # fmt: skip

    def close(self) -> None:
        """Write what is queued and close the database."""
        if not self._thread.is_alive():
            return
        self.flush()
        self._hurry.set()
        self._queue.put(_STOP)
        self._thread.join(5)
        with self._lock:
            for conn in (self._checkpointer, self._conn):
                if conn is not None:
                    conn.close()  # the last connection to close checkpoints the WAL and removes it
            self._conn = self._checkpointer = None
        if self._versions is not None:
            self._versions.close()

    def record_skipped(
        self,
        workflow: str,
        path: Path | str | None,
        trigger: dict[str, Any],
        reason: str,
        *,
        count: int = 1,
        when: float | None = None,
    ) -> str:
        """Record a fire that did not run: a ``runs`` row with status ``skipped``, the trigger, ``reason`` as its
        message and no steps; returns its run id. The same reason for the same workflow again within
        ``SKIP_COALESCE`` seconds of the previous one adds to that row's count instead of making a new row (a watch
        on a busy folder must not flood the history). Written through the event queue like a run."""
        moment = time.time() if when is None else when
        with _SKIP_LOCK:
            rows = self.__dict__.setdefault("_skip_rows", {})  # (workflow, reason) -> [run id, first, last, count]
            row = rows.get((workflow, reason))
            if row is None or moment - row[2] > SKIP_COALESCE:
                row = rows[(workflow, reason)] = [_skip_id(), moment, 0, 0]
            row[2], row[3] = moment, row[3] + count
            run_id, first, last, total = row
            for key in [k for k, r in rows.items() if moment - r[2] > SKIP_COALESCE]:
                del rows[key]
        more = f" ({total} fires, the last at {time.strftime('%H:%M:%S', time.localtime(last))})" if total > 1 else ""
        started = {"trigger": dict(trigger), "source": str(trigger.get("kind", "")), "path": str(path or "")}
        error = {"message": reason + more, "kind": SKIPPED, "count": total, "last": last}
        finished = {"status": SKIPPED, "error": error, "duration": 0.0, "outputs": {}}
        self.listen_batch(
            [ev.Event(ev.RUN_STARTED, run_id, workflow, None, started, first),
             ev.Event(ev.RUN_FINISHED, run_id, workflow, None, finished, first)]
        )  # fmt: skip
        return run_id

    # -- many runs beginning at once (engine.scheduling: the fires due together), one commit -----------------------
    def begin_many(self, runs: list[tuple[str, str, str, dict[str, Any] | None, str]]) -> None:
        """``begin`` for several runs, each (run_id, workflow, path, trigger, source), committed in one transaction
        when this returns: 200 schedule fires due in the same second cost one commit, not 200. A run already begun
        is left as it is, and ``begin`` of a run begun here later changes nothing. Never raises; while the history
        is down, the rows wait with the others, as in ``begin``."""
        runs = [r for r in runs if r[0] not in self._live]  # begun already (fires begun together, then sent)
        if not runs:
            return
        records: list[RunRecord] = []
        versions = self._versions_of([path for _id, _workflow, path, _trigger, _source in runs])
        for (run_id, workflow, path, trigger, source), version in zip(runs, versions, strict=True):
            run = RunRecord(run_id, workflow, path, dict(trigger or {}), source, "running", time.time())
            run.version = version
            if self._live.setdefault(run_id, (run, {}))[0] is run:
                records.append(run)
        written = False
        if records and self._fault is None:
            rows = _Rows([self._run_row(r) for r in records], [], {})  # encoded before the lock, as the writer does
            with self._lock:
                written = self._fault is None and self._write_rows(rows)
        if not written:
            for run in records:  # down: the writer keeps them and tries at once (_add_begun)
                self._queue.put(run)


def _migrate(db: sqlite3.Connection) -> None:
    """Bring a history file written by an older Flowdeck up to ``SCHEMA``: the ``runs.version`` column."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(runs)")}
    if "version" in columns:
        return
    try:
        db.execute("ALTER TABLE runs ADD COLUMN version INTEGER")
    except sqlite3.OperationalError as exc:  # a read-only file can still be read (records.run_record copes)
        if "readonly" not in str(exc).replace("-", "").replace(" ", ""):
            raise


SKIPPED = "skipped"  # the status of a fire that did not run (History.record_skipped)
SKIP_COALESCE = 60.0  # seconds within which the same reason for the same workflow adds to one skipped row
_SKIP_LOCK = threading.Lock()


def _skip_id() -> str:
    from engine.runtime.executor import new_run_id

    return new_run_id()
