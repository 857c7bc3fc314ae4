"""What the run history holds: a run and its steps as records, and how rows of the database become records."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Retention:
    """How much of a workflow's history is kept (its ``policy.history``); None means the history's default."""

    keep_runs: int | None = None
    keep_days: int | None = None


@dataclass
class StepRecord:
    step: str
    block: str = ""
    status: str = "running"
    inputs: Any = None
    output: Any = None
    logs: list[dict[str, Any]] = field(default_factory=list)
    started: float | None = None
    duration: float | None = None
    attempts: int = 0
    error: Any = None


@dataclass
class RunRecord:
    run_id: str
    workflow: str
    path: str = ""
    trigger: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    status: str = "running"
    started: float | None = None
    finished: float | None = None
    error: dict[str, Any] | None = None
    outputs: Any = None
    steps: list[StepRecord] = field(default_factory=list)
    version: int | None = None  # the version of its file it ran (engine.versions); None: no file, or not known


def load_json(text: str | None) -> Any:
    return json.loads(text) if text else None


def run_record(row: tuple[Any, ...]) -> RunRecord:
    run_id, workflow, path, trigger, source, status, started, finished, error, outputs, _pid, *more = row
    return RunRecord(
        run_id,
        workflow,
        path or "",
        load_json(trigger) or {},
        source or "",
        status,
        started,
        finished,
        load_json(error),
        load_json(outputs),
        version=more[0] if more else None,  # a file not migrated yet (opened read-only) has no version column
    )


def step_record(row: tuple[Any, ...]) -> StepRecord:
    _run, step, block, status, inputs, output, logs, started, duration, attempts, error, _seq = row
    return StepRecord(
        step,
        block or "",
        status or "",
        load_json(inputs),
        load_json(output),
        load_json(logs) or [],
        started,
        duration,
        attempts or 0,
        load_json(error),
    )
