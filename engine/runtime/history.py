"""Run history in SQLite (WAL): what ran, when, with which inputs and outputs.

Writes happen on a thread of the history's own, in batches: the event listener only appends to a queue. One row per
run and one row per step of a run (a step that runs many times, e.g. in a loop, keeps its last execution and its
attempt count; its log keeps the last ``MAX_LOG_LINES`` lines). Values longer than ``max_output_chars`` once written
as JSON are stored as a string that ends with ``TRUNCATED`` and the original size. A database that cannot be opened
is moved aside (renamed ``*.corrupt-<time>``) and a fresh one is created; a write that fails (locked database) is
logged and kept in ``problems``; the run itself never notices. Retention is per workflow: a workflow's
``policy.history`` (told by the Engine through ``retain``) is kept in the database, so every later prune applies it.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from engine.runtime import events as ev
from engine.runtime.records import Retention, RunRecord, StepRecord, run_record, step_record

log = logging.getLogger(__name__)

MAX_LOG_LINES = 200
TRUNCATED = "… [truncated: {size} characters in all]"
PRUNE_INTERVAL = 600.0  # seconds between two automatic retention passes of a long-running process
# One encoder for every row: json.dumps with options builds a new encoder per call (≈ 2 µs each, 3+ per step).
_encode = json.JSONEncoder(default=str, ensure_ascii=False).encode
_EMPTY = {dict: "{}", list: "[]"}
_LINGER = 0.1  # seconds the writer waits after a wake-up so that bursts share one transaction (flush skips it)
_STOP = object()

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, workflow TEXT NOT NULL, path TEXT, trigger TEXT, source TEXT, status TEXT NOT NULL,
    started REAL, finished REAL, error TEXT, outputs TEXT, pid INTEGER);
CREATE INDEX IF NOT EXISTS runs_by_workflow ON runs (workflow, started);
CREATE INDEX IF NOT EXISTS runs_by_start ON runs (started);
CREATE TABLE IF NOT EXISTS steps (
    run_id TEXT NOT NULL, step TEXT NOT NULL, block TEXT, status TEXT, inputs TEXT, output TEXT, logs TEXT,
    started REAL, duration REAL, attempts INTEGER, error TEXT, seq INTEGER, PRIMARY KEY (run_id, step));
CREATE TABLE IF NOT EXISTS retention (workflow TEXT PRIMARY KEY, keep_runs INTEGER, keep_days INTEGER);
"""


def default_history_path() -> Path:
    """``history.sqlite3`` in the user's data folder."""
    import platformdirs

    return platformdirs.user_data_path("flowdeck") / "history.sqlite3"


