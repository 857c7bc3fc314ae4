"""What the run panel knows about a run, folded from engine events (no Qt here: plain data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.runtime import events as ev

MAX_LOG = 5000  # lines kept per run and per step; older ones are dropped (the history keeps everything)


@dataclass
class StepRecord:
    """The latest attempt of one step in a run."""

    id: str
    block: str = ""
    status: str = "running"  # running, succeeded, failed, retrying, skipped, handled
    inputs: Any = None
    output: Any = None
    error: str = ""
    duration: float | None = None
    attempts: int = 1
    port: str = ""
    logs: list[tuple[float, str, str]] = field(default_factory=list)  # (time, level, message)


@dataclass
class RunRecord:
    run_id: str
    workflow: str = ""
    status: str = "running"  # running, succeeded, failed, cancelled
    error: dict[str, Any] = field(default_factory=dict)
    duration: float | None = None
    started: float | None = None
    current: str | None = None
    steps: dict[str, StepRecord] = field(default_factory=dict)
    progress: tuple[int, int] | None = None

    def step(self, step_id: str) -> StepRecord:
        if step_id not in self.steps:
            self.steps[step_id] = StepRecord(step_id)
        return self.steps[step_id]

    def apply(self, event: ev.Event) -> StepRecord | None:
        """Fold ``event`` in; returns the step record it changed (if any)."""
        self.workflow = event.workflow or self.workflow
        handler = _HANDLERS.get(event.kind)
        return handler(self, event) if handler else None


def _run_started(run: RunRecord, e: ev.Event) -> None:
    run.started = e.time
    run.status = "running"


def _run_finished(run: RunRecord, e: ev.Event) -> None:
    run.status = e.data.get("status", "finished")
    run.error = e.data.get("error") or {}
    run.duration = e.data.get("duration")
    run.current = None


def _step_started(run: RunRecord, e: ev.Event) -> StepRecord:
    rec = run.step(e.step or "?")
    rec.block = e.data.get("block", rec.block)
    rec.status = "running"
    rec.inputs = e.data.get("inputs")
    rec.attempts = e.data.get("attempt", 1)
    rec.error = ""
    run.current = rec.id
    return rec


def _step_finished(run: RunRecord, e: ev.Event) -> StepRecord:
    rec = run.step(e.step or "?")
    rec.status = "pinned" if e.data.get("pinned") else "succeeded"  # a pinned step's output stood in for a run
    rec.output = e.data.get("output")
    rec.duration = e.data.get("duration")
    rec.attempts = e.data.get("attempts", rec.attempts)
    rec.port = e.data.get("port") or ""
    return rec


def _step_failed(run: RunRecord, e: ev.Event) -> StepRecord:
    rec = run.step(e.step or "?")
    rec.status = "handled" if e.data.get("handled") else "failed"
    rec.error = str(e.data.get("error", ""))
    if e.data.get("details"):
        rec.output = e.data["details"]  # the error's data (a failed answer: status, headers, body) is what it gave
    rec.duration = e.data.get("duration")
    rec.attempts = e.data.get("attempts", rec.attempts)
    return rec


def _step_retrying(run: RunRecord, e: ev.Event) -> StepRecord:
    rec = run.step(e.step or "?")
    rec.status = "retrying"
    rec.error = str(e.data.get("error", ""))
    rec.attempts = e.data.get("attempt", rec.attempts)
    return rec


def _step_skipped(run: RunRecord, e: ev.Event) -> StepRecord:
    rec = run.step(e.step or "?")
    rec.status = "skipped"
    rec.error = str(e.data.get("reason", ""))
    return rec


def _log(run: RunRecord, e: ev.Event) -> StepRecord | None:
    if e.step is None:
        return None
    rec = run.step(e.step)
    rec.logs.append((e.time, str(e.data.get("level", "info")), str(e.data.get("message", ""))))
    del rec.logs[:-MAX_LOG]
    return rec


def _progress(run: RunRecord, e: ev.Event) -> None:
    run.progress = (int(e.data.get("done", 0)), int(e.data.get("total", 0)))


_HANDLERS = {
    ev.RUN_STARTED: _run_started,
    ev.RUN_FINISHED: _run_finished,
    ev.STEP_STARTED: _step_started,
    ev.STEP_FINISHED: _step_finished,
    ev.STEP_FAILED: _step_failed,
    ev.STEP_RETRYING: _step_retrying,
    ev.STEP_SKIPPED: _step_skipped,
    ev.LOG: _log,
    ev.PROGRESS: _progress,
}
