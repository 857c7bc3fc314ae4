"""Run-level engine events and service events, re-emitted as Qt signals on the GUI thread.

Only run start/finish and service changes cross over: step and log events stay on the engine's side, which
keeps the GUI thread asleep while workflows run in the tray.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

# engine.runtime.events' kinds, spelled here so start-up need not import the runtime before the first paint
RUN_STARTED, RUN_FINISHED = "run_started", "run_finished"


class Relay(QObject):
    run_started = Signal(object)  # engine Event
    run_finished = Signal(object)  # engine Event
    service_changed = Signal(object)  # ServiceEvent

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe: list[Any] = []

    def attach(self, engine: Any = None, service: Any = None) -> None:
        """Listen to ``engine`` and ``service`` (emits reach GUI-thread slots queued, as Qt does across threads)."""
        if engine is not None:
            self._unsubscribe.append(engine.subscribe(self._engine_event))
        if service is not None:
            self._unsubscribe.append(service.subscribe(self.service_changed.emit))

    def detach(self) -> None:
        for unsubscribe in self._unsubscribe:
            try:
                unsubscribe()
            except Exception:  # an already closed bus
                pass
        self._unsubscribe = []

    def _engine_event(self, event: Any) -> None:
        if event.kind == RUN_STARTED:
            self.run_started.emit(event)
        elif event.kind == RUN_FINISHED:
            self.run_finished.emit(event)
