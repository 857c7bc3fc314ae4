"""One log line per run started and per run finished, for the daemon's log (engine events → logging)."""

from __future__ import annotations

import logging
import threading

from engine.runtime import events as ev

log = logging.getLogger("flowdeck.runs")


class RunLog:
    """An engine listener: ``run started: NAME (run ID, trigger KIND)`` and ``run finished: NAME (run ID, trigger
    KIND): STATUS in 0.12 s[: the first line of the error]``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kinds: dict[str, str] = {}  # run id -> trigger kind, from its start to its end

    def __call__(self, event: ev.Event) -> None:
        if event.kind == ev.RUN_STARTED:
            kind = str((event.data.get("trigger") or {}).get("kind") or event.data.get("source") or "manual")
            with self._lock:
                self._kinds[event.run_id] = kind
            log.info("run started: %s (run %s, trigger %s)", event.workflow, event.run_id, kind)
        elif event.kind == ev.RUN_FINISHED:
            with self._lock:
                kind = self._kinds.pop(event.run_id, "?")
            data = event.data
            took = float(data.get("duration") or 0.0)
            error = data.get("error")
            message = str(error.get("message", "") if isinstance(error, dict) else error or "")
            where = f"{error['step']}: " if isinstance(error, dict) and error.get("step") else ""
            line = f": {where}{message.splitlines()[0]}" if message.strip() else ""
            log.info("run finished: %s (run %s, trigger %s): %s in %.2f s%s", event.workflow, event.run_id, kind,
                     data.get("status"), took, line)  # fmt: skip
