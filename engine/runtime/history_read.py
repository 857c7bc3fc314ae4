"""Reading the run history (runs, one run with its steps), clearing it and applying retention: the queries of
engine.runtime.history.History, which mixes this in."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.runtime.history_faults import classify, rollback
from engine.runtime.records import RunRecord, run_record, step_record

if TYPE_CHECKING:
    from engine.runtime.history_faults import Fault

log = logging.getLogger("engine.runtime.history")


class HistoryUnavailable(RuntimeError):
    """The history cannot be changed now (a full disk, a read-only folder...); the message is one line."""


class HistoryQueries:
    """The read side of History (and clear/prune): every query goes through ``_rows`` or the write connection."""

    if TYPE_CHECKING:
        path: Path
        keep_runs: int
        keep_days: int
        _lock: threading.RLock
        _fault: Fault | None

        @property
        def _db(self) -> sqlite3.Connection: ...

        _retry_at: float

        def _connection(self) -> sqlite3.Connection: ...

        def _try_again(self) -> None: ...

        def flush(self, timeout: float = 5.0) -> None: ...

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
            if self._fault is not None and time.monotonic() >= self._retry_at:
                self._try_again()  # a reader that never writes comes back here
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
            rollback(db)
            raise
        db.executescript("PRAGMA incremental_vacuum;")  # execute() would free one page per step only
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
