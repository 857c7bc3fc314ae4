"""Wall and monotonic time for the service, a manual clock for tests, and sleep detection.

A computer that sleeps stops the monotonic clock but not the wall clock: when the wall clock has moved
much further than the monotonic clock between two checks, the machine slept (or the clock was set ahead),
and fires that were due meanwhile must be looked at at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta


class SystemClock:
    """The real clocks."""

    def now(self) -> datetime:
        return datetime.now().astimezone()

    def monotonic(self) -> float:
        return time.monotonic()


class ManualClock:
    """A clock tests move by hand: ``advance`` moves both clocks, ``sleep`` only the wall clock (a suspend)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._wall = start or datetime.now().astimezone()
        self._mono = 1000.0
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._wall

    def monotonic(self) -> float:
        with self._lock:
            return self._mono

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._wall += timedelta(seconds=seconds)
            self._mono += seconds

    def sleep(self, seconds: float) -> None:
        """The computer was suspended for ``seconds``: wall time moves, monotonic time does not."""
        with self._lock:
            self._wall += timedelta(seconds=seconds)


class SleepWatch:
    """Calls ``on_wake(gap_seconds)`` when wall time jumps ahead of monotonic time by more than ``threshold``."""

    def __init__(
        self,
        clock: SystemClock | ManualClock,
        on_wake: Callable[[float], None],
        *,
        interval: float = 2.0,
        threshold: float = 10.0,
    ) -> None:
        self._clock = clock
        self._on_wake = on_wake
        self._interval = interval
        self._threshold = threshold
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="flowdeck-sleepwatch", daemon=True)
        self._last = self._sample()

    def _sample(self) -> tuple[float, float]:
        return self._clock.now().timestamp(), self._clock.monotonic()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def check(self) -> float:
        """Compare the clocks now; returns the gap found (0 when none) and reports it."""
        wall, mono = self._sample()
        gap = (wall - self._last[0]) - (mono - self._last[1])
        self._last = (wall, mono)
        if gap > self._threshold:
            self._on_wake(gap)
            return gap
        return 0.0

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            self.check()
