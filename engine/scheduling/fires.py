"""The one thread that starts schedule fires: in the order APScheduler hands them over, every fire waiting taken
in one go (200 workflows due in the same second are one batch: engine.scheduling.runs.Runner.together).

One thread on purpose: a schedule's on-time fire must not start while its caught-up fires are still being started
(the catch-up rules rely on that order). APScheduler's own thread only hands each fire over (jobs.new_scheduler):
it holds its job store lock while a job runs, and the service calls add_job/remove_job under its own lock.

The fires of one APScheduler pass over its due jobs are taken together: the scheduler ``hold``s this thread as the
pass begins and ``release``s it when the pass ends. Woken by the first of 200 fires, this thread would start a few
and compete for the interpreter with APScheduler's thread handing over the rest (a 2 ms pass alone took 30–110 ms
so), and the rest waited for the first few to be sent (benchmarks/README.md, "Fires due together, one pass").
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("flowdeck.scheduling")


class FireThread:
    """``put(group)`` from APScheduler's thread; ``start_fires(groups)`` runs on this thread, oldest first."""

    def __init__(self, start_fires: Callable[[list[str]], None]) -> None:
        self._start_fires = start_fires
        self._ready = threading.Condition(threading.Lock())
        self._waiting: list[str] = []
        self._held = False  # APScheduler is in a pass over its due jobs: its fires are taken when it ends
        self._stopped = False
        self._thread = threading.Thread(target=self._loop, name="flowdeck-fires", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def put(self, group: str) -> None:
        with self._ready:
            self._waiting.append(group)
            if not self._held:
                self._ready.notify()

    def hold(self) -> None:
        """APScheduler's pass over its due jobs begins: the fires it hands over wait for ``release``."""
        with self._ready:
            self._held = True

    def release(self) -> None:
        """The pass ended: every fire it handed over is started, in one go."""
        with self._ready:
            self._held = False
            if self._waiting:
                self._ready.notify()

    def stop(self) -> None:
        """End the thread once the fires handed over so far are handled (recorded as not run: the service stops)."""
        with self._ready:
            self._stopped = True
            self._ready.notify()

    def _loop(self) -> None:
        while True:
            with self._ready:
                while (not self._waiting or self._held) and not self._stopped:
                    self._ready.wait()
                groups, self._waiting = self._waiting, []
                last = self._stopped
            if groups:
                try:
                    self._start_fires(groups)
                except Exception:  # one bad fire must not end the thread that starts all of them
                    log.exception("could not start the schedule fires %s", groups)
            if last:
                return
