"""Run processes: each run of a process-isolated engine executes in a worker process of its own.

Why: the scheduler, the webhook server and the window share one interpreter lock with every run in their
process. A CPU-bound run (a loop over thousands of items) then delays every other thread by 5–50 ms per hand-over,
and fires due at the same moment come hundreds of milliseconds late. In a process of its own a run competes only
for a core, which the operating system shares fairly; the engine's process keeps the GIL for scheduling.

Each worker runs one run at a time (``Engine.workers`` bounds how many run at once); no engine thread waits for
it: a run is sent from the thread that submits it, or from the thread that read the previous run's result. When
runs wait for every worker, a worker is sent a share of them in one message (at most ``CHUNK``, their history rows
committed in one transaction), and more once only its last is left going: it goes from one to the next with no
round trip, and a burst costs one pipe write and one commit per share instead of per run. A worker that comes
free while others still have runs waiting their turn asks them back (``wire.RECALL``), so that a long run never
holds up the runs sent behind it while a worker is idle. One
spare worker is kept started (``warm``; the scheduler asks for more before a cluster of fires, see
engine.scheduling.warmup), so a fire does not wait for a process to start; idle workers beyond one retire after
``IDLE_RETIRE``, and a worker is replaced after ``MAX_RUNS`` runs. A worker that dies takes only its run with it:
the run is recorded as failed (or cancelled, when it was being stopped) with the exit code, and the next run gets
a new worker. A run that cannot be sent (a value too deep to pickle) fails alone, and its worker takes the next
(``hand``). The run side (engine.runtime.remote) ends the process of a run that does not stop when cancelled. One
worker process is engine.runtime.procworker.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from engine.errors import StepError
from engine.runtime import events as ev
from engine.runtime import wire
from engine.runtime.outcome import NOT_BEGUN
from engine.runtime.procworker import WorkerProcess

if TYPE_CHECKING:
    from engine.runtime.remote import RemoteRun

log = logging.getLogger("flowdeck.workers")
IDLE_RETIRE = 300.0  # seconds an extra idle worker is kept (one spare always stays)
MAX_RUNS = 1000  # runs a worker executes before it is replaced (memory a long life may gather)
MAX_FAILED_STARTS = 3
CHUNK = 32  # runs sent to one worker in one message, at most (each executes in turn there)


class WorkerError(RuntimeError):
    """No worker process could be started."""


class _Keyring:
    """Secrets are read here, in the engine's process: one keyring session (and unlock prompt) for every run."""

    @staticmethod
    def read(name: str) -> str:
        from engine.runtime.context import read_secret

        return read_secret(name)


