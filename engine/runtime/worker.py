"""A run process: executes the runs its engine sends, one at a time in the order sent, and reports back
(engine.runtime.procpool).

It holds no state of its own that matters: the workflow state store and the desktop host live in the engine's
process and are reached by calls; the history is written there from the events. If this process dies, the engine
records its run as failed and starts another.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import os
import pickle
import queue
import signal
import threading
import time
from collections import deque
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from engine.errors import StepError
from engine.runtime import wire
from engine.runtime.executor import Run
from engine.runtime.outcome import CANCELLED, FAILED, NOT_BEGUN, RunResult, error_info
from engine.runtime.plan import Plan, compile_plan
from engine.runtime.priority import Demoter

CALL_TIMEOUT = 30.0  # seconds a host or state call may take before the step fails
_PLANS_KEPT = 64


class _Link:
    """The connection to the engine: sends from any thread; calls that wait for a reply."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._waiting: dict[int, tuple[threading.Event, list[Any]]] = {}

    def send(self, message: tuple[Any, ...]) -> None:
        data = wire.dumps(message)
        with self._lock:
            self.conn.send_bytes(data)

    def call(self, run_id: str, target: str, method: str, *args: Any, wait: float | None = CALL_TIMEOUT) -> Any:
        call_id = next(self._ids)
        done, box = threading.Event(), []
        self._waiting[call_id] = (done, box)
        try:
            self.send((wire.CALL, call_id, run_id, target, method, args))
            if not done.wait(wait):
                raise StepError(f"the app did not answer a {target} request ({method}) in time", kind="host")
        finally:
            self._waiting.pop(call_id, None)
        ok, value = box
        if not ok:
            message, kind = value
            raise StepError(message, kind=kind)
        return value

    def answered(self, call_id: int, ok: bool, value: Any) -> None:
        waiting = self._waiting.get(call_id)
        if waiting is not None:
            waiting[1].extend((ok, value))
            waiting[0].set()


class HostProxy:
    """The app's desktop host (tray messages, clipboard, opening things), reached across the process boundary."""

    def __init__(self, link: _Link, run_id: str) -> None:
        self._link, self._run_id = link, run_id

    def notify(self, title: str, message: str, level: str = "info") -> None:
        self._link.call(self._run_id, "host", "notify", title, message, level)

    def clipboard_get(self) -> str:
        return str(self._link.call(self._run_id, "host", "clipboard_get"))

    def clipboard_set(self, text: str) -> None:
        self._link.call(self._run_id, "host", "clipboard_set", text)

    def open(self, target: str) -> None:
        self._link.call(self._run_id, "host", "open", target)

    def ask(self, question: dict[str, Any]) -> dict[str, Any]:
        """An ask block's question (engine.desktop.ask): waits for the person, up to its timeout (or the step's)."""
        from engine.desktop.ask import ANSWER_MARGIN

        wait = question["timeout"] + ANSWER_MARGIN if question.get("timeout") else None
        return dict(self._link.call(self._run_id, "host", "ask", question, wait=wait))


class StateProxy:
    """The workflow's persistent store, kept by the engine so that every run of the workflow shares it; ``child``
    (workflow identity, name) makes it the store of a workflow that this run runs with workflow.run."""

    def __init__(self, link: _Link, run_id: str, child: tuple[str, str] | None = None) -> None:
        self._link, self._run_id, self._child = link, run_id, child

    def _call(self, method: str, *args: Any) -> Any:
        if self._child is None:
            return self._link.call(self._run_id, "state", method, *args)
        return self._link.call(self._run_id, "state", "of", *self._child, method, *args)

    def get(self, key: str, default: Any = None) -> Any:
        return self._call("get", key, default)

    def set(self, key: str, value: Any) -> None:
        self._call("set", key, value)

    def delete(self, key: str) -> None:
        self._call("delete", key)

    def increment(self, key: str, by: float = 1, reset: bool = False) -> tuple[Any, float]:
        """One transaction in the engine's process, so that parallel runs of the workflow lose no count."""
        return tuple(self._call("increment", key, by, reset))  # type: ignore[return-value]

    def sibling(self, workflow: str, name: str) -> StateProxy:
        """The store of a workflow run by this run's workflow.run steps."""
        return StateProxy(self._link, self._run_id, (workflow, name))


class _LogRelay(logging.Handler):
    """Log records of blocks and the runtime go to the engine's process, which writes its log."""

    def __init__(self, link: _Link) -> None:
        super().__init__()
        self._link = link

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._link.send((wire.LOG, record.name, record.levelno, self.format(record)))
        except Exception:
            pass  # the engine is gone: nobody to tell


