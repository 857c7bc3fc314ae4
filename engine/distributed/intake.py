"""The daemon's side, events in: the leader reads the runs' events from the stream and emits them on its engine's
bus, shown with the daemon's path of the file (not the worker's copy); a run's end completes its handle here.

A mixin of engine.distributed.dispatch.BrokerEngine (which has the client, the bus and the active runs).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from engine.distributed.events import Reader
from engine.runtime import events as ev
from engine.runtime.engine import RunHandle
from engine.runtime.outcome import FAILED, RunResult

log = logging.getLogger("flowdeck.distributed")


class EventsIn:
    """Reading the event stream into the engine's bus (only while this daemon leads)."""

    client: Any
    bus: Any
    _consumer: str
    _stopping: Any
    _lock: Any
    _active: dict

    # events in --------------------------------------------------------------------------------------------
    def _read_events(self) -> None:
        import redis

        reader = Reader(self.client, self._consumer)
        failing = False
        while not self._stopping.is_set():
            if not self._leads():  # the leader reads the events (and writes the history)
                self._stopping.wait(0.2)
                continue
            try:
                entries = reader.read(block_ms=300)
                for _entry_id, events in entries:
                    for event in events:
                        self._arrived(event)
                reader.done([entry_id for entry_id, _ in entries])
                if failing:
                    log.info("the broker answers again; run events are read")
                    failing = False
            except redis.RedisError as exc:
                if not failing:
                    log.warning("the broker does not answer (%s); trying again", exc)
                    failing = True
                self._stopping.wait(0.5)

    def _arrived(self, event: ev.Event) -> None:
        """One event of a run: shown with this daemon's path of the file (not the worker's copy), then emitted."""
        handle = self.get(event.run_id)
        if event.kind == ev.RUN_STARTED:
            root = self._root(event)
            if root is not None:
                event.data = {**event.data, "path": str(root.run.plan.path or "")}
                if root is handle:
                    handle.started = True
        self.bus.emit(event)
        if event.kind == ev.RUN_FINISHED and handle is not None:
            self._complete(handle, event)

    def _root(self, event: ev.Event) -> RunHandle | None:
        """The handle of a run started here whose own run (not a child workflow's) this event is."""
        return self.get(event.run_id)

    def _complete(self, handle: RunHandle, event: ev.Event) -> None:
        data = event.data
        with self._lock:
            self._active.pop(handle.run_id, None)
        now = time.time()
        result = RunResult(handle.run_id, handle.workflow, str(data.get("status") or FAILED), data.get("error"),
                           dict(data.get("outputs") or {}), started=now - float(data.get("duration") or 0.0),
                           finished=now, message=str(data.get("message") or ""))  # fmt: skip
        if not handle.future.done():
            handle.future.set_result(result)
