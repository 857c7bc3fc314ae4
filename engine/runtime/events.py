"""Run events and the bus that delivers them to listeners on a thread of its own.

A run only appends to a queue; a slow listener (the GUI, the history writer) never stalls it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
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
RUN_PAUSED = "run_paused"  # a debug run waits before a step (engine.runtime.debug)
RUN_RESUMED = "run_resumed"


@dataclass(slots=True, eq=False)
class Event:
    """Something that happened in a run; read-only by convention (not frozen: that costs 1 µs per event).

    ``data`` depends on ``kind``:

    run_started: trigger, source, path · run_finished: status, error, duration, outputs
    step_started: block, inputs, attempt · step_finished: output, duration, attempts, port
    step_failed: error, kind, duration, attempts, handled, details (a failed answer's status, headers, body...)
    step_retrying: error, attempt, delay
    log: message, level · progress: done, total
    run_paused (step: where): block, vars, steps, loop, error, trigger · run_resumed: command, target
    """

    kind: str
    run_id: str
    workflow: str
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    time: float = field(default_factory=time.time)


Listener = Callable[[Event], None]
BatchListener = Callable[[list[Event]], None]
_LINGER = 0.01  # seconds the dispatcher lets a burst of events gather before it delivers them (flush skips it)


class EventBus:
    """Fan events out to listeners from one dispatcher thread, in the order they were emitted.

    ``emit`` only appends to a deque and, when the dispatcher is asleep, wakes it: a run never waits for a listener,
    and a burst of steps costs one wake-up instead of one thread hand-over per event (the GIL hand-overs were most of
    the per-step cost). Batch listeners (the history writer) get each drained burst as one list.
    """

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._batch_listeners: list[BatchListener] = []
        self._buffer: deque[Any] = deque()
        self._wake = threading.Event()
        self._hurry = threading.Event()  # set by flush/close: deliver now, do not linger
        self._asleep = True
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stop = False

    @property
    def active(self) -> bool:
        """True when someone listens (a run skips building events otherwise)."""
        return bool(self._listeners or self._batch_listeners)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add a listener called once per event; returns a function that removes it."""
        return self._add("_listeners", listener)

    def subscribe_batch(self, listener: BatchListener) -> Callable[[], None]:
        """Add a listener called with lists of events (in order, each event once); returns its remover."""
        return self._add("_batch_listeners", listener)

    def _add(self, attr: str, listener: Any) -> Callable[[], None]:
        with self._lock:
            setattr(self, attr, [*getattr(self, attr), listener])

        def unsubscribe() -> None:
            with self._lock:
                setattr(self, attr, [x for x in getattr(self, attr) if x is not listener])

        return unsubscribe

    def emit(self, event: Event) -> None:
        if not (self._listeners or self._batch_listeners):
            return
        if self._thread is None:
            self._start()
        self._buffer.append(event)
        if self._asleep:
            self._asleep = False
            self._wake.set()

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._stop = False
                self._thread = threading.Thread(target=self._dispatch, name="flowdeck-events", daemon=True)
                self._thread.start()

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every event emitted so far has reached the listeners (tests, shutdown)."""
        if self._thread is None or not self._thread.is_alive():
            return not self._buffer
        marker = threading.Event()
        self._buffer.append(marker)
        self._asleep = False
        self._hurry.set()
        self._wake.set()
        return marker.wait(timeout)

    def close(self) -> None:
        self.flush()
        thread = self._thread
        if thread is not None:
            self._stop = True
            self._hurry.set()
            self._wake.set()
            thread.join(2)
            self._thread = None

    def _dispatch(self) -> None:
        while True:
            self._wake.wait()
            if self._hurry.wait(_LINGER):
                self._hurry.clear()
            self._wake.clear()  # cleared before ``_asleep`` is set: an emit from now on sets it again
            self._asleep = True
            self._drain()
            if self._stop and not self._buffer:
                return

    def _drain(self) -> None:
        buffer = self._buffer
        while buffer:
            batch: list[Event] = []
            markers: list[threading.Event] = []
            while buffer:
                item = buffer.popleft()
                (markers if isinstance(item, threading.Event) else batch).append(item)
                if markers:
                    break  # deliver what came before the marker, then tell its waiter
            self._deliver(batch)
            for marker in markers:
                marker.set()

    def _deliver(self, batch: list[Event]) -> None:
        if not batch:
            return
        for many in self._batch_listeners:
            try:
                many(batch)
            except Exception:  # a broken listener must not stop the others
                log.exception("event listener %r failed", many)
        listeners = self._listeners
        if not listeners:
            return
        for event in batch:
            for listener in listeners:
                try:
                    listener(event)
                except Exception:
                    log.exception("event listener %r failed", listener)
