"""Run events on the broker: how a worker writes them to the Redis stream and how the daemon reads them back.

One stream entry is a burst of events (what the worker's engine bus delivers at once) as JSON; values that are no
JSON are written as their text. Ordering within a run is kept: one worker writes a run's events in order.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from engine.distributed import broker as b
from engine.runtime import events as ev
from engine.runtime import wire

log = logging.getLogger("flowdeck.distributed")


def encode(events: list[ev.Event]) -> str:
    return json.dumps([wire.pack(wire.trim(e)) for e in wire.thin(events)], default=str, ensure_ascii=False)


def decode(text: str) -> list[ev.Event]:
    return [wire.unpack(tuple(item)) for item in json.loads(text)]


class Publisher:
    """Writes bursts of events to the stream; a burst that cannot be written waits and is tried again (the broker
    restarting), so events are late, not lost, while the worker lives."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def __call__(self, events: list[ev.Event]) -> None:
        self.send(encode(events))

    def send(self, text: str, attempts: int = 600) -> None:
        import redis

        for attempt in range(attempts):
            try:
                self.client.xadd(b.EVENTS, {"events": text}, maxlen=b.EVENTS_MAXLEN, approximate=True)
                return
            except redis.RedisError as exc:
                if attempt == 0:
                    log.warning("events cannot be sent to the broker (%s); trying again", exc)
                time.sleep(0.5)
        log.error("events were dropped: the broker did not come back within %d s", attempts // 2)

    def ended(self, run_id: str, workflow: str, status: str, error: dict | None, begun: dict | None) -> None:
        """A run that ends before it began on this worker (refused, not valid here): its start, if told, and end."""
        now = time.time()
        out = []
        if begun is not None:
            out.append(ev.Event(ev.RUN_STARTED, run_id, workflow, None, begun, now))
        data = {"status": status, "error": error, "duration": 0.0, "outputs": {}, "message": ""}
        out.append(ev.Event(ev.RUN_FINISHED, run_id, workflow, None, data, now))
        self(out)


class Reader:
    """Reads the stream as the daemons' consumer group (whichever daemon leads continues where the last stopped)."""

    def __init__(self, client: Any, consumer: str) -> None:
        self.client, self.consumer = client, consumer
        self._ready = False

    def _group(self) -> None:
        import redis

        try:
            self.client.xgroup_create(b.EVENTS, b.GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._ready = True

    def read(self, block_ms: int = 500) -> list[tuple[str, list[ev.Event]]]:
        """The next entries (id, events): first any this consumer read and did not acknowledge, then new ones."""
        if not self._ready:
            self._group()
        out = []
        for start in ("0", ">"):
            answer = self.client.xreadgroup(
                b.GROUP, self.consumer, {b.EVENTS: start}, count=200, block=None if start == "0" else block_ms
            )
            for _stream, entries in answer or []:
                for entry_id, fields in entries:
                    try:
                        out.append((entry_id, decode(fields.get("events", "[]"))))
                    except (ValueError, TypeError) as exc:
                        log.error("an entry of the event stream could not be read (%s); it is skipped", exc)
                        out.append((entry_id, []))
            if out:
                return out
        return out

    def done(self, entry_ids: list[str]) -> None:
        if entry_ids:
            self.client.xack(b.EVENTS, b.GROUP, *entry_ids)
