"""The scheduler's small remembered state: disabled workflows, pause-all, and per-trigger "accounted up to" times.

Written atomically as JSON. Fire times are saved at most every ``SAVE_DELAY`` seconds so a burst of fires
does not cost one fsync each; ``flush`` (called on stop) writes what is pending.
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
        self._timer: threading.Timer | None = None
        self._data = self._load()

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def flush(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self.file.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.file, json.dumps(self._data, indent=1, sort_keys=True).encode())

    def _save_soon(self) -> None:
        with self._lock:
            if self._timer is None:
                self._timer = threading.Timer(SAVE_DELAY, self.flush)
                self._timer.daemon = True
                self._timer.start()

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
