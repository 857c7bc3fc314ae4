"""One run process of a ProcessPool (engine.runtime.procpool): starting it, sending it runs, reading what it sends.

A run is sent from the thread that submits it or from the thread that read the previous result; what the process
sends is read by a thread of its own, as long as it lives. When it dies, its run is recorded (failed, or cancelled
when the engine ended it after a cancel) and the pool forgets it.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import signal
import threading
import time
from typing import TYPE_CHECKING, Any

from engine.runtime import events as ev
from engine.runtime import wire
from engine.runtime.executor import RunResult

if TYPE_CHECKING:
    from engine.runtime.procpool import ProcessPool
    from engine.runtime.remote import RemoteRun

log = logging.getLogger("flowdeck.workers")
START_TIMEOUT = 30.0  # seconds a new worker may take to report ready
GONE = "gone"  # what start_run returns when the process was already gone: the run goes to another worker


_CONTEXT: Any = None


def _context() -> Any:
    """Where run processes come from: a fork server that has the runtime loaded (POSIX), else fresh interpreters
    (Windows). Both start a clean process, never a copy of this one with its threads and its window."""
    global _CONTEXT
    if _CONTEXT is None:
        if "forkserver" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["engine.runtime.preload"])
        else:
            context = multiprocessing.get_context("spawn")
        _CONTEXT = context
    return _CONTEXT


class WorkerProcess:
    """One worker process, and the thread that starts it and then reads what it sends while it lives."""

    def __init__(self, pool: ProcessPool) -> None:
        self.pool = pool
        self.ready = threading.Event()
        self.runs = 0
        self.idle_since = time.monotonic()
        self.current: RemoteRun | None = None
        self.dead = False
        self.ended_here = False  # this process ended it (kill): its run's end is no surprise
        self._lock = threading.Lock()
        self._current_lock = threading.Lock()  # who takes the run of a dying worker: its reader or its sender
        context = _context()
        self.conn, self._child = context.Pipe()
        from engine.runtime import worker as worker_module  # the run side: imported where it is needed

        # The environment and folder go along: a fork server's child would otherwise have the server's, from
        # when it started, not this process's now.
        self.process = context.Process(
            target=worker_module.main,
            args=(self._child, logging.getLogger().getEffectiveLevel(), dict(os.environ), os.getcwd()),
            name="flowdeck-worker",
            daemon=True,
        )

    def launch(self) -> None:
        """Start the process (never under the pool's lock), wait until it is ready, then read it."""
        try:
            self.process.start()
            self._child.close()
            deadline = time.monotonic() + START_TIMEOUT
            while self.conn.poll(max(0.0, deadline - time.monotonic())):
                if self._handle(pickle.loads(self.conn.recv_bytes())) == wire.READY:
                    self.ready.set()
                    self.pool.ready(self)
                    self._read()
                    return
            log.error("a run process did not start within %gs", START_TIMEOUT)
        except (EOFError, OSError) as exc:
            self.process.join(1)
            if self.process.exitcode not in (0, -signal.SIGTERM):  # not just stopped at the engine's exit
                log.error("a run process could not be started: %s (exit code %s)", exc or "it ended at once",
                          self.process.exitcode)  # fmt: skip
        self.kill()
        self.pool.failed_start()
        self._died()

    def send(self, message: tuple[Any, ...]) -> None:
        self._send_bytes(wire.dumps(message))

    def _send_bytes(self, data: bytes) -> bool:
        try:
            with self._lock:
                self.conn.send_bytes(data)
            return True
        except OSError:
            return False  # the process is gone; the thread reading it says so

    def _take_current(self, run: RemoteRun | None = None) -> RemoteRun | None:
        """This worker's run (only if it is ``run``, when given), which is no longer this worker's."""
        with self._current_lock:
            current = self.current
            if current is None or (run is not None and current is not run):
                return None
            self.current = None
            return current

    def start_run(self, run: RemoteRun) -> str | None:
        """Send ``run`` to this idle worker (from the thread that submitted it or read the previous result).

        Returns why it could not be sent (a value too deep to pickle, say): the run is then not this worker's,
        which stays idle, and the caller fails that run alone (ProcessPool.hand). Returns GONE when the process
        had already ended (a broken pipe): the run never reached it and goes to another worker."""
        plan = run.plan
        try:
            data = wire.dumps((wire.RUN, run.run_id, plan.snapshot, str(plan.folder), run.trigger, run.variables,
                               run.source, self.pool.host is not None, run.debug))  # fmt: skip
        except Exception as exc:  # whatever the value is, it must not reach the thread that hands out runs
            return f"{type(exc).__name__}: {exc}"
        self.current, self.runs = run, self.runs + 1
        run.assigned(self)
        if not self._send_bytes(data) and self._take_current(run) is run:  # else the reader took it: it says so
            return GONE
        if run.cancelled:  # cancelled while it waited for a worker
            self.send((wire.CANCEL, run.run_id))
            run.arm_kill(self)
        return None

    def _read(self) -> None:
        """Read what the process sends for as long as it lives (blocking reads: no timeouts to wake for)."""
        conn = self.conn
        try:
            while True:
                self._handle(pickle.loads(conn.recv_bytes()))
        except (EOFError, OSError):
            pass
        except Exception:
            log.exception("run process %s sent something unreadable; it is ended", self.process.pid)
            self.kill()
        self._died()

    def kill(self) -> None:
        if self.process.pid is not None:
            self.ended_here = True
            self.process.kill()

    def end_run(self, run: RemoteRun) -> None:
        """End the process of ``run``, which was cancelled and did not stop, and record the run as cancelled now:
        not once the reader has seen the process go, which a busy machine can delay past a stop's deadline."""
        self.kill()
        self.pool.forget(self)  # out of the pool now: a successor may start while this process exits
        if self._take_current(run) is run:
            log.info("the process of run %s was ended by Flowdeck (the run did not stop when cancelled); "
                     "recorded as cancelled", run.run_id)  # fmt: skip
            run.lost("the run's process was ended by Flowdeck")

    def stop(self) -> None:
        self.send((wire.STOP,))

    def _handle(self, message: tuple[Any, ...]) -> str:
        kind = message[0]
        if kind == wire.EVENTS:
            self._events(message[1])
        elif kind == wire.RESULT:
            self._events(message[4])
            run = self._take_current()
            if not self.ended_here:  # a process being ended takes no next run
                self.pool.free(self)  # the next run waiting is sent before this one's result is handed on
            if run is not None:
                run.finished(RunResult(**message[2]), frozenset(message[3]))
        elif kind == wire.CALL:
            self.pool.call(self, *message[1:])
        elif kind == wire.LOG:
            logging.getLogger(message[1]).log(message[2], "%s", message[3])
        return kind

    def _events(self, items: list[tuple[Any, ...]]) -> None:
        run = self.current
        for item in items:
            event = wire.unpack(item)
            if run is not None and event.kind in (ev.RUN_STARTED, ev.RUN_FINISHED):
                (run.open_runs.add if event.kind == ev.RUN_STARTED else run.open_runs.discard)(event.run_id)
            self.pool.emit(event)

    def _died(self) -> None:
        self.dead = True
        self.ready.set()
        if self.process.pid is not None:
            self.process.join(2)
        self.conn.close()
        run = self._take_current()
        if run is not None:
            code = self.process.exitcode
            if self.ended_here and run.cancelled:  # stopped after its cancel, or at shutdown: what was asked
                log.info("the process of run %s was ended by Flowdeck (the run did not stop when cancelled); "
                         "recorded as cancelled", run.run_id)  # fmt: skip
            else:
                log.error("the process of run %s ended unexpectedly (exit code %s)", run.run_id, code)
            run.lost(f"the run's process ended unexpectedly (exit code {code}); the run was stopped there")
        self.pool.forget(self)