class WireBus:
    """The run's event bus here: events gather and go to the engine as one thinned, trimmed burst.

    The thread that emits sends the burst once its oldest event is ``LINGER`` seconds old, so no second thread
    competes with a computing run for the interpreter; a watcher sends what a run blocked in a step (a download, a
    wait) left behind. The runner sends the last burst with the run's result.
    """

    LINGER = 0.01
    active = True  # the engine's process decides who listens

    def __init__(self, link: _Link) -> None:
        self._link = link
        self._buffer: deque[Any] = deque()
        self._oldest = 0.0  # time of the oldest event not sent yet (0: none)
        self._wake = threading.Event()
        self._lock = threading.Lock()  # a burst and the result that follows it leave in order
        self._closed = False
        threading.Thread(target=self._watch, name="flowdeck-worker-events", daemon=True).start()

    def emit(self, event: Any) -> None:
        self._buffer.append(event)
        if not self._oldest:
            self._oldest = event.time
            self._wake.set()
        elif event.time - self._oldest >= self.LINGER:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            events = self.burst()
            if events:
                self._link.send((wire.EVENTS, events))

    def burst(self) -> list[tuple[Any, ...]]:
        """Everything emitted so far, ready to send (call with ``lock`` held)."""
        self._oldest = 0.0
        batch = []
        buffer = self._buffer
        while buffer:
            batch.append(buffer.popleft())
        return [wire.pack(wire.trim(e)) for e in wire.thin(batch)]

    def send_with(self, message: tuple[Any, ...]) -> None:
        """Send the events not yet sent, then ``message``, in one piece."""
        with self._lock:
            self._link.send((*message, self.burst()))

    def close(self) -> None:
        self._closed = True
        self._wake.set()

    def _watch(self) -> None:
        while not self._closed:
            self._wake.wait()
            self._wake.clear()
            time.sleep(2 * self.LINGER)
            oldest = self._oldest
            if oldest and time.time() - oldest >= self.LINGER:
                self.flush()
            if self._buffer:
                self._wake.set()


