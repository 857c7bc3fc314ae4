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
from engine.runtime.history_faults import Fault, classify, damaged
from engine.runtime.owner import Owner, alive, this_process
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
_RETRY = object()  # queued by begin while the history is down: try writing now (a run starts)
RETRY_INTERVAL = 5.0  # seconds between two attempts to write the history while it cannot be written
MAX_UNWRITTEN_RUNS = 1000  # runs whose rows wait in memory while the history cannot be written; oldest dropped past it

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
CREATE TABLE IF NOT EXISTS owners (pid INTEGER PRIMARY KEY, boot TEXT, started TEXT);
"""
# ``owners``: the process behind each pid of ``runs.pid`` (engine.runtime.owner), written when a process opens the
# history, so that a later process with the same pid (PID 1 in a container, a reboot) is not taken for a run's owner.


def default_history_path() -> Path:
    """``history.sqlite3`` in the user's data folder."""
    import platformdirs

    return platformdirs.user_data_path("flowdeck") / "history.sqlite3"


class HistoryUnavailable(RuntimeError):
    """The history cannot be changed now (a full disk, a read-only folder...); the message is one line."""


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
        self._lock = threading.RLock()  # the connection, and the records below (writer thread and ``begin``)
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
        self._conn: sqlite3.Connection | None = None
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
        aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
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
            db.executescript(SCHEMA)
            db.execute("SELECT count(*) FROM runs").fetchone()
            self._mark_interrupted(db)
        except BaseException:
            db.close()
            raise
        return db

    def _mark_interrupted(self, db: sqlite3.Connection) -> None:
        """Runs left 'running' by a process that is gone did not finish: say so; then this process is an owner."""
        rows = db.execute(
            "SELECT r.run_id, r.pid, o.boot, o.started FROM runs AS r LEFT JOIN owners AS o ON o.pid = r.pid"
            " WHERE r.status = 'running'"
        ).fetchall()
        me = this_process()
        dead = [run_id for run_id, pid, boot, started in rows if not _owned(me, pid, boot, started)]
        mine = db.execute("SELECT boot, started FROM owners WHERE pid = ?", (me.pid,)).fetchone()
        if not dead and mine == (me.boot, me.started):
            return  # nothing to write: a read-only folder still lets the history be read
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany("UPDATE runs SET status = 'interrupted' WHERE run_id = ?", [(r,) for r in dead])
            db.executemany(
                "UPDATE steps SET status = 'interrupted' WHERE run_id = ? AND status = 'running'", [(r,) for r in dead]
            )
            db.execute("INSERT OR REPLACE INTO owners VALUES (?,?,?)", (me.pid, me.boot, me.started))
            db.execute("COMMIT")
        except BaseException:
            _rollback(db)
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
            self._problem(fault.line(self.path))
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
        log.warning("the run history is written again (%s); %d runs kept meanwhile were recorded", self.path, runs)
        with self._idle:  # what the database holds is merged under what this process was told meanwhile
            for name, kept in self._read_retention().items():
                self._retention.setdefault(name, kept)

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
        with self._lock:
            if run_id in self._live:
                return
            self._live[run_id] = self._unwritten[run_id] = (run, {})
            if self._fault is None:
                self._write_unwritten()
                return
            self._keep_bounded()
        self._queue.put(_RETRY)  # "and on the next run": the writer tries at once, this thread does not wait

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
            for item in batch:
                if isinstance(item, list):
                    events.extend(item)
                elif isinstance(item, tuple):
                    kept[item[0]] = item[1]
                elif isinstance(item, ev.Event):
                    events.append(item)
            retry = any(x is _RETRY for x in batch) or any(e.kind == ev.RUN_STARTED for e in events)
            try:
                self._apply(events, kept, retry=retry or stop)
            except Exception as exc:  # a bug here must never reach the run
                log.exception("run history: could not write to %s", self.path)
                self.problems.append(f"could not write run history to {self.path}: {exc}")
            with self._idle:
                self._pending -= len(events) + sum(isinstance(x, tuple) for x in batch)
                self._idle.notify_all()
            if stop:
                self._give_up()
                return

    def _apply(self, events: list[ev.Event], kept: dict[str, Retention] | None = None, retry: bool = True) -> None:
        with self._lock:
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
        """Write every row waiting, in one transaction (call with ``_lock`` held); False (reported) if it failed."""
        runs, kept = self._unwritten, self._unwritten_kept
        if not runs and not kept:
            return True
        try:
            db = self._connection()
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(
                    "INSERT OR REPLACE INTO runs VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    [self._run_row(r) for r, _ in runs.values()],
                )
                db.executemany(
                    "INSERT OR REPLACE INTO steps VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    [self._step_row(r.run_id, s) for r, steps in runs.values() for s in steps.values()],
                )
                self._write_retention(db, kept)
                db.execute("COMMIT")
            except BaseException:
                _rollback(db)  # never hides why the write failed (a failed ROLLBACK used to say only that)
                raise
        except (sqlite3.Error, OSError) as exc:
            self._went_down(exc)
            self._keep_bounded()
            return False
        count = len(runs)
        for run, _ in runs.values():
            if run.status != "running":
                self._live.pop(run.run_id, None)
        self._unwritten, self._unwritten_kept = {}, {}
        self._came_back(count)
        return True

    def _give_up(self) -> None:
        """At close, rows that still could not be written are lost: say how many."""
        count = len(self._unwritten)
        if count:
            what = self._fault.what if self._fault is not None else "it could not be written"
            log.warning("run history: %d run%s not recorded at exit (%s; %s)", count, "s" if count != 1 else "", what,
                        self.path)  # fmt: skip

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
        return [run_record(row) for row in self._rows(sql, (*args, limit, offset))]

    def run(self, run_id: str) -> RunRecord | None:
        """One run with its steps (in the order they first started); None if unknown. ``run_id`` may be a prefix."""
        with self._lock:
            found = self._rows("SELECT * FROM runs WHERE run_id = ?", (run_id,))
            if not found and run_id:
                found = self._rows("SELECT * FROM runs WHERE run_id LIKE ? LIMIT 2", (run_id.replace("%", "") + "%",))
            if len(found) != 1:
                return None
            row = found[0]
            steps = self._rows("SELECT * FROM steps WHERE run_id = ? ORDER BY started, rowid", (row[0],))
        record = run_record(row)
        record.steps = [step_record(s) for s in steps]
        return record

    def last_run(self, workflow: str) -> RunRecord | None:
        found = self.runs(workflow, limit=1)
        return found[0] if found else None

    def workflows(self) -> list[str]:
        return [r[0] for r in self._rows("SELECT DISTINCT workflow FROM runs ORDER BY workflow")]

    def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """The rows of a query. While the history is down it is read through a read-only connection, and what
        cannot be read then reads as nothing (the fault was reported when it began)."""
        with self._lock:
            if self._fault is None:
                return self._db.execute(sql, args).fetchall()
            uri = self.path.resolve().as_uri()
            # a WAL database in a read-only folder opens only as immutable (its -shm cannot be made there)
            for options in ("mode=ro", "immutable=1"):
                try:
                    reader = sqlite3.connect(f"{uri}?{options}", uri=True, timeout=2.0)
                    try:
                        return reader.execute(sql, args).fetchall()
                    finally:
                        reader.close()
                except sqlite3.Error as exc:
                    log.debug("run history: cannot read %s (%s) while it is down: %s", self.path, options, exc)
            return []

    def clear(self, workflow: str | None = None) -> int:
        """Delete the runs of ``workflow`` (all runs if None); returns how many. Raises HistoryUnavailable (one line)
        when the history cannot be written."""
        self.flush()
        where, args = ("WHERE workflow = ?", (workflow,)) if workflow is not None else ("", ())
        with self._lock:
            try:
                db = self._connection()
                ids = [r[0] for r in db.execute(f"SELECT run_id FROM runs {where}", args)]
                self._delete(ids)
            except (sqlite3.Error, OSError) as exc:
                raise HistoryUnavailable(
                    classify(exc, self.path)
                    .line(self.path)
                    .replace("runs go on unrecorded", "nothing was deleted; try again")
                ) from exc
        return len(ids)

    def prune(self) -> int:
        """Apply retention; returns how many runs went.

        Per workflow: keep the newest ``keep_runs`` and nothing older than ``keep_days``, each from the workflow's
        ``policy.history`` where it sets them, else the history's own defaults. Nothing goes while the history is
        down (its rows wait in memory).
        """
        with self._lock:
            if self._fault is not None:
                return 0
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
            _rollback(db)
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


def _rollback(db: sqlite3.Connection) -> None:
    """Roll back what is left of a failed transaction; SQLite may have rolled it back itself already (a full disk
    does), and a failing ROLLBACK must not replace the error that says why the write failed."""
    if db.in_transaction:
        try:
            db.execute("ROLLBACK")
        except sqlite3.Error:
            pass


def _owned(me: Owner, pid: int | None, boot: str | None, started: str | None) -> bool:
    """Whether the process that wrote a 'running' row with ``pid`` (known in ``owners`` as ``boot``/``started``)
    still runs. A pid without its ``owners`` row (a history from before it existed) has only the pid to go by;
    if that pid is this process's, the row is a former process's: this one registers before it writes any row."""
    if pid is None:
        return False
    if boot is None:
        return pid != me.pid and alive(Owner(pid))
    return alive(Owner(pid, boot, started or ""))
