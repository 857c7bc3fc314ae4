"""The engine: runs workflows on a pool of worker threads and tells listeners what happens."""

from __future__ import annotations

import dataclasses
import pickle
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.model.workflow import Workflow
from engine.registry.blocks import Registry
from engine.runtime.events import RUN_FINISHED, RUN_STARTED, Event, EventBus, Listener
from engine.runtime.executor import CANCELLED, Run, RunResult, new_run_id
from engine.runtime.outcome import NOT_BEGUN
from engine.runtime.plan import Plan, compile_plan
from engine.runtime.redact import redact
from engine.runtime.state import STATE_FILE, MemoryState, StateDB

if TYPE_CHECKING:
    from engine.registry.context import Host, StateStore
    from engine.runtime.debug import Debug
    from engine.runtime.history import History
    from engine.runtime.procpool import ProcessPool
    from engine.runtime.remote import RemoteRun

ISOLATIONS = ("thread", "process")
STOP_AFTER_CANCEL = 1.0  # seconds a cancelled process run gets at shutdown before its process is ended


class RunHandle:
    """A submitted run: wait for it, or cancel it."""

    def __init__(self, run: Run, future: Future[RunResult], history: History | None = None) -> None:
        self.run = run
        self.future = future
        self.sent = False  # set when the run is on its way: on a thread, or sent to a run process
        self._history = history
        self._recording = threading.Lock()
        self.recorded = False  # its history row is committed

    def record(self) -> None:
        """Commit the run's history row now if it is not yet (else when the run begins): a webhook's 202 promises
        the call is recorded, also while the run still waits for a free run process. Returns after the commit,
        also when another thread is committing it."""
        with self._recording:
            if not self.recorded and self._history is not None:
                run: Any = self.run
                self._history.begin(run.run_id, run.plan.name, path=str(run.plan.path or ""), trigger=run.trigger,
                                    source=run.source)  # fmt: skip
            self.recorded = True

    @property
    def started(self) -> bool:
        """The run has begun: sent, and not waiting its turn in a run process behind another run (what an overlap
        policy counts as going)."""
        waiting = getattr(self.run, "waiting_turn", None)
        return self.sent and not (waiting is not None and waiting())

    @started.setter
    def started(self, value: bool) -> None:
        self.sent = value

    @property
    def run_id(self) -> str:
        return self.run.run_id

    @property
    def workflow(self) -> str:
        return self.run.plan.name

    @property
    def path(self) -> Path | None:
        return self.run.plan.path

    def cancel(self) -> None:
        self.run.cancel()

    def debug(self, command: str, target: str | None = None) -> None:
        """Tell a paused debug run to ``continue``, ``step``, ``run_to`` ``target`` or ``stop``
        (engine.runtime.debug); a run started without breakpoints ignores it."""
        from engine.runtime.debug import COMMANDS

        if command not in COMMANDS:
            raise ValueError(f"unknown debug command {command!r}; expected one of {', '.join(COMMANDS)}")
        self.run.debug_command(command, target)

    def done(self) -> bool:
        return self.future.done()

    def wait(self, timeout: float | None = None) -> RunResult:
        """The run's result (raises TimeoutError if it is still going after ``timeout``)."""
        return self.future.result(timeout)

    def redacted(self, value: Any) -> Any:
        """``value`` with every secret this run read masked, as its events and the history show it.

        A RunResult holds the real values (a caller may need them); anything printed or stored passes through here.
        """
        return redact(value, set(self.run.secret_values))


