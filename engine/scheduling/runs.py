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
SKIP_MESSAGE = (
    "its previous run is still going and its policy is overlap: skip, so this run was not started "
    "(wait until it ends, or set overlap: queue or parallel)"
)


class RunRefused(RuntimeError):
    """A manual run not started because the overlap policy says so; the message is for people."""


@dataclass
class _Runs:
    """Runs of one file, kept across edits so the policy still sees a run started before the edit."""

    running: int = 0
    queue: deque[tuple[dict[str, Any], dict[str, Any] | None]] = field(default_factory=deque)  # trigger, variables


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

    def start(
        self,
        path: Path,
        policy: dict[str, Any],
        runnable: Workflow | Any,
        trigger: dict[str, Any],
        variables: dict[str, Any] | None = None,
        *,
        manual: bool = False,
    ) -> Any:
        """Run ``runnable`` (a workflow or its compiled plan) as ``policy`` says about overlapping runs.

        ``manual`` (the Run button): a skip raises RunRefused and a failure to start raises, so the caller can say
        why; trigger fires are skipped quietly (logged, and a ``skipped`` event).
        """
        overlap = policy.get("overlap", "skip")
        with self._lock:
            runs = self._runs.setdefault(path, _Runs())
            if runs.running and overlap == "skip":
                log.info("%s: a %s run was not started: %s", path.name, trigger.get("kind", "?"), SKIP_MESSAGE)
                self._on_error(path, "skipped", str(trigger.get("kind", "")))
                if manual:
                    raise RunRefused(SKIP_MESSAGE)
                return None
            if runs.running and overlap == "queue":
                runs.queue.append((trigger, variables))
                return QUEUED
            runs.running += 1
        return self._submit(path, runnable, trigger, variables, manual)

    def running(self, path: Path) -> int:
        with self._lock:
            runs = self._runs.get(path)
            return runs.running if runs else 0

    def clear_queues(self) -> None:
        with self._lock:
            for runs in self._runs.values():
                runs.queue.clear()

    def _submit(
        self, path: Path, runnable: Any, trigger: dict[str, Any], variables: dict[str, Any] | None, manual: bool
    ) -> Any:
        try:
            handle = self._engine.submit(
                runnable, trigger=trigger, variables=variables, source=str(trigger.get("kind", "schedule"))
            )
        except Exception as exc:
            self._finished(path)
            if manual:
                raise
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
            trigger, variables = runs.queue.popleft()
        self._submit(path, workflow, trigger, variables, manual=False)