class Worker:
    """The process's threads: this one reads the connection, a runner thread executes runs, and the bus sends."""

    def __init__(self, conn: Connection) -> None:
        self.link = _Link(conn)
        self.bus = WireBus(self.link)
        self._plans: dict[bytes, Plan] = {}
        self._runs: dict[str, Run] = {}
        # runs sent and not begun, in order (a cancel or a recall takes them out); the queue wakes the run loop
        self._waiting: dict[str, tuple[Any, ...]] = {}
        self._waiting_lock = threading.Lock()
        self._queue: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._priority = Demoter()
        self._idle = threading.Event()  # no run is going (the loop waits for the next)
        self._terminating = False
        self._priority.start_thread(self._run_loop, "flowdeck-worker-run")

    def serve(self) -> None:
        self.link.send((wire.READY, os.getpid()))
        try:
            while True:
                message = pickle.loads(self.link.conn.recv_bytes())
                kind = message[0]
                if kind == wire.RUNS:
                    self._take(message[1])
                elif kind == wire.CANCEL:
                    self._cancel(message[1])
                elif kind == wire.RECALL:
                    self._recall()
                elif kind == wire.DEBUG:
                    run = self._runs.get(message[1])
                    if run is not None:
                        run.debug_command(*message[2:])
                elif kind == wire.REPLY:
                    self.link.answered(*message[1:])
                elif kind == wire.STOP:
                    break
        except (EOFError, OSError):
            pass  # the engine went away: stop whatever runs
        for run in list(self._runs.values()):
            run.cancel()
        self._queue.put(None)
        self._idle.wait(5)
        self.bus.close()

    def _take(self, runs: list[tuple[Any, ...]]) -> None:
        """Runs sent together: they execute one after the other, in the order sent."""
        with self._waiting_lock:
            for run in runs:
                self._waiting[run[0]] = run
        for run in runs:
            self._queue.put(run[0])

    def _cancel(self, run_id: str) -> None:
        """A run going is cancelled; one still waiting here ends at once as cancelled, never begun (its worker's
        kill timer must not end the process of the run before it)."""
        with self._waiting_lock:
            waiting = self._waiting.pop(run_id, None)
        if waiting is not None:
            result = RunResult(run_id, "", CANCELLED, message=NOT_BEGUN)
            self.bus.send_with((wire.RESULT, run_id, _fields(result), []))
            return
        run = self._runs.get(run_id)
        if run is not None:
            run.cancel()

    def _recall(self) -> None:
        """The engine has a process free: the runs still waiting here go back to it, to start there."""
        with self._waiting_lock:
            ids, self._waiting = list(self._waiting), {}
        self.link.send((wire.RETURNED, ids))

    def terminate(self) -> None:
        """Asked to end: now when idle, else once the run's result is sent."""
        self._terminating = True
        if self._idle.is_set():
            os._exit(0)

    def _run_loop(self) -> None:
        while True:
            if self._terminating:
                os._exit(0)
            self._idle.set()
            run_id = self._queue.get()
            if run_id is None:
                return
            with self._waiting_lock:
                message = self._waiting.pop(run_id, None)
            if message is None:  # cancelled or recalled while it waited
                continue
            self._idle.clear()
            self._priority.begin()
            self._execute(*message)
            if self._priority.end():  # this thread went on at background priority: the next run gets a new one
                self._priority.start_thread(self._run_loop, "flowdeck-worker-run")
                return

    def _execute(
        self,
        run_id: str,
        snapshot: bytes,
        folder: str,
        trigger: dict[str, Any],
        variables: dict[str, Any] | None,
        source: str,
        has_host: bool,
        debug: Any = None,
    ) -> None:
        run: Run | None = None
        try:
            plan = self._plan(snapshot, Path(folder))
            host = HostProxy(self.link, run_id) if has_host else None
            run = Run(
                plan,
                bus=self.bus,
                run_id=run_id,
                trigger=trigger,
                variables=variables,
                host=host,
                state=StateProxy(self.link, run_id),
                source=source,
                secret_reader=lambda name: str(self.link.call(run_id, "secret", "read", name)),
                debug=debug,
            )
            self._runs[run_id] = run
            result = run.execute()
        except BaseException as exc:  # the run could not even start here: say why, as a failed run
            result = RunResult(run_id, "", FAILED, error_info(exc, None))
        finally:
            self._runs.pop(run_id, None)
        secrets = sorted(run.secret_values) if run is not None else []
        fields = _fields(result)
        fields["steps"] = {step: wire.trimmed(output) for step, output in result.steps.items()}
        try:
            self.bus.send_with((wire.RESULT, run_id, fields, secrets))  # the run's last events travel with it
        except (EOFError, OSError):
            raise
        except Exception as exc:  # a result that cannot cross (too deep to pickle): the run fails, saying why
            how = f"the run's result could not be sent back: {type(exc).__name__}: {exc}"
            failed = RunResult(run_id, result.workflow, FAILED, {"message": how, "kind": "handover", "step": None},
                               started=result.started, finished=result.finished)  # fmt: skip
            self.bus.send_with((wire.RESULT, run_id, _fields(failed), secrets))

    def _plan(self, snapshot: bytes, folder: Path) -> Plan:
        """The plan of a workflow snapshot, compiled once per version (the engine validated it already)."""
        plan = self._plans.get(snapshot)
        if plan is None:
            plan = replace(compile_plan(pickle.loads(snapshot), check=False), folder=folder)
            if len(self._plans) >= _PLANS_KEPT:
                self._plans.pop(next(iter(self._plans)))
            self._plans[snapshot] = plan
        return plan


def _fields(result: RunResult) -> dict[str, Any]:
    return {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}


def main(
    conn: Connection, log_level: int = logging.INFO, environ: dict[str, str] | None = None, cwd: str | None = None
) -> None:
    """The process's entry point (multiprocessing target).

    Ctrl+C in a terminal reaches the whole process group: it is the engine's to handle, so it is ignored here.
    SIGTERM (a service manager stopping everything, or multiprocessing at the engine's exit) ends the process at
    once when no run is going, else after its run: the engine cancels that run within its own grace period.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if environ is not None:  # the engine's, as runs there would see it ({{ env.NAME }}, programs)
        os.environ.clear()
        os.environ.update(environ)
    if cwd is not None:
        try:
            os.chdir(cwd)
        except OSError:
            pass  # the engine's folder is gone; runs use their workflow's folder anyway
    worker = Worker(conn)
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, lambda _sig, _frame: worker.terminate())
    root = logging.getLogger()
    root.handlers[:] = [_LogRelay(worker.link)]
    root.setLevel(log_level)
    from engine.registry.blocks import default_registry

    default_registry()  # the blocks load now, not during the first run
    try:
        worker.serve()
    except (EOFError, OSError):
        pass  # the engine went away before this process was ready
