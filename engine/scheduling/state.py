"""The scheduler's small remembered state: disabled workflows, pause-all, and per-trigger "accounted up to" times.

Written atomically as JSON. Fire times are saved at most every ``SAVE_DELAY`` seconds so a burst of fires
does not cost one fsync each; ``close`` (called on stop) writes what is pending.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.io import atomic_write

SAVE_DELAY = 0.5


class SchedulerState:
    def __init__(self, folder: Path) -> None:
        self.file = folder / "scheduler-state.json"
        self._lock = threading.RLock()
        self._write_lock = threading.Lock()  # writes in order; held without _lock
        # one saver thread, woken per change: a Timer per save started a thread under the service's lock on the
        # fire path, and starting a thread waits for it, which costs a GIL round trip per fire when runs are busy
        self._wake = threading.Event()
        self._saver: threading.Thread | None = None
        self._closed = False
        self._closing = threading.Event()  # ends the saver's wait for more changes at once
        self._data = self._load()

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def flush(self) -> None:
        # the file is written outside the data lock: a fire's set_seen must not wait for a disk write
        with self._write_lock:
            with self._lock:
                data = json.dumps(self._data, indent=1, sort_keys=True).encode()
            self.file.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.file, data)

    def close(self) -> None:
        """End the saver thread, then write what is pending: nothing is written once this has returned (a stopped
        service's state folder may be removed at once)."""
        self._closed = True
        self._closing.set()
        self._wake.set()
        saver = self._saver
        if saver is not None and saver is not threading.current_thread():
            saver.join(SAVE_DELAY + 5)
        self.flush()

    def _save_soon(self) -> None:
        with self._lock:
            if self._saver is None and not self._closed:
                self._saver = threading.Thread(target=self._save_loop, name="flowdeck-state", daemon=True)
                self._saver.start()
        self._wake.set()

    def _save_loop(self) -> None:
        while True:
            self._wake.wait()
            if self._closed:
                return
            self._closing.wait(SAVE_DELAY)  # a burst of fires becomes one write
            if self._closed:
                return  # close() writes it, after this thread has ended
            self._wake.clear()  # before writing: a change made while it writes wakes the loop again
            self.flush()

    # flags ----------------------------------------------------------------------------------------
    @property
    def paused(self) -> bool:
        return bool(self._data.get("paused", False))

    def set_paused(self, paused: bool) -> None:
        with self._lock:
            self._data["paused"] = paused
            self.flush()

    def enabled(self, path: Path) -> bool:
        return str(path) not in self._data.get("disabled", [])

    def set_enabled(self, path: Path, enabled: bool) -> None:
        with self._lock:
            disabled = set(self._data.get("disabled", []))
            if enabled:
                disabled.discard(str(path))
            else:
                disabled.add(str(path))
            self._data["disabled"] = sorted(disabled)
            self.flush()

    # fire times -----------------------------------------------------------------------------------
    def seen(self, key: str) -> datetime | None:
        """Up to when the fires of trigger ``key`` have been handled (fired, caught up or dropped)."""
        text = self._data.get("seen", {}).get(key)
        try:
            return datetime.fromisoformat(text) if text else None
        except ValueError:
            return None

    def set_seen(self, key: str, moment: datetime) -> None:
        with self._lock:
            self._data.setdefault("seen", {})[key] = moment.isoformat()
            self._save_soon()

    def init_seen(self, key: str, moment: datetime) -> datetime:
        """The saved time for ``key``, or ``moment`` saved as the start (a new trigger owes nothing before it)."""
        with self._lock:
            current = self.seen(key)
            if current is None:
                self._data.setdefault("seen", {})[key] = moment.isoformat()
                self._save_soon()
                return moment
            return current