class History:
    """The run history database. Thread-safe; subscribe ``listener`` to an Engine."""

    def __init__(
        self, path: Path, *, max_output_chars: int = 64_000, keep_runs: int = 200, keep_days: int = 30
    ) -> None:
        self.path = Path(path)
        self.max_output_chars = max_output_chars
        self.keep_runs = keep_runs
        self.keep_days = keep_days
        self.problems: list[str] = []
        self._lock = threading.RLock()
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._pending = 0
        self._idle = threading.Condition(threading.Lock())
        self._hurry = threading.Event()  # set by flush/close: write now, do not linger
        self._live: dict[str, tuple[RunRecord, dict[str, StepRecord]]] = {}
        self._next_prune = time.monotonic() + PRUNE_INTERVAL
        self._conn: sqlite3.Connection | None = self._open()
        self._retention = self._read_retention()  # workflow -> its policy.history, as the database holds it
        self._thread = threading.Thread(target=self._write_loop, name="flowdeck-history", daemon=True)
        self._thread.start()

    @property
    def _db(self) -> sqlite3.Connection:
        """The connection; reading a closed History reopens it (a view may still page through runs after shutdown)."""
        if self._conn is None:
            self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=2.0)
        return self._conn

    # -- opening -----------------------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return self._connect()
        except sqlite3.DatabaseError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                self._problem(f"run history {self.path} is locked: {exc}")
                return sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
            self._problem(f"run history {self.path} is damaged ({exc}); moved it to {aside.name} and started afresh")
            for suffix in ("-wal", "-shm"):
                extra = Path(str(self.path) + suffix)
                if extra.exists():
                    extra.rename(Path(str(aside) + suffix))
            self.path.rename(aside)
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=2.0)
        try:
            db.execute("PRAGMA auto_vacuum = INCREMENTAL")  # only takes effect on a new file, before any table
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            db.executescript(SCHEMA)
            db.execute("SELECT count(*) FROM runs").fetchone()
            self._mark_interrupted(db)
        except BaseException:
            db.close()
            raise
        return db

    def _mark_interrupted(self, db: sqlite3.Connection) -> None:
        """Runs left 'running' by a process that is gone did not finish: say so."""
        rows = db.execute("SELECT run_id, pid FROM runs WHERE status = 'running'").fetchall()
        dead = [run_id for run_id, pid in rows if pid is None or (pid != os.getpid() and not _alive(pid))]
        if dead:
            db.executemany("UPDATE runs SET status = 'interrupted' WHERE run_id = ?", [(r,) for r in dead])
            db.executemany(
                "UPDATE steps SET status = 'interrupted' WHERE run_id = ? AND status = 'running'", [(r,) for r in dead]
            )

    def _read_retention(self) -> dict[str, Retention]:
        try:
            rows = self._db.execute("SELECT workflow, keep_runs, keep_days FROM retention").fetchall()
        except sqlite3.Error:  # the in-memory stand-in for a locked file has no tables
            return {}
        return {name: Retention(runs, days) for name, runs, days in rows}

    def _problem(self, message: str) -> None:
        log.warning("%s", message)
        self.problems.append(message)

    # -- writing -----------------------------------------------------------------------------------
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
        """Wait until every queued event is written."""
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
            batch = [self._queue.get()]
            if self._hurry.wait(_LINGER):  # let more bursts arrive: fewer, bigger transactions, loop rows merged
                self._hurry.clear()
            while True:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stop = any(x is _STOP for x in batch)
            events: list[ev.Event] = []
            kept: dict[str, Retention] = {}
            for item in batch:
                if isinstance(item, list):
                    events.extend(item)
                elif isinstance(item, tuple):
                    kept[item[0]] = item[1]
                elif item is not _STOP:
                    events.append(item)
            try:
                self._apply(events, kept)
            except Exception as exc:  # a locked or broken database must never reach the run
                self._problem(f"could not write run history to {self.path}: {exc}")
            with self._idle:
                self._pending -= len(events) + sum(isinstance(x, tuple) for x in batch)
                self._idle.notify_all()
            if stop:
                return

    def _apply(self, events: list[ev.Event], kept: dict[str, Retention] | None = None) -> None:
        dirty_runs: dict[str, RunRecord] = {}
        dirty_steps: dict[tuple[str, str], StepRecord] = {}
        for event in events:
            record = self._update(event)
            if record is None:
                continue
            run, step = record
            dirty_runs[run.run_id] = run
            if step is not None:
                dirty_steps[(run.run_id, step.step)] = step
            elif event.kind == ev.RUN_FINISHED:
                for left in self._abandoned(run.run_id):
                    dirty_steps[(run.run_id, left.step)] = left
        if not dirty_runs and not kept:
            return
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(
                    "INSERT OR REPLACE INTO runs VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    [self._run_row(r) for r in dirty_runs.values()],
                )
                db.executemany(
                    "INSERT OR REPLACE INTO steps VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    [self._step_row(run_id, s) for (run_id, _), s in dirty_steps.items()],
                )
                self._write_retention(db, kept or {})
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        for run in dirty_runs.values():
            if run.status != "running":
                self._live.pop(run.run_id, None)
        if time.monotonic() >= self._next_prune:
            self._next_prune = time.monotonic() + PRUNE_INTERVAL
            self.prune()

    def _update(self, event: ev.Event) -> tuple[RunRecord, StepRecord | None] | None:
        data = event.data
        if event.kind == ev.RUN_STARTED:
            run = RunRecord(
                event.run_id, event.workflow, str(data.get("path") or ""), dict(data.get("trigger") or {}),
                str(data.get("source") or ""), "running", event.time,
            )  # fmt: skip
            self._live[event.run_id] = (run, {})
            return run, None
        live = self._live.get(event.run_id)
        if live is None:
            return None
        run, steps = live
        if event.kind == ev.RUN_FINISHED:
            run.status = str(data.get("status"))
            run.finished = event.time
            run.error = data.get("error")
            run.outputs = data.get("outputs")
            return run, None
        if event.step is None:
            return None
        step = steps.get(event.step)
        if step is None:
            step = steps[event.step] = StepRecord(event.step)
        kind = event.kind
        if kind == ev.STEP_STARTED:  # the two events of every step: kept short, they run for each loop round
            step.block, step.status, step.inputs = data.get("block", ""), "running", data.get("inputs")
            step.started, step.attempts, step.error = event.time, data.get("attempt", 1), None
        elif kind == ev.STEP_FINISHED:
            step.status, step.output = "succeeded", data.get("output")
            step.duration, step.attempts = data.get("duration"), data.get("attempts", step.attempts)
        elif kind == ev.STEP_FAILED:
            step.status = "failed"
            step.error = {"message": data.get("error"), "kind": data.get("kind"), "handled": data.get("handled")}
            step.duration, step.attempts = data.get("duration"), int(data.get("attempts", step.attempts))
        elif event.kind == ev.STEP_SKIPPED:
            step.status = "skipped"
        elif event.kind == ev.STEP_RETRYING:
            step.status = "retrying"
        elif event.kind == ev.LOG:
            step.logs.append({"time": event.time, "level": data.get("level", "info"), "message": data.get("message")})
            del step.logs[:-MAX_LOG_LINES]
        else:
            return None
        return run, step

    @staticmethod
    def _write_retention(db: sqlite3.Connection, kept: dict[str, Retention]) -> None:
        """Store each workflow's retention; a workflow back on the defaults loses its row."""
        default = [(name,) for name, r in kept.items() if r == Retention()]
        own = [(name, r.keep_runs, r.keep_days) for name, r in kept.items() if r != Retention()]
        db.executemany("DELETE FROM retention WHERE workflow = ?", default)
        db.executemany("INSERT OR REPLACE INTO retention VALUES (?,?,?)", own)

    def _abandoned(self, run_id: str) -> list[StepRecord]:
        """Steps still running when their run ended (cancelled, or halted by a failure elsewhere): 'cancelled'."""
        live = self._live.get(run_id)
        left = [s for s in live[1].values() if s.status in ("running", "retrying")] if live else []
        for step in left:
            step.status = "cancelled"
        return left

    def _dump(self, value: Any) -> str:
        if value is None:
            return "null"
        if type(value) in _EMPTY and not value:  # {} and []: the common empty cases
            return _EMPTY[type(value)]
        text = _encode(value)
        if len(text) <= self.max_output_chars:
            return text
        return _encode(text[: self.max_output_chars] + TRUNCATED.format(size=len(text)))

    def _run_row(self, r: RunRecord) -> tuple[Any, ...]:
        return (
            r.run_id, r.workflow, r.path, json.dumps(r.trigger, default=str), r.source, r.status, r.started,
            r.finished, json.dumps(r.error, default=str) if r.error else None, self._dump(r.outputs), os.getpid(),
        )  # fmt: skip

    def _step_row(self, run_id: str, s: StepRecord) -> tuple[Any, ...]:
        return (
            run_id, s.step, s.block, s.status, self._dump(s.inputs), self._dump(s.output), self._dump(s.logs),
            s.started, s.duration, s.attempts, json.dumps(s.error, default=str) if s.error else None, 0,
        )  # fmt: skip

    # -- reading -----------------------------------------------------------------------------------
    def runs(
        self,
        workflow: str | None = None,
        status: str | None = None,
        since: float | None = None,
        until: float | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[RunRecord]:
        """Runs, newest first, without their steps."""
        where, args = [], []
        for clause, value in (("workflow = ?", workflow), ("status = ?", status), ("started >= ?", since),
                              ("started < ?", until)):  # fmt: skip
            if value is not None:
                where.append(clause)
                args.append(value)
        sql = "SELECT * FROM runs" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY started DESC LIMIT ? OFFSET ?"
        with self._lock:
            rows = self._db.execute(sql, [*args, limit, offset]).fetchall()
        return [run_record(row) for row in rows]

    def run(self, run_id: str) -> RunRecord | None:
        """One run with its steps (in the order they first started); None if unknown. ``run_id`` may be a prefix."""
        with self._lock:
            row = self._db.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()
            if row is None and run_id:
                found = self._db.execute(
                    "SELECT * FROM runs WHERE run_id LIKE ? LIMIT 2", (run_id.replace("%", "") + "%",)
                ).fetchall()
                row = found[0] if len(found) == 1 else None
            if row is None:
                return None
            steps = self._db.execute(
                "SELECT * FROM steps WHERE run_id = ? ORDER BY started, rowid", (row[0],)
            ).fetchall()
        record = run_record(row)
        record.steps = [step_record(s) for s in steps]
        return record

    def last_run(self, workflow: str) -> RunRecord | None:
        found = self.runs(workflow, limit=1)
        return found[0] if found else None

    def workflows(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT DISTINCT workflow FROM runs ORDER BY workflow")]

    def clear(self, workflow: str | None = None) -> int:
        """Delete the runs of ``workflow`` (all runs if None); returns how many."""
        self.flush()
        with self._lock:
            where, args = ("WHERE workflow = ?", (workflow,)) if workflow is not None else ("", ())
            ids = [r[0] for r in self._db.execute(f"SELECT run_id FROM runs {where}", args)]
            self._delete(ids)
        return len(ids)

    def prune(self) -> int:
        """Apply retention; returns how many runs went.

        Per workflow: keep the newest ``keep_runs`` and nothing older than ``keep_days``, each from the workflow's
        ``policy.history`` where it sets them, else the history's own defaults.
        """
        with self._lock:
            ids = [r[0] for r in self._db.execute(
                """SELECT run_id FROM (SELECT r.run_id, r.started, r.status,
                       COALESCE(k.keep_runs, ?) AS keep_runs, COALESCE(k.keep_days, ?) AS keep_days,
                       ROW_NUMBER() OVER (PARTITION BY r.workflow ORDER BY r.started DESC) AS n
                   FROM runs AS r LEFT JOIN retention AS k ON k.workflow = r.workflow)
                   WHERE status != 'running' AND (n > keep_runs OR started < ? - keep_days * 86400.0)""",
                (self.keep_runs, self.keep_days, time.time()),
            )]  # fmt: skip
            self._delete(ids)
        return len(ids)

    def _delete(self, ids: list[str]) -> None:
        if not ids:
            return
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany("DELETE FROM steps WHERE run_id = ?", [(i,) for i in ids])
            db.executemany("DELETE FROM runs WHERE run_id = ?", [(i,) for i in ids])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.executescript("PRAGMA incremental_vacuum;")  # execute() would free one page per step only
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def close(self) -> None:
        """Write what is queued and close the database."""
        if not self._thread.is_alive():
            return
        self.flush()
        self._hurry.set()
        self._queue.put(_STOP)
        self._thread.join(5)
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

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


SKIPPED = "skipped"  # the status of a fire that did not run (History.record_skipped)
SKIP_COALESCE = 60.0  # seconds within which the same reason for the same workflow adds to one skipped row
_SKIP_LOCK = threading.Lock()


def _skip_id() -> str:
    from engine.runtime.executor import new_run_id

    return new_run_id()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
