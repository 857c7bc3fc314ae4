"""Run events and the bus that delivers them to listeners on a thread of its own.

A run only appends to a queue; a slow listener (the GUI, the history writer) never stalls it.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

RUN_STARTED = "run_started"
RUN_FINISHED = "run_finished"
STEP_STARTED = "step_started"
STEP_FINISHED = "step_finished"
STEP_FAILED = "step_failed"
STEP_RETRYING = "step_retrying"
STEP_SKIPPED = "step_skipped"
LOG = "log"
PROGRESS = "progress"


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened in a run. ``data`` depends on ``kind``:

    run_started: trigger, source, path · run_finished: status, error, duration, outputs
    step_started: block, inputs, attempt · step_finished: output, duration, attempts, port
    step_failed: error, kind, duration, attempts, handled · step_retrying: error, attempt, delay
    log: message, level · progress: done, total
    """

    kind: str
    run_id: str
    workflow: str
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    time: float = field(default_factory=time.time)


Listener = Callable[[Event], None]
_STOP = object()


class EventBus:
    """Fan events out to listeners from one dispatcher thread, in the order they were emitted."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pending = 0

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add a listener; returns a function that removes it."""
        with self._lock:
            self._listeners = [*self._listeners, listener]

        def unsubscribe() -> None:
            with self._lock:
                self._listeners = [x for x in self._listeners if x is not listener]

        return unsubscribe

    def emit(self, event: Event) -> None:
        if not self._listeners:
            return
        with self._lock:
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._dispatch, name="flowdeck-events", daemon=True)
                self._thread.start()
        self._queue.put(event)

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every emitted event has reached the listeners (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def close(self) -> None:
        self.flush()
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join(2)
            self._thread = None

    def _dispatch(self) -> None:
        while True:
            event = self._queue.get()
            if event is _STOP:
                return
            for listener in self._listeners:
                try:
                    listener(event)
                except Exception:  # a broken listener must not stop the others
                    log.exception("event listener %r failed", listener)
            with self._idle:
                self._pending -= 1
                if not self._pending:
                    self._idle.notify_all()
