"""The one object the editor talks to the engine through: engine events become Qt signals on the GUI thread.

The engine calls its listeners on its event-dispatcher thread. The listener here only appends the event to a
list and, when that list was empty, posts one queued wake-up to the GUI thread; it never waits for the GUI.
The GUI thread then drains the list and emits the public signals, so every receiver (widget slot, lambda or
plain function) runs on the GUI thread, and a burst of log lines costs one wake-up, not thousands.

Start and finish of every run cross over; step, log and progress events only for the runs started through
``run`` (or every run with ``all_runs=True``), so workflows running from the tray never wake the window.
"""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from engine.runtime import events as ev
from engine.runtime.executor import new_run_id

CHUNK = 500  # events re-emitted per turn of the GUI event loop


class EngineBridge(QObject):
    runStarted = Signal(object)
    runFinished = Signal(object)
    stepStarted = Signal(object)
    stepFinished = Signal(object)
    stepFailed = Signal(object)
    stepRetrying = Signal(object)
    stepSkipped = Signal(object)
    logLine = Signal(object)
    progress = Signal(object)
    runPaused = Signal(object)  # a debug run stopped before a step (event.data: step, vars, steps, loop, trigger)
    runResumed = Signal(object)
    event = Signal(object)  # every event, whatever its kind

    _wake = Signal()  # emitted from the dispatcher thread; delivered queued to _drain on the GUI thread

    def __init__(self, engine: Any, parent: QObject | None = None, *, all_runs: bool = False) -> None:
        super().__init__(parent)
        self.engine = engine
        self.all_runs = all_runs
        self._lock = threading.Lock()
        self._pending: list[ev.Event] = []
        self._mine: set[str] = set()  # run ids started through run(); their step events cross over
        self._closed = False
        self._by_kind: dict[str, Any] = {
            ev.RUN_STARTED: self.runStarted,
            ev.RUN_FINISHED: self.runFinished,
            ev.STEP_STARTED: self.stepStarted,
            ev.STEP_FINISHED: self.stepFinished,
            ev.STEP_FAILED: self.stepFailed,
            ev.STEP_RETRYING: self.stepRetrying,
            ev.STEP_SKIPPED: self.stepSkipped,
            ev.LOG: self.logLine,
            ev.PROGRESS: self.progress,
            ev.RUN_PAUSED: self.runPaused,
            ev.RUN_RESUMED: self.runResumed,
        }
        self._wake.connect(self._drain, Qt.ConnectionType.QueuedConnection)
        self._unsubscribe = engine.subscribe(self._on_engine_event)

    def run(self, workflow: Any, *, source: str = "editor", debug: Any = None) -> str:
        """Start ``workflow`` on the engine's pool; returns the run id (raises WorkflowError if it is invalid).

        ``debug``: an engine.runtime.debug.Debug (start at a step, run one step, pins, breakpoints), or None.
        """
        run_id = new_run_id()
        with self._lock:  # known before the run can emit anything
            self._mine.add(run_id)
        try:
            extra = {"debug": debug} if debug is not None else {}  # a broker's engine takes no debug runs
            return self.engine.submit(workflow, source=source, run_id=run_id, **extra).run_id
        except BaseException:
            with self._lock:
                self._mine.discard(run_id)
            raise

    def cancel(self, run_id: str) -> bool:
        """Ask the run to stop (a running program is killed); False when no such run is active."""
        return bool(self.engine.cancel(run_id))

    def debug(self, run_id: str, command: str, target: str | None = None) -> bool:
        """Tell a paused debug run to ``continue``, ``step``, ``run_to`` ``target`` or ``stop``; False when no
        such run is active."""
        handle = self.engine.get(run_id)
        if handle is None:
            return False
        handle.debug(command, target)
        return True

    def close(self) -> None:
        """Stop listening; events already queued are dropped."""
        with self._lock:
            self._closed = True
            self._pending.clear()
        unsubscribe, self._unsubscribe = self._unsubscribe, None
        if unsubscribe is not None:
            unsubscribe()

    def _on_engine_event(self, event: ev.Event) -> None:
        """Runs on the engine's dispatcher thread: queue the event and wake the GUI thread at most once."""
        with self._lock:
            if self._closed:
                return
            if event.kind == ev.RUN_FINISHED:
                self._mine.discard(event.run_id)
            elif event.kind != ev.RUN_STARTED and not self.all_runs and event.run_id not in self._mine:
                return
            first = not self._pending
            self._pending.append(event)
        if first:
            try:
                self._wake.emit()
            except RuntimeError:  # the Qt side is already gone (application shutting down)
                self._closed = True

    def _drain(self) -> None:
        """GUI thread: re-emit what arrived since the last wake-up, in order, CHUNK at a time.

        A long backlog is split over several turns of the event loop so input and painting go on between them.
        """
        with self._lock:
            batch, self._pending = self._pending[:CHUNK], self._pending[CHUNK:]
            more = bool(self._pending)
        if more:
            self._wake.emit()  # queued: the rest after whatever else is waiting
        for item in batch:
            if self._closed:
                return
            signal = self._by_kind.get(item.kind)
            if signal is not None:
                signal.emit(item)
            self.event.emit(item)
