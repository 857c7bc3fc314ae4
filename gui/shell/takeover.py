"""Arming the workspace from the app, and taking it over from ``flowdeck daemon`` once the daemon has gone.

A mixin of the app controller (gui/shell/controller.py); the banner is gui/shell/banner.py, the lock
engine/scheduling/lock.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("flowdeck.app")


class TakeOver:
    """``_arm`` starts the service or shows who runs the workspace; ``take_over_when_free`` waits for it to be free."""

    engine: Any
    service: Any
    settings: Any
    dashboard: Any
    relay: Any
    busy: str
    quitting: bool
    _takeover: Any
    refresh: Callable[[], None]

    def _arm(self) -> bool:
        """Start the service over the workspace; False when another process runs it (the banner says who)."""
        from engine.scheduling.lock import WorkspaceBusy
        from gui.shell import services

        try:
            self.service = services.start_service(self.settings, self.engine, lambda s: self.relay.attach(service=s))
        except WorkspaceBusy as busy:
            self.busy = str(busy)
            log.warning("%s", busy)
            if self.dashboard is not None:
                self.dashboard.set_busy(self.busy, waiting=self._takeover.isActive())
            return False
        self.busy = ""
        self._takeover.stop()
        if self.dashboard is not None:
            self.dashboard.set_busy("")
        log.info("service started: workspace %s, %d workers", self.settings.workspace_path, self.settings.workers)
        return True

    def take_over_when_free(self) -> None:
        """Arm the workspace as soon as the process that runs it has gone (the lock is looked at, not waited on)."""
        log.info("waiting to take over %s", self.settings.workspace_path)
        self._takeover.start()

    def _try_take_over(self) -> None:
        from gui.shell import services

        if self.service is not None or self.quitting:
            self._takeover.stop()
            return
        if services.run_by(self.settings) is None and self._arm():
            log.info("took over the workspace %s", self.settings.workspace_path)
            self.refresh()