class ProcessPool:
    """Worker processes for an engine's runs; see the module's docstring."""

    def __init__(
        self,
        size: int,
        emit: Callable[[ev.Event], None],
        host: Any,
        state_of: Callable[[str], Any],
        local: Callable[[RemoteRun], None],
        begin: Callable[[list[RemoteRun]], None] = lambda runs: None,
    ) -> None:
        self.size = max(1, size)
        self.local = local  # runs a RemoteRun on the engine's threads when no process can start
        self.emit = emit
        self.begin = begin  # commits the history rows of runs sent together, in one transaction
        self.host = host
        self._state_of = state_of  # run id -> the run's StateStore
        self._lock = threading.Lock()
        self._idle: list[WorkerProcess] = []
        self._all: list[WorkerProcess] = []
        self._queue: deque[RemoteRun] = deque()  # runs waiting for a worker, first come first served
        self._calls = ThreadPoolExecutor(max_workers=2, thread_name_prefix="flowdeck-worker-calls")
        self._closed = False
        self._failed_starts = 0  # in a row; after MAX_FAILED_STARTS the pool gives up (runs go to threads)

    def warm(self, runs: int = 1) -> None:
        """Have ``runs`` workers idle or starting (at most ``size`` in all), started now in the background; the
        idle ones are kept as if just used."""
        with self._lock:
            if self._closed or self.broken:
                return
            now = time.monotonic()
            for worker in self._idle:
                worker.idle_since = now
            while len(self._idle) < runs and len(self._all) < self.size:
                self._start_locked()

    @property
    def broken(self) -> bool:
        return self._failed_starts >= MAX_FAILED_STARTS

    def failed_start(self) -> None:
        with self._lock:
            self._failed_starts += 1
            waiting: list[RemoteRun] = []
            if self._failed_starts == MAX_FAILED_STARTS:
                log.error("run processes cannot be started here; runs go on in the app's own process")
                waiting, self._queue = list(self._queue), deque()
        for run in waiting:  # they still run, on the engine's threads
            self.local(run)

    def submit(self, run: RemoteRun) -> None:
        """Send ``run`` to an idle worker now, or queue it for the first to come free or to start (first come,
        first served). Raises WorkerError when no process can be started here (the engine then uses a thread)."""
        with self._lock:
            if self._closed:
                raise WorkerError("the engine is shut down")
            if self.broken:
                raise WorkerError("run processes cannot be started")
            ready = self._ready_locked()
            worker = None
            if ready and not self._queue:  # the last one released: its caches (plans, templates) are warm
                worker = ready[-1]
                self._idle.remove(worker)
            else:
                self._queue.append(run)
                self._grow_locked()
        if worker is not None:
            self.hand(worker, [run])
        self._spare()

    def _share_locked(self, behind: bool = False) -> list[RemoteRun]:
        """The next runs waiting for one worker: its share of them (at least one, at most ``CHUNK``), in order. A
        debug run goes alone (it pauses for a person), and never ``behind`` a run still going there."""
        count = max(1, min(CHUNK, len(self._queue) // self.size))
        runs: list[RemoteRun] = []
        while self._queue and len(runs) < count:
            run = self._queue[0]
            if run.debug is not None and (runs or behind):
                break
            self._queue.popleft()
            if run.dropped():  # shutdown already recorded it as cancelled
                continue
            runs.append(run)
            if run.debug is not None:
                break
        return runs

    def _grow_locked(self) -> None:
        """Start workers for the runs waiting (as many as are not starting already), up to ``size``."""
        if self._closed or self.broken:
            return
        starting = sum(1 for w in self._idle if not w.ready.is_set())
        while starting < len(self._queue) and len(self._all) < self.size:
            self._start_locked()
            starting += 1

    def _ready_locked(self) -> list[WorkerProcess]:
        # a worker that died while idle is already gone: its reader saw the pipe close (_died -> forget)
        return [w for w in self._idle if w.ready.is_set() and not w.dead]

    def free(self, worker: WorkerProcess) -> None:
        """``worker`` has at most one run left going: with none, it takes the next runs waiting, retires, or waits
        idle; with one, it is sent more now only when runs wait for every worker."""
        runs: list[RemoteRun] = []
        retire = idle = False
        with self._lock:
            if worker in self._idle:  # already free (a recall's answer came after its last result)
                return
            if worker.assigned:
                if not self._closed and worker.runs < MAX_RUNS and len(self._queue) >= self.size:
                    runs = self._share_locked(behind=True)
            elif self._closed or worker.runs >= MAX_RUNS:
                retire = True
                if worker in self._all:  # out of the count now: its successor can start while it exits
                    self._all.remove(worker)
                self._grow_locked()
            else:
                runs = self._share_locked()
                if not runs:
                    idle = True
                    worker.idle_since = time.monotonic()
                    self._idle.append(worker)
        if retire:
            worker.stop()
        elif runs:
            self.hand(worker, runs)
        elif idle:
            self._recall()
        self._spare()
        self.tidy()

    def hand(self, worker: WorkerProcess, runs: list[RemoteRun]) -> None:
        """Send ``runs`` to ``worker``, taken out of the idle list; a run that cannot be sent fails alone (recorded
        with the reason), and when none could be sent the worker takes the next ones waiting, or goes back to the
        idle list. A loop rather than a recursion: a long queue of such runs cannot exhaust the stack of the
        thread that hands them out."""
        while runs:
            failed, gone = worker.start_runs(runs)
            for run, problem in failed:
                log.error("run %s could not be handed to its process: %s; the run fails", run.run_id, problem)
                run.lost(f"the run could not be handed to its process: {problem}", kind="handover")
            if gone:  # not this worker's any more (its reader drops it): the runs start elsewhere
                log.info("%d run(s) go to another process: the one they were sent to had ended", len(gone))
                return self.returned(worker, gone, more=False)
            if len(failed) < len(runs):
                return
            with self._lock:
                runs = self._share_locked()
                if not runs:
                    worker.idle_since = time.monotonic()
                    self._idle.append(worker)

    def returned(self, worker: WorkerProcess, runs: list[RemoteRun], more: bool = True) -> None:
        """``runs`` were sent to ``worker`` and never began there (given back after a recall, or it ended): they
        go first in the queue, to the workers free now or starting; ``worker``, if left with none, takes more
        (``more``; not when the pipe to it just broke)."""
        for run in runs:
            run.unassigned()
        with self._lock:
            closed, broken = self._closed, self.broken
            if not (closed or broken):
                self._queue.extendleft(reversed(runs))
                self._grow_locked()
        for run in runs if closed or broken else ():
            if closed:  # the engine is stopping: they are recorded as cancelled, never begun
                run.cancel()
                run.lost(NOT_BEGUN)
            else:  # no process can start any more: the engine's threads run them
                self.local(run)
        self._dispatch()
        if more and runs and not worker.dead and not worker.assigned:
            self.free(worker)

    def _dispatch(self) -> None:
        """Hand the runs waiting to the idle workers, a share each."""
        while True:
            with self._lock:
                ready = self._ready_locked()
                runs = self._share_locked() if ready else []
                if not runs:
                    return
                worker = ready[-1]
                self._idle.remove(worker)
            self.hand(worker, runs)

    def _recall(self) -> None:
        """A worker is idle and none wait in the queue: the worker with the most runs waiting their turn is asked
        to give them back (they come back through ``returned``)."""
        with self._lock:
            if self._queue or self._closed:
                return
            busy = [w for w in self._all if w.waiting and not w.recalling and not w.dead]
        if busy:
            max(busy, key=lambda w: w.waiting).recall()

    def _spare(self) -> None:
        """Keep one idle worker started (or starting) while fewer than ``size`` exist."""
        with self._lock:
            if not self._closed and not self.broken and not self._idle and len(self._all) < self.size:
                self._start_locked()

    def _start_locked(self) -> None:
        worker = WorkerProcess(self)
        self._all.append(worker)
        self._idle.append(worker)
        threading.Thread(target=worker.launch, name="flowdeck-worker-start", daemon=True).start()

    def ready(self, worker: WorkerProcess) -> None:
        with self._lock:
            self._failed_starts = 0
            idle = worker in self._idle
            runs = self._share_locked() if idle else []
            if runs:
                self._idle.remove(worker)
        if runs:
            self.hand(worker, runs)
        elif idle:
            self._recall()

    def forget(self, worker: WorkerProcess) -> None:
        with self._lock:
            if worker in self._idle:
                self._idle.remove(worker)
            if worker in self._all:
                self._all.remove(worker)
            self._grow_locked()  # runs wait for it: another one starts

    def tidy(self) -> None:
        """Retire idle workers beyond the one spare that have waited ``IDLE_RETIRE`` seconds (at each release)."""
        now = time.monotonic()
        with self._lock:
            old = [w for w in self._idle[:-1] if w.ready.is_set() and now - w.idle_since > IDLE_RETIRE]
            for worker in old:
                self._idle.remove(worker)
                self._all.remove(worker)
        for worker in old:
            worker.stop()

    def call(self, worker: WorkerProcess, call_id: int, run_id: str, target: str, method: str, args: tuple) -> None:
        """A run's host or state call, answered on a small pool so the reader thread keeps reading."""

        def answer() -> None:
            try:
                owner = {"host": self.host, "state": self._state_of(run_id), "secret": _Keyring}.get(target)
                if owner is None or method.startswith("_"):
                    raise StepError(f"no {target} for this run", kind="host")
                worker.send((wire.REPLY, call_id, True, getattr(owner, method)(*args)))
            except StepError as exc:
                worker.send((wire.REPLY, call_id, False, (str(exc), exc.kind)))
            except Exception as exc:
                worker.send((wire.REPLY, call_id, False, (f"{type(exc).__name__}: {exc}", "host")))

        self._calls.submit(answer)

    @property
    def closed(self) -> bool:
        return self._closed

    def pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._all if w.process.pid is not None]

    def close(self, timeout: float = 2.0) -> None:
        """Stop every worker (their runs were finished or cancelled by the engine first)."""
        with self._lock:
            self._closed = True
            workers = list(self._all)
        for worker in workers:
            worker.stop()
        deadline = time.monotonic() + timeout
        for worker in workers:
            if worker.process.pid is None:
                continue
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.kill()
                worker.process.join(1)
        self._calls.shutdown(wait=False, cancel_futures=True)