class Engine:
    """Runs workflows. Thread-safe; one per process is enough.

    ``isolation``: ``"thread"`` runs each run on a thread of this process (quick to start; what one-off runs and
    tests use); ``"process"`` runs each in a worker process (engine.runtime.procpool), so that a CPU-bound run
    cannot delay the scheduler, the webhook server or the window, and a run that crashes or will not stop takes only
    its own process down. The app and the daemon use processes. Process runs use the installed blocks
    (``registry`` must be None), and reach ``host`` and the state store through the engine.
    """

    def __init__(
        self,
        *,
        workers: int = 4,
        host: Host | None = None,
        registry: Registry | None = None,
        state: StateDB | None = None,
        state_dir: Path | None = None,
        history: History | None = None,
        isolation: str = "thread",
    ) -> None:
        if isolation not in ISOLATIONS:
            raise ValueError(f"isolation must be one of {', '.join(ISOLATIONS)}, not {isolation!r}")
        if isolation == "process" and registry is not None:
            raise ValueError("process isolation runs the installed blocks; a custom registry needs isolation='thread'")
        self.isolation = isolation
        self.bus = EventBus()
        self.history = history
        if history is not None:
            self.bus.subscribe_batch(history.listen_batch)
        self.host = host
        self.registry = registry
        # saved values: ``state`` (the user's StateDB.default() in the app, daemon and command), or a database in
        # ``state_dir``; with neither they last as long as the engine
        self.state_db = state if state is not None or state_dir is None else StateDB(state_dir / STATE_FILE)
        self.workers = workers
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="flowdeck-run")
        self._active: dict[str, RunHandle] = {}
        self._states: dict[str, StateStore] = {}
        self._keys: dict[Path, str] = {}  # a workflow file's path as the plan has it → resolved (state_for)
        self._lock = threading.Lock()
        self._closed = False
        self._processes: ProcessPool | None = None
        if isolation == "process":
            from engine.runtime.procpool import ProcessPool

            self._processes = ProcessPool(workers, self.bus.emit, host, self._state_of_run, self._run_elsewhere,
                                          self._begin_together)  # fmt: skip

    def subscribe(self, listener: Listener) -> Any:
        """Call ``listener(event)`` for every event, on the event thread. Returns an unsubscribe function."""
        return self.bus.subscribe(listener)

    def plan(self, workflow: Workflow | Plan) -> Plan:
        """A frozen plan of ``workflow`` (raises WorkflowError if it does not validate).

        No ``snapshot()`` (a deep copy that cost ≈ 150 µs per step): compile_plan copies every value it keeps into
        read-only mappings and tuples, so later edits of ``workflow`` never reach the plan.
        """
        if isinstance(workflow, Plan):
            return workflow
        plan = compile_plan(workflow, self.registry)
        if self.isolation == "process":  # pickled now: later edits of ``workflow`` never reach the run process
            plan = dataclasses.replace(plan, snapshot=pickle.dumps(workflow, protocol=pickle.HIGHEST_PROTOCOL))
        return plan

    def submit(
        self,
        workflow: Workflow | Plan,
        *,
        trigger: dict[str, Any] | None = None,
        variables: dict[str, Any] | None = None,
        source: str = "manual",
        run_id: str | None = None,
        debug: Debug | None = None,
    ) -> RunHandle:
        """Start a run on the pool; the workflow is frozen now, so later edits do not reach it.

        ``debug``: start at a step, run one step, use pins, pause at breakpoints (engine.runtime.debug); raises
        ValueError when it names a step the workflow does not have."""
        if self._closed:
            raise RuntimeError("the engine is shut down")
        plan = self.plan(workflow)
        if debug is not None:
            from engine.runtime.debug import problems

            found = problems(debug, plan)
            if found:
                raise ValueError("; ".join(found))
        if self.history is not None:
            self.history.retain(plan.name, plan.history)  # before the run's rows, so its first prune applies it
        run: Run | RemoteRun
        if self._processes is not None:
            from engine.runtime.remote import RemoteRun

            run = RemoteRun(self._processes, plan, run_id=run_id or new_run_id(), trigger=trigger,
                            variables=variables, source=source, state=lambda: self.state_for(plan),
                            debug=debug)  # fmt: skip
        else:
            run = Run(
                plan,
                bus=self.bus,
                run_id=run_id or new_run_id(),
                trigger=trigger,
                variables=variables,
                host=self.host,
                state=self.state_for(plan),
                source=source,
                debug=debug,
            )
        future: Future[RunResult] = Future()
        handle = RunHandle(run, future, self.history)
        with self._lock:
            self._active[run.run_id] = handle
        if self._processes is not None:
            self._send(handle)
        else:
            self._pool.submit(self._execute, handle)
        return handle

    def _send(self, handle: RunHandle) -> None:
        """A process run: the pool sends it to a worker (no engine thread waits for it) and calls back its end."""
        from engine.runtime.procpool import WorkerError

        remote: Any = handle.run
        remote.on_start = lambda: self._begin(handle)  # before the worker is told to go
        remote.on_done = lambda result: self._ended(handle, result)
        remote.dropped = handle.future.done
        try:
            self._processes.submit(remote)  # type: ignore[union-attr]
        except WorkerError:
            self._run_elsewhere(remote)

    def _begin(self, handle: RunHandle) -> None:
        """The run is about to execute: its history row is committed first, so that no step of it can have run
        (written a file, sent a mail) without the run being recorded, whenever this process is killed."""
        handle.started = True
        handle.record()

    def _begin_together(self, runs: list[Any]) -> None:
        """Process runs sent together: their history rows are committed in one transaction (each handle's
        ``record`` is then a no-op), before any of them may begin."""
        if self.history is None or len(runs) < 2:
            return
        with self._lock:
            handles = [h for h in (self._active.get(run.run_id) for run in runs) if h is not None and not h.recorded]
        self.history.begin_many([(h.run_id, h.workflow, str(h.path or ""), h.run.trigger, h.run.source)
                                 for h in handles])  # fmt: skip
        for handle in handles:
            handle.recorded = True

    def _ended(self, handle: RunHandle, result: RunResult) -> None:
        with self._lock:
            self._active.pop(handle.run_id, None)
        if not result.started and self.history is not None:  # it failed in its process before it began: no events
            data = {"status": result.status, "error": result.error, "duration": 0.0, "outputs": {},
                    "message": result.message}  # fmt: skip
            self.bus.emit(Event(RUN_FINISHED, result.run_id, handle.workflow, None, data))  # its begun row ends
        if not handle.future.done():
            handle.future.set_result(result)

    def _run_elsewhere(self, remote: Any) -> None:
        """No run process can start on this system: the run goes on one of this process's threads instead."""
        handle = self.get(remote.run_id)
        if handle is not None and not handle.future.done():
            self._pool.submit(self._execute, handle)

    def run(self, workflow: Workflow | Plan, **kwargs: Any) -> RunResult:
        """Run and wait for the result."""
        return self.submit(workflow, **kwargs).wait()

    def _execute(self, handle: RunHandle) -> None:
        with self._lock:
            if handle.future.done():  # cancelled by shutdown while it waited in the queue
                return
            handle.started = True
        self._begin(handle)
        try:
            run = handle.run
            result = run.execute() if isinstance(run, Run) else self._run_here(run)
            handle.future.set_result(result)
        except BaseException as exc:
            handle.future.set_exception(exc)
        finally:
            with self._lock:
                self._active.pop(handle.run_id, None)

    def _state_of_run(self, run_id: str) -> StateStore | None:
        handle = self.get(run_id)
        return handle.run.state if handle is not None else None

    def _run_here(self, remote: RemoteRun) -> RunResult:
        """A process run executed on this thread instead (no worker process can start on this system)."""
        run = Run(remote.plan, bus=self.bus, run_id=remote.run_id, trigger=remote.trigger, variables=remote.variables,
                  host=self.host, state=remote.state, source=remote.source, debug=remote.debug)  # fmt: skip
        remote.local = run
        return run.execute()

    def _end_processes(self, handles: list[RunHandle]) -> None:
        """Runs that ignored their cancel for ``STOP_AFTER_CANCEL`` seconds lose their process (recorded cancelled)."""
        deadline = time.monotonic() + STOP_AFTER_CANCEL
        for handle in handles:
            try:
                handle.wait(max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                handle.run.kill()  # type: ignore[union-attr]

    def _record_cancelled(self, handle: RunHandle) -> None:
        """The events of a run cancelled before it began (the shutdown came while it waited for a worker)."""
        run: Any = handle.run
        now = time.time()
        begun = {"trigger": run.trigger, "source": run.source, "path": str(run.plan.path or "")}
        ended = {"status": CANCELLED, "error": None, "duration": 0.0, "outputs": {}, "message": NOT_BEGUN}
        self.bus.emit(Event(RUN_STARTED, handle.run_id, handle.workflow, None, begun, now))
        self.bus.emit(Event(RUN_FINISHED, handle.run_id, handle.workflow, None, ended, now))

    def warm(self, runs: int = 1) -> None:
        """Get run processes ready for ``runs`` runs now, in the background, so that they do not wait for one to
        start (the service warms one at start, and more shortly before several fires are due together); a no-op
        with thread isolation. Until then none is started: a command that only reads (``flowdeck status``)
        starts no process."""
        if self._processes is not None:
            self._processes.warm(runs)

    def worker_pids(self) -> list[int]:
        """The process ids of the run processes (none with thread isolation)."""
        return self._processes.pids() if self._processes is not None else []

    def active(self) -> list[RunHandle]:
        with self._lock:
            return list(self._active.values())

    def get(self, run_id: str) -> RunHandle | None:
        with self._lock:
            return self._active.get(run_id)

    def cancel(self, run_id: str) -> bool:
        handle = self.get(run_id)
        if handle is None:
            return False
        handle.cancel()
        return True

    def state_for(self, plan: Plan) -> StateStore:
        """The saved values of a workflow, shared by all its runs (and, in the StateDB, by other processes).

        A workflow is known by its file's resolved path: renaming or moving the file starts with no saved values
        (``flowdeck state`` still shows the old ones under the old path). A workflow without a file keeps its values
        in memory for as long as this engine lives.
        """
        key = self._state_key(plan)
        with self._lock:
            if key not in self._states:
                if self.state_db is None or plan.path is None:
                    self._states[key] = MemoryState()
                else:
                    self._states[key] = self.state_db.store(key, plan.name)
            store = self._states[key]
            if getattr(store, "name", plan.name) != plan.name:  # renamed inside the file: show the new name
                store.name = plan.name  # type: ignore[attr-defined]
            return store

    def _state_key(self, plan: Plan) -> str:
        """The file's resolved path, resolved once per path as written (≈ 16 µs per submit otherwise)."""
        if plan.path is None:
            return plan.name
        key = self._keys.get(plan.path)
        if key is None:
            key = self._keys[plan.path] = str(plan.path.resolve())
        return key

    def shutdown(self, grace: float = 10.0) -> list[RunResult]:
        """Let running runs finish for ``grace`` seconds, cancel the rest, and stop the pool."""
        self._closed = True
        deadline = time.monotonic() + grace
        handles = self.active()
        with self._lock:  # runs still queued never start: they are cancelled at once
            queued = [h for h in handles if not h.sent]
            for handle in queued:
                handle.run.cancel()
                handle.future.set_result(RunResult(handle.run_id, handle.workflow, CANCELLED))
                self._active.pop(handle.run_id, None)
        for handle in queued:  # recorded as cancelled by the stop: a fire that never began still leaves its row
            self._record_cancelled(handle)
        for handle in handles:  # sent to a process, waiting there for their turn: they end at once too
            if handle.sent and not handle.started:
                handle.run.cancel()
        for handle in handles:
            try:
                handle.wait(max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                handle.cancel()
        if self._processes is not None:
            self._end_processes(handles)
        results = []
        for handle in handles:
            try:
                results.append(handle.wait(5))
            except TimeoutError:
                results.append(RunResult(handle.run_id, handle.workflow, CANCELLED))
        self._pool.shutdown(wait=False, cancel_futures=True)
        if self._processes is not None:
            self._processes.close()
        self.bus.close()
        if self.history is not None:
            self.history.close()
        return results
