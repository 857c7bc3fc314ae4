"""Starting runs under a workflow's overlap policy: skip, queue (one after the other) or parallel.

A run counts as going once it has begun (it has its process); one that still waits for a process to start (the
daemon's first one, say) has not: under ``skip`` a fire that comes meanwhile is queued behind it instead of being
skipped, so a fire that is due is not dropped for a run that has not begun (one per trigger: more from the same
schedule, folder or hook are skipped). Caught-up fires of one schedule run one after the other whatever the policy
(``start_all``). Every fire that does not run is handed to ``on_skip`` with its reason.

Fires started ``together`` (the schedule fires due at once) are sent in their order once their history rows were
committed in one transaction; each row is still in the history before its run may have an effect.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.model.workflow import Workflow
from engine.runtime import Engine
from engine.runtime.events import RUN_FINISHED, Event
from engine.runtime.executor import new_run_id
from engine.runtime.outcome import FAILED
from engine.runtime.plan import Plan

log = logging.getLogger("flowdeck.scheduling")
QUEUED = "queued"
PENDING = "pending"  # started inside ``Runner.together``: sent when it ends
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
        self._together = threading.local()  # .pending: the runs this thread starts inside ``together``

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

    @contextmanager
    def together(self) -> Iterator[None]:
        """Runs this thread starts inside are sent when it ends, in their order, after their history rows were
        committed together (History.begin_many): 200 fires due at once cost one commit instead of 200, each on
        the path that hands a run to its process. Other threads (a run's end starting the next) are not held."""
        pending: list[tuple[Path, Plan, _Queued, str]] = []
        self._together.pending = pending
        try:
            yield
        finally:
            self._together.pending = None
            self._send_together(pending)

    def _send_together(self, pending: list[tuple[Path, Plan, _Queued, str]]) -> None:
        history = self._engine.history
        if pending and hasattr(history, "begin_many"):
            rows = [(run_id, plan.name, str(plan.path or ""), item.trigger, _kind(item.trigger))
                    for _path, plan, item, run_id in pending]  # fmt: skip
            try:
                history.begin_many(rows)
            except Exception:  # the engine begins each run itself then
                log.exception("could not record %d runs beginning together", len(rows))
        for path, plan, item, run_id in pending:
            self._submit(path, plan, item, manual=False, run_id=run_id)

    def _submit(self, path: Path, runnable: Any, item: _Queued, manual: bool, run_id: str | None = None) -> Any:
        pending = getattr(self._together, "pending", None)
        if pending is not None and not manual and run_id is None and isinstance(runnable, Plan):
            pending.append((path, runnable, item, new_run_id()))
            return PENDING
        trigger = item.trigger
        try:
            handle = self._engine.submit(
                runnable, trigger=trigger, variables=item.variables, source=_kind(trigger), run_id=run_id
            )
        except Exception as exc:
            if run_id is not None:  # begun together but never sent: its row must not stay "running"
                self._not_sent(runnable, run_id, exc)
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

    def _not_sent(self, plan: Plan, run_id: str, exc: Exception) -> None:
        history = self._engine.history
        if history is not None:
            error = {"message": f"the run could not be started: {exc}", "kind": "start"}
            data = {"status": FAILED, "error": error, "duration": 0.0, "outputs": {}, "message": ""}
            history.listener(Event(RUN_FINISHED, run_id, plan.name, None, data))

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


def _kind(trigger: dict[str, Any]) -> str:
    """The run's ``source``: the kind of trigger that started it."""
    return str(trigger.get("kind", "schedule"))


def _source(trigger: dict[str, Any]) -> tuple[Any, ...]:
    """Which trigger a fire comes from (one schedule, one watched folder, one hook), not which fire it is."""
    kind = trigger.get("kind")
    return (kind, trigger.get("cron"), trigger.get("every"), trigger.get("at"), trigger.get("folder"),
            trigger.get("name") if kind == "webhook" else None)  # fmt: skip


class RunRefused(RuntimeError):
    """A manual run not started because the overlap policy says so; the message is for people."""
