"""Starting runs under a workflow's overlap policy: skip, queue (one after the other) or parallel.

A run counts as going once it has begun (it has its process); one that still waits for a process to start (the
daemon's first one, say) has not: under ``skip`` a fire that comes meanwhile is queued behind it instead of being
skipped, so a fire that is due is not dropped for a run that has not begun (one per trigger: more from the same
schedule, folder or hook are skipped). Caught-up fires of one schedule run one after the other whatever the policy
(``start_all``). Every fire that does not run is handed to ``on_skip`` with its reason.
"""

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
SKIP_REASON = "overlap: skip — its previous run was still going"
Skipped = Callable[[Path, dict[str, Any], str], None]  # path, trigger, reason


@dataclass
class _Queued:
    trigger: dict[str, Any]
    variables: dict[str, Any] | None
    chain: deque[dict[str, Any]] | None = None  # caught-up fires that follow this one, one after the other


@dataclass
class _Runs:
    """Runs of one file, kept across edits so the policy still sees a run started before the edit."""

    running: int = 0
    handles: list[Any] = field(default_factory=list)  # the handles of the runs counted in ``running``
    queue: deque[_Queued] = field(default_factory=deque)

    def begun(self) -> bool:
        """True when a run of the file has really begun (not merely waiting for a process)."""
        return any(getattr(h, "started", True) for h in self.handles)


class Runner:
    """``start`` returns the run's handle, QUEUED, or None (skipped). A queued run starts with the file as it
    is when its turn comes (``current``); a running run keeps the snapshot it started with."""

    def __init__(
        self,
        engine: Engine,
        current: Callable[[Path], Any],
        on_error: Callable[[Path, str, str], None],
        on_skip: Skipped | None = None,
    ) -> None:
        self._engine = engine
        self._current = current
        self._on_error = on_error
        self._on_skip = on_skip or (lambda _path, _trigger, _reason: None)
        self._lock = threading.RLock()
        self._runs: dict[Path, _Runs] = {}
        self._closed = False  # the service is stopping: queued fires and the rest of a chain are not started

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
        why; trigger fires are skipped with a record (``on_skip``: logged, a ``skipped`` event, a history row).
        """
        overlap = policy.get("overlap", "skip")
        with self._lock:
            runs = self._runs.setdefault(path, _Runs())
            # skip: a run that has not begun yet does not count as going, but only one fire per trigger waits behind
            # it (a storm of fires while the pool is busy must not pile up under skip)
            waiting = any(_source(q.trigger) == _source(trigger) for q in runs.queue)
            skip = bool(runs.running) and overlap == "skip" and (runs.begun() or waiting)
            if not skip and runs.running and overlap in ("skip", "queue"):  # skip: the earlier one has not begun
                runs.queue.append(_Queued(trigger, variables))
                return QUEUED
            if not skip:
                runs.running += 1
        if skip:  # told outside the lock: the listeners take the service's lock (which may be held around start)
            log.info("%s: a %s run was not started: %s", path.name, trigger.get("kind", "?"), SKIP_MESSAGE)
            self._on_error(path, "skipped", str(trigger.get("kind", "")))
            if manual:
                raise RunRefused(SKIP_MESSAGE)
            self._on_skip(path, trigger, SKIP_REASON)
            return None
        return self._submit(path, runnable, _Queued(trigger, variables), manual)

    def start_all(self, path: Path, policy: dict[str, Any], runnable: Workflow | Any, triggers: list[dict]) -> None:
        """Caught-up fires of one schedule: one after the other, whatever the overlap policy (the first waits for a
        run going under skip or queue; under parallel it starts now and the others follow it)."""
        if not triggers:
            return
        first, chain = _Queued(triggers[0], None, deque(triggers[1:])), None
        with self._lock:
            runs = self._runs.setdefault(path, _Runs())
            if runs.running and policy.get("overlap", "skip") != "parallel":
                runs.queue.append(first)
                return
            runs.running += 1
            chain = first
        self._submit(path, runnable, chain, manual=False)

    def running(self, path: Path) -> int:
        with self._lock:
            runs = self._runs.get(path)
            return runs.running if runs else 0

    def clear_queues(self, reason: str = "the service stopped before its turn came") -> None:
        """Drop every queued fire (the service is stopping); each is recorded as not run with ``reason``."""
        with self._lock:
            self._closed = True
            dropped = [(path, item) for path, runs in self._runs.items() for item in runs.queue]
            for runs in self._runs.values():
                runs.queue.clear()
        for path, item in dropped:
            self._skip_queued(path, item, reason)

    def _skip_queued(self, path: Path, item: _Queued, reason: str) -> None:
        for trigger in [item.trigger, *(item.chain or ())]:
            self._on_skip(path, trigger, reason)

    def _submit(self, path: Path, runnable: Any, item: _Queued, manual: bool) -> Any:
        trigger = item.trigger
        try:
            handle = self._engine.submit(
                runnable, trigger=trigger, variables=item.variables, source=str(trigger.get("kind", "schedule"))
            )
        except Exception as exc:
            self._finished(path, None, item)
            if manual:
                raise
            log.error("%s: cannot start a run: %s", path.name, exc)
            self._on_error(path, "error", str(exc))
            return None
        with self._lock:
            self._runs[path].handles.append(handle)
        handle.future.add_done_callback(lambda _f: self._finished(path, handle, item))
        return handle

    def _finished(self, path: Path, handle: Any, item: _Queued) -> None:
        """A run of ``path`` ended: the next fire of its chain, else the next queued one, else count down."""
        workflow = self._current(path)  # before taking the lock: it takes the service's lock
        with self._lock:
            runs = self._runs[path]
            if handle in runs.handles:
                runs.handles.remove(handle)
            follow = None
            if item.chain:
                follow = _Queued(item.chain[0], None, deque(list(item.chain)[1:]))
            elif runs.queue:
                follow = runs.queue.popleft()
            stop = follow is None or workflow is None or self._closed
            if stop:
                runs.running -= 1
                left = [follow, *runs.queue] if follow is not None else []
                runs.queue.clear()
        if stop:
            why = "the service stopped before its turn came" if self._closed else (
                "the file did not validate (or was removed) when its turn came")  # fmt: skip
            for queued in left:
                self._skip_queued(path, queued, why)
            return
        self._submit(path, workflow, follow, manual=False)


def _source(trigger: dict[str, Any]) -> tuple[Any, ...]:
    """Which trigger a fire comes from (one schedule, one watched folder, one hook), not which fire it is."""
    kind = trigger.get("kind")
    return (kind, trigger.get("cron"), trigger.get("every"), trigger.get("at"), trigger.get("folder"),
            trigger.get("name") if kind == "webhook" else None)  # fmt: skip


class RunRefused(RuntimeError):
    """A manual run not started because the overlap policy says so; the message is for people."""
