"""How run events become the rows of the run history: each run's and step's latest state (folded from its events)
and the row tuples written for them. Mixed into engine.runtime.history.History."""

from __future__ import annotations

import json
import os
import sqlite3
from typing import TYPE_CHECKING, Any

from engine.runtime import events as ev
from engine.runtime.records import Retention, RunRecord, StepRecord

MAX_LOG_LINES = 200
TRUNCATED = "… [truncated: {size} characters in all]"
# One encoder for every row: json.dumps with options builds a new encoder per call (≈ 2 µs each, 3+ per step).
_encode = json.JSONEncoder(default=str, ensure_ascii=False).encode
# What json.dumps(value, default=str) writes (triggers and errors keep ASCII escapes), with no encoder per call.
_encode_ascii = json.JSONEncoder(default=str).encode
_EMPTY = {dict: "{}", list: "[]"}


class EventRows:
    """Folds events into records (``_live``: the runs not finished or not written yet) and records into rows."""

    if TYPE_CHECKING:
        max_output_chars: int
        _live: dict[str, tuple[RunRecord, dict[str, StepRecord]]]

    def _update(self, event: ev.Event) -> tuple[RunRecord, StepRecord | None] | None:
        data = event.data
        if event.kind == ev.RUN_STARTED:
            run = RunRecord(
                event.run_id, event.workflow, str(data.get("path") or ""), dict(data.get("trigger") or {}),
                str(data.get("source") or ""), "running", event.time,
            )  # fmt: skip
            begun = self._live.get(event.run_id)
            run.version = begun[0].version if begun is not None else None  # found by History.begin
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
            step.block = data.get("block") or step.block  # a disabled step names its block (it never started)
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
            r.run_id, r.workflow, r.path, _encode_ascii(r.trigger) if r.trigger else "{}", r.source, r.status,
            r.started, r.finished, _encode_ascii(r.error) if r.error else None, self._dump(r.outputs), os.getpid(),
            r.version,
        )  # fmt: skip

    def _step_row(self, run_id: str, s: StepRecord) -> tuple[Any, ...]:
        return (
            run_id, s.step, s.block, s.status, self._dump(s.inputs), self._dump(s.output), self._dump(s.logs),
            s.started, s.duration, s.attempts, _encode_ascii(s.error) if s.error else None, 0,
        )  # fmt: skip
