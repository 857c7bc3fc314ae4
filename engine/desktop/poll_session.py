"""The session trigger's idle, sleep and wake by polling: what Windows and macOS use (Linux has logind's signals,
engine.desktop.dbus_watch), and the same code on Linux with FLOWDECK_PORTABLE_TRIGGERS=1.

- idle: the backend's ``idle_seconds()`` (time since the last key or mouse input: X11's screen saver extension,
  Windows' GetLastInputInfo, macOS' CGEventSourceSecondsSinceLastEventType) reaching ``idle``; once, until input
  comes again.
- sleep and wake: the scheduler's own sleep detection (engine.scheduling.clock.SleepWatch: the wall clock moving
  ahead of the monotonic one), so both are noticed on waking, within a second, one after the other; ``slept`` is
  how long the computer slept, in seconds. A sleep shorter than SleepWatch's threshold (10 s) is not seen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from engine.desktop.polling import Poller
from engine.scheduling.clock import ManualClock, SleepWatch, SystemClock

log = logging.getLogger("flowdeck.desktop")
POLL = 1.0  # seconds between looks at the idle time and the clocks
Fire = Callable[[dict[str, Any]], None]


class PollSessionWatch(Poller):
    """Idle (when ``idle_seconds`` is given), sleep and wake, for the events in ``on``."""

    def __init__(self, on: list[str], idle: float, fire: Fire, idle_seconds: Callable[[], float] | None,
                 clock: SystemClock | ManualClock | None = None, every: float = POLL) -> None:  # fmt: skip
        super().__init__(every, "flowdeck-session-poll")
        self.on, self.idle, self.fire, self.idle_seconds = set(on), idle, fire, idle_seconds
        self.sleep = SleepWatch(clock or SystemClock(), self._woke)
        self.was_idle = False  # fired for this stretch of idleness

    def failed(self, exc: Exception) -> None:  # a display gone for a moment: look again next time
        log.exception("the session trigger could not read the idle time")

    def look(self) -> None:
        self.sleep.check()
        if self.idle_seconds is None or "idle" not in self.on:
            return
        idle = self.idle_seconds()
        if idle < self.idle:
            self.was_idle = False
        elif not self.was_idle:
            self.was_idle = True
            self.fire({"event": "idle", "idle": round(idle)})

    def _woke(self, gap: float) -> None:
        for event in ("sleep", "wake"):
            if event in self.on:
                self.fire({"event": event, "slept": round(gap)})
