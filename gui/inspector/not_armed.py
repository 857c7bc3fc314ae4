"""Which desktop triggers the app could not arm, as the trigger cards read it (the status line under a card).

The scheduling service knows it (``Service.not_armed()``); the app hands each new answer to ``NOTES`` on the GUI
thread, so an editor opened later, or a card made after a reload, shows what is true now.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from engine.model.workflow import Trigger


class NotArmedNotes(QObject):
    """``set(found)`` with the service's NotArmed entries; ``reason(path, trigger)`` for a card; ``changed``."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._found: list[tuple[Path, Trigger, str]] = []

    def set(self, found: Iterable[Any]) -> None:
        new = [(Path(n.path), n.trigger, str(n.reason)) for n in found]
        if new != self._found:
            self._found = new
            self.changed.emit()

    def reason(self, path: Path | str | None, trigger: Trigger) -> str | None:
        """Why ``trigger`` of the file at ``path`` is not armed, or None (armed, not saved like this, not known)."""
        if path is None or not self._found:
            return None
        where = Path(path).resolve()
        return next((why for p, t, why in self._found if p == where and t == trigger), None)


NOTES = NotArmedNotes()
