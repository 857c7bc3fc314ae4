"""Starting runs under a workflow's overlap policy: skip, queue (one after the other) or parallel."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.model.workflow import Workflow
from engine.runtime import Engine

log = logging.getLogger("flowdeck.scheduling")
QUEUED = "queued"


@dataclass
class _Runs:
    """Runs of one file, kept across edits so the policy still sees a run started before the edit."""

    running: int = 0
    queue: deque[dict[str, Any]] = field(default_factory=deque)


class Runner:
    """``start`` returns the run's handle, QUEUED, or None (skipped). A queued run starts with the file as it
    is when its turn comes (``current``); a running run keeps the snapshot it started with."""

    def __init__(
        self,
        engine: Engine,
        current: Callable[[Path], Any],
        on_error: Callable[[Path, str, str], None],
    ) -> None:
        self._engine = engine
        self._current = current
        self._on_error = on_error
        self._lock = threading.RLock()
        self._runs: dict[Path, _Runs] = {}

    def start(self, path: Path, policy: dict[str, Any], runnable: Workflow | Any, trigger: dict[str, Any]) -> Any:
        """Run ``runnable`` (a workflow or its compiled plan) as ``policy`` says about overlapping runs."""
        overlap = policy.get("overlap", "skip")
        with self._lock:
            runs = self._runs.setdefault(path, _Runs())
            if runs.running and overlap == "skip":
                log.info("%s is still running; this fire is skipped (policy overlap: skip)", path.name)
                self._on_error(path, "skipped", str(trigger.get("kind", "")))
                return None
            if runs.running and overlap == "queue":
                runs.queue.append(trigger)
                return QUEUED
            runs.running += 1
        return self._submit(path, runnable, trigger)

    def running(self, path: Path) -> int:
        with self._lock:
            runs = self._runs.get(path)
            return runs.running if runs else 0

    def clear_queues(self) -> None:
        with self._lock:
            for runs in self._runs.values():
                runs.queue.clear()

    def _submit(self, path: Path, runnable: Any, trigger: dict[str, Any]) -> Any:
        try:
            handle = self._engine.submit(runnable, trigger=trigger, source=str(trigger.get("kind", "schedule")))
        except Exception as exc:
            self._finished(path)
            log.error("%s: cannot start a run: %s", path.name, exc)
            self._on_error(path, "error", str(exc))
            return None
        handle.future.add_done_callback(lambda _f: self._finished(path))
        return handle

    def _finished(self, path: Path) -> None:
        """A run of ``path`` ended: start the next queued one, else count down."""
        with self._lock:
            runs = self._runs[path]
            workflow = self._current(path) if runs.queue else None
            if workflow is None:
                runs.queue.clear()
                runs.running -= 1
                return
            trigger = runs.queue.popleft()
        self._submit(path, workflow, trigger)
