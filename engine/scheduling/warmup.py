"""Run processes made ready shortly before several fires are due together.

A run executes in a worker process (engine.runtime.procpool); one spare is kept ready, and more start when runs
wait for them, in ≈ 20 ms each (longer while the machine is busy). Fires that cluster (a dozen workflows due at
09:00, fifty monitors every second) would wait for those starts, so this thread looks at the next fires and, at
``LEAD`` seconds before a cluster of more than one, asks the engine for as many ready processes as runs are due
(at most "Runs at the same time"). It sleeps until then: idle, it wakes at most once an hour.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

LEAD = 2.0  # seconds before a cluster of fires that its processes are started
WINDOW = 1.0  # fires within this many seconds of the first one are one cluster
LONGEST_SLEEP = 3600.0  # the clock may be set or the computer may sleep meanwhile: look again at least this often


class Warmup:
    """``upcoming()`` gives the next fires, soonest first, as (moment, runs due then); ``warm(n)`` readies n."""

    def __init__(self, upcoming: Callable[[], list[tuple[datetime, int]]], warm: Callable[[int], None]) -> None:
        self._upcoming = upcoming
        self._warm = warm
        self._wake = threading.Event()
        self._stopped = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="flowdeck-warmup", daemon=True)
        self._thread.start()

    def poke(self) -> None:
        """The schedules changed: look again now."""
        self._wake.set()

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()

    def _loop(self) -> None:
        while not self._stopped:
            pause = self.step(datetime.now(UTC))
            self._wake.wait(pause)
            self._wake.clear()

    def step(self, now: datetime) -> float:
        """Warm for the next cluster if it is near; the seconds until this should look again."""
        due = self._upcoming()
        if not due:
            return LONGEST_SLEEP
        first = due[0][0]
        ahead = (first - now).total_seconds()
        if ahead > LEAD:
            return min(ahead - LEAD, LONGEST_SLEEP)
        runs = sum(n for when, n in due if (when - first).total_seconds() <= WINDOW)
        if runs > 1:
            self._warm(runs)
        return max(ahead + WINDOW, 0.05)  # past this cluster: its jobs have their next moments by then
