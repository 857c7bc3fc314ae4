"""What a block may use while it runs: the step context and the desktop host.

The runtime provides the real objects; blocks depend only on these protocols.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Protocol


class Host(Protocol):
    """The desktop a run lives on. The GUI supplies tray messages and the Qt clipboard;
    headless runs log notifications and refuse clipboard access with a clear error."""

    def notify(self, title: str, message: str, level: str = "info") -> None: ...

    def clipboard_get(self) -> str: ...

    def clipboard_set(self, text: str) -> None: ...

    def open(self, target: str) -> None: ...


class StateStore(Protocol):
    """A small key-value store that persists between runs of one workflow."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any) -> None: ...

    def delete(self, key: str) -> None: ...


class StepContext(Protocol):
    """Everything a block's ``run`` function may touch besides its parameters."""

    run_id: str
    step_id: str
    workflow_name: str
    workflow_dir: Path  # relative paths in parameters resolve against the workflow file's folder
    cancel_event: threading.Event
    deadline: float | None  # time.monotonic() by which the step must finish, or None
    host: Host
    state: StateStore

    def log(self, message: str, level: str = "info") -> None: ...

    def progress(self, done: float, total: float | None = None) -> None: ...

    def secret(self, name: str) -> str: ...

    def check_cancelled(self) -> None:
        """Raise Cancelled if the run was cancelled or the step's deadline has passed (StepTimeout)."""
        ...

    def remaining(self) -> float | None:
        """Seconds until the deadline, or None without one."""
        ...

    def values(self) -> dict[str, Any]:
        """The run's data as expressions see it: vars, steps, trigger, run, loop (never secrets).
        Optional: blocks that need it (python.run) read it with getattr and cope without it."""
        ...
