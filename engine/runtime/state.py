"""The per-workflow key-value store that survives between runs ("only notify once", counters)."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from engine.io.save import atomic_write


class MemoryState:
    """State that lives as long as the process (tests, one-off runs without a data folder)."""

    def __init__(self) -> None:
        self._data: dict[str, Any] = {}
        self._lock = threading.Lock()

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            return self._data.get(key, default)

    def set(self, key: str, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._changed()

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)
            self._changed()

    def _changed(self) -> None:
        pass


class FileState(MemoryState):
    """State kept in a JSON file, rewritten atomically on every change."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        try:
            self._data = json.loads(path.read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            self._data = {}

    def _changed(self) -> None:
        atomic_write(self.path, json.dumps(self._data, indent=1, default=str).encode("utf-8"))
