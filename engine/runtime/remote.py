"""A run as the engine sees it when it executes in a worker process (engine.runtime.procpool).

It stands where an executor.Run would (RunHandle.run). No engine thread waits for it: the pool sends it to a free
worker from the thread that submits it (or, when all are busy, from the thread that read the previous run's
result), and ``on_done`` is called with its result on the thread that reads the worker. A run that does not stop
within ``KILL_AFTER`` seconds of being cancelled has its process ended.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engine.runtime import events as ev
from engine.runtime import wire
from engine.runtime.executor import CANCELLED, FAILED, RunResult

if TYPE_CHECKING:
    from engine.runtime.plan import Plan
    from engine.runtime.procpool import ProcessPool
    from engine.runtime.procworker import WorkerProcess

log = logging.getLogger("flowdeck.workers")
KILL_AFTER = 3.0  # seconds a cancelled run gets before its process is ended


class RemoteRun:
    """A run executing in a worker process; duck-types the parts of executor.Run the engine and handles use."""

    def __init__(
        self,
        pool: ProcessPool,
        plan: Plan,
        *,
        run_id: str,
        trigger: dict[str, Any] | None,
        variables: dict[str, Any] | None,
        source: str,
        state: Callable[[], Any],
        debug: Any = None,
    ) -> None:
        if plan.snapshot is None:
            raise ValueError("this plan was compiled without its workflow; compile it with Engine.plan")
        self.pool, self.plan, self.run_id, self.source = pool, plan, run_id, source
        self.trigger, self.variables = trigger or {}, variables
        self._state_of: Callable[[], Any] = state  # the workflow's store, looked up when first asked for
        self._state: Any = None
        self.debug = debug  # engine.runtime.debug.Debug, plain data: it crosses with the run
        self._secrets: frozenset[str] = frozenset()
        self._result: RunResult | None = None
        self._cancelled_at: float | None = None
        self._worker: WorkerProcess | None = None
        self.open_runs: set[str] = set()  # run ids (this one, its child workflows) started and not yet finished
        self.local: Any = None  # the executor.Run when it ran in this process after all (see ProcessPool.local)
        self.on_start: Callable[[], None] = lambda: None  # set by the engine: it has a worker now
        self.on_done: Callable[[RunResult], None] = lambda result: None  # set by the engine
        self.dropped: Callable[[], bool] = lambda: False  # set by the engine: true when shutdown gave up on it

    @property
    def state(self) -> Any:
        """The workflow's saved values, found when a step first asks (resolving its file's path costs ≈ 0.1 ms a
        workflow, which 200 fires due together would pay before the last is sent)."""
        if self._state is None:
            self._state = self._state_of()
        return self._state

    @property
    def secret_values(self) -> frozenset[str]:
        return self.local.secret_values if self.local is not None else self._secrets

    @property
    def cancelled(self) -> bool:
        return self._cancelled_at is not None

    def cancel(self) -> None:
        first = self._cancelled_at is None
        if first:
            self._cancelled_at = time.monotonic()
        if self.local is not None:
            self.local.cancel()
        worker = self._worker
        if worker is not None:
            worker.send((wire.CANCEL, self.run_id))
            if first:
                self.arm_kill(worker)

    def debug_command(self, command: str, target: str | None = None) -> None:
        """A paused debug run's next move, sent to its process (or to the thread it runs on here)."""
        if self.local is not None:
            self.local.debug_command(command, target)
        elif self._worker is not None:
            self._worker.send((wire.DEBUG, self.run_id, command, target))

    def arm_kill(self, worker: WorkerProcess) -> None:
        """End ``worker``'s process if this run is still going ``KILL_AFTER`` seconds from now (a timer thread,
        started only for a cancelled run, so that reading the worker needs no timeouts)."""

        def kill_if_going() -> None:
            if self._result is None and self._worker is worker:
                log.warning("run %s did not stop within %gs of being cancelled: its process is ended",
                            self.run_id, KILL_AFTER)  # fmt: skip
                worker.end_run(self)

        timer = threading.Timer(KILL_AFTER, kill_if_going)
        timer.daemon = True
        timer.start()

    def kill(self) -> None:
        """End the run's process now; the run is recorded as cancelled at once (WorkerProcess.end_run)."""
        if self._cancelled_at is None:
            self._cancelled_at = time.monotonic()
        worker = self._worker
        if worker is not None:
            worker.end_run(self)

    def assigned(self, worker: WorkerProcess) -> None:
        self._worker = worker
        self.on_start()

    def unassigned(self) -> None:
        """Given back by its worker before it began (a recall, or the process ended): not that worker's now, so
        a cancel's kill timer cannot end that process for it."""
        self._worker = None

    def waiting_turn(self) -> bool:
        """Sent to a worker and waiting there behind another run (it has not begun)."""
        worker = self._worker
        assigned = worker.assigned if worker is not None else []
        return bool(assigned) and assigned[0] is not self and self in assigned

    def result(self) -> RunResult | None:
        return self._result

    def finished(self, result: RunResult, secrets: frozenset[str]) -> None:
        self._secrets = secrets
        if not result.workflow:
            result.workflow = self.plan.name
        self._result = result
        self._worker = None
        self.on_done(result)

    def lost(self, how: str, kind: str = "worker") -> None:
        """The worker died (or the run could not be sent to one, ``kind`` "handover"): the run (and any child run
        it had started) ends as failed, or cancelled if asked."""
        status = CANCELLED if self._cancelled_at is not None else FAILED
        error = None if status == CANCELLED else {"message": how, "kind": kind, "step": None}
        if self.run_id not in self.open_runs:  # the process died before the run began: record that it was due
            self.pool.emit(ev.Event(ev.RUN_STARTED, self.run_id, self.plan.name, None, self._started_data()))
        for run_id in {self.run_id, *self.open_runs}:
            data = {"status": status, "error": error, "duration": 0.0, "outputs": {}, "message": ""}
            self.pool.emit(ev.Event(ev.RUN_FINISHED, run_id, self.plan.name, None, data))
        self.finished(RunResult(self.run_id, self.plan.name, status, error, started=time.time(),
                                finished=time.time()), self._secrets)  # fmt: skip

    def _started_data(self) -> dict[str, Any]:
        return {"trigger": self.trigger, "source": self.source, "path": str(self.plan.path or "")}
