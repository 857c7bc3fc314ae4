"""One run process of a ProcessPool (engine.runtime.procpool): starting it, sending it runs, reading what it sends.

Runs are sent from the thread that submits them or from the thread that read a previous result, one or several in
one message; the process executes them one after the other, in the order sent. What it sends is read by a thread
of its own, as long as it lives. When it dies, the run it was executing is recorded (failed, or cancelled when the
engine ended it after a cancel), the runs still waiting their turn there go back to the pool to start elsewhere,
and the pool forgets it.
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


def _payload(run: RemoteRun, host: bool) -> tuple[Any, ...]:
    plan = run.plan
    return (run.run_id, plan.snapshot, str(plan.folder), run.trigger, run.variables, run.source, host, run.debug)


def _pack(runs: list[RemoteRun], host: bool) -> tuple[bytes, list[tuple[RemoteRun, str]]]:
    """The message that sends ``runs`` (a workflow's pickled plan once, however many of its runs go), and the runs
    left out because they cannot be pickled, with why."""
    items = [_payload(run, host) for run in runs]
    try:
        return pickle.dumps((wire.RUNS, items), protocol=pickle.HIGHEST_PROTOCOL), []
    except Exception:
        pass
    good, failed = [], []
    for run, item in zip(runs, items, strict=True):
        try:  # whatever the value is, it must not reach the thread that hands out runs
            pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
            good.append(item)
        except Exception as exc:
            failed.append((run, f"{type(exc).__name__}: {exc}"))
    return pickle.dumps((wire.RUNS, good), protocol=pickle.HIGHEST_PROTOCOL) if good else b"", failed


class WorkerProcess:
    """One worker process, and the thread that starts it and then reads what it sends while it lives."""

    def __init__(self, pool: ProcessPool) -> None:
        self.pool = pool
        self.ready = threading.Event()
        self.runs = 0
        self.idle_since = time.monotonic()
        # runs sent and not ended, in the order sent: only the first can have begun (the process runs them in turn)
        self.assigned: list[RemoteRun] = []
        self.recalling = False  # asked to give back the runs waiting there (wire.RECALL), no answer yet
        self.dead = False
        self.ended_here = False  # this process ended it (kill): its run's end is no surprise
        self._ended_run = False  # end_run recorded the run it was executing: the others there never began
        self._lock = threading.Lock()
        self._assigned_lock = threading.Lock()  # who takes the runs of a dying worker: its reader or its sender
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

    @property
    def waiting(self) -> int:
        """How many runs sent here wait behind the one going."""
        return max(0, len(self.assigned) - 1)

    def _take(self, run: RemoteRun) -> bool:
        """Take ``run`` off this worker (its result came, or it never will); False when it was not this worker's."""
        with self._assigned_lock:
            if run not in self.assigned:
                return False
            self.assigned.remove(run)
            return True

    def _take_id(self, run_id: str) -> RemoteRun | None:
        with self._assigned_lock:
            for run in self.assigned:
                if run.run_id == run_id:
                    self.assigned.remove(run)
                    return run
        return None

    def start_runs(self, runs: list[RemoteRun]) -> tuple[list[tuple[RemoteRun, str]], list[RemoteRun]]:
        """Send ``runs`` to this worker in one message, to execute one after the other (from the thread that
        submitted them or read a previous result); their history rows are committed first, in one transaction.

        Returns the runs that could not be sent, each with why (a value too deep to pickle, say): they are not
        this worker's and the caller fails each alone (ProcessPool.hand); and the runs that never reached the
        process because it had already ended (a broken pipe): they go to another worker."""
        data, failed = _pack(runs, self.pool.host is not None)
        sent = [run for run in runs if all(run is not bad for bad, _why in failed)]
        if not sent:
            return failed, []
        with self._assigned_lock:
            if self.dead:
                return failed, sent
            self.assigned.extend(sent)
        self.runs += len(sent)
        self.pool.begin(sent)
        for run in sent:
            run.assigned(self)
        if not self._send_bytes(data):  # the reader takes those it saw first, and says so
            return failed, [run for run in sent if self._take(run)]
        for run in sent:
            if run.cancelled:  # cancelled while it waited for a worker
                self.send((wire.CANCEL, run.run_id))
                run.arm_kill(self)
        return failed, []

    def recall(self) -> None:
        """Ask for the runs waiting here back (another worker is free); they come back as wire.RETURNED."""
        if not self.recalling:
            self.recalling = True
            self.send((wire.RECALL,))

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
        if self._take(run):
            self._ended_run = True
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
            run = self._take_id(message[1])
            if not self.ended_here and len(self.assigned) <= 1:  # a process being ended takes no next run
                self.pool.free(self)  # the next runs waiting are sent before this one's result is handed on
            if run is not None:
                run.finished(RunResult(**message[2]), frozenset(message[3]))
        elif kind == wire.RETURNED:
            self.recalling = False
            ids = set(message[1])
            with self._assigned_lock:
                back = [run for run in self.assigned if run.run_id in ids]
                self.assigned = [run for run in self.assigned if run.run_id not in ids]
            self.pool.returned(self, back)
        elif kind == wire.CALL:
            self.pool.call(self, *message[1:])
        elif kind == wire.LOG:
            logging.getLogger(message[1]).log(message[2], "%s", message[3])
        return kind

    def _events(self, items: list[tuple[Any, ...]]) -> None:
        assigned = self.assigned
        run = assigned[0] if assigned else None  # the one going: events come in the order the runs went
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
        with self._assigned_lock:
            runs, self.assigned = self.assigned, []
        # only the first can have begun; when end_run recorded it already, none of these did
        run, waiting = (None, runs) if self._ended_run or not runs else (runs[0], runs[1:])
        if run is not None:
            code = self.process.exitcode
            if self.ended_here and run.cancelled:  # stopped after its cancel, or at shutdown: what was asked
                log.info("the process of run %s was ended by Flowdeck (the run did not stop when cancelled); "
                         "recorded as cancelled", run.run_id)  # fmt: skip
            else:
                log.error("the process of run %s ended unexpectedly (exit code %s)", run.run_id, code)
            run.lost(f"the run's process ended unexpectedly (exit code {code}); the run was stopped there")
        self.pool.forget(self)
        if waiting:
            self.pool.returned(self, waiting)  # they start in another process
